"""One error type for problems in files that people edit (content, flows, settings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """A problem a campaign editor can act on: where, what is wrong, how to fix it."""

    file: Path
    line: int | None
    what: str
    fix: str
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        level = "warning" if self.warning else "error"
        return f"{where}: {level}: {self.what}\n    how to fix: {self.fix}"


class DataError(Exception):
    """Raised when edited files cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
