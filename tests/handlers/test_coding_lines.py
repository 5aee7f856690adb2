"""The card's lines about its coding and a possible duplicate, tested as data: the fixed words, the link to the
other payment, escaping of outside text, and the buttons finance answers the flag with."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

from bot.payments.cards import CodingChoices, DuplicateOf, PaymentCard
from handlers.ids import Ids
from handlers.payment_card import payment_message
from tests.handlers.test_payment_blocks import GENERAL, NASTY, make_card

CHOICES = CodingChoices(accounts=[GENERAL])
PERMALINK = "https://acme.slack.com/archives/C0FINANCE/p1700000000000100"


def texts(card: PaymentCard) -> list[str]:
    _, blocks = payment_message(card, CHOICES)
    return [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]


def buttons(card: PaymentCard) -> list[tuple[str, str]]:
    _, blocks = payment_message(card, CHOICES)
    return [
        (e["text"]["text"], e["action_id"])
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    ]


def test_a_suggested_coding_says_so_and_a_disagreeing_history_is_shown() -> None:
    card = make_card(
        account=GENERAL,
        coded_because="Suggested from 4 earlier payments to Figma",
        coding_note="Coded differently before: 429 General Expenses (newest); 485 Subscriptions",
    )
    assert "Suggested from 4 earlier payments to Figma" in texts(card)
    assert "Coded differently before: 429 General Expenses (newest); 485 Subscriptions" in texts(card)


def test_a_possible_duplicate_links_to_the_other_payment_and_asks_finance_to_decide() -> None:
    other = DuplicateOf(7, Decimal("123.45"), "SGD", date(2026, 11, 19), "Figma Inc", PERMALINK)
    card = make_card(duplicate_of=other, can_approve=True)

    flagged = [t for t in texts(card) if "Possible duplicate of" in t]
    assert flagged == [f":warning: Possible duplicate of <{PERMALINK}|SGD 123.45 to Figma Inc on 19 Nov 2026>"]
    shown = buttons(card)
    assert ("Not a duplicate", str(Ids.PAYMENT_NOT_DUPLICATE)) in shown
    assert ("Exclude this one", str(Ids.PAYMENT_EXCLUDE_DUPLICATE)) in shown
    assert "Approve & sync" not in [words for words, _ in shown]


def test_the_other_payments_payee_cannot_mention_or_link() -> None:
    other = DuplicateOf(7, Decimal("1.00"), "SGD", date(2026, 11, 19), NASTY, "javascript:alert(1)")
    line = next(t for t in texts(make_card(duplicate_of=other)) if "Possible duplicate" in t)
    assert "<!channel>" not in line and "<@U123>" not in line and "javascript:" not in line
    assert "<https://evil.example" not in json.dumps(line)


def test_an_excluded_duplicate_shows_the_exclusion_not_the_flag() -> None:
    other = DuplicateOf(7, Decimal("1.00"), "SGD", date(2026, 11, 19), "Figma", PERMALINK)
    card = replace(make_card(duplicate_of=other), state="excluded", exclusion_reason="duplicate")
    assert not [t for t in texts(card) if "Possible duplicate" in t]
    assert [words for words, _ in buttons(card)] == ["Undo"]
