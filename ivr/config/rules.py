"""`[[consent.rules]]`: which profile applies to a call the dialplan did not name one for.

A rule matches on what the dialplan reports when a call arrives — the route it passes, the
number dialled, the caller's country code — and names a profile. The first rule that matches
wins; no rule matching means the default profile. The profile ``us`` is special: it stands for
``us-one-party`` or ``us-all-party``, chosen per call from the parties' states
(ivr/policy/profiles.py), so both must be enabled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivr.config.reader import Table, hint, shown

US = "us"
US_PROFILES = ("us-one-party", "us-all-party")
_KEYS = ("profile", "language", "route", "called", "caller_country", "agent_state")
_MATCHERS = ("route", "called", "caller_country")
_COUNTRY = re.compile(r"[1-9][0-9]{0,3}")
_DIALLED = re.compile(r"[0-9*#+]+")
_STATE = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class ProfileRule:
    index: int  # from 1, as the administrator counts them, for the ledger's "why"
    profile: str  # an enabled profile, or "us"
    language: str | None = None
    routes: tuple[str, ...] = ()
    called: tuple[str, ...] = ()  # prefixes of the dialled number
    caller_countries: tuple[str, ...] = ()  # country calling codes, without + or 00
    agent_state: str | None = None  # "us": the state the agents call from


def read_rules(consent: Table, profiles: tuple[str, ...]) -> tuple[ProfileRule, ...]:
    raw = consent.data.get("rules", [])
    if not isinstance(raw, list):
        raise consent.error(
            "rules", f"must be an array of tables ([[consent.rules]]), got {shown(raw)}"
        )
    return tuple(
        _rule(Table(item, f"{consent.at('rules')}[{n}]", consent.source, _KEYS), n, profiles)
        for n, item in enumerate(raw, start=1)
    )


def _rule(table: Table, index: int, profiles: tuple[str, ...]) -> ProfileRule:
    profile = table.string("profile")
    _check_profile(table, profile, profiles)
    if not any(name in table for name in _MATCHERS):
        raise table.error("profile", f"a rule needs at least one of {', '.join(_MATCHERS)}")
    return ProfileRule(
        index,
        profile,
        table.optional_string("language"),
        _listed(table, "route", None),
        _listed(table, "called", _DIALLED),
        tuple(c.removeprefix("+") for c in _listed(table, "caller_country", None)),
        _agent_state(table, profile),
    )


def _check_profile(table: Table, profile: str, profiles: tuple[str, ...]) -> None:
    if profile == US:
        missing = [p for p in US_PROFILES if p not in profiles]
        if missing:
            raise table.error("profile", f'"us" needs {" and ".join(missing)} in consent.profiles')
    elif profile not in profiles:
        raise table.error(
            "profile", f"{shown(profile)} is not in consent.profiles" + hint(profile, profiles)
        )


def _listed(table: Table, name: str, pattern: re.Pattern[str] | None) -> tuple[str, ...]:
    if name not in table:
        return ()
    value = table.data[name]
    values = table.strings(name, ()) if isinstance(value, list) else (table.string(name),)
    for item in values:
        if name == "caller_country" and not _COUNTRY.fullmatch(item.removeprefix("+")):
            raise table.error(name, f'a country calling code such as "49", got {shown(item)}')
        if pattern is not None and not pattern.fullmatch(item):
            raise table.error(name, f"a dialled number prefix (0-9 * # +), got {shown(item)}")
    return values


def _agent_state(table: Table, profile: str) -> str | None:
    if profile != US:
        if "agent_state" in table:
            raise table.error("agent_state", 'applies only to profile = "us"')
        return None
    state = table.string("agent_state")
    if not _STATE.fullmatch(state):
        raise table.error("agent_state", f'a two-letter US state such as "NY", got {shown(state)}')
    return state
