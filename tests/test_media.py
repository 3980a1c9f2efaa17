"""Voice notes, photos, videos and documents outside a handoff: an honest answer and a person one tap
away (issue 17, item 1). The golden conversations tests/golden/*_media_*.yml show the wording in each
language; these tests cover time, numbers typed on WhatsApp, and what is kept about the user's files."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.core.privacy import user_key
from bot.core.types import Channel, Incoming, Media
from bot.dialog.pipeline import Pipeline
from bot.handoff.service import RedisHandoff
from bot.safety.triage import Triage
from bot.store.state import StateStore
from tests.chat import FROZEN_TIME, project_bundle, project_langid, project_rules

VOICE = Media("audio", "tg-file-voice-secret-1", "audio/ogg")
PHOTO = Media("image", "tg-file-photo-secret-2", "image/jpeg")


class Clock:
    def __init__(self) -> None:
        self.now = FROZEN_TIME

    def __call__(self) -> float:
        return self.now


class User:
    def __init__(self, redis: Redis, namespace: str, channel: Channel = "telegram") -> None:
        self.clock = Clock()
        self.handoff = RedisHandoff(redis, namespace, clock=self.clock)
        self.pipeline = Pipeline(store=StateStore(redis, namespace), bundle=project_bundle(), handoff=self.handoff,
                                 triage=Triage(project_rules()), langid=project_langid(), clock=self.clock)
        self.channel: Channel = channel
        self.n = 0

    async def send(self, text: str | None = None, *, choice: str | None = None,
                   media: tuple[Media, ...] = ()) -> Any:
        self.n += 1
        msg = Incoming(channel=self.channel, address="u", user_key=user_key("pepper", self.channel, "u"),
                       external_id=f"m{self.n}", text=text, choice=choice, media=media)
        return await self.pipeline.handle(msg)

    async def case_files(self, ticket: str) -> list[str]:
        """The files a counselor can open on the case (the conversation before the ticket names a
        file's kind only, never its reference)."""
        return [f["ref"] for line in await self.handoff.transcript(ticket) if line["from"] == "user"
                for f in line["files"] if f["ref"]]


def offered(reply: Any) -> bool:
    return any([c.title for c in r.choices] == ["Sí", "No"] for r in reply.replies)


async def test_the_offer_comes_back_after_ten_quiet_minutes(redis: Redis, namespace: str) -> None:
    user = User(redis, namespace)
    await user.send(choice="lang:es")
    assert offered(await user.send(media=(VOICE,)))
    user.clock.now += 9 * 60
    assert not offered(await user.send(media=(VOICE,)))
    user.clock.now += 2 * 60  # eleven minutes after the offer
    assert offered(await user.send(media=(PHOTO,)))


async def test_on_whatsapp_typing_1_or_si_accepts_the_offer(redis: Redis, namespace: str) -> None:
    for answer in ("1", "sí"):
        user = User(redis, f"{namespace}:{answer}", channel="whatsapp")
        await user.send(choice="lang:es")
        await user.send(media=(VOICE,))
        reply = await user.send(answer)
        assert reply.handoff is not None and reply.handoff.priority == "normal"
        assert await user.case_files(reply.handoff.ticket) == [VOICE.url]


async def test_media_sent_while_the_offer_waits_goes_to_the_case_too(redis: Redis, namespace: str) -> None:
    user = User(redis, namespace)
    await user.send(choice="lang:es")
    await user.send(media=(VOICE,))
    await user.send(media=(PHOTO,))
    reply = await user.send(choice="sys:media:yes")
    assert reply.handoff is not None
    assert await user.case_files(reply.handoff.ticket) == [VOICE.url, PHOTO.url]


async def test_no_forgets_the_files_and_nothing_about_them_is_left_in_redis(redis: Redis, namespace: str) -> None:
    user = User(redis, namespace)
    await user.send(choice="lang:es")
    await user.send(media=(VOICE,))
    reply = await user.send("no")
    assert "nadie del equipo lo verá" in reply.replies[0].text
    stored: list[str] = []
    async for key in redis.scan_iter(match=f"{namespace}:*"):
        kind = await redis.type(key)
        if kind == "string":
            stored.append(str(await redis.get(key)))
        elif kind == "hash":
            stored.append(str(await redis.hgetall(key)))
        elif kind == "list":
            stored.append(str(await redis.lrange(key, 0, -1)))
    assert stored and not any(VOICE.url in value for value in stored)
    reply = await user.send("persona")
    assert reply.handoff is not None and await user.case_files(reply.handoff.ticket) == []


async def test_a_sticker_keeps_the_plain_answer_without_an_offer(redis: Redis, namespace: str) -> None:
    user = User(redis, namespace)
    await user.send(choice="lang:es")
    reply = await user.send(media=(Media("sticker", "tg-sticker"),))
    assert not offered(reply) and "solo puedo leer texto" in reply.replies[0].text


async def test_media_during_a_handoff_still_goes_to_the_counselor_without_an_offer(redis: Redis,
                                                                                  namespace: str) -> None:
    user = User(redis, namespace)
    await user.send(choice="lang:es")
    opened = await user.send("persona")
    assert opened.handoff is not None
    reply = await user.send(media=(PHOTO,))
    assert not offered(reply)
    assert PHOTO.url in await user.case_files(opened.handoff.ticket)


async def test_a_late_yes_after_moving_on_still_opens_a_case(redis: Redis, namespace: str) -> None:
    user = User(redis, namespace)
    await user.send(choice="lang:es")
    await user.send(media=(VOICE,))
    await user.send("menu")
    reply = await user.send(choice="sys:media:yes")  # the old button: help is never refused for being late
    assert reply.handoff is not None and await user.case_files(reply.handoff.ticket) == [VOICE.url]


async def test_after_ten_minutes_the_reference_is_dropped_and_a_yes_opens_a_case_without_it(
        redis: Redis, namespace: str) -> None:
    user = User(redis, namespace)
    await user.send(choice="lang:es")
    await user.send(media=(VOICE,))
    user.clock.now += 11 * 60
    reply = await user.send(choice="sys:media:yes")
    assert reply.handoff is not None and await user.case_files(reply.handoff.ticket) == []
