"""The card's receipt-check lines, the choice of payment for a receipt sent on its own, and the App Home's lists,
as data: the CONTRACT words, what a click carries back, and outside text kept literal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from bot.home.view import ReceiptNotes
from bot.payments.cards import ReceiptCheckView
from bot.receipts.receipt_first_matching import PaymentSummary
from handlers.common import payment_of
from handlers.ids import Ids, PaymentRef
from handlers.payment_card import payment_message
from handlers.receipt_check_lines import receipt_id_of
from handlers.receipt_first_messages import choice_blocks, choice_of
from handlers.receipt_home_lines import receipt_note_blocks
from tests.handlers.test_payment_blocks import make_card, make_choices

DIFFERS = ReceiptCheckView(7, "IMG_1.jpg", "differs", ("Receipt total SGD 45.00, payment SGD 54.00",))


def texts(blocks: list[dict[str, Any]]) -> str:
    found = []
    for block in blocks:
        if block.get("text"):
            found.append(block["text"]["text"])
        found += [e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(found)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == "button"]


def test_a_matching_receipt_says_so_with_the_fx_note() -> None:
    check = ReceiptCheckView(7, "r.pdf", "matches", notes=("Receipt total USD 89.00 is within 3% of …",))
    _, blocks = payment_message(make_card(receipt_checks=(check,), receipts=1), make_choices())
    assert ":white_check_mark: Receipt matches  ·  Receipt total USD 89.00 is within 3% of …" in texts(blocks)


def test_a_difference_is_said_exactly_with_keep_anyway_and_remove_receipt() -> None:
    card = make_card(receipt_checks=(DIFFERS,), receipts=1)
    _, blocks = payment_message(card, make_choices())

    assert ":warning: Receipt total SGD 45.00, payment SGD 54.00" in texts(blocks)
    keep, remove = [b for b in buttons(blocks) if b["action_id"] in (Ids.RECEIPT_KEEP, Ids.RECEIPT_REMOVE)]
    assert (keep["text"]["text"], remove["text"]["text"]) == ("Keep anyway", "Remove receipt")
    block = next(b for b in blocks if keep in b.get("elements", []))
    click = {"type": "block_actions", "actions": [keep | {"block_id": block["block_id"]}]}
    assert payment_of(click) == PaymentRef(card.payment_id, card.version)
    assert receipt_id_of(block["block_id"]) == 7


def test_kept_anyway_and_the_tax_line_show_without_buttons() -> None:
    kept = replace(DIFFERS, kept_by_user_id="UFIN0001", tax="Receipt shows GST 4.13; GST on Purchases 9% gives 4.50")
    _, blocks = payment_message(make_card(receipt_checks=(kept,), receipts=1), make_choices())
    shown = texts(blocks)
    assert "Receipt kept anyway by <@UFIN0001>: Receipt total SGD 45.00, payment SGD 54.00" in shown
    assert "Receipt shows GST 4.13; GST on Purchases 9% gives 4.50" in shown
    assert not [b for b in buttons(blocks) if b["action_id"] == Ids.RECEIPT_KEEP]


def test_a_merchant_read_off_a_receipt_stays_literal() -> None:
    check = replace(DIFFERS, differences=("Receipt from <!channel> *Shop*, payment to Figma",))
    _, blocks = payment_message(make_card(receipt_checks=(check,), receipts=1), make_choices())
    assert "&lt;!channel&gt;" in texts(blocks) and "<!channel>" not in texts(blocks)


def test_many_receipts_never_push_the_cards_buttons_out() -> None:
    many = tuple(replace(DIFFERS, receipt_id=n) for n in range(10))
    _, blocks = payment_message(make_card(receipt_checks=many, receipts=10, can_approve=True), make_choices())
    assert len(blocks) <= 50
    assert "Approve & sync" in [b["text"]["text"] for b in buttons(blocks)]
    assert "6 more receipts read; 6 of them differ from the payment" in texts(blocks)


def test_the_choice_of_payment_carries_the_receipt_and_the_payment() -> None:
    offered = [PaymentSummary(n, "SGD 45.00", "Figma <Inc>", date(2026, 11, 20 + n), None) for n in (1, 2)]
    blocks = choice_blocks(99, offered)
    first, second = buttons(blocks)
    assert first["text"]["text"] == "SGD 45.00 to Figma <Inc> on 21 Nov 2026"  # plain_text: literal
    assert (first["action_id"], second["action_id"]) == (f"{Ids.RECEIPT_CHOOSE}_0", f"{Ids.RECEIPT_CHOOSE}_1")
    assert [choice_of(b["value"]) for b in (first, second)] == [(99, 1), (99, 2)]
    assert choice_of("99:x") is None and choice_of("1" * 30 + ":1") is None


def test_the_home_lists_mismatches_and_month_old_receipts_for_finance() -> None:
    card = make_card(amount=Decimal("54.00"))
    notes = ReceiptNotes(
        1, [(card, "Receipt total SGD 45.00, payment SGD 54.00", None)], 1, [("UEMP1", "a.jpg", date(2026, 10, 1))]
    )
    shown = texts(receipt_note_blocks(notes))
    assert "*Receipt mismatches* (1)" in shown
    assert "• SGD 54.00 to Figma Inc on 20 Nov 2026: Receipt total SGD 45.00, payment SGD 54.00" in shown
    assert "• a.jpg from <@UEMP1>, sent 1 Oct 2026" in shown
    assert receipt_note_blocks(None) == [] and receipt_note_blocks(ReceiptNotes()) == []
