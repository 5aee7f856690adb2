"""Which account a CSV line's payment left: `--account`, `--account ID` plus a currency column, or account columns."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.payment_input import ACCOUNT_LIMITS, CURRENCIES, SourceAccountIn
from bot.sources.csv_columns import Columns
from bot.sources.csv_text import Row
from bot.sources.lines import Written
from bot.sources.parsed import ExportProblem


@dataclass(frozen=True)
class LineAccount:
    account: dict[str, str | None]
    currency: str | None
    written: dict[str, Written] = field(default_factory=dict)
    silenced: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CsvAccounts:
    columns: Columns
    account: SourceAccountIn | None = None
    account_id: str | None = None

    @classmethod
    def decide(
        cls, columns: Columns, *, account: SourceAccountIn | None, account_id: str | None, file_name: str
    ) -> CsvAccounts:
        """Refuses a file whose account or currency cannot be known, before any line is read."""
        if account is not None:
            return cls(columns, account=account)
        has_currency = "currency" in columns or "account_currency" in columns
        if account_id:
            if not has_currency:
                raise ExportProblem(
                    f"{file_name} has no currency column, so account {account_id}'s currency is unknown: "
                    "add a currency column, or pass --account with an account the bot already knows"
                )
            return cls(columns, account_id=account_id)
        if "account_id" not in columns or not has_currency:
            raise ExportProblem(
                f"{file_name} does not say which account the payments left: pass --account ID "
                "(or add account_id and account_currency columns)"
            )
        return cls(columns)

    def for_line(self, cells: list[str]) -> LineAccount:
        currency_cell = self.columns.cell(cells, "currency").upper()
        if self.account is not None:
            fixed = self.account
            return LineAccount(
                account={"id": fixed.id, "name": fixed.name, "currency": fixed.currency},
                currency=currency_cell or fixed.currency,
            )
        account_currency_cell = self.columns.cell(cells, "account_currency").upper()
        account_id = self.account_id or self.columns.cell(cells, "account_id")
        name = self.columns.cell(cells, "account_name") or account_id
        account_currency = account_currency_cell or currency_cell
        return LineAccount(
            account={"id": account_id, "name": name, "currency": account_currency},
            currency=currency_cell or account_currency_cell or None,
            written={
                "account.id": Written("account_id", account_id),
                "account.name": Written("account_name", name),
                "account.currency": Written("account_currency", account_currency),
            },
            silenced=frozenset() if account_currency_cell else frozenset({"account.currency"}),
        )

    def file_account(self, rows: list[Row], file_name: str) -> SourceAccountIn:
        """The account named on the command line, or the first complete one in the file."""
        if self.account is not None:
            return self.account
        for row in rows:
            candidate = self.for_line(row.cells).account
            found_id, name, currency = candidate["id"], candidate["name"], candidate["currency"]
            if (
                found_id
                and name
                and currency in CURRENCIES
                and len(found_id) <= ACCOUNT_LIMITS["id"]
                and len(name) <= ACCOUNT_LIMITS["name"]
            ):
                return SourceAccountIn(id=found_id, name=name, currency=str(currency))
        if self.account_id:
            raise ExportProblem(
                f"no line of {file_name} gives a currency for account {self.account_id}: "
                "fill in the currency column, or pass --account with an account the bot already knows"
            )
        raise ExportProblem(
            f"no line of {file_name} names an account with a currency: pass --account ID "
            "(or fill in the account_id and account_currency columns)"
        )
