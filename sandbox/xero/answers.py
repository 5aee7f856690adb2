"""How the Accounting endpoints read a request and answer it: a listing (where, order, paging), the elements of a
save (wrapped or not), and whether a save with an invalid element fails as a whole."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.xero.context import TenantCall
from sandbox.xero.messages import EmulatorResponse, json_response
from sandbox.xero.queries import QueryError, modified_since, ordered, page_of, where_predicate
from sandbox.xero.state import XeroObject


def summarize_errors(call: TenantCall) -> bool:
    """Xero's server default is to summarise (400 on any invalid element), whatever the spec says."""
    value = call.request.query_value("summarizeErrors")
    return value is None or value.strip().lower() != "false"


def listing(call: TenantCall, key: str, objects: list[XeroObject], *, paged: bool = False) -> EmulatorResponse:
    request = call.request
    try:
        selected = [obj for obj in objects if where_predicate(request.query_value("where"))(obj)]
        selected = ordered(modified_since(selected, request), request.query_value("order"))
        pagination = None
        if paged:
            selected, pagination = page_of(selected, request)
    except QueryError as error:
        return json_response(400, {"ErrorNumber": 16, "Type": "QueryParseException", "Message": str(error)})
    body: dict[str, Any] = call.envelope()
    if pagination is not None:
        body["pagination"] = pagination
    body[key] = copy.deepcopy(selected)
    return json_response(200, body)


def saved_elements(call: TenantCall, key: str, marker: str) -> list[XeroObject] | None:
    """Xero takes `{"Key": [..]}` or one unwrapped object."""
    try:
        payload = call.request.json_body()
    except ValueError:
        return None
    if isinstance(payload, dict) and isinstance(payload.get(key), list):
        return [e if isinstance(e, dict) else {} for e in payload[key]]
    if isinstance(payload, dict) and marker in payload:
        return [payload]
    return None
