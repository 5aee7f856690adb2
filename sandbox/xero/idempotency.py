"""Xero's Idempotency-Key: replay the first response for the same key and request for 6 minutes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sandbox.xero.clock import EmulatorClock
from sandbox.xero.messages import EmulatorRequest, EmulatorResponse, json_response

KEY_TTL_SECONDS = 6 * 60
MAX_KEY_LENGTH = 128


@dataclass
class StoredOutcome:
    fingerprint: str
    stored_at: float
    response: EmulatorResponse


def fingerprint(request: EmulatorRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.query_string.encode(), request.body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _bad_request(title: str, detail: str) -> EmulatorResponse:
    return json_response(400, {"Title": title, "Status": 400, "Detail": detail})


class IdempotencyStore:
    """Not thread-safe on its own: used under the emulator's state lock."""

    def __init__(self, clock: EmulatorClock) -> None:
        self.clock = clock
        self._outcomes: dict[tuple[str, str], StoredOutcome] = {}

    def check(self, tenant_id: str, key: str, request: EmulatorRequest) -> EmulatorResponse | None:
        """A response to send instead of handling the request, or None to handle it."""
        if len(key) > MAX_KEY_LENGTH:
            return _bad_request(
                "Invalid Idempotency-Key", f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters"
            )
        stored = self._outcomes.get((tenant_id, key))
        if stored is None or self.clock.timestamp() - stored.stored_at > KEY_TTL_SECONDS:
            return None
        if stored.fingerprint != fingerprint(request):
            return _bad_request(
                "Idempotency key reused", f"Idempotency key {key} has already been used with a different request"
            )
        replay = stored.response
        return EmulatorResponse(replay.status, replay.body, replay.content_type, dict(replay.headers))

    def remember(self, tenant_id: str, key: str, request: EmulatorRequest, response: EmulatorResponse) -> None:
        self._outcomes[(tenant_id, key)] = StoredOutcome(fingerprint(request), self.clock.timestamp(), response)
