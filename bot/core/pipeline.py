"""One pipeline for every channel: Incoming in, Reply out.

Order: dedup → state under a per-user lock → handoff relay → urgent rules → fast path
(choice, number, command) → first-contact language → NLU → flow engine → render content.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.content.languages import LANGS, display_name
from bot.core.bundle import Bundle
from bot.core.conversation import Conversation
from bot.core.ports import Handoff, Intent, LanguageGuesser, OutboxPort, Triager, Understander
from bot.core.risk import NO_RISK, RISK_QUESTION_QUIET_SECONDS, URGENT_CATEGORIES, Risk
from bot.core.text import MAX_TEXT_CHARS, fold, menu_number
from bot.core.types import Choice, HandoffInfo, Incoming, Outgoing, Reply, Understood
from bot.flows.engine import (
    ChoiceRef,
    Event,
    FlowEnded,
    Pick,
    RequestCounselor,
    Say,
    SetLanguage,
    SetSubscription,
    StartFlow,
    parse_payload,
)
from bot.store.addresses import AddressBook
from bot.store.state import Duplicate, StateStore

log = logging.getLogger(__name__)

INTENT_FLOWS = {
    "grooming": "grooming", "sextortion": "sextortion", "job_offers": "job_offers",
    "privacy": "privacy", "cyberbullying": "cyberbullying", "caregivers": "caregivers",
    "help_lines": "help", "menu": "main", "greet": "main", "affirm": "main", "deny": "main",
}
INTENT_COMMANDS = {"change_language": "language", "talk_to_person": "person",
                   "delete_my_data": "delete", "stop": "stop"}
RISK_YES, RISK_NO, RISK_PERSON = "sys:risk:yes", "sys:risk:no", "sys:risk:person"


class LockLost(Exception):
    """The turn took longer than the user's lock; it was not saved and must be redone."""


class Pipeline:
    def __init__(self, *, store: StateStore, bundle: Bundle, handoff: Handoff,
                 triage: Triager | None = None, nlu: Understander | None = None,
                 langid: LanguageGuesser | None = None, addresses: AddressBook | None = None,
                 outbox: OutboxPort | None = None, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.bundle = bundle
        self.handoff = handoff
        self.triage = triage
        self.nlu = nlu
        self.langid = langid
        self.addresses = addresses
        self.outbox = outbox
        self.clock = clock

    async def handle(self, msg: Incoming, *, deliver: bool = False) -> Reply:
        """Process one message. With deliver=True the replies are queued in the outbox in the
        same atomic step that saves the conversation (channels); otherwise only returned (simulator)."""
        if deliver and (self.outbox is None or self.addresses is None):
            raise ValueError("deliver=True needs the pipeline's outbox and address book")
        try:
            session = await self.store.begin(msg.user_key, msg.channel, msg.external_id)
        except Duplicate:
            return Reply(lang="es", replies=(), understood=Understood("fallback"), duplicate=True)
        turn = _Turn(self, self.bundle, msg, session.state.copy())
        try:
            reply = await turn.run()
        except BaseException:
            await self.store.abort(session)
            raise
        turn.state.updated_at = self.clock()
        sealed = self.addresses.seal(msg.channel, msg.address) if self.addresses else ""
        push = self.outbox.prepare(msg.channel, msg.user_key, sealed, reply.replies) \
            if deliver and self.outbox else None
        try:
            saved = await self.store.commit(session, None if turn.deleted else turn.state, sealed, push)
        except BaseException:
            with contextlib.suppress(Exception):  # free the user for the retry (else the lock expires)
                await self.store.abort(session)
            raise
        if not saved:
            raise LockLost("the turn outlived the user's lock; nothing was saved")
        return reply


@dataclass
class _Turn:
    """Everything about one message being processed."""

    pipeline: Pipeline
    bundle: Bundle
    msg: Incoming
    state: Conversation
    out: list[Outgoing] = field(default_factory=list)
    handoff: HandoffInfo | None = None
    deleted: bool = False
    risk: Risk = NO_RISK

    @property
    def lang(self) -> str:
        return self.state.lang or "es"

    async def run(self) -> Reply:
        text = (self.msg.text or "").strip()[:MAX_TEXT_CHARS]
        understood = await self._understand(text)
        return Reply(lang=self.lang, replies=tuple(self.out), understood=understood, handoff=self.handoff,
                     risk=self.risk)

    async def _understand(self, text: str) -> Understood:
        p = self.pipeline
        command = self.bundle.commands.get(fold(text)) if text else None
        # 1. Handoff: while a ticket is open the bot stays quiet and relays to the counselor.
        if self.state.ticket:
            if await p.handoff.is_open(self.state.ticket):
                if command in ("stop", "delete"):
                    await self._command(command)
                    return Understood("command", command, None)
                self.risk = p.triage.rules(text) if (p.triage and text) else NO_RISK
                if self.risk.level == "urgent":  # raise the ticket's priority, do not repeat the safety text
                    self.handoff, _ = await p.handoff.open_ticket(
                        self.msg, lang=self.lang, priority="urgent", category=self.risk.category,
                        trigger=self.risk.trigger, summary=self._summary())
                await p.handoff.relay(self.state.ticket, self.msg)
                return Understood("relay")
            self.state.ticket = None
        # 2. Urgent rules, before anything else understands the message: a clear signal acts now.
        rule = p.triage.rules(text) if (p.triage and text) else NO_RISK
        if rule.level == "urgent" and rule.category:
            await self._urgent(rule)
            return Understood("urgent_rule", f"urgent_{rule.category}", None)
        if self.msg.edited:  # an edit of an earlier message: checked for danger above, not re-run
            self._say("common.edited_ignored", choices=self._current_choices())
            return Understood("fallback")
        # 3. Fast path: buttons, menu numbers, command words.
        if self.msg.choice:
            if await self._payload(self.msg.choice):
                return Understood("choice")
            self._not_understood()
            return Understood("fallback")
        typed = self._typed_risk_answer(text)
        if typed and await self._payload(typed):
            return Understood("choice")
        number = menu_number(text) if text else None
        if number is not None and 1 <= number <= len(self.state.pending) \
                and await self._payload(self.state.pending[number - 1]):
            return Understood("number")
        if command:
            await self._command(command)
            return Understood("command", command, None)
        # 4. First contact: ask the language (a clear Quechua or Aymara text pre-selects it); a
        #    message that may be urgent is asked about first, in the language it seems to be in.
        if self.state.lang is None:
            guess = p.langid.is_clear(text) if (p.langid and text) else None
            self.risk = rule
            if rule.level == "ask" and rule.category and await self._ask_risk(rule, guess or "es"):
                return Understood("triage", f"ask_{rule.category}", None)
            self._ask_language(guess)
            return Understood("fallback")
        if not text:
            self._say("common.media_not_supported", choices=self._current_choices())
            return Understood("fallback")
        # 5. NLU, when configured and reachable; triage weighs the rules and the NLU's urgent reading.
        intent = await p.nlu.understand(text) if p.nlu else None
        risk = p.triage.decide(rule, intent) if p.triage else NO_RISK
        self.risk = risk
        if risk.level == "urgent" and risk.category:
            await self._urgent(risk)
            return Understood("triage", f"urgent_{risk.category}", _confidence(intent))
        if risk.level == "ask" and risk.category and await self._ask_risk(risk, self.lang):
            return Understood("triage", f"ask_{risk.category}", _confidence(intent))
        if intent is not None and intent.name and await self._intent(intent.name, text):
            return Understood("nlu", intent.name, _confidence(intent))
        switch = p.langid.is_clear(text, 0.97) if (p.langid and len(text.split()) >= 2) else None
        if switch is not None and switch != self.state.lang:
            self._offer_language(switch)  # they seem to write in another language: offer it
            return Understood("fallback")
        self._not_understood()
        return Understood("fallback", intent.name if intent else None, _confidence(intent))

    # -- actions ------------------------------------------------------------------------------
    async def _intent(self, name: str, text: str) -> bool:
        if name.startswith("urgent_"):  # triage has weighed it already: not urgent enough to act on
            return False
        if name in INTENT_COMMANDS:
            await self._command(INTENT_COMMANDS[name])
            return True
        if name in ("thanks", "goodbye"):
            self._say("common.thanks_reply" if name == "thanks" else "common.bye")
            return True
        flow = INTENT_FLOWS.get(name)
        if flow and flow in self.bundle.flows.flows:
            await self._events(StartFlow(flow))
            return True
        return False

    async def _command(self, command: str) -> None:
        if command == "menu" and self.state.lang is None:
            self._ask_language(None)  # first contact (Telegram's /start): the language comes first
        elif command == "menu":
            await self._events(StartFlow("main"))
        elif command == "help":
            await self._events(StartFlow("help" if "help" in self.bundle.flows.flows else "main"))
        elif command == "language":
            self._ask_language(None)
        elif command == "stop":
            self.state.subscribed = False
            self.state.flow = self.state.step = None
            self._say("common.stopped")
        elif command == "delete":
            self._say("common.delete_confirm", choices=(
                ChoiceRef("common.yes", "sys:delete:yes"), ChoiceRef("common.no", "sys:delete:no")))
        elif command == "person":
            await self._open_ticket("normal", None, None)

    async def _payload(self, payload: str) -> bool:
        """Act on a button payload; False when it is unknown or stale (content changed)."""
        if payload.startswith("lang:") and payload[5:] in LANGS:
            self.state.lang = payload[5:]
            self._say("language.changed")
            await self._events(StartFlow("main"))
            return True
        if payload in (RISK_YES, RISK_NO, RISK_PERSON):
            await self._risk_answer(payload)
            return True
        if payload == "sys:delete:yes":
            await self._delete()
            return True
        if payload == "sys:delete:no":
            self._say("common.delete_cancelled")
            await self._events(StartFlow("main"))
            return True
        pick = parse_payload(payload)
        if pick is not None and self.bundle.engine.valid_pick(pick):
            await self._events(pick)
            return True
        return False

    async def _delete(self) -> None:
        self._say("common.delete_done")
        await self.pipeline.store.delete_user(self.msg.user_key)
        await self.pipeline.handoff.forget_user(self.msg.user_key)
        self.deleted = True

    async def _urgent(self, risk: Risk) -> None:
        category = risk.category or "immediate_danger"
        self.risk = Risk("urgent", category, risk.source, risk.trigger)
        lang = self.state.lang or (self.pipeline.langid.is_clear(self.msg.text or "")
                                   if self.pipeline.langid else None) or "es"
        key = f"safety.{category}" if self.bundle.catalog.has(f"safety.{category}") else "safety.immediate_danger"
        self.out.append(Outgoing(self.bundle.catalog.text(lang, key)))
        await self._open_ticket("urgent", category, risk.trigger, lang=lang)

    async def _ask_risk(self, risk: Risk, lang: str) -> bool:
        """Ask "are you in danger now?" (Sí / No / Hablar con alguien). At most once in ten minutes:
        a second possible emergency while the question is unanswered is treated as urgent; after a
        "No" the message goes on to be understood as usual. False when the question is not asked."""
        asked = self.state.risk_asked
        recent = bool(asked) and self.pipeline.clock() - float(asked.get("at", 0.0)) < RISK_QUESTION_QUIET_SECONDS
        if recent and asked.get("answer") == "":
            await self._urgent(Risk("urgent", risk.category, risk.source, risk.trigger))
            return True
        if recent:
            return False
        self.risk = risk
        self.state.risk_asked = {"at": self.pipeline.clock(), "category": risk.category or "", "answer": ""}
        catalog = self.bundle.catalog
        choices = ((RISK_YES, "common.yes"), (RISK_NO, "common.no"), (RISK_PERSON, "common.person"))
        self.out.append(Outgoing(catalog.text(lang, "risk.ask"),
                                 tuple(Choice(catalog.text(lang, label), payload) for payload, label in choices)))
        self.state.pending = [payload for payload, _ in choices]
        if self.state.lang is None:
            self.state.lang = lang  # the question is in this language; the user can change it any time
        return True

    async def _risk_answer(self, payload: str) -> None:
        asked = self.state.risk_asked
        category = str(asked.get("category") or "") or "immediate_danger"
        if category not in URGENT_CATEGORIES:
            category = "immediate_danger"
        if payload == RISK_NO:
            self.state.risk_asked = {**asked, "answer": "no"} if asked else {}
            choices = self._current_choices()
            self._say("risk.no", choices=choices)
            if not choices:
                await self._events(StartFlow("main"))
            return
        if asked:
            self.state.risk_asked = {**asked, "answer": "yes"}
        await self._urgent(Risk("urgent", category, "answer"))

    def _typed_risk_answer(self, text: str) -> str | None:
        """"sí" / "no" typed instead of tapped, while the danger question waits for an answer."""
        if not text or RISK_YES not in self.state.pending:
            return None
        folded = fold(text)
        catalog = self.bundle.catalog
        for payload, label in ((RISK_YES, "common.yes"), (RISK_NO, "common.no"), (RISK_PERSON, "common.person")):
            if folded in {fold(catalog.text(lang, label)) for lang in LANGS}:
                return payload
        return None

    async def _open_ticket(self, priority: str, category: str | None, trigger: str | None,
                           lang: str | None = None) -> None:
        lang = lang or self.lang
        info, wait = await self.pipeline.handoff.open_ticket(
            self.msg, lang=lang, priority=priority, category=category, trigger=trigger,
            summary=self._summary())
        already = self.state.ticket == info.ticket
        self.state.ticket = info.ticket
        self.state.pending = []
        self.handoff = info
        catalog = self.bundle.catalog
        if already:
            self.out.append(Outgoing(catalog.text(lang, "common.already_waiting")))
            return
        wait_text = (catalog.text(lang, "safety.wait_minutes", {"minutes": str(wait.minutes)})
                     if wait.minutes is not None else catalog.text(lang, "safety.wait_unknown"))
        key = "safety.handoff" if priority == "urgent" else "common.person_requested"
        self.out.append(Outgoing(catalog.text(lang, key, {"wait": wait_text})))

    def _ask_language(self, guess: str | None) -> None:
        order = [guess] + [lang for lang in LANGS if lang != guess] if guess else list(LANGS)
        choices = tuple(Choice(display_name(lang), f"lang:{lang}") for lang in order)
        if guess and guess != "es":
            text = self.bundle.catalog.text(guess, "language.confirm_detected", {"language": display_name(guess)})
        else:
            text = self.bundle.catalog.text("es", "language.ask")
        self.out.append(Outgoing(text, choices))
        self.state.pending = [c.payload for c in choices]

    def _offer_language(self, lang: str) -> None:
        current = self.lang
        choices = (Choice(display_name(lang), f"lang:{lang}"), Choice(display_name(current), f"lang:{current}"))
        text = self.bundle.catalog.text(lang, "language.confirm_detected", {"language": display_name(lang)})
        self.out.append(Outgoing(text, choices))
        self.state.pending = [c.payload for c in choices]

    def _not_understood(self) -> None:
        choices = self._current_choices()
        if choices:
            self._say("common.not_understood", choices=choices)
            return
        self._say("common.not_understood")
        state, events = self.bundle.engine.handle(self.state, StartFlow("main"))
        self.state = state
        self._render(events)

    def _current_choices(self) -> tuple[ChoiceRef, ...]:
        return self.bundle.engine.current_choices(self.state)

    def _summary(self) -> str:
        where = f"{self.state.flow}/{self.state.step}" if self.state.flow else "menu"
        return f"channel={self.msg.channel} lang={self.state.lang or '?'} at={where}"

    # -- events and rendering ---------------------------------------------------------------------
    async def _events(self, event: StartFlow | Pick) -> None:
        state, events = self.bundle.engine.handle(self.state, event)
        self.state = state
        await self._apply(events)

    async def _apply(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, RequestCounselor):
                await self._open_ticket("normal", None, None)
            elif isinstance(event, SetLanguage):
                if event.lang is None:
                    self._ask_language(None)
                else:
                    self.state.lang = event.lang
            elif isinstance(event, SetSubscription):
                self.state.subscribed = event.subscribed
            else:
                self._render([event])

    def _render(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Say):
                self._say(event.key, dict(event.variables), event.choices)
            elif isinstance(event, FlowEnded):
                continue

    def _say(self, key: str, variables: dict[str, str] | None = None,
             choices: tuple[ChoiceRef, ...] = ()) -> None:
        catalog = self.bundle.catalog
        rendered = tuple(Choice(catalog.text(self.lang, c.label), c.payload) for c in choices)
        self.out.append(Outgoing(catalog.text(self.lang, key, variables), rendered))
        self.state.pending = [c.payload for c in choices]


def _confidence(intent: Intent | None) -> float | None:
    return round(intent.confidence, 4) if intent else None
