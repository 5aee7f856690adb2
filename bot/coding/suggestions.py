"""Coding a new payment the way earlier approved payments to the same merchant were.

The newest approved coding wins once it is consistent: account and tax rate are suggested when the two newest
payments agree on them (or there is only one), or when the newest is the coding of most of them (a one-time
exception just before does not unsettle it). Otherwise the payment arrives uncoded, with a line saying how it
was coded before, so a person decides; once they approve the new coding twice, it is the one suggested.

Tracking often follows the person (their department): the spender's own payments to the merchant decide it when
there are any; tracking learnt from other people's is suggested only when it never varied and more than one
person's payments show it; else the spender's own newest tracking on the same account is used, when consistent,
or, when people's tracking at this merchant differs, the one on most of the spender's newest payments.
A suggestion is only made of what Xero still accepts: an archived account or tax rate is never suggested.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.payments.cards import CodingChoices
from bot.payments.splits import SplitLine
from bot.payments.splits_history import Shape, split_shape, usable_split
from storage.models import Payment
from storage.repositories.coding_history import CodedPayment

HISTORY_DEPTH = 10  # earlier payments read per merchant
Tracking = list[dict[str, str]]


@dataclass(frozen=True)
class Suggestion:
    account_code: str | None = None
    tax_type: str | None = None
    tracking: Tracking = field(default_factory=list)
    contact_id: str | None = None
    contact_name: str | None = None
    earlier: int = 0  # how many earlier payments were coded so; 0 when nothing is suggested
    note: str | None = None  # "Coded differently before: …" when the history disagrees
    split: list[SplitLine] = field(default_factory=list)  # a split's lines, to be scaled to the new amount


def _account_and_tax(row: CodedPayment) -> tuple[str | None, str | None, Shape]:
    """The coding compared between payments; a split is the same coding only with the same lines in the same
    proportions (bot/payments/splits_history.py)."""
    return row.account_code, row.tax_type, split_shape(row.split_lines)


def _tracking(row: CodedPayment) -> frozenset[tuple[str, str]]:
    return frozenset((t.get("category_id", ""), t.get("option_id", "")) for t in row.tracking if t.get("option_id"))


def from_history(
    history: Sequence[CodedPayment],
    spender_email: str | None,
    choices: CodingChoices,
    spenders: Sequence[CodedPayment] = (),
) -> Suggestion:
    """What earlier payments to this merchant (newest first) say the new one should be coded as; `spenders` are
    the spender's own newest payments to any merchant, for their usual tracking."""
    rows = list(history)
    if not rows or not choices.accounts:
        return Suggestion()
    newest = _account_and_tax(rows[0])
    earlier = sum(1 for row in rows if _account_and_tax(row) == newest)
    if len(rows) > 1 and _account_and_tax(rows[1]) != newest and earlier * 2 <= len(rows):
        return Suggestion(note=_differently(rows, choices))
    own = [r for r in rows if spender_email and (r.spender_email or "").casefold() == spender_email.casefold()]
    if own:
        tracking = own[0].tracking if _tracking_agrees(own, mine=True) else []
    else:
        tracking = rows[0].tracking if _tracking_agrees(rows, mine=False) else _persons(spenders, rows[0], rows)
    return _usable(rows[0], earlier, tracking, choices)


def _persons(
    spenders: Sequence[CodedPayment], like: CodedPayment, rows: Sequence[CodedPayment]
) -> list[dict[str, str]]:
    """The spender's newest tracking on payments to the same account, when their two newest agree; without any,
    and when people's tracking at this merchant differs (it follows the person), the spender's usual tracking."""
    same = [row for row in spenders if row.account_code == like.account_code]
    if not same:
        return _usual(spenders) if len({_tracking(row) for row in rows}) > 1 else []
    if len(same) > 1 and _tracking(same[1]) != _tracking(same[0]):
        return []
    return list(same[0].tracking)


def _usual(spenders: Sequence[CodedPayment]) -> list[dict[str, str]]:
    """The tracking of at least two in three of the spender's newest payments (three or more), whatever the
    account."""
    if len(spenders) < 3:
        return []
    usual, count = Counter(_tracking(row) for row in spenders).most_common(1)[0]
    if not usual or count * 3 < len(spenders) * 2:
        return []
    return list(next(row for row in spenders if _tracking(row) == usual).tracking)


def _tracking_agrees(rows: Sequence[CodedPayment], *, mine: bool) -> bool:
    """Whether the newest tracking is the merchant's (or this spender's) usual one: the two newest agree, and,
    learnt from other people's payments, they agree all along and come from more than one person."""
    if len(rows) > 1 and _tracking(rows[1]) != _tracking(rows[0]):
        return False
    if mine:
        return True
    spenders = {(row.spender_email or "").casefold() for row in rows}
    return all(_tracking(row) == _tracking(rows[0]) for row in rows) and (len(spenders) > 1 or spenders == {""})


def _usable(row: CodedPayment, earlier: int, chosen: list[dict[str, str]], choices: CodingChoices) -> Suggestion:
    """The row's coding as Xero takes it today; nothing when its account or tax rate is archived or gone."""
    if not any(a.code == row.account_code for a in choices.accounts):
        return Suggestion()
    if row.tax_type and not any(t.tax_type == row.tax_type for t in choices.tax_rates):
        return Suggestion()
    split = usable_split(row.split_lines, choices) if row.split_lines else []
    if split is None:
        return Suggestion()
    active = {(c.category_id, o.option_id) for c in choices.tracking for o in c.options}
    tracking = [dict(t) for t in chosen if (t.get("category_id"), t.get("option_id")) in active]
    if split:  # a split payment's own coding is its first line's (bot/payments/splits.py)
        tracking = list(split[0].tracking)
    return Suggestion(
        account_code=row.account_code,
        tax_type=row.tax_type,
        tracking=tracking,
        contact_id=row.contact_id,
        contact_name=row.contact_name,
        earlier=earlier,
        split=split,
    )


def _differently(rows: Sequence[CodedPayment], choices: CodingChoices) -> str:
    names = {a.code: f"{a.code} {a.name}" for a in choices.accounts}
    seen: list[str] = []
    for row in rows:
        words = names.get(row.account_code or "", row.account_code or "no account")
        if row.tax_type:
            words += f" ({row.tax_type})"
        if row.split_lines:
            words += f", split into {len(row.split_lines)} lines"
        if words not in seen:
            seen.append(words)
    return "Coded differently before: " + "; ".join(f"{w} (newest)" if i == 0 else w for i, w in enumerate(seen[:3]))


def person_coded(payment: Payment) -> None:
    """A person chose the coding: the card no longer says it was suggested, and the choice teaches the next one."""
    payment.coded_by = None
    payment.suggested_from = None
    payment.coding_note = None
