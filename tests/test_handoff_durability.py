"""An urgent message survives the bot dying and Redis being killed and restarted before a claim."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from redis.asyncio import Redis

from tests.chat import chat
from tests.test_ticket_queue import _start, own_redis  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent


async def test_urgent_ticket_survives_bot_and_redis_crash(own_redis: tuple[int, Path]) -> None:  # noqa: F811
    port, folder = own_redis
    proc = _start(port, folder)
    try:
        client = Redis(port=port, decode_responses=True)
        async with chat(client, "crash") as c:  # the "bot process" of before the crash
            first = await c.send("lucia", "va a publicar mis fotos si no le pago")
        ticket = first["handoff"]["ticket"]
        await client.aclose()
        os.kill(proc.pid, signal.SIGKILL)  # Redis dies without a clean shutdown
        proc.wait()
        proc = _start(port, folder)
        client = Redis(port=port, decode_responses=True)
        async with chat(client, "crash") as c:  # a new bot process
            waiting = await c.handoff.queue.waiting()
            assert [(t.id, t.priority, t.category) for t in waiting] == [(ticket, "urgent", "image_threat")]
            claimed = await c.handoff.queue.claim_next("ana", 60)
            assert claimed is not None and claimed.id == ticket
            transcript = await c.handoff.transcript(ticket)
            assert any("publicar" in m["text"] for m in transcript)
            again = await c.send("lucia", "sigo aqui")
            assert again["understood"]["via"] == "relay", "the conversation is still with the counselor"
        await client.aclose()
    finally:
        proc.kill()
        proc.wait()


def test_counselor_accounts_from_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}

    def run(*args: str, password: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "counselor", *args], input=password + "\n", text=True,
                              capture_output=True, env=env, cwd=ROOT, check=False, timeout=60)

    assert run("add", "ana", "--role", "supervisor", password="corta").returncode == 1
    created = run("add", "ana", "--role", "supervisor", password="una-clave-muy-larga")
    assert created.returncode == 0, created.stderr
    assert run("add", "ana", password="una-clave-muy-larga").returncode == 1, "no duplicate accounts"
    assert "ana" in run("list").stdout and "supervisor" in run("list").stdout
    assert run("disable", "ana").returncode == 0 and "disabled" in run("list").stdout
