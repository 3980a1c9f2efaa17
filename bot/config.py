"""Typed settings, read from the environment and `.env`, checked once at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_PEPPER = "dev-only-pepper-change-me"


def is_cluster_url(url: str) -> bool:
    return url.startswith(("redis+cluster://", "rediss+cluster://"))


class SettingsError(Exception):
    """A setting has a bad value; the message says which and how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: str = Field("development", pattern="^(development|test|production)$")
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_base_url: str = "http://127.0.0.1:8080"
    simulator_enabled: bool = True

    redis_url: str = "redis://127.0.0.1:6379/0"  # redis+cluster://host:port: a Redis Cluster (any node)
    redis_cluster: bool = False  # true: REDIS_URL names one node of a Redis Cluster (docs/REDIS.md)
    bot_namespace: str = Field("sb", pattern=r"^[a-zA-Z0-9_\-]{1,32}$")
    user_key_pepper: str = DEV_PEPPER
    address_key: str = DEV_PEPPER
    state_ttl_days: int = Field(30, ge=1, le=365)
    handoff_retention_days: int = Field(90, ge=1, le=3650)
    ticket_abandon_days: int = Field(30, ge=1, le=365)

    database_url: str = "sqlite:///./seguros.db"
    # Analytics (docs/REPORTS.md): events are kept this long; report cells under REPORT_MIN_CELL show "<n" (0: off).
    analytics_retention_days: int = Field(400, ge=30, le=3650)
    report_min_cell: int = Field(5, ge=0, le=1000)

    rasa_url: str | None = None
    rasa_token: str | None = None
    rasa_timeout: float = Field(1.0, gt=0, le=10)

    content_dir: Path = ROOT / "content"
    # Links to campaign recordings that Twilio fetches (bot/app/audio_links.py): signed with this secret, expiring.
    audio_url_secret: str = DEV_PEPPER
    audio_url_ttl_seconds: int = Field(3600, ge=60, le=86400)
    flows_dir: Path = ROOT / "flows"

    run_workers: bool = True
    queue_lease_seconds: int = Field(30, ge=2, le=600)
    outbox_max_attempts: int = Field(8, ge=1, le=20)
    outbox_rate_wait_hours: float = Field(6.0, gt=0, le=168)
    whatsapp_parked_hours: float = Field(25.0, ge=1, le=720)
    worker_stall_seconds: int = Field(120, ge=5, le=86400)

    telegram_token: str | None = None
    telegram_mode: str = Field("webhook", pattern="^(webhook|polling)$")
    telegram_webhook_secret: str | None = Field(None, pattern=r"^[A-Za-z0-9_\-]{16,256}$")
    telegram_api_base: str = "https://api.telegram.org/bot"
    telegram_global_rate: float = Field(30.0, gt=0, le=1000)
    telegram_chat_rate: float = Field(1.0, gt=0, le=100)

    oncall_telegram_chat_id: int | None = None
    oncall_alert_minutes: float = Field(5.0, ge=0, le=240)

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_whatsapp_from: str | None = None
    twilio_api_base: str | None = None
    twilio_content_api_base: str | None = None  # Content API (whatsapp sync-content); None: content.twilio.com
    twilio_template_sid: str | None = None
    twilio_status_callbacks: bool = True
    whatsapp_rate: float = Field(10.0, gt=0, le=1000)

    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://", "redis+cluster://", "rediss+cluster://")):
            raise ValueError("must start with redis://, rediss://, unix://, redis+cluster:// or rediss+cluster://")
        return value

    @model_validator(mode="after")
    def _cluster(self) -> Settings:
        """One owner: the URL says whether Redis is a cluster (REDIS_CLUSTER=true only rewrites it)."""
        if self.redis_url.startswith("unix://") and self.redis_cluster:
            raise ValueError("REDIS_CLUSTER needs a redis:// or rediss:// URL (a cluster has no unix socket)")
        if self.redis_cluster and not is_cluster_url(self.redis_url):
            self.redis_url = self.redis_url.replace("://", "+cluster://", 1)
        self.redis_cluster = is_cluster_url(self.redis_url)
        return self

    @field_validator("telegram_token", "telegram_webhook_secret", "twilio_account_sid", "twilio_auth_token",
                     "twilio_whatsapp_from", "twilio_api_base", "twilio_content_api_base", "twilio_template_sid",
                     "oncall_telegram_chat_id",
                     mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token)

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.twilio_account_sid)

    def public_url(self, path: str) -> str:
        return self.public_base_url.rstrip("/") + path

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
    if settings.telegram_enabled and settings.telegram_mode == "webhook" and not settings.telegram_webhook_secret:
        raise SettingsError("TELEGRAM_WEBHOOK_SECRET is required in webhook mode (16+ letters, digits, _ or -), "
                            "or set TELEGRAM_MODE=polling for local use.")
    if settings.oncall_telegram_chat_id is not None and not settings.telegram_enabled:
        raise SettingsError("ONCALL_TELEGRAM_CHAT_ID needs TELEGRAM_TOKEN: the alert is sent by the bot.")
    twilio = [settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_whatsapp_from]
    if any(twilio) and not all(twilio):
        raise SettingsError("WhatsApp needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM together.")
    if settings.whatsapp_enabled and not settings.public_base_url.startswith(("http://", "https://")):
        raise SettingsError("PUBLIC_BASE_URL must be the https address Twilio calls (it signs that exact URL).")
    if settings.environment == "production" and settings.simulator_enabled:
        raise SettingsError("SIMULATOR_ENABLED must be false in production: the simulator page has no login.")
    if settings.environment == "production" and DEV_PEPPER in (settings.user_key_pepper, settings.address_key):
        raise SettingsError("USER_KEY_PEPPER and ADDRESS_KEY must be set to long random secrets in production "
                            "(for example: python -c 'import secrets; print(secrets.token_hex(32))').")
    if settings.environment == "production" and settings.audio_url_secret == DEV_PEPPER:
        raise SettingsError("AUDIO_URL_SECRET must be set to a long random secret in production "
                            "(python -c 'import secrets; print(secrets.token_hex(32))').")
    return settings
