"""French public holidays (Code du travail, L.3133-1) for any year, with Alsace-Moselle's two
extra days (L.3134-13) and each overseas department's abolition-of-slavery day (loi 83-550)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

# Fixed-date holidays of L.3133-1: New Year, Labour Day, 8 May 1945, Bastille Day, Assumption,
# All Saints, Armistice, Christmas.
_FIXED = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))
# Days after Easter Sunday: Easter Monday, Ascension, Whit Monday.
_EASTER_BASED = (1, 39, 50)
_ALSACE_MOSELLE_EASTER = (-2,)  # Good Friday
_ALSACE_MOSELLE_FIXED = ((12, 26),)  # St Stephen's Day
# Abolition of slavery, by the department's zone (décret 83-1003 as amended).
ABOLITION_DAYS: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        "America/Martinique": (5, 22),
        "America/Guadeloupe": (5, 27),
        "America/Cayenne": (6, 10),
        "Indian/Reunion": (12, 20),
        "Indian/Mayotte": (4, 27),
    }
)


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous algorithm, Meeus/Jones/Butcher): a fixed published
    formula, shorter than a dependency and checked against known years in the tests."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def french_holidays(year: int, *, alsace_moselle: bool = False, zone: str = "") -> set[date]:
    """Every public holiday of ``year``; ``zone`` adds an overseas department's own day."""
    easter = easter_sunday(year)
    fixed = list(_FIXED)
    offsets = list(_EASTER_BASED)
    if alsace_moselle:
        fixed += _ALSACE_MOSELLE_FIXED
        offsets += _ALSACE_MOSELLE_EASTER
    if zone in ABOLITION_DAYS:
        fixed.append(ABOLITION_DAYS[zone])
    days = {date(year, month, day) for month, day in fixed}
    return days | {easter + timedelta(days=offset) for offset in offsets}
