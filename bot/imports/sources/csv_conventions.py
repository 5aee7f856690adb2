"""
A CSV export's conventions decided from flags, the account's import profile, or the file itself (date order,
decimal mark, sign convention, currency, account); where the file cannot tell, the exact flag to pass, never a
guess.
"""

from __future__ import annotations

from typing import Any

from bot.imports.sources.amounts import DECIMAL_MARKS
from bot.imports.sources.book import AccountBook
from bot.imports.sources.csv_columns import header_key
from bot.imports.sources.csv_judged import LINE_FIELDS
from bot.imports.sources.csv_layout import Layout, column_position, first_cells
from bot.imports.sources.csv_plan import SIGNS, CsvChoices, Plan
from bot.imports.sources.csv_survey import Survey
from bot.imports.sources.dates import ORDERS, describe_orders
from bot.imports.sources.files import ExportFile
from bot.imports.sources.parsed import ExportProblem
from bot.imports.sources.text import shown
from bot.payments.input import ACCOUNT_LIMITS, SourceAccountIn
from bot.payments.money import CURRENCIES


def decide(
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
        name = layout.columns.cell(first_cells(file, layout), "account_name") or account_id
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
