"""`python -m bot nlu evaluate`: held-out seeds (the dev split) and the frozen blind set, per language.

Two measurements, both over HTTP against a real Rasa 3.6 server, as the bot parses messages:
- held-out seeds: whole seeds are held out (a seed and all its variants go to the same side), a model
  is trained on the rest, and the held-out sentences are parsed. This is the dev split: thresholds
  (bot/nlu/client.py THRESHOLDS) are chosen on it, never on the blind set.
- blind set (nlu/eval/blind.jsonl): messages written by someone who never saw the seeds, parsed by
  the model the bot serves (trained on all of nlu/data, named by the hash of data + config). It is
  only ever read here; nothing trains or tunes on it.
An intent counts as predicted only when the bot would act on it (client.accept); otherwise it
counts as `none` (the bot keeps the step or shows the menu), the right outcome for out_of_scope.
Writes nlu/EVALUATION.md and prints the same report.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib.util
import itertools
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from bot.nlu.client import THRESHOLDS, NluResult, RasaClient, accept, family, is_urgent
from bot.nlu.langid import LanguageIdentifier, _load, _texts

LANGS = ("es", "qu", "ay")
PORT = 5099
BLIND = Path("nlu") / "eval" / "blind.jsonl"
BANDS = (0.0, 0.4, 0.6, 0.8, 0.9, 0.95, 1.01)
SWEEP = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
PRECISION_TARGET = 0.9
FAMILY_FLOOR = 0.4  # no intent family acts below this (urgent intents, at 0.35, are triage's)
GREETINGS = {"es": ["hola", "buenas", "buenos días", "gracias", "chau", "sí", "hola amiga", "buenas tardes"],
             "qu": ["imaynalla", "allinllachu", "añaychayki", "sulpayki", "arí", "napaykullayki", "tupananchikkama",
                    "yanapaway"],
             "ay": ["kamisaki", "waliki", "yuspajara", "jisa", "jikisiñkama", "kamisaraki", "aski urukïpan",
                    "yanapt'ita"]}


@dataclass(frozen=True)
class Case:
    lang: str
    intent: str
    text: str
    question: str | None = None


@dataclass(frozen=True)
class Parsed:
    """The raw top intent (no fallback), its confidence, what the bot acts on ("none" if nothing) and
    the direct answer it gives (`<topic>/<kind>`, or None: the module starts)."""

    top: str
    confidence: float
    acted: str
    answer: str | None = None
    answer_confidence: float = 0.0
    best: str | None = None  # the best `<topic>/<kind>` of the acted topic, whatever its confidence


def gold_of(intent: str) -> str:
    return "none" if intent == "out_of_scope" else intent  # the menu is the right answer to off-topic text


def _seeds_module(root: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("nlu_seeds", root / "scripts" / "nlu_seeds.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def split(root: Path) -> tuple[dict[str, dict[str, list[str]]], list[Case]]:
    """(train: lang -> intent -> examples, dev: held-out cases) holding out ~25% of seeds."""
    seeds = _seeds_module(root)
    rng = random.Random(7)
    train: dict[str, dict[str, list[str]]] = {}
    test: list[Case] = []
    for lang, (table, per_seed) in seeds.ALL.items():
        data = seeds.build(table, lang, per_seed)
        train[lang] = {}
        for intent, pairs in data.items():
            names = sorted({seed for seed, _ in pairs})
            held = set(rng.sample(names, max(1, len(names) // 4)))
            train[lang][intent] = [ex for seed, ex in pairs if seed not in held]
            base, _, kind = intent.partition("/")
            test += [Case(lang, base, ex, kind if kind not in ("", "about") else None)
                     for seed, ex in pairs if seed in held]
        held_texts = {c.text for c in test if c.lang == lang}  # variants of two seeds can coincide
        train[lang] = {intent: [ex for ex in examples if ex not in held_texts]
                       for intent, examples in train[lang].items()}
    return train, test


def load_blind(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            cases.append(Case(str(item["lang"]), str(item["intent"]), str(item["text"]), item.get("question")))
    return cases


def _write_training(folder: Path, train: dict[str, dict[str, list[str]]], corpus: Path | None) -> None:
    (folder / "data").mkdir(parents=True)
    for lang, intents in train.items():
        lines = ['version: "3.1"', "nlu:"]
        for intent, examples in intents.items():
            lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {e}" for e in examples]
        (folder / "data" / f"{lang}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for extra in (corpus, corpus.parent / "responses.yml") if corpus is not None else ():
        if extra.exists():  # the triage corpus's dev split (urgent intents) and the retrieval responses
            (folder / "data" / extra.name).write_text(extra.read_text(encoding="utf-8"), encoding="utf-8")


def macro_f1(pairs: Sequence[tuple[str, str]]) -> float:
    labels = {gold for gold, _ in pairs}
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def read(result: NluResult | None, text: str) -> Parsed:
    if result is None:
        return Parsed("<none>", 0.0, "none")
    ranking = [item for item in result.ranking if item[0] != "nlu_fallback"] or [(result.intent, result.confidence)]
    top, confidence = ranking[0]
    acted = top if accept(NluResult(top, confidence, result.ranking), text) else "none"
    if acted == "out_of_scope":  # a kind word and the menu: the same outcome as not acting
        acted = "none"
    best = NluResult(acted, confidence, result.ranking, result.answers).answer() if acted != "none" else None
    if best is None:
        return Parsed(top, confidence, acted)
    answer = best[0] if best[1] >= THRESHOLDS["answer"] and not best[0].endswith("/about") else None
    return Parsed(top, confidence, acted, answer, best[1], best[0])


async def _parse_all(url: str, token: str, cases: Sequence[Case]) -> list[Parsed]:
    client = RasaClient(url, token, timeout=30, failure_threshold=1000, cache_size=0)
    try:
        return [read(await client.parse(case.text), case.text) for case in cases]
    finally:
        await client.aclose()


def rasa_binary() -> Path:
    cache = Path(os.environ.get("SEGUROS_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                 / "seguros-bot")
    return Path(os.environ.get("RASA_VENV") or cache / "rasa-3.6.21") / "bin" / "rasa"


def model_name(root: Path) -> str:
    """The name scripts/rasa.sh gives the model of the current data and config."""
    digest = hashlib.sha256()
    nlu = root / "nlu"
    for path in [nlu / "config.yml", nlu / "domain.yml", *sorted((nlu / "data").glob("*.yml"))]:
        digest.update(path.read_bytes())
    return "nlu-" + digest.hexdigest()[:12]


@contextlib.contextmanager
def serving(rasa: Path, model: Path, port: int) -> Iterator[tuple[str, str]]:
    token = secrets.token_urlsafe(16)
    server = subprocess.Popen([str(rasa), "run", "--enable-api", "--auth-token", token, "-i", "127.0.0.1", "-p",
                               str(port), "-m", str(model)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port, token)
        yield f"http://127.0.0.1:{port}", token
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)


def main(root: Path, *, blind_only: bool = False) -> int:
    rasa = rasa_binary()
    if not rasa.exists():
        print("Rasa is not installed: run `python -m bot nlu install` first.", file=sys.stderr)
        return 1
    train, dev = split(root)
    if blind_only:
        dev = []
    blind = load_blind(root / BLIND) if (root / BLIND).exists() else []
    dev_parsed: list[Parsed] = []
    train_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not blind_only:
            _write_training(folder, train, root / "nlu" / "data" / "corpus.yml")
            # The dev model is kept, named by a hash of its data and config like the served model,
            # so that re-reading the report after a threshold change does not train again.
            digest = hashlib.sha256((root / "nlu" / "config.yml").read_bytes())
            for path in sorted((folder / "data").glob("*.yml")):
                digest.update(path.read_bytes())
            models = root / "nlu" / "models"
            dev_model = models / f"dev-{digest.hexdigest()[:12]}.tar.gz"
            if not dev_model.exists():
                started = time.monotonic()
                subprocess.run([str(rasa), "train", "nlu", "--config", str(root / "nlu" / "config.yml"), "--nlu",
                                str(folder / "data"), "--out", str(models), "--fixed-model-name", dev_model.name[:-7],
                                "--quiet"], check=True, capture_output=True)
                train_seconds = time.monotonic() - started
                _seconds_file(dev_model).write_text(f"{train_seconds:.0f}\n", encoding="utf-8")
                for old in sorted(models.glob("dev-*.tar.gz"), key=lambda p: p.stat().st_mtime)[:-2]:
                    old.unlink()  # keep the two newest dev models
                    _seconds_file(old).unlink(missing_ok=True)
            else:  # trained before: its training time was written beside it
                with contextlib.suppress(OSError, ValueError):
                    train_seconds = float(_seconds_file(dev_model).read_text(encoding="utf-8"))
            with serving(rasa, dev_model, PORT) as (url, token):
                dev_parsed = asyncio.run(_parse_all(url, token, dev))
        blind_parsed: list[Parsed] = []
        name = model_name(root)
        if blind:
            subprocess.run(["bash", str(root / "scripts" / "rasa.sh"), "train"], cwd=root, check=True,
                           capture_output=True)
            with serving(rasa, root / "nlu" / "models" / f"{name}.tar.gz", PORT) as (url, token):
                blind_parsed = asyncio.run(_parse_all(url, token, blind))
    report = _report(root, train, dev, dev_parsed, blind, blind_parsed, train_seconds, name)
    target = root / "nlu" / "EVALUATION.md"
    if blind_only and target.exists():  # the held-out seeds section stays, marked as from an earlier run
        _, heading, rest = target.read_text(encoding="utf-8").partition("## Held-out seeds")
        if heading:
            title, _, body = rest.partition("\n")
            note = ("(From an earlier full run, not repeated with this model: `python -m bot nlu evaluate` "
                    "trains a separate dev model.)")
            report += f"\n{heading}{title}\n\n{note}\n{body.replace(note, '').lstrip()}"
    target.write_text(report, encoding="utf-8")
    print(report)
    return 0


def tune(root: Path, path: Path, model: Path | None = None) -> int:
    """Figures on a labelled dev file (nlu/dev/*_tune.jsonl) parsed by the served model of the current
    data (or `model`): what thresholds are chosen on. Prints only; writes nothing."""
    rasa = rasa_binary()
    model = model or root / "nlu" / "models" / f"{model_name(root)}.tar.gz"
    if not rasa.exists() or not model.exists():
        print(f"needs Rasa and the model {model} (bash scripts/rasa.sh train)", file=sys.stderr)
        return 1
    cases = load_blind(path)
    with serving(rasa, model, PORT) as (url, token):
        parsed = asyncio.run(_parse_all(url, token, cases))
    lines = [f"# {path} on {model.name}", "", "| language | messages | intent accuracy | macro F1 | urgent recall | "
             "non-urgent → urgent |", "|---|---|---|---|---|---|", *accuracy_rows(cases, parsed), "",
             "| language | questions | topic right | specific answer right | module start instead |",
             "|---|---|---|---|---|", *question_rows(cases, parsed), "",
             "| family | " + " | ".join(str(t) for t in SWEEP) + " | chosen | now |",
             "|---|" + "---|" * (len(SWEEP) + 2), *sweep_rows(cases, parsed), "",
             "| answer threshold | answers given | precision | questions answered right |", "|---|---|---|---|",
             *answer_sweep(cases, parsed), "", *top_confusions(cases, parsed)]
    print("\n".join(lines))
    return 0


def _seconds_file(model: Path) -> Path:
    return model.with_name(model.name.removesuffix(".tar.gz") + ".seconds")


def _wait(port: int, token: str) -> None:
    import httpx

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/status", params={"token": token}, timeout=2).status_code == 200:
                return
        time.sleep(1)
    raise RuntimeError("the evaluation Rasa server did not start")


def accuracy_rows(cases: Sequence[Case], parsed: Sequence[Parsed]) -> list[str]:
    rows = []
    for lang in LANGS:
        pairs = [(gold_of(c.intent), p.acted) for c, p in zip(cases, parsed, strict=True) if c.lang == lang]
        if not pairs:
            continue
        acc = sum(g == p for g, p in pairs) / len(pairs)
        false_alarm = sum(1 for g, p in pairs if not is_urgent(g) and is_urgent(p))
        urgent = [p for g, p in pairs if is_urgent(g)]
        recall = f"{sum(is_urgent(p) for p in urgent) / len(urgent):.3f}" if urgent else "—"
        rows.append(f"| {lang} | {len(pairs)} | {acc:.3f} | {macro_f1(pairs):.3f} | {recall} | {false_alarm} |")
    return rows


def question_rows(cases: Sequence[Case], parsed: Sequence[Parsed]) -> list[str]:
    """Questions a module answers: the right topic and the specific answer (not the module start)."""
    rows = []
    for lang in (*LANGS, "all"):
        items = [(c, p) for c, p in zip(cases, parsed, strict=True)
                 if c.question and (lang == "all" or c.lang == lang)]
        if not items:
            continue
        topic = sum(p.acted == c.intent for c, p in items) / len(items)
        right = sum(p.answer == f"{c.intent}/{c.question}" for c, p in items) / len(items)
        start = sum(p.acted == c.intent and p.answer is None for c, p in items)
        rows.append(f"| {lang} | {len(items)} | {topic:.3f} | {right:.3f} | {start} |")
    return rows


def answer_sweep(cases: Sequence[Case], parsed: Sequence[Parsed]) -> list[str]:
    """Direct answers at each threshold: precision of the answers given, and the share of questions
    answered right (the topic must be right too; a statement given an answer counts as wrong)."""
    rows = []
    questions = sum(1 for c in cases if c.question)
    for threshold in SWEEP:
        given = [(c, p) for c, p in zip(cases, parsed, strict=True) if p.acted == c.intent and p.best
                 and not p.best.endswith("/about") and p.answer_confidence >= threshold]
        right = sum(p.best == f"{c.intent}/{c.question}" for c, p in given if c.question)
        precision = right / len(given) if given else 0.0
        rows.append(f"| {threshold} | {len(given)} | {precision:.2f} | {right / questions if questions else 0:.2f} |")
    return rows


def calibration_rows(cases: Sequence[Case], parsed: Sequence[Parsed]) -> list[str]:
    """Accuracy of the raw top intent per confidence band (is 0.9 right 9 times in 10?)."""
    rows = []
    for low, high in itertools.pairwise(BANDS):
        band = [(c, p) for c, p in zip(cases, parsed, strict=True) if low <= p.confidence < high]
        if band:
            right = sum(p.top == c.intent for c, p in band) / len(band)
            rows.append(f"| {low:.2f}–{min(high, 1.0):.2f} | {len(band)} | {right:.3f} |")
    return rows


def sweep_rows(cases: Sequence[Case], parsed: Sequence[Parsed]) -> list[str]:
    """Per family: precision and coverage of what the bot would act on, at each threshold."""
    rows = []
    for fam in ("small_talk", "command", "topic"):
        cells = []
        chosen = None
        best = (-1.0, FAMILY_FLOOR)
        for threshold in SWEEP:
            acted = [(c, p) for c, p in zip(cases, parsed, strict=True)
                     if family(p.top) == fam and p.confidence >= threshold and p.top != "out_of_scope"]
            gold = [c for c in cases if family(c.intent) == fam]
            precision = sum(p.top == c.intent for c, p in acted) / len(acted) if acted else 0.0
            coverage = sum(p.top == c.intent for c, p in acted) / len(gold) if gold else 0.0
            if threshold >= FAMILY_FLOOR:
                if chosen is None and precision >= PRECISION_TARGET:
                    chosen = threshold
                best = max(best, (precision * coverage, -threshold))
            cells.append(f"{precision:.2f} / {coverage:.2f}")
        pick = f"{chosen}" if chosen is not None else f"{-best[1]} (best precision × coverage)"
        rows.append(f"| {fam} | " + " | ".join(cells) + f" | {pick} | {THRESHOLDS[fam]} |")
    return rows


def confusion_table(cases: Sequence[Case], parsed: Sequence[Parsed]) -> list[str]:
    labels = sorted({gold_of(c.intent) for c in cases} | {p.acted for p in parsed})
    counts = Counter((gold_of(c.intent), p.acted) for c, p in zip(cases, parsed, strict=True))
    short = {label: "".join(part[:3] for part in label.split("_")) for label in labels}
    lines = ["| gold ↓ / predicted → | " + " | ".join(short[x] for x in labels) + " |",
             "|---|" + "---|" * len(labels)]
    for gold in labels:
        if any(counts[(gold, x)] for x in labels):
            lines.append(f"| {gold} | " + " | ".join(str(counts[(gold, x)] or "·") for x in labels) + " |")
    lines += ["", "Column names: " + ", ".join(f"{short[x]} = {x}" for x in labels) + "."]
    return lines


def top_confusions(cases: Sequence[Case], parsed: Sequence[Parsed]) -> list[str]:
    confusions: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for c, p in zip(cases, parsed, strict=True):
        if gold_of(c.intent) != p.acted:
            confusions[c.lang][(gold_of(c.intent), p.acted)] += 1
    return [f"- {lang}: " + (", ".join(f"{g} → {p} ({n})" for (g, p), n in confusions[lang].most_common(8)) or "none")
            for lang in LANGS]


def _report(root: Path, train: dict[str, dict[str, list[str]]], dev: list[Case], dev_parsed: list[Parsed],
            blind: list[Case], blind_parsed: list[Parsed], train_seconds: float, name: str) -> str:
    lines = ["# NLU evaluation", "",
             "Made by `python -m bot nlu evaluate` with Rasa 3.6 over HTTP, as the bot parses messages. An intent "
             "counts as predicted only when the bot would act on it (the thresholds per family of intents in "
             "`bot/nlu/client.py`: " + ", ".join(f"{k} {v}" for k, v in THRESHOLDS.items()) + "; small talk only "
             "in short messages); otherwise it counts as `none` (the bot keeps the step or shows the menu), which "
             "is the right outcome for `out_of_scope`.", ""]
    if blind:
        lines += ["## Blind test set", "",
                  f"{len(blind)} messages in `{BLIND}` (how they were written: `nlu/eval/README.md`), never used for "
                  f"training or tuning, parsed by the model the bot serves, `{name}` (trained on all of `nlu/data`).",
                  "", "| language | messages | intent accuracy | macro F1 | urgent recall | non-urgent → urgent |",
                  "|---|---|---|---|---|---|"]
        lines += accuracy_rows(blind, blind_parsed)
        lines += ["", "### Questions a module answers", "",
                  "Question items of the blind set: the topic right, the specific answer right (what it is, signs, "
                  "what to do, is it a crime / where to report, how to help a friend), and how many got the module's "
                  "start instead of an answer.", "",
                  "| language | questions | topic right | specific answer right | module start instead |",
                  "|---|---|---|---|---|", *question_rows(blind, blind_parsed)]
        lines += ["", "### Confusion table (all languages, as the bot acts)", "", *confusion_table(blind, blind_parsed)]
        lines += ["", "### Calibration (raw top intent, accuracy per confidence band)", "",
                  "| confidence | messages | top intent right |", "|---|---|---|",
                  *calibration_rows(blind, blind_parsed)]
        lines += ["", "### Most frequent confusions (gold → acted on)", "", *top_confusions(blind, blind_parsed)]
        lines += ["", "### Language identification on the blind set", "", "| language | all messages | one- and "
                  "two-word messages |", "|---|---|---|"]
        langid = LanguageIdentifier.from_project(root)
        for lang in LANGS:
            texts = [c.text for c in blind if c.lang == lang]
            short = [t for t in texts if len(t.split()) <= 2]
            if texts:
                acc = sum(langid.predict(t)[0] == lang for t in texts) / len(texts)
                acc_short = sum(langid.predict(t)[0] == lang for t in short) / len(short) if short else 0.0
                lines.append(f"| {lang} | {acc:.3f} ({len(texts)}) | {acc_short:.3f} ({len(short)}) |")
        lines.append("")
    else:
        lines += ["## Blind test set", "", f"`{BLIND}` is missing: no blind figures.", ""]
    if dev:
        lines += ["## Held-out seeds (the dev split)", "",
                  "About a quarter of the seed phrases of every intent and language are held out with all their "
                  "variants; a model is trained on the rest (plus the triage corpus's dev split) with "
                  f"`nlu/config.yml`{f' in {train_seconds:.0f} s on this machine' if train_seconds else ''}, "
                  "and every held-out sentence is parsed. "
                  "The seeds and the held-out sentences come from the same authors (Quechua and Aymara are drafts "
                  "awaiting native review), so read these as an upper bound; the blind set above is the real test.", "",
                  "| language | held-out | intent accuracy | macro F1 | urgent recall (NLU alone) "
                  "| non-urgent → urgent |",
                  "|---|---|---|---|---|---|"]
        lines += accuracy_rows(dev, dev_parsed)
        lines += ["", "### Calibration on the dev split", "", "| confidence | messages | top intent right |",
                  "|---|---|---|", *calibration_rows(dev, dev_parsed)]
        lines += ["", "### Thresholds per family, chosen on the dev split", "",
                  "Each cell: precision / coverage of what the bot would act on at that threshold. Chosen: the "
                  f"lowest threshold from {FAMILY_FLOOR} with precision ≥ {PRECISION_TARGET}, or, when none reaches "
                  "it, the one with the best precision × coverage (a wrong topic costs a tap on \"back\"; no answer "
                  "costs the user's question); in use: `THRESHOLDS` in `bot/nlu/client.py`.", "",
                  "| family | " + " | ".join(str(t) for t in SWEEP) + " | lowest ≥ target | in use |",
                  "|---|" + "---|" * (len(SWEEP) + 2), *sweep_rows(dev, dev_parsed)]
        lines += ["", "### Direct answers on the dev split", "",
                  "| language | questions | topic right | specific answer right | module start instead |",
                  "|---|---|---|---|---|", *question_rows(dev, dev_parsed), "",
                  "Answer threshold sweep (in use: " + str(THRESHOLDS["answer"]) + "; chosen: the lowest with "
                  f"precision ≥ {PRECISION_TARGET}): answers given, their precision, and the share of questions "
                  "answered right.", "",
                  "| threshold | answers given | precision | questions answered right |", "|---|---|---|---|",
                  *answer_sweep(dev, dev_parsed)]
        lines += ["", "### Most frequent confusions on the dev split (gold → acted on)", "",
                  *top_confusions(dev, dev_parsed)]
        lines += ["", "### Language identification (dev split)", "",
                  "Character 1–4-gram naive Bayes (`bot/nlu/langid.py`) trained on the content files and the training "
                  "split only, tested on the held-out sentences and on one- and two-word greetings.", "",
                  "| language | held-out accuracy | greetings accuracy |", "|---|---|---|"]
        langid = _langid_without_test(root, train)
        for lang in LANGS:
            held = [c.text for c in dev if c.lang == lang]
            acc = sum(langid.predict(t)[0] == lang for t in held) / len(held)
            greet = sum(langid.predict(t)[0] == lang for t in GREETINGS[lang]) / len(GREETINGS[lang])
            lines.append(f"| {lang} | {acc:.3f} ({len(held)}) | {greet:.3f} ({len(GREETINGS[lang])}) |")
    return "\n".join(lines) + "\n"


def _langid_without_test(root: Path, train: dict[str, dict[str, list[str]]]) -> LanguageIdentifier:
    samples: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for lang in LANGS:
        for path in sorted((root / "content" / lang).glob("*.yml")):
            samples[lang] += list(_texts(_load(path)))
        for examples in train[lang].values():
            samples[lang] += examples
    return LanguageIdentifier(samples)
