"""One pipeline for every channel: Incoming in, Reply out.

Order: dedup → state under a per-user lock → handoff relay → urgent rules → fast path
(choice, number, command) → first-contact language → NLU → flow engine → render content.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, assert_never

from bot.content.audio import CONTENT_TYPE as AUDIO_TYPE
from bot.content.languages import LANGS, display_name
from bot.core.analytics import VIA, AnalyticsEvent, encode
from bot.core.conversation import RECENT_LINES, RECENT_SECONDS, Conversation
from bot.core.effects import (
    DeleteUser,
    Effect,
    HandoffEffect,
    OpenTicket,
    OptOut,
    RecordReplies,
    Relay,
    Subscribe,
    ToldWaiting,
    Unsubscribe,
)
from bot.core.media import (
    MEDIA_NO,
    MEDIA_OFFER_QUIET_SECONDS,
    MEDIA_YES,
    from_refs,
    merge,
    offer_key,
    offerable,
    to_refs,
)
from bot.core.ports import (
    Handoff,
    Intent,
    LanguageGuesser,
    OutboxPort,
    Subscriptions,
    Triager,
    Understander,
    WaitEstimate,
)
from bot.core.risk import NO_RISK, RISK_QUESTION_QUIET_SECONDS, URGENT_CATEGORIES, Risk
from bot.core.text import MAX_TEXT_CHARS, fold, menu_number
from bot.core.types import Choice, HandoffInfo, Incoming, Media, Outgoing, Reply, Understood
from bot.dialog.bundle import Bundle
from bot.flows.engine import (
    ChoiceRef,
    Event,
    FlowEnded,
    FlowStarted,
    Pick,
    QuizAnswered,
    RequestCounselor,
    Say,
    SetLanguage,
    SetSubscription,
    StartFlow,
    StepReached,
    parse_payload,
)
from bot.flows.intents import IntentActions
from bot.store.addresses import AddressBook
from bot.store.analytics import AnalyticsLog
from bot.store.state import Duplicate, StateStore

log = logging.getLogger(__name__)

BACK = "sys:back:"  # + flow:step — return to where the user was before a free-text interruption
MENU = "sys:menu"
LISTEN = "sys:listen:"  # + message key — send the recording of that message as a voice note
OPEN = "sys:open:"  # + flow — a button on a message the bot sent first (a weekly tip): opens that module
TIPS_VAR = "tips"  # state variable: "on" while the user is subscribed to the weekly tips (flows/weekly.yml)
RISK_YES, RISK_NO, RISK_PERSON = "sys:risk:yes", "sys:risk:no", "sys:risk:person"
RISK_ANSWERS = {"common.yes": RISK_YES, "common.no": RISK_NO, "common.person": RISK_PERSON}  # label → payload


class LockLost(Exception):
    """The turn took longer than the user's lock; it was not saved and must be redone."""


class Pipeline:
    def __init__(self, *, store: StateStore, bundle: Bundle, handoff: Handoff,
                 triage: Triager | None = None, nlu: Understander | None = None,
                 langid: LanguageGuesser | None = None, addresses: AddressBook | None = None,
                 outbox: OutboxPort | None = None, clock: Callable[[], float] = time.time,
                 intents: IntentActions | None = None, subscriptions: Subscriptions | None = None,
                 analytics: AnalyticsLog | None = None) -> None:
        self.store = store
        self.analytics = analytics  # None (some tests): no analytics events are recorded
        self.subscriptions = subscriptions  # None (some tests): subscription effects are not recorded
        self.intents = intents or IntentActions.load()  # what each NLU intent does (flows/nlu/intents.yml)
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
        turn = _Turn(self, self.bundle, msg, session.state.copy(), session.recent, first_contact=session.is_new)
        try:
            reply = await turn.run()
            await self._do(turn)
        except BaseException:
            await self.store.abort(session)
            raise
        turn.state.updated_at = self.clock()
        sealed = self.addresses.seal(msg.channel, msg.address) if self.addresses else ""
        push = self.outbox.prepare(msg.channel, msg.user_key, sealed, reply.replies) \
            if deliver and self.outbox else None
        try:
            analytics = await self._analytics(turn, reply) if self.analytics is not None else ""
            saved = await self.store.commit(session, None if turn.deleted else turn.state, sealed, push,
                                            recent=turn.recent_after(), analytics=analytics)
        except BaseException:
            with contextlib.suppress(Exception):  # free the user for the retry (else the lock expires)
                await self.store.abort(session)
            raise
        if not saved:
            raise LockLost("the turn outlived the user's lock; nothing was saved")
        return reply

    async def _analytics(self, turn: _Turn, reply: Reply) -> str:
        """The turn's analytics events as one entry of the pending list, committed with the state: how the
        message was understood (with the week's pseudonymous actor, for counts of people), then what the
        turn decided (bot/core/analytics.py). No text, no address, no user hash."""
        assert self.analytics is not None
        who = await self.analytics.actor(turn.msg.user_key, self.clock())
        via = VIA.get(reply.understood.via, reply.understood.via)
        first = [turn.event("first_contact", actor=who)] if turn.first_contact else []
        return encode(secrets.token_hex(8), [*first, turn.event("understood", detail=via, actor=who), *turn.analytics])

    async def _do(self, turn: _Turn) -> None:
        """Apply what the turn decided, before its state commits; each effect is idempotent per message
        (a turn redone after LockLost decides the same effects and nothing is written twice)."""
        tickets: list[HandoffEffect] = []
        for effect in turn.effects:
            match effect:
                case OpenTicket() | Relay() | RecordReplies() | ToldWaiting():
                    tickets.append(effect)
                case DeleteUser(user_key=user):
                    await self.store.delete_user(user)
                    await self.handoff.forget_user(user)
                    if self.subscriptions is not None:
                        await self.subscriptions.forget(user)
                case OptOut(user_key=user):  # the channel records who can be reached (Reply.opted_out)
                    if self.subscriptions is not None:
                        await self.subscriptions.end(user, "stop")
                case Subscribe():
                    if self.subscriptions is not None:
                        await self.subscriptions.subscribe(effect)
                case Unsubscribe(user_key=user, reason=reason):
                    if self.subscriptions is not None:
                        await self.subscriptions.end(user, reason)
                case _:
                    assert_never(effect)
        if tickets:
            msg = turn.msg
            opened = await self.handoff.apply(f"{msg.channel}:{msg.external_id}" if msg.external_id else "",
                                              tickets)
            if opened and turn.state.ticket and opened != turn.state.ticket:  # closed meanwhile: a new one
                turn.state.ticket = opened


@dataclass
class _Turn:
    """Everything about one message being processed."""

    pipeline: Pipeline
    bundle: Bundle
    msg: Incoming
    state: Conversation
    recent: tuple[dict[str, Any], ...] = ()  # the conversation's last minutes, before this message
    out: list[Outgoing] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)  # what the pipeline's executor applies
    handoff: HandoffInfo | None = None
    deleted: bool = False
    risk: Risk = NO_RISK
    safety_index: int | None = None  # which of `out` is the safety reply (highlighted for the counselor)
    tell_waiting: bool = False
    first_contact: bool = False  # no conversation was saved for this user (new, or back after it expired)
    analytics: list[AnalyticsEvent] = field(default_factory=list)  # what the turn counts (no text, no user)
    _reading: tuple[Intent | None] | None = None  # the NLU's reading of this message, asked once

    @property
    def lang(self) -> str:
        return self.state.lang or "es"

    def event(self, kind: str, *, flow: str | None = None, step: str | None = None, detail: str | None = None,
              category: str | None = None, actor: str | None = None) -> AnalyticsEvent:
        """An analytics event in this conversation's context as it is now: channel, language, audience and,
        while the user is subscribed to the tips, the city they gave."""
        variables = self.state.vars
        return AnalyticsEvent(kind, self.pipeline.clock(), self.msg.channel, self.state.lang, variables.get("audience"),
                              variables.get("city") if variables.get(TIPS_VAR) == "on" else None, flow, step,
                              detail, category, None, actor)

    def count(self, kind: str, **fields: str | None) -> None:
        self.analytics.append(self.event(kind, **fields))

    async def run(self) -> Reply:
        text = (self.msg.text or "").strip()[:MAX_TEXT_CHARS]
        self._forget_old_media()
        understood = await self._understand(text)
        if understood.via == "fallback" and self.state.lang:  # where people get stuck, and why (never what they wrote)
            self.count("fallback", flow=self.state.flow, step=self.state.step, detail=understood.intent)
        if self.tell_waiting:  # once per ticket, after the answer: the person will still write here
            self.out.append(Outgoing(self.bundle.catalog.text(self.lang, "common.already_waiting")))
        if self.state.ticket and self.out and not self.deleted:  # the counselor sees what the user saw
            self.effects.append(RecordReplies(self.state.ticket, tuple(self.out), self.safety_index))
        return Reply(lang=self.lang, replies=tuple(self.out), understood=understood, handoff=self.handoff,
                     risk=self.risk, opted_out=any(isinstance(e, OptOut) for e in self.effects))

    def recent_after(self) -> list[dict[str, Any]]:
        """The conversation's last minutes after this turn, for the next ticket (none while a ticket is
        open: its transcript holds the conversation)."""
        if self.deleted or self.state.ticket:
            return []
        now = self.pipeline.clock()
        lines = [line for line in self.recent if now - float(line.get("at", 0.0)) < RECENT_SECONDS]
        lines.append(self._user_line(now))
        lines += [{"from": "bot", "text": o.text, "choices": [c.title for c in o.choices],
                   "payloads": [c.payload for c in o.choices], "at": now} for o in self.out]
        return lines[-RECENT_LINES:]

    def _user_line(self, now: float) -> dict[str, Any]:
        """The user's message as the counselor should read it: a tapped button by its title."""
        text = self.msg.text or ""
        if self.msg.choice:
            shown = [line for line in self.recent if line.get("from") == "bot" and self.msg.choice in
                     line.get("payloads", [])]
            titles = dict(zip(shown[-1]["payloads"], shown[-1]["choices"], strict=False)) if shown else {}
            text = f"[{titles.get(self.msg.choice, self.msg.choice)}]"
        files = [{"kind": m.kind} for m in self.msg.media]  # what it was, never the platform's reference
        return {"from": "user", "text": text, "files": files, "at": now}

    async def _understand(self, text: str) -> Understood:
        p = self.pipeline
        command = self.bundle.commands.get(fold(text)) if text else None
        # 1. Handoff: while a ticket is open the bot relays to the counselor and stays quiet, except
        #    while a normal ticket waits for a person: then it answers too (item 7 of issue 15).
        if self.state.ticket:
            if await p.handoff.is_open(self.state.ticket):
                if command in ("stop", "delete"):
                    await self._command(command)
                    return Understood("command", command, None)
                self.risk = p.triage.rules(text) if (p.triage and text) else NO_RISK
                if self.risk.level == "urgent":  # raise the ticket's priority, do not repeat the safety text
                    await self._plan_ticket("urgent", self.risk.category, self.risk.trigger, note_message=False)
                self.effects.append(Relay(self.state.ticket, self.msg))
                mode = "relay" if self.risk.level == "urgent" else await p.handoff.while_waiting(self.state.ticket)
                if mode == "relay":
                    return Understood("relay")
                self.tell_waiting = mode == "answer_and_tell"
                if self.tell_waiting:
                    self.effects.append(ToldWaiting(self.state.ticket))
            else:
                self.state.ticket = None
        # 2. Urgent rules, before anything else understands the message: a clear signal of self-harm
        #    or immediate danger acts now; another clear signal acts now unless the NLU sees no danger.
        rule = p.triage.rules(text) if (p.triage and text) else NO_RISK
        if p.triage and rule.level == "urgent" and rule.category:
            risk = rule
            if p.nlu and not p.triage.acts_alone(rule):
                risk = p.triage.decide(rule, await self._read(text))
            if risk.level == "urgent":
                await self._urgent(risk)
                return Understood("urgent_rule", f"urgent_{risk.category}", None)
            # lowered: decided again below with the same reading
        if self.msg.edited:  # an edit of an earlier message: checked for danger above, not re-run
            self._say("common.edited_ignored", choices=self._current_choices())
            return Understood("fallback")
        # 3. Fast path: buttons, menu numbers, command words.
        if self.msg.choice:
            if self._stale(self.msg.choice):
                await self._stale_choice()
                return Understood("fallback", "stale_choice", None)
            if await self._payload(self.msg.choice):
                return Understood("choice")
            await self._not_understood()
            return Understood("fallback")
        typed = self._typed_risk_answer(text) or self._typed_media_answer(text)
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
        #    The NLU weighs in here too: a first message is often the one that says what is wrong.
        if self.state.lang is None:
            guess = p.langid.is_clear(text) if (p.langid and text) else None
            first = p.triage.decide(rule, await self._read(text)) if (p.triage and p.nlu and text) else rule
            self.risk = first
            if first.level == "urgent" and first.category:
                await self._urgent(first)
                return Understood("triage", f"urgent_{first.category}", None)
            if first.level == "ask" and first.category and await self._ask_risk(first, guess or "es"):
                return Understood("triage", f"ask_{first.category}", None)
            if offerable(self.msg):  # kept until the language is chosen; then the offer comes in it
                self._keep_before_language()
            self._ask_language(guess)
            return Understood("fallback")
        if not text:
            if offerable(self.msg):  # a voice note, photo, video or document: a person is one tap away
                self._media_offer()
                return Understood("fallback", "media", None)
            self._say("common.media_not_supported", choices=self._current_choices())
            return Understood("fallback")
        # 5. NLU, when configured and reachable; triage weighs the rules and the NLU's urgent reading.
        intent = await self._read(text)
        risk = p.triage.decide(rule, intent) if p.triage else NO_RISK
        self.risk = risk
        if risk.level == "urgent" and risk.category:
            await self._urgent(risk)
            return Understood("triage", f"urgent_{risk.category}", _confidence(intent))
        if risk.level == "ask" and risk.category and await self._ask_risk(risk, self.lang):
            return Understood("triage", f"ask_{risk.category}", _confidence(intent))
        name = intent.name if intent is not None else None
        if name and name != "out_of_scope" and await self._intent(name):
            return Understood("nlu", name, _confidence(intent))
        if offerable(self.msg):  # a caption nothing understood: the media is what matters
            self._media_offer()
            return Understood("fallback", "media", _confidence(intent))
        switch = p.langid.is_clear(text, 0.97) if (p.langid and len(text.split()) >= 2) else None
        if switch is not None and switch != self.state.lang:
            self._offer_language(switch)  # they seem to write in another language: offer it
            return Understood("fallback")
        if name == "out_of_scope" and await self._intent(name):  # a kind word and the menu
            return Understood("nlu", name, _confidence(intent))
        await self._not_understood()  # unsure: keep the step and say in one line what can be typed
        return Understood("fallback", intent.name if intent else None, _confidence(intent))

    async def _read(self, text: str) -> Intent | None:
        """The NLU's reading of this turn's text: asked at most once per turn (rules, first contact
        and the free-text path all weigh the same reading). None without NLU or when it is down."""
        if self._reading is None:
            nlu = self.pipeline.nlu
            self._reading = (await nlu.understand(text) if nlu else None,)
        return self._reading[0]

    # -- actions ------------------------------------------------------------------------------
    async def _intent(self, name: str) -> bool:
        """Act on a clear intent at any step. A flow started from inside a module offers a button
        back to the step the user left; a bare "ok" / "no" (at_step: keep) keeps a waiting step."""
        answer = self.pipeline.intents.answers.get(name)
        action = self.pipeline.intents.get(name.split("/")[0])
        if action is None or (action.flow and action.flow not in self.bundle.flows.flows):
            return False
        waiting = bool(self._current_choices())
        left = (self.state.flow, self.state.step) if waiting and self.state.flow != "main" else None
        if answer is not None and action.flow:
            target = self._answer(action.flow, answer.step, answer.say)
            if target is not None:
                self._offer_back(left, target)
                return True
        if action.at_step == "keep" and waiting:  # "gracias", "hola", "ok" inside a step: stay there
            self._say(action.say or "nlu.hint", choices=self._current_choices())
            return True
        if action.say:
            self._say(action.say)
        if action.command:
            await self._command(action.command)
        elif action.flow:
            await self._events(StartFlow(action.flow))
            self._offer_back(left)
        return True

    def _answer(self, flow_name: str, step: str | None, say: str | None) -> tuple[str, str] | None:
        """A direct answer: a module step whose message answers the question (its choices continue
        the module), or a text followed by "continue" (the module from its start) and "menu".
        Returns where "continue" leads, or None when the answer cannot be given."""
        if step is not None:
            return (flow_name, step) if self._go_back(f"{BACK}{flow_name}:{step}") else None
        flow = self.bundle.flows.flows[flow_name]
        start = flow.steps.get(flow.start or "")
        if say is None or start is None or start.type != "menu":
            return None
        self._say(say, choices=(ChoiceRef("common.continue", f"{BACK}{flow_name}:{start.id}"),
                                ChoiceRef("common.menu", MENU)))
        return flow_name, start.id

    def _offer_back(self, left: tuple[str | None, str | None] | None,
                    target: tuple[str | None, str | None] | None = None) -> None:
        """Add "back to where I was" to the choices just sent, when the user left a module's step
        (and the new choices do not already lead there)."""
        if left is None or None in left or left == (target or (self.state.flow, self.state.step)):
            return
        if not self.out or not self.out[-1].choices or not self.state.pending:
            return
        payload = f"{BACK}{left[0]}:{left[1]}"
        title = self.bundle.catalog.text(self.lang, "nlu.back", audience=self.state.vars.get("audience"))
        last = self.out[-1]
        self.out[-1] = Outgoing(last.text, (*last.choices, Choice(title, payload)), last.media)
        self.state.pending = [*self.state.pending, payload]

    def _go_back(self, payload: str) -> bool:
        """Return to the step named in a BACK payload: say its prompt again with its choices."""
        flow_name, _, step_name = payload.removeprefix(BACK).partition(":")
        flow = self.bundle.flows.flows.get(flow_name)
        step = flow.steps.get(step_name) if flow else None
        if step is None or step.type not in ("menu", "quiz") or not step.say:
            return False
        self.state.flow, self.state.step = flow_name, step_name
        self._say(step.say, choices=self._current_choices())
        return True

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
            self.count("opted_out", detail="stop")
            self.effects.append(OptOut(self.msg.user_key))  # also ends the weekly tips (the executor)
            self.state.subscribed = False
            self.state.vars.pop(TIPS_VAR, None)
            self.state.flow = self.state.step = None
            self._say("common.stopped")
        elif command == "delete":
            self._say("common.delete_confirm", choices=(
                ChoiceRef("common.yes", "sys:delete:yes"), ChoiceRef("common.no", "sys:delete:no")))
        elif command == "person":
            await self._open_ticket("normal", None, None)
        elif command in ("audio_on", "audio_off"):  # "prefiero audios": recordings first, where there are
            if command == "audio_on":
                self.state.vars["audio_first"] = "yes"
            else:
                self.state.vars.pop("audio_first", None)
            self._say(f"media.{command}", choices=self._current_choices())

    async def _payload(self, payload: str) -> bool:
        """Act on a button payload; False when it is unknown or stale (content changed)."""
        if payload.startswith("lang:") and payload[5:] in LANGS:
            self.state.lang = payload[5:]
            self._say("language.changed")
            kept = self._kept_before_language()
            if kept:  # a file came before the language: the offer of a person first, then the menu
                self._media_offer(kept)
                return True
            await self._events(StartFlow("main"))
            return True
        if payload in (RISK_YES, RISK_NO, RISK_PERSON):
            await self._risk_answer(payload)
            return True
        if payload.startswith(BACK):
            return self._go_back(payload)
        if payload == MENU:
            await self._events(StartFlow("main"))
            return True
        if payload == "sys:delete:yes":
            await self._delete()
            return True
        if payload.startswith(LISTEN):
            return self._listen(payload.removeprefix(LISTEN))
        if payload.startswith(OPEN) and payload.removeprefix(OPEN) in self.bundle.flows.flows:
            await self._events(StartFlow(payload.removeprefix(OPEN)))
            return True
        if payload in (MEDIA_YES, MEDIA_NO):
            await self._media_answer(payload)
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
        if self.state.vars.get(TIPS_VAR) == "on":
            self.count("unsubscribed", detail="deleted")
        self._say("common.delete_done")
        self.effects.append(DeleteUser(self.msg.user_key))
        self.deleted = True

    async def _urgent(self, risk: Risk) -> None:
        category = risk.category or "immediate_danger"
        self.risk = Risk("urgent", category, risk.source, risk.trigger)
        lang = self.state.lang or (self.pipeline.langid.is_clear(self.msg.text or "")
                                   if self.pipeline.langid else None) or "es"
        key = f"safety.{category}" if self.bundle.catalog.has(f"safety.{category}") else "safety.immediate_danger"
        self.count("urgent", category=category)
        self.safety_index = len(self.out)
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
        choices = tuple(Choice(catalog.text(lang, label), payload) for label, payload in RISK_ANSWERS.items())
        self.out.append(Outgoing(catalog.text(lang, "risk.ask"), choices))
        self.state.pending = list(RISK_ANSWERS.values())
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
        return RISK_ANSWERS.get(self.bundle.answer_words.get(fold(text), ""))

    def _typed_media_answer(self, text: str) -> str | None:
        """"sí" / "no" typed instead of tapped, while the offer of a person for a file waits."""
        if not text or MEDIA_YES not in self.state.pending:
            return None
        word = self.bundle.answer_words.get(fold(text), "")
        return {"common.yes": MEDIA_YES, "common.no": MEDIA_NO, "common.person": MEDIA_YES}.get(word)

    async def _plan_ticket(self, priority: str, category: str | None, trigger: str | None, *,
                           lang: str | None = None, note_message: bool = True) -> WaitEstimate:
        """Decide to open (or raise) the user's ticket: read where it stands, add the effect."""
        plan = await self.pipeline.handoff.plan_ticket(self.msg.user_key, priority)
        new_id = hashlib.sha256(f"{self.msg.user_key}\n{self.msg.channel}\n{self.msg.external_id}".encode()
                                ).hexdigest()[:32] if self.msg.external_id else uuid.uuid4().hex
        first = not any(isinstance(e, OpenTicket) and e.note_message for e in self.effects)
        before = tuple(self._before_ticket()) if note_message and first else ()
        msg = self._with_kept_media()
        if msg.choice and not msg.text:  # "Sí" tapped: the counselor reads the button's title
            msg = replace(msg, text=self._user_line(self.pipeline.clock())["text"])
        self.effects.append(OpenTicket(
            new_id, msg, lang or self.lang, priority, category, trigger, self._summary(),
            before=before, note_message=note_message))
        if plan.ticket is None and not any(e.kind == "handoff_opened" for e in self.analytics):
            self.count("handoff_opened", detail=plan.priority, category=category)
        self.handoff = HandoffInfo(plan.ticket or new_id, plan.priority)
        return plan.wait

    def _before_ticket(self) -> list[dict[str, Any]]:
        now = self.pipeline.clock()
        return [{k: v for k, v in line.items() if k != "payloads"} for line in self.recent
                if now - float(line.get("at", 0.0)) < RECENT_SECONDS]

    async def _open_ticket(self, priority: str, category: str | None, trigger: str | None,
                           lang: str | None = None) -> None:
        lang = lang or self.lang
        wait = await self._plan_ticket(priority, category, trigger, lang=lang)
        assert self.handoff is not None
        already = self.state.ticket == self.handoff.ticket
        self.state.ticket = self.handoff.ticket
        self.state.pending = []
        catalog = self.bundle.catalog
        if already:
            self.out.append(Outgoing(catalog.text(lang, "common.already_waiting")))
            return
        wait_text = (catalog.text(lang, "safety.wait_minutes", {"minutes": str(wait.minutes)})
                     if wait.minutes is not None else catalog.text(lang, "safety.wait_unknown"))
        key = "safety.handoff" if priority == "urgent" else "common.person_requested"
        audience = self.state.vars.get("audience")
        self.out.append(Outgoing(catalog.text(lang, key, {"wait": wait_text}, audience=audience)))

    def _forget_old_media(self) -> None:
        """References to the user's files are kept only for MEDIA_OFFER_QUIET_SECONDS."""
        offer = self.state.media_offer
        since = max(float(offer.get("at") or 0.0), float(offer.get("before_language") or 0.0)) if offer else 0.0
        if offer and self.pipeline.clock() - since >= MEDIA_OFFER_QUIET_SECONDS:
            self.state.media_offer = {}

    def _keep_before_language(self) -> None:
        offer, now = self.state.media_offer, self.pipeline.clock()
        earlier = from_refs(offer.get("files")) if offer.get("before_language") else ()
        self.state.media_offer = {"at": 0.0, "answer": "", "before_language": now,
                                  "files": to_refs(merge(earlier, offerable(self.msg)))}

    def _kept_before_language(self) -> tuple[Media, ...]:
        offer = self.state.media_offer
        since = float(offer.get("before_language") or 0.0)
        if not since or self.pipeline.clock() - since >= MEDIA_OFFER_QUIET_SECONDS:
            return ()
        self.state.media_offer = {}
        return from_refs(offer.get("files"))

    def _media_offer(self, kept_before: tuple[Media, ...] = ()) -> None:
        """Say honestly that the bot cannot listen or look, and offer a person (Sí / No), at most once in
        MEDIA_OFFER_QUIET_SECONDS; meanwhile more media is kept for the case and acknowledged in one line."""
        if self.state.ticket:  # a normal ticket waits: the file is already on it (relayed above)
            if not self.tell_waiting:
                self.out.append(Outgoing(self.bundle.catalog.text(self.lang, "media.in_case")))
            return
        media = kept_before or offerable(self.msg)
        offer = self.state.media_offer
        now = self.pipeline.clock()
        recent = bool(offer) and now - float(offer.get("at", 0.0)) < MEDIA_OFFER_QUIET_SECONDS
        kept = merge(from_refs(offer.get("files")) if recent else (), media)
        if not recent:
            self.state.media_offer = {"at": now, "answer": "", "files": to_refs(kept)}
            self._say(offer_key(media), choices=(ChoiceRef("common.yes", MEDIA_YES), ChoiceRef("common.no", MEDIA_NO)))
            return
        self.state.media_offer = {**offer, "files": to_refs(kept)}
        if offer.get("answer") == "" and MEDIA_YES in self.state.pending:  # the offer above still stands
            self.out.append(Outgoing(self.bundle.catalog.text(self.lang, "media.again")))
            return
        self._say("media.reminder", choices=self._current_choices())

    async def _media_answer(self, payload: str) -> None:
        if payload == MEDIA_YES:
            await self._open_ticket("normal", None, None)
            return
        self.state.media_offer = {**self.state.media_offer, "answer": "no", "files": []}  # forgotten
        choices = self._current_choices()
        self._say("media.declined", choices=choices)
        if not choices:
            await self._events(StartFlow("main"))

    def _with_kept_media(self) -> Incoming:
        """The message that opens a ticket, with the media kept from the last minutes attached (then
        forgotten here: the ticket holds the references from now on)."""
        offer = self.state.media_offer
        if not offer or self.pipeline.clock() - float(offer.get("at", 0.0)) >= MEDIA_OFFER_QUIET_SECONDS:
            return self.msg
        kept: tuple[Media, ...] = from_refs(offer.get("files"))
        self.state.media_offer = {**offer, "files": []}
        if not kept:
            return self.msg
        return replace(self.msg, media=merge(kept, self.msg.media))

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

    async def _not_understood(self) -> None:
        choices = self._current_choices()
        if choices:
            self._say("common.not_understood", choices=choices)
            return
        self._say("common.not_understood")
        await self._events(StartFlow("main"))

    def _stale(self, payload: str) -> bool:
        """A button from an older message (not among the choices last offered). "Sí" and "Hablar con
        alguien" of the danger question always act: help is never refused for being late; so does a
        language button when nothing else is on offer (a new conversation)."""
        if payload.startswith("lang:") and not self.state.pending:
            return False
        if payload.startswith(OPEN) and payload.removeprefix(OPEN) in self.bundle.flows.flows:
            return False  # a tip's button: the message came from the bot, not from the last turn
        return payload not in self.state.pending and payload not in (RISK_YES, RISK_PERSON, MEDIA_YES)

    async def _stale_choice(self) -> None:
        """Say the option is no longer active, then offer what is current (on every channel)."""
        if self.state.lang is None or any(p.startswith("lang:") for p in self.state.pending):
            self._say("common.stale_choice")
            self._ask_language(None)
            return
        choices = self._current_choices()
        self._say("common.stale_choice", choices=choices)
        if not choices:
            await self._events(StartFlow("main"))

    def _current_choices(self) -> tuple[ChoiceRef, ...]:
        return self.bundle.engine.current_choices(self.state)

    def _summary(self) -> dict[str, str]:
        """Where the user was when the ticket opened (shown at the top of the case)."""
        where = f"{self.state.flow}/{self.state.step}" if self.state.flow else "menu"
        return {"channel": self.msg.channel, "lang": self.state.lang or "?",
                "audience": self.state.vars.get("audience", "?"), "at": where}

    # -- events and rendering ---------------------------------------------------------------------
    async def _events(self, event: StartFlow | Pick) -> None:
        state, events = self.bundle.engine.handle(self.state, event)
        self.state = state
        await self._apply(events)

    async def _apply(self, events: list[Event]) -> None:
        """Every flow event, from every path, is handled here (a new event type fails mypy until it is)."""
        for event in events:
            match event:
                case Say():
                    self._say(event.key, dict(event.variables), event.choices)
                case RequestCounselor():
                    await self._open_ticket("normal", None, None)
                case SetLanguage(lang=None):
                    self._ask_language(None)
                case SetLanguage(lang=lang):
                    self.state.lang = lang
                case SetSubscription():
                    self._subscription(event)
                case FlowStarted():
                    self.count("started", flow=event.flow)
                case StepReached():
                    self.count("step", flow=event.flow, step=event.step)
                    if event.last:
                        self.count("completed", flow=event.flow, step=event.step)
                case QuizAnswered():
                    self.count("quiz_right" if event.correct else "quiz_wrong", flow=event.flow, step=event.step)
                case FlowEnded():
                    pass
                case _:
                    assert_never(event)

    def _subscription(self, event: SetSubscription) -> None:
        """The weekly tips start (with the version of the consent text the user read) or end."""
        self.state.subscribed = event.subscribed
        user = self.msg.user_key
        was_on = self.state.vars.get(TIPS_VAR) == "on"
        if not event.subscribed:
            if was_on:
                self.count("unsubscribed", detail="asked")
            self.state.vars.pop(TIPS_VAR, None)
            self.effects.append(Unsubscribe(user, "asked"))
            return
        self.state.vars[TIPS_VAR] = "on"
        if not was_on:
            self.count("subscribed")
        audience = self.state.vars.get("audience") or "young"
        consent = event.consent or ""
        shown = self.bundle.catalog.text(self.lang, consent, audience=audience) if consent else ""
        version = f"{consent}@{hashlib.sha256(shown.encode()).hexdigest()[:12]}" if consent else "none"
        self.effects.append(Subscribe(user, self.lang, audience, self.msg.channel, self.state.vars.get("city"),
                                      self.pipeline.clock(), version))

    def _say(self, key: str, variables: dict[str, str] | None = None,
             choices: tuple[ChoiceRef, ...] = ()) -> None:
        catalog = self.bundle.catalog
        audience = self.state.vars.get("audience")  # the variant for the audience the user picked, if any
        recording = catalog.audio(self.lang, key) if choices else None
        if recording:  # a recording exists: "Escuchar" joins the choices (and goes first if preferred)
            choices = (*choices, ChoiceRef("media.listen", f"{LISTEN}{key}"))
            if self.state.vars.get("audio_first"):
                self.out.append(Outgoing("", media=(Media("audio", recording, AUDIO_TYPE),)))
        rendered = tuple(Choice(catalog.text(self.lang, c.label, audience=audience), c.payload) for c in choices)
        self.out.append(Outgoing(catalog.text(self.lang, key, variables, audience=audience), rendered))
        self.state.pending = [c.payload for c in choices]

    def _listen(self, key: str) -> bool:
        """The recording as a voice note; the choices on offer stay as they were."""
        ref = self.bundle.catalog.audio(self.lang, key)
        if ref is None:
            return False
        self.out.append(Outgoing("", media=(Media("audio", ref, AUDIO_TYPE),)))
        return True


def _confidence(intent: Intent | None) -> float | None:
    return round(intent.confidence, 4) if intent else None
