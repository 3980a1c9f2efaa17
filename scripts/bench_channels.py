"""Channel benchmark: Telegram webhooks into the real app and Redis, replies out to the Bot API double.

    .venv/bin/python scripts/bench_channels.py [--users 60] [--messages 3]

Prints how fast the webhook answers (the update is durable when it does), how long until every
reply reached the double, and the delivery rate (it should sit at TELEGRAM_GLOBAL_RATE, 30/s).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.web.app import create_app  # noqa: E402
from tests.conftest import REDIS_URL, drop_namespace  # noqa: E402
from tests.doubles import TelegramDouble, serve  # noqa: E402

SECRET = "bench-secret-0123456789"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=3, help="messages per user")
    args = parser.parse_args()
    double = TelegramDouble()
    ns = f"bench-{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory() as tmp, serve(double.app()) as api:
        settings = load_settings(redis_url=REDIS_URL, rasa_url=None, database_url=f"sqlite:///{tmp}/b.db",
                                 telegram_token=double.token, telegram_webhook_secret=SECRET,
                                 telegram_api_base=f"{api}/bot", log_level="WARNING")
        with serve(create_app(settings, namespace=ns)) as bot:
            latencies: list[float] = []
            started = time.monotonic()
            texts = ["hola", "menu", "ayuda"]
            with httpx.Client(timeout=10) as client:
                update_id = 0
                for n in range(args.messages):
                    for user in range(args.users):
                        update_id += 1
                        update = {"update_id": update_id, "message": {
                            "message_id": update_id, "date": int(time.time()), "text": texts[n % len(texts)],
                            "chat": {"id": 900000 + user, "type": "private"},
                            "from": {"id": 900000 + user, "is_bot": False, "first_name": "B"}}}
                        t0 = time.perf_counter()
                        response = client.post(f"{bot}/webhooks/telegram", content=json.dumps(update),
                                               headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                        latencies.append((time.perf_counter() - t0) * 1000)
                        assert response.status_code == 200, response.text
            accepted = time.monotonic() - started
            expected = args.users * args.messages
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                replies = len(double.sent)
                time.sleep(1.0)
                if replies == len(double.sent) and replies >= expected:
                    break
            elapsed = time.monotonic() - started
            sent = len(double.sent)
    drop_namespace(ns)
    latencies.sort()
    print(f"webhook: {len(latencies)} updates accepted in {accepted:.1f} s; "
          f"p50 {statistics.median(latencies):.1f} ms, p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms")
    print(f"delivery: {sent} replies in {elapsed:.1f} s = {sent / elapsed:.1f}/s "
          f"(limit {settings.telegram_global_rate:.0f}/s overall, {settings.telegram_chat_rate:.0f}/s per chat); "
          f"refused by the Bot API double: {len(double.refused)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
