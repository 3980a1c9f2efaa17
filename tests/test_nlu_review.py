"""The review loop: unsure messages kept scrubbed for 30 days, exported by admins and supervisors
(audited), labelled lines imported into nlu/data after validation, never from the blind set."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import httpx
from redis.asyncio import Redis

from bot.cli.nlu_review import run
from bot.config import ROOT, load_settings
from bot.nlu.client import RasaClient
from bot.nlu.review import RETENTION_SECONDS, ReviewLog, add_to_training, read_labels, scrub, sheet
from bot.nlu.understander import RasaUnderstander
from bot.store.db import Store, make_engine, upgrade
from tests.conftest import REDIS_URL


def test_the_scrubber_removes_numbers_emails_and_urls_and_keeps_meaning() -> None:
    text = ("llamame al +591 71234567 o al 7123-4567, mi correo es ana.q@gmail.com, mira https://t.co/xyz y "
            "facebook.com/ana.perez, mi carnet 4812736 y tengo 15 años, el 110 no contesta")
    cleaned = scrub(text)
    for secret in ("71234567", "7123-4567", "ana.q@gmail.com", "t.co", "facebook.com", "4812736", "ana.perez"):
        assert secret not in cleaned, secret
    assert "15 años" in cleaned and "110" in cleaned and cleaned.count("<número>") == 3
    assert "<email>" in cleaned and cleaned.count("<url>") == 2


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_unsure_messages_are_kept_scrubbed_for_30_days_only(redis: Redis, namespace: str) -> None:
    clock = FakeClock()
    log = ReviewLog(redis, namespace, clock)
    await log.record("q hago mi numero es 71234567", "grooming", 0.41)
    entries = await log.entries()
    assert [(e["text"], e["guess"]) for e in entries] == [("q hago mi numero es <número>", "grooming")]
    assert 0 < await redis.ttl(log.key) <= RETENTION_SECONDS
    assert set(entries[0]) == {"id", "text", "guess", "confidence"}, "no user key, address or channel"
    clock.now += RETENTION_SECONDS + 1
    assert await log.entries() == []


def _rasa(intent: str, confidence: float) -> httpx.MockTransport:
    body = {"intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}]}
    return httpx.MockTransport(lambda request: httpx.Response(200, json=body))


async def test_only_readings_the_bot_does_not_act_on_are_recorded(redis: Redis, namespace: str) -> None:
    """(Once per message: the pipeline asks the model once per turn, tests/test_pipeline.py.)"""
    log = ReviewLog(redis, namespace)
    unsure = RasaUnderstander(RasaClient("http://rasa", None, transport=_rasa("privacy", 0.3)), review=log)
    sure = RasaUnderstander(RasaClient("http://rasa", None, transport=_rasa("privacy", 0.97)), review=log)
    await unsure.understand("algo raro con mi cuenta")
    await sure.understand("me hackearon el face")
    await unsure.aclose()
    await sure.aclose()
    assert [e["text"] for e in await log.entries()] == ["algo raro con mi cuenta"]


def test_the_sheet_counts_similar_messages() -> None:
    entries = [{"text": "Q hago", "guess": "menu", "confidence": 0.4}, {"text": "q hago!", "guess": "menu",
               "confidence": 0.5}, {"text": "otra cosa", "guess": "deny", "confidence": 0.3}]
    rows = sheet(entries, lambda text: "es")
    assert [(r["text"], r["count"], r["confidence"], r["label"]) for r in rows] == [
        ("Q hago", "2", "0.45", ""), ("otra cosa", "1", "0.30", "")]


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "language", "best_guess", "confidence", "count", "label"])
        writer.writeheader()
        writer.writerows({"best_guess": "", "confidence": "", "count": "1", **row} for row in rows)


def test_an_import_is_validated_and_cannot_bring_in_the_blind_set(tmp_path: Path) -> None:
    blind = json.loads((ROOT / "nlu" / "eval" / "blind.jsonl").read_text(encoding="utf-8").splitlines()[-1])["text"]
    sheet_path = tmp_path / "review.csv"
    _write(sheet_path, [{"text": "mi primo me pide fotos raras", "language": "es", "label": "grooming"},
                        {"text": blind, "language": "es", "label": "menu"},
                        {"text": "algo", "language": "xx", "label": "menu"},
                        {"text": "otra", "language": "es", "label": "pizza"},
                        {"text": "sin etiqueta", "language": "es", "label": ""}])
    intents = {"grooming", "grooming/about", "menu"}
    labelled, problems = read_labels(sheet_path, intents, [blind])
    assert [(p.line, p.what.split()[0]) for p in problems] == [(3, "this"), (4, "unknown"), (5, "'pizza'")]
    assert [(item.intent, item.text) for item in labelled] == [("grooming/about", "mi primo me pide fotos raras")]
    (tmp_path / "nlu" / "data").mkdir(parents=True)
    assert add_to_training(tmp_path, labelled) == 1 and add_to_training(tmp_path, labelled) == 0
    written = (tmp_path / "nlu" / "data" / "review.yml").read_text(encoding="utf-8")
    assert "- intent: grooming/about" in written and "    - mi primo me pide fotos raras" in written
    assert not (tmp_path / "nlu" / "eval").exists()


async def test_export_is_for_admins_and_supervisors_and_is_audited(tmp_path: Path, redis: Redis,
                                                                  namespace: str) -> None:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    upgrade(url)
    store = Store(make_engine(url))
    store.add_counselor("sup", "Supervisora", "x", "supervisor")
    store.add_counselor("con", "Consejera", "x", "counselor")
    await ReviewLog(redis, namespace).record("y eso q es mi mail ana@x.bo", "out_of_scope", 0.3)
    # the test's Redis namespace has a colon, which settings refuse: set it on a validated copy
    settings = load_settings(redis_url=REDIS_URL, database_url=url).model_copy(update={"bot_namespace": namespace})
    refused = await run(settings, ROOT, user="con", export=tmp_path / "no.csv", labels=None)
    assert refused == 2 and not (tmp_path / "no.csv").exists()
    assert await run(settings, ROOT, user="sup", export=tmp_path / "sheet.csv", labels=None) == 0
    rows = list(csv.DictReader((tmp_path / "sheet.csv").read_text(encoding="utf-8").splitlines()))
    assert [(r["text"], r["language"], r["label"]) for r in rows] == [("y eso q es mi mail <email>", "es", "")]
    assert [(e.actor, e.action) for e in store.audit_entries()] == [("sup", "nlu_review_export")]
