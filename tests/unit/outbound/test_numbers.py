"""Numbers are one consumer whatever their spelling (issue 19, section 7)."""

import pytest

from ivr.outbound.numbers import FRENCH_ZONES, NumberError, normalise, zones


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("0692 12 34 56", "+262692123456"),
        ("0269 61 23 45", "+262269612345"),
        ("0639 12 34 56", "+262639123456"),
        ("0590 12 34 56", "+590590123456"),
        ("0694 12 34 56", "+594694123456"),
        ("0696 12 34 56", "+596696123456"),
        ("+262 692 12 34 56", "+262692123456"),
    ],
)
def test_every_usual_spelling_gives_the_same_e164(written: str, e164: str) -> None:
    assert normalise(written, "FR") == e164


@pytest.mark.parametrize("text", ["", "hello", "06", "+33 6 12"])
def test_what_is_not_a_number_is_refused_naming_it(text: str) -> None:
    with pytest.raises(NumberError, match="phone number"):
        normalise(text, "FR")


@pytest.mark.parametrize(
    ("e164", "zone"),
    [
        ("+33612345678", "Europe/Paris"),
        ("+262692123456", "Indian/Reunion"),
        ("+262262123456", "Indian/Reunion"),
        ("+262269612345", "Indian/Mayotte"),
        ("+262639123456", "Indian/Mayotte"),
        ("+269639123456", "Indian/Mayotte"),
        ("+590690123456", "America/Guadeloupe"),
        ("+594694123456", "America/Cayenne"),
        ("+596696123456", "America/Martinique"),
    ],
)
def test_overseas_departments_are_in_their_own_zone(e164: str, zone: str) -> None:
    assert zones(e164, FRENCH_ZONES, "Europe/Paris") == (zone,)


@pytest.mark.parametrize(
    ("e164", "zone"),
    [
        ("+12125551234", "America/New_York"),
        ("+13125551234", "America/Chicago"),
        ("+14165551234", "America/Toronto"),
        ("+16045551234", "America/Vancouver"),
    ],
)
def test_north_american_numbers_are_in_their_area_codes_zone(e164: str, zone: str) -> None:
    assert zones(e164, {}, "America/New_York") == (zone,)


def test_an_overseas_number_written_with_33_is_moved_to_its_code() -> None:
    assert normalise("+33692123456", "FR") == "+262692123456"
