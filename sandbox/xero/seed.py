"""Seed data for a new organisation: a UK-style chart of accounts, VAT rates, tracking, contacts."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sandbox.xero.seed_data import (
    ARCHIVED_ACCOUNTS,
    ARCHIVED_SUPPLIER,
    CHART,
    CLASS_OF_TYPE,
    EXTRA_OVERHEADS,
    SUPPLIERS,
    TAX_RATES,
    TRACKING,
)
from sandbox.xero.state import Tenant, XeroObject
from sandbox.xero.xero_dates import ms_date

_ID_NAMESPACE = uuid.UUID("5a0f1d52-7d4e-4c55-9a3f-1d2b3c4d5e6f")


def stable_id(tenant_id: str, kind: str, key: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{tenant_id}/{kind}/{key}"))


def build_tenant(
    *, tenant_id: str, name: str, base_currency: str, country: str, short_code: str, now: datetime
) -> Tenant:
    return Tenant(
        tenant_id=tenant_id,
        organisation=organisation_json(tenant_id, name, base_currency, country, short_code, now),
        accounts=chart_of_accounts(tenant_id, base_currency, now),
        tax_rates=tax_rates(),
        tracking_categories=tracking_categories(tenant_id),
        contacts=contacts(tenant_id, now),
    )


def organisation_json(
    tenant_id: str, name: str, base_currency: str, country: str, short_code: str, now: datetime
) -> XeroObject:
    version = {"GB": "UK", "AU": "AU", "NZ": "NZ", "US": "US"}.get(country, "GLOBAL")
    return {
        "OrganisationID": tenant_id,
        "APIKey": "",
        "Name": name,
        "LegalName": name,
        "PaysTax": True,
        "Version": version,
        "OrganisationType": "COMPANY",
        "BaseCurrency": base_currency,
        "CountryCode": country,
        "IsDemoCompany": name.startswith("Demo Company"),
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 3,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Inclusive",
        "CreatedDateUTC": ms_date(now),
        "OrganisationEntityType": "COMPANY",
        "Timezone": "GMTSTANDARDTIME",
        "ShortCode": short_code,
        "Class": "PREMIUM",
        "Edition": "BUSINESS",
        "LineOfBusiness": "Software",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }


def _account(tenant_id: str, code: str, name: str, account_type: str, tax_type: str, now: datetime) -> XeroObject:
    account_class = CLASS_OF_TYPE[account_type]
    return {
        "AccountID": stable_id(tenant_id, "account", code),
        "Code": code,
        "Name": name,
        "Status": "ACTIVE",
        "Type": account_type,
        "TaxType": tax_type,
        "Class": account_class,
        "EnablePaymentsToAccount": False,
        "ShowInExpenseClaims": account_class == "EXPENSE",
        "BankAccountType": "",
        "ReportingCode": account_class[:3],
        "ReportingCodeName": account_class.title(),
        "HasAttachments": False,
        "AddToWatchlist": False,
        "UpdatedDateUTC": ms_date(now),
    }


def chart_of_accounts(tenant_id: str, base_currency: str, now: datetime) -> list[XeroObject]:
    accounts = [bank_account for bank_account in bank_accounts(tenant_id, base_currency, now)]
    for code, name, account_type, tax_type, system_account in CHART:
        account = _account(tenant_id, code, name, account_type, tax_type, now)
        if system_account:
            account["SystemAccount"] = system_account
        accounts.append(account)
    for offset, (name, tax_type) in enumerate(EXTRA_OVERHEADS):
        accounts.append(_account(tenant_id, str(501 + offset), name, "OVERHEADS", tax_type, now))
    for code, name, account_type in ARCHIVED_ACCOUNTS:
        archived = _account(tenant_id, code, name, account_type, "INPUT2", now)
        archived["Status"] = "ARCHIVED"
        accounts.append(archived)
    return sorted(accounts, key=lambda account: str(account["Code"]))


def bank_accounts(tenant_id: str, base_currency: str, now: datetime) -> list[XeroObject]:
    foreign_currency = "EUR" if base_currency == "USD" else "USD"
    specs = [
        ("090", "Business Bank Account", base_currency, "BANK", "20-00-00 12345678"),
        ("091", "Business Savings Account", base_currency, "BANK", "20-00-00 87654321"),
        ("092", f"{foreign_currency} Account", foreign_currency, "BANK", "20-00-00 11223344"),
        ("093", "Company Credit Card", base_currency, "CREDITCARD", "4111 XXXX XXXX 1111"),
    ]
    accounts = []
    for code, name, currency, bank_type, number in specs:
        account = _account(tenant_id, code, name, "BANK", "NONE", now)
        account.update(
            {
                "BankAccountType": bank_type,
                "CurrencyCode": currency,
                "BankAccountNumber": number,
                "EnablePaymentsToAccount": False,
                "ShowInExpenseClaims": False,
            }
        )
        accounts.append(account)
    return accounts


def tax_rates() -> list[XeroObject]:
    rates = []
    for tax_type, name, rate, report_type, status, applies in TAX_RATES:
        assets, equity, expenses, liabilities, revenue = applies
        rates.append(
            {
                "Name": name,
                "TaxType": tax_type,
                "ReportTaxType": report_type,
                "CanApplyToAssets": assets,
                "CanApplyToEquity": equity,
                "CanApplyToExpenses": expenses,
                "CanApplyToLiabilities": liabilities,
                "CanApplyToRevenue": revenue,
                "DisplayTaxRate": Decimal(rate),
                "EffectiveRate": Decimal(rate),
                "Status": status,
                "TaxComponents": [
                    {"Name": "VAT", "Rate": Decimal(rate), "IsCompound": False, "IsNonRecoverable": False}
                ],
            }
        )
    return rates


def tracking_categories(tenant_id: str) -> list[XeroObject]:
    categories = []
    for name, status, options in TRACKING:
        category_id = stable_id(tenant_id, "tracking", name)
        categories.append(
            {
                "TrackingCategoryID": category_id,
                "Name": name,
                "Status": status,
                "Options": [
                    {
                        "TrackingOptionID": stable_id(tenant_id, "tracking-option", f"{name}/{option}"),
                        "Name": option,
                        "Status": option_status,
                        "TrackingCategoryID": category_id,
                    }
                    for option, option_status in options
                ],
            }
        )
    return categories


def new_contact(contact_id: str, name: str, now: datetime, *, status: str = "ACTIVE") -> XeroObject:
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20] or "contact"
    return {
        "ContactID": contact_id,
        "ContactStatus": status,
        "Name": name,
        "EmailAddress": f"accounts@{slug}.example.com",
        "IsSupplier": True,
        "IsCustomer": False,
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "HasAttachments": False,
        "HasValidationErrors": False,
        "UpdatedDateUTC": ms_date(now),
    }


def contacts(tenant_id: str, now: datetime) -> list[XeroObject]:
    seeded = [new_contact(stable_id(tenant_id, "contact", name), name, now) for name in SUPPLIERS]
    seeded.append(
        new_contact(stable_id(tenant_id, "contact", ARCHIVED_SUPPLIER), ARCHIVED_SUPPLIER, now, status="ARCHIVED")
    )
    return seeded
