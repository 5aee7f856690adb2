"""Each payment's Xero transaction is recognised by its own marker only: shared references, lost answers, and
payments whose Slack message has no link."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

import bot.sync.lookup
from bot.sync.items import markers_in
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import Payment, PaymentState, SourceAccount
from tests.e2e.conftest import FINANCE, RunningBot, eventually
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


def approved_in_bulk(bot: RunningBot, external_ids: list[str]) -> None:
    """Payments finance coded and approved earlier (set up directly: their clicks are not what is tested)."""
    with bot.uow() as work:
        for external_id in external_ids:
            row = work.session.query(Payment).filter_by(external_id=external_id).one()
            row.account_code, row.tax_type = "463", "INPUT2"
            row.state = PaymentState.APPROVED
            row.approved_by_user_id, row.approved_at = FINANCE, datetime.now(UTC)
            row.version += 1
        work.commit()


def own_transaction(xero: XeroEmulator, row: Payment) -> dict[str, Any]:
    """The one transaction whose Url carries this payment's marker; there must be exactly one."""
    [found] = [s for s in spends(xero) if markers_in(s.get("Url", "")) == [f"{row.workspace_id}-{row.id}"]]
    return found


@pytest.mark.parametrize("fault", ["500", "commit_then_drop"])
def test_payments_1_and_12_with_one_reference_each_end_with_their_own_transaction(
    ready: RunningBot,  # noqa: F811
    slack: FakeSlack,
    xero: XeroEmulator,
    fault: str,
) -> None:
    posted = post_many(ready, slack, xero, 12)
    assert {1, 12} <= set(posted), "payment ids 1 and 12: the marker of 1 is a prefix of the marker of 12"
    code_and_approve(ready, slack, posted[12], "pay_12")
    ready.server.run_job("sync_payments")
    code_and_approve(ready, slack, posted[1], "pay_1")
    xero.inject_fault(method="PUT", path_prefix="/api.xro/2.0/BankTransactions", kind=fault, count=1)
    ready.server.run_job("sync_payments")
    ready.clock.advance(minutes=10)  # past the retry's backoff
    ready.server.run_job("sync_payments")

    first, twelfth = stored(ready, "pay_1"), stored(ready, "pay_12")
    assert first.state is PaymentState.SYNCED and twelfth.state is PaymentState.SYNCED
    assert len(spends(xero)) == 2
    assert own_transaction(xero, first)["BankTransactionID"] == first.xero_bank_transaction_id
    assert own_transaction(xero, twelfth)["BankTransactionID"] == twelfth.xero_bank_transaction_id
    assert Decimal(str(own_transaction(xero, first)["Total"])) == Decimal("1.00")

    # A Re-sync of payment 1 changes payment 1's transaction, never payment 12's.
    select(ready, slack, posted[1]["ts"], "payment_account", "429", "pay_1")
    eventually(lambda: stored(ready, "pay_1").state is PaymentState.UPDATED)
    click_resync(ready, slack, posted[1]["ts"])
    ready.server.run_job("sync_payments")
    assert stored(ready, "pay_1").state is PaymentState.SYNCED
    assert own_transaction(xero, first)["LineItems"][0]["AccountCode"] == "429"
    assert own_transaction(xero, twelfth)["LineItems"][0]["AccountCode"] == "463"
    assert len(spends(xero)) == 2


def click_resync(bot: RunningBot, slack: FakeSlack, ts: str) -> None:
    settled(bot, slack, ts, "pay_1")
    bot.sender.click(FINANCE, "C0FINANCE", ts, "payment_resync")
    eventually(lambda: stored(bot, "pay_1").state is PaymentState.APPROVED)


def test_payment_1_finds_its_own_transaction_among_those_of_payments_10_to_19_over_several_pages(
    ready: RunningBot,  # noqa: F811
    slack: FakeSlack,
    xero: XeroEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bot.sync.lookup, "LOOKUP_PAGE_SIZE", 4)  # 11 transactions share the reference: three pages
    posted = post_many(ready, slack, xero, 19)
    approved_in_bulk(ready, [f"pay_{n}" for n in range(10, 20)])
    ready.server.run_job("sync_payments")
    assert len(spends(xero)) == 10
    code_and_approve(ready, slack, posted[1], "pay_1")
    xero.inject_fault(method="PUT", path_prefix="/api.xro/2.0/BankTransactions", kind="commit_then_drop", count=1)
    ready.server.run_job("sync_payments")

    first = stored(ready, "pay_1")
    assert first.state is PaymentState.SYNCED and len(spends(xero)) == 11
    assert first.xero_bank_transaction_id == own_transaction(xero, first)["BankTransactionID"]
    lookups = [r for r in xero.requests_to("GET", "/api.xro/2.0/BankTransactions") if r.query.get("page")]
    assert [r.query["page"] for r in lookups] == [["1"], ["2"], ["3"]]
    for n in range(10, 20):
        row = stored(ready, f"pay_{n}")
        assert row.xero_bank_transaction_id == own_transaction(xero, row)["BankTransactionID"]


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
