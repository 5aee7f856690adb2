"""Slack down for a while: cards, receipt asks and redraws wait and are delivered once Slack answers, once each."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

import bot.slack.clients
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import PaymentState
from tests.e2e.conftest import ADMIN, EMPLOYEE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.payments_flow import cards, payment, send
from tests.e2e.test_sync import GBP, approve, post_coded, ready, stored  # noqa: F401 - the fixture
from tests.e2e.xero_flow import connect

ASK = "Please reply in this thread"


@pytest.fixture(autouse=True)
def quick_connection_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the bot is built: slack-sdk waits up to 2 s before retrying a dropped connection (some 6 s of this
    file's time); here what matters is that the retry is made, or not made for a post, not how long it waits."""
    monkeypatch.setattr(bot.slack.clients, "CONNECTION_RETRY", FixedValueRetryIntervalCalculator(0.01))


def asks(slack: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in slack.messages(slack.dm_channel(EMPLOYEE)) if ASK in m.get("text", "")]


def card_text(slack: FakeSlack, external_id: str, bot: RunningBot) -> str:
    return FakeSlack.rendered_text(slack.message(FINANCE_CHANNEL, str(stored(bot, external_id).message_ts)))


def run_for(bot: RunningBot, seconds: int, step: int = 5) -> None:
    """The bot's jobs as its scheduler runs them, while `seconds` pass on its clock."""
    for _ in range(seconds // step):
        bot.clock.advance(seconds=step)
        bot.server.run_job("post_new_payments")
        bot.server.run_job("deliver_slack_outbox")


@pytest.mark.parametrize("kind", ["503", "connection"])
def test_a_40_second_outage_delays_but_never_loses_a_card_an_ask_or_a_redraw(
    ready: RunningBot,  # noqa: F811
    slack: FakeSlack,
    xero: XeroEmulator,
    kind: str,
) -> None:
    card = post_coded(ready, slack, xero)
    approve(ready, slack, card)
    eventually(lambda: stored(ready, "pay_1").state is PaymentState.APPROVED)
    assert len(asks(slack)) == 1

    slack.start_outage(kind)
    send(ready, payment("pay_2", account=GBP, currency="GBP", amount="9.99"))
    ready.server.run_job("sync_payments")  # Xero takes payment 1; its message cannot be redrawn
    assert stored(ready, "pay_1").state is PaymentState.SYNCED
    run_for(ready, 40)
    assert "Synced" not in card_text(slack, "pay_1", ready) and stored(ready, "pay_2").message_ts is None
    slack.end_outage()

    assert "Slack has not taken 2 messages" in status_text(ready, slack), "the redraw and the card wait"

    run_for(ready, 600, step=30)  # the retries' backoff has grown to tens of seconds by now
    assert "Synced" in card_text(slack, "pay_1", ready)
    assert [c.get("text", "").count("9.99") > 0 for c in cards(slack)] == [False, True], "each card posted once"
    assert len(asks(slack)) == 2, "each spender asked once"
    assert stored(ready, "pay_2").dm_ts in {m["ts"] for m in asks(slack)}
    assert "Slack has not taken" not in status_text(ready, slack)


def status_text(bot: RunningBot, slack: FakeSlack) -> str:
    """What /xero status tells an admin."""
    before = len(slack.responses())
    assert bot.sender.slash_command("status", ADMIN, FINANCE_CHANNEL).status == 200
    answers = slack.wait_for(lambda: [r for r in slack.responses()[before:] if "Payments:" in r.get("text", "")])
    return str(answers[-1]["text"])


def test_a_receipt_ask_survives_conversations_open_failing_for_40_seconds(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    connect(bot, slack)
    bot.server.scheduler.pause()
    with slack.outage("503", methods=["conversations.open"]):
        send(bot, payment())
        bot.server.run_job("post_new_payments")
        assert len(cards(slack)) == 1 and asks(slack) == []
        run_for(bot, 40)
    run_for(bot, 300, step=30)
    [ask] = asks(slack)
    assert stored(bot, "pay_0001").dm_ts == ask["ts"]


def test_a_card_whose_answer_was_lost_is_found_again_not_posted_twice(
    bot: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    connect(bot, slack)
    bot.server.scheduler.pause()
    slack.lose_answers("chat.postMessage", 1)  # Slack posts the card; the bot never hears back
    send(bot, payment())
    bot.server.run_job("post_new_payments")
    [card] = cards(slack)
    assert stored(bot, "pay_0001").message_ts is None
    run_for(bot, 300, step=30)
    assert [c["ts"] for c in cards(slack)] == [card["ts"]]
    assert stored(bot, "pay_0001").message_ts == card["ts"]
    assert len(asks(slack)) == 1
    bot.sender.select(ADMIN, FINANCE_CHANNEL, card["ts"], "payment_account", "429")  # the adopted one is live
    eventually(lambda: "429" in FakeSlack.rendered_text(slack.message(FINANCE_CHANNEL, card["ts"])))
