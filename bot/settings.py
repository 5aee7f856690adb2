"""The bot's configuration, read once at start-up from the environment and `.env` (CONTRACT §1)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_XERO_SCOPES = (
    "openid profile email offline_access accounting.banktransactions "
    "accounting.settings.read accounting.contacts accounting.attachments"
)

# What a good value looks like, named in the one-line start-up error.
EXAMPLES: dict[str, str] = {
    "database_url": "sqlite:///xero-expense-bot.db or postgresql+psycopg://user@host:5432/db",
    "encryption_key": "the output of `xero-expense-bot keygen`",
    "public_url": "https://bot.example.com",
    "port": "3000",
    "slack_signing_secret": "the Signing Secret from your Slack app's Basic Information page",
    "slack_bot_token": "xoxb-…",
    "slack_app_token": "xapp-…",
    "slack_api_url": "https://slack.com/api/",
    "xero_redirect_uri": "https://bot.example.com/xero/callback",
    "xero_login_url": "https://login.xero.com",
    "xero_identity_url": "https://identity.xero.com",
    "xero_api_url": "https://api.xero.com",
    "finance_channel": "C0123456789",
    "receipt_max_mb": "10",
    "log_level": "INFO",
    "log_format": "text or json",
    "host": "0.0.0.0, or 127.0.0.1 behind a proxy on the same machine",
    "sync_lease_seconds": "60",
    "xero_minute_limit": "60",
    "job_tick_seconds": "5",
}


# Read from the working directory, as the README says; `doctor` prints its absolute path.
ENV_FILE = ".env"


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message is one line for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = "sqlite:///xero-expense-bot.db"
    encryption_key: SecretStr | None = None
    public_url: AnyHttpUrl = AnyHttpUrl("http://localhost:3000")
    port: int = Field(default=3000, ge=1, le=65535)
    host: str = Field(default="0.0.0.0", min_length=1)
    # When set, GET /metrics answers only `Authorization: Bearer <token>`.
    metrics_token: SecretStr | None = None

    slack_signing_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")

    xero_client_id: str | None = None
    xero_client_secret: SecretStr | None = None
    xero_redirect_uri: AnyHttpUrl | None = None
    xero_login_url: AnyHttpUrl = AnyHttpUrl("https://login.xero.com")
    xero_identity_url: AnyHttpUrl = AnyHttpUrl("https://identity.xero.com")
    xero_api_url: AnyHttpUrl = AnyHttpUrl("https://api.xero.com")
    xero_scopes: str = DEFAULT_XERO_SCOPES

    finance_channel: str | None = Field(default=None, pattern=r"^[CGD][A-Z0-9]{2,}$")
    payments_webhook_secret: SecretStr | None = None
    receipt_max_mb: float = Field(default=10, gt=0, le=100)
    log_level: str = Field(default="INFO", pattern=r"(?i)^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")
    log_format: str = Field(default="text", pattern=r"(?i)^(text|json)$")
    # Calls a minute the bot allows itself per Xero organisation (Xero's limit is 60; some tiers allow more).
    xero_minute_limit: int = Field(default=60, ge=1, le=100_000)
    # Calls a day per Xero organisation (Xero's standard limit is 5,000; the Starter tier allows far fewer). Bulk
    # sync confirmations say when a run finishes or that it resumes tomorrow; receipts never spend the last calls.
    xero_day_limit: int = Field(default=5000, ge=1, le=1_000_000)
    # How long a sync claim lives without a heartbeat before another instance settles it (a live sync renews
    # its claims every few seconds, so only a stopped instance's claims ever lapse).
    sync_lease_seconds: int = Field(default=60, ge=1, le=86400)
    # The most seconds between two runs of the jobs that run every few seconds (posting new payments, sync, the
    # Slack outbox, bulk progress); a job due sooner keeps its own interval. Lowered by tests that watch `serve`.
    job_tick_seconds: float = Field(default=5, gt=0, le=60)

    @field_validator("encryption_key")
    @classmethod
    def _keys_are_32_bytes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        for part in value.get_secret_value().split(","):
            try:
                raw = base64.b64decode(part.strip(), validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("is not base64") from None
            if len(raw) != 32:
                raise ValueError("must decode to 32 bytes")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("is not a SQLAlchemy URL")
        return value

    # Derived values, so callers never rebuild URLs by hand.
    @property
    def base_url(self) -> str:
        return str(self.public_url).rstrip("/")

    @property
    def redirect_uri(self) -> str:
        if self.xero_redirect_uri is not None:
            return str(self.xero_redirect_uri)
        return f"{self.base_url}/xero/callback"

    @property
    def slack_api_base(self) -> str:
        url = str(self.slack_api_url)
        return url if url.endswith("/") else url + "/"

    @property
    def multi_workspace(self) -> bool:
        return self.slack_client_id is not None

    @property
    def receipt_max_bytes(self) -> int:
        return int(self.receipt_max_mb * 1024 * 1024)

    @property
    def scopes(self) -> list[str]:
        return self.xero_scopes.split()

    def require_serving(self) -> None:
        """Raise ConfigError for what `serve` cannot run without."""
        if self.encryption_key is None:
            raise ConfigError(
                "ENCRYPTION_KEY is not set: run `xero-expense-bot keygen` and set ENCRYPTION_KEY to its output"
            )
        if self.slack_app_token is None and self.slack_signing_secret is None:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your Slack app's "
                "Basic Information page (or set SLACK_APP_TOKEN=xapp-… for Socket Mode)"
            )
        if self.slack_bot_token is None and not self.multi_workspace:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: use the app's Bot User OAuth Token (xoxb-…), "
                "or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for multi-workspace installs"
            )
        if self.multi_workspace and self.slack_client_secret is None:
            raise ConfigError("SLACK_CLIENT_SECRET is not set: it is required with SLACK_CLIENT_ID")


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning a validation failure into one readable line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "configuration"
        reason = str(error["msg"]).removeprefix("Value error, ")
        example = EXAMPLES.get(field, "see the README's configuration table")
        raise ConfigError(f"{field.upper()} is invalid ({reason}); a good value looks like {example}") from None
