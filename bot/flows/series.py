"""The weekly tips as data: `flows/campaign/weekly_tips.yml` (docs/formats.md, "Weekly tips").

One file declares the series: the day of the week and the local hour (in `timezone`, America/La_Paz) when
a tip goes out, and per week, per audience, the content key of the tip and the module its button opens.
`read_series` checks the file's own shape; `series_problems` checks what it names (texts, modules) against
the loaded content and flows. Every problem names file and line (`content check` prints them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import DataError, Problem
from bot.yamlfile import LineDict, load_yaml

SERIES_FILE = Path("campaign") / "weekly_tips.yml"  # under the flows directory
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SERIES_AUDIENCES = ("young", "caregiver")
MIN_WEEKS = 8
_TOP = ("format", "series", "timezone", "day", "hour", "weeks")
_TIP = ("say", "open")


@dataclass(frozen=True)
class Tip:
    say: str  # content key of the tip
    open: str  # the flow its button opens
    line: int = 0


@dataclass(frozen=True)
class Series:
    name: str
    timezone: str
    day: int  # 0 = Monday
    hour: int
    weeks: tuple[dict[str, Tip], ...]  # per week: audience -> tip
    file: Path

    def slot(self, now: float) -> tuple[str, float]:
        """The latest weekly slot at or before `now`: its local date (the slot's id) and its time."""
        zone = ZoneInfo(self.timezone)
        local = dt.datetime.fromtimestamp(now, zone)
        start = local.replace(hour=self.hour, minute=0, second=0, microsecond=0)
        start -= dt.timedelta(days=(local.weekday() - self.day) % 7)
        if start > local:
            start -= dt.timedelta(days=7)
        return start.date().isoformat(), start.timestamp()

    def tip(self, week: int, audience: str) -> Tip | None:
        if not 0 <= week < len(self.weeks):
            return None
        per = self.weeks[week]
        return per.get(audience) or per.get("young")


def read_series(path: Path) -> tuple[Series | None, list[Problem]]:
    """The series in `path` and the problems of its shape (None when it cannot be used)."""
    try:
        data = load_yaml(path)
    except DataError as exc:
        return None, exc.problems
    if not isinstance(data, LineDict):
        return None, [Problem(path, 1, "the file is empty or not a tip series",
                              "start with 'format: 1', 'series:', 'timezone:', 'day:', 'hour:' and 'weeks:'")]
    problems: list[Problem] = []
    for key in data:
        if key not in _TOP:
            problems.append(Problem(path, data.line_of(key), f"unknown field '{key}'",
                                    f"use only: {', '.join(_TOP)}"))
    for key in _TOP:
        if key not in data:
            problems.append(Problem(path, data.line, f"the field '{key}' is missing", f"add '{key}:'"))
    if problems:
        return None, problems
    if data["format"] != 1:
        problems.append(Problem(path, data.line_of("format"), f"unknown format {data['format']!r}",
                                "write 'format: 1'"))
    timezone = str(data["timezone"])
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Problem(path, data.line_of("timezone"), f"unknown time zone '{timezone}'",
                                "write 'timezone: America/La_Paz'"))
    day = str(data["day"]).lower()
    if day not in DAYS:
        problems.append(Problem(path, data.line_of("day"), f"'{data['day']}' is not a day of the week",
                                f"use one of: {', '.join(DAYS)}"))
    hour = data["hour"]
    if not isinstance(hour, int) or isinstance(hour, bool) or not 0 <= hour <= 23:
        problems.append(Problem(path, data.line_of("hour"), f"the hour {hour!r} is not a whole hour from 0 to 23",
                                "write the local hour, e.g. 'hour: 19' for 7 p.m. in La Paz"))
    weeks_raw = data["weeks"]
    if not isinstance(weeks_raw, list) or not weeks_raw:
        return None, [*problems, Problem(path, data.line_of("weeks"), "'weeks' must be a list with one item per week",
                                         "write '- young: {say: <key>, open: <flow>}' and 'caregiver: …' per week")]
    weeks: list[dict[str, Tip]] = []
    for number, item in enumerate(weeks_raw, start=1):
        week, found = _read_week(path, number, item, data.line_of("weeks"))
        problems += found
        weeks.append(week)
    if len(weeks_raw) < MIN_WEEKS:
        problems.append(Problem(path, data.line_of("weeks"), f"the series has {len(weeks_raw)} week(s)",
                                f"write at least {MIN_WEEKS} weeks", warning=True))
    if any(not p.warning for p in problems):
        return None, problems
    return Series(str(data["series"]), timezone, DAYS.index(day), int(hour), tuple(weeks), path), problems


def _read_week(path: Path, number: int, item: Any, line: int) -> tuple[dict[str, Tip], list[Problem]]:
    if not isinstance(item, LineDict):
        return {}, [Problem(path, line, f"week {number} is not a mapping of audience to tip",
                            "write '- young: {say: <key>, open: <flow>}' and '  caregiver: {…}'")]
    problems: list[Problem] = []
    week: dict[str, Tip] = {}
    for audience in item:
        if audience not in SERIES_AUDIENCES:
            problems.append(Problem(path, item.line_of(audience), f"week {number}: unknown audience '{audience}'",
                                    f"use: {', '.join(SERIES_AUDIENCES)}"))
    for audience in SERIES_AUDIENCES:
        tip = item.get(audience)
        at = item.line_of(audience)
        if tip is None:
            problems.append(Problem(path, item.line, f"week {number} has no tip for '{audience}'",
                                    f"add '{audience}: {{say: <content key>, open: <flow>}}'"))
            continue
        if not isinstance(tip, LineDict) or any(k not in _TIP for k in tip) or \
                not all(isinstance(tip.get(k), str) and tip.get(k) for k in _TIP):
            problems.append(Problem(path, at, f"week {number}, {audience}: a tip needs 'say' and 'open' only",
                                    "write '{say: <content key>, open: <flow the button opens>}'"))
            continue
        week[audience] = Tip(tip["say"], tip["open"], at)
    return week, problems


def series_problems(series: Series, content_keys: dict[str, set[str]], flows: set[str]) -> list[Problem]:
    """What the series names must exist: each tip's text in every language, each module's flow."""
    problems: list[Problem] = []
    for number, week in enumerate(series.weeks, start=1):
        for audience, tip in week.items():
            for lang, keys in sorted(content_keys.items()):
                if tip.say not in keys:
                    problems.append(Problem(series.file, tip.line,
                                            f"week {number}, {audience}: the text '{tip.say}' is missing in {lang}",
                                            f"add '{tip.say}' to content/{lang}/weekly_tips.yml"))
            if tip.open not in flows:
                problems.append(Problem(series.file, tip.line,
                                        f"week {number}, {audience}: the module '{tip.open}' does not exist",
                                        f"use one of: {', '.join(sorted(flows))}"))
    return problems


def check_series(flows_dir: Path, content_keys: dict[str, set[str]], flows: set[str]) -> list[Problem]:
    """`content check`'s part: the series file (if there is one), its shape and its references."""
    path = flows_dir / SERIES_FILE
    if not path.exists():
        return []
    series, problems = read_series(path)
    if series is not None:
        problems += series_problems(series, content_keys, flows)
    return problems


def load_series(flows_dir: Path) -> Series | None:
    """The series for the scheduler; None without a file. A broken file raises DataError (as content does)."""
    path = flows_dir / SERIES_FILE
    if not path.exists():
        return None
    series, problems = read_series(path)
    errors = [p for p in problems if not p.warning]
    if series is None or errors:
        raise DataError(errors)
    return series
