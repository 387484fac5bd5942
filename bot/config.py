"""Settings read from the environment and from `.env` (pydantic-settings)."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# A Bot API token is "<bot id>:<secret>", the secret being 35 URL-safe characters today.
TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,100}$")
WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///salesbot.db"


class DatabaseSettings(BaseSettings):
    """What the migration tools need: the database alone."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_SQLITE_URL


class Settings(DatabaseSettings):
    telegram_bot_token: SecretStr = Field(default=SecretStr(""))
    telegram_api_base_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: str = "en"
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    invite_ttl_hours: int = Field(default=72, ge=1, le=24 * 30)
    reminder_poll_seconds: int = Field(default=20, ge=1, le=60)
    # Webhook mode when WEBHOOK_URL is set (the public HTTPS address Telegram posts to, TLS at a
    # proxy); long polling otherwise.
    webhook_url: str = ""
    webhook_secret: SecretStr = Field(default=SecretStr(""))
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram"
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # Health and metrics in polling mode (0: off). In webhook mode they are on the webhook port.
    ops_port: int = Field(default=0, ge=0, le=65535)
    # The update inbox: updates handled at once by this process, how long handled ones are kept,
    # and the waiting time above which /readyz says "not ready".
    inbox_slots: int = Field(default=8, ge=1, le=256)
    inbox_keep_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    inbox_ready_lag_seconds: int = Field(default=30, ge=1)
    # How long a process may hold a chat without renewing: after its death, its update is handled
    # again by another process within this time.
    inbox_lease_seconds: int = Field(default=20, ge=2, le=600)
    # Card photos are read in this many separate processes (0: in a thread of the bot's process),
    # each photo within this many seconds or refused.
    ocr_workers: int = Field(default=1, ge=0, le=16)
    ocr_budget_seconds: float = Field(default=10.0, gt=0, le=120)
    # A Redis URL (redis://host:6379/0) makes every process share one Telegram sending budget.
    redis_url: str = ""
    log_format: str = "text"

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip()
        if not raw:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        if not TOKEN_RE.match(raw):
            raise ValueError("TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, a secret)")
        return SecretStr(raw)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("ADMIN_IDS must be Telegram user ids separated by commas") from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"DEFAULT_TIMEZONE {value!r} is not an IANA time zone such as Europe/Zagreb")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if raw and not WEBHOOK_SECRET_RE.match(raw):
            raise ValueError("WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str) -> str:
        return "/" + value.strip().strip("/")

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        value = value.lower()
        if value not in {"text", "json"}:
            raise ValueError("LOG_FORMAT must be text or json")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and not self.webhook_secret.get_secret_value():
            raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL (Telegram sends it with every update)")
        return self

    @property
    def webhook_mode(self) -> bool:
        return bool(self.webhook_url)

    @property
    def secrets(self) -> list[str]:
        """Values no log line may show."""
        return [s for s in (self.token, self.webhook_secret.get_secret_value()) if s]

    @property
    def token(self) -> str:
        return self.telegram_bot_token.get_secret_value()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def describe_error(exc: Exception) -> str:
    """One sentence for a settings error, without echoing any secret value."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        return f"Cannot start: {message} (setting {field.upper()})."
    return f"Cannot start: {exc}."
