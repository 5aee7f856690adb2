"""The bulk sync confirmation against Xero's daily budget, as the emulator reports it in X-DayLimit-Remaining."""

from __future__ import annotations

import re

import pytest

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from storage.models import XeroConnection
from tests.e2e.conftest import FINANCE, RunningBot
from tests.e2e.payments_flow import payment, send
from tests.e2e.test_home import add_receipts, coded, map_bank_account, open_home
from tests.e2e.test_sync import GBP

__all__ = ["coded"]


@pytest.mark.parametrize("xero", [{"day_limit": 30}], indirect=True)
def test_the_confirmation_says_a_run_beyond_the_days_budget_resumes_tomorrow(
    coded: RunningBot, slack: FakeSlack, xero: XeroEmulator
) -> None:
    assert send(coded, [payment(f"p{i:02d}", account=GBP, currency="GBP", amount="9.00") for i in range(40)])[0] == 201
    map_bank_account(coded, xero)
    add_receipts(coded)
    with coded.uow() as work:
        [connection] = work.session.query(XeroConnection).all()
        left = connection.day_limit_remaining  # what Xero's answers said while connecting
    assert left is not None and left < 30

    home = open_home(coded, slack, FINANCE)
    coded.sender.click_in_view(FINANCE, home["id"], "home_sync_ready")
    confirm = slack.wait_for(
        lambda: [m for m in slack.modals(FINANCE) if m.get("callback_id") == "bulk_confirm_modal"] or None
    )[-1]

    text = FakeSlack.rendered_text(confirm)
    assert (
        "Sync 40 payments to Xero? They need about 82 calls to Xero (2 for the transactions, 40 for receipts, "
        "40 for History & Notes)" in text
    )
    assert f"needs more than the {left} calls left in this organisation's Xero budget for today" in text
    assert re.search(r"then it resumes tomorrow after 00:00 UTC", text)
