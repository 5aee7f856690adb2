"""Seed data for a new organisation: a UK-style chart of accounts, VAT rates, tracking, contacts."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sandbox.xero.state import Tenant, XeroObject
from sandbox.xero.xero_dates import ms_date

_ID_NAMESPACE = uuid.UUID("5a0f1d52-7d4e-4c55-9a3f-1d2b3c4d5e6f")

# (code, name, type, tax type, system account)
_CHART: list[tuple[str, str, str, str, str | None]] = [
    ("200", "Sales", "REVENUE", "OUTPUT2", None),
    ("260", "Other Revenue", "REVENUE", "OUTPUT2", None),
    ("270", "Interest Income", "OTHERINCOME", "NONE", None),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT2", None),
    ("320", "Direct Wages", "DIRECTCOSTS", "NONE", None),
    ("325", "Direct Expenses", "DIRECTCOSTS", "INPUT2", None),
    ("400", "Advertising", "OVERHEADS", "INPUT2", None),
    ("401", "Audit & Accountancy fees", "OVERHEADS", "INPUT2", None),
    ("404", "Bank Fees", "OVERHEADS", "EXEMPTINPUT", None),
    ("408", "Cleaning", "OVERHEADS", "INPUT2", None),
    ("410", "Charitable and Political Donations", "OVERHEADS", "EXEMPTINPUT", None),
    ("412", "Consulting", "OVERHEADS", "INPUT2", None),
    ("416", "Depreciation Expense", "DEPRECIATN", "NONE", None),
    ("418", "Equipment Hire", "OVERHEADS", "INPUT2", None),
    ("420", "Entertainment", "OVERHEADS", "NONE", None),
    ("424", "Entertainment - 0%", "OVERHEADS", "NONE", None),
    ("425", "Freight & Courier", "OVERHEADS", "INPUT2", None),
    ("429", "General Expenses", "OVERHEADS", "INPUT2", None),
    ("433", "Insurance", "OVERHEADS", "EXEMPTINPUT", None),
    ("437", "Interest Paid", "OVERHEADS", "EXEMPTINPUT", None),
    ("441", "Legal Expenses", "OVERHEADS", "INPUT2", None),
    ("445", "Light, Power, Heating", "OVERHEADS", "RRINPUT", None),
    ("449", "Motor Vehicle Expenses", "OVERHEADS", "INPUT2", None),
    ("453", "Office Expenses", "OVERHEADS", "INPUT2", None),
    ("457", "Operating Lease Payments", "OVERHEADS", "INPUT2", None),
    ("461", "Printing & Stationery", "OVERHEADS", "INPUT2", None),
    ("463", "IT Software and Consumables", "OVERHEADS", "INPUT2", None),
    ("465", "Rates", "OVERHEADS", "EXEMPTINPUT", None),
    ("469", "Rent", "OVERHEADS", "EXEMPTINPUT", None),
    ("473", "Repairs & Maintenance", "OVERHEADS", "INPUT2", None),
    ("477", "Salaries", "OVERHEADS", "NONE", None),
    ("478", "Directors' Remuneration", "OVERHEADS", "NONE", None),
    ("479", "Employers National Insurance", "OVERHEADS", "NONE", None),
    ("480", "Staff Training", "OVERHEADS", "INPUT2", None),
    ("481", "Staff Entertainment", "OVERHEADS", "INPUT2", None),
    ("482", "Pensions Costs", "OVERHEADS", "NONE", None),
    ("483", "Medical Insurance", "OVERHEADS", "EXEMPTINPUT", None),
    ("485", "Subscriptions", "OVERHEADS", "INPUT2", None),
    ("489", "Telephone & Internet", "OVERHEADS", "INPUT2", None),
    ("493", "Travel - National", "OVERHEADS", "INPUT2", None),
    ("494", "Travel - International", "OVERHEADS", "ZERORATEDINPUT", None),
    ("497", "Bank Revaluations", "OVERHEADS", "NONE", "BANKCURRENCYGAIN"),
    ("498", "Unrealised Currency Gains", "OVERHEADS", "NONE", "UNREALISEDCURRENCYGAIN"),
    ("499", "Realised Currency Gains", "OVERHEADS", "NONE", "REALISEDCURRENCYGAIN"),
    ("500", "Corporation Tax", "OVERHEADS", "NONE", None),
    ("610", "Accounts Receivable", "CURRENT", "NONE", "DEBTORS"),
    ("611", "Less Provision for Doubtful Debts", "CURRENT", "NONE", None),
    ("620", "Prepayments", "CURRENT", "NONE", None),
    ("630", "Inventory", "INVENTORY", "NONE", None),
    ("710", "Office Equipment", "FIXED", "INPUT2", None),
    ("711", "Less Accumulated Depreciation on Office Equipment", "FIXED", "NONE", None),
    ("720", "Computer Equipment", "FIXED", "INPUT2", None),
    ("721", "Less Accumulated Depreciation on Computer Equipment", "FIXED", "NONE", None),
    ("740", "Buildings", "FIXED", "NONE", None),
    ("750", "Leasehold Improvements", "FIXED", "INPUT2", None),
    ("760", "Motor Vehicles", "FIXED", "INPUT2", None),
    ("761", "Less Accumulated Depreciation on Motor Vehicles", "FIXED", "NONE", None),
    ("800", "Accounts Payable", "CURRLIAB", "NONE", "CREDITORS"),
    ("801", "Unpaid Expense Claims", "CURRLIAB", "NONE", "UNPAIDEXPCLM"),
    ("805", "Accruals", "CURRLIAB", "NONE", None),
    ("810", "Income in Advance", "CURRLIAB", "NONE", None),
    ("814", "Wages Payable - Payroll", "CURRLIAB", "NONE", "WAGEPAYABLES"),
    ("820", "VAT", "CURRLIAB", "NONE", "GST"),
    ("825", "PAYE Payable", "CURRLIAB", "NONE", None),
    ("826", "NIC Payable", "CURRLIAB", "NONE", None),
    ("830", "Provision for Corporation Tax", "CURRLIAB", "NONE", None),
    ("835", "Directors' Loan Account", "CURRLIAB", "NONE", None),
    ("840", "Historical Adjustment", "CURRLIAB", "NONE", "HISTORICAL"),
    ("850", "Suspense", "CURRLIAB", "NONE", None),
    ("855", "Clearing Account", "CURRLIAB", "NONE", None),
    ("860", "Rounding", "CURRLIAB", "NONE", "ROUNDING"),
    ("877", "Tracking Transfers", "CURRLIAB", "NONE", "TRACKINGTRANSFERS"),
    ("900", "Loan", "TERMLIAB", "NONE", None),
    ("910", "Hire Purchase Loan", "TERMLIAB", "NONE", None),
    ("920", "Deferred Tax", "TERMLIAB", "NONE", None),
    ("947", "Capital - Ordinary Shares", "EQUITY", "NONE", None),
    ("960", "Retained Earnings", "EQUITY", "NONE", "RETAINEDEARNINGS"),
    ("970", "Owner A Funds Introduced", "EQUITY", "NONE", None),
    ("980", "Owner A Drawings", "EQUITY", "NONE", None),
]

# Finer-grained overhead accounts many companies add, bringing the usable count past 100.
_EXTRA_OVERHEADS: list[tuple[str, str]] = [
    ("Software Subscriptions", "INPUT2"),
    ("Cloud Hosting", "ZERORATEDINPUT"),
    ("Domains & Web Services", "INPUT2"),
    ("Recruitment Fees", "INPUT2"),
    ("Conference Tickets", "INPUT2"),
    ("Meals - Client", "NONE"),
    ("Meals - Staff", "INPUT2"),
    ("Taxis & Ride Share", "INPUT2"),
    ("Parking & Tolls", "INPUT2"),
    ("Rail Travel", "ZERORATEDINPUT"),
    ("Air Travel", "ZERORATEDINPUT"),
    ("Hotels & Accommodation", "INPUT2"),
    ("Postage", "EXEMPTINPUT"),
    ("Books & Publications", "ZERORATEDINPUT"),
    ("Professional Memberships", "EXEMPTINPUT"),
    ("Mobile Phones", "INPUT2"),
    ("Team Events", "INPUT2"),
    ("Office Snacks & Refreshments", "INPUT2"),
    ("Small Furniture", "INPUT2"),
    ("Computer Accessories", "INPUT2"),
    ("Stock Photos & Media", "INPUT2"),
    ("Online Advertising", "INPUT2"),
    ("Print Advertising", "INPUT2"),
    ("Sponsorship", "INPUT2"),
    ("Client Gifts", "INPUT2"),
    ("Staff Welfare", "INPUT2"),
    ("Coworking Memberships", "INPUT2"),
    ("Security", "INPUT2"),
    ("Waste Disposal", "INPUT2"),
    ("Water", "ZERORATEDINPUT"),
    ("Sundry Expenses", "INPUT2"),
    ("Foreign Exchange Fees", "EXEMPTINPUT"),
    ("Payment Processing Fees", "EXEMPTINPUT"),
    ("Research & Development", "INPUT2"),
    ("Prototyping Materials", "INPUT2"),
    ("Legal - Contracts", "INPUT2"),
    ("Trademarks & IP", "INPUT2"),
    ("Licences & Permits", "EXEMPTINPUT"),
    ("Health & Safety", "INPUT2"),
    ("Uniforms & Workwear", "INPUT2"),
    ("Tools & Equipment (non-capital)", "INPUT2"),
    ("Vehicle Fuel", "INPUT2"),
    ("Vehicle Insurance", "EXEMPTINPUT"),
    ("Relocation Costs", "INPUT2"),
    ("Translation Services", "INPUT2"),
    ("Design Services", "INPUT2"),
    ("Contractors", "INPUT2"),
    ("Market Research", "INPUT2"),
]

_ARCHIVED: list[tuple[str, str, str]] = [
    ("430", "Entertainment - Old", "OVERHEADS"),
    ("455", "Office Costs (pre-2020)", "OVERHEADS"),
    ("495", "Travel - Staff (old)", "OVERHEADS"),
]

_CLASS_OF_TYPE = {
    "REVENUE": "REVENUE",
    "OTHERINCOME": "REVENUE",
    "SALES": "REVENUE",
    "DIRECTCOSTS": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "DEPRECIATN": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "CURRENT": "ASSET",
    "INVENTORY": "ASSET",
    "FIXED": "ASSET",
    "PREPAYMENT": "ASSET",
    "NONCURRENT": "ASSET",
    "BANK": "ASSET",
    "CURRLIAB": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "PAYG": "LIABILITY",
    "EQUITY": "EQUITY",
}

# (tax type, name, rate, report tax type, status, applies to: assets/equity/expenses/liabilities/revenue)
_TAX_RATES: list[tuple[str, str, str, str, str, tuple[bool, bool, bool, bool, bool]]] = [
    ("INPUT2", "20% (VAT on Expenses)", "20", "INPUT", "ACTIVE", (True, False, True, True, False)),
    ("OUTPUT2", "20% (VAT on Income)", "20", "OUTPUT", "ACTIVE", (True, False, False, True, True)),
    ("NONE", "No VAT", "0", "NONE", "ACTIVE", (True, True, True, True, True)),
    ("ZERORATEDINPUT", "Zero Rated Expenses", "0", "INPUT", "ACTIVE", (True, False, True, True, False)),
    ("ZERORATEDOUTPUT", "Zero Rated Income", "0", "OUTPUT", "ACTIVE", (True, False, False, True, True)),
    ("EXEMPTINPUT", "Exempt Expenses", "0", "EXEMPTINPUT", "ACTIVE", (True, False, True, True, False)),
    ("EXEMPTOUTPUT", "Exempt Income", "0", "EXEMPTOUTPUT", "ACTIVE", (True, False, False, True, True)),
    ("RRINPUT", "5% (VAT on Expenses)", "5", "INPUT", "ACTIVE", (True, False, True, True, False)),
    ("RROUTPUT", "5% (VAT on Income)", "5", "OUTPUT", "ACTIVE", (True, False, False, True, True)),
    ("ECZRINPUT", "Zero Rated EC Goods Expenses", "0", "ECINPUT", "ACTIVE", (True, False, True, True, False)),
    ("INPUT", "17.5% (VAT on Expenses)", "17.5", "INPUT", "ARCHIVED", (True, False, True, True, False)),
    ("CAPEXINPUT", "15% (VAT on Capital Purchases)", "15", "INPUT", "DELETED", (True, False, False, False, False)),
]

_TRACKING: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("Region", "ACTIVE", [("North", "ACTIVE"), ("South", "ACTIVE"), ("East", "ARCHIVED")]),
    ("Department", "ACTIVE", [("Sales", "ACTIVE"), ("Marketing", "ACTIVE"), ("Engineering", "ACTIVE")]),
    ("Cost Centre", "ARCHIVED", [("CC-100", "ACTIVE"), ("CC-200", "ACTIVE")]),
]

_SUPPLIERS = [
    "Amazon",
    "Pret A Manger",
    "Trainline",
    "British Airways",
    "Uber",
    "Slack Technologies",
    "Google Cloud EMEA",
    "Microsoft Ireland",
    "Adobe Systems",
    "Apple",
    "Dropbox",
    "Zoom Video Communications",
    "Atlassian",
    "GitHub",
    "Heroku",
    "WeWork",
    "Royal Mail",
    "DHL Express",
    "Staples",
    "Costa Coffee",
    "Starbucks",
    "Tesco",
    "Sainsbury's",
    "Premier Inn",
    "Hilton Hotels",
    "easyJet",
    "Ryanair",
    "Addison Lee",
    "Transport for London",
    "Vodafone",
    "BT Business",
    "British Gas",
    "EDF Energy",
    "HMRC",
    "Companies House",
    "LinkedIn",
    "Figma",
    "Notion Labs",
    "Mailchimp",
    "Deliveroo",
]
_ARCHIVED_SUPPLIER = "Old Stationery Supplies Ltd"


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
    account_class = _CLASS_OF_TYPE[account_type]
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
    for code, name, account_type, tax_type, system_account in _CHART:
        account = _account(tenant_id, code, name, account_type, tax_type, now)
        if system_account:
            account["SystemAccount"] = system_account
        accounts.append(account)
    for offset, (name, tax_type) in enumerate(_EXTRA_OVERHEADS):
        accounts.append(_account(tenant_id, str(501 + offset), name, "OVERHEADS", tax_type, now))
    for code, name, account_type in _ARCHIVED:
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
    for tax_type, name, rate, report_type, status, applies in _TAX_RATES:
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
    for name, status, options in _TRACKING:
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
    seeded = [new_contact(stable_id(tenant_id, "contact", name), name, now) for name in _SUPPLIERS]
    seeded.append(
        new_contact(stable_id(tenant_id, "contact", _ARCHIVED_SUPPLIER), _ARCHIVED_SUPPLIER, now, status="ARCHIVED")
    )
    return seeded
