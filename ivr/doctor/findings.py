"""What a check finds: ok, a warning, or a failure that stops the consent flow from working."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    level: Level
    check: str
    detail: str

    def line(self) -> str:
        return f"{self.level.value:<4}  {self.check:<22} {self.detail}"


def ok(check: str, detail: str) -> Finding:
    return Finding(Level.OK, check, detail)


def warn(check: str, detail: str) -> Finding:
    return Finding(Level.WARN, check, detail)


def fail(check: str, detail: str) -> Finding:
    return Finding(Level.FAIL, check, detail)
