"""``[outbound]``: the guard's settings, profile overrides and campaigns.

Read from the service's file beside the rest of the configuration (the loader lets the
section through); an error names the dotted key like every other configuration error.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr.config.errors import ConfigError
from ivr.config.model import ConsentKeys, Settings
from ivr.config.reader import Source, Table, hint, shown
from ivr.outbound.profiles import INTERNAL_LIST, SHIPPED, Campaign, OutboundProfile
from ivr.outbound.prompts import (
    CALLEE_PROMPTS,
    PLACEHOLDERS,
    PROMPT_NAMES,
    SHIPPED_CALLEE_TEXTS,
    SHIPPED_TEXTS,
    callee_texts,
)
from ivr.outbound.windows import WEEKDAYS, Period, Windows

_SPAN = re.compile(r"([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)")
_DTMF = re.compile(r"[0-9*#]{1,4}")
_HOLIDAYS = ("none", "fr", "fr-alsace-moselle")
_TOP = ("store", "fail_open", "stop_key", "agent_refusal_key", "profiles", "campaigns", "texts")
_PROFILE = (
    "base", "region", "zone", "hours", "holidays", "cap_attempts", "cap_days", "rest_days",
    "list_max_age_days", "required_lists", "consent_from",
)  # fmt: skip
_CAMPAIGN = ("profile", "professional", "purpose", "lists")


@dataclass(frozen=True)
class OutboundSettings:
    store: Path  # the outbound SQLite file (attempts, refusals, consents, lists, decisions)
    fail_open: bool = False  # guard unavailable: the call is refused unless this is true
    stop_key: str = "7"  # the called party's "stop calling me" key
    agent_refusal_key: str = "*8"  # the agent's key for a refusal said aloud
    profiles: Mapping[str, OutboundProfile] = field(default_factory=dict)
    campaigns: Mapping[str, Campaign] = field(default_factory=dict)
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # language -> prompts

    def campaign(self, name: str) -> Campaign:
        try:
            return self.campaigns[name]
        except KeyError:
            raise KeyError(f"no outbound campaign {name!r}" + hint(name, self.campaigns)) from None


def load_outbound(settings: Settings) -> OutboundSettings:
    """The ``[outbound]`` section of the file ``settings`` came from."""
    try:
        with settings.path.open("rb") as handle:
            raw = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=settings.path, key=None) from None
    default_store = settings.ledger.path.parent / "outbound.sqlite3"
    table = Table(raw.get("outbound", {}), "outbound", Source(settings.path), _TOP)
    outbound = read_outbound(table, default_store, settings.consent.keys)
    _check_agent_key(table, outbound.agent_refusal_key, settings)
    return outbound


def _check_agent_key(table: Table, key: str, settings: Settings) -> None:
    """The agent's refusal key is typed beside the agents' other keys: none may start another."""
    if not _DTMF.fullmatch(key):
        raise table.error("agent_refusal_key", f"1 to 4 keys among 0-9 * #, got {shown(key)}")
    agents = settings.agents
    for other in (agents.pause_key, agents.private_key, agents.private_prefix):
        if other and (other.startswith(key) or key.startswith(other)):
            why = f"{shown(key)} clashes with the [agents] key {shown(other)}"
            raise table.error("agent_refusal_key", why)


def read_outbound(table: Table, default_store: Path, consent_keys: ConsentKeys) -> OutboundSettings:
    profiles = dict(SHIPPED)
    for name, own in table.tables("profiles", _PROFILE).items():
        profiles[name] = _profile(name, own, profiles)
    campaigns = {
        name: _campaign(name, own, profiles)
        for name, own in table.tables("campaigns", _CAMPAIGN).items()
    }
    stop_key = table.string("stop_key", "7")
    if stop_key not in "0123456789" or len(stop_key) != 1:
        raise table.error("stop_key", f"must be one digit, got {shown(stop_key)}")
    if stop_key in (consent_keys.full_notice, consent_keys.objection, consent_keys.accept):
        raise table.error("stop_key", f"{shown(stop_key)} is already a [consent.keys] key")
    return OutboundSettings(
        store=table.path("store", default_store),
        fail_open=table.boolean("fail_open", False),
        stop_key=stop_key,
        agent_refusal_key=table.string("agent_refusal_key", "*8"),
        profiles=profiles,
        campaigns=campaigns,
        texts=_texts(table),
    )


def _texts(table: Table) -> dict[str, dict[str, str]]:
    """The shipped texts, each replaceable in [outbound.texts.<lang>]; a new language must
    give them all."""
    texts = {
        language: {**prompts, **SHIPPED_CALLEE_TEXTS[language]}
        for language, prompts in SHIPPED_TEXTS.items()
    }
    for language, own in table.tables("texts", (*PROMPT_NAMES, *CALLEE_PROMPTS)).items():
        merged = texts.setdefault(language, {})
        merged.update({name: own.string(name) for name in own.data})
        missing = [name for name in (*PROMPT_NAMES, *CALLEE_PROMPTS) if name not in merged]
        if missing:
            raise own.error(missing[0], "required for a language not shipped (fr, en)")
        for name in own.data:
            try:
                merged[name].format(**PLACEHOLDERS)
            except (KeyError, IndexError, ValueError) as exc:
                raise own.error(name, f"unknown placeholder or stray brace: {exc}") from None
    return texts


def _profile(name: str, own: Table, known: Mapping[str, OutboundProfile]) -> OutboundProfile:
    base_name = own.string("base", name if name in SHIPPED else "fr")
    if base_name not in known:
        raise own.error("base", f"unknown profile {shown(base_name)}" + hint(base_name, known))
    base = known[base_name]
    zone = own.string("zone", base.zone)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise own.error("zone", f"unknown time zone {shown(zone)}") from None
    return dataclasses.replace(
        base,
        name=name,
        region=own.string("region", base.region),
        zone=zone,
        windows=_windows(own, base.windows),
        cap_attempts=_cap(own, base.cap_attempts),
        cap_days=own.integer("cap_days", base.cap_days, 1, 3650),
        rest_days=own.integer("rest_days", base.rest_days, 0, 3650),
        list_max_age_days=own.integer("list_max_age_days", base.list_max_age_days, 1, 3650),
        required_lists=_lists(own, base.required_lists),
        consent_from=_consent_from(own, base.consent_from),
    )


def _lists(own: Table, default: tuple[str, ...]) -> tuple[str, ...]:
    if "required_lists" not in own:
        return default
    if own.data["required_lists"] == []:
        return ()  # a profile may require no list
    return own.strings("required_lists", default)


def _cap(own: Table, default: int | None) -> int | None:
    value = own.integer("cap_attempts", default if default is not None else 0, 0, 1000)
    return value or None  # 0: no cap


def _consent_from(own: Table, default: date | None) -> date | None:
    if "consent_from" not in own:
        return default
    value = own.data["consent_from"]
    if value == "never":
        return None
    if isinstance(value, date):
        return value
    raise own.error("consent_from", f'must be a date (2026-08-11) or "never", got {shown(value)}')


def _windows(own: Table, base: Windows | None) -> Windows | None:
    holidays = own.string("holidays", base.holidays if base else "none")
    if holidays not in _HOLIDAYS:
        raise own.error(
            "holidays", f"must be one of {', '.join(_HOLIDAYS)}" + hint(holidays, _HOLIDAYS)
        )
    if "hours" not in own:
        return dataclasses.replace(base, holidays=holidays) if base else None
    hours = own.table("hours", WEEKDAYS)
    days = {day: _periods(hours, day) for day in hours.data}
    return Windows(days, holidays)


def _periods(hours: Table, day: str) -> tuple[Period, ...]:
    if hours.data[day] == []:
        return ()  # no call that day
    return tuple(_period(hours, day, span) for span in hours.strings(day, ()))


def _period(hours: Table, day: str, span: str) -> Period:
    match = _SPAN.fullmatch(span)
    if not match:
        raise hours.error(day, f'periods are "HH:MM-HH:MM", got {shown(span)}')
    start, end = (_clock(int(match[i]), int(match[i + 1])) for i in (1, 3))
    if end <= start:
        raise hours.error(day, f"{shown(span)} ends before it starts")
    return Period(start, end)


def _clock(hour: int, minute: int) -> time:
    return time.max if hour == 24 else time(hour, minute)


def _campaign(name: str, own: Table, profiles: Mapping[str, OutboundProfile]) -> Campaign:
    profile_name = own.string("profile")
    if profile_name not in profiles:
        raise own.error(
            "profile", f"unknown profile {shown(profile_name)}" + hint(profile_name, profiles)
        )
    profile = profiles[profile_name]
    lists = own.strings("lists", (*profile.required_lists, INTERNAL_LIST))
    if INTERNAL_LIST not in lists:
        lists = (*lists, INTERNAL_LIST)  # the stop key's list always applies
    return Campaign(
        name=name,
        profile=profile,
        professional=own.string("professional"),
        purpose=own.string("purpose", "") if "purpose" in own else "",
        lists=lists,
    )


def outbound_texts(settings: Settings) -> dict[str, dict[str, str]]:
    """Every outbound prompt of the configuration, rendered (for ``ivr prompts build``)."""
    outbound = load_outbound(settings)
    return callee_texts(outbound.texts, outbound.campaigns, outbound.stop_key)
