"""A captured Slack request sent again, byte for byte within its five minutes, is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import AuditEntry, Payment, Role, SeenSlackRequest, UserRole
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import ADMIN, FINANCE, FINANCE_CHANNEL, RunningBot, eventually, running_bot
from tests.e2e.payments_flow import payment, send, wait_for_cards
from tests.e2e.xero_flow import connect


@pytest.fixture
def another_instance(
    slack: FakeSlack, xero: XeroEmulator, database_url: str, encryption_key: str, engine: Any, uow: UnitOfWorkFactory
) -> Callable[[], AbstractContextManager[RunningBot]]:
    """A second bot on the same database (a request replayed to it finds only what the database says)."""
    return lambda: running_bot(slack, xero, database_url, encryption_key, engine, uow)


def role_of(bot: RunningBot, user_id: str) -> Role | None:
    with bot.uow() as work:
        found = work.session.query(UserRole).filter_by(user_id=user_id).one_or_none()
        return found.role if found else None


def seen(bot: RunningBot) -> int:
    with bot.uow() as work:
        return work.session.query(SeenSlackRequest).count()


def description(bot: RunningBot) -> str | None:
    with bot.uow() as work:
        [saved] = work.session.query(Payment).all()
        return saved.description


def role_changes(bot: RunningBot) -> int:
    with bot.uow() as work:
        return work.session.query(AuditEntry).filter_by(action="role.changed").count()


def test_a_replayed_role_grant_is_refused_while_a_fresh_one_works(bot: RunningBot, slack: FakeSlack) -> None:
    granted = bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    assert granted.json()["text"] == f"<@{FINANCE}> now has the finance role."
    captured = bot.sender.last_request
    assert captured is not None
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> none", ADMIN, FINANCE_CHANNEL)
    assert role_of(bot, FINANCE) is None

    replayed = bot.sender.replay(captured)
    assert replayed.status == 401
    assert role_of(bot, FINANCE) is None, "the removed role stays removed"
    assert role_changes(bot) == 2

    fresh = bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    assert fresh.json()["text"] == f"<@{FINANCE}> now has the finance role."
    assert role_of(bot, FINANCE) is Role.FINANCE


def test_help_changes_nothing_so_leaves_no_record_yet_a_replay_to_the_same_instance_is_refused(
    bot: RunningBot,
) -> None:
    assert bot.sender.slash_command("help", ADMIN, FINANCE_CHANNEL).status == 200
    captured = bot.sender.last_request
    assert captured is not None
    assert bot.sender.replay(captured).status == 401
    assert seen(bot) == 0


def test_a_replayed_click_is_refused(bot: RunningBot, slack: FakeSlack) -> None:
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    send(bot, payment(category=None))
    [card] = wait_for_cards(slack, 1)
    assert bot.sender.select(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_account", "463").status == 200
    captured = bot.sender.last_request
    assert captured is not None
    assert bot.sender.replay(captured).status == 401


def test_signatures_are_forgotten_once_too_old_to_replay(bot: RunningBot, slack: FakeSlack) -> None:
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    assert seen(bot) == 1  # recorded before the change
    bot.clock.advance(minutes=14)
    bot.server.run_job("purge_stale_records")
    assert seen(bot) == 1, "still within reach of a replay"
    bot.clock.advance(minutes=2)
    bot.server.run_job("purge_stale_records")
    assert seen(bot) == 0


def test_a_request_replayed_to_another_instance_is_acknowledged_and_dropped(
    bot: RunningBot, slack: FakeSlack, another_instance: Callable[[], AbstractContextManager[RunningBot]]
) -> None:
    """The first instance refuses a replay from memory, before its ack; another instance learns of it from
    the database after its ack, and carries nothing out."""
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    captured = bot.sender.last_request
    assert captured is not None
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> none", ADMIN, FINANCE_CHANNEL)
    eventually(lambda: seen(bot) == 2)

    with another_instance() as other:
        replayed = other.sender.replay(captured)
        assert replayed.status == 200, "acknowledged: this instance only learns it is a replay after the ack"

    assert role_of(bot, FINANCE) is None, "the removed role stays removed"
    assert role_changes(bot) == 2


def test_an_edit_replayed_to_another_instance_is_refused_by_the_payment_version(
    bot: RunningBot, slack: FakeSlack, another_instance: Callable[[], AbstractContextManager[RunningBot]]
) -> None:
    """An Edit submission writes no replay record: what it saves carries the version the person saw, so the same
    request again, wherever it lands, is refused and puts nothing back."""
    connect(bot, slack)
    bot.sender.slash_command(f"role <@{FINANCE}|fiona> finance", ADMIN, FINANCE_CHANNEL)
    send(bot, payment())
    [card] = wait_for_cards(slack, 1)
    bot.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    [modal] = slack.wait_for(lambda: slack.modals(FINANCE) or None)
    assert bot.sender.submit_view(FINANCE, modal["id"], {"edit_description": {"value": "Taxi"}}).status == 200
    captured = bot.sender.last_request
    assert captured is not None
    eventually(lambda: description(bot) == "Taxi")  # saved after the answer
    bot.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    second = slack.wait_for(lambda: next((m for m in slack.modals(FINANCE) if m["id"] != modal["id"]), None))
    assert bot.sender.submit_view(FINANCE, second["id"], {"edit_description": {"value": "Train"}}).status == 200
    eventually(lambda: description(bot) == "Train")

    with another_instance() as other:
        replayed = other.sender.replay(captured)

    assert replayed.status == 200
    assert description(bot) == "Train"
