"""Validating a BankTransaction element and computing it as Xero would store it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sandbox.xero.line_items import Errors, LineItemBuilder, check_totals, decimal_or_none, line_totals
from sandbox.xero.seed import new_contact
from sandbox.xero.state import Tenant, XeroObject
from sandbox.xero.xero_dates import iso_date_string, ms_date, ms_date_of_day, parse_document_date

ALL_TYPES = (
    "RECEIVE",
    "RECEIVE-OVERPAYMENT",
    "RECEIVE-PREPAYMENT",
    "SPEND",
    "SPEND-OVERPAYMENT",
    "SPEND-PREPAYMENT",
    "RECEIVE-TRANSFER",
    "SPEND-TRANSFER",
)
TRANSFER_TYPES = ("RECEIVE-TRANSFER", "SPEND-TRANSFER")
STATUSES = ("AUTHORISED", "DELETED", "VOIDED")
LINE_AMOUNT_TYPES = {"exclusive": "Exclusive", "inclusive": "Inclusive", "notax": "NoTax"}

RECONCILED_MESSAGE = "This Bank Transaction cannot be edited as it has been reconciled with a Bank Statement."


@dataclass
class Draft:
    """A valid transaction and the contact it creates, not yet stored."""

    transaction: XeroObject
    new_contact: XeroObject | None = None


def lock_message(lock_date: date) -> str:
    return (
        f"The document date cannot be before the end of year lock date, {lock_date:%d %b %Y}. "
        "Please contact your advisor for further information."
    )


class BankTransactionBuilder:
    def __init__(self, tenant: Tenant, now: datetime) -> None:
        self.tenant = tenant
        self.now = now
        self._line_items = LineItemBuilder(tenant)

    def build(self, element: XeroObject, existing: XeroObject | None) -> tuple[Draft | None, list[str]]:
        errors = Errors()
        given = element  # totals are checked as sent, never the stored ones an update's lines replace
        if existing is not None:
            self._check_editable(existing, errors)
            element = {**existing, **element}
        tx_type = self._type(element, errors)
        contact, created_contact = self._contact(element.get("Contact"), errors)
        bank_account = self._bank_account(element.get("BankAccount"), errors)
        document_date = self._date(element.get("Date"), errors)
        amount_types = self._line_amount_types(element.get("LineAmountTypes"), errors)
        status = self._status(element.get("Status"), existing, errors)
        lines = self._line_items.lines(element.get("LineItems"), amount_types, errors)
        if lines is not None:
            check_totals(given, lines, amount_types, errors)
        self._check_url(element.get("Url"), errors)
        if bank_account is not None:
            self._check_currency(element.get("CurrencyCode"), bank_account, errors)
        if errors.messages or None in (tx_type, contact, bank_account, document_date, lines):
            return None, errors.messages
        assert contact is not None and bank_account is not None and document_date is not None
        assert lines is not None and tx_type is not None
        transaction = self._assemble(
            element, existing, tx_type, contact, bank_account, document_date, amount_types, status, lines
        )
        return Draft(transaction, created_contact), []

    def _check_editable(self, existing: XeroObject, errors: Errors) -> None:
        if existing.get("IsReconciled"):
            errors.add(RECONCILED_MESSAGE)
        if existing.get("Status") in ("DELETED", "VOIDED"):
            errors.add(f"This Bank Transaction cannot be edited as it has been {existing['Status'].lower()}.")
        existing_date = parse_document_date(existing.get("Date"))
        if self.tenant.lock_date and existing_date and existing_date <= self.tenant.lock_date:
            errors.add(lock_message(self.tenant.lock_date))

    def _type(self, element: XeroObject, errors: Errors) -> str | None:
        tx_type = element.get("Type")
        if not tx_type:
            errors.add("A Type must be specified for a bank transaction.")
            return None
        if tx_type not in ALL_TYPES:
            errors.add(f"'{tx_type}' is not a valid bank transaction Type.")
            return None
        if tx_type in TRANSFER_TYPES:
            errors.add("Bank transfers cannot be created or edited through BankTransactions. Use BankTransfers.")
            return None
        return str(tx_type)

    def _contact(self, given: Any, errors: Errors) -> tuple[XeroObject | None, XeroObject | None]:
        if not isinstance(given, dict) or not (given.get("ContactID") or str(given.get("Name") or "").strip()):
            errors.add("A Contact must be specified for this type of transaction.")
            return None, None
        if given.get("ContactID"):
            found = self.tenant.contact_by_id(str(given["ContactID"]))
            if found is None:
                errors.add(f"The contact with ContactID '{given['ContactID']}' could not be found.")
            return found, None
        name = str(given["Name"]).strip()
        found = self.tenant.active_contact_named(name)
        if found is not None:
            return found, None
        created = new_contact(str(uuid.uuid4()), name, self.now)
        return created, created

    def _bank_account(self, given: Any, errors: Errors) -> XeroObject | None:
        if not isinstance(given, dict) or not (given.get("AccountID") or given.get("Code")):
            errors.add("A BankAccount must be specified, by AccountID or Code.")
            return None
        if given.get("AccountID"):
            account = self.tenant.account_by_id(str(given["AccountID"]))
            label = str(given["AccountID"])
        else:
            account = self.tenant.account_by_code(str(given["Code"]))
            label = str(given["Code"])
        if account is None:
            errors.add(f"The BankAccount '{label}' could not be found.")
            return None
        if account["Type"] != "BANK":
            errors.add(
                f"Account code '{account['Code']}' is not a bank account. "
                "The BankAccount must be an account of Type BANK."
            )
            return None
        if account["Status"] != "ACTIVE":
            errors.add(f"The bank account '{account['Code']}' has been archived, or deleted.")
            return None
        return account

    def _date(self, given: Any, errors: Errors) -> date | None:
        if given in (None, ""):
            errors.add("A Date must be specified for a bank transaction.")
            return None
        parsed = parse_document_date(given)
        if parsed is None:
            errors.add(f"The Date '{given}' is not a valid date.")
            return None
        if self.tenant.lock_date and parsed <= self.tenant.lock_date:
            errors.add(lock_message(self.tenant.lock_date))
        return parsed

    def _line_amount_types(self, given: Any, errors: Errors) -> str:
        if given in (None, ""):
            return "Exclusive"
        normalised = LINE_AMOUNT_TYPES.get(str(given).lower())
        if normalised is None:
            errors.add(f"'{given}' is not a valid LineAmountTypes value. Use Exclusive, Inclusive or NoTax.")
            return "Exclusive"
        return normalised

    def _status(self, given: Any, existing: XeroObject | None, errors: Errors) -> str:
        if given in (None, ""):
            return "AUTHORISED"
        if given not in STATUSES:
            errors.add(f"'{given}' is not a valid Status for a bank transaction.")
            return "AUTHORISED"
        if existing is None and given != "AUTHORISED":
            errors.add("A bank transaction can only be created with a Status of AUTHORISED.")
        return str(given)

    def _check_url(self, given: Any, errors: Errors) -> None:
        if given in (None, ""):
            return
        parts = urlsplit(str(given))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.add(f"The Url '{given}' is not a valid URL.")

    def _check_currency(self, given: Any, bank_account: XeroObject, errors: Errors) -> None:
        if given and given != bank_account["CurrencyCode"]:
            errors.add(
                f"The CurrencyCode '{given}' does not match the currency of bank account "
                f"'{bank_account['Code']}' ({bank_account['CurrencyCode']})."
            )

    def _assemble(
        self,
        element: XeroObject,
        existing: XeroObject | None,
        tx_type: str,
        contact: XeroObject,
        bank_account: XeroObject,
        document_date: date,
        amount_types: str,
        status: str,
        lines: list[XeroObject],
    ) -> XeroObject:
        sub_total, total_tax, _ = line_totals(lines, amount_types)
        transaction: XeroObject = {
            "BankTransactionID": existing["BankTransactionID"] if existing else str(uuid.uuid4()),
            "Type": tx_type,
            "Contact": _contact_summary(contact),
            "BankAccount": {
                "AccountID": bank_account["AccountID"],
                "Code": bank_account["Code"],
                "Name": bank_account["Name"],
            },
            "IsReconciled": bool(element.get("IsReconciled", False)),
            "Date": ms_date_of_day(document_date),
            "DateString": iso_date_string(document_date),
            "Status": status,
            "LineAmountTypes": amount_types,
            "LineItems": lines,
            "SubTotal": sub_total,
            "TotalTax": total_tax,
            "Total": sub_total + total_tax,
            "CurrencyCode": bank_account["CurrencyCode"],
            "CurrencyRate": decimal_or_none(element.get("CurrencyRate")) or Decimal(1),
            "UpdatedDateUTC": ms_date(self.now),
            "HasAttachments": bool(existing and existing.get("HasAttachments")),
        }
        for optional in ("Reference", "Url"):
            if element.get(optional):
                transaction[optional] = str(element[optional])
        return transaction


def _contact_summary(contact: XeroObject) -> XeroObject:
    return {
        "ContactID": contact["ContactID"],
        "Name": contact["Name"],
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "HasValidationErrors": False,
    }
