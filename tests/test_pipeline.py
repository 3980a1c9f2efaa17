"""The pipeline as a user meets it: real content, real Redis, rules and language identification."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.core.ports import Intent
from bot.core.types import Incoming, Reply
from bot.dialog.pipeline import LockLost, Pipeline
from bot.handoff.service import RedisHandoff
from bot.nlu.client import RasaClient
from bot.nlu.understander import RasaUnderstander
from bot.safety.triage import Triage
from bot.store.state import StateStore
from tests.chat import FROZEN_TIME, Chat, chat, payload_of, project_bundle, project_rules, texts, titles

UNKNOWN = "una frase que ninguna regla conoce"


async def start_in(c: Chat, user: str, lang: str = "es", audience_number: str = "1") -> dict[str, object]:
    await c.send(user, "hola")
    await c.send(user, choice=f"lang:{lang}")
    return await c.send(user, audience_number)


async def test_first_contact_offers_the_three_languages(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        first = await c.send("ana", "hola")
    assert titles(first) == ["Español", "Runasimi", "Aymar aru"]
    assert first["understood"]["via"] == "fallback"


async def test_a_clearly_quechua_first_message_preselects_quechua_but_asks(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        first = await c.send("rosa", "imaynallam kachkanki, allinllachu")
        assert titles(first)[0] == "Runasimi"
        assert "Runasimi" in texts(first)[0]
        assert first["lang"] == "es", "nothing is chosen until the user confirms"
        chosen = await c.send("rosa", choice=payload_of(first, "Runasimi"))
    assert chosen["lang"] == "qu"


async def test_choice_is_remembered_and_the_menu_is_in_that_language(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await c.send("ana", "hola")
        menu = await c.send("ana", choice="lang:ay")
        again = await c.send("ana", "menu")
    assert menu["lang"] == "ay" and again["lang"] == "ay"
    assert "Wayna tawaqutwa" in titles(again)


async def test_menu_numbers_typed_as_text_pick_the_choice(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        for typed in ("2", "2.", " 2 "):
            user = f"u{typed.strip()}{len(typed)}"
            await c.send(user, "hola")
            await c.send(user, choice="lang:es")
            result = await c.send(user, typed)
            assert result["understood"]["via"] == "number"
            assert "Madre, padre o tutor" not in titles(result), "the caregiver menu comes after choosing"


async def test_command_words_work_in_every_language(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await start_in(c, "ana")
        for word, expected in (("MENÚ", "command"), ("qallariy", "command"), ("idioma", "command"),
                               ("simi", "command"), ("aru", "command")):
            result = await c.send("ana", word)
            assert result["understood"]["via"] == expected, word
        lang = await c.send("ana", "idioma")
    assert titles(lang) == ["Español", "Runasimi", "Aymar aru"]


async def test_free_text_without_nlu_gets_a_short_answer_and_the_menu(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        menu = await start_in(c, "ana")
        result = await c.send("ana", "quiero saber cosas")
    assert result["understood"]["via"] == "fallback"
    assert "No entendí" in texts(result)[0]
    assert titles(result) == titles(menu)


async def test_rasa_unreachable_changes_nothing_for_buttons_and_numbers(redis: Redis, namespace: str) -> None:
    down = RasaUnderstander(RasaClient("http://127.0.0.1:9", None, timeout=0.2))
    async with chat(redis, namespace, nlu=down) as c:
        menu = await start_in(c, "ana")
        free = await c.send("ana", "me ofrecieron trabajo en argentina es seguro?")
        number = await c.send("ana", "1")
    await down.aclose()
    assert free["understood"]["via"] == "fallback" and titles(free) == titles(menu)
    assert number["understood"]["via"] == "number" and texts(number)


class FixedNlu:
    """Test double: an NLU that finds one intent in `text` (in every message when text is None)
    and, in other messages, an everyday one with no urgency at all."""

    def __init__(self, intent: str, confidence: float = 0.93, text: str | None = None) -> None:
        urgent = intent.removeprefix("urgent_") if intent.startswith("urgent_") else None
        self.intent = Intent(intent, confidence, urgent, confidence if urgent else 0.0, confidence if urgent else 0.0)
        self.text = text

    async def understand(self, text: str) -> Intent | None:
        return self.intent if self.text in (None, text) else Intent("greet", 0.9)


async def test_an_nlu_intent_opens_the_module(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=FixedNlu("grooming")) as c:
        await start_in(c, "ana")
        result = await c.send("ana", "me ofrecieron trabajo en argentina es seguro?")
    assert result["understood"] == {"via": "nlu", "intent": "grooming", "confidence": 0.93}
    assert texts(result) and "Seguir" in titles(result)


async def test_a_likely_urgent_nlu_reading_asks_first_and_yes_opens_an_urgent_ticket(
        redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=FixedNlu("urgent_trafficking", 0.995, UNKNOWN)) as c:
        await start_in(c, "ana")
        result = await c.send("ana", UNKNOWN)
        assert result["handoff"] is None and result["risk"] == {"level": "ask", "category": "trafficking"}
        assert [c["payload"] for r in result["replies"] for c in r["choices"]] == [
            "sys:risk:yes", "sys:risk:no", "sys:risk:person"]
        yes = await c.send("ana", "si")  # typed instead of tapped
    assert yes["handoff"]["priority"] == "urgent" and yes["risk"] == {"level": "urgent", "category": "trafficking"}


async def test_a_second_possible_emergency_while_the_question_waits_is_urgent(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await start_in(c, "ana")
        first = await c.send("ana", "tengo miedo")
        second = await c.send("ana", "tengo miedo de verdad")
    assert first["risk"]["level"] == "ask" and second["handoff"]["priority"] == "urgent"


async def test_after_no_the_question_is_not_asked_again_for_ten_minutes(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await start_in(c, "ana")
        await c.send("ana", "tengo miedo")
        no = await c.send("ana", choice="sys:risk:no")
        again = await c.send("ana", "tengo miedo")
    assert no["handoff"] is None and "AYUDA" in texts(no)[0]
    assert again["risk"]["level"] == "ask" and again["handoff"] is None
    assert not any(c["payload"].startswith("sys:risk") for r in again["replies"] for c in r["choices"])


async def test_an_unsure_urgent_nlu_reading_changes_nothing(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=FixedNlu("urgent_trafficking", 0.45, UNKNOWN)) as c:
        await start_in(c, "ana")
        result = await c.send("ana", UNKNOWN)
    assert result["handoff"] is None and result["risk"]["level"] == "none"


async def test_an_urgent_intent_as_the_models_best_reading_asks_first(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=FixedNlu("urgent_image_threat", 0.7, UNKNOWN)) as c:
        await start_in(c, "ana")
        result = await c.send("ana", UNKNOWN)
    assert result["handoff"] is None and result["risk"] == {"level": "ask", "category": "image_threat"}


async def test_a_very_likely_self_harm_reading_acts_at_once_even_as_the_first_message(
        redis: Redis, namespace: str) -> None:
    text = "ya junte las pastillas, esta noche"  # no rule lists it; the model reads it as self-harm
    async with chat(redis, namespace, nlu=FixedNlu("urgent_self_harm", 0.95, text)) as c:
        first = await c.send("ana", text)
    assert first["risk"] == {"level": "urgent", "category": "self_harm"}
    assert first["handoff"]["priority"] == "urgent" and "800 11 3040" in " ".join(texts(first))


async def test_a_very_likely_reading_of_another_category_asks_first(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=FixedNlu("urgent_trafficking", 0.99, UNKNOWN)) as c:
        first = await c.send("ana", UNKNOWN)
    assert first["risk"] == {"level": "ask", "category": "trafficking"} and first["handoff"] is None


async def test_a_rule_hit_the_model_sees_no_danger_in_is_asked_about_not_ticketed(
        redis: Redis, namespace: str) -> None:
    text = "la profe me tiene secuestrado en su clase de 3 horas"
    async with chat(redis, namespace, nlu=FixedNlu("out_of_scope", 0.98, text)) as c:
        await start_in(c, "ana")
        lowered = await c.send("ana", text)
    async with chat(redis, namespace) as c:  # without the model the rule alone decides
        await start_in(c, "bea")
        alone = await c.send("bea", text)
    assert lowered["risk"] == {"level": "ask", "category": "trafficking"} and lowered["handoff"] is None
    assert alone["risk"] == {"level": "urgent", "category": "trafficking"}


async def test_the_model_is_asked_once_per_message_even_when_rules_and_free_text_both_weigh_it(
        redis: Redis, namespace: str) -> None:
    nlu = FixedNlu("out_of_scope", 0.98)
    asked: list[str] = []
    read = nlu.understand

    async def counting(text: str) -> Intent | None:
        asked.append(text)
        return await read(text)

    nlu.understand = counting  # type: ignore[method-assign]
    async with chat(redis, namespace, nlu=nlu) as c:
        await start_in(c, "ana")
        asked.clear()
        await c.send("ana", "la profe me tiene secuestrado en su clase de 3 horas")  # rule urgent, then lowered
    assert asked == ["la profe me tiene secuestrado en su clase de 3 horas"]


async def test_a_clear_self_harm_phrase_is_never_lowered_by_the_model(redis: Redis, namespace: str) -> None:
    text = "me quiero matar"
    async with chat(redis, namespace, nlu=FixedNlu("out_of_scope", 0.99, text)) as c:
        await start_in(c, "ana")
        result = await c.send("ana", text)
    assert result["risk"] == {"level": "urgent", "category": "self_harm"} and result["handoff"]["priority"] == "urgent"


async def test_a_weak_rule_signal_the_model_sees_nothing_in_is_dropped(redis: Redis, namespace: str) -> None:
    text = "auxilio no entiendo las derivadas"
    async with chat(redis, namespace, nlu=FixedNlu("out_of_scope", 0.99, text)) as c:
        await start_in(c, "ana")
        result = await c.send("ana", text)
    assert result["risk"]["level"] == "none" and result["handoff"] is None


async def test_small_talk_never_answers_a_long_message() -> None:
    from bot.nlu.client import NluResult, accept

    long_text = "ya no se que hacer mi padrastro llega tarde todas las noches y tengo miedo de dormir"
    assert not accept(NluResult("goodbye", 0.97), long_text)
    assert accept(NluResult("goodbye", 0.97), "chau gracias")


async def test_a_repeated_delivery_is_answered_once(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        first = await c.send("ana", "hola", external_id="SM123")
        again = await c.send("ana", "hola", external_id="SM123")
    assert first["replies"] and not again["replies"] and again["duplicate"]


async def test_two_fast_messages_of_one_user_do_not_race(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await c.send("ana", "hola")
        await c.send("ana", choice="lang:es")
        results = await asyncio.gather(c.send("ana", "1"), c.send("ana", "1"))
    vias = sorted(r["understood"]["via"] for r in results)
    assert vias == ["number", "number"], "each message was applied on the state the other left"


async def test_urgent_message_gets_safety_reply_and_ticket_even_at_first_contact(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        result = await c.send("lucia", "me tienen encerrada y no me dejan salir")
        ticket = result["handoff"]
        assert ticket and ticket["priority"] == "urgent"
        assert result["understood"]["via"] == "urgent_rule"
        assert any("110" in t for t in texts(result))
        # While the ticket is open the bot stays quiet and relays; no second safety message.
        relay = await c.send("lucia", "estoy en un cuarto")
        assert relay["understood"]["via"] == "relay" and relay["replies"] == []
        transcript = await c.handoff.transcript(ticket["ticket"])
    assert [m["from"] for m in transcript][-1] == "user"


async def test_bot_resumes_after_the_ticket_is_closed(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await start_in(c, "ana")
        asked = await c.send("ana", "persona")
        assert asked["handoff"]["priority"] == "normal"
        await c.handoff.queue.close(asked["handoff"]["ticket"], "counselor-1")
        menu = await c.send("ana", "menu")
    assert menu["understood"]["via"] == "command" and titles(menu)


async def test_delete_my_data_asks_then_forgets_everything(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await start_in(c, "ana", "qu")
        confirm = await c.send("ana", "borrar")
        done = await c.send("ana", choice=payload_of(confirm, "Arí"))
        assert done["replies"]
        after = await c.send("ana", "hola")
    assert titles(after) == ["Español", "Runasimi", "Aymar aru"], "a new first contact"
    state = await c.pipeline.store.load(Chat.key("ana"))
    assert state is not None and state.lang is None and state.vars == {}, "nothing of the old conversation"


async def test_huge_messages_stickers_and_stale_buttons_get_a_clear_answer(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await start_in(c, "ana")
        huge = await c.send("ana", "hola " * 10_000)
        stale = await c.send("ana", choice="f:no_such_flow:x:0")
        sticker = await c.pipeline.handle(Incoming(channel="telegram", address="ana", user_key=Chat.key("ana"),
                                                   external_id="st-1", media=()))
    assert huge["replies"] and stale["replies"] and stale["understood"]["via"] == "fallback"
    assert sticker.replies and "texto" in sticker.replies[0].text


async def test_the_reply_address_is_kept_only_encrypted(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await c.send("+59170000001", "hola")
        book = c.pipeline.addresses
        assert book is not None
        assert await book.get(Chat.key("+59170000001")) == ("simulator", "+59170000001")
    dump = [await redis.get(k) async for k in redis.scan_iter(match=f"{namespace}:*")
            if await redis.type(k) == "string"]
    assert not any("59170000001" in str(v) for v in dump), "no plain address in Redis"


async def test_writing_in_another_language_offers_to_switch(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await start_in(c, "ana", "es")
        offer = await c.send("ana", "imaynallam kachkanki allinllachu")
        assert titles(offer) == ["Runasimi", "Español"] and "Runasimi" in texts(offer)[0]
        switched = await c.send("ana", "1")
    assert switched["lang"] == "qu"


class _SlowFirstReading:
    """An NLU that takes longer than the user's lock on its first call only (a stalled Rasa)."""

    def __init__(self) -> None:
        self.calls = 0

    async def understand(self, text: str) -> Intent | None:
        self.calls += 1
        if self.calls == 1:
            await asyncio.sleep(0.4)
        return Intent("urgent_violence", 0.95, "violence", 0.95, 0.95)


async def test_a_turn_redone_after_losing_its_lock_writes_each_transcript_line_once(
        redis: Redis, namespace: str) -> None:
    handoff = RedisHandoff(redis, namespace, clock=lambda: FROZEN_TIME)
    pipeline = Pipeline(store=StateStore(redis, namespace, lock_ms=100), bundle=project_bundle(), handoff=handoff,
                        triage=Triage(project_rules()), nlu=_SlowFirstReading(), clock=lambda: FROZEN_TIME)
    msg = Incoming("telegram", "5", "u-slow", "tg-77", text="mi padrastro me pega todos los dias")
    with pytest.raises(LockLost):
        await pipeline.handle(msg)
    reply = await pipeline.handle(msg)  # the inbox redelivers the same message
    assert reply.handoff is not None and reply.handoff.priority == "urgent"
    lines = await handoff.transcript(reply.handoff.ticket)
    said = [line["text"] for line in lines if line["from"] == "user"]
    assert said == ["mi padrastro me pega todos los dias"], "the user's words once"
    assert len([line for line in lines if line["from"] == "system"]) == 1, "where the user was, once"
    assert len([line for line in lines if line.get("safety")]) == 1, "the safety reply as the user saw it, once"
    assert (await handoff.queue.counts())["urgent"] == 1, "one ticket"


async def test_the_counselor_sees_the_conversation_before_the_ticket_and_only_the_last_minutes(
        redis: Redis, namespace: str) -> None:
    now = [FROZEN_TIME]
    handoff = RedisHandoff(redis, namespace, clock=lambda: now[0])
    store = StateStore(redis, namespace)
    pipeline = Pipeline(store=store, bundle=project_bundle(), handoff=handoff, triage=Triage(project_rules()),
                        clock=lambda: now[0])
    ids = iter(range(1, 100))

    async def send(user: str, text: str | None = None, choice: str | None = None) -> Reply:
        return await pipeline.handle(Incoming("simulator", user, user, f"m{next(ids)}", text=text, choice=choice))

    await send("old", "hola")
    now[0] += 16 * 60  # the earlier words are older than the window
    await send("old", choice="lang:es")
    opened = await send("old", "persona")
    assert opened.handoff is not None
    early = [line for line in await handoff.transcript(opened.handoff.ticket) if line.get("before_ticket")]
    assert "hola" not in [line["text"] for line in early], "older than 15 minutes: gone"

    await send("ana", "hola")
    await send("ana", choice="lang:es")
    await send("ana", "tengo una duda")
    opened = await send("ana", "persona")
    assert opened.handoff is not None
    lines = await handoff.transcript(opened.handoff.ticket)
    before = [line for line in lines if line.get("before_ticket")]
    assert [line["text"] for line in before if line["from"] == "user"] == ["hola", "[Español]", "tengo una duda"]
    assert any(line["from"] == "bot" and "Español" in line["choices"] for line in before), "what the bot offered"
    assert lines.index(before[-1]) < [line["from"] for line in lines].index("system"), "then the ticket"
    assert await redis.exists(store.keys.user("ana", "recent")) == 0, "the transcript holds it from now on"
    await send("eva", "hola")
    assert 0 < await redis.ttl(store.keys.user("eva", "recent")) <= 15 * 60, "kept for minutes only"
