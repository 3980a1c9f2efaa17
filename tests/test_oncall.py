"""The on-call alert: an urgent case waiting too long is announced once, without the user's words."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from starlette.testclient import TestClient

from bot.core.types import Incoming
from bot.handoff.oncall import OnCallAlerts
from bot.handoff.service import RedisHandoff
from bot.web.app import create_app
from tests.conftest import Clock, drop_namespace
from tests.doubles import TelegramDouble
from tests.test_telegram import CHAT, UPDATES, _settings, post, telegram  # noqa: F401 - fixture


async def test_an_urgent_case_waiting_too_long_is_announced_once_without_words(redis: Redis, namespace: str) -> None:
    clock = Clock()
    handoff = RedisHandoff(redis, namespace, clock=clock)
    msg = Incoming("whatsapp", "+59170000009", "u-oncall", "m1", text="me tienen encerrada en un cuarto")
    await handoff.open_ticket(msg, lang="qu", priority="urgent", category="trafficking",
                              trigger="me tienen encerrada", summary={"channel": "whatsapp"})
    await handoff.open_ticket(Incoming("telegram", "5", "u-normal", "m2", text="persona"), lang="es",
                              priority="normal", category=None, trigger=None, summary=None)
    alerts: list[str] = []

    async def send(text: str) -> None:
        alerts.append(text)

    oncall = OnCallAlerts(redis, namespace, handoff.queue, send, after_minutes=5,
                          console_url="https://bot.example.org/console", clock=clock)
    clock.now += 4 * 60
    assert await oncall.check_once() == 0, "not yet: four minutes"
    clock.now += 2 * 60
    assert await oncall.check_once() == 1
    assert await oncall.check_once() == 0, "one alert per case"
    assert alerts == ["Caso URGENTE sin atender hace 6 min · trata / retención · idioma qu · whatsapp.\n"
                      "Entra a la consola: https://bot.example.org/console"]
    assert "encerrada" not in alerts[0] and "+591" not in alerts[0] and "u-oncall" not in alerts[0]


async def test_a_failed_alert_is_tried_again(redis: Redis, namespace: str) -> None:
    handoff = RedisHandoff(redis, namespace)
    await handoff.open_ticket(Incoming("telegram", "5", "u1", "m1", text="me pegan"), lang="es", priority="urgent",
                              category="violence", trigger="me pegan", summary=None)
    attempts: list[str] = []

    async def flaky(text: str) -> None:
        attempts.append(text)
        if len(attempts) == 1:
            raise ConnectionError("telegram unreachable")

    oncall = OnCallAlerts(redis, namespace, handoff.queue, flaky, after_minutes=0, console_url="/console")
    assert await oncall.check_once() == 0
    assert await oncall.check_once() == 1 and len(attempts) == 2


@pytest.fixture
def app_with_oncall(tmp_path: Path, telegram: tuple[TelegramDouble, str]  # noqa: F811
                    ) -> Iterator[tuple[TestClient, TelegramDouble]]:
    double, url = telegram
    ns = f"test:{secrets.token_hex(6)}"
    settings = _settings(tmp_path, url, oncall_telegram_chat_id=-100999, oncall_alert_minutes=0)
    with TestClient(create_app(settings, namespace=ns)) as client:
        yield client, double
    drop_namespace(ns)


def test_the_alert_goes_to_the_on_call_group_through_the_bot(app_with_oncall: tuple[TestClient, TelegramDouble]
                                                             ) -> None:
    client, double = app_with_oncall
    post(client, {**UPDATES["text"], "update_id": 90, "message": {**UPDATES["text"]["message"],
                                                                  "text": "me pegan en mi casa"}})
    double.wait_for(2)
    channels = client.app.state.channels  # type: ignore[attr-defined]
    assert client.portal.call(channels.oncall_alerts().check_once) == 1  # type: ignore[union-attr]
    group = [m for m in double.sent if str(m["chat_id"]) == "-100999"]
    assert len(group) == 1 and "URGENTE" in group[0]["text"] and "pegan" not in group[0]["text"]
    assert all(str(m["chat_id"]) in (str(CHAT), "-100999") for m in double.sent)
