"""The one place that decides how urgent a message is: urgent, ask or none.

Inputs are the urgent rules' decision (bot/safety/rules.py) and, for free text, the NLU's urgent
intents (the model is trained on the blind corpus's dev split too, scripts/nlu_corpus.py). Two nets
that see different things, weighed so that neither alone can hide a clear danger:
- a clear rule signal of self-harm or immediate danger acts at once, whatever the NLU says;
- the NLU alone opens an urgent ticket only for self-harm and immediate danger, when one of those
  intents is very likely (people describe them in words no rule lists: pills saved up, a letter
  left, someone forcing the window); for the other categories it asks first;
- the NLU raises a message to `ask` when its urgent intents together are very likely, or when an
  urgent intent is its best reading of the message;
- a clear rule signal of another category is lowered to `ask` (never to nothing) when the NLU sees
  little urgency: "me tiene secuestrado en su clase" is a question, not a ticket; a weak rule signal
  (ask) is dropped when the NLU sees next to none ("auxilio no entiendo las derivadas").
The thresholds were chosen on blind rounds the model had not seen (writers w9–w17,
tests/data/triage/README.md), each round checked by a model trained without it; the NLU's urgent
(0.6) and ask (0.7) thresholds on round 7a (w20, w21), checked on its held-out half 7b
(`python scripts/triage_sweep.py round7a` prints the table they were read from).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.ports import Intent
from bot.core.risk import NEVER_ASK, NO_RISK, URGENT_CATEGORIES, Risk, higher
from bot.safety.rules import UrgentRules


@dataclass(frozen=True)
class NluThresholds:
    urgent: float | None = 0.6  # a NEVER_ASK intent this likely: urgent (None: the NLU only asks)
    ask: float = 0.7  # the urgent intents together this likely: ask first
    top: float = 0.5  # ... or an urgent intent is the most likely of all, at least this likely: ask first
    calm: float = 0.3  # the urgent intents together less likely than this: a rule's urgent becomes ask
    dismiss: float = 0.03  # ... and less likely than this: a rule's weak signal (ask) becomes nothing


class Triage:
    def __init__(self, rules: UrgentRules, thresholds: NluThresholds | None = None) -> None:
        self._rules = rules
        self.thresholds = thresholds or NluThresholds()

    def rules(self, text: str) -> Risk:
        """The rules' decision alone (fast, no I/O): enough to act on a clear signal at once."""
        return self._rules.assess(text) if text else NO_RISK

    @staticmethod
    def acts_alone(rule: Risk) -> bool:
        """A clear rule signal of self-harm or immediate danger: acted on before the NLU is asked."""
        return rule.level == "urgent" and rule.category in NEVER_ASK

    def decide(self, rule: Risk, nlu: Intent | None) -> Risk:
        """The final decision for free text, given the rules' decision and the NLU's reading
        (None: no NLU configured or it did not answer; then the rules decide alone)."""
        t = self.thresholds
        if nlu is not None and rule.level == "urgent" and not self.acts_alone(rule) and nlu.urgent_score < t.calm:
            rule = replace(rule, level="ask")
        elif nlu is not None and rule.level == "ask" and nlu.urgent_score < t.dismiss:
            rule = NO_RISK
        return higher(rule, self.nlu_risk(nlu))

    def nlu_risk(self, nlu: Intent | None) -> Risk:
        if nlu is None or nlu.urgent_category not in URGENT_CATEGORIES:
            return NO_RISK
        t = self.thresholds
        if t.urgent is not None and nlu.urgent_category in NEVER_ASK and nlu.urgent_confidence >= t.urgent:
            return Risk("urgent", nlu.urgent_category, "nlu")
        top_is_urgent = nlu.name == f"urgent_{nlu.urgent_category}" and nlu.confidence >= t.top
        if nlu.urgent_score >= t.ask or top_is_urgent:
            return Risk("ask", nlu.urgent_category, "nlu")
        return NO_RISK
