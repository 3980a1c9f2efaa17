"""docker-compose and settings agree: every service the bot's settings point at is there."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from bot.config import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, object]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_every_service_the_bot_points_at_exists_with_a_health_check() -> None:
    services = compose()["services"]
    assert isinstance(services, dict)
    env = services["bot"]["environment"]
    for setting in ("REDIS_URL", "RASA_URL", "DATABASE_URL"):
        host = urlparse(env[setting].replace("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}", "x")).hostname
        assert host in services, f"{setting} points at '{host}', which docker-compose does not run"
        assert "healthcheck" in services[host], f"service '{host}' has no health check"
        assert services["bot"]["depends_on"][host]["condition"] == "service_healthy"


def test_compose_env_names_are_real_settings() -> None:
    env = compose()["services"]["bot"]["environment"]  # type: ignore[index]
    fields = {name.upper() for name in Settings.model_fields}
    assert set(env) <= fields, f"unknown settings in docker-compose: {set(env) - fields}"


def test_redis_keeps_an_append_only_file_and_rasa_runs_the_official_image() -> None:
    services = compose()["services"]
    assert "--appendonly" in services["redis"]["command"]  # type: ignore[index]
    assert services["rasa"]["image"] == "rasa/rasa:3.6.21-full"  # type: ignore[index]


def test_env_example_lists_every_setting() -> None:
    listed = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
              if line and not line.startswith("#")}
    fields = {name.upper() for name in Settings.model_fields if name not in ("content_dir", "flows_dir")}
    assert fields <= listed, f".env.example lacks {fields - listed}"


def test_a_bad_setting_stops_start_up_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(SettingsError, match="PORT"):
        load_settings()


def test_production_refuses_the_development_pepper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SIMULATOR_ENABLED", "false")
    with pytest.raises(SettingsError, match="USER_KEY_PEPPER"):
        load_settings()
