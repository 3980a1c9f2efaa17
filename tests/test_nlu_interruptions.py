"""Free text at any step: clear intents are honoured with a way back, unclear text keeps the step,
off-topic text gets a kind word and the menu (issue 13, items 4 and 5). The NLU is a double that
reads a fixed intent per text; the real model is measured by `python -m bot nlu evaluate`."""

from __future__ import annotations

from pathlib import Path

from redis.asyncio import Redis

from bot.core.ports import Intent
from bot.flows.intents import IntentActions
from tests.chat import Chat, chat, payload_of, texts, titles


class ScriptedNlu:
    """Test double: the intent (and confidence) the bot would act on, per message text."""

    def __init__(self, readings: dict[str, tuple[str | None, float]]) -> None:
        self.readings = readings

    async def understand(self, text: str) -> Intent | None:
        name, confidence = self.readings.get(text, (None, 0.2))
        return Intent(name, confidence)


NLU = ScriptedNlu({
    "que es el grooming": ("grooming", 0.95),
    "es delito pasar fotos": ("sextortion", 0.93),
    "quien gano el partido": ("out_of_scope", 0.9),
    "imaynalla": ("greet", 0.9),
    "ok": ("affirm", 0.9),
    "gracias amiga": ("thanks", 0.9),
    "kuna horasa": ("out_of_scope", 0.9),
    "como se si me hacen grooming": ("grooming/signs", 0.9),
    "es delito pasar el pack de otra": ("sextortion/is_crime", 0.9),
    "fotota apachinakuyqa delitochu": ("sextortion/is_crime", 0.9),
})


async def into_grooming_signs(c: Chat, user: str) -> dict[str, object]:
    await c.send(user, "hola")
    await c.send(user, choice="lang:es")
    await c.send(user, "1")  # young person
    intro = await c.send(user, "que es el grooming")
    return await c.send(user, choice=payload_of(intro, "Seguir"))


async def test_a_question_at_the_audience_step_is_answered_not_refused(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        await c.send("ana", "hola")
        audience = await c.send("ana", choice="lang:es")
        result = await c.send("ana", "que es el grooming")
    assert "No entendí" not in " ".join(texts(audience))
    assert result["understood"] == {"via": "nlu", "intent": "grooming", "confidence": 0.95}
    assert "Seguir" in titles(result) and not any("No entendí" in t for t in texts(result))


async def test_a_new_topic_inside_a_module_offers_the_way_back(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        signs = await into_grooming_signs(c, "ana")
        other = await c.send("ana", "es delito pasar fotos")
        assert other["understood"]["intent"] == "sextortion"
        assert titles(other)[-1] == "Volver donde estaba"
        back = await c.send("ana", choice=payload_of(other, "Volver donde estaba"))
    assert back["understood"]["via"] == "choice"
    assert texts(back)[-1] == texts(signs)[-1] and titles(back) == titles(signs)


async def test_the_way_back_is_a_number_too(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        signs = await into_grooming_signs(c, "ana")
        other = await c.send("ana", "es delito pasar fotos")
        back = await c.send("ana", str(len(titles(other))))
    assert back["understood"]["via"] == "number" and texts(back)[-1] == texts(signs)[-1]


async def test_unclear_text_keeps_the_step_and_says_what_to_type(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        signs = await into_grooming_signs(c, "ana")
        unclear = await c.send("ana", "y eso como seria pues")
    assert unclear["understood"]["via"] == "fallback"
    assert len(texts(unclear)) == 1 and "MENÚ" in texts(unclear)[0]
    assert titles(unclear) == titles(signs), "the step the user was on stays"


async def test_ok_or_thanks_inside_a_module_keep_the_step(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        signs = await into_grooming_signs(c, "ana")
        ok = await c.send("ana", "ok")
        thanks = await c.send("ana", "gracias amiga")
    assert titles(ok) == titles(signs) and "MENÚ" in texts(ok)[0]
    assert titles(thanks) == titles(signs) and texts(thanks)[0].startswith("Con gusto")


async def test_thanks_at_the_menu_gets_a_kind_word_and_the_menu(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        await c.send("ana", "hola")
        await c.send("ana", choice="lang:es")
        menu = await c.send("ana", "1")
        thanks = await c.send("ana", "gracias amiga")
    assert texts(thanks)[0].startswith("Con gusto") and titles(thanks) == titles(menu)


async def test_off_topic_gets_a_kind_word_and_the_menu_in_the_users_language(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        await c.send("ana", "hola")
        menu = await c.send("ana", choice="lang:es")
        es = await c.send("ana", "quien gano el partido")
        await c.send("rosa", "hola")
        await c.send("rosa", choice="lang:ay")
        ay = await c.send("rosa", "kuna horasa")
    assert es["understood"]["intent"] == "out_of_scope"
    assert "No entendí" not in texts(es)[0] and "no sé mucho" in texts(es)[0]
    assert titles(es) == titles(menu)
    assert ay["lang"] == "ay" and "pampachita" in texts(ay)[0]


async def test_a_greeting_in_quechua_is_greeted_back_with_the_menu(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        await c.send("rosa", "hola")
        menu = await c.send("rosa", choice="lang:qu")
        hello = await c.send("rosa", "imaynalla")
    assert texts(hello)[0].startswith("Imaynalla") and titles(hello) == titles(menu)


async def test_a_question_a_module_answers_gets_that_step_not_the_module_start(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        await c.send("ana", "hola")
        await c.send("ana", choice="lang:es")
        await c.send("ana", "1")
        answer = await c.send("ana", "como se si me hacen grooming")
    assert answer["understood"]["intent"] == "grooming/signs"
    assert texts(answer)[0].startswith("Señales de alerta") and "Seguir" in titles(answer)


async def test_a_direct_answer_then_continue_the_module_or_go_to_the_menu(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        await c.send("ana", "hola")
        menu = await c.send("ana", choice="lang:es")
        answer = await c.send("ana", "es delito pasar el pack de otra")
        assert "Ley 1636" in texts(answer)[0] and titles(answer) == ["Seguir", "Menú"]
        module = await c.send("ana", choice=payload_of(answer, "Seguir"))
        assert texts(module)[-1].startswith("La sextorsión es")
        await c.send("ana", choice=payload_of(module, "Seguir"))  # one step further into the module
        again = await c.send("ana", "es delito pasar el pack de otra")
        back_to_menu = await c.send("ana", choice=payload_of(again, "Menú"))
    assert titles(back_to_menu) == titles(menu)
    assert again["understood"]["intent"] == "sextortion/is_crime" and "Volver donde estaba" in titles(again)


async def test_a_direct_answer_in_quechua(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace, nlu=NLU) as c:
        await c.send("rosa", "hola")
        await c.send("rosa", choice="lang:qu")
        answer = await c.send("rosa", "fotota apachinakuyqa delitochu")
    assert answer["lang"] == "qu" and "Ley 1636" in texts(answer)[0] and "delitom" in texts(answer)[0]


def test_the_intent_map_names_flows_and_texts_that_exist() -> None:
    from bot.config import ROOT
    from bot.dialog.check import run_check

    assert run_check(ROOT / "content", ROOT / "flows") == 0
    actions = IntentActions.load()
    assert actions.get("grooming") is not None and actions.get("stop") is not None


def test_a_broken_intent_map_names_file_line_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "intents.yml"
    path.write_text("format: 1\nintents:\n  grooming: {flow: groming}\n  stop: {command: halt}\n", encoding="utf-8")
    actions, problems = IntentActions.load_with_problems(path)
    assert [(p.line, "halt" in p.what) for p in problems] == [(4, True)]
    missing = actions.problems({"grooming": {"intro"}}, {"es": set()}, {"grooming", "stop"})
    assert [(p.line, "groming" in p.what) for p in missing] == [(3, True)]


def test_every_direct_answer_exists_in_every_language_and_step() -> None:
    from bot.config import ROOT
    from tests.chat import project_bundle

    bundle = project_bundle()
    actions = IntentActions.load(ROOT / "flows" / "nlu" / "intents.yml")
    topics = {"grooming", "sextortion", "job_offers", "privacy", "cyberbullying", "caregivers"}
    kinds = {"what_is", "signs", "what_to_do", "is_crime", "help_friend"}
    assert {a.name for a in actions.answers.values()} == {f"{t}/{k}" for t in topics for k in kinds}
    steps = {name: set(flow.steps) for name, flow in bundle.flows.flows.items()}
    assert actions.problems(steps, {lang: set(e) for lang, e in bundle.catalog.entries.items()}, None) == []
    broken = IntentActions(actions.file, actions.actions, {"grooming/signs": type(actions.answers["grooming/signs"])(
        "grooming/signs", step="no_such_step", line=7)})
    assert [p.line for p in broken.problems(steps, {}, None)] == [7]
