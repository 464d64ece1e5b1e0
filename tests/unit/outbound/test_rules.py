"""Every canvassing rule at its edges, one table per rule (issue 19, sections 2 and 9)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from ivr.outbound.profiles import SHIPPED, Campaign
from ivr.outbound.rules import ConsentFact, Decision, Facts, Rule, decide

PARIS = "+33612345678"


def campaign(profile: str = "fr", **changes: object) -> Campaign:
    shipped = dataclasses.replace(SHIPPED[profile], **changes)  # type: ignore[arg-type]
    return Campaign("c", shipped, "pro", "pay-tv", ("bloctel", "internal"))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def facts(at: str, number: str = PARIS, **changes: object) -> Facts:
    base = Facts(
        number=number,
        at=utc(at),
        caller_id_shown=True,
        screened_on={name: utc(at).date() for name in ("bloctel", "national-dnc", "tps", "dncl")},
        consents=(ConsentFact("consent", utc("2026-01-01T00:00"), "web", "pay-tv", False),),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def verdict(decision: Decision) -> Rule | None:
    return decision.rule


# A Monday of March 2026 (winter: Paris is UTC+1) unless the row says otherwise.
@pytest.mark.parametrize(
    ("at", "number", "refused"),
    [
        ("2026-03-02T08:59", PARIS, True),  # 09:59 Paris
        ("2026-03-02T09:00", PARIS, False),  # 10:00
        ("2026-03-02T11:59", PARIS, False),  # 12:59
        ("2026-03-02T12:00", PARIS, True),  # 13:00, lunch
        ("2026-03-02T12:59", PARIS, True),  # 13:59
        ("2026-03-02T13:00", PARIS, False),  # 14:00
        ("2026-03-02T18:59", PARIS, False),  # 19:59
        ("2026-03-02T19:00", PARIS, True),  # 20:00
        ("2026-03-07T10:00", PARIS, True),  # Saturday
        ("2026-03-08T10:00", PARIS, True),  # Sunday
        ("2026-04-06T10:00", PARIS, True),  # Easter Monday
        ("2026-05-14T10:00", PARIS, True),  # Ascension
        ("2026-05-25T10:00", PARIS, True),  # Whit Monday
        ("2026-07-14T10:00", PARIS, True),  # Bastille Day (Tuesday)
        # Spring forward on Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2.
        ("2026-03-27T08:59", PARIS, True),  # 09:59
        ("2026-03-27T09:00", PARIS, False),  # 10:00
        ("2026-03-30T07:59", PARIS, True),  # 09:59
        ("2026-03-30T08:00", PARIS, False),  # 10:00
        ("2026-03-30T17:59", PARIS, False),  # 19:59
        ("2026-03-30T18:00", PARIS, True),  # 20:00
        # Fall back on Sunday 25 October 2026: Friday is UTC+2, Monday UTC+1.
        ("2026-10-23T08:00", PARIS, False),  # 10:00
        ("2026-10-23T17:59", PARIS, False),  # 19:59
        ("2026-10-23T18:00", PARIS, True),  # 20:00
        ("2026-10-26T08:00", PARIS, True),  # 09:00
        ("2026-10-26T09:00", PARIS, False),  # 10:00
        ("2026-10-26T18:59", PARIS, False),  # 19:59
        ("2026-10-26T19:00", PARIS, True),  # 20:00
        # Overseas: the consumer's zone, not Paris's.
        ("2026-03-02T06:00", "+262692123456", False),  # 10:00 Réunion (07:00 Paris)
        ("2026-03-02T05:59", "+262692123456", True),  # 09:59 Réunion
        ("2026-03-02T16:00", "+262692123456", True),  # 20:00 Réunion (17:00 Paris)
        ("2026-03-02T07:00", "+262639123456", False),  # 10:00 Mayotte
        ("2026-03-02T06:59", "+262639123456", True),  # 09:59 Mayotte
        ("2026-03-02T14:00", "+590690123456", False),  # 10:00 Guadeloupe (15:00 Paris)
        ("2026-03-02T23:59", "+590690123456", False),  # 19:59 Guadeloupe (00:59 Paris)
        ("2026-03-03T00:00", "+590690123456", True),  # 20:00 Guadeloupe
        ("2026-03-02T13:00", "+594694123456", False),  # 10:00 Guyane
        ("2026-03-02T12:59", "+596696123456", True),  # 08:59 Martinique
        ("2027-12-20T08:00", "+262692123456", True),  # abolition day, Réunion
        ("2027-12-20T09:00", PARIS, False),  # the same Monday in Paris
    ],
)
def test_fr_calls_only_in_the_consumers_weekday_hours(at: str, number: str, refused: bool) -> None:
    decision = decide(campaign(), facts(at, number))
    assert verdict(decision) == (Rule.WINDOW if refused else None)


def test_alsace_moselle_option_refuses_good_friday() -> None:
    moselle = SHIPPED["fr"].windows
    assert moselle is not None
    option = dataclasses.replace(moselle, holidays="fr-alsace-moselle")
    at = "2026-04-03T09:00"  # Good Friday, 11:00
    assert decide(campaign(), facts(at)).allowed
    assert decide(campaign(windows=option), facts(at)).rule == Rule.WINDOW


def test_only_a_consent_for_calls_outside_hours_lifts_the_window() -> None:
    sunday = "2026-03-08T10:00"
    plain = ConsentFact("consent", utc("2026-01-01T00:00"), "web", "pay-tv", False)
    outside = dataclasses.replace(plain, outside_hours=True)
    other = dataclasses.replace(outside, purpose="insurance")
    assert decide(campaign(), facts(sunday, consents=(plain,))).rule == Rule.WINDOW
    assert decide(campaign(), facts(sunday, consents=(other,))).rule == Rule.WINDOW
    assert decide(campaign(), facts(sunday, consents=(outside,))).allowed


@pytest.mark.parametrize(("attempts", "refused"), [(0, False), (3, False), (4, True), (9, True)])
def test_fr_at_most_four_attempts_in_the_period(attempts: int, refused: bool) -> None:
    decision = decide(campaign(), facts("2026-03-02T10:00", attempts=attempts))
    assert decision.rule == (Rule.CAP if refused else None)


def test_nothing_lifts_the_cap_not_even_an_outside_hours_consent() -> None:
    outside = ConsentFact("consent", utc("2026-01-01T00:00"), "web", "pay-tv", True)
    decision = decide(campaign(), facts("2026-03-02T10:00", attempts=4, consents=(outside,)))
    assert decision.rule == Rule.CAP


REFUSED_AT = utc("2026-01-05T10:00")


@pytest.mark.parametrize(
    ("after", "refused"),
    [
        (timedelta(days=1), True),
        (timedelta(days=60) - timedelta(seconds=1), True),
        (timedelta(days=60), False),
        (timedelta(days=61), False),
    ],
)
def test_fr_sixty_days_rest_after_a_refusal(after: timedelta, refused: bool) -> None:
    at = REFUSED_AT + after
    decision = decide(campaign(windows=None), facts(at.isoformat()[:16], last_refusal=REFUSED_AT))
    assert decision.rule == (Rule.REST if refused else None)


@pytest.mark.parametrize(
    ("screened", "refused"),
    [
        (date(2026, 3, 2), False),
        (date(2026, 1, 31), False),  # 30 days before
        (date(2026, 1, 30), True),  # 31 days before
        (None, True),  # never imported
    ],
)
def test_a_list_screened_over_thirty_days_ago_refuses(screened: date | None, refused: bool) -> None:
    decision = decide(campaign(), facts("2026-03-02T10:00", screened_on={"bloctel": screened}))
    assert decision.rule == (Rule.LIST_STALE if refused else None)


@pytest.mark.parametrize(
    ("at", "consents", "refused"),
    [
        ("2026-08-10T10:00", (), False),  # before loi 2025-594 applies
        ("2026-08-11T10:00", (), True),
        ("2026-08-11T10:00", ("consent", "pay-tv"), False),
        ("2026-08-11T10:00", ("consent", "insurance"), True),  # another purpose
        ("2026-08-11T10:00", ("contract", "insurance"), False),  # a current contract
    ],
)
def test_consent_is_required_from_11_august_2026(
    at: str, consents: tuple[str, str] | tuple[()], refused: bool
) -> None:
    stored = (
        (ConsentFact(consents[0], utc("2026-01-01T00:00"), "web", consents[1], False),)
        if consents
        else ()
    )
    decision = decide(campaign(), facts(at, consents=stored))
    assert decision.rule == (Rule.CONSENT if refused else None)


def test_opposition_masked_caller_and_order_of_refusals() -> None:
    at = "2026-03-08T10:00"  # a Sunday: the window also refuses
    assert decide(campaign(), facts(at, opposed_on=("bloctel",))).rule == Rule.OPPOSITION
    masked = facts(at, opposed_on=("bloctel",), caller_id_shown=False)
    assert decide(campaign(), masked).rule == Rule.CALLER_ID
    assert [c.rule for c in decide(campaign(), masked).checks if not c.passed] == [
        Rule.CALLER_ID,
        Rule.OPPOSITION,
        Rule.WINDOW,
    ]


@pytest.mark.parametrize(
    ("profile", "at", "number", "refused"),
    [
        ("us", "2026-03-07T12:59", "+12125551234", True),  # 07:59 New York
        ("us", "2026-03-07T13:00", "+12125551234", False),  # 08:00, a Saturday
        ("us", "2026-03-08T01:59", "+12125551234", False),  # 20:59
        ("us", "2026-03-08T02:00", "+12125551234", True),  # 21:00
        ("us", "2026-03-08T03:00", "+13105551234", False),  # 19:00 Los Angeles
        ("ca", "2026-03-02T02:29", "+14165551234", True),  # Sun 21:29: weekends end at 18:00
        ("ca", "2026-03-07T22:59", "+14165551234", False),  # Sat 17:59 Toronto
        ("ca", "2026-03-07T23:00", "+14165551234", True),  # Sat 18:00
        ("ca", "2026-03-03T02:29", "+14165551234", False),  # Mon 21:29
        ("ca", "2026-03-03T02:30", "+14165551234", True),  # Mon 21:30
        ("uk", "2026-03-08T22:00", "+447700900123", False),  # no legal window
    ],
)
def test_us_ca_uk_windows_in_the_called_partys_local_time(
    profile: str, at: str, number: str, refused: bool
) -> None:
    decision = decide(campaign(profile), facts(at, number))
    assert decision.rule == (Rule.WINDOW if refused else None)
