"""Typed settings, read from the environment and `.env`, checked once at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_PEPPER = "dev-only-pepper-change-me"


class SettingsError(Exception):
    """A setting has a bad value; the message says which and how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: str = Field("development", pattern="^(development|test|production)$")
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_base_url: str = "http://127.0.0.1:8080"
    simulator_enabled: bool = True

    redis_url: str = "redis://127.0.0.1:6379/0"
    bot_namespace: str = Field("sb", pattern=r"^[a-zA-Z0-9_\-]{1,32}$")
    user_key_pepper: str = DEV_PEPPER
    address_key: str = DEV_PEPPER
    state_ttl_days: int = Field(30, ge=1, le=365)

    database_url: str = "sqlite:///./seguros.db"

    rasa_url: str | None = None
    rasa_token: str | None = None
    rasa_timeout: float = Field(1.0, gt=0, le=10)

    content_dir: Path = ROOT / "content"
    flows_dir: Path = ROOT / "flows"

    telegram_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base: str = "https://api.telegram.org/bot"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_whatsapp_from: str | None = None
    twilio_api_base: str | None = None

    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("rasa_url")
    @classmethod
    def _rasa_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value or None


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value stops start-up with a message naming the variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "_".join(str(part) for part in err["loc"]).upper()
            lines.append(f"  {name}: {err['msg']} (got {err.get('input')!r})")
        raise SettingsError("Bad settings in the environment or .env:\n" + "\n".join(lines)
                            + "\nSee .env.example for every setting and its allowed values.") from None
    if settings.environment == "production" and settings.simulator_enabled:
        raise SettingsError("SIMULATOR_ENABLED must be false in production: the simulator page has no login.")
    if settings.environment == "production" and DEV_PEPPER in (settings.user_key_pepper, settings.address_key):
        raise SettingsError("USER_KEY_PEPPER and ADDRESS_KEY must be set to long random secrets in production "
                            "(for example: python -c 'import secrets; print(secrets.token_hex(32))').")
    return settings
