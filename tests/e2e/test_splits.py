"""Edit → Split over HTTP (issue 18): finance splits a payment three ways from the Edit modal; an uneven split is
refused in the form with the difference, an even one shows on the card and syncs as three Spend Money lines adding
up to the payment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import PaymentState
from tests.e2e.conftest import FINANCE, FINANCE_CHANNEL, RunningBot, eventually
from tests.e2e.test_sync import approve, post_coded, settled, spends, stored
from tests.e2e.test_sync import ready as ready  # the fixture


def accessory(view: dict[str, Any], action_id: str) -> dict[str, Any]:
    return next(b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == action_id)


def line(form: dict[str, Any], key: int, amount: str, account: str, description: str | None = None) -> dict[str, Any]:
    """What finance types and picks on one line of the form (the account select searches when the chart is long)."""
    account_block = next(b for b in form["blocks"] if b.get("block_id") == f"split_account:{key}")
    chosen = {
        f"split_amount:{key}": {"value": amount},
        f"split_account:{key}": {account_block["element"]["action_id"]: account},
        f"split_tax:{key}": {"value": "INPUT2"},
    }
    return chosen | ({f"split_description:{key}": {"value": description}} if description else {})


def split_form(ready: RunningBot, slack: FakeSlack, card: dict[str, Any]) -> dict[str, Any]:
    """Edit, Split, Add line twice, Remove the second: the form with three lines (keys 0, 2, 3) on the Edit modal."""
    ready.sender.click(FINANCE, FINANCE_CHANNEL, card["ts"], "payment_edit")
    [edit] = eventually(lambda: slack.modals(FINANCE) or None)
    assert accessory(edit, "payment_split")["text"]["text"] == "Split"
    ready.sender.click_in_view(FINANCE, edit["id"], "payment_split")
    form = eventually(lambda: (views := slack.modals(FINANCE)) and len(views) == 2 and views[1])
    assert form["title"]["text"] == "Split payment"
    for shown in ("split_amount:2", "split_amount:3"):
        ready.sender.click_in_view(FINANCE, form["id"], "split_add_line")
        eventually(lambda shown=shown: shown in str(slack.view(form["id"])["blocks"]))
    ready.sender.click_in_view(FINANCE, form["id"], "split_remove_line", "1", block_id="split_line:1")
    return eventually(lambda: (view := slack.view(form["id"])) and "split_amount:1" not in str(view["blocks"]) and view)


def test_a_three_way_split_syncs_as_three_lines_and_an_uneven_one_is_refused_with_the_difference(
    ready: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    card = post_coded(ready, slack, xero)
    form = split_form(ready, slack, card)
    typed = line(form, 0, "40.00", "463") | line(form, 2, "50", "429") | line(form, 3, "29.99", "429", "Support")

    ready.sender.submit_view(FINANCE, form["id"], typed)

    assert slack.view_errors(form["id"]) == {
        "split_amount:3": "The lines add up to GBP 119.99; the payment is GBP 120.00 (GBP 0.01 left)."
    }
    assert stored(ready, "pay_1").split_lines == []
    ready.sender.submit_view(FINANCE, form["id"], typed | line(form, 3, "30.00", "429", "Support"))
    eventually(lambda: slack.modals(FINANCE) == [])  # saved: the form and the Edit modal under it close

    shown = FakeSlack.rendered_text(settled(ready, slack, card["ts"]))
    assert "Split into 3 lines:" in shown and "GBP 50.00 · 429 General Expenses" in shown and "“Support”" in shown
    approve(ready, slack, settled(ready, slack, card["ts"]))
    eventually(lambda: stored(ready, "pay_1").state is PaymentState.APPROVED)
    ready.server.run_job("sync_payments")

    [spend] = spends(xero)
    assert [(i["AccountCode"], Decimal(str(i["LineAmount"])), i["TaxType"]) for i in spend["LineItems"]] == [
        ("463", Decimal("40.00"), "INPUT2"),
        ("429", Decimal("50.00"), "INPUT2"),
        ("429", Decimal("30.00"), "INPUT2"),
    ]
    assert [i["Description"] for i in spend["LineItems"]] == ["Design seats", "Design seats", "Support"]
    assert Decimal(str(spend["Total"])) == Decimal("120.00") and spend["LineAmountTypes"] == "Inclusive"
    assert stored(ready, "pay_1").state is PaymentState.SYNCED
