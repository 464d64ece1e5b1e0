"""French public holidays for any year, Easter-based ones included (issue 19, section 9)."""

from datetime import date

import pytest

from ivr.outbound.holidays import easter_sunday, french_holidays


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2008, date(2008, 3, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday_is_the_gregorian_one(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 4, 21), "Easter Monday 2025"),
        (date(2025, 5, 29), "Ascension 2025"),
        (date(2025, 6, 9), "Whit Monday 2025"),
        (date(2026, 4, 6), "Easter Monday 2026"),
        (date(2026, 5, 14), "Ascension 2026"),
        (date(2026, 5, 25), "Whit Monday 2026"),
        (date(2027, 3, 29), "Easter Monday 2027"),
        (date(2027, 5, 6), "Ascension 2027"),
        (date(2027, 5, 17), "Whit Monday 2027"),
        (date(2026, 1, 1), "New Year"),
        (date(2026, 5, 1), "Labour Day"),
        (date(2026, 5, 8), "Victory in Europe"),
        (date(2026, 7, 14), "Bastille Day"),
        (date(2026, 8, 15), "Assumption"),
        (date(2026, 11, 1), "All Saints"),
        (date(2026, 11, 11), "Armistice"),
        (date(2026, 12, 25), "Christmas"),
    ],
)
def test_l3133_1_holidays_are_listed(day: date, name: str) -> None:
    assert day in french_holidays(day.year), name


def test_a_year_has_exactly_the_eleven_l3133_1_holidays() -> None:
    assert len(french_holidays(2026)) == 11


@pytest.mark.parametrize(
    ("day", "alsace_moselle", "holiday"),
    [
        (date(2026, 4, 3), False, False),  # Good Friday
        (date(2026, 4, 3), True, True),
        (date(2026, 12, 26), False, False),  # St Stephen's
        (date(2026, 12, 26), True, True),
        (date(2027, 3, 26), True, True),  # Good Friday 2027
    ],
)
def test_alsace_moselle_adds_good_friday_and_st_stephen(
    day: date, alsace_moselle: bool, holiday: bool
) -> None:
    assert (day in french_holidays(day.year, alsace_moselle=alsace_moselle)) is holiday


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Indian/Reunion", date(2027, 12, 20)),
        ("America/Martinique", date(2027, 5, 22)),
        ("America/Guadeloupe", date(2027, 5, 27)),
        ("America/Cayenne", date(2027, 6, 10)),
        ("Indian/Mayotte", date(2027, 4, 27)),
    ],
)
def test_overseas_departments_keep_their_abolition_day(zone: str, day: date) -> None:
    assert day in french_holidays(day.year, zone=zone)
    assert day not in french_holidays(day.year, zone="Europe/Paris")
