"""`python -m bot nlu evaluate`: train on a split, test on held-out examples, per language.

Whole seeds are held out (a seed and all its augmented variants go to the same side), so the test
sentences were never seen in training in any spelling. The model is trained with the project's
Rasa environment and served on a spare port; every held-out example is parsed over HTTP, as the
bot does. Writes nlu/EVALUATION.md and prints the same report.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

from bot.nlu.client import RasaClient, accept, is_urgent
from bot.nlu.langid import LanguageIdentifier, _load, _texts

LANGS = ("es", "qu", "ay")
PORT = 5099
GREETINGS = {"es": ["hola", "buenas", "buenos días", "gracias", "chau", "sí", "hola amiga", "buenas tardes"],
             "qu": ["imaynalla", "allinllachu", "añaychayki", "sulpayki", "arí", "napaykullayki", "tupananchikkama",
                    "yanapaway"],
             "ay": ["kamisaki", "waliki", "yuspajara", "jisa", "jikisiñkama", "kamisaraki", "aski urukïpan",
                    "yanapt'ita"]}


def _seeds_module(root: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("nlu_seeds", root / "scripts" / "nlu_seeds.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def split(root: Path) -> tuple[dict[str, dict[str, list[str]]], list[tuple[str, str, str]]]:
    """(train: lang -> intent -> examples, test: [(lang, intent, text)]) holding out ~25% of seeds."""
    seeds = _seeds_module(root)
    rng = random.Random(7)
    train: dict[str, dict[str, list[str]]] = {}
    test: list[tuple[str, str, str]] = []
    for lang, (table, per_seed) in seeds.ALL.items():
        data = seeds.build(table, lang, per_seed)
        train[lang] = {}
        for intent, pairs in data.items():
            names = sorted({seed for seed, _ in pairs})
            held = set(rng.sample(names, max(1, len(names) // 4)))
            train[lang][intent] = [ex for seed, ex in pairs if seed not in held]
            test += [(lang, intent, ex) for seed, ex in pairs if seed in held]
    return train, test


def _write_training(folder: Path, train: dict[str, dict[str, list[str]]]) -> None:
    (folder / "data").mkdir(parents=True)
    for lang, intents in train.items():
        lines = ['version: "3.1"', "nlu:"]
        for intent, examples in intents.items():
            lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {e}" for e in examples]
        (folder / "data" / f"{lang}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def macro_f1(pairs: list[tuple[str, str]]) -> float:
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


async def _parse_all(url: str, token: str, test: list[tuple[str, str, str]]) -> list[tuple[str, float]]:
    client = RasaClient(url, token, timeout=10, failure_threshold=1000, cache_size=0)
    try:
        results = []
        for _, _, text in test:
            result = await client.parse(text)
            results.append((result.intent, result.confidence) if result else ("<none>", 0.0))
        return results
    finally:
        await client.aclose()


def main(root: Path) -> int:
    cache = Path(os.environ.get("SEGUROS_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                 / "seguros-bot")
    rasa = Path(os.environ.get("RASA_VENV") or cache / "rasa-3.6.21") / "bin" / "rasa"
    if not rasa.exists():
        print("Rasa is not installed: run `python -m bot nlu install` first.", file=sys.stderr)
        return 1
    train, test = split(root)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_training(folder, train)
        started = time.monotonic()
        subprocess.run([str(rasa), "train", "nlu", "--config", str(root / "nlu" / "config.yml"), "--nlu",
                        str(folder / "data"), "--out", str(folder / "models"), "--fixed-model-name", "eval", "--quiet"],
                       check=True, capture_output=True)
        train_seconds = time.monotonic() - started
        token = secrets.token_urlsafe(16)
        server = subprocess.Popen([str(rasa), "run", "--enable-api", "--auth-token", token, "-i", "127.0.0.1", "-p",
                                   str(PORT), "-m", str(folder / "models" / "eval.tar.gz")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(PORT, token)
            predictions = asyncio.run(_parse_all(f"http://127.0.0.1:{PORT}", token, test))
        finally:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=20)
    report = _report(root, train, test, predictions, train_seconds)
    (root / "nlu" / "EVALUATION.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


def _wait(port: int, token: str) -> None:
    import httpx

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/status", params={"token": token}, timeout=2).status_code == 200:
                return
        time.sleep(1)
    raise RuntimeError("the evaluation Rasa server did not start")


def _report(root: Path, train: dict[str, dict[str, list[str]]], test: list[tuple[str, str, str]],
            predictions: list[tuple[str, float]], train_seconds: float) -> str:
    lines = ["# NLU evaluation", "",
             "Made by `python -m bot nlu evaluate`: about a quarter of the seed phrases of every intent and language "
             "are held out with all their variants, a model is trained on the rest with `nlu/config.yml`, served by "
             "Rasa 3.6, and every held-out sentence is parsed over HTTP. An intent counts as predicted only when the "
             "bot would act on it (urgent intents from confidence 0.35, others from 0.6); otherwise it counts as "
             "`none` (the bot shows the menu), which is the right outcome for `out_of_scope`.", "",
             f"Training took {train_seconds:.0f} s on this machine. Quechua and Aymara data are drafts written by the "
             "team, not by native speakers, and the held-out sentences come from the same authors: real users will "
             "write differently, so read these figures as an upper bound until native speakers add real phrasings.", "",
             "| language | held-out | intent accuracy | macro F1 | urgent recall (any urgent intent) | "
             "urgent recall with rules | urgent → non-urgent | non-urgent → urgent |",
             "|---|---|---|---|---|---|---|---|"]
    from bot.safety.rules import UrgentRules

    rules = UrgentRules.load(root / "content")
    confusions: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for lang in LANGS:
        rows = [(intent, text, pred) for (lg, intent, text), pred in zip(test, predictions, strict=True) if lg == lang]
        pairs = []
        for gold, _text, (name, conf) in rows:
            intent = "none" if gold == "out_of_scope" else gold  # the menu is the right answer to off-topic text
            predicted = name if accept_name(name, conf) else "none"
            pairs.append((intent, predicted))
            if predicted != intent:
                confusions[lang][(intent, predicted)] += 1
        accuracy = sum(g == p for g, p in pairs) / len(pairs)
        urgent = [(g, p, text) for (g, p), (_, text, _) in zip(pairs, rows, strict=True) if is_urgent(g)]
        recall = sum(is_urgent(p) for _, p, _ in urgent) / len(urgent)
        with_rules = sum(is_urgent(p) or rules.match(text) is not None for _, p, text in urgent) / len(urgent)
        missed = sum(1 for g, p in pairs if is_urgent(g) and not is_urgent(p))
        false_alarm = sum(1 for g, p in pairs if not is_urgent(g) and is_urgent(p))
        lines.append(f"| {lang} | {len(pairs)} | {accuracy:.3f} | {macro_f1(pairs):.3f} | {recall:.3f} | "
                     f"{with_rules:.3f} | {missed} | {false_alarm} |")
    lines += ["", "## Language identification", "",
              "Character 1–4-gram naive Bayes (`bot/nlu/langid.py`) trained on the content files and the training "
              "split only, tested on the held-out sentences and on one- and two-word greetings.", "",
              "| language | held-out accuracy | greetings accuracy |", "|---|---|---|"]
    langid = _langid_without_test(root, train)
    for lang in LANGS:
        held = [text for lg, _, text in test if lg == lang]
        acc = sum(langid.predict(t)[0] == lang for t in held) / len(held)
        greet = sum(langid.predict(t)[0] == lang for t in GREETINGS[lang]) / len(GREETINGS[lang])
        lines.append(f"| {lang} | {acc:.3f} ({len(held)}) | {greet:.3f} ({len(GREETINGS[lang])}) |")
    lines += ["", "## Most frequent confusions (gold → predicted)", ""]
    for lang in LANGS:
        common = ", ".join(f"{g} → {p} ({n})" for (g, p), n in confusions[lang].most_common(8)) or "none"
        lines.append(f"- {lang}: {common}")
    return "\n".join(lines) + "\n"


def accept_name(name: str, confidence: float) -> bool:
    from bot.nlu.client import NluResult

    return accept(NluResult(name, confidence))


def _langid_without_test(root: Path, train: dict[str, dict[str, list[str]]]) -> LanguageIdentifier:
    samples: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for lang in LANGS:
        for path in sorted((root / "content" / lang).glob("*.yml")):
            samples[lang] += list(_texts(_load(path)))
        for examples in train[lang].values():
            samples[lang] += examples

    return LanguageIdentifier(samples)
