"""Routine spend codes itself (issue 16), over HTTP: a payment coded from the merchant's earlier one, and a bank
export's line for a payment the webhook already brought flagged, kept out of Xero, and decided by finance only."""

from __future__ import annotations

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import Payment, PaymentState
from tests.e2e.conftest import EMPLOYEE, FINANCE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.payments_flow import element, payment, send
from tests.e2e.test_export_upload import thread_replies, upload
from tests.e2e.test_sync import GBP, approve, post_coded, posted_card, settled, spends, stored
from tests.e2e.test_sync import ready as ready  # the fixture

EXPORT = b"Date;Payee;Amount\n20-11-2026;FIGMA.COM SAN FRANCISCO CA;-120,00\n"


def synced(bot: RunningBot, external_id: str) -> None:
    eventually(lambda: stored(bot, external_id).state is PaymentState.APPROVED)
    bot.server.run_job("sync_payments")
    eventually(lambda: stored(bot, external_id).state is PaymentState.SYNCED)


def test_a_second_figma_payment_arrives_coded_from_the_first_with_the_suggested_line(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    first = post_coded(ready, slack, xero, "pay_1", date="2026-10-20")
    approve(ready, slack, first)
    synced(ready, "pay_1")

    send(ready, payment("pay_2", account=GBP, currency="GBP", amount="96.00", payee="PAYPAL *FIGMA"))
    second = settled(ready, slack, posted_card(ready, slack, "pay_2")["ts"], "pay_2")

    shown = FakeSlack.rendered_text(second)
    assert "Suggested from 1 earlier payment to Figma" in shown
    assert element(second, "payment_account")["initial_option"]["value"] == "463"
    assert element(second, "payment_tax")["initial_option"]["value"] == "INPUT2"
    assert element(second, "payment_tracking_0").get("initial_option") is not None
    approve(ready, slack, second)  # the only click left
    synced(ready, "pay_2")
    assert sorted(s["LineItems"][0]["AccountCode"] for s in spends(xero)) == ["463", "463"]


def test_an_imported_line_the_webhook_already_brought_is_flagged_and_not_synced_until_finance_decides(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    webhook = post_coded(ready, slack, xero, "pay_1", date="2026-11-20")
    event = upload(ready, slack, FINANCE, "figma.csv", EXPORT, "text/csv")
    [preview] = eventually(lambda: thread_replies(slack, event) or None)
    ready.sender.click(FINANCE, event["channel"], preview["ts"], "export_review")
    [form] = eventually(lambda: slack.modals(FINANCE) or None)
    fields = {"export_account": {"value": "acc-gbp-1"}, "export_currency": {"value": "GBP"}}
    ready.sender.submit_view(FINANCE, form["id"], fields | {"export_date_format": {"value": "DMY"}})
    imported = eventually(lambda: next((p for p in payments_of(ready) if p.external_id != "pay_1"), None))

    flagged = posted_card(ready, slack, imported.external_id)
    shown = FakeSlack.rendered_text(flagged)
    assert "Possible duplicate of" in shown and "GBP 120.00 to Figma Inc" in shown
    assert stored(ready, "pay_1").message_url in str(flagged["blocks"])  # a link to the webhook's message
    assert element(flagged, "payment_not_duplicate")["text"]["text"] == "Not a duplicate"
    assert element(flagged, "payment_exclude_duplicate")["text"]["text"] == "Exclude this one"
    assert "payment_approve" not in str(flagged["blocks"])

    for action in ("payment_not_duplicate", "payment_exclude_duplicate"):
        ready.sender.click(EMPLOYEE, FINANCE_CHANNEL, flagged["ts"], action)
    refusals = slack.wait_for(
        lambda: [r for r in slack.responses() if "decide on duplicates" in r.get("text", "")][:2] or None
    )
    assert refusals[0]["text"].startswith("Only finance users and admins can decide on duplicates")
    approve(ready, slack, webhook)
    synced(ready, "pay_1")
    assert stored(ready, imported.external_id).state is PaymentState.PENDING and len(spends(xero)) == 1

    ready.sender.click(FINANCE, FINANCE_CHANNEL, flagged["ts"], "payment_exclude_duplicate")
    eventually(lambda: stored(ready, imported.external_id).state is PaymentState.EXCLUDED)
    ready.server.run_job("sync_payments")
    assert len(spends(xero)) == 1
    assert stored(ready, imported.external_id).exclusion_reason == "duplicate"


def payments_of(bot: RunningBot) -> list[Payment]:
    with bot.uow() as work:
        return list(work.session.query(Payment).order_by(Payment.id))
