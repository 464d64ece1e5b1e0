"""Calling windows: the days and hours of the consumer's local time when a call may be placed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from ivr.outbound.holidays import french_holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Period:
    start: time  # included
    end: time  # excluded; time.max stands for 24:00

    def holds(self, moment: time) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Windows:
    """When calls are allowed: per weekday its periods (a day left out allows none)."""

    days: Mapping[str, tuple[Period, ...]]
    holidays: str = "none"  # "none", "fr", or "fr-alsace-moselle": holidays allow no call

    def verdict(self, at: datetime, zone: str) -> str | None:
        """None when ``at`` (aware) falls in a window in ``zone``, else why not."""
        local = at.astimezone(ZoneInfo(zone))
        if self.holidays != "none":
            days = french_holidays(
                local.year, alsace_moselle=self.holidays == "fr-alsace-moselle", zone=zone
            )
            if local.date() in days:
                return f"{local:%Y-%m-%d} is a public holiday in {zone}"
        periods = self.days.get(WEEKDAYS[local.weekday()], ())
        if not any(period.holds(local.time()) for period in periods):
            return f"{local:%a %H:%M} in {zone} is outside the allowed hours"
        return None
