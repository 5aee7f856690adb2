"""The Web API client for a workspace: the configured bot token, or the one its install stored."""

from __future__ import annotations

import http.client

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.oauth.installation_store import InstallationStore

from bot.errors import DomainError
from bot.settings import Settings

BOT_SCOPES = [
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "channels:history",
    "groups:history",
    "files:read",
    "users:read",
    "users:read.email",
    "reactions:write",
]


# How a Web API call fails: Slack answered an error (any HTTP status), or it did not answer at all.
SLACK_FAILURES: tuple[type[Exception], ...] = (SlackApiError, OSError, http.client.HTTPException)
# …or the workspace's client could not be had (the bot was uninstalled): the same wait-and-retry applies.
SLACK_OR_INSTALL_FAILURES: tuple[type[Exception], ...] = (*SLACK_FAILURES, DomainError)


def slack_error_code(failure: Exception) -> str:
    """Slack's error code (`channel_not_found`, `service_unavailable` …), or what went wrong on the way."""
    if isinstance(failure, DomainError):
        return failure.message
    if isinstance(failure, SlackApiError):
        return str(failure.response.get("error") or f"HTTP {failure.response.status_code}")
    return f"no answer from Slack ({type(failure).__name__})"


def slack_authorize_url(settings: Settings) -> str:
    """Slack's "Add to Slack" page lives beside the Web API: https://slack.com/oauth/v2/authorize."""
    api = settings.slack_api_base.rstrip("/")
    base = api[: -len("/api")] if api.endswith("/api") else api
    return f"{base}/oauth/v2/authorize"


# A dropped connection may come after Slack stored the message: resending it blindly would post it twice.
# The outbox and the card posting retry these themselves, after looking for the message first.
NOT_RESENT_ON_CONNECTION_ERRORS = ("chat.postMessage", "chat.postEphemeral")
# The wait before that one retry: slack-sdk's own (0.5 s, doubling, plus up to 1 s of jitter).
CONNECTION_RETRY: RetryIntervalCalculator = BackoffRetryIntervalCalculator(backoff_factor=0.5)


class _SafeConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """slack-sdk's retry after a connection error, except for calls that post a message."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if request.url.split("?", 1)[0].endswith(NOT_RESENT_ON_CONNECTION_ERRORS):
            return False
        return bool(super()._can_retry(state=state, request=request, response=response, error=error))


def slack_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client that honours SLACK_API_URL and waits out Slack's 429s."""
    return WebClient(
        token=token,
        base_url=settings.slack_api_base,
        retry_handlers=[
            _SafeConnectionErrorRetryHandler(interval_calculator=CONNECTION_RETRY),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


class SlackClients:
    def __init__(self, settings: Settings, installations: InstallationStore | None = None) -> None:
        self._settings = settings
        self._installations = installations
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        self._single = slack_client(settings, token) if token else None

    @property
    def single_workspace(self) -> bool:
        return self._single is not None

    def single_client(self) -> WebClient:
        if self._single is None:
            raise DomainError("The bot runs in multi-workspace mode; name the workspace.")
        return self._single

    def for_team(self, team_id: str) -> WebClient:
        if self._single is not None:
            return self._single
        bot = self._installations.find_bot(enterprise_id=None, team_id=team_id) if self._installations else None
        if bot is None or not bot.bot_token:
            raise DomainError("The bot is not installed in this workspace any more; reinstall it from /slack/install.")
        return slack_client(self._settings, bot.bot_token)
