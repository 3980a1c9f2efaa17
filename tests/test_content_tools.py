"""Campaign staff tools: PO round trip, hot reload that keeps the last good version, preview, status."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from babel.messages import pofile

from bot.cli.content_tools import export_po, import_po, preview, status_table
from bot.content.catalog import Catalog
from bot.dialog.bundle import Bundle
from bot.dialog.reload import ContentWatcher

ROOT = Path(__file__).resolve().parent.parent

COMMON = {
    "es": ("Menú", "Seguir", "Hola. ¿Listo?", "Pregunta: ¿compartes tu clave?", "Nunca", "Siempre", "Bien hecho.",
           "Mejor no.", "Sacaste {score} de {total}."),
    "qu": ("Menú", "Qatipay", "Imaynalla. Listochu?", "Tapuy: claveykita qunkichu?", "Mana hayk'appas", "Sapa kuti",
           "Allinmi.", "Aswan ama.", "{score} {total} manta."),
    "ay": ("Menú", "Sarantaña", "Kamisaki. Listoti?", "Jiskt'a: claveman churtati?", "Janipuni", "Sapa kuti",
           "Walikiwa.", "Jan ukham.", "{score} {total} taypit."),
}
KEYS = ("m.title", "m.next", "m.hello", "m.q1", "m.a1", "m.a2", "m.right", "m.wrong", "m.score")
FLOW = """
format: 1
flow: main
title: m.title
start: hello
steps:
  hello:
    type: menu
    say: m.hello
    choices:
      - {label: m.next, goto: q1}
  q1:
    type: quiz
    say: m.q1
    answers:
      - {label: m.a1, correct: true, feedback: m.right}
      - {label: m.a2, feedback: m.wrong}
    next: score
  score:
    type: quiz_result
    say: m.score
    next: hello
"""


def make_project(root: Path, *, review: str = "draft") -> Path:
    for lang, texts in COMMON.items():
        folder = root / "content" / lang
        folder.mkdir(parents=True, exist_ok=True)
        lines = ["format: 1", "entries:"]
        for key, text in zip(KEYS, texts, strict=True):
            lines += [f"  {key}:", f'    text: "{text}"']
            if lang != "es":
                lines.append(f"    review: {review}")
        (folder / "main.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "flows").mkdir(exist_ok=True)
    (root / "flows" / "main.yml").write_text(dedent(FLOW).lstrip(), encoding="utf-8")
    return root


def test_po_round_trip_keeps_every_entry_and_review_status(tmp_path: Path) -> None:
    content = make_project(tmp_path) / "content"
    before = Catalog.load(content)
    data = export_po(before, "ay")
    assert b"Language: ay" in data
    po = pofile.read_po(__import__("io").BytesIO(data))
    assert {m.context for m in po if m.id} == set(KEYS)
    assert all("fuzzy" in m.flags for m in po if m.id), "drafts travel as fuzzy"
    # A translator fixes one text and marks it reviewed (removes fuzzy) in Poedit.
    for message in po:
        if message.context == "m.hello":
            message.string = "Kamisaki! Listoti?"
            message.flags.discard("fuzzy")
    buffer = __import__("io").BytesIO()
    pofile.write_po(buffer, po)
    assert import_po(content, "ay", buffer.getvalue()) == []
    after = Catalog.load(content)
    assert set(after.entries["ay"]) == set(before.entries["ay"])
    assert after.entries["ay"]["m.hello"].text == "Kamisaki! Listoti?"
    assert after.entries["ay"]["m.hello"].review == "reviewed"
    assert after.entries["ay"]["m.q1"].review == "draft"
    assert after.entries["ay"]["m.score"].text == before.entries["ay"]["m.score"].text


def test_import_validates_before_writing(tmp_path: Path) -> None:
    content = make_project(tmp_path) / "content"
    original = (content / "qu" / "main.yml").read_text()
    po = pofile.read_po(__import__("io").BytesIO(export_po(Catalog.load(content), "qu")))
    for message in po:
        if message.context == "m.score":
            message.string = "{puntos} {total} manta."  # wrong variable
    buffer = __import__("io").BytesIO()
    pofile.write_po(buffer, po)
    problems = import_po(content, "qu", buffer.getvalue(), po_name="qu.po")
    assert problems and "m.score" in problems[0].what and problems[0].file == Path("qu.po")
    assert (content / "qu" / "main.yml").read_text() == original, "nothing is written when a text is wrong"


def test_hot_reload_picks_up_edits_and_keeps_the_last_good_version(tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    root = make_project(tmp_path)

    class Holder:
        bundle = Bundle.load(root / "content", root / "flows")

    holder = Holder()
    watcher = ContentWatcher(holder, root / "content", root / "flows")  # type: ignore[arg-type]
    es = root / "content" / "es" / "main.yml"
    es.write_text(es.read_text().replace("Hola. ¿Listo?", "Hola de nuevo."), encoding="utf-8")
    os.utime(es, (es.stat().st_mtime + 5, es.stat().st_mtime + 5))
    assert watcher.check_once()
    assert holder.bundle.catalog.text("es", "m.hello") == "Hola de nuevo."
    flow = root / "flows" / "main.yml"
    flow.write_text(flow.read_text().replace("goto: q1", "goto: q9"), encoding="utf-8")
    os.utime(flow, (flow.stat().st_mtime + 10, flow.stat().st_mtime + 10))
    with caplog.at_level(logging.ERROR):
        assert not watcher.check_once()
    assert holder.bundle.catalog.text("es", "m.hello") == "Hola de nuevo.", "the last good version stays"
    assert "main.yml" in caplog.text and "q9" in caplog.text


def test_preview_shows_the_flow_as_whatsapp_shows_it(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    text = preview(Bundle.load(root / "content", root / "flows"), "main", "qu", "whatsapp")
    assert "BOT:  Imaynalla. Listochu?" in text and "1. Qatipay" in text
    assert "✔ Mana hayk'appas → Allinmi." in text and "✘ Sapa kuti → Aswan ama." in text
    assert "1 1 manta." in text


def test_status_counts_reviewed_draft_and_missing(tmp_path: Path) -> None:
    content = make_project(tmp_path) / "content"
    (content / "qu" / "main.yml").write_text(
        (content / "qu" / "main.yml").read_text().replace("review: draft", "review: reviewed", 2), encoding="utf-8")
    table = status_table(Catalog.load(content))
    qu = table.split("Runasimi (qu)")[1].split("Aymar aru")[0]
    assert "main" in qu and "9         2      7        0" in qu.replace("     100%", "")


def test_content_check_command_names_file_and_line(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    broken = root / "content" / "qu" / "main.yml"
    broken.write_text(broken.read_text().replace("review: draft", "review: listo", 1), encoding="utf-8")
    env = {**os.environ, "CONTENT_DIR": str(root / "content"), "FLOWS_DIR": str(root / "flows")}
    run = subprocess.run([sys.executable, "-m", "bot", "content", "check"], capture_output=True, text=True,
                         env=env, cwd=ROOT, check=False)
    assert run.returncode == 1
    assert f"{broken}:5: error: review status 'listo' is not known" in run.stdout
    assert "how to fix:" in run.stdout


def test_channel_limits_are_checked_with_file_and_line(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    qu = root / "content" / "qu" / "main.yml"
    qu.write_text(qu.read_text().replace('"Qatipay"', '"Qatipay, qatipay, qatipaychik"'), encoding="utf-8")
    es = root / "content" / "es" / "main.yml"
    es.write_text(es.read_text().replace('"Hola. ¿Listo?"', '"' + "Hola. " * 300 + '"'), encoding="utf-8")
    flow = root / "flows" / "main.yml"
    long_name = "a_very_long_step_name_that_nobody_should_ever_use_in_a_flow_file"
    flow.write_text(re.sub(r"(?<!m\.)hello", long_name, flow.read_text()), encoding="utf-8")
    _, problems = Bundle.load_with_problems(root / "content", root / "flows")
    title = next(p for p in problems if "'m.next' has 29 characters in qu" in p.what)
    assert title.file == qu and title.line == 6
    body = next(p for p in problems if "'m.hello' in es is" in p.what)
    assert body.file == es and "1600" in body.fix
    assert any("longer than Telegram's 64 bytes" in p.what and p.file == flow for p in problems)


def test_simulate_command_speaks_json_lines_and_survives_a_bad_line() -> None:
    lines = ['{"user": "ana", "text": "hola"}', "not json", '{"user": "ana", "choice": "lang:ay"}',
             '{"user": "ana", "text": " 1 ", "channel": "whatsapp"}', '{"user": "ana"}']
    run = subprocess.run([sys.executable, "-m", "bot", "simulate", "--no-nlu"], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, cwd=ROOT, check=True, timeout=60)
    out = [__import__("json").loads(line) for line in run.stdout.splitlines()]
    assert len(out) == 5
    assert [c["title"] for c in out[0]["replies"][0]["choices"]] == ["Español", "Runasimi", "Aymar aru"]
    assert "error" in out[1] and "error" in out[4]
    assert out[2]["lang"] == "ay" and out[2]["understood"]["via"] == "choice"
    assert out[3]["understood"]["via"] == "number" and "\n1. " in out[3]["replies"][-1]["text"]
    assert out[3]["handoff"] is None


def _check(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTENT_DIR": str(root / "content"), "FLOWS_DIR": str(root / "flows")}
    return subprocess.run([sys.executable, "-m", "bot", "content", "check", *extra], capture_output=True, text=True,
                          env=env, cwd=ROOT, check=False)


def test_glossary_keeps_secret_apart_from_confidential(tmp_path: Path) -> None:
    """qu 'pakallapi' (in secret) is allowed only where the glossary says; a Spanish word the glossary
    has a Quechua term for is flagged."""
    root = make_project(tmp_path)
    (root / "content" / "qu" / "glossary.yml").write_text(dedent("""
        format: 1
        glossary:
          pakallapi:
            es: [en secreto]
            match: paka
            meaning: a escondidas
            only_in: [m.q1]
            status: draft
          yanapa:
            es: ayuda
            meaning: ayuda
            status: draft
        """).lstrip(), encoding="utf-8")
    qu = root / "content" / "qu" / "main.yml"
    qu.write_text(qu.read_text().replace('"Allinmi."', '"Allinmi, pakallapi yanapasunki."')
                  .replace('"Aswan ama."', '"Aswan ama: pide ayuda. \\"ayuda económica\\" nisqa."'), encoding="utf-8")
    run = _check(root, "--strict")
    assert run.returncode == 1
    assert f"{qu}:" in run.stdout and "'m.right' uses 'paka…'" in run.stdout
    assert "'m.wrong' writes the Spanish 'ayuda'; the qu glossary's term is 'yanapa'" in run.stdout
    assert run.stdout.count("writes the Spanish") == 1  # the quoted ad phrase is left alone


def test_choice_titles_keep_the_documented_limit_per_shape_and_variant(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    es = root / "content" / "es" / "main.yml"
    es.write_text(es.read_text().replace('    text: "Nunca"\n', '    text: "Nunca"\n    variants:\n'
                                         '      caregiver: "Nunca, de ninguna manera"\n'), encoding="utf-8")
    run = _check(root)
    assert run.returncode == 1
    assert ("the choice 'm.a1' (variant caregiver) has 24 characters in es; WhatsApp shows it as a quick-reply "
            "button of at most 20") in run.stdout


def test_a_flow_may_only_set_a_known_audience(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    flow = root / "flows" / "main.yml"
    flow.write_text(flow.read_text().replace("      - {label: m.next, goto: q1}",
                                             "      - {label: m.next, goto: q1, set: {audience: abuela}}"),
                    encoding="utf-8")
    run = _check(root)
    assert run.returncode == 1 and "sets the audience 'abuela', which content does not know" in run.stdout


def test_status_shows_what_staff_must_confirm_and_verify(tmp_path: Path) -> None:
    content = make_project(tmp_path) / "content"
    es = content / "es" / "main.yml"
    es.write_text(es.read_text().replace('    text: "Hola. ¿Listo?"\n',
                                         '    text: "Hola. ¿Listo?"\n    needs: staff-confirmation\n'),
                  encoding="utf-8")
    (content / "es" / "contacts.yml").write_text(dedent("""
        format: 1
        contacts:
          felcv:
            name: Línea FELCV
            number: "800 14 0348"
            source: fundacionperiodismo.org
            verified: false
            police: true
        """).lstrip(), encoding="utf-8")
    table = status_table(Catalog.load(content))
    assert "Needs staff confirmation" in table and "m.hello" in table
    assert "Contacts not verified live" in table and "felcv  800 14 0348  source: fundacionperiodismo.org" in table
