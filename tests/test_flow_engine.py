"""The flow engine is pure: a state and an event in, a new state and events out."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from bot.config import ROOT
from bot.core.conversation import Conversation
from bot.errors import DataError
from bot.flows.engine import FlowEngine, Pick, RequestCounselor, Say, SetLanguage, SetSubscription, StartFlow
from bot.flows.loader import load_flows
from bot.flows.model import step_table

MAIN = """
format: 1
flow: main
title: t.main
start: route
steps:
  route:
    type: branch
    on: audience
    cases: {young: menu}
    default: ask
  ask:
    type: menu
    say: t.ask
    choices:
      - {label: t.young, set: {audience: young}, goto: menu}
  menu:
    type: menu
    say: t.menu
    choices:
      - {label: t.quiz, flow: quiz}
      - {label: t.person, action: counselor}
      - {label: t.lang, goto: to_qu}
      - {label: t.sub, goto: sub}
  to_qu:
    type: language
    lang: qu
    next: menu
  sub:
    type: unsubscribe
    say: t.unsub
    next: bye
  bye:
    type: end
    say: t.bye
"""
QUIZ = """
format: 1
flow: quiz
title: t.quiz
start: intro
steps:
  intro:
    type: message
    say: t.intro
    next: q1
  q1:
    type: quiz
    say: t.q1
    answers:
      - {label: t.a, correct: true, feedback: t.right}
      - {label: t.b, feedback: t.wrong}
    next: q2
  q2:
    type: quiz
    say: t.q2
    answers:
      - {label: t.a, feedback: t.wrong}
      - {label: t.b, correct: true, feedback: t.right}
    next: score
  score:
    type: quiz_result
    say: t.score
    next: back
  back:
    type: flow
    flow: main
"""


def write_flows(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.yml").write_text(dedent(text).lstrip(), encoding="utf-8")
    return tmp_path


@pytest.fixture
def engine(tmp_path: Path) -> FlowEngine:
    return FlowEngine(load_flows(write_flows(tmp_path, main=MAIN, quiz=QUIZ)))


def says(events: list[object]) -> list[str]:
    return [e.key for e in events if isinstance(e, Say)]


def test_branch_asks_audience_then_remembers_it(engine: FlowEngine) -> None:
    state, events = engine.handle(Conversation(lang="es"), StartFlow("main"))
    assert says(events) == ["t.ask"]
    state, events = engine.handle(state, Pick("main", "ask", 0))
    assert state.vars == {"audience": "young"}
    assert says(events) == ["t.menu"]
    state, events = engine.handle(state, StartFlow("main"))
    assert says(events) == ["t.menu"], "a known audience skips the question"


def test_quiz_gives_feedback_on_every_answer_and_keeps_score(engine: FlowEngine) -> None:
    state = Conversation(lang="es", vars={"audience": "young"})
    state, events = engine.handle(state, StartFlow("quiz"))
    assert says(events) == ["t.intro", "t.q1"]
    q1 = [e for e in events if isinstance(e, Say)][-1]
    assert [c.payload for c in q1.choices] == ["f:quiz:q1:0", "f:quiz:q1:1"]
    state, events = engine.handle(state, Pick("quiz", "q1", 1))
    assert says(events) == ["t.wrong", "t.q2"]
    state, events = engine.handle(state, Pick("quiz", "q2", 1))
    assert says(events) == ["t.right", "t.score", "t.menu"]
    score = next(e for e in events if isinstance(e, Say) and e.key == "t.score")
    assert dict(score.variables) == {"score": "1", "total": "2"}
    assert (state.flow, state.step) == ("main", "menu")


def test_engine_does_not_change_the_state_it_was_given(engine: FlowEngine) -> None:
    before = Conversation(lang="es")
    engine.handle(before, StartFlow("main"))
    assert before == Conversation(lang="es")


def test_actions_become_events(engine: FlowEngine) -> None:
    state = Conversation(lang="es", vars={"audience": "young"}, flow="main", step="menu")
    _, events = engine.handle(state, Pick("main", "menu", 1))
    assert any(isinstance(e, RequestCounselor) for e in events)
    _, events = engine.handle(state, Pick("main", "menu", 2))
    assert SetLanguage("qu") in events and says(events) == ["t.menu"]
    state3, events = engine.handle(state, Pick("main", "menu", 3))
    assert SetSubscription(False) in events and says(events) == ["t.unsub", "t.bye"]
    assert state3.flow is None


def test_an_unknown_pick_changes_nothing(engine: FlowEngine) -> None:
    state = Conversation(lang="es")
    assert engine.handle(state, Pick("main", "menu", 9)) == (state, [])
    assert engine.handle(state, Pick("nope", "menu", 0)) == (state, [])


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (MAIN.replace("type: branch", "type: brunch"), 8, "unknown type 'brunch'"),
        (MAIN.replace("goto: menu}", "goto: menuu}"), 1, "step 'menuu', which does not exist"),
        (MAIN.replace("flow: quiz}", "flow: quizz}"), 1, "flow 'quizz', which does not exist"),
        (MAIN.replace("format: 1", "format: 7"), 2, "'format' must be 1"),
        (MAIN.replace("    say: t.menu\n", "    say: t.menu\n    sayy: x\n"), 19, "cannot have 'sayy'"),
        (MAIN.replace("cases: {young: menu}", "cases: {young: menu"), 10, "cannot be read"),
    ],
)
def test_broken_flow_names_file_line_and_fix(tmp_path: Path, text: str, line: int, words: str) -> None:
    write_flows(tmp_path, main=text, quiz=QUIZ)
    with pytest.raises(DataError) as info:
        load_flows(tmp_path)
    problem = next(p for p in info.value.problems if words in p.what)
    assert problem.file.name == "main.yml"
    if line > 1:
        assert problem.line is not None and abs(problem.line - line) <= 1, str(problem)
    assert problem.fix


def test_quiz_answer_without_feedback_is_refused(tmp_path: Path) -> None:
    write_flows(tmp_path, main=MAIN, quiz=QUIZ.replace(", feedback: t.wrong}", "}", 1))
    with pytest.raises(DataError, match="has no feedback"):
        load_flows(tmp_path)


def test_missing_content_key_is_reported(tmp_path: Path) -> None:
    write_flows(tmp_path, main=MAIN, quiz=QUIZ)
    with pytest.raises(DataError, match=r"'t\.q1' does not exist in content/es"):
        load_flows(tmp_path, content_keys={"t.main"})


def test_the_format_doc_lists_every_step_type_and_field_of_the_models() -> None:
    doc = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    table = doc.split("<!-- step-fields:start -->\n", 1)[1].split("\n<!-- step-fields:end -->", 1)[0]
    assert table == step_table(), "docs/formats.md is out of date: paste bot.flows.model.step_table() there"


def test_a_field_of_another_step_type_is_refused_with_what_the_step_takes(tmp_path: Path) -> None:
    write_flows(tmp_path, main=MAIN.replace("    say: t.menu\n", "    say: t.menu\n    next: menu\n", 1), quiz=QUIZ)
    with pytest.raises(DataError) as info:
        load_flows(tmp_path)
    problem = next(p for p in info.value.problems if "cannot have 'next'" in p.what)
    assert "say, choices" in problem.fix and problem.line is not None
