"""`python -m bot nlu review --export FILE | --import FILE --as USER`: the review loop's staff side
(bot/nlu/review.py keeps the unsure messages; this exports them as a sheet and imports the labels)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.nlu.review import REVIEW_FILE, REVIEWERS, ReviewLog, add_to_training, read_labels, sheet, write_sheet


async def run(settings: object, root: Path, *, user: str, export: Path | None, labels: Path | None) -> int:
    """`python -m bot nlu review --export FILE | --import FILE --as USER` (admins and supervisors)."""
    from bot.app.runtime import connect_redis
    from bot.config import Settings
    from bot.flows.intents import domain_intents
    from bot.nlu.langid import LanguageIdentifier
    from bot.store.db import Store, make_engine, upgrade

    assert isinstance(settings, Settings)
    upgrade(settings.database_url)
    store = Store(make_engine(settings.database_url))
    who = store.counselor(user)
    if who is None or not who.active or who.role not in REVIEWERS:
        print(f"'{user}' is not an active admin or supervisor: the review sheet holds what users wrote.")
        return 2
    if export is not None:
        redis = connect_redis(settings.redis_url)
        try:
            entries = await ReviewLog(redis, settings.bot_namespace).entries()
        finally:
            await redis.aclose()
        langid = LanguageIdentifier.from_project(root)
        rows = sheet(entries, lambda text: langid.predict(text)[0])
        write_sheet(rows, export)
        store.audit(who.username, "nlu_review_export", detail=f"{len(rows)} rows")
        print(f"wrote {len(rows)} rows to {export}: fill the 'label' column and import it")
        return 0
    if labels is None:
        print("say --export FILE or --import FILE")
        return 2
    intents = domain_intents(root / "nlu" / "domain.yml") or set()
    topics = ("grooming", "sextortion", "job_offers", "privacy", "cyberbullying", "caregivers")
    kinds = ("about", "what_is", "signs", "what_to_do", "is_crime", "help_friend")
    intents |= {f"{t}/{k}" for t in topics for k in kinds}
    blind_path = root / "nlu" / "eval" / "blind.jsonl"
    blind = [json.loads(line)["text"] for line in blind_path.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if blind_path.exists() else []
    labelled, problems = read_labels(labels, intents, blind)
    for problem in problems:
        print(problem)
    if problems:
        print("Nothing was imported: fix the rows above and import again.")
        return 1
    added = add_to_training(root, labelled)
    store.audit(who.username, "nlu_review_import", detail=f"{added} new examples")
    print(f"added {added} examples to {REVIEW_FILE}; train again with `python -m bot nlu train`")
    return 0
