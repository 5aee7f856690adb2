"""
A CSV line in the webhook's shape, for the webhook's own rules to judge: the path of any line the hot path does
not take, whose refusal then names the file's own columns and what they say.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from bot.imports.sources.amounts import as_decimal_text, read_amount, without_extra_zeros
from bot.imports.sources.csv_layout import Row
from bot.imports.sources.csv_money import NOT_AN_AMOUNT, Money
from bot.imports.sources.csv_plan import Plan
from bot.imports.sources.lines import RawLine, Written
from bot.payments.input import LIMITS
from bot.payments.money import CURRENCIES

TEXT_FIELDS = ("payee", "description", "category", "reference", "spender_email")
LINE_FIELDS = ("id", "date", "currency", *TEXT_FIELDS, "original_amount", "original_currency")
NO_CELLS = dict.fromkeys(LINE_FIELDS, "")


def raw_line(row: Row, plan: Plan, money: Money, derived_id: str, when: date | None) -> RawLine:
    columns = plan.layout.columns
    cells = row.cells
    width = len(cells)
    cell = dict(NO_CELLS)
    cell.update((name, cells[position].strip()) for name, position in plan.positions if position < width)
    account, currency, written_account, silenced = _line_account(cells, plan)
    payee = cell["payee"] or cell["description"]
    fields: dict[str, Any] = {
        "id": payment_id_of(cell["id"]) or derived_id,
        "account": account,
        "currency": currency,
        "payee": payee or None,
        **{name: cell[name] or None for name in TEXT_FIELDS if name != "payee"},
    }
    if not cell["payee"]:
        fields["description"] = None
    original_problem = _original(cell, plan, fields)

    def explain() -> dict[str, Written]:
        written = {name: Written(plan.label(name), cell[name]) for name in LINE_FIELDS}
        written.update(written_account)
        written["amount"] = money.written
        return written

    problems: dict[str, str] = {"original_amount": original_problem} if original_problem else {}
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


def _original(cell: dict[str, str], plan: Plan, fields: dict[str, Any]) -> str | None:
    """A foreign-currency spend's original amount and currency, in the webhook's shape; why the amount cannot be
    read, if it cannot. The amount is taken without its sign: a file signs it as it signs its other amounts."""
    currency = cell["original_currency"].upper() or None
    fields["original_currency"] = currency
    text = cell["original_amount"]
    if not text:
        return None
    read = read_amount(text, plan.decimal)
    if read is None:
        return NOT_AN_AMOUNT
    fields["original_amount"] = as_decimal_text(without_extra_zeros(read.value, currency))
    return None


def payment_id_of(cell: str) -> str:
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
