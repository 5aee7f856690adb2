"""Validating a BankTransaction element and computing it as Xero would store it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

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
MAX_TRACKING_PER_LINE = 2
CENT = Decimal("0.01")

_TAX_APPLIES_BY_CLASS = {
    "EXPENSE": "CanApplyToExpenses",
    "REVENUE": "CanApplyToRevenue",
    "ASSET": "CanApplyToAssets",
    "LIABILITY": "CanApplyToLiabilities",
    "EQUITY": "CanApplyToEquity",
}
_LINE_SYSTEM_ACCOUNTS = {"DEBTORS", "CREDITORS", "GST", "RETAINEDEARNINGS", "UNPAIDEXPCLM", "WAGEPAYABLES"}

RECONCILED_MESSAGE = "This Bank Transaction cannot be edited as it has been reconciled with a Bank Statement."


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass
class Draft:
    """A valid transaction and the contact it creates, not yet stored."""

    transaction: XeroObject
    new_contact: XeroObject | None = None


@dataclass
class _Errors:
    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)


def lock_message(lock_date: date) -> str:
    return (
        f"The document date cannot be before the end of year lock date, {lock_date:%d %b %Y}. "
        "Please contact your advisor for further information."
    )


class BankTransactionBuilder:
    def __init__(self, tenant: Tenant, now: datetime) -> None:
        self.tenant = tenant
        self.now = now

    def build(self, element: XeroObject, existing: XeroObject | None) -> tuple[Draft | None, list[str]]:
        errors = _Errors()
        if existing is not None:
            self._check_editable(existing, errors)
            element = {**existing, **element}
        tx_type = self._type(element, errors)
        contact, created_contact = self._contact(element.get("Contact"), errors)
        bank_account = self._bank_account(element.get("BankAccount"), errors)
        document_date = self._date(element.get("Date"), errors)
        amount_types = self._line_amount_types(element.get("LineAmountTypes"), errors)
        status = self._status(element.get("Status"), existing, errors)
        lines = self._lines(element.get("LineItems"), amount_types, errors)
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

    def _check_editable(self, existing: XeroObject, errors: _Errors) -> None:
        if existing.get("IsReconciled"):
            errors.add(RECONCILED_MESSAGE)
        if existing.get("Status") in ("DELETED", "VOIDED"):
            errors.add(f"This Bank Transaction cannot be edited as it has been {existing['Status'].lower()}.")
        existing_date = parse_document_date(existing.get("Date"))
        if self.tenant.lock_date and existing_date and existing_date <= self.tenant.lock_date:
            errors.add(lock_message(self.tenant.lock_date))

    def _type(self, element: XeroObject, errors: _Errors) -> str | None:
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

    def _contact(self, given: Any, errors: _Errors) -> tuple[XeroObject | None, XeroObject | None]:
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

    def _bank_account(self, given: Any, errors: _Errors) -> XeroObject | None:
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

    def _date(self, given: Any, errors: _Errors) -> date | None:
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

    def _line_amount_types(self, given: Any, errors: _Errors) -> str:
        if given in (None, ""):
            return "Exclusive"
        normalised = LINE_AMOUNT_TYPES.get(str(given).lower())
        if normalised is None:
            errors.add(f"'{given}' is not a valid LineAmountTypes value. Use Exclusive, Inclusive or NoTax.")
            return "Exclusive"
        return normalised

    def _status(self, given: Any, existing: XeroObject | None, errors: _Errors) -> str:
        if given in (None, ""):
            return "AUTHORISED"
        if given not in STATUSES:
            errors.add(f"'{given}' is not a valid Status for a bank transaction.")
            return "AUTHORISED"
        if existing is None and given != "AUTHORISED":
            errors.add("A bank transaction can only be created with a Status of AUTHORISED.")
        return str(given)

    def _check_url(self, given: Any, errors: _Errors) -> None:
        if given in (None, ""):
            return
        parts = urlsplit(str(given))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.add(f"The Url '{given}' is not a valid URL.")

    def _check_currency(self, given: Any, bank_account: XeroObject, errors: _Errors) -> None:
        if given and given != bank_account["CurrencyCode"]:
            errors.add(
                f"The CurrencyCode '{given}' does not match the currency of bank account "
                f"'{bank_account['Code']}' ({bank_account['CurrencyCode']})."
            )

    def _lines(self, given: Any, amount_types: str, errors: _Errors) -> list[XeroObject] | None:
        if not isinstance(given, list) or not given:
            errors.add("At least one line item must be specified.")
            return None
        lines = [self._line(line, amount_types, errors) for line in given]
        return None if any(line is None for line in lines) else [line for line in lines if line]

    def _line(self, line: Any, amount_types: str, errors: _Errors) -> XeroObject | None:
        if not isinstance(line, dict):
            errors.add("Each line item must be an object.")
            return None
        amounts = self._line_amounts(line, errors)
        account = self._line_account(line, errors)
        tax_rate = self._line_tax_rate(line, account, amount_types, errors)
        tracking = self._line_tracking(line.get("Tracking"), errors)
        if amounts is None or account is None or tax_rate is None or tracking is None:
            return None
        quantity, unit_amount, line_amount = amounts
        tax_amount = _line_tax(line_amount, Decimal(str(tax_rate["EffectiveRate"])), amount_types)
        built: XeroObject = {
            "LineItemID": str(line.get("LineItemID") or uuid.uuid4()),
            "Quantity": quantity,
            "UnitAmount": unit_amount,
            "AccountCode": account["Code"],
            "AccountID": account["AccountID"],
            "TaxType": tax_rate["TaxType"],
            "TaxAmount": tax_amount,
            "LineAmount": line_amount,
            "Tracking": tracking,
        }
        if line.get("Description"):
            built["Description"] = str(line["Description"])
        return built

    def _line_amounts(self, line: XeroObject, errors: _Errors) -> tuple[Decimal, Decimal, Decimal] | None:
        raw = {name: line.get(name) for name in ("Quantity", "UnitAmount", "LineAmount")}
        parsed = {name: _decimal(value) for name, value in raw.items()}
        for name, value in raw.items():
            if value is not None and parsed[name] is None:
                errors.add(f"The {name} '{value}' is not a valid number.")
                return None
        quantity = parsed["Quantity"] if parsed["Quantity"] is not None else Decimal(1)
        unit_amount, line_amount = parsed["UnitAmount"], parsed["LineAmount"]
        if not str(line.get("Description") or "").strip() and unit_amount is None and line_amount is None:
            errors.add("Each line item must have a Description or an amount.")
            return None
        if unit_amount is None:
            unit_amount = line_amount / quantity if line_amount is not None and quantity else Decimal(0)
        expected = money(quantity * unit_amount)
        if line_amount is not None and abs(money(line_amount) - expected) > CENT:
            errors.add(f"The LineAmount {money(line_amount)} does not match Quantity x UnitAmount ({expected}).")
            return None
        return quantity, unit_amount, expected

    def _line_account(self, line: XeroObject, errors: _Errors) -> XeroObject | None:
        code, account_id = line.get("AccountCode"), line.get("AccountID")
        if not code and not account_id:
            errors.add("An AccountCode must be specified for each line item.")
            return None
        account = self.tenant.account_by_id(str(account_id)) if account_id else None
        if account is None and code:
            account = self.tenant.account_by_code(str(code))
        label = code or account_id
        if account is None:
            errors.add(f"Account code '{label}' is not a valid code for this document.")
            return None
        if account["Status"] != "ACTIVE":
            errors.add(
                f"The account code '{account['Code']}' has been archived, or deleted. "
                "Each line item must reference a valid account."
            )
            return None
        if account["Type"] == "BANK":
            errors.add(
                f"Account code '{account['Code']}' is a bank account and cannot be used on a line item. "
                "Each line item must reference a valid account."
            )
            return None
        if account.get("SystemAccount") in _LINE_SYSTEM_ACCOUNTS:
            errors.add(f"Account code '{account['Code']}' is a system account and cannot be used on this document.")
            return None
        return account

    def _line_tax_rate(
        self, line: XeroObject, account: XeroObject | None, amount_types: str, errors: _Errors
    ) -> XeroObject | None:
        if amount_types == "NoTax":
            return self.tenant.tax_rate("NONE") or _ZERO_RATE
        tax_type = line.get("TaxType") or (account or {}).get("TaxType") or "NONE"
        tax_rate = self.tenant.tax_rate(str(tax_type))
        if tax_rate is None:
            errors.add(f"The TaxType code '{tax_type}' does not exist or cannot be used for this document.")
            return None
        if tax_rate["Status"] != "ACTIVE":
            errors.add(f"The TaxType code '{tax_type}' has been archived, or deleted, and cannot be used.")
            return None
        if account is None:
            return tax_rate
        applies_field = _TAX_APPLIES_BY_CLASS.get(str(account["Class"]), "CanApplyToExpenses")
        if not tax_rate.get(applies_field):
            errors.add(f"The TaxType code '{tax_type}' cannot be used with account code '{account['Code']}'.")
            return None
        return tax_rate

    def _line_tracking(self, given: Any, errors: _Errors) -> list[XeroObject] | None:
        if given in (None, []):
            return []
        if not isinstance(given, list):
            errors.add("Tracking must be a list of tracking categories.")
            return None
        if len(given) > MAX_TRACKING_PER_LINE:
            errors.add(f"A line item can have at most {MAX_TRACKING_PER_LINE} tracking categories.")
            return None
        resolved = [self._tracking_item(item, errors) for item in given]
        if any(item is None for item in resolved):
            return None
        items = [item for item in resolved if item]
        category_ids = [item["TrackingCategoryID"] for item in items]
        if len(set(category_ids)) != len(category_ids):
            errors.add("Each tracking category can only be used once per line item.")
            return None
        return items

    def _tracking_item(self, item: Any, errors: _Errors) -> XeroObject | None:
        if not isinstance(item, dict):
            errors.add("Each tracking item must be an object.")
            return None
        category = self.tenant.tracking_category(category_id=item.get("TrackingCategoryID"), name=item.get("Name"))
        if category is None:
            label = item.get("TrackingCategoryID") or item.get("Name")
            errors.add(f"The TrackingCategory '{label}' does not exist.")
            return None
        if category["Status"] != "ACTIVE":
            errors.add(
                f"The TrackingCategory '{category['Name']}' has been archived, or deleted. "
                "Each tracking item must reference an active tracking category."
            )
            return None
        option = _tracking_option(category, item.get("TrackingOptionID"), item.get("Option"))
        if option is None:
            label = item.get("TrackingOptionID") or item.get("Option")
            errors.add(f"The TrackingOption '{label}' does not exist in TrackingCategory '{category['Name']}'.")
            return None
        if option["Status"] != "ACTIVE":
            errors.add(
                f"The TrackingOption '{option['Name']}' has been archived, or deleted. "
                "Each tracking item must reference an active tracking option."
            )
            return None
        return {
            "TrackingCategoryID": category["TrackingCategoryID"],
            "TrackingOptionID": option["TrackingOptionID"],
            "Name": category["Name"],
            "Option": option["Name"],
        }

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
        total_tax = sum((line["TaxAmount"] for line in lines), Decimal(0))
        gross = sum((line["LineAmount"] for line in lines), Decimal(0))
        sub_total = gross - total_tax if amount_types == "Inclusive" else gross
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
            "CurrencyRate": _decimal(element.get("CurrencyRate")) or Decimal(1),
            "UpdatedDateUTC": ms_date(self.now),
            "HasAttachments": bool(existing and existing.get("HasAttachments")),
        }
        for optional in ("Reference", "Url"):
            if element.get(optional):
                transaction[optional] = str(element[optional])
        return transaction


_ZERO_RATE: XeroObject = {"TaxType": "NONE", "EffectiveRate": Decimal(0), "Status": "ACTIVE"}


def _line_tax(line_amount: Decimal, rate: Decimal, amount_types: str) -> Decimal:
    if amount_types == "NoTax" or not rate:
        return Decimal("0.00")
    if amount_types == "Inclusive":
        return money(line_amount * rate / (Decimal(100) + rate))
    return money(line_amount * rate / Decimal(100))


def _tracking_option(category: XeroObject, option_id: Any, option_name: Any) -> XeroObject | None:
    for option in category["Options"]:
        if option_id and option["TrackingOptionID"] == option_id:
            return dict(option)
        if not option_id and option_name and option["Name"].casefold() == str(option_name).strip().casefold():
            return dict(option)
    return None


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
