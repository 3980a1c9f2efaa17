"""The short chaos run (scripts/chaos.py --short): real bot processes (one web-only, two workers), their
own Redis, a Bot API double going through every fault mode; a worker and Redis are SIGKILLed during the
load. Nothing may be lost, stuck or out of order, doubles stay within 0.5 %, and no log holds a text."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.chaos import CHAT_BASE, DOUBLE_BOUND, Step, User, compare, scan_logs

ROOT = Path(__file__).resolve().parent.parent


def test_the_comparison_sees_every_kind_of_failure() -> None:
    expected = ["a", "b", "b", "c"]
    assert compare(expected, ["a", "b", "b", "c"]).__dict__ == {"lost": 0, "doubled": 0, "unexpected": 0,
                                                                "out_of_order": False}
    assert compare(expected, ["a", "b", "c"]).lost == 1
    resent = compare(expected, ["a", "a", "b", "b", "c"])  # a kill in the send instant: sent again, in place
    assert (resent.doubled, resent.lost, resent.out_of_order) == (1, 0, False)
    swapped = compare(expected, ["a", "c", "b", "b"])
    assert swapped.out_of_order and swapped.lost == 0
    assert compare(expected, ["a", "b", "b", "c", "zzz"]).unexpected == 1


def test_the_log_scan_finds_a_chat_id_a_text_or_a_secret(tmp_path: Path) -> None:
    user = User(3, [Step(text="buenas tardes")], [["Hola, soy el asistente de la campaña y te ayudo"]])
    log = tmp_path / "worker.log"
    log.write_text("WARNING outbox: temporary failure, attempt 1\n"
                   f"ERROR inbox: chat {CHAT_BASE + 3} failed\n"
                   "WARNING turn for 'buenas tardes'\n"
                   "INFO sent Hola, soy el asistente de la campaña y te ayudo\n"
                   "WARNING token s3cr3t-t0ken\n", encoding="utf-8")
    leaks, shapes, lines = scan_logs([log], [user], ["s3cr3t-t0ken"])
    assert leaks == ["worker.log:2: a chat id", "worker.log:3: a user's text", "worker.log:4: a reply's text",
                     "worker.log:5: a secret"]
    assert lines == 5 and sum(shapes.values()) == 4


def test_a_short_chaos_run_loses_nothing_and_leaks_nothing(tmp_path: Path) -> None:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: run 'make redis' (scripts/redis.sh installs it)")
    out = tmp_path / "chaos.json"
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "chaos.py"), "--short", "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=170)
    assert out.exists(), f"the chaos run did not finish (exit {run.returncode}):\n{run.stdout}\n{run.stderr}"
    r = json.loads(out.read_text(encoding="utf-8"))
    printed = run.stdout[-4000:]
    faults = r["faults"]
    # The run did what it says: every fault happened during the load.
    assert faults["worker_kills"] >= 1 and faults["redis_kills"] >= 1, printed
    assert faults["slow_sends"] and faults["answered_500"] and faults["answered_429"] and faults["timeouts_504"], \
        printed
    assert r["duplicates_sent"] > 0 and r["expected"] >= r["updates"] >= 300, printed
    # What a user would notice.
    assert r["lost"] == 0 and r["delivered"] == r["expected"], printed
    assert r["stuck"] == 0, printed
    assert r["out_of_order_chats"] == 0 and r["unexpected"] == 0, printed
    assert r["doubled"] <= DOUBLE_BOUND * r["expected"], printed
    assert r["duplicates_stored_again"] == 0 and r["webhook"]["gave_up"] == 0, printed
    assert r["webhook"]["answered_5xx_not_503"] == 0, printed
    assert r["logs"]["leak_count"] == 0, printed
    assert set(r["healthz_after"].values()) == {200}, printed
    assert r["failures"] == [] and run.returncode == 0, printed
