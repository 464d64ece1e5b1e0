"""How much of the week's calls a sampled policy may record, at most.

The CNIL admits recording for training or evaluation only if it is neither permanent nor
systematic. A "sample" of 0.999 of the calls in periods covering the whole week is systematic
recording by another name; only a legal obligation (with the law named) may justify that.
The share is the fraction times the largest part of the week any one agent group is covered
(periods for every group count for each group). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

MAX_SHARE = 0.5  # above this, most calls would be recorded: no longer a sample
WEEK_MINUTES = 7 * 24 * 60
_EVERY_GROUP = "*"


class Period(Protocol):
    @property
    def days(self) -> tuple[str, ...]: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def groups(self) -> tuple[str, ...] | None: ...


def _covered(periods: Sequence[Period], group: str) -> float:
    minutes: set[tuple[str, int]] = set()
    for period in periods:
        if period.groups is None or group in period.groups:
            minutes |= {(day, m) for day in period.days for m in range(period.start, period.end)}
    return len(minutes) / WEEK_MINUTES


def week_coverage(periods: Sequence[Period]) -> float:
    """The largest share of the week's minutes in which one group's calls may be sampled."""
    groups = {g for p in periods for g in (p.groups or ())} | {_EVERY_GROUP}
    return max(_covered(periods, group) for group in groups)


def recorded_share(fraction: float, periods: Sequence[Period]) -> float:
    return fraction * week_coverage(periods) if periods else 0.0
