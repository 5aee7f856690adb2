"""Each payment's Xero transaction is recognised by its own marker only, even when Slack would not give the
payment's message link and Xero's answer is lost; and the helpers tests/e2e/test_sync_restart.py uses for payments
1 and 12 sharing one reference across a killed process.

That payment 1 never takes payment 12's transaction (after a 500 or a lost answer, and on a resync), and that the
look-up reads every page of a shared reference, are service tests: tests/services/test_sync_outcomes.py, with the
gateway's paging against the Xero emulator in tests/services/test_xero_gateway.py."""

from __future__ import annotations

from typing import Any

from bot.sync.items import markers_in
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import Payment, PaymentState, SourceAccount
from tests.e2e.conftest import RunningBot, eventually
from tests.e2e.payments_flow import cards, payment, send
from tests.e2e.test_sync import (  # noqa: F401 - the fixture
    GBP,
    approve,
    approve_and_sync,
    bank_account_id,
    post_coded,
    ready,
    select,
    settled,
    spends,
    stored,
)


def post_many(bot: RunningBot, slack: FakeSlack, xero: XeroEmulator, count: int) -> dict[int, dict[str, Any]]:
    """`count` payments that all carry the reference "Transfer", posted; their messages by payment id."""
    send(
        bot,
        [
            payment(f"pay_{n}", account=GBP, currency="GBP", amount=f"{n}.00", reference="Transfer")
            for n in range(1, count + 1)
        ],
    )
    bot.server.run_job("post_new_payments")
    with bot.uow() as work:
        source = work.session.query(SourceAccount).filter_by(external_id="acc-gbp-1").one()
        source.xero_bank_account_id = bank_account_id(xero)
        work.commit()
    by_ts = {c["ts"]: c for c in cards(slack)}
    return {stored(bot, f"pay_{n}").id: by_ts[str(stored(bot, f"pay_{n}").message_ts)] for n in range(1, count + 1)}


def code_and_approve(bot: RunningBot, slack: FakeSlack, card: dict[str, Any], external_id: str) -> None:
    """Finance codes the payment to 463 on its message and approves it."""
    select(bot, slack, card["ts"], "payment_account", "463", external_id)
    eventually(lambda: stored(bot, external_id).account_code == "463")
    approve(bot, slack, settled(bot, slack, card["ts"], external_id))
    eventually(lambda: stored(bot, external_id).state is PaymentState.APPROVED)


def own_transaction(xero: XeroEmulator, row: Payment) -> dict[str, Any]:
    """The one transaction whose Url carries this payment's marker; there must be exactly one."""
    [found] = [s for s in spends(xero) if markers_in(s.get("Url", "")) == [f"{row.workspace_id}-{row.id}"]]
    return found


def test_a_payment_whose_message_has_no_link_survives_commit_then_drop_with_one_transaction(
    ready: RunningBot,  # noqa: F811
    slack: FakeSlack,
    xero: XeroEmulator,
) -> None:
    with slack.outage("500", methods=["chat.getPermalink"]):  # Slack will not give the message's link
        card = post_coded(ready, slack, xero)
        assert stored(ready, "pay_1").message_url is None
        xero.inject_fault(method="PUT", path_prefix="/api.xro/2.0/BankTransactions", kind="commit_then_drop", count=1)
        approve_and_sync(ready, slack, card)
        ready.clock.advance(minutes=10)
        ready.server.run_job("sync_payments")

    row = stored(ready, "pay_1")
    [spend] = spends(xero)
    assert row.state is PaymentState.SYNCED and row.xero_bank_transaction_id == spend["BankTransactionID"]
    assert spend["Url"].startswith(ready.settings.base_url + "/")
    assert markers_in(spend["Url"]) == [f"{row.workspace_id}-{row.id}"]
    shown = eventually(
        lambda: (m := slack.message("C0FINANCE", card["ts"])) and "Synced" in FakeSlack.rendered_text(m) and m
    )
    assert "View in Xero" in FakeSlack.rendered_text(shown)
