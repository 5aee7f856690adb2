"""Validating the line items of a BankTransaction as Xero does (amounts, account, tax rate, tracking) and computing
each line's tax."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sandbox.xero.state import Tenant, XeroObject

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


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def decimal_or_none(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass
class Errors:
    """What is wrong with an element, each message once, in the order found."""

    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)


class LineItemBuilder:
    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant

    def lines(self, given: Any, amount_types: str, errors: Errors) -> list[XeroObject] | None:
        if not isinstance(given, list) or not given:
            errors.add("At least one line item must be specified.")
            return None
        lines = [self._line(line, amount_types, errors) for line in given]
        return None if any(line is None for line in lines) else [line for line in lines if line]

    def _line(self, line: Any, amount_types: str, errors: Errors) -> XeroObject | None:
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

    def _line_amounts(self, line: XeroObject, errors: Errors) -> tuple[Decimal, Decimal, Decimal] | None:
        raw = {name: line.get(name) for name in ("Quantity", "UnitAmount", "LineAmount")}
        parsed = {name: decimal_or_none(value) for name, value in raw.items()}
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

    def _line_account(self, line: XeroObject, errors: Errors) -> XeroObject | None:
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
        self, line: XeroObject, account: XeroObject | None, amount_types: str, errors: Errors
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

    def _line_tracking(self, given: Any, errors: Errors) -> list[XeroObject] | None:
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

    def _tracking_item(self, item: Any, errors: Errors) -> XeroObject | None:
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


def line_totals(lines: list[XeroObject], amount_types: str) -> tuple[Decimal, Decimal, Decimal]:
    """(SubTotal, TotalTax, Total) of a document's lines: with Inclusive amounts the lines' sum is the Total."""
    total_tax = sum((line["TaxAmount"] for line in lines), Decimal(0))
    gross = sum((line["LineAmount"] for line in lines), Decimal(0))
    sub_total = gross - total_tax if amount_types == "Inclusive" else gross
    return sub_total, total_tax, sub_total + total_tax


_TOTALS = (
    ("SubTotal", "The document sub total does not equal the sub total of the lines."),
    ("TotalTax", "The document total tax does not equal the total tax of the lines."),
    ("Total", "The document total does not equal the total of the lines."),
)


def check_totals(given: XeroObject, lines: list[XeroObject], amount_types: str, errors: Errors) -> None:
    """Xero works the totals out from the lines; totals sent with the document must equal them, to the cent."""
    for (name, message), computed in zip(_TOTALS, line_totals(lines, amount_types), strict=True):
        if given.get(name) is None:
            continue
        sent = decimal_or_none(given[name])
        if sent is None:
            errors.add(f"The {name} '{given[name]}' is not a valid number.")
        elif money(sent) != money(computed):
            errors.add(message)
