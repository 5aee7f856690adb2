"""The Contacts endpoints: listing and searching contacts, and creating or updating them by name."""

from __future__ import annotations

import copy
import uuid

from sandbox.xero.answers import listing, saved_elements, summarize_errors
from sandbox.xero.context import TenantCall
from sandbox.xero.messages import (
    EmulatorResponse,
    json_response,
    not_found,
    single_validation_error,
    validation_error,
)
from sandbox.xero.seed import new_contact
from sandbox.xero.state import XeroObject
from sandbox.xero.xero_dates import ms_date

_CONTACT_FIELDS = (
    "EmailAddress",
    "FirstName",
    "LastName",
    "ContactNumber",
    "AccountNumber",
    "TaxNumber",
    "DefaultCurrency",
    "ContactStatus",
    "Website",
)


def get_contacts(call: TenantCall, _: dict[str, str]) -> EmulatorResponse:
    contacts = call.tenant.contacts
    if (call.request.query_value("includeArchived") or "").lower() != "true":
        contacts = [c for c in contacts if c["ContactStatus"] != "ARCHIVED"]
    term = (call.request.query_value("searchTerm") or "").strip().casefold()
    if term:
        searched = ("Name", "FirstName", "LastName", "EmailAddress", "ContactNumber")
        contacts = [c for c in contacts if any(term in str(c.get(f) or "").casefold() for f in searched)]
    return listing(call, "Contacts", contacts, paged=True)


def get_contact(call: TenantCall, params: dict[str, str]) -> EmulatorResponse:
    contact = call.tenant.contact_by_id(params["id"])
    if contact is None:
        return not_found()
    return json_response(200, {**call.envelope(), "Contacts": [copy.deepcopy(contact)]})


def _contact_name_taken(call: TenantCall, name: str, own_id: str | None) -> bool:
    found = call.tenant.active_contact_named(name)
    return found is not None and found["ContactID"] != own_id


def _save_contact(call: TenantCall, element: XeroObject) -> tuple[XeroObject | None, list[str]]:
    existing = call.tenant.contact_by_id(str(element["ContactID"])) if element.get("ContactID") else None
    if element.get("ContactID") and existing is None:
        return None, [f"The contact with ContactID '{element['ContactID']}' could not be found."]
    name = str(element.get("Name") or (existing or {}).get("Name") or "").strip()
    if not name:
        return None, ["The contact name must be specified."]
    if _contact_name_taken(call, name, existing["ContactID"] if existing else None):
        return None, [
            f"The contact name {name} is already assigned to another contact. "
            "The contact name must be unique across all active contacts."
        ]
    contact = existing if existing is not None else new_contact(str(uuid.uuid4()), name, call.now)
    contact["Name"] = name
    contact.update({key: element[key] for key in _CONTACT_FIELDS if key in element})
    contact["UpdatedDateUTC"] = ms_date(call.now)
    if existing is None:
        call.tenant.contacts.append(contact)
    return contact, []


def save_contacts(call: TenantCall, _: dict[str, str]) -> EmulatorResponse:
    elements = saved_elements(call, "Contacts", "Name")
    if elements is None:
        return single_validation_error("The request body must contain a Contacts array.")
    results, failed = [], []
    for element in elements:
        contact, errors = _save_contact(call, element)
        if contact is not None:
            results.append(copy.deepcopy(contact))
            continue
        echoed = {**element, "HasValidationErrors": True, "ValidationErrors": [{"Message": m} for m in errors]}
        results.append(echoed)
        failed.append(echoed)
    if failed and summarize_errors(call):
        return validation_error(failed)
    return json_response(200, {**call.envelope(), "Contacts": results})
