"""
CSV bank exports: one outbound payment per debit line, read as the file's own conventions say.

Each choice (date column and order, amount or debit/credit columns, sign convention, payee column, decimal mark,
currency, header row, encoding) comes from a flag, else from the account's import profile for this layout, else from
the file itself; where the file cannot tell, the import is refused with the exact flag to pass, never guessed.

Without an `id` column (or with an empty id cell), a line's id is derived from what it says: `csv-` + the first 32 hex
digits of sha256("date|amount|payee|reference|description|n"), where n counts identical lines from the top of the
file, so importing the same file again yields the same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.imports.sources.amounts import (
    DECIMAL_MARKS,
    as_decimal_text,
    decimal_evidence,
    read_amount,
    without_extra_zeros,
)
from bot.imports.sources.book import AccountBook
from bot.imports.sources.csv_columns import INDICATOR_HEADERS, Columns, header_key, indicator_side
from bot.imports.sources.csv_layout import BadRow, Layout, Row, column_position, find_layout, quoted_cells, rows
from bot.imports.sources.dates import ORDERS, DateOrderEvidence, describe_orders, read_date
from bot.imports.sources.files import ExportFile, chosen_encoding, detect_encoding
from bot.imports.sources.lines import RawLine, Written, judge
from bot.imports.sources.parsed import ExportProblem, ExportReader, Line, Outcome
from bot.imports.sources.text import SUSPECT, folded, shown
from bot.payments.input import ACCOUNT_LIMITS, EMAIL, LIMITS, PaymentIn, SourceAccountIn
from bot.payments.money import CURRENCIES, minor_units

SIGNS = ("negative-is-out", "positive-is-out")
NOT_AN_AMOUNT = 'is not an amount such as "-1,234.56"'
TEXT_FIELDS = ("payee", "description", "category", "reference", "spender_email")
LINE_FIELDS = ("id", "date", "currency", *TEXT_FIELDS)
NO_CELLS = dict.fromkeys(LINE_FIELDS, "")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
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
PROFILE_VERSION = 1
QUANTUM: dict[str, Decimal] = {}


@dataclass(frozen=True)
class CsvChoices:
    """What a person said about a file, on the command line or in the Slack form; None = find it out."""

    date_format: str | None = None
    currency: str | None = None
    date_column: str | None = None
    amount_column: str | None = None
    debit_column: str | None = None
    credit_column: str | None = None
    payee_column: str | None = None
    description_column: str | None = None
    sign: str | None = None
    decimal: str | None = None
    header_row: int | None = None
    encoding: str | None = None

    def column_flags(self) -> dict[str, str]:
        named = {
            "date": self.date_column,
            "amount": self.amount_column,
            "debit": self.debit_column,
            "credit": self.credit_column,
            "payee": self.payee_column,
            "description": self.description_column,
        }
        return {name: value for name, value in named.items() if value}


@dataclass
class Survey:
    """What one pass over every data line says about the file's conventions."""

    lines: int = 0
    dates: DateOrderEvidence = field(default_factory=DateOrderEvidence)
    decimal_proofs: dict[str, tuple[int, str]] = field(default_factory=dict)
    undecided_decimal: tuple[int, str] | None = None
    negatives: int = 0
    positives: int = 0
    indicators: dict[int, bool] = field(default_factory=dict)
    """Columns that may say debit or credit, each with whether it wrote a whole word (not only D/C)."""
    currencies: list[str] = field(default_factory=list)
    named_currencies: frozenset[str] | None = None
    account_ids: list[str] = field(default_factory=list)
    account_currency: str | None = None


@dataclass
class Plan:
    """How every line is read, decided once for the file."""

    layout: Layout
    date_order: str
    decimal: str
    sign: str  # negative-is-out | positive-is-out | indicator | columns
    indicator: int | None
    currency: str | None
    account: SourceAccountIn | None
    """The one account of every line; None when each line names its account in account columns."""
    payee_from: str
    labels: dict[str, str] = field(default_factory=dict)
    """How the file names each field, for messages (computed once, not per line)."""
    positions: list[tuple[str, int]] = field(default_factory=list)
    """(field, column) of the fields a line's payment is built from."""
    keyed: tuple[int | None, ...] = ()
    """The columns of payee, reference and description (None for one the file lacks), for a line's derived id."""

    def label(self, field_name: str) -> str:
        return self.labels.get(field_name, field_name)


def open_csv(file: ExportFile, *, account_id: str | None, choices: CsvChoices, book: AccountBook) -> ExportReader:
    encoding = chosen_encoding(choices.encoding, file.name) if choices.encoding else detect_encoding(file)
    layout = find_layout(file, encoding, header_row=choices.header_row, column_flags=choices.column_flags())
    looked_up = account_id or _account_from_layout(file, layout, book)
    profile = book.profile(looked_up, layout.key) if looked_up else None
    if profile is not None:
        layout = _with_profile(file, layout, profile, choices)
    _require_columns(layout, file.name, _first_cells(file, layout))
    survey = _survey(file, layout)
    if survey.lines == 0:
        raise ExportProblem(f"{file.name} has a header but no lines below it: export the transactions again")
    if account_id is None and "account_id" in layout.columns:
        account_id = survey.account_ids[0] if len(survey.account_ids) == 1 else None
    elif account_id is None:
        account_id = looked_up
    plan = _decide(file, layout, survey, choices, profile, account_id, book)
    reader = ExportReader(
        file_name=file.name,
        total_lines=survey.lines,
        account=plan.account,
        lines=lambda: _lines(file, plan),
        how_read=_how_read(plan, profile is not None),
        layout=layout.key,
        mapping=_mapping(plan),
    )
    if survey.lines and survey.positives and not survey.negatives and plan.sign == "negative-is-out":
        reader.warnings.append(
            f"every amount in {file.name} is money in: if it is a card statement where purchases are positive, "
            "import it with --sign positive-is-out"
        )
    return reader


# --- which account -----------------------------------------------------------------------------------------------


def _account_from_layout(file: ExportFile, layout: Layout, book: AccountBook) -> str | None:
    """The account named in the file's account column, else the one account whose profile has this layout."""
    if "account_id" in layout.columns:
        for row in rows(file, layout.encoding, layout.delimiter):
            if isinstance(row, Row) and row.line > layout.header_line:
                found = layout.columns.cell(row.cells, "account_id")
                if found:
                    return found
    holders = book.layout_accounts(layout.key)
    return holders[0] if len(holders) == 1 else None


def _with_profile(file: ExportFile, layout: Layout, profile: dict[str, Any], choices: CsvChoices) -> Layout:
    """The columns a person confirmed for this layout, where no flag names another."""
    if not choices.encoding and profile.get("encoding") and layout.encoding.codec not in ("utf-8", "utf-8-sig"):
        profiled = chosen_encoding(str(profile["encoding"]), file.name)
        if profiled.codec != layout.encoding.codec:
            layout = find_layout(file, profiled, header_row=choices.header_row, column_flags=choices.column_flags())
    index = dict(layout.columns.index)
    for field_name, position in dict(profile.get("columns") or {}).items():
        if field_name in layout.named or not isinstance(position, int) or position >= layout.width:
            continue
        for other, taken in list(index.items()):
            if taken == position and other not in layout.named:
                del index[other]
        index[field_name] = position
    if "amount" in profile.get("columns", {}) and not {"debit", "credit"} & layout.named.keys():
        index.pop("debit", None)
        index.pop("credit", None)
    layout.columns = Columns(
        index=index, headers=layout.columns.headers, header_currency=layout.columns.header_currency
    )
    return layout


def _require_columns(layout: Layout, file_name: str, first_cells: list[str]) -> None:
    columns = layout.columns
    if layout.header_line == 0 and not {"date", "amount", "debit", "credit"} & columns.index.keys():
        raise ExportProblem(
            f"{file_name} has no header row (its first line is {quoted_cells(first_cells, 4)}): name its columns by "
            "number, counting from 1: --date-column N --amount-column N --payee-column N"
        )
    if "date" not in columns:
        raise ExportProblem(f"{file_name} has no date column: name it with --date-column")
    if not {"amount", "debit", "credit"} & columns.index.keys():
        if "balance" in columns:
            raise ExportProblem(
                f"{file_name} lists balances ({columns.name_of(columns.index['balance'])}), not transactions: "
                "export the transactions (with their amounts) instead"
            )
        raise ExportProblem(
            f"{file_name} has no amount column: name it with --amount-column, or the two columns of money out and "
            "money in with --debit-column and --credit-column"
        )
    if "payee" not in columns and "description" not in columns:
        raise ExportProblem(
            f"{file_name} has no column that says who was paid: name it with --payee-column (or --description-column)"
        )


# --- the pass that finds the file's conventions ------------------------------------------------------------------


def _survey(file: ExportFile, layout: Layout) -> Survey:
    survey = Survey()
    columns = layout.columns
    amount_columns = [columns.index[name] for name in ("amount", "debit", "credit") if name in columns]
    indicator_hints = {
        position: header_key(columns.headers[position]) in INDICATOR_HEADERS for position in columns.untaken()
    }
    candidates = dict.fromkeys(indicator_hints, False)
    for row in rows(file, layout.encoding, layout.delimiter):
        if row.line <= layout.header_line:
            continue
        survey.lines += 1
        if isinstance(row, BadRow):
            continue
        cells = row.cells
        survey.dates.add(row.line, columns.cell(cells, "date"))
        for position in amount_columns:
            cell = cells[position].strip() if position < len(cells) else ""
            if cell:
                _note_amount(survey, row.line, cell, counts_sign=position == columns.index.get("amount"))
        for position in list(candidates):
            cell = cells[position].strip() if position < len(cells) else ""
            if not cell:
                continue
            side = indicator_side(cell, letters=True)
            if side is None:
                del candidates[position]
            elif not candidates[position] and indicator_side(cell, letters=False) is not None:
                candidates[position] = True
        if "currency" in columns and len(survey.currencies) < 10:
            currency = columns.cell(cells, "currency").upper()
            if currency and currency not in survey.currencies:
                survey.currencies.append(currency)
        if survey.account_currency is None and "account_currency" in columns:
            survey.account_currency = columns.cell(cells, "account_currency").upper() or None
        if "account_id" in columns and len(survey.account_ids) < 2:
            account = columns.cell(cells, "account_id")
            if account and account not in survey.account_ids:
                survey.account_ids.append(account)
    survey.indicators = {
        position: worded for position, worded in candidates.items() if worded or indicator_hints[position]
    }
    return survey


def _note_amount(survey: Survey, line: int, cell: str, *, counts_sign: bool) -> None:
    proof = decimal_evidence(cell)
    if proof is not None:
        survey.decimal_proofs.setdefault(proof, (line, cell))
    elif any(mark in cell for mark in DECIMAL_MARKS):
        survey.undecided_decimal = survey.undecided_decimal or (line, cell)
    written = read_amount(cell, proof or ".") or (read_amount(cell, ",") if proof is None else None)
    if written is None:
        return
    if counts_sign:
        if written.value < 0:
            survey.negatives += 1
        elif written.value > 0:
            survey.positives += 1
    if written.currencies is not None:
        known = survey.named_currencies
        survey.named_currencies = written.currencies if known is None else known & written.currencies


# --- decisions ---------------------------------------------------------------------------------------------------


def _decide(
    file: ExportFile,
    layout: Layout,
    survey: Survey,
    choices: CsvChoices,
    profile: dict[str, Any] | None,
    account_id: str | None,
    book: AccountBook,
) -> Plan:
    needs: list[str] = []
    remembered = profile or {}
    date_order = _date_order(choices, remembered, survey, needs)
    decimal = _decimal(choices, remembered, survey, needs, file.name)
    sign, indicator = _sign(file, layout, choices, remembered, survey, needs)
    known = book.known(account_id) if account_id else None
    currency = _currency(file, layout, choices, remembered, survey, known, needs)
    if account_id is None and not survey.account_ids:
        needs.append("--account ID (the bank account these payments left: a new id, or one the bot already knows)")
    if needs:
        raise ExportProblem(f"{file.name} needs a choice only a person can make: {'; '.join(needs)}")
    account: SourceAccountIn | None = None
    if account_id is not None:
        if len(account_id) > ACCOUNT_LIMITS["id"]:
            raise ExportProblem(f"--account must be at most {ACCOUNT_LIMITS['id']} characters")
        name = layout.columns.cell(_first_cells(file, layout), "account_name") or account_id
        account = known or SourceAccountIn(account_id, name[: ACCOUNT_LIMITS["name"]], str(currency))
    payee_from = "payee" if "payee" in layout.columns else "description"
    plan = Plan(layout, date_order, decimal, sign, indicator, currency, account, payee_from)
    plan.labels = {name: _column_label(layout, name) for name in layout.columns.index}
    plan.positions = [(name, layout.columns.index[name]) for name in LINE_FIELDS if name in layout.columns]
    plan.keyed = tuple(layout.columns.index.get(name) for name in ("payee", "reference", "description"))
    return plan


def _date_order(choices: CsvChoices, remembered: dict[str, Any], survey: Survey, needs: list[str]) -> str:
    if choices.date_format:
        order = choices.date_format.strip().upper()
        if order not in ORDERS:
            raise ExportProblem(f'--date-format "{shown(choices.date_format)}" is not one of DMY, MDY or YMD')
        return order
    if remembered.get("date_order") in ORDERS:
        return str(remembered["date_order"])
    decided = survey.dates.decided()
    if decided is not None:
        return decided
    if survey.dates.conflict is not None:
        line, text = survey.dates.conflict
        needs.append(
            f"--date-format {describe_orders(ORDERS)} (dates are written in more than one order: line {line} has "
            f'"{shown(text)}")'
        )
    else:
        line, text = survey.dates.example() or (0, "")
        needs.append(
            f"--date-format {describe_orders(survey.dates.orders)} (every date reads both ways, such as "
            f'"{shown(text)}" on line {line})'
        )
    return "DMY"


def _decimal(choices: CsvChoices, remembered: dict[str, Any], survey: Survey, needs: list[str], file_name: str) -> str:
    if choices.decimal:
        mark = choices.decimal.strip()
        if mark not in DECIMAL_MARKS:
            raise ExportProblem(f'--decimal "{shown(mark)}" must be "." or ","')
        return mark
    if remembered.get("decimal") in DECIMAL_MARKS:
        return str(remembered["decimal"])
    proofs = survey.decimal_proofs
    if len(proofs) == 1:
        return next(iter(proofs))
    if len(proofs) == 2:
        (point_line, point), (comma_line, comma) = proofs["."], proofs[","]
        needs.append(
            f'--decimal . or , ({file_name} writes "{shown(point)}" on line {point_line} and "{shown(comma)}" on line '
            f"{comma_line})"
        )
    elif survey.undecided_decimal is not None:
        line, text = survey.undecided_decimal
        needs.append(f'--decimal . or , (no amount shows which: "{shown(text)}" on line {line} reads both ways)')
    return "."


def _sign(
    file: ExportFile,
    layout: Layout,
    choices: CsvChoices,
    remembered: dict[str, Any],
    survey: Survey,
    needs: list[str],
) -> tuple[str, int | None]:
    columns = layout.columns
    if "amount" not in columns:
        return "columns", None
    if choices.sign:
        wanted = choices.sign.strip().lower()
        if wanted in SIGNS:
            return wanted, None
        return "indicator", column_position(layout, choices.sign, file.name, "--sign")
    if remembered.get("sign") in SIGNS:
        return str(remembered["sign"]), None
    if remembered.get("sign") == "indicator" and isinstance(remembered.get("indicator"), int):
        return "indicator", int(remembered["indicator"])
    if survey.indicators:
        return "indicator", min(survey.indicators)
    if survey.negatives and survey.negatives >= survey.positives:
        return "negative-is-out", None
    if survey.positives:
        described = (
            "every amount is positive"
            if not survey.negatives
            else f"{survey.positives} amounts are positive and {survey.negatives} negative"
        )
        needs.append(
            f"--sign positive-is-out or negative-is-out ({described}, so money out cannot be told from money in: "
            "positive-is-out for a card statement where purchases are positive; or --sign with the column that says "
            "debit or credit)"
        )
    return "negative-is-out", None


def _currency(
    file: ExportFile,
    layout: Layout,
    choices: CsvChoices,
    remembered: dict[str, Any],
    survey: Survey,
    known: SourceAccountIn | None,
    needs: list[str],
) -> str | None:
    if choices.currency:
        currency = choices.currency.strip().upper()
        if currency not in CURRENCIES:
            raise ExportProblem(f'--currency "{shown(choices.currency)}" is not an ISO 4217 currency code such as EUR')
        if known is not None and known.currency != currency:
            raise ExportProblem(
                f"account {shown(known.id)} is in {known.currency}, not {currency}: pass the --account of the "
                f"{currency} account, or leave out --currency"
            )
        return currency
    if known is not None:
        return known.currency
    for candidate in (
        remembered.get("currency"),
        survey.account_currency,
        survey.currencies[0] if survey.currencies else None,
        layout.columns.header_currency,
        next(iter(survey.named_currencies)) if survey.named_currencies and len(survey.named_currencies) == 1 else None,
    ):
        if isinstance(candidate, str) and candidate in CURRENCIES:
            return candidate
    if "account_currency" in layout.columns:
        return None
    needs.append(f"--currency CODE (nothing in {file.name} says which currency its amounts are in)")
    return None


def _first_cells(file: ExportFile, layout: Layout) -> list[str]:
    for row in rows(file, layout.encoding, layout.delimiter):
        if isinstance(row, Row) and row.line > layout.header_line:
            return row.cells
    return []


# --- the lines ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """A line's signed amount (negative = money out), or why it has none."""

    signed: Decimal | None
    written: Written
    problem: str | None = None
    currencies: frozenset[str] | None = None


def _lines(file: ExportFile, plan: Plan) -> Iterator[Line]:
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
        money = _read_money(cells, plan)
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
            judged = judge(_raw_line(row, plan, money, derived, when))
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
    """The payment of an ordinary line, built straight from its cells: exactly the one `judge(_raw_line(...))` would
    accept, for lines with nothing to report. None for anything else (the full path then says what is wrong).

    The import's hot path: a line with one account, an amount out in the account's currency, a date, a payee, and
    text fields that are short and clean."""
    signed = money.signed
    if signed is None or money.problem is not None or when is None or not signed < 0:
        return None
    account = plan.account
    assert account is not None
    width = len(cells)
    cell = {name: cells[position].strip() if position < width else "" for name, position in plan.positions}
    currency = cell.get("currency", "").upper() or account.currency
    if currency != account.currency or (money.currencies is not None and currency not in money.currencies):
        return None
    paid_to = cell.get("payee", "")
    payee = paid_to or cell.get("description", "")
    description = cell.get("description") if paid_to else None
    category = cell.get("category") or None
    reference = cell.get("reference") or None
    email = cell.get("spender_email") or None
    payment_id = _id(cell.get("id", "")) or derived_id
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
    amount = -signed
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent > 0:
        return None
    quantum = QUANTUM.get(currency)
    if quantum is None:
        quantum = QUANTUM[currency] = Decimal(1).scaleb(-minor_units(currency))
    try:
        exact = amount.quantize(quantum)
    except InvalidOperation:
        return None
    if exact != amount:  # more decimals than the currency has: the full path says so
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


def _read_money(cells: list[str], plan: Plan) -> Money:
    columns = plan.layout.columns
    if "amount" in columns:
        text = columns.cell(cells, "amount")
        label = plan.label("amount")
        written = read_amount(text, plan.decimal) if text else None
        if written is None:
            return Money(None, Written(label, text), NOT_AN_AMOUNT if text else "is required")
        value = written.value
        if plan.sign == "positive-is-out":
            value = -value
        elif plan.sign == "indicator" and plan.indicator is not None:
            mark = cells[plan.indicator].strip() if plan.indicator < len(cells) else ""
            side = indicator_side(mark, letters=True)
            if side is None:
                where = columns.name_of(plan.indicator)
                problem = f'is neither money out nor in: {where} says "{shown(mark)}", not debit or credit'
                return Money(None, Written(label, text), problem)
            value = -abs(value) if side == "out" else abs(value)
        return Money(value, Written(label, text), currencies=written.currencies)
    debit_text, credit_text = columns.cell(cells, "debit"), columns.cell(cells, "credit")
    debit_label, credit_label = plan.label("debit"), plan.label("credit")
    debit = read_amount(debit_text, plan.decimal) if debit_text else None
    credit = read_amount(credit_text, plan.decimal) if credit_text else None
    if debit_text and debit is None:
        return Money(None, Written(debit_label, debit_text), NOT_AN_AMOUNT)
    if credit_text and credit is None:
        return Money(None, Written(credit_label, credit_text), NOT_AN_AMOUNT)
    if debit is None and credit is None:
        both = "debit" in columns and "credit" in columns
        return Money(None, Written(debit_label), f"and {credit_label} are both empty" if both else "is required")
    if debit is not None and credit is not None and debit.value and credit.value:
        return Money(
            None,
            Written(debit_label, debit_text),
            f'and {credit_label} "{shown(credit_text)}" are both filled in: a line is either money out or money in',
        )
    if debit is not None and debit.value:
        return Money(-abs(debit.value), Written(debit_label, debit_text), currencies=debit.currencies)
    if credit is not None and credit.value:
        return Money(abs(credit.value), Written(credit_label, credit_text), currencies=credit.currencies)
    written_cell = debit_text or credit_text
    return Money(Decimal(0), Written(debit_label if debit_text else credit_label, written_cell))


def _column_label(layout: Layout, field_name: str) -> str:
    """A field as the file names it: "amount", or the bank's own header ("Bedrag (EUR)"), or "column 11"."""
    columns = layout.columns
    if field_name not in columns:
        return field_name
    position = columns.index[field_name]
    header = columns.headers[position].strip() if position < len(columns.headers) else ""
    if not header:
        return f"column {position + 1}"
    return field_name if header_key(header) == header_key(field_name) else shown(header, 30)


def _raw_line(row: Row, plan: Plan, money: Money, derived_id: str, when: date | None) -> RawLine:
    columns = plan.layout.columns
    cells = row.cells
    width = len(cells)
    cell = dict(NO_CELLS)
    cell.update((name, cells[position].strip()) for name, position in plan.positions if position < width)
    account, currency, written_account, silenced = _line_account(cells, plan)
    payee = cell["payee"] or cell["description"]
    fields: dict[str, Any] = {
        "id": _id(cell["id"]) or derived_id,
        "account": account,
        "currency": currency,
        "payee": payee or None,
        **{name: cell[name] or None for name in TEXT_FIELDS if name != "payee"},
    }
    if not cell["payee"]:
        fields["description"] = None

    def explain() -> dict[str, Written]:
        written = {name: Written(plan.label(name), cell[name]) for name in LINE_FIELDS}
        written.update(written_account)
        written["amount"] = money.written
        return written

    problems: dict[str, str] = {}
    if not payee and "payee" in columns and "description" in columns:
        problems["payee"] = f"and {plan.label('description')} are both empty: nothing says who was paid"
    if money.problem is not None or money.signed is None:
        problems["amount"] = money.problem or NOT_AN_AMOUNT
    else:
        fields["amount"] = as_decimal_text(without_extra_zeros(money.signed, currency))
        if money.currencies is not None and currency in CURRENCIES and currency not in money.currencies:
            names = "/".join(sorted(money.currencies)) if len(money.currencies) <= 3 else "another currency"
            problems["amount"] = f"is in {names}, not {currency}"
    fields["date"] = when.isoformat() if when else None
    if cell["date"] and when is None:
        problems["date"] = f"is not a date in {plan.date_order} order"
    if (
        currency
        and account.get("currency") in CURRENCIES
        and currency != account["currency"]
        and currency in CURRENCIES
    ):
        problems["currency"] = (
            f"is not the account's currency ({account['currency']}): import this currency's lines with an "
            f"--account in {currency}"
        )
    return RawLine(row.line, fields, {}, problems, silenced=silenced, explain=explain)


def _id(cell: str) -> str:
    """An id cell as the payment id; one longer than an id may be is replaced by its digest, the same every time."""
    if len(cell) <= LIMITS["id"]:
        return cell
    return "csv-id-" + hashlib.sha256(cell.encode()).hexdigest()[:40]


def _line_account(
    cells: list[str], plan: Plan
) -> tuple[dict[str, str | None], str | None, dict[str, Written], frozenset[str]]:
    columns = plan.layout.columns
    currency_cell = columns.cell(cells, "currency").upper()
    if plan.account is not None:
        fixed = plan.account
        return (
            {"id": fixed.id, "name": fixed.name, "currency": fixed.currency},
            currency_cell or fixed.currency,
            {},
            frozenset(),
        )
    account_currency_cell = columns.cell(cells, "account_currency").upper()
    account_id = columns.cell(cells, "account_id")
    name = columns.cell(cells, "account_name") or account_id
    account_currency = account_currency_cell or currency_cell or plan.currency
    written = {
        "account.id": Written("account_id", account_id),
        "account.name": Written("account_name", name),
        "account.currency": Written("account_currency", account_currency),
    }
    silenced = frozenset() if account_currency_cell else frozenset({"account.currency"})
    return (
        {"id": account_id, "name": name, "currency": account_currency},
        currency_cell or account_currency or None,
        written,
        silenced,
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


# --- how it was read ---------------------------------------------------------------------------------------------


def _how_read(plan: Plan, from_profile: bool) -> list[str]:
    layout = plan.layout
    columns = layout.columns
    out = [
        f"read as {layout.encoding.label}, {DELIMITER_NAMES.get(layout.delimiter, 'delimiter')}-separated, "
        + (f"header on line {layout.header_line}" if layout.header_line else "no header")
        + (" (choices kept from this account's earlier import)" if from_profile else "")
    ]
    out.append(f"date: {columns.name_of(columns.index['date'])}, {plan.date_order} order")
    if plan.sign == "columns":
        parts = [f"{name} {columns.name_of(columns.index[name])}" for name in ("debit", "credit") if name in columns]
        out.append("amount: " + " and ".join(parts))
    else:
        meaning = {
            "negative-is-out": "negative is money out",
            "positive-is-out": "positive is money out (a card statement)",
            "indicator": f"{columns.name_of(plan.indicator or 0)} says debit or credit",
        }[plan.sign]
        out.append(f'amount: {columns.name_of(columns.index["amount"])}, {meaning}, decimal mark "{plan.decimal}"')
    payee = columns.name_of(columns.index[plan.payee_from])
    fallback = (
        f", else {columns.name_of(columns.index['description'])}"
        if plan.payee_from == "payee" and "description" in columns
        else ""
    )
    out.append(f"payee: {payee}{fallback}")
    if plan.account is not None:
        out.append(f"account: {shown(plan.account.id)} in {plan.account.currency}")
    else:
        out.append("account: each line's account columns")
    return out


def _mapping(plan: Plan) -> dict[str, Any]:
    """The import profile: what a person or the file decided, to read this account's next export the same way."""
    return {
        "version": PROFILE_VERSION,
        "encoding": plan.layout.encoding.codec,
        "delimiter": plan.layout.delimiter,
        "header_line": plan.layout.header_line,
        "columns": dict(plan.layout.columns.index),
        "headers": [header[:60] for header in plan.layout.columns.headers[:60]],
        "date_order": plan.date_order,
        "decimal": plan.decimal,
        "sign": plan.sign,
        "indicator": plan.indicator,
        "currency": plan.currency,
    }
