"""The App Home: tabs per role, and bulk sync of many payments with progress, over HTTP end to end."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from bot.sync.engine import RunReport
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import BulkRun, Payment, PaymentState, Receipt, SourceAccount
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE, FINANCE_CHANNEL, RunningBot, both_transports, eventually
from tests.e2e.payments_flow import payment, send
from tests.e2e.test_receipts import PDF
from tests.e2e.test_sync import GBP, bank_account_id, spends
from tests.e2e.xero_flow import connect


def open_home(bot: RunningBot, slack: FakeSlack, user: str) -> dict[str, Any]:
    before = (slack.home_view(user) or {}).get("hash")
    bot.sender.event(bot.sender.app_home_opened(user))
    return eventually(lambda: (v := slack.home_view(user)) and v.get("hash") != before and v)


def click_home(
    bot: RunningBot, slack: FakeSlack, user: str, action_id: str, value: str | None = None
) -> dict[str, Any]:
    view = slack.home_view(user)
    assert view is not None
    bot.sender.click_in_view(user, view["id"], action_id, value)
    return eventually(lambda: (v := slack.home_view(user)) and v.get("hash") != view.get("hash") and v)


def buttons(view: dict[str, Any]) -> dict[str, str]:
    return {
        e["action_id"]: e["text"]["text"]
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    }


@pytest.fixture
def coded(bot: RunningBot, slack: FakeSlack, xero: XeroEmulator) -> RunningBot:
    """Connected; Fiona is finance; GBP maps to Xero's bank account; "Software" payments arrive coded."""
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    bot.server.scheduler.pause()
    bot.sender.slash_command("settings", ADMIN, FINANCE_CHANNEL)
    [modal] = slack.wait_for(lambda: slack.modals(ADMIN) or None)
    for category, code in (("Software", "463"), ("Travel", "493")):
        bot.sender.submit_view(
            ADMIN,
            modal["id"],
            {
                "settings_new_category": {"value": category},
                "settings_new_category_account": {
                    "payment_account": {"text": {"type": "plain_text", "text": code}, "value": code}
                },
                "settings_new_category_tax": {
                    "value": {"text": {"type": "plain_text", "text": "20%"}, "value": "INPUT2"}
                },
            },
        )
    return bot


def map_bank_account(bot: RunningBot, xero: XeroEmulator) -> None:
    with bot.uow() as work:
        source = work.session.query(SourceAccount).filter_by(external_id=GBP["id"]).one()
        source.xero_bank_account_id = bank_account_id(xero)
        work.commit()


def add_receipts(bot: RunningBot) -> None:
    """One PDF receipt per payment (as if each spender had replied in Slack)."""
    with bot.uow() as work:
        for row in work.session.query(Payment).all():
            content = PDF + f"% {row.id}".encode()
            work.session.add(
                Receipt(
                    payment_id=row.id,
                    file_name=f"receipt-{row.id}.pdf",
                    mime_type="application/pdf",
                    size_bytes=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    content=content,
                )
            )
        work.commit()


def states(bot: RunningBot) -> dict[PaymentState, int]:
    with bot.uow() as work:
        found: dict[PaymentState, int] = {}
        for row in work.session.query(Payment).all():
            found[row.state] = found.get(row.state, 0) + 1
        return found


@both_transports
def test_the_home_tab_renders_each_tab_for_finance_employees_and_admins(
    coded: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    send(
        coded,
        [
            payment(
                f"p{i}",
                account=GBP,
                currency="GBP",
                amount="10.00",
                spender_email="ana@example.com" if i % 2 else "fiona@example.com",
            )
            for i in range(30)
        ],
    )
    coded.server.run_job("post_new_payments")  # a burst: one summary, and each spender is asked for receipts
    finance = open_home(coded, slack, FINANCE)
    assert buttons(finance)["home_tab_pending"] == "Pending Sync (30)"
    assert "home_tab_settings" not in buttons(finance)
    assert len(finance["blocks"]) <= 100
    assert "Page 1 of 2" in FakeSlack.rendered_text(finance)
    second = click_home(coded, slack, FINANCE, "home_page_next", "2")
    assert "Page 2 of 2" in FakeSlack.rendered_text(second)
    for tab in ("home_tab_synced", "home_tab_errors"):
        shown = click_home(coded, slack, FINANCE, tab)
        assert len(shown["blocks"]) <= 100 and "Nothing here." in FakeSlack.rendered_text(shown)

    employee = open_home(coded, slack, EMPLOYEE)
    assert buttons(employee)["home_tab_pending"] == "Pending Sync (15)", "employees see only their own payments"
    assert "home_sync_ready" not in buttons(employee)
    assert "Sync all ready" not in FakeSlack.rendered_text(employee)

    admin = open_home(coded, slack, ADMIN)
    assert buttons(admin)["home_tab_settings"] == "Settings"
    settings = click_home(coded, slack, ADMIN, "home_tab_settings")
    assert "Edit settings" in buttons(settings).values() and "Disconnect" in buttons(settings).values()


FAST_XERO = pytest.mark.parametrize("xero", [{"minute_limit": 2000}], indirect=True)


@FAST_XERO
def test_sync_all_ready_over_60_payments_with_3_invalid_creates_57_in_2_requests(
    coded: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    """60 payments: more than one request's worth (BATCH_SIZE is 50), so Xero sees a full batch and a partial one,
    with a payment it refuses in each; more payments would only repeat the first batch."""
    body = [
        payment(
            f"p{i:03d}",
            account=GBP,
            currency="GBP",
            amount="12.00",
            category="Travel" if i in (10, 30, 55) else "Software",
        )
        for i in range(60)
    ]
    assert send(coded, body)[0] == 201
    coded.server.run_job("post_new_payments")
    assert any("60 new payments arrived" in m.get("text", "") for m in slack.messages(FINANCE_CHANNEL))
    map_bank_account(coded, xero)
    add_receipts(coded)
    xero.add_contact(xero.default_tenant_id, "Figma Inc")
    xero.archive_account(xero.default_tenant_id, "493")  # the three Travel payments will be refused by Xero

    home = open_home(coded, slack, FINANCE)
    assert buttons(home)["home_sync_ready"] == "Sync all ready (60)"
    coded.sender.click_in_view(FINANCE, home["id"], "home_sync_ready")
    confirm = slack.wait_for(
        lambda: [m for m in slack.modals(FINANCE) if m.get("callback_id") == "bulk_confirm_modal"] or None
    )[-1]
    assert "Sync 60 payments to Xero?" in FakeSlack.rendered_text(confirm)
    coded.sender.submit_view(FINANCE, confirm["id"])
    eventually(lambda: states(coded).get(PaymentState.APPROVED) == 60)
    puts_before = len(xero.requests_to("PUT", "/api.xro/2.0/BankTransactions"))

    coded.server.run_job("sync_payments")
    assert len(xero.requests_to("PUT", "/api.xro/2.0/BankTransactions")) - puts_before == 2
    assert len(spends(xero)) == 57
    assert states(coded) == {PaymentState.SYNCED: 57, PaymentState.SYNC_ERROR: 3}
    attached = sum(len(xero.attachments(xero.default_tenant_id, s["BankTransactionID"])) for s in spends(xero))
    assert attached == 57

    coded.server.run_job("report_bulk_progress")
    progress = [m for m in slack.messages(slack.dm_channel(FINANCE)) if "Bulk sync" in m.get("text", "")]
    assert len(progress) == 1
    final = FakeSlack.rendered_text(progress[0])
    assert "Bulk sync finished: 57 of 60 synced, 3 errors." in final
    assert final.count("archived") == 3


@FAST_XERO
def test_a_restart_in_the_middle_of_a_run_finishes_it_without_duplicates(
    coded: RunningBot, slack: FakeSlack, xero: XeroEmulator, engine: Any, uow: Any
) -> None:
    """60 payments: a first batch of 50 (BATCH_SIZE) whose answer is lost, and 10 left for after the restart."""
    from bot.bootstrap import Deps
    from bot.server import BotServer

    send(coded, [payment(f"p{i:03d}", account=GBP, currency="GBP", amount="12.00") for i in range(60)])
    coded.server.run_job("post_new_payments")
    map_bank_account(coded, xero)
    add_receipts(coded)
    xero.add_contact(xero.default_tenant_id, "Figma Inc")
    home = open_home(coded, slack, FINANCE)
    coded.sender.click_in_view(FINANCE, home["id"], "home_sync_ready")
    confirm = slack.wait_for(
        lambda: [m for m in slack.modals(FINANCE) if m.get("callback_id") == "bulk_confirm_modal"] or None
    )[-1]
    coded.sender.submit_view(FINANCE, confirm["id"])
    eventually(lambda: states(coded).get(PaymentState.APPROVED) == 60)

    # The first batch reaches Xero and the connection drops as it answers; then the bot stops.
    xero.inject_fault(method="PUT", path_prefix="/api.xro/2.0/BankTransactions", kind="commit_then_drop", count=1)
    first = coded.server.services.sync
    tenant = first.claims.connected_tenants()[0]
    items, _ = first.claims.claim(tenant, limit=50)
    first.sender.send(tenant, items, RunReport())
    coded.server.run_job("report_bulk_progress")
    coded.server.stop()

    coded.clock.advance(minutes=15)  # past any claim's lease
    restarted = BotServer(coded.settings, Deps(engine=engine, uow=uow, clock=coded.clock), host="127.0.0.1", port=0)
    restarted.services.posting.interval_seconds = 0
    restarted.run_job("sync_payments")
    restarted.run_job("report_bulk_progress")
    assert len(spends(xero)) == 60, "no duplicates: the dropped batch was found in Xero, not sent again"
    assert states(coded) == {PaymentState.SYNCED: 60}
    with coded.uow() as work:
        assert work.session.query(BulkRun).one().finished_at is not None
    [message] = [m for m in slack.messages(slack.dm_channel(FINANCE)) if "Bulk sync" in m.get("text", "")]
    assert "Bulk sync finished: 60 of 60 synced, 0 errors." in message["text"]
    history = [h.get("text", "") for h in slack.edit_history(slack.dm_channel(FINANCE), message["ts"])]
    assert any("Bulk sync: " in h and "of 60 synced" in h for h in history), (
        "the progress message moved before it finished"
    )
