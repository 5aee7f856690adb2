"""What Xero keeps of Slack: the History & Notes entry of a sync, and a foreign-currency spend's original amount."""

from __future__ import annotations

from typing import Any

from sandbox.demo.xero_pane import xero_pane
from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from tests.e2e.conftest import EMPLOYEE, FINANCE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.test_receipts import PDF, jpeg, receipts, reply_with_file
from tests.e2e.test_sync import approve_and_sync, post_coded, ready, settled, spends, stored

__all__ = ["ready"]


def notes(xero: XeroEmulator, spend: dict[str, Any]) -> list[str]:
    history = xero.history(xero.default_tenant_id, spend["BankTransactionID"])
    return [str(h["Details"]) for h in history if h["Changes"] == "Note"]


def test_the_history_note_lists_the_approver_the_coder_and_the_receipt_senders_with_the_slack_link(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    card = post_coded(ready, slack, xero)  # fiona (finance) codes it
    dm = slack.dm_channel(EMPLOYEE)
    ask = eventually(lambda: next((m for m in slack.messages(dm) if "receipt" in m.get("text", "")), None))
    reply_with_file(ready, slack, EMPLOYEE, dm, ask["ts"], "IMG_2041.JPG", jpeg(), "image/jpeg")
    eventually(lambda: len(receipts(ready)) == 1)
    reply_with_file(ready, slack, FINANCE, FINANCE_CHANNEL, card["ts"], "invoice.pdf", PDF, "application/pdf")
    eventually(lambda: len(receipts(ready)) == 2)
    approve_and_sync(ready, slack, settled(ready, slack, card["ts"]))

    [spend] = spends(xero)
    row = stored(ready, "pay_1")
    assert row.message_url and row.approved_at
    when = row.approved_at.strftime("%Y-%m-%d %H:%M")
    assert notes(xero, spend) == [
        f"Approved in Slack by fiona on {when} UTC. Coded by fiona. Receipts sent by ana, fiona. {row.message_url}"
    ]
    assert len(xero.attachments(xero.default_tenant_id, spend["BankTransactionID"])) == 2

    ready.server.run_job("sync_payments")
    assert len(notes(xero, spend)) == 1, "one note per sync"
    assert f'<li class="note">Approved in Slack by fiona on {when} UTC.' in xero_pane(xero, xero.default_tenant_id)
