"""Our typed data to xero-python's models and back; the SDK's quirks (enum values, `_class`, readOnly
defaults, dates) are handled here and nowhere else."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from xero_python.accounting.models import (
    Account,
    BankTransaction,
    BankTransactions,
    Contact,
    Contacts,
    HistoryRecord,
    HistoryRecords,
    LineAmountTypes,
    LineItem,
    LineItemTracking,
)

from bot.xero.types import (
    ContactAnswer,
    FoundSpend,
    GrantedTenant,
    Organisation,
    SpendAnswer,
    SpendInXero,
    SpendLine,
    SpendMoney,
    XeroAccount,
    XeroContact,
    XeroTaxRate,
    XeroTrackingCategory,
    XeroTrackingOption,
)

REFUSED = "Xero refused this transaction"


def bank_transactions(spends: list[SpendMoney]) -> BankTransactions:
    return BankTransactions(bank_transactions=[_bank_transaction(spend) for spend in spends])


def _line_item(line: SpendLine) -> LineItem:
    return LineItem(
        description=line.description,
        quantity=Decimal(1),
        unit_amount=line.amount,
        account_code=line.account_code,
        tax_type=line.tax_type,
        tracking=[
            LineItemTracking(tracking_category_id=t.category_id, tracking_option_id=t.option_id) for t in line.tracking
        ]
        or None,
    )


def _bank_transaction(spend: SpendMoney) -> BankTransaction:
    transaction = BankTransaction(
        type="SPEND",
        contact=Contact(contact_id=spend.contact_id),
        bank_account=Account(account_id=spend.bank_account_id),
        date=spend.date,  # a date, never a datetime: the SDK shifts naive datetimes by the local zone
        reference=spend.reference,
        line_amount_types=LineAmountTypes.INCLUSIVE,
        line_items=[_line_item(line) for line in spend.lines],
        status="AUTHORISED",
    )
    transaction.url = spend.url
    if spend.xero_id:
        transaction.bank_transaction_id = spend.xero_id
    return transaction


def spend_answer(answer: Any) -> SpendAnswer:
    """One element of a `summarize_errors=False` answer: an OK element carries its id, an ERROR one its reasons."""
    errors = [str(e.message) for e in (answer.validation_errors or []) if getattr(e, "message", None)]
    if str(answer.status_attribute_string or "OK").upper() == "ERROR" or errors:
        return SpendAnswer(xero_id=None, errors=tuple(errors or [REFUSED]))
    return SpendAnswer(xero_id=str(answer.bank_transaction_id))


def found_spend(transaction: Any) -> FoundSpend:
    return FoundSpend(
        xero_id=str(transaction.bank_transaction_id),
        url=str(transaction.url or ""),
        status=str(_value(transaction.status) or ""),
    )


def spend_in_xero(transaction: Any) -> SpendInXero:
    total = transaction.total
    return SpendInXero(
        xero_id=str(transaction.bank_transaction_id),
        status=str(_value(transaction.status) or ""),
        reconciled=bool(transaction.is_reconciled),
        updated_utc=_utc(transaction.updated_date_utc),
        date=transaction.date,
        total=None if total is None else Decimal(str(total)),
        lines=tuple(
            (str(line.account_code or ""), str(_value(line.tax_type) or "")) for line in transaction.line_items or []
        ),
        contact_name=str(transaction.contact.name or "") if transaction.contact is not None else "",
    )


def contacts(names: list[str]) -> Contacts:
    return Contacts(contacts=[Contact(name=name) for name in names])


def contact_answer(name: str, answer: Any) -> ContactAnswer:
    errors = tuple(str(getattr(e, "message", "") or "refused") for e in answer.validation_errors or [])
    found = contact(answer) if answer.contact_id and not errors else None
    return ContactAnswer(name=name, contact=found, errors=errors)


def contact(found: Any) -> XeroContact:
    return XeroContact(
        contact_id=str(found.contact_id),
        name=found.name or "",
        status=str(_value(found.contact_status) or "ACTIVE"),
        email=found.email_address,
        updated_utc=_utc(found.updated_date_utc),
    )


def history_records(details: str) -> HistoryRecords:
    return HistoryRecords(history_records=[HistoryRecord(details=details)])


def organisation(found: Any) -> Organisation:
    return Organisation(
        name=found.name,
        base_currency=_value(found.base_currency),
        short_code=found.short_code,
        country_code=_value(found.country_code),
    )


def account(found: Any) -> XeroAccount:
    return XeroAccount(
        account_id=str(found.account_id),
        code=found.code,
        name=found.name or "",
        type=_value(found.type) or "",
        account_class=_value(found._class),  # `class` is a keyword: the SDK names the field `_class`
        status=_value(found.status) or "ACTIVE",
        tax_type=found.tax_type,
        system_account=_value(found.system_account) or None,
        bank_account_type=_value(found.bank_account_type) or None,
        currency_code=_value(found.currency_code),
        updated_utc=_utc(found.updated_date_utc),
    )


def tax_rate(found: Any) -> XeroTaxRate:
    effective = found.effective_rate
    return XeroTaxRate(
        tax_type=found.tax_type,
        name=found.name or found.tax_type,
        status=_value(found.status) or "ACTIVE",
        effective_rate=Decimal(str(effective)) if effective is not None else None,
        can_apply_to_expenses=bool(found.can_apply_to_expenses),
        can_apply_to_assets=bool(found.can_apply_to_assets),
        can_apply_to_liabilities=bool(found.can_apply_to_liabilities),
    )


def tracking_category(found: Any) -> XeroTrackingCategory:
    return XeroTrackingCategory(
        tracking_category_id=str(found.tracking_category_id),
        name=found.name or "",
        status=_value(found.status) or "ACTIVE",
        options=[
            XeroTrackingOption(
                tracking_option_id=str(option.tracking_option_id),
                name=option.name or "",
                status=_value(option.status) or "ACTIVE",
            )
            for option in found.options or []
        ],
    )


def granted_tenant(found: Any) -> GrantedTenant:
    return GrantedTenant(
        connection_id=str(found.id),
        tenant_id=str(found.tenant_id),
        tenant_name=found.tenant_name,
        tenant_type=str(_value(getattr(found, "tenant_type", None)) or "ORGANISATION").upper(),
    )


def _value(item: Any) -> Any:
    return item.value if isinstance(item, enum.Enum) else item


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
