"""Settings read from the environment and from `.env` (pydantic-settings)."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# A Bot API token is "<bot id>:<secret>", the secret being 35 URL-safe characters today.
TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,100}$")
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
