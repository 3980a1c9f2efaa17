"""The one place that decides how urgent a message is: urgent, ask or none.

Inputs are the urgent rules' decision (bot/safety/rules.py) and, for free text, the NLU's urgent
intents. The rules decide alone when they see a clear signal; otherwise the NLU can raise a
message to `ask` when its urgent intents together are very likely. The NLU never lowers what the
rules decided, and by default never opens an urgent ticket by itself: on the dev split of the
blind corpus every threshold that let it do so opened urgent tickets for 5-10 % of calm messages
(the model is overconfident on text it has not seen), while asking first costs one tap.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.ports import Intent
from bot.core.risk import NO_RISK, URGENT_CATEGORIES, Risk, higher
from bot.safety.rules import UrgentRules


@dataclass(frozen=True)
class NluThresholds:
    urgent: float | None = None  # one urgent intent this likely: urgent (None: the NLU only asks)
    ask: float = 0.99  # the urgent intents together this likely: ask first (chosen on the dev split)


class Triage:
    def __init__(self, rules: UrgentRules, thresholds: NluThresholds | None = None) -> None:
        self._rules = rules
        self.thresholds = thresholds or NluThresholds()

    def rules(self, text: str) -> Risk:
        """The rules' decision alone (fast, no I/O): enough to act on a clear signal at once."""
        return self._rules.assess(text) if text else NO_RISK

    def decide(self, rule: Risk, nlu: Intent | None) -> Risk:
        """The final decision for free text, given the rules' decision and the NLU's reading."""
        return higher(rule, self.nlu_risk(nlu))

    def nlu_risk(self, nlu: Intent | None) -> Risk:
        if nlu is None or nlu.urgent_category not in URGENT_CATEGORIES:
            return NO_RISK
        t = self.thresholds
        if t.urgent is not None and nlu.urgent_confidence >= t.urgent:
            return Risk("urgent", nlu.urgent_category, "nlu")
        if nlu.urgent_score >= t.ask:
            return Risk("ask", nlu.urgent_category, "nlu")
        return NO_RISK
