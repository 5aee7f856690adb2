"""
OFX and QFX statements (bank and credit card): one outbound payment per transaction with a negative TRNAMT.

The statement's ACCTID is the source account and CURDEF its currency; FITID is the payment id, so importing the same
statement again is idempotent. A FITID that a statement repeats for a different transaction (another amount, date or
memo) gets a suffix from that content, so both are kept. DTPOSTED's date is taken as written, never shifted by its
time zone. The payee is NAME, else MEMO, else the cheque number ("Cheque 1000").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from bot.imports.sources.amounts import as_decimal_text, read_amount, without_extra_zeros
from bot.imports.sources.book import AccountBook
from bot.imports.sources.files import ExportFile
from bot.imports.sources.lines import RawLine, Written, judge
from bot.imports.sources.ofx_reader import (
    STATEMENTS,
    Overview,
    Statement,
    Transaction,
    ofx_text,
    overview,
    transactions,
)
from bot.imports.sources.parsed import ExportProblem, ExportReader, Line, Outcome
from bot.imports.sources.text import shown
from bot.payments.input import LIMITS, SourceAccountIn
from bot.payments.money import CURRENCIES

OFX_DATE = re.compile(r"^(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})")
LETTER = re.compile(r"[^\W\d_]")


def open_ofx(file: ExportFile, *, account_id: str | None, currency: str | None, book: AccountBook) -> ExportReader:
    with ofx_text(file) as source:
        seen = overview(source)
    _refuse_what_is_not_a_statement(file.name, seen)
    accounts = {
        statement.number: _account(file.name, statement, account_id, currency, book, seen)
        for statement in seen.statements
    }
    distinct = set(accounts.values())
    how_read = [
        f"statement of account {shown(account.id)} in {account.currency}"
        for account in dict.fromkeys(accounts.values())
    ]
    reader = ExportReader(
        file_name=file.name,
        total_lines=seen.transactions,
        account=next(iter(distinct)) if len(distinct) == 1 else None,
        lines=lambda: _lines(file, accounts),
        how_read=how_read,
    )
    if seen.transactions == 0:
        reader.warnings.append(f"{file.name} holds no transactions")
    return reader


def _refuse_what_is_not_a_statement(file_name: str, seen: Overview) -> None:
    if seen.statements:
        return
    if seen.investment:
        raise ExportProblem(
            f"{file_name} is an investment statement: the bot imports bank and credit-card statements; download one "
            "of those instead"
        )
    if seen.errors:
        code, message = seen.errors[0]
        raise ExportProblem(
            f'{file_name} holds the bank\'s error {shown(code)} ("{shown(message, 80)}") instead of a statement: '
            "download the statement again"
        )
    if seen.account_list:
        raise ExportProblem(f"{file_name} is a list of accounts, not a statement: download a bank or card statement")
    raise ExportProblem(
        f"{file_name} holds no bank or credit-card statement: download a statement of transactions from the bank"
    )


def _account(
    file_name: str,
    statement: Statement,
    account_id: str | None,
    currency_choice: str | None,
    book: AccountBook,
    seen: Overview,
) -> SourceAccountIn:
    account_tag = STATEMENTS[statement.kind]
    number = statement.fields.get(f"{account_tag}/ACCTID", "")
    numbers = {s.fields.get(f"{STATEMENTS[s.kind]}/ACCTID", "") for s in seen.statements}
    if account_id and len(numbers - {""}) > 1:
        raise ExportProblem(
            f"{file_name} holds statements for {len(numbers)} accounts "
            f"({', '.join(sorted(shown(n) for n in numbers))}) but --account names one: import it without --account"
        )
    currency = _currency(file_name, statement, number, currency_choice)
    if account_id:
        known = book.known(account_id)
        if known is not None:
            if known.currency != currency:
                raise ExportProblem(
                    f"{file_name}: the statement is in {currency} but account {shown(account_id)} is in "
                    f"{known.currency}: pass the --account that matches the statement"
                )
            return known
        return SourceAccountIn(id=account_id, name=account_id, currency=currency)
    if not number:
        raise ExportProblem(
            f"{file_name} has a statement that names no account (no {account_tag}/ACCTID): pass --account ID"
        )
    known = book.known(number)
    if known is not None:
        if known.currency != currency:
            raise ExportProblem(
                f"{file_name}: the statement for account {shown(number)} is in {currency} but that account is "
                f"registered in {known.currency}: check the file, or pass --account"
            )
        return known
    bank = statement.fields.get(f"{account_tag}/BANKID") or ("Card" if statement.kind == "CCSTMTRS" else None)
    name = f"{bank} {number}" if bank else number
    return SourceAccountIn(id=number[: LIMITS["id"]], name=name[:255], currency=currency)


def _currency(file_name: str, statement: Statement, number: str, chosen: str | None) -> str:
    written = statement.fields.get("CURDEF", "").upper()
    if chosen:
        chosen = chosen.strip().upper()
        if chosen not in CURRENCIES:
            raise ExportProblem(f'--currency "{shown(chosen)}" is not an ISO 4217 currency code such as EUR')
        if written and written != chosen:
            raise ExportProblem(
                f"{file_name}: the statement for account {shown(number)} is in {shown(written)} (CURDEF), "
                f"not {chosen}: leave out --currency"
            )
        return chosen
    if written in CURRENCIES:
        return written
    if not written and len(statement.currencies) == 1 and next(iter(statement.currencies)) in CURRENCIES:
        return next(iter(statement.currencies))
    what = f'CURDEF "{shown(written)}", not a currency code' if written else "no currency (CURDEF is empty)"
    raise ExportProblem(f"{file_name}: the statement for account {shown(number)} has {what}: pass --currency CODE")


def _lines(file: ExportFile, accounts: dict[int, SourceAccountIn]) -> Iterator[Line]:
    first_seen: dict[tuple[int, str], int] = {}
    derived: dict[str, int] = {}
    with ofx_text(file) as source:
        for transaction in transactions(source):
            yield _line(transaction, accounts[transaction.statement], first_seen, derived)


def _line(
    transaction: Transaction,
    account: SourceAccountIn,
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
    currency = (field.get("CURRENCY/CURSYM") or account.currency).upper()
    written_date = field.get("DTPOSTED") or field.get("DTUSER", "")
    when = _read_date(written_date)
    payee_tag, payee = _payee(field)
    memo = field.get("MEMO") or None
    reference_tag, reference = _reference(field)
    signature = f"{amount}|{when}|{memo}|{payee}"
    fitid = field.get("FITID", "")
    payment_id = _payment_id(fitid, signature, transaction.statement, first_seen, derived)
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
    if written_amount and amount is None:
        problems["amount"] = "is not a number"
    if written_date and when is None:
        problems["date"] = "is not a date (YYYYMMDD…)"
    if payee is None:
        problems["payee"] = "is empty or missing, and so are MEMO and CHECKNUM: nothing says who was paid"

    def explain() -> dict[str, Written]:
        return {
            "id": Written("FITID", fitid),
            "amount": Written("TRNAMT", written_amount),
            "date": Written("DTPOSTED", written_date),
            "currency": Written("CURRENCY/CURSYM" if field.get("CURRENCY/CURSYM") else "CURDEF", currency),
            "payee": Written(payee_tag, payee),
            "description": Written("MEMO", memo),
            "reference": Written(reference_tag, reference),
        }

    judged = judge(RawLine(ordinal, fields, problems=problems, explain=explain))
    if isinstance(judged, str):
        return Line(ordinal, Outcome.INVALID, reason=judged)
    return Line(ordinal, Outcome.PAYMENT, payment=judged)


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
    match = OFX_DATE.match(written)
    if match is None:
        return None
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None
