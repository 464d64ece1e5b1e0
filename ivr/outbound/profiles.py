"""Outbound profiles (the rules of one country) and campaigns, with the shipped defaults.

Every value is overridable in ``[outbound.profiles.<name>]``; docs/outbound.md gives each
default's legal source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from types import MappingProxyType

from ivr.outbound.numbers import FRENCH_ZONES
from ivr.outbound.windows import Period, Windows

INTERNAL_LIST = "internal"  # the professional's own opposition list, fed by the stop key


@dataclass(frozen=True)
class OutboundProfile:
    name: str
    region: str  # default region for numbers written in national form
    zone: str  # the consumer's zone when the number says nothing more precise
    windows: Windows | None  # None: no legal window
    cap_attempts: int | None  # at most this many attempts per consumer and professional ...
    cap_days: int  # ... in any rolling period of this many days
    rest_days: int  # no call this many days after a refusal during a call (0: none)
    list_max_age_days: int  # a required list screened longer ago refuses every call
    required_lists: tuple[str, ...]  # opposition lists every campaign must have screened
    consent_from: date | None  # from this day on, a stored consent (or contract) is required
    zones: Mapping[str, str] = field(default_factory=dict)  # E.164 prefix -> zone


@dataclass(frozen=True)
class Campaign:
    name: str
    profile: OutboundProfile
    professional: str  # on whose behalf: the cap and refusals are shared across its campaigns
    purpose: str  # the commercial purpose a consent must cover ("" : any)
    lists: tuple[str, ...]  # opposition lists checked, the internal one always among them


def _weekdays(*periods: Period) -> dict[str, tuple[Period, ...]]:
    return dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), periods)


_FR_HOURS = (Period(time(10), time(13)), Period(time(14), time(20)))
_CA_WEEKEND = (Period(time(10), time(18)),)

SHIPPED: Mapping[str, OutboundProfile] = MappingProxyType(
    {
        "fr": OutboundProfile(
            name="fr",
            region="FR",
            zone="Europe/Paris",
            windows=Windows(_weekdays(*_FR_HOURS), holidays="fr"),
            cap_attempts=4,
            cap_days=30,
            rest_days=60,
            list_max_age_days=30,
            required_lists=("bloctel",),
            consent_from=date(2026, 8, 11),
            zones=FRENCH_ZONES,
        ),
        "us": OutboundProfile(
            name="us",
            region="US",
            zone="America/New_York",
            windows=Windows(dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                                          (Period(time(8), time(21)),))),
            cap_attempts=None,
            cap_days=30,
            rest_days=0,
            list_max_age_days=31,
            required_lists=("national-dnc",),
            consent_from=None,
        ),
        "uk": OutboundProfile(
            name="uk",
            region="GB",
            zone="Europe/London",
            windows=None,
            cap_attempts=None,
            cap_days=30,
            rest_days=0,
            list_max_age_days=28,
            required_lists=("tps",),
            consent_from=None,
        ),
        "ca": OutboundProfile(
            name="ca",
            region="CA",
            zone="America/Toronto",
            windows=Windows(
                {**_weekdays(Period(time(9), time(21, 30))), "sat": _CA_WEEKEND,
                 "sun": _CA_WEEKEND}
            ),
            cap_attempts=None,
            cap_days=30,
            rest_days=0,
            list_max_age_days=31,
            required_lists=("dncl",),
            consent_from=None,
        ),
    }
)  # fmt: skip
