"""Readers of the recording policy: [recording] (which calls may be recorded) and [agents]
(the agents' keys).

Recording is not systematic unless a law requires it: by default a call is recorded only if
it falls in a declared period and the draw samples it. Without a [recording] section nothing
is recorded (fail closed); ``ivr doctor`` warns about it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from itertools import combinations
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ivr.config.reader import Table, shown
from ivr.config.sampling_share import MAX_SHARE, recorded_share, week_coverage

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = datetime.weekday()
DAY_END = 24 * 60  # "24:00", in minutes after midnight
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_DTMF = re.compile(r"[0-9*#]{1,4}")
_PERIOD_KEYS = ("days", "from", "to", "groups", "label")
_AGENT_KEYS = ("pause_key", "private_key", "private_prefix")
_LEGAL = '"legal-obligation"'

SECTIONS = {
    "recording": ("mode", "fraction", "periods", "timezone", "legal_reference"),
    "agents": (*_AGENT_KEYS, "tone", "key_timeout"),
}


class RecordingMode(StrEnum):
    SAMPLED = "sampled"  # a fraction of the calls in the declared periods
    LEGAL_OBLIGATION = "legal-obligation"  # every call: a law requires it


def clock(minutes: int) -> str:
    """Minutes after midnight as "HH:MM" (1440 is "24:00")."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class RecordingPeriod:
    """Days and hours in which calls of some agent groups may be recorded (local time)."""

    days: tuple[str, ...]  # "mon".."sun", in week order
    start: int  # minutes after midnight, inclusive (the key `from`)
    end: int  # minutes after midnight, exclusive (the key `to`); DAY_END is "24:00"
    groups: tuple[str, ...] | None = None  # None: every group
    label: str = ""

    def applies_to(self, group: str) -> bool:
        return self.groups is None or group in self.groups

    def covers(self, local: datetime) -> bool:
        """``local`` is a wall-clock time in the policy's time zone."""
        minute = local.hour * 60 + local.minute
        return DAYS[local.weekday()] in self.days and self.start <= minute < self.end

    def __str__(self) -> str:
        groups = "every group" if self.groups is None else ", ".join(self.groups)
        text = f"{','.join(self.days)} {clock(self.start)}-{clock(self.end)} ({groups})"
        return f"{self.label}: {text}" if self.label else text


@dataclass(frozen=True)
class RecordingPolicy:
    mode: RecordingMode = RecordingMode.SAMPLED
    fraction: float = 0.0  # sampled: the share of the calls in a period that are recorded
    periods: tuple[RecordingPeriod, ...] = ()
    timezone: str = "UTC"  # IANA name: the periods are wall-clock times of this zone
    legal_reference: str = ""  # legal-obligation: the law that requires recording every call

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    @property
    def records_nothing(self) -> bool:
        """True when no call can ever be recorded (the default, without [recording])."""
        sampled = self.mode is RecordingMode.SAMPLED
        return sampled and (self.fraction <= 0 or not self.periods)


@dataclass(frozen=True)
class AgentSettings:
    """DTMF sequences an agent types ("" disables one), and whether agents hear a tone."""

    pause_key: str = "*1"  # in a call: pause the recording, or resume it
    private_key: str = "*0"  # in a call: the call is private, its recording is deleted
    private_prefix: str = "*7"  # dialled before a number: the call is never recorded
    tone: bool = True  # agents hear a beep when recording starts and when it stops
    key_timeout: float = 2.0  # seconds allowed between the keys of one sequence


def read_recording(table: Table) -> RecordingPolicy:
    """``table`` is [recording], checked against SECTIONS["recording"]."""
    text = table.string("mode", RecordingMode.SAMPLED.value)
    modes = [mode.value for mode in RecordingMode]
    if text not in modes:
        raise table.error("mode", f"must be one of {', '.join(modes)}, got {shown(text)}")
    timezone = _timezone(table)
    if RecordingMode(text) is RecordingMode.LEGAL_OBLIGATION:
        return _legal_obligation(table, timezone)
    if "legal_reference" in table:
        raise table.error("legal_reference", f"applies only with mode = {_LEGAL}")
    fraction = _fraction(table)
    periods = _periods(table)
    if fraction > 0 and not periods:
        raise table.error(
            "fraction",
            f"is {fraction:g} but no [[recording.periods]] is declared: nothing could ever be "
            "recorded; declare the periods in which calls may be sampled",
        )
    _refuse_systematic(table, fraction, periods)
    return RecordingPolicy(RecordingMode.SAMPLED, fraction, periods, timezone)


def _refuse_systematic(table: Table, fraction: float, periods: tuple[RecordingPeriod, ...]) -> None:
    share = recorded_share(fraction, periods)
    if share > MAX_SHARE:
        raise table.error(
            "fraction",
            f"{fraction:g} of the calls in periods covering {week_coverage(periods):.0%} of the "
            f"week records {share:.0%} of all calls: that is systematic recording, not a "
            f"sample (at most {MAX_SHARE:.0%}); lower the fraction or the periods, or use "
            f"mode = {_LEGAL} with legal_reference (the law that requires it)",
        )


def _legal_obligation(table: Table, timezone: str) -> RecordingPolicy:
    for name in ("fraction", "periods"):
        if name in table:
            raise table.error(
                name,
                f"contradicts mode = {_LEGAL}, which records every call whatever the periods "
                'and fraction; remove it, or use mode = "sampled"',
            )
    if "legal_reference" not in table:
        raise table.error(
            "legal_reference",
            f"required with mode = {_LEGAL}: the law that requires recording every call "
            '(e.g. "MiFID II art. 16(7)")',
        )
    return RecordingPolicy(
        RecordingMode.LEGAL_OBLIGATION,
        timezone=timezone,
        legal_reference=_legal_reference(table),
    )


_TRIVIAL_REFERENCES = frozenset(
    {"law", "the law", "legal obligation", "required by law", "by law", "regulation",
     "legal requirement", "obligation", "compliance", "todo", "tbd", "n/a", "none", "xxx"}
)  # fmt: skip


def _legal_reference(table: Table) -> str:
    """The law, named well enough for a DPO or an authority to look it up."""
    text = table.string("legal_reference")
    words = re.findall(r"\w+", text)
    trivial = " ".join(words).lower() in _TRIVIAL_REFERENCES
    if trivial or len(text) < 8 or len(words) < 2:
        raise table.error(
            "legal_reference",
            f"{shown(text)} does not name a law: give the text and its article "
            '(e.g. "MiFID II art. 16(7)"); it is shown in the art. 30 record',
        )
    return text


def _fraction(table: Table) -> float:
    value = table.data.get("fraction", 0.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise table.error("fraction", f"must be a number from 0 to below 1, got {shown(value)}")
    if value >= 1:
        raise table.error(
            "fraction",
            f"{shown(value)} would record every call: systematic recording needs "
            f"mode = {_LEGAL} and legal_reference (the law that requires it)",
        )
    return float(value)


def _timezone(table: Table) -> str:
    name = table.string("timezone", "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise table.error(
            "timezone",
            f'must be an IANA time zone such as "Europe/Paris", got {shown(name)}'
            + "".join(f"; did you mean {shown(close)}?" for close in _close_zones(name)),
        ) from None
    return name


def _close_zones(name: str) -> list[str]:
    return difflib.get_close_matches(name, sorted(available_timezones()), n=1)


def _periods(table: Table) -> tuple[RecordingPeriod, ...]:
    value = table.data.get("periods", [])
    if not isinstance(value, list):
        raise table.error("periods", "must be an array of tables: [[recording.periods]]")
    # Numbered from 1, as an administrator counts the [[recording.periods]] of the file.
    return tuple(
        _period(Table(item, f"{table.at('periods')}[{number}]", table.source, _PERIOD_KEYS))
        for number, item in enumerate(value, start=1)
    )


def _period(table: Table) -> RecordingPeriod:
    if "days" not in table:
        raise table.error("days", f"required, not set: a list among {', '.join(DAYS)}")
    days = table.strings("days", ())
    for day in days:
        if day not in DAYS:
            raise table.error("days", f"{shown(day)} is not a day: write {', '.join(DAYS)}")
    start = _minutes(table, "from", last=DAY_END - 1)
    end = _minutes(table, "to", last=DAY_END)
    if end <= start:
        raise table.error(
            "to",
            f"{shown(clock(end))} must be after from ({shown(clock(start))}); a period across "
            'midnight is two periods, one to "24:00" and one from "00:00"',
        )
    groups = table.strings("groups", ()) if "groups" in table else None
    ordered = tuple(day for day in DAYS if day in days)
    return RecordingPeriod(ordered, start, end, groups, table.optional_string("label") or "")


def _minutes(table: Table, name: str, last: int) -> int:
    text = table.string(name)
    match = _CLOCK.fullmatch(text)
    minutes = int(match[1]) * 60 + int(match[2]) if match else (DAY_END if text == "24:00" else -1)
    if not 0 <= minutes <= last:
        latest = "24:00" if last == DAY_END else "23:59"
        raise table.error(name, f'must be a time "HH:MM" up to "{latest}", got {shown(text)}')
    return minutes


def read_agents(table: Table) -> AgentSettings:
    """``table`` is [agents], checked against SECTIONS["agents"]."""
    default = AgentSettings()
    keys = {name: _sequence(table, name, getattr(default, name)) for name in _AGENT_KEYS}
    _check_apart(table, keys)
    return AgentSettings(
        pause_key=keys["pause_key"],
        private_key=keys["private_key"],
        private_prefix=keys["private_prefix"],
        tone=_boolean(table, "tone", default=default.tone),
        key_timeout=table.number("key_timeout", default.key_timeout, 0, 30),
    )


def _sequence(table: Table, name: str, default: str) -> str:
    value = table.data.get(name, default)
    if not isinstance(value, str) or not (value == "" or _DTMF.fullmatch(value)):
        raise table.error(
            name,
            f'must be 1 to 4 DTMF keys among 0-9 * #, or "" to disable it, got {shown(value)}',
        )
    return value


def _check_apart(table: Table, keys: dict[str, str]) -> None:
    """An agent typing one sequence must never be taken for having typed another."""
    for (first, one), (second, other) in combinations(keys.items(), 2):
        if not one or not other:
            continue  # disabled
        if one == other:
            raise table.error(second, f"{shown(other)} is the same as {table.at(first)}")
        if one.startswith(other) or other.startswith(one):
            (short, prefix), (long, whole) = sorted(
                ((first, one), (second, other)), key=lambda named: len(named[1])
            )
            raise table.error(
                second,
                f"{table.at(short)} {shown(prefix)} is a prefix of {table.at(long)} "
                f"{shown(whole)}: typing the longer one would end at the shorter",
            )


def _boolean(table: Table, name: str, *, default: bool) -> bool:
    value = table.data.get(name, default)
    if not isinstance(value, bool):
        raise table.error(name, f"must be true or false, got {shown(value)}")
    return value
