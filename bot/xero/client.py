"""The xero-python plumbing behind the gateway: a fresh API client per call, token refresh, rate limits, and
errors in our terms. Only bot.xero uses it; everything else calls the typed XeroGateway.

xero-python's `Configuration` is a shared singleton and its token getter global (reference/xero.md
§1.2), so no client is ever shared between calls, threads or tenants. urllib3's own retries are off:
they would silently re-send a create after a dropped connection and hide 429s from us (§1.6).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import HTTPStatusException
from xero_python.identity import IdentityApi

from bot.clock import Clock
from bot.settings import Settings
from bot.xero.errors import (
    XeroAuthError,
    XeroError,
    XeroRateLimited,
    XeroUnavailable,
    XeroValidationError,
)
from bot.xero.limiter import CallLimiter
from bot.xero.tokens import TokenManager
from bot.xero.types import TenantRef
from storage.uow import UnitOfWorkFactory

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = (5, 60)
RATE_LIMIT_RETRIES = 5
CONCURRENT_RETRY = 1.0  # seconds to wait after a 429 for too many calls at once (it carries no Retry-After)
LIMITS_SAVE_EVERY = 5.0  # seconds between saving the remaining budget for /xero status


# Called with (connection id, reason) when Xero refuses an organisation: the connection needs a reconnect.
LoseAccess = Callable[[int, str], None]


class XeroClient:
    def __init__(
        self,
        *,
        settings: Settings,
        tokens: TokenManager,
        uow: UnitOfWorkFactory,
        clock: Clock,
        limiter: CallLimiter,
        lose_access: LoseAccess,
    ) -> None:
        self._settings = settings
        self._tokens = tokens
        self._uow = uow
        self._clock = clock
        self._api_url = str(settings.xero_api_url).rstrip("/")
        self.limiter = limiter
        self._lose_access = lose_access
        self.rate_limited = 0
        self._limits_saved: dict[int, float] = {}

    # --- calls -------------------------------------------------------------------------------

    def accounting(self, tenant: TenantRef, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call `AccountingApi.<method>(tenant_id, *args, **kwargs)` within the organisation's rate limits.

        A 401 refreshes the token and retries once; a per-minute or concurrency 429 waits for Retry-After and
        retries (Xero did nothing with the refused request); the daily limit is raised to the caller.
        """

        def call(access_token: str) -> Any:
            api = AccountingApi(self._client(access_token), base_url=f"{self._api_url}/api.xro/2.0")
            data, _status, headers = getattr(api, method)(
                tenant.tenant_id, *args, _return_http_data_only=False, _request_timeout=REQUEST_TIMEOUT, **kwargs
            )
            self._record_limits(tenant, headers)
            return data

        for attempt in range(RATE_LIMIT_RETRIES + 1):
            try:
                with self.limiter.slot(tenant.tenant_id):
                    return self._with_token(tenant, call)
            except XeroRateLimited as limited:
                self.rate_limited += 1
                if limited.problem == "day":
                    raise  # hours away: the payments wait in the database (sync_next_attempt_at), not here
                self.limiter.pause(tenant.tenant_id, limited.retry_after)
                if attempt == RATE_LIMIT_RETRIES:
                    raise
                logger.info("Xero %s limit reached; waiting %.0f s", limited.problem, limited.retry_after)
        raise AssertionError("unreachable")

    def connections(self, token_set_id: int, auth_event_id: str | None = None) -> list[Any]:

        def call(access_token: str) -> list[Any]:
            identity = IdentityApi(self._client(access_token), base_url=self._api_url)
            if auth_event_id:
                return list(identity.get_connections(auth_event_id=auth_event_id, _request_timeout=REQUEST_TIMEOUT))
            return list(identity.get_connections(_request_timeout=REQUEST_TIMEOUT))

        found: list[Any] = self._with_token_set(token_set_id, call)
        return found

    def delete_connection(self, token_set_id: int, xero_connection_id: str) -> None:
        def call(access_token: str) -> None:
            identity = IdentityApi(self._client(access_token), base_url=self._api_url)
            identity.delete_connection(xero_connection_id, _request_timeout=REQUEST_TIMEOUT)

        self._with_token_set(token_set_id, call)

    # --- plumbing ----------------------------------------------------------------------------

    def _with_token(self, tenant: TenantRef, call: Callable[[str], Any]) -> Any:
        try:
            return self._with_token_set(tenant.token_set_id, call)
        except _Forbidden:
            self._lose_access(
                tenant.connection_id, "Xero answered 403 AuthenticationUnsuccessful for this organisation"
            )
            raise XeroAuthError(
                f"Xero refused access to {tenant.tenant_name}: the app was disconnected in Xero or the user lost "
                "access. An admin needs to reconnect with `/xero connect`."
            ) from None

    def _with_token_set(self, token_set_id: int, call: Callable[[str], Any]) -> Any:
        access_token = self._tokens.access_token(token_set_id)
        try:
            return self._translate(call, access_token)
        except _Unauthorized:
            access_token = self._tokens.refresh(token_set_id, rejected_access_token=access_token)
            try:
                return self._translate(call, access_token)
            except _Unauthorized:
                raise XeroAuthError(
                    "Xero keeps refusing this connection's access token. An admin needs to reconnect with "
                    "`/xero connect`."
                ) from None

    def _translate(self, call: Callable[[str], Any], access_token: str) -> Any:
        try:
            return call(access_token)
        except HTTPStatusException as error:
            raise _translate_status(error, self._clock.now()) from None
        except urllib3.exceptions.HTTPError as error:
            logger.warning("Xero call failed in transit: %s", type(error).__name__)
            raise XeroUnavailable("Xero did not answer (the connection dropped or timed out).") from None

    def _client(self, access_token: str) -> ApiClient:
        config = Configuration()
        config.oauth2_token = OAuth2Token(
            client_id=self._settings.xero_client_id or "",
            client_secret=(
                self._settings.xero_client_secret.get_secret_value() if self._settings.xero_client_secret else ""
            ),
        )
        # No refresh token and no expiry in what the SDK sees: the SDK never refreshes on its own; we do.
        token = {"access_token": access_token, "scope": ["offline_access"], "expires_in": 1800, "token_type": "Bearer"}
        client = ApiClient(
            config,
            pool_threads=1,
            oauth2_token_getter=lambda: token,
            oauth2_token_saver=lambda _token: None,
        )
        client.rest_client.pool_manager.connection_pool_kw["retries"] = False
        return client

    def _record_limits(self, tenant: TenantRef, headers: Any) -> None:
        day, minute = _int_header(headers, "X-DayLimit-Remaining"), _int_header(headers, "X-MinLimit-Remaining")
        if day is None and minute is None:
            return
        self.limiter.observe(tenant.tenant_id, minute_remaining=minute, day_remaining=day)
        now = time.monotonic()
        if now - self._limits_saved.get(tenant.connection_id, 0.0) < LIMITS_SAVE_EVERY:
            return
        self._limits_saved[tenant.connection_id] = now
        with self._uow() as work:
            connection = work.connections.get(tenant.connection_id)
            if connection is not None:
                connection.day_limit_remaining = day
                connection.minute_limit_remaining = minute
                connection.limits_seen_at = self._clock.now()
                work.commit()


class _Unauthorized(Exception):
    pass


class _Forbidden(Exception):
    pass


def _translate_status(error: HTTPStatusException, now: datetime) -> Exception:
    status = int(error.status or 0)
    headers = error.headers or {}
    if status == 401:
        return _Unauthorized()
    if status == 403:
        return _Forbidden()
    if status == 429:
        problem = str(headers.get("X-Rate-Limit-Problem") or headers.get("x-rate-limit-problem") or "minute")
        # Xero gives Retry-After for the minute and day limits; too many calls at once clears in a moment.
        default_wait = 60 if problem.lower() in ("minute", "day", "appminute") else CONCURRENT_RETRY
        retry_after = float(headers.get("Retry-After") or headers.get("retry-after") or default_wait)
        resume = now + timedelta(seconds=retry_after) if problem.lower() == "day" else None
        return XeroRateLimited(problem.lower(), retry_after, resume)
    if status == 400:
        return XeroValidationError(validation_messages(error.body))
    if status == 404:
        return XeroError("Xero could not find that (404): it may have been deleted in Xero.")
    if status == 413:
        return XeroValidationError(["the file is larger than Xero accepts"])
    return XeroUnavailable(f"Xero answered {status}; it may be having trouble. Try again shortly.")


def validation_messages(body: Any) -> list[str]:
    """Xero's own words from a 400 body: every element's ValidationErrors, else Message/Detail."""
    try:
        payload = json.loads(body) if isinstance(body, str | bytes) else body
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return ["Xero refused the request"]
    messages: list[str] = []
    for element in payload.get("Elements") or []:
        for problem in element.get("ValidationErrors") or []:
            if problem.get("Message") and problem["Message"] not in messages:
                messages.append(str(problem["Message"]))
    if not messages:
        messages.append(str(payload.get("Detail") or payload.get("Message") or payload.get("Title") or "refused"))
    return messages


def _int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name) if headers is not None else None
    if value is None and headers is not None:
        value = headers.get(name.lower())
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
