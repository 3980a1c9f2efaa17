"""Retention in one place: every Redis key the bot writes has the TTL docs/RETENTION.md gives it.

The table is tied to the key builder (bot/store/keys.py): each lists the same key patterns.
Real flows on the real Redis in a fresh namespace: a Telegram conversation through the webhook,
the inbox and outbox workers, a button press, an urgent message that opens a ticket, a counselor
who logs in, takes it, replies and closes it, a simulator user and a deleted user. Then every key
of the namespace is SCANned and checked against the table: an unknown key pattern fails, and so
does a key whose TTL is missing or longer than the table allows.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from bot.store.db import OUTCOMES, Store, make_engine, upgrade
from bot.store.keys import Keys
from bot.web.app import create_app
from tests.conftest import REDIS_URL, drop_namespace
from tests.doubles import TelegramDouble
from tests.test_telegram import CHAT, UPDATES, _settings, post, telegram  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "RETENTION.md"
PASSWORD = "una-clave-larga-123"
UNITS = {"s": 1, "min": 60, "h": 3600, "d": 86400}
OUTCOME = next(o for o in OUTCOMES if o != "handback")


@dataclass(frozen=True)
class Rule:
    pattern: str  # as written in the table, under `{ns}:`
    regex: re.Pattern[str]
    max_ttl: int | None  # seconds; None: no TTL, for the reason the table gives
    line: int


def retention_table(path: Path = TABLE) -> list[Rule]:
    """The rows of the table whose header starts `| key | TTL |`: `<name>` is one key segment, `<name…>` the rest."""
    rules: list[Rule] = []
    in_table = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) >= 3 and cells[0].lower() == "key" and cells[1].lower() == "ttl":
            in_table = True
            continue
        if not cells:
            in_table = False
            continue
        if not in_table or set(cells[0]) <= set("-: "):
            continue
        pattern = cells[0].strip("`")
        rules.append(Rule(pattern, pattern_regex(pattern), _seconds(cells[1], number), number))
    assert rules, f"{path} has no `| key | TTL | why |` table"
    return rules


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """`<name>` is one segment (no `:`), `<name…>` the rest (inside a hash tag `{…}`: anything but braces)."""
    parts = [part for part in re.split(r"(<[^>]+>)", pattern) if part]
    regex = ""
    for n, part in enumerate(parts):
        if not part.startswith("<"):
            regex += re.escape(part)
        elif part.endswith("…>"):
            regex += "[^{}]+" if n and parts[n - 1].endswith("{") else ".+"
        else:
            regex += "[^:{}]+"
    return re.compile(regex + r"\Z")


def _seconds(cell: str, line: int) -> int | None:
    if cell.lower().startswith("none"):
        return None
    found = re.match(r"(?:≤\s*)?(\d+(?:\.\d+)?)\s*(min|s|h|d)\b", cell)
    assert found, f"RETENTION.md line {line}: TTL {cell!r} is not like '30 d', '8 h', '≤ 10 s' or 'none …'"
    return int(float(found.group(1)) * UNITS[found.group(2)])


def check_keys(client: redis_sync.Redis, ns: str, rules: list[Rule]) -> list[str]:
    problems = []
    for raw in client.scan_iter(match=f"{ns}:*", count=500):
        key = raw.decode()[len(ns) + 1:]
        rule = next((r for r in rules if r.regex.match(key)), None)
        if rule is None:
            problems.append(f"{key}: no row in docs/RETENTION.md matches this key")
            continue
        ttl = int(client.ttl(raw))
        if ttl == -2:  # it expired meanwhile (a lock, a lease)
            continue
        if rule.max_ttl is not None and ttl == -1:
            problems.append(f"{key}: no TTL, the table (line {rule.line}: {rule.pattern}) says {rule.max_ttl} s")
        elif rule.max_ttl is not None and ttl > rule.max_ttl + 1:
            problems.append(f"{key}: TTL {ttl} s, longer than the table's {rule.max_ttl} s ({rule.pattern})")
    return problems


def test_the_table_parses_and_each_key_finds_its_own_row() -> None:
    rules = retention_table()
    k = Keys("ns")
    samples = {k.user("abc", "state"): "u:{<user>}:state", k.tickets.ticket("0f3a"): "hq:{hq}:ticket:<id>",
               k.queue("out:whatsapp").list("abc"): "mq:{out:whatsapp}:u:<user>",
               k.queue("out:telegram").list("abc"): "mq:{<queue…>}:u:<user>",
               k.queue("in").lease("abc"): "mq:{<queue…>}:lease:<user>",
               k.queue("in").seen("telegram", "t:1:2"): "mq:{<queue…>}:seen:<channel>:<id…>",
               k.dedup("abc", "telegram", "t:1:2"): "dedup:{<user>}:<channel>:<id…>",
               k.rates("telegram").paused: "rl:{<channel>}:paused",
               k.rates("telegram").pace("chat", "abc"): "rl:{<channel>}:pace:<pace>:<user>"}
    for key, pattern in samples.items():
        first = next((r.pattern for r in rules if r.regex.match(key.removeprefix("ns:"))), None)
        assert first == pattern, (key, first)
    assert len({r.pattern for r in rules}) == len(rules), "one row per key pattern"


def test_the_table_and_the_key_builder_list_the_same_keys() -> None:
    """Every pattern bot/store/keys.py can build has its row, and every row is a pattern it builds (the
    whatsapp outbox row is a narrower case of the queue row); so a new key needs a row, and a stale row fails."""
    rules = retention_table()
    built = Keys.patterns()
    rows = {r.pattern for r in rules}
    assert sorted(set(built) - rows) == [], "key patterns with no row in docs/RETENTION.md"
    stale = [r.pattern for r in rules if r.pattern not in built
             and not any(pattern_regex(p).match(r.pattern.replace("<user>", "x")) for p in built)]
    assert stale == [], "rows of docs/RETENTION.md that bot/store/keys.py never builds"
    documented = (ROOT / "docs" / "REDIS.md").read_text(encoding="utf-8")
    assert [p for p in built if f"`{p}`" not in documented] == [], "key patterns missing from docs/REDIS.md"


def test_the_check_catches_a_key_kept_too_long_an_unknown_key_and_a_missing_ttl() -> None:
    ns = f"test:{secrets.token_hex(6)}"
    plain = redis_sync.Redis.from_url(REDIS_URL)
    try:
        keys = Keys(ns)
        plain.set(keys.user("abc", "last_in"), "1", ex=40 * 86400)  # what reach.py did before
        plain.set(keys.user("abc", "state"), "{}")
        plain.set(f"{ns}:mystery", "1", ex=60)
        plain.zadd(keys.tickets.waiting, {"t1": 1})  # an index: no TTL, for the reason in the table
        problems = sorted(check_keys(plain, ns, retention_table()))
    finally:
        drop_namespace(ns)
        plain.close()
    assert [p.split(": ")[0] for p in problems] == ["mystery", "u:{abc}:last_in", "u:{abc}:state"], problems


@pytest.fixture
def app(tmp_path: Path, telegram: tuple[TelegramDouble, str]  # noqa: F811
        ) -> Iterator[tuple[TestClient, TelegramDouble, str]]:
    double, url = telegram
    ns = f"test:{secrets.token_hex(6)}"
    settings = _settings(tmp_path, url, telegram_chat_rate=50.0)
    upgrade(settings.database_url)
    Store(make_engine(settings.database_url)).add_counselor("ana", "Ana", PasswordHasher().hash(PASSWORD), "counselor")
    with TestClient(create_app(settings, namespace=ns), base_url="http://testserver") as client:
        yield client, double, ns
    drop_namespace(ns)


def _message(update_id: int, text: str) -> dict[str, Any]:
    return {**UPDATES["text"], "update_id": update_id,
            "message": {**UPDATES["text"]["message"], "message_id": update_id, "text": text}}


def _sent_to_user(double: TelegramDouble, count: int) -> None:
    deadline = time.monotonic() + 15
    while len([m for m in double.sent if str(m.get("chat_id")) == str(CHAT)]) < count:
        assert time.monotonic() < deadline, f"the bot sent {len(double.sent)} message(s), expected {count}"
        time.sleep(0.02)


def test_every_key_the_bot_writes_has_the_ttl_of_the_retention_table(
        app: tuple[TestClient, TelegramDouble, str]) -> None:
    client, double, ns = app
    # A conversation on Telegram: webhook → inbox → pipeline → outbox → Bot API double.
    assert post(client, _message(800001, "hola")).status_code == 200
    _sent_to_user(double, 1)
    assert post(client, {**UPDATES["button_press"], "update_id": 800002}).status_code == 200
    _sent_to_user(double, 2)
    assert post(client, _message(800003, "me pegan en mi casa")).status_code == 200  # urgent: a ticket
    _sent_to_user(double, 3)
    # Another user on the simulator, who then deletes their data.
    said = client.post("/simulator/api/message", content=json.dumps({"user": "eva", "text": "borrar"})).json()
    confirm = next(c["payload"] for r in said["replies"] for c in r["choices"] if c["title"].startswith("Sí"))
    done = client.post("/simulator/api/message", content=json.dumps({"user": "eva", "choice": confirm}))
    assert done.status_code == 200
    # A counselor takes the case, replies on the user's channel and closes it.
    login = client.post("/console/api/login", json={"username": "ana", "password": PASSWORD})
    csrf = {"X-CSRF-Token": login.json()["csrf"]}
    waiting = client.get("/console/api/queue").json()["waiting"]
    assert [t["priority"] for t in waiting] == ["urgent"]
    ticket = waiting[0]["id"]
    assert client.post(f"/console/api/tickets/{ticket}/claim", headers=csrf).status_code == 200
    sent_before = len(double.sent)
    assert client.post(f"/console/api/tickets/{ticket}/reply", headers=csrf,
                       json={"text": "Hola, soy Ana."}).status_code == 200
    assert post(client, _message(800004, "gracias")).status_code == 200  # relayed to the counselor
    assert client.post(f"/console/api/tickets/{ticket}/close", headers=csrf,
                       json={"outcome": OUTCOME}).status_code == 200
    _sent_to_user(double, sent_before + 2)  # the reply and the hand-back text

    plain = redis_sync.Redis.from_url(REDIS_URL)
    try:
        keys = {k.decode()[len(ns) + 1:] for k in plain.scan_iter(match=f"{ns}:*", count=500)}
        for expected in ("hq:{hq}:transcript:", "hq:{hq}:ticket:", "u:{", "console:{"):
            assert any(k.startswith(expected) for k in keys), f"the flows wrote no {expected}* key: {sorted(keys)}"
        problems = check_keys(plain, ns, retention_table())
    finally:
        plain.close()
    assert not problems, "\n".join(problems)

