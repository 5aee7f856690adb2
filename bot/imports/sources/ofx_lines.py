"""
The lines of an OFX or QFX statement: one outcome per transaction (a payment, a credit, or why it is skipped or
invalid). An ordinary debit is built straight into its payment, exactly as the webhook's rules would accept it; any
other goes through those rules, which say what is wrong with it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from bot.imports.sources.amounts import as_decimal_text, exact_amount, read_amount, without_extra_zeros
from bot.imports.sources.files import ExportFile
from bot.imports.sources.lines import RawLine, Written, judge
from bot.imports.sources.ofx_currency import converted, currency_tag
from bot.imports.sources.ofx_reader import Transaction, ofx_text, transactions
from bot.imports.sources.parsed import Line, Outcome
from bot.imports.sources.text import SUSPECT, shown
from bot.payments.input import ACCOUNT_LIMITS, LIMITS, PaymentIn, SourceAccountIn
from bot.payments.money import CURRENCIES

OFX_DATE = re.compile(r"^(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})")
LETTER = re.compile(r"[^\W\d_]")


def ofx_lines(file: ExportFile, accounts: dict[int, SourceAccountIn]) -> Iterator[Line]:
    """Each transaction's outcome, `accounts` giving each statement's (by its number in the file)."""
    first_seen: dict[tuple[int, str], int] = {}
    derived: dict[str, int] = {}
    plain = {number: _plain_account(account) for number, account in accounts.items()}
    with ofx_text(file) as source:
        for transaction in transactions(source):
            number = transaction.statement
            yield _line(transaction, accounts[number], plain[number], first_seen, derived)


def _line(
    transaction: Transaction,
    account: SourceAccountIn,
    plain_account: bool,
    first_seen: dict[tuple[int, str], int],
    derived: dict[str, int],
) -> Line:
    field = transaction.fields
    ordinal = transaction.ordinal
    written_amount = field.get("TRNAMT", "")
    read = read_amount(written_amount.replace(",", ".") if "." not in written_amount else written_amount, ".")
    amount = read.value if read is not None else None
    if amount is not None and amount > 0:
        return Line(ordinal, Outcome.CREDIT)
    if amount == 0:
        return Line(
            ordinal, Outcome.SKIPPED, reason=f'TRNAMT "{shown(written_amount)}" is zero: neither money out nor in'
        )
    when = _read_date(field.get("DTPOSTED") or field.get("DTUSER", ""))
    payee = _payee(field)[1]
    memo = field.get("MEMO") or None
    fitid = field.get("FITID", "")
    payment_id = _payment_id(fitid, f"{amount}|{when}|{memo}|{payee}", transaction.statement, first_seen, derived)
    if plain_account and "CURRENCY/CURSYM" not in field and "ORIGCURRENCY/CURSYM" not in field:
        payment = _plain_payment(account, amount, when, payee, memo, _reference(field)[1], payment_id)
        if payment is not None:
            return Line(ordinal, Outcome.PAYMENT, payment=payment)
    return _judged(transaction, account, amount, payment_id)


def _plain_account(account: SourceAccountIn) -> bool:
    """Whether the webhook's rules would store the account as it is (so its payments may take the hot path)."""
    return account.currency in CURRENCIES and all(
        value == value.strip() and 0 < len(value) <= limit
        for value, limit in ((account.id, ACCOUNT_LIMITS["id"]), (account.name, ACCOUNT_LIMITS["name"]))
    )


def _plain_payment(
    account: SourceAccountIn,
    amount: Decimal | None,
    when: date | None,
    payee: str | None,
    memo: str | None,
    reference: str | None,
    payment_id: str,
) -> PaymentIn | None:
    """The payment of an ordinary debit in the account's currency: exactly the one `_judged` would accept, for a
    transaction with nothing to report; None for anything else (the full path then says what is wrong). The reader
    has stripped every value already."""
    if amount is None or when is None or payee is None:
        return None
    description = memo if memo != payee else None
    if (
        SUSPECT.search(f"{payment_id}{payee}{description or ''}{reference or ''}")
        or not payment_id
        or len(payment_id) > LIMITS["id"]
        or len(payee) > LIMITS["payee"]
        or len(description or "") > LIMITS["description"]
        or len(reference or "") > LIMITS["reference"]
    ):
        return None
    exact = exact_amount(-amount, account.currency)
    if exact is None:  # more decimals than the currency has: the full path says so
        return None
    return PaymentIn(
        id=payment_id,
        account=account,
        amount=exact,
        currency=account.currency,
        date=when,
        payee=payee,
        description=description,
        reference=reference,
    )


def _judged(transaction: Transaction, account: SourceAccountIn, amount: Decimal | None, payment_id: str) -> Line:
    """The line as the webhook's rules read it: its payment, or every reason it is refused, naming the OFX tags."""
    field = transaction.fields
    written_amount = field.get("TRNAMT", "")
    currency = account.currency
    written_date = field.get("DTPOSTED") or field.get("DTUSER", "")
    when = _read_date(written_date)
    payee_tag, payee = _payee(field)
    memo = field.get("MEMO") or None
    reference_tag, reference = _reference(field)
    fields: dict[str, Any] = {
        "id": payment_id,
        "account": {"id": account.id, "name": account.name, "currency": account.currency},
        "currency": currency,
        "amount": as_decimal_text(without_extra_zeros(amount, currency)) if amount else None,
        "date": when.isoformat() if when else None,
        "payee": payee,
        "description": memo if memo != payee else None,
        "reference": reference,
    }
    problems: dict[str, str] = {}
    _foreign(field, fields, problems, amount, currency)
    if written_amount and amount is None:
        problems["amount"] = "is not a number"
    if written_date and when is None:
        problems["date"] = "is not a date (YYYYMMDD…)"
    if payee is None:
        problems["payee"] = "is empty or missing, and so are MEMO and CHECKNUM: nothing says who was paid"

    def explain() -> dict[str, Written]:
        return {
            "id": Written("FITID", field.get("FITID", "")),
            "amount": Written("TRNAMT", written_amount),
            "date": Written("DTPOSTED", written_date),
            "currency": Written("CURDEF", currency),
            "original_amount": Written("TRNAMT", written_amount),
            "original_currency": Written(currency_tag(field), fields.get("original_currency") or _cursym(field)),
            "payee": Written(payee_tag, payee),
            "description": Written("MEMO", memo),
            "reference": Written(reference_tag, reference),
        }

    judged = judge(RawLine(transaction.ordinal, fields, problems=problems, explain=explain))
    if isinstance(judged, str):
        return Line(transaction.ordinal, Outcome.INVALID, reason=judged)
    return Line(transaction.ordinal, Outcome.PAYMENT, payment=judged)


def _foreign(
    field: dict[str, str], fields: dict[str, Any], problems: dict[str, str], amount: Decimal | None, currency: str
) -> None:
    """A debit in another currency: the account's amount and the original, or why they cannot be known."""
    if amount is None or amount >= 0:
        return
    foreign = converted(field, currency, -amount)
    if isinstance(foreign, str):
        problems["original_currency"] = foreign
    elif foreign is not None:
        fields["amount"] = as_decimal_text(without_extra_zeros(foreign.spent, currency))
        fields["original_amount"] = as_decimal_text(
            without_extra_zeros(foreign.original_amount, foreign.original_currency)
        )
        fields["original_currency"] = foreign.original_currency


def _cursym(field: dict[str, str]) -> str:
    return field.get("CURRENCY/CURSYM") or field.get("ORIGCURRENCY/CURSYM") or ""


def _payee(field: dict[str, str]) -> tuple[str, str | None]:
    """NAME when it has letters, else PAYEE/NAME, EXTDNAME, MEMO, the cheque number, and last a NAME of digits."""
    for tag in ("NAME", "PAYEE/NAME", "EXTDNAME", "MEMO"):
        text = field.get(tag, "")
        if LETTER.search(text):
            return tag, text
    cheque = field.get("CHECKNUM", "")
    if cheque.strip("0"):
        return "CHECKNUM", f"Cheque {cheque.lstrip('0') or cheque}"
    for tag in ("NAME", "MEMO"):
        if field.get(tag):
            return tag, field[tag]
    return "NAME", None


def _reference(field: dict[str, str]) -> tuple[str, str | None]:
    cheque = field.get("CHECKNUM", "")
    if cheque.strip("0"):
        return "CHECKNUM", cheque
    return "REFNUM", field.get("REFNUM") or None


def _payment_id(
    fitid: str, signature: str, statement: int, first_seen: dict[tuple[int, str], int], derived: dict[str, int]
) -> str:
    """FITID; a FITID repeated for another transaction with a suffix of its content; without FITID, from content."""
    if not fitid:
        occurrence = derived.get(signature, 0) + 1
        derived[signature] = occurrence
        return "ofx-" + hashlib.sha256(f"{signature}|{occurrence}".encode()).hexdigest()[:32]
    base = fitid if len(fitid) <= LIMITS["id"] else "ofx-" + hashlib.sha256(fitid.encode()).hexdigest()[:40]
    if first_seen.setdefault((statement, fitid), hash(signature)) == hash(signature):
        return base
    suffixed = f"{base}#{hashlib.sha256(signature.encode()).hexdigest()[:8]}"
    if len(suffixed) <= LIMITS["id"]:
        return suffixed
    return "ofx-" + hashlib.sha256(f"{fitid}#{signature}".encode()).hexdigest()[:40]


def _read_date(written: str) -> date | None:
    """The date part of an OFX datetime as written: 20261105003000.000[+8:SGT] is 5 November, not 4 November UTC."""
    return _date_of(written[:8])


@lru_cache(maxsize=4096)
def _date_of(digits: str) -> date | None:
    match = OFX_DATE.match(digits)
    if match is None:
        return None
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None
