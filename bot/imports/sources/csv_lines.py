"""
The lines of a CSV export, each read by the file's plan into one outcome: a payment, a credit, or why it is
skipped or invalid. An ordinary line is built straight into its payment (the hot path), exactly as the webhook's
rules would accept it; any other goes through those rules (`csv_judged`), which say what is wrong with it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

from bot.imports.sources.amounts import exact_amount
from bot.imports.sources.csv_judged import payment_id_of, raw_line
from bot.imports.sources.csv_layout import BadRow, rows
from bot.imports.sources.csv_money import Money, read_money
from bot.imports.sources.csv_plan import DELIMITER_NAMES, Plan
from bot.imports.sources.dates import read_date
from bot.imports.sources.files import ExportFile
from bot.imports.sources.lines import judge
from bot.imports.sources.parsed import Line, Outcome
from bot.imports.sources.text import SUSPECT, folded, shown
from bot.payments.input import ACCOUNT_LIMITS, EMAIL, LIMITS, PaymentIn
from bot.payments.money import CURRENCIES

NOT_FINAL = frozenset(
    folded(word)
    for word in (
        "pending",
        "declined",
        "reverted",
        "failed",
        "cancelled",
        "canceled",
        "rejected",
        "expired",
        "in behandeling",
        "vorgemerkt",
        "en attente",
        "pendiente",
        "pendente",
        "in sospeso",
    )
)


def csv_lines(file: ExportFile, plan: Plan) -> Iterator[Line]:
    layout = plan.layout
    width = len(layout.columns.headers)
    seen: set[int] = set()
    repeats: dict[int, int] = {}
    plain = _plain_account(plan)
    status_at = layout.columns.index.get("status")
    date_at = layout.columns.index.get("date")
    for row in rows(file, layout.encoding, layout.delimiter):
        if row.line <= layout.header_line:
            continue
        if isinstance(row, BadRow):
            yield Line(row.line, Outcome.INVALID, reason=f"is not valid CSV ({row.problem}): fix that line")
            continue
        cells = row.cells
        if layout.header_line and len(cells) > width and any(cell.strip() for cell in cells[width:]):
            yield Line(row.line, Outcome.INVALID, reason=_too_many_fields(len(cells), width, layout.delimiter))
            continue
        status = cells[status_at].strip() if status_at is not None and status_at < len(cells) else ""
        if status and folded(status) in NOT_FINAL:
            where = layout.columns.name_of(layout.columns.index["status"])
            reason = f'"{shown(status)}" in {where}: not final yet; a later export will have it'
            yield Line(row.line, Outcome.SKIPPED, reason=reason)
            continue
        money = read_money(cells, plan)
        written_date = cells[date_at].strip() if date_at is not None and date_at < len(cells) else ""
        when = read_date(written_date, plan.date_order) if written_date else None
        content_key = _content_key(cells, plan, money, written_date, when)
        digest = int.from_bytes(hashlib.blake2b(content_key.encode(), digest_size=8).digest(), "big")
        occurrence = repeats.get(digest, 1) + 1 if digest in seen else 1
        if occurrence > 1:
            repeats[digest] = occurrence
        seen.add(digest)
        if money.signed is not None and money.signed > 0:
            yield Line(row.line, Outcome.CREDIT)
        elif money.signed == 0 and money.problem is None:
            written = f'{money.written.label} "{shown(money.written.text or "")}"'
            yield Line(row.line, Outcome.SKIPPED, reason=f"{written} is zero: neither money out nor in")
        else:
            derived = "csv-" + hashlib.sha256(f"{content_key}|{occurrence}".encode()).hexdigest()[:32]
            payment = _plain_payment(cells, plan, money, when, derived) if plain else None
            if payment is not None:
                yield Line(row.line, Outcome.PAYMENT, payment=payment)
                continue
            judged = judge(raw_line(row, plan, money, derived, when))
            if isinstance(judged, str):
                yield Line(row.line, Outcome.INVALID, reason=judged)
            else:
                yield Line(row.line, Outcome.PAYMENT, payment=judged)


def _plain_account(plan: Plan) -> bool:
    """Whether every line's account is the plan's one account, as the webhook's rules would store it unchanged."""
    account = plan.account
    if account is None or account.currency not in CURRENCIES:
        return False
    return all(
        value == value.strip() and 0 < len(value) <= limit
        for value, limit in ((account.id, ACCOUNT_LIMITS["id"]), (account.name, ACCOUNT_LIMITS["name"]))
    )


def _plain_payment(cells: list[str], plan: Plan, money: Money, when: date | None, derived_id: str) -> PaymentIn | None:
    """The payment of an ordinary line (one account, an amount out in its currency, a date, a payee, short and clean
    text), built straight from its cells: exactly the one `judge(raw_line(...))` would accept. None for anything else:
    the full path then says what is wrong."""
    signed = money.signed
    if signed is None or money.problem is not None or when is None or not signed < 0:
        return None
    account = plan.account
    assert account is not None
    width = len(cells)
    cell = {name: cells[position].strip() if position < width else "" for name, position in plan.positions}
    currency = cell.get("currency", "").upper() or account.currency
    foreign = cell.get("original_amount") or cell.get("original_currency")  # its original: the full path reads it
    if foreign or currency != account.currency or (money.currencies is not None and currency not in money.currencies):
        return None
    paid_to = cell.get("payee", "")
    payee = paid_to or cell.get("description", "")
    description = cell.get("description") if paid_to else None
    category = cell.get("category") or None
    reference = cell.get("reference") or None
    email = cell.get("spender_email") or None
    payment_id = payment_id_of(cell.get("id", "")) or derived_id
    texts = (payment_id, payee, description or "", category or "", reference or "", email or "")
    if (
        not payee
        or SUSPECT.search("".join(texts))
        or len(payment_id) > LIMITS["id"]
        or len(payee) > LIMITS["payee"]
        or len(description or "") > LIMITS["description"]
        or len(category or "") > LIMITS["category"]
        or len(reference or "") > LIMITS["reference"]
        or len(email or "") > LIMITS["spender_email"]
        or (email is not None and not EMAIL.match(email))
    ):
        return None
    exact = exact_amount(-signed, currency)
    if exact is None:  # more decimals than the currency has: the full path says so
        return None
    return PaymentIn(
        id=payment_id,
        account=account,
        amount=exact,
        currency=currency,
        date=when,
        payee=payee,
        description=description or None,
        category=category,
        reference=reference,
        spender_email=email.lower() if email is not None else None,
    )


def _content_key(cells: list[str], plan: Plan, money: Money, written_date: str, when: date | None) -> str:
    amount = format(money.signed.normalize(), "f") if money.signed is not None else money.written.text or ""
    width = len(cells)
    parts = [
        when.isoformat() if when else written_date,
        amount,
        *(cells[position].strip() if position is not None and position < width else "" for position in plan.keyed),
    ]
    return "|".join(parts)


def _too_many_fields(found: int, expected: int, delimiter: str) -> str:
    name = DELIMITER_NAMES.get(delimiter, "delimiter")
    return f"has {found} fields but the header has {expected}: a value containing a {name} needs double quotes"
