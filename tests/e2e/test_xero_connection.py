"""Connecting Xero from Slack, staying connected, status, disconnect and roles, over HTTP end to end."""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import AuditEntry, ConnectionState, XeroAccount, XeroConnection, XeroOAuthState, XeroTokenSet
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE, FINANCE_CHANNEL, RunningBot, both_transports
from tests.e2e.xero_flow import callback_url, connect, connect_url, fetch, follow_sign_in, latest_dm_text


def status_text(bot: RunningBot, slack: FakeSlack, user: str = EMPLOYEE) -> str:
    bot.sender.slash_command("status", user, FINANCE_CHANNEL)
    answer = slack.wait_for(lambda: [r for r in slack.responses() if "Xero:" in r.get("text", "")] or None)
    slack.responses().clear()
    return str(answer[-1]["text"])


def dm_messages_containing(slack: FakeSlack, user: str, words: str) -> list[dict[str, Any]] | None:
    found = [m for m in slack.messages(slack.dm_channel(user)) if words in m.get("text", "")]
    return found or None


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def connections(bot: RunningBot) -> list[XeroConnection]:
    with bot.uow() as work:
        return list(work.session.query(XeroConnection).all())


def test_only_admins_may_connect(bot: RunningBot, slack: FakeSlack) -> None:
    answer = bot.sender.slash_command("connect", EMPLOYEE, FINANCE_CHANNEL)
    assert answer.status == 200
    assert answer.json()["response_type"] == "ephemeral"
    assert answer.json()["text"].startswith("Only workspace admins")
    with bot.uow() as work:
        assert work.session.query(XeroOAuthState).count() == 0


@both_transports
def test_an_admin_connects_through_xero_and_is_told_in_slack(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    url = connect_url(bot)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert url.startswith(f"{xero.url}/identity/connect/authorize?")
    assert query["response_type"] == ["code"] and query["client_id"] == [xero.client_id]
    assert query["redirect_uri"] == [f"{bot.url}/xero/callback"]
    assert "offline_access" in query["scope"][0].split()
    assert "accounting.banktransactions" in query["scope"][0].split()

    page = follow_sign_in(url)
    assert page.status == 200 and "Connected to Demo Company (UK)" in page.body

    [connection] = connections(bot)
    assert (connection.state, connection.tenant_name) == (ConnectionState.CONNECTED, "Demo Company (UK)")
    assert connection.tenant_id == xero.default_tenant_id and connection.connected_by_user_id == ADMIN
    assert slack.wait_for(lambda: "Connected to Demo Company (UK)" in latest_dm_text(slack, ADMIN))
    channel = "\n".join(m.get("text", "") for m in slack.messages(FINANCE_CHANNEL))
    assert "connected to Demo Company (UK)" in channel
    with bot.uow() as work:
        assert len(work.reference.usable_line_accounts(connection.id)) > 100
        assert work.session.query(XeroAccount).filter_by(type="BANK").count() >= 2
        assert work.reference.usable_tax_rates(connection.id)
        assert len(work.reference.active_tracking(connection.id)) == 2
    assert "Demo Company (UK)" in status_text(bot, slack)


def test_a_forged_expired_or_replayed_state_is_refused_and_nothing_is_stored(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    status, body, _ = fetch(callback_url(bot, state="forged", code="whatever"))
    assert status == 400 and "not valid" in body

    url = connect_url(bot)
    authorize_status, _, location = fetch(url)
    assert authorize_status == 302 and location
    bot.clock.advance(minutes=11)
    status, body, _ = fetch(location)
    assert status == 400 and "expired" in body
    assert connections(bot) == []

    bot.clock.advance(minutes=-11)
    page = follow_sign_in(connect_url(bot))
    assert page.status == 200
    _, _, replay_location = fetch(connect_url(bot))
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(replay_location or "").query)["state"][0]
    fetch(callback_url(bot, state=state, code="x"))
    status, body, _ = fetch(callback_url(bot, state=state, code="x"))
    assert status == 400 and "already used" in body
    assert len(connections(bot)) == 1
    with bot.uow() as work:
        assert work.session.query(XeroTokenSet).count() == 1


def test_with_two_organisations_nothing_connects_until_the_user_chooses(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    acme = xero.add_organisation(name="Acme Ltd")
    xero.consent_tenants = [xero.default_tenant_id, acme]
    page = follow_sign_in(connect_url(bot))
    assert page.status == 200 and "Nothing is connected yet" in page.body
    assert connections(bot) == []

    dm = slack.dm_channel(ADMIN)
    choice = slack.wait_for(lambda: dm_messages_containing(slack, ADMIN, "Which one"))[-1]
    acme_value = next(e["value"] for e in buttons(choice) if e["text"]["text"] == "Acme Ltd")
    bot.sender.click(ADMIN, dm, choice["ts"], "xero_choose_tenant", acme_value)
    slack.wait_for(lambda: connections(bot) or None)
    [connection] = connections(bot)
    assert (connection.tenant_id, connection.tenant_name) == (acme, "Acme Ltd")
    assert slack.wait_for(lambda: "Connected to Acme Ltd" in latest_dm_text(slack, ADMIN))


def test_connecting_the_same_organisation_again_updates_it(bot: RunningBot, slack: FakeSlack) -> None:
    connect(bot, slack)
    page = connect(bot, slack)
    assert "Connected to Demo Company (UK)" in page.body
    assert len(connections(bot)) == 1
    with bot.uow() as work:
        assert [e.action for e in work.session.query(AuditEntry).order_by(AuditEntry.id)] == [
            "xero.connected",
            "xero.reconnected",
        ]
        live = work.session.query(XeroTokenSet).filter(XeroTokenSet.token.is_not(None)).count()
    assert live == 1


def test_an_expired_access_token_is_refreshed_and_the_rotated_refresh_token_stored(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    connect(bot, slack)
    with bot.uow() as work:
        before = work.session.query(XeroTokenSet).one().token
    assert before is not None
    xero.clock.advance(31 * 60)
    bot.clock.advance(minutes=31)
    assert "Demo Company (UK)" in status_text(bot, slack)
    assert xero.refresh_count == 1
    with bot.uow() as work:
        after = work.session.query(XeroTokenSet).one().token
    assert after is not None
    assert after["refresh_token"] != before["refresh_token"]
    assert after["access_token"] != before["access_token"]


def test_a_revoked_refresh_token_needs_a_reconnect_and_admins_are_told_once(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    connect(bot, slack)
    xero.revoke_all_tokens()
    xero.clock.advance(31 * 60)
    bot.clock.advance(minutes=31)
    first = status_text(bot, slack, ADMIN)
    assert "Needs reconnecting" in first
    second = status_text(bot, slack, ADMIN)
    assert "Needs reconnecting" in second
    [connection] = connections(bot)
    assert connection.state is ConnectionState.NEEDS_RECONNECT
    alerts = dm_messages_containing(slack, ADMIN, "stopped working")
    assert alerts is not None and len(alerts) == 1
    assert [e["text"]["text"] for e in buttons(alerts[0])] == ["Reconnect"]


def test_an_organisation_disconnected_on_xeros_side_needs_a_reconnect(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    connect(bot, slack)
    xero.disconnect_tenant(xero.default_tenant_id)
    assert "disconnected from Xero's side" in status_text(bot, slack, ADMIN)
    [connection] = connections(bot)
    assert connection.state is ConnectionState.NEEDS_RECONNECT
    assert slack.wait_for(lambda: dm_messages_containing(slack, ADMIN, "stopped working"))


def test_disconnect_revokes_at_xero_deletes_the_connection_and_wipes_tokens(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    connect(bot, slack)
    answer = bot.sender.slash_command("disconnect", ADMIN, FINANCE_CHANNEL).json()
    assert "Disconnect Demo Company (UK)?" in answer["text"]
    assert connections(bot)[0].state is ConnectionState.CONNECTED
    ephemeral = [e for e in slack.ephemerals(user=ADMIN) if "Disconnect" in e.get("text", "")]
    bot.sender.click(ADMIN, FINANCE_CHANNEL, ephemeral[-1]["ts"], "xero_disconnect_confirm")
    slack.wait_for(lambda: connections(bot)[0].state is ConnectionState.DISCONNECTED or None)
    assert xero.requests_to("POST", "/connect/revocation")
    assert any(r.method == "DELETE" and r.path.lower().startswith("/connections/") for r in xero.requests)
    assert xero.connection_ids() == {}
    with bot.uow() as work:
        assert work.session.query(XeroTokenSet).one().token is None
    assert "Disconnected" in status_text(bot, slack)


def test_roles_are_granted_by_admins_only_and_audited(bot: RunningBot, slack: FakeSlack) -> None:
    refused = bot.sender.slash_command(f"role <@{EMPLOYEE}|ana> finance", FINANCE, FINANCE_CHANNEL)
    assert refused.status == 200
    assert refused.json()["text"].startswith("Only workspace admins")
    granted = bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL).json()
    assert granted["text"] == f"<@{FINANCE}> now has the finance role."
    removed = bot.sender.slash_command(f"role <@{FINANCE}|fiona> none", ADMIN, FINANCE_CHANNEL).json()
    assert removed["text"] == f"<@{FINANCE}> no longer has a bot role."
    with bot.uow() as work:
        entries = work.session.query(AuditEntry).filter_by(action="role.changed").order_by(AuditEntry.id).all()
    assert [(e.actor_user_id, e.subject_id, e.details) for e in entries] == [
        (ADMIN, FINANCE, {"before": None, "after": "finance"}),
        (ADMIN, FINANCE, {"before": "finance", "after": None}),
    ]


def test_no_token_is_in_the_logs_or_in_clear_in_the_database(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    connect(bot, slack)
    xero.clock.advance(31 * 60)
    bot.clock.advance(minutes=31)
    status_text(bot, slack)
    with bot.uow() as work:
        token = work.session.query(XeroTokenSet).one().token
        assert token is not None
        dump = "\n".join(
            repr(row)
            for table in ("xero_token_sets", "xero_connections", "audit_log")
            for row in work.session.execute(text(f"SELECT * FROM {table}")).all()
        )
    secrets = [token["access_token"], token["refresh_token"], slack.bot_token, xero.client_secret]
    for secret in secrets:
        assert secret not in dump
        assert secret not in caplog.text


def test_many_threads_and_two_processes_refresh_exactly_once(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator, tmp_path: Path
) -> None:
    connect(bot, slack)
    with bot.uow() as work:
        token_set_id = work.session.query(XeroTokenSet).one().id
    xero.clock.advance(31 * 60)
    bot.clock.advance(minutes=31)
    go = tmp_path / "go"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.e2e.refresh_worker",
            bot.settings.database_url,
            bot.settings.encryption_key.get_secret_value() if bot.settings.encryption_key else "",
            xero.url,
            xero.client_id,
            xero.client_secret,
            bot.clock.now().isoformat(),
            str(token_set_id),
            str(go),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        try:
            results.append(bot.server.services.tokens.access_token(token_set_id))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    go.touch()
    for thread in threads:
        thread.join(timeout=60)
    other_process = worker.communicate(timeout=60)[0].split()
    assert worker.returncode == 0
    assert errors == []
    assert xero.refresh_count == 1
    assert len(set(results + other_process)) == 1 and len(results + other_process) == 12
    assert not [r for r in xero.requests if r.path == "/connect/token" and r.status != 200]
    assert "Demo Company (UK)" in status_text(bot, slack)
