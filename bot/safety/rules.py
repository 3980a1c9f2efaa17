"""Deterministic urgent rules, edited by campaign staff in content/<lang>/urgent.yml.

They run before anything else on every message (also during a handoff). Per category a file lists
`urgent` phrases (a clear signal: the safety reply and an urgent ticket at once) and `ask` phrases
(a weak signal: the bot first asks whether the person is in danger now). A phrase is words that
must appear in order with up to three other words between them. Each word matches by its stem
("me pegó" is seen by "me pega"), a word ending in `*` by its beginning ("encerr*"), a word
starting with `=` only as written ("=quiero" is not "quieren"). me/te/se/lo/la/le/nos may stand
anywhere near the other words ("quiero matarme" is "me quiero matar").

Exclusion words match only as written (use `*` for endings). Exclusions only ever lower a
decision by one level (a clear signal becomes a question, a weak one
nothing), never a clear signal straight to nothing:
- `exclude` (idioms: "me muero de risa") and `exclude_questions` (a question about a topic, with
  up to three following words: "qué es la trata") lower the phrases they cover;
- `calm_context` (schoolwork, something long past, trouble with the app) lowers every phrase of
  the message, except a clear signal of self-harm or immediate danger, which is never lowered by
  context alone;
- `joking` (laughter: "jajaja", "xd", a laughing emoji) lowers every clear signal of the message to
  a question, self-harm and immediate danger included ("mi mama me va a matar jajaja"): a person is
  still asked whether they are in danger, and a weak signal stays a question.
Phrases of every language are checked, because people mix languages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.languages import LANGS, SOURCE_LANG
from bot.content.schema import LOWERING, URGENT_FILE, read_urgent
from bot.core.risk import LEVEL_ORDER, NEVER_ASK, NO_RISK, URGENT_CATEGORIES, Risk
from bot.errors import DataError, Problem
from bot.safety.normalize import SPACED_LETTERS, Word, analyse, analyse_word, tokens
from bot.yamlfile import LineDict, load_yaml

MAX_GAP_WORDS = 3
FLOAT_WINDOW = 3  # how far from the phrase a floating pronoun may stand
MIN_PREFIX_STEM = 5  # stems this long match when one begins the other (desapareci / desaparec)
MAX_WORDS = 700  # a message is checked up to about 4,000 characters
_FLOATING = frozenset(analyse_word(p).word for p in ("me", "te", "se", "nos", "lo", "la", "le", "los", "las", "les"))
_FIRST_PERSON = frozenset(analyse_word(p).word for p in ("me", "mi", "mis", "nos", "estoy", "tengo", "nuka", "naya"))


@dataclass(frozen=True, slots=True)
class _Term:
    kind: str  # "stem", "exact" or "prefix"
    word: str
    stem: str
    wide: bool  # a Quechua or Aymara phrase: vowels folded too

    def forms(self, w: Word) -> tuple[str, str]:
        return (w.wide_word, w.wide_stem) if self.wide else (w.word, w.stem)

    def matches(self, w: Word) -> bool:
        word, stem = self.forms(w)
        if self.kind == "exact":
            return word == self.word
        if self.kind == "prefix":
            return word.startswith(self.word) or (len(self.stem) >= 4 and stem.startswith(self.stem))
        if word == self.word or stem == self.stem:
            return True
        short, long_ = sorted((stem, self.stem), key=len)
        return len(short) >= MIN_PREFIX_STEM and long_.startswith(short)

    @property
    def keys(self) -> tuple[str, ...]:
        """Index keys: a message word with one of these keys may match."""
        tag = "~" if self.wide else ""
        if self.kind == "exact":
            return (tag + self.word,)
        if self.kind == "prefix":
            return tuple({tag + "^" + self.word[:3], tag + "^" + self.stem[:3]})
        return tuple({tag + self.word, tag + self.stem, tag + "^" + self.stem[:MIN_PREFIX_STEM]})


@dataclass(frozen=True)
class Phrase:
    text: str
    category: str
    level: str  # "urgent" or "ask"; exclusions have level ""
    lang: str
    core: tuple[_Term, ...]
    floating: tuple[str, ...]
    compact: str  # the words run together, for letters typed one by one

    def spans(self, words: Sequence[Word], start: int) -> Iterable[tuple[int, int]]:
        """(first, last) positions of matches whose first core word is at `start`."""
        if not self.core[0].matches(words[start]):
            return

        def rest(i: int, pos: int) -> Iterable[int]:
            if i == len(self.core):
                yield pos
                return
            for nxt in range(pos + 1, min(len(words), pos + 2 + MAX_GAP_WORDS)):
                if self.core[i].matches(words[nxt]):
                    yield from rest(i + 1, nxt)

        for end in rest(1, start):
            if self._floating_near(words, start, end):
                yield start, end

    def _floating_near(self, words: Sequence[Word], start: int, end: int) -> bool:
        near = {w.word for w in words[max(0, start - FLOAT_WINDOW):end + FLOAT_WINDOW + 1]}
        return all(f in near for f in self.floating)


def compile_phrase(text: str, category: str, level: str, lang: str, *, as_written: bool = False) -> Phrase:
    """`as_written`: words match only as written (exclusions, which must not spread by stem)."""
    core: list[_Term] = []
    floating: list[str] = []
    wide = lang != "es"
    for raw in text.split():
        exact, prefix = raw.startswith("="), raw.endswith("*")
        for token in tokens(raw.strip("=*")):
            w = analyse_word(token)
            word, stem = (w.wide_word, w.wide_stem) if wide else (w.word, w.stem)
            if not exact and not prefix and w.word in _FLOATING:
                floating.append(w.word)
            else:
                kind = "prefix" if prefix else "exact" if (exact or as_written) else "stem"
                if prefix and token.endswith("c"):  # "desaparec*": the c of -ció and of -cida alike
                    word, stem = word[:-1], stem[:-1] if stem.endswith(("k", "s")) else stem
                core.append(_Term(kind, word, stem, wide))
    if not core:  # a phrase of pronouns only: match them in order
        core = [_Term("exact", f, f, wide) for f in floating]
        floating = []
    return Phrase(text, category, level, lang, tuple(core), tuple(floating),
                  "".join(w.word for w in analyse(text.replace("*", "").replace("=", ""))))


@dataclass(frozen=True)
class RuleHit:
    """The strongest phrase found: its category, its level after exclusions, and the phrase."""

    category: str
    level: str
    phrase: str
    lang: str

    @property
    def risk(self) -> Risk:
        return Risk(self.level, self.category, "rule", self.phrase)  # type: ignore[arg-type]


class _Index:
    def __init__(self, phrases: Iterable[Phrase]) -> None:
        self.by_key: dict[str, list[Phrase]] = defaultdict(list)
        for phrase in phrases:
            for key in phrase.core[0].keys:
                self.by_key[key].append(phrase)

    def find(self, words: Sequence[Word]) -> Iterable[tuple[Phrase, int, int]]:
        for start, w in enumerate(words):
            candidates: dict[int, Phrase] = {}
            keys = [tag + key for tag, word, stem in (("", w.word, w.stem), ("~", w.wide_word, w.wide_stem))
                    for key in (word, stem, "^" + word[:3], "^" + stem[:3], "^" + stem[:MIN_PREFIX_STEM])]
            for key in keys:
                for phrase in self.by_key.get(key, ()):
                    candidates[id(phrase)] = phrase
            for phrase in candidates.values():
                for first, last in phrase.spans(words, start):
                    yield phrase, first, last


@dataclass
class UrgentRules:
    phrases: list[Phrase]
    excludes: list[Phrase] = field(default_factory=list)
    questions: list[Phrase] = field(default_factory=list)
    context: list[Phrase] = field(default_factory=list)
    joking: list[Phrase] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rules = _Index(self.phrases)
        self._excludes = _Index(self.excludes)
        self._questions = _Index(self.questions)
        self._context = _Index(self.context)
        self._joking = _Index(self.joking)
        self._order = {c: i for i, c in enumerate(URGENT_CATEGORIES)}

    @classmethod
    def load(cls, content_dir: Path) -> UrgentRules:
        phrases: list[Phrase] = []
        excludes: list[Phrase] = []
        questions: list[Phrase] = []
        context: list[Phrase] = []
        joking: list[Phrase] = []
        abbreviations: dict[str, str] = {}
        problems: list[Problem] = []
        for lang in LANGS:
            path = content_dir / lang / URGENT_FILE
            if not path.exists():
                problems.append(Problem(path, None, "the urgent phrase list is missing",
                                        "create it: urgent messages in this language would not be recognised"))
                continue
            lowering = dict(zip(LOWERING, (excludes, questions, context, joking), strict=True))
            problems += _read(path, lang, load_yaml(path), phrases, lowering, abbreviations)
        if problems:
            raise DataError(problems)
        return cls(phrases, excludes, questions, context, joking, abbreviations)

    def assess(self, text: str) -> Risk:
        hit = self.match(text)
        return hit.risk if hit else NO_RISK

    def match(self, text: str) -> RuleHit | None:
        """The strongest rule hit in `text` (urgent before ask, then by category order)."""
        words = analyse(text[:4000], self.abbreviations)[:MAX_WORDS]
        if not words:
            return None
        full = list(self._rules.find(words))
        if not full and SPACED_LETTERS.search(text):
            joined = "".join(w.word for w in words)
            full = [(p, 0, 0) for p in self.phrases if len(p.compact) >= 5 and p.compact in joined]
        if not full:
            return None
        covered = self._covered(words)
        calm = next(iter(self._context.find(words)), None) is not None
        joking = next(iter(self._joking.find(words)), None) is not None
        best: RuleHit | None = None
        for phrase, first, last in full:
            level = phrase.level
            clear = level == "urgent" and phrase.category in NEVER_ASK
            if any(i in covered for i in range(first, last + 1)) or (calm and not clear):
                level = "ask" if level == "urgent" else "none"
            elif joking and level == "urgent":
                level = "ask"
            if level == "none":
                continue
            hit = RuleHit(phrase.category, level, phrase.text, phrase.lang)
            if best is None or self._stronger(hit, best):
                best = hit
        return best

    def _stronger(self, a: RuleHit, b: RuleHit) -> bool:
        if a.level != b.level:
            return LEVEL_ORDER[a.level] > LEVEL_ORDER[b.level]
        return self._order[a.category] < self._order[b.category]

    def _covered(self, words: Sequence[Word]) -> set[int]:
        """Positions inside an idiom or a question about a topic."""
        covered: set[int] = set()
        for _, first, last in self._excludes.find(words):
            covered.update(range(first, last + 1))
        for phrase, first, last in self._questions.find(words):
            hypothetical = phrase.core[-1].word == "si"  # "qué hago si me hackean": an if, not a cry
            end = last
            while end + 1 < len(words) and end - last < (4 if hypothetical else 3) \
                    and (hypothetical or words[end + 1].word not in _FIRST_PERSON):
                end += 1
            covered.update(range(first, end + 1))
        return covered


def _read(path: Path, lang: str, data: object, phrases: list[Phrase], lowering: dict[str, list[Phrase]],
          abbreviations: dict[str, str]) -> list[Problem]:
    """The file's shape is `UrgentFile` (bot/content/schema.py); here what the model cannot see: a review
    status in Quechua and Aymara, and phrases that are only signs ("*", "=")."""
    spec, problems = read_urgent(path, data)
    if spec is None or not isinstance(data, LineDict):
        return problems
    categories: LineDict = data["categories"]
    for category, body in spec.categories.items():
        written: LineDict = categories[category]
        if lang != SOURCE_LANG and body.review is None:
            problems.append(Problem(path, categories.line_of(category), f"'{category}' has no review status",
                                    "add 'review: draft' (only a native speaker's review makes it 'reviewed')"))
        problems += _phrases(path, written.line_of("urgent"), body.urgent, category, "urgent", lang, phrases)
        problems += _phrases(path, written.line_of("ask"), body.ask, category, "ask", lang, phrases)
    for key, target in lowering.items():
        problems += _phrases(path, data.line_of(key), getattr(spec, key), "", "", lang, target)
    for typed, meaning in spec.abbreviations.items():
        abbreviations[" ".join(tokens(typed)) or typed] = " ".join(tokens(meaning))
    return problems


def _phrases(path: Path, line: int | None, items: Sequence[object], category: str, level: str, lang: str,
             out: list[Phrase]) -> list[Problem]:
    problems: list[Problem] = []
    for item in items:
        if not isinstance(item, str) or not tokens(item.replace("*", "").replace("=", "")):
            problems.append(Problem(path, line, f"an empty or non-text phrase in '{category or 'exclude'}'",
                                    "write each phrase as plain words"))
            continue
        out.append(compile_phrase(item, category, level, lang, as_written=not level))
    return problems
