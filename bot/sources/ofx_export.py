"""
OFX and QFX statements (bank and credit card): one outbound payment per transaction with a negative TRNAMT.

The statement's ACCTID is the source account and CURDEF its currency; FITID is the payment id, so importing the same
statement again is idempotent. DTPOSTED's date is taken as written, never shifted by its time zone.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.sax.saxutils import unescape

from bot.payment_input import CURRENCIES, SourceAccountIn
from bot.sources.amounts import as_decimal_text, without_extra_zeros
from bot.sources.lines import RawLine, Written, judge
from bot.sources.ofx_tree import read_ofx
from bot.sources.parsed import ExportProblem, ParsedExport, ProgressCallback
from bot.sources.tally import ExportTally

STATEMENTS = {"STMTRS": "BANKACCTFROM", "CCSTMTRS": "CCACCTFROM"}
OFX_DATE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})")
ENTITIES = {"&nbsp;": " ", "&apos;": "'", "&quot;": '"'}


@dataclass(frozen=True)
class Statement:
    account: SourceAccountIn
    transactions: list[ET.Element]


def parse_ofx(
    path: Path,
    *,
    account: SourceAccountIn | None = None,
    account_id: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> ParsedExport:
    statements = _statements(read_ofx(path), path.name, account=account, account_id=account_id)
    tally = ExportTally(total_lines=sum(len(s.transactions) for s in statements), on_progress=on_progress)
    ordinal = 0
    for statement in statements:
        for transaction in statement.transactions:
            ordinal += 1
            _read_transaction(tally, ordinal, transaction, statement.account)
    return tally.finish(statements[0].account)


def _statements(
    root: ET.Element, file_name: str, *, account: SourceAccountIn | None, account_id: str | None
) -> list[Statement]:
    found = [element for element in root.iter() if element.tag in STATEMENTS]
    if not found:
        raise ExportProblem(
            f"{file_name} holds no bank or credit-card statement: download a bank or card statement, not another report"
        )
    statements = [_statement(element, file_name, account=account, account_id=account_id) for element in found]
    file_account_ids = {_text(element, f"{STATEMENTS[element.tag]}/ACCTID") for element in found}
    if (account is not None or account_id) and len(file_account_ids) > 1:
        raise ExportProblem(
            f"{file_name} holds statements for {len(file_account_ids)} accounts "
            f"({', '.join(sorted(str(i) for i in file_account_ids))}) but --account names one: import without --account"
        )
    return statements


def _statement(
    element: ET.Element, file_name: str, *, account: SourceAccountIn | None, account_id: str | None
) -> Statement:
    account_tag = STATEMENTS[element.tag]
    number = _text(element, f"{account_tag}/ACCTID")
    currency = (_text(element, "CURDEF") or "").upper()
    if not number:
        raise ExportProblem(f"{file_name} has a statement with no {account_tag}/ACCTID: download it again")
    if currency not in CURRENCIES:
        raise ExportProblem(
            f'{file_name}: the statement for account {number} has CURDEF "{currency}", not a currency code: '
            "download it from the bank again"
        )
    if account is not None and account.currency != currency:
        raise ExportProblem(
            f"{file_name}: the statement for account {number} is in {currency} but account {account.id} is in "
            f"{account.currency}: pass the --account that matches the statement"
        )
    if account is None:
        bank = _text(element, f"{account_tag}/BANKID") or ("Card" if element.tag == "CCSTMTRS" else None)
        account = SourceAccountIn(
            id=account_id or number,
            name=account_id or (f"{bank} {number}" if bank else number),
            currency=currency,
        )
    return Statement(account=account, transactions=element.findall("BANKTRANLIST/STMTTRN"))


def _read_transaction(tally: ExportTally, ordinal: int, transaction: ET.Element, account: SourceAccountIn) -> None:
    written_amount = _text(transaction, "TRNAMT")
    amount = _read_amount(written_amount)
    if amount is not None and amount > 0:
        tally.credit()
        return
    currency = (_text(transaction, "CURRENCY/CURSYM") or account.currency).upper()
    written_date = _text(transaction, "DTPOSTED")
    when = _read_date(written_date)
    reference_tag = "CHECKNUM" if _text(transaction, "CHECKNUM") else "REFNUM"
    payee_tag, payee = next(
        ((tag, text) for tag in ("NAME", "PAYEE/NAME", "EXTDNAME") if (text := _text(transaction, tag))),
        ("NAME", None),
    )
    fields: dict[str, Any] = {
        "id": _text(transaction, "FITID"),
        "account": {"id": account.id, "name": account.name, "currency": account.currency},
        "currency": currency,
        "amount": as_decimal_text(without_extra_zeros(amount, currency)) if amount else None,
        "date": when.isoformat() if when else None,
        "payee": payee,
        "description": _text(transaction, "MEMO"),
        "reference": _text(transaction, reference_tag),
    }
    problems: dict[str, str] = {}
    if written_amount and amount is None:
        problems["amount"] = "is not a number"
    elif amount == 0:
        problems["amount"] = "is zero: neither money out nor money in"
    if written_date and when is None:
        problems["date"] = "is not a date (YYYYMMDD…)"
    written = {
        "id": Written("FITID", fields["id"]),
        "amount": Written("TRNAMT", written_amount),
        "date": Written("DTPOSTED", written_date),
        "currency": Written("CURRENCY/CURSYM" if _text(transaction, "CURRENCY/CURSYM") else "CURDEF", currency),
        "payee": Written(payee_tag, payee),
        "description": Written("MEMO", fields["description"]),
        "reference": Written(reference_tag, fields["reference"]),
    }
    tally.judged(ordinal, judge(RawLine(ordinal, fields, written, problems)))


def _read_amount(written: str | None) -> Decimal | None:
    """TRNAMT as a signed Decimal; a decimal comma ("-12,50"), which some banks write, is read as a point."""
    if not written:
        return None
    text = written.replace(",", ".") if "." not in written else written
    try:
        amount = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _read_date(written: str | None) -> date | None:
    """The date part of an OFX datetime as written: 20261105003000.000[+8:SGT] is 5 November, not 4 November UTC."""
    match = OFX_DATE.match(written or "")
    if match is None:
        return None
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def _text(element: ET.Element, path: str) -> str | None:
    text = element.findtext(path)
    if text is None or not text.strip():
        return None
    return unescape(text.strip(), ENTITIES)
