"""
OFX and QFX statements (bank and credit card): one outbound payment per transaction with a negative TRNAMT.

The statement's ACCTID is the source account and CURDEF its currency; FITID is the payment id, so importing the same
statement again is idempotent. A FITID that a statement repeats for a different transaction (another amount, date or
memo) gets a suffix from that content, so both are kept. DTPOSTED's date is taken as written, never shifted by its
time zone. The payee is NAME, else MEMO, else the cheque number ("Cheque 1000").
"""

from __future__ import annotations

from bot.imports.sources.book import AccountBook
from bot.imports.sources.files import ExportFile
from bot.imports.sources.ofx_lines import ofx_lines
from bot.imports.sources.ofx_reader import STATEMENTS, Overview, Statement, ofx_text, overview
from bot.imports.sources.parsed import ExportProblem, ExportReader
from bot.imports.sources.text import shown
from bot.payments.input import LIMITS, SourceAccountIn
from bot.payments.money import CURRENCIES


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
        lines=lambda: ofx_lines(file, accounts),
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
