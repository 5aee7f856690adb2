"""The payments webhook (CONTRACT §5): signature, body, validation; answers as (status, JSON)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.errors import DomainError
from bot.payments.ingest import IngestService
from bot.payments.input import FieldError, PaymentIn, validate_payment

MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_BATCH = 1000
TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict[str, Any]


def refused(status: int, field: str, message: str) -> WebhookAnswer:
    return WebhookAnswer(status, {"errors": [{"index": None, "field": field, "message": message}]})


def verify_signature(secret: str, header: str | None, body: bytes, now: float | None = None) -> str | None:
    """None when `X-Payments-Signature` is right and fresh; otherwise what is wrong, in words."""
    if not header:
        return "X-Payments-Signature header is missing"
    parts = dict(part.strip().split("=", 1) for part in header.split(",") if "=" in part)
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not timestamp.isdigit() or not signature:
        return 'X-Payments-Signature must look like "t=<unix seconds>,v1=<hex HMAC-SHA256>"'
    if abs((now if now is not None else time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return "the signature's timestamp is more than 5 minutes away from now; sign the request again"
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "the signature does not match the body and PAYMENTS_WEBHOOK_SECRET"
    return None


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value a sender puts in X-Payments-Signature."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def parse_batch(body: bytes) -> list[PaymentIn] | WebhookAnswer:
    try:
        document = json.loads(body, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        return refused(400, "", f"the body is not valid JSON ({type(error).__name__}: {str(error)[:120]})")
    except RecursionError:
        return refused(400, "", "the body nests arrays or objects too deeply to be a payment")
    if isinstance(document, dict) and "payments" in document:
        items = document["payments"]
        if not isinstance(items, list) or not items:
            return refused(400, "payments", "must be a non-empty list of payment objects")
        if len(items) > MAX_BATCH:
            return refused(400, "payments", f"a batch holds at most {MAX_BATCH} payments; this one has {len(items)}")
    elif isinstance(document, dict):
        items = [document]
    else:
        return refused(400, "", 'the body must be one payment object or {"payments": [...]}')
    errors: list[FieldError] = []
    payments: list[PaymentIn] = []
    for index, item in enumerate(items):
        checked = validate_payment(item, index)
        if isinstance(checked, list):
            errors.extend(checked)
        else:
            payments.append(checked)
    if errors:
        return WebhookAnswer(400, {"errors": [e.as_dict() for e in errors]})
    return payments


def receive(
    *, secret: str | None, header: str | None, body: bytes, workspace: Callable[[], int], ingest: IngestService
) -> WebhookAnswer:
    """Check, then store. `workspace` is only asked once the request is known to be genuine."""
    if not secret:
        return refused(503, "", "the payments webhook is not configured: set PAYMENTS_WEBHOOK_SECRET")
    signature_problem = verify_signature(secret, header, body)
    if signature_problem is not None:
        return WebhookAnswer(401, {"error": signature_problem})
    batch = parse_batch(body)
    if isinstance(batch, WebhookAnswer):
        return batch
    try:
        workspace_id = workspace()
    except DomainError as unknown:
        return refused(400, "team", unknown.message)
    result = ingest.ingest(workspace_id, batch)
    if result.errors:
        return WebhookAnswer(400, {"errors": [e.as_dict() for e in result.errors]})
    status = 201 if result.created else 200
    return WebhookAnswer(status, {"created": result.created, "duplicates": result.duplicates})
