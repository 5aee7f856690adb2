"""Routes and handlers for the Accounting API under /api.xro/2.0, with Xero's exact path casing."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from urllib.parse import unquote

from sandbox.xero import attachments
from sandbox.xero.answers import listing, saved_elements, summarize_errors
from sandbox.xero.bank_transactions import BankTransactionBuilder, Draft
from sandbox.xero.contacts import get_contact, get_contacts, save_contacts
from sandbox.xero.context import TenantCall
from sandbox.xero.messages import (
    EmulatorResponse,
    json_response,
    not_found,
    problem,
    single_validation_error,
    validation_error,
)
from sandbox.xero.state import XeroObject

ACCOUNTING_PREFIX = "/api.xro/2.0"
Handler = Callable[[TenantCall, dict[str, str]], EmulatorResponse]


def get_organisation(call: TenantCall, _: dict[str, str]) -> EmulatorResponse:
    return json_response(200, {**call.envelope(), "Organisations": [copy.deepcopy(call.tenant.organisation)]})


def get_accounts(call: TenantCall, _: dict[str, str]) -> EmulatorResponse:
    return listing(call, "Accounts", call.tenant.accounts)


def get_tax_rates(call: TenantCall, _: dict[str, str]) -> EmulatorResponse:
    return listing(call, "TaxRates", call.tenant.tax_rates)


def get_tracking_categories(call: TenantCall, _: dict[str, str]) -> EmulatorResponse:
    include_archived = (call.request.query_value("includeArchived") or "").lower() == "true"
    categories = copy.deepcopy(call.tenant.tracking_categories)
    if not include_archived:
        categories = [c for c in categories if c["Status"] == "ACTIVE"]
        for category in categories:
            category["Options"] = [o for o in category["Options"] if o["Status"] == "ACTIVE"]
    return listing(call, "TrackingCategories", categories)


# --- BankTransactions ----------------------------------------------------------------------------


def get_bank_transactions(call: TenantCall, _: dict[str, str]) -> EmulatorResponse:
    return listing(call, "BankTransactions", list(call.tenant.bank_transactions.values()), paged=True)


def get_bank_transaction(call: TenantCall, params: dict[str, str]) -> EmulatorResponse:
    transaction = call.tenant.bank_transactions.get(params["id"])
    if transaction is None:
        return not_found()
    return json_response(200, {**call.envelope(), "BankTransactions": [copy.deepcopy(transaction)]})


def create_bank_transactions(call: TenantCall, _: dict[str, str]) -> EmulatorResponse:
    return _save_bank_transactions(call, allow_update=False, target_id=None)


def create_or_update_bank_transactions(call: TenantCall, _: dict[str, str]) -> EmulatorResponse:
    return _save_bank_transactions(call, allow_update=True, target_id=None)


def update_bank_transaction(call: TenantCall, params: dict[str, str]) -> EmulatorResponse:
    if params["id"] not in call.tenant.bank_transactions:
        return not_found()
    return _save_bank_transactions(call, allow_update=True, target_id=params["id"])


def _save_bank_transactions(call: TenantCall, *, allow_update: bool, target_id: str | None) -> EmulatorResponse:
    elements = saved_elements(call, "BankTransactions", "Type")
    if elements is None:
        return single_validation_error("The request body must contain a BankTransactions array.")
    builder = BankTransactionBuilder(call.tenant, call.now)
    results, failed = [], []
    for element in elements:
        existing, lookup_error = _existing_transaction(call, element, allow_update, target_id)
        draft, errors = (None, [lookup_error]) if lookup_error else builder.build(element, existing)
        if draft is not None:
            _commit(call, draft, created=existing is None)
            results.append({**copy.deepcopy(draft.transaction), "StatusAttributeString": "OK"})
            continue
        echoed = {
            **element,
            "StatusAttributeString": "ERROR",
            "ValidationErrors": [{"Message": message} for message in errors],
        }
        results.append(echoed)
        failed.append(echoed)
    if failed and (target_id is not None or summarize_errors(call)):
        return validation_error(failed)
    return json_response(200, {**call.envelope(), "BankTransactions": results})


def _existing_transaction(
    call: TenantCall, element: XeroObject, allow_update: bool, target_id: str | None
) -> tuple[XeroObject | None, str | None]:
    wanted = target_id or element.get("BankTransactionID")
    if not wanted:
        return None, None
    existing = call.tenant.bank_transactions.get(str(wanted))
    if existing is None:
        return None, f"The BankTransactionID '{wanted}' could not be found."
    if not allow_update:
        return None, f"A bank transaction with BankTransactionID '{wanted}' already exists. Use POST to update it."
    return existing, None


def _commit(call: TenantCall, draft: Draft, *, created: bool) -> None:
    if draft.new_contact is not None:
        call.tenant.contacts.append(draft.new_contact)
    transaction = draft.transaction
    transaction_id = transaction["BankTransactionID"]
    call.tenant.bank_transactions[transaction_id] = transaction
    if created:
        attachments.record_history(call, transaction_id, "Created", "Received through the Xero API")
    elif transaction["Status"] in ("DELETED", "VOIDED"):
        attachments.record_history(call, transaction_id, transaction["Status"].title(), "Through the Xero API")
    else:
        attachments.record_history(call, transaction_id, "Edited", "Updated through the Xero API")


# --- Attachments and history ---------------------------------------------------------------------


def put_attachment(call: TenantCall, params: dict[str, str]) -> EmulatorResponse:
    return attachments.upload(call, params["id"], unquote(params["name"]), replace=False)


def post_attachment(call: TenantCall, params: dict[str, str]) -> EmulatorResponse:
    return attachments.upload(call, params["id"], unquote(params["name"]), replace=True)


def get_attachments(call: TenantCall, params: dict[str, str]) -> EmulatorResponse:
    return attachments.list_attachments(call, params["id"])


def get_attachment(call: TenantCall, params: dict[str, str]) -> EmulatorResponse:
    return attachments.download(call, params["id"], unquote(params["name"]))


def get_history(call: TenantCall, params: dict[str, str]) -> EmulatorResponse:
    return attachments.get_history(call, params["id"])


def put_history(call: TenantCall, params: dict[str, str]) -> EmulatorResponse:
    return attachments.add_history(call, params["id"])


_ID = r"(?P<id>[^/]+)"
_NAME = r"(?P<name>[^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, re.compile(f"^{pattern}$"), handler)
    for method, pattern, handler in [
        ("GET", "/Organisation", get_organisation),
        ("GET", "/Accounts", get_accounts),
        ("GET", "/TaxRates", get_tax_rates),
        ("GET", "/TrackingCategories", get_tracking_categories),
        ("GET", "/Contacts", get_contacts),
        ("PUT", "/Contacts", save_contacts),
        ("POST", "/Contacts", save_contacts),
        ("GET", f"/Contacts/{_ID}", get_contact),
        ("GET", "/BankTransactions", get_bank_transactions),
        ("PUT", "/BankTransactions", create_bank_transactions),
        ("POST", "/BankTransactions", create_or_update_bank_transactions),
        ("GET", f"/BankTransactions/{_ID}", get_bank_transaction),
        ("POST", f"/BankTransactions/{_ID}", update_bank_transaction),
        ("GET", f"/BankTransactions/{_ID}/Attachments", get_attachments),
        ("GET", f"/BankTransactions/{_ID}/Attachments/{_NAME}", get_attachment),
        ("PUT", f"/BankTransactions/{_ID}/Attachments/{_NAME}", put_attachment),
        ("POST", f"/BankTransactions/{_ID}/Attachments/{_NAME}", post_attachment),
        ("GET", f"/BankTransactions/{_ID}/History", get_history),
        ("PUT", f"/BankTransactions/{_ID}/History", put_history),
    ]
]


def is_accounting_path(path: str) -> bool:
    return path == ACCOUNTING_PREFIX or path.startswith(ACCOUNTING_PREFIX + "/")


def handle(call: TenantCall) -> EmulatorResponse:
    relative = call.request.path[len(ACCOUNTING_PREFIX) :]
    path_matched = False
    for method, pattern, handler in ROUTES:
        match = pattern.match(relative)
        if match is None:
            continue
        path_matched = True
        if method == call.request.method:
            return handler(call, match.groupdict())
    if path_matched:
        return problem(405, "Method Not Allowed", f"{call.request.method} is not supported on {relative}")
    return not_found()
