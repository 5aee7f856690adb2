"""Attachments and history notes on bank transactions."""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import PurePosixPath
from urllib.parse import quote

from sandbox.xero.context import TenantCall
from sandbox.xero.messages import (
    EmulatorResponse,
    json_response,
    not_found,
    problem,
    single_validation_error,
    validation_error,
)
from sandbox.xero.state import StoredAttachment, XeroObject
from sandbox.xero.xero_dates import ms_date

SUPPORTED_EXTENSIONS = frozenset(
    [
        "bmp",
        "csv",
        "doc",
        "docx",
        "gif",
        "jpeg",
        "jpg",
        "odf",
        "pdf",
        "png",
        "ppt",
        "pptx",
        "rar",
        "rtf",
        "tif",
        "tiff",
        "txt",
        "xls",
        "xlsx",
        "zip",
    ]
)
MAX_ATTACHMENTS_PER_DOCUMENT = 10
API_USER = "Xero Emulator API"
NOTE_MAX_CHARACTERS = 250  # Xero's limit on a note's Details


def _attachment_json(call: TenantCall, transaction_id: str, stored: StoredAttachment) -> XeroObject:
    return {
        "AttachmentID": stored.attachment_id,
        "FileName": stored.file_name,
        "Url": f"{call.base_url}/api.xro/2.0/BankTransactions/{transaction_id}/Attachments/"
        f"{quote(stored.file_name, safe='')}",
        "MimeType": stored.mime_type,
        "ContentLength": len(stored.content),
    }


def _mime_type(file_name: str) -> str:
    guessed, _ = mimetypes.guess_type(file_name)
    return guessed or "application/octet-stream"


def upload(call: TenantCall, transaction_id: str, file_name: str, *, replace: bool) -> EmulatorResponse:
    transaction = call.tenant.bank_transactions.get(transaction_id)
    if transaction is None:
        return not_found()
    if len(call.request.body) > call.attachment_max_bytes:
        return problem(413, "Request Entity Too Large", "RequestEntityTooLarge")
    extension = PurePosixPath(file_name).suffix.lower().lstrip(".")
    if extension not in SUPPORTED_EXTENSIONS:
        return single_validation_error(f"The file {file_name} isn't a supported file type.")
    attached = call.tenant.attachments.setdefault(transaction_id, [])
    existing = next((a for a in attached if a.file_name.casefold() == file_name.casefold()), None)
    if existing is not None and replace:
        attached.remove(existing)
    elif len(attached) >= MAX_ATTACHMENTS_PER_DOCUMENT:
        return single_validation_error(
            f"A maximum of {MAX_ATTACHMENTS_PER_DOCUMENT} attachments can be added to a document."
        )
    stored = StoredAttachment(str(uuid.uuid4()), file_name, call.request.body, _mime_type(file_name))
    attached.append(stored)
    transaction["HasAttachments"] = True
    body = {**call.envelope(), "Attachments": [_attachment_json(call, transaction_id, stored)]}
    return json_response(200, body)


def list_attachments(call: TenantCall, transaction_id: str) -> EmulatorResponse:
    if transaction_id not in call.tenant.bank_transactions:
        return not_found()
    attached = call.tenant.attachments.get(transaction_id, [])
    listed = [_attachment_json(call, transaction_id, stored) for stored in attached]
    return json_response(200, {**call.envelope(), "Attachments": listed})


def download(call: TenantCall, transaction_id: str, name_or_id: str) -> EmulatorResponse:
    attached = call.tenant.attachments.get(transaction_id, [])
    wanted = name_or_id.casefold()
    found = next((a for a in attached if wanted in (a.attachment_id, a.file_name.casefold())), None)
    if found is None:
        return not_found()
    return EmulatorResponse(status=200, body=found.content, content_type=found.mime_type)


def record_history(call: TenantCall, transaction_id: str, changes: str, details: str) -> XeroObject:
    record = {
        "Changes": changes,
        "DateUTCString": call.now.strftime("%Y-%m-%dT%H:%M:%S"),
        "DateUTC": ms_date(call.now),
        "User": API_USER,
        "Details": details,
    }
    call.tenant.history.setdefault(transaction_id, []).append(record)
    return record


def get_history(call: TenantCall, transaction_id: str) -> EmulatorResponse:
    if transaction_id not in call.tenant.bank_transactions:
        return not_found()
    records = call.tenant.history.get(transaction_id, [])
    return json_response(200, {**call.envelope(), "HistoryRecords": records})


def add_history(call: TenantCall, transaction_id: str) -> EmulatorResponse:
    if transaction_id not in call.tenant.bank_transactions:
        return not_found()
    payload = call.request.json_body()
    records = payload.get("HistoryRecords") if isinstance(payload, dict) else None
    if not isinstance(records, list) or not records:
        return single_validation_error("At least one HistoryRecord must be specified.")
    invalid = []
    for record in records:
        message = _details_problem(record)
        if message is not None:
            invalid.append({**(record if isinstance(record, dict) else {}), "ValidationErrors": [{"Message": message}]})
    if invalid:  # Xero keeps none of the request's notes when one is invalid
        return validation_error(invalid)
    created = [record_history(call, transaction_id, "Note", str(record["Details"]).strip()) for record in records]
    return json_response(200, {**call.envelope(), "HistoryRecords": created})


def _details_problem(record: object) -> str | None:
    details = str(record.get("Details") or "").strip() if isinstance(record, dict) else ""
    if not details:
        return "The Details of a history note must not be empty."
    if len(details) > NOTE_MAX_CHARACTERS:
        return f"The Details of a history note must not be longer than {NOTE_MAX_CHARACTERS} characters."
    return None
