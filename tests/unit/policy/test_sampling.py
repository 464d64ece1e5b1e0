"""choose_recording: private prefix, legal obligation, declared periods in local time, the
draw, and the notice the caller hears."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ivr.config.recording import AgentSettings, RecordingMode, RecordingPeriod, RecordingPolicy
from ivr.names import Prompt
from ivr.policy.sampling import RecordingChoice, choose_recording, current_periods

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = RecordingPeriod(WEEKDAYS, 9 * 60, 18 * 60, label="office")
PARIS = RecordingPolicy(fraction=0.25, periods=(OFFICE,), timezone="Europe/Paris")
LEGAL = RecordingPolicy(RecordingMode.LEGAL_OBLIGATION, legal_reference="MiFID II art. 16(7)")
AGENTS = AgentSettings()
MONDAY_NOON_PARIS = datetime(2024, 7, 1, 10, 0, tzinfo=UTC)  # CEST: UTC+2
OUTSIDE = "outside the declared recording periods"


def choose(
    policy: RecordingPolicy = PARIS,
    at: datetime = MONDAY_NOON_PARIS,
    *,
    draw: float = 0.0,
    group: str = "team-a",
    called: str = "1001",
    unrecorded_notice: str = "same",
    agents: AgentSettings = AGENTS,
) -> RecordingChoice:
    return choose_recording(
        policy,
        agents,
        group=group,
        called=called,
        unrecorded_notice=unrecorded_notice,
        at=at,
        draw=draw,
    )


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_a_sampled_call_in_a_period_is_recorded() -> None:
    assert choose(draw=0.1234) == RecordingChoice(
        True, "sampled: draw 0.1234 < fraction 0.25", Prompt.NOTICE_SHORT, eligible=True
    )


@pytest.mark.parametrize(
    ("draw", "fraction", "record"),
    [(0.2499, 0.25, True), (0.25, 0.25, False), (0.9999, 0.25, False), (0.0, 0.0, False)],
)
def test_the_draw_must_be_below_the_fraction(draw: float, fraction: float, record: bool) -> None:
    policy = RecordingPolicy(fraction=fraction, periods=(OFFICE,), timezone="Europe/Paris")
    assert choose(policy, draw=draw).record is record


def test_a_call_not_sampled_says_why() -> None:
    assert choose(draw=0.5).why == "not sampled: draw 0.5000 ≥ fraction 0.25"


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (utc(2024, 7, 1, 7, 0), True),  # Monday 09:00 CEST: `from` is inclusive
        (utc(2024, 7, 1, 6, 59, 59), False),  # 08:59:59
        (utc(2024, 7, 1, 15, 59, 59), True),  # 17:59:59
        (utc(2024, 7, 1, 16, 0), False),  # 18:00: `to` is exclusive
        (utc(2024, 1, 8, 8, 0), True),  # Monday 09:00 CET (winter: UTC+1)
        (utc(2024, 1, 8, 7, 59), False),  # 08:59 CET, though 09:00 in summer time
        (utc(2024, 1, 8, 16, 59), True),  # 17:59 CET
        (utc(2024, 7, 6, 10, 0), False),  # Saturday
        (utc(2024, 7, 5, 22, 30), False),  # Friday in UTC, Saturday 00:30 in Paris
        (utc(2024, 7, 7, 23, 0), False),  # Sunday 23:00 UTC is Monday 01:00 in Paris: too early
    ],
)
def test_periods_are_wall_clock_times_of_the_zone(at: datetime, inside: bool) -> None:
    choice = choose(at=at)
    assert choice.record is inside
    assert choice.why.startswith("sampled" if inside else OUTSIDE)


def test_the_local_day_decides_not_the_utc_day() -> None:
    saturday = RecordingPolicy(
        fraction=0.5, periods=(RecordingPeriod(("sat",), 0, 60),), timezone="Europe/Paris"
    )
    assert choose(saturday, utc(2024, 7, 5, 22, 30)).record  # Friday UTC, Saturday 00:30 Paris
    assert not choose(saturday, utc(2024, 7, 6, 22, 30)).record  # Sunday 00:30 in Paris


def test_periods_follow_the_daylight_saving_change() -> None:
    # 31 March 2024 in Paris: 02:00 CET becomes 03:00 CEST; the period is 01:00-04:00 local.
    night = RecordingPolicy(
        fraction=0.5, periods=(RecordingPeriod(("sun",), 60, 4 * 60),), timezone="Europe/Paris"
    )
    start = utc(2024, 3, 31, 0, 0)  # 01:00 CET
    assert [choose(night, start + timedelta(minutes=m)).record for m in (-1, 0, 90, 119, 120)] == [
        False,  # 00:59 CET
        True,  # 01:00 CET
        True,  # 03:30 CEST
        True,  # 03:59 CEST
        False,  # 04:00 CEST: two hours of UTC after 01:00, three of the clock
    ]


def test_a_period_to_midnight_includes_the_last_second() -> None:
    day = RecordingPolicy(fraction=0.5, periods=(RecordingPeriod(("mon",), 0, 24 * 60),))
    assert choose(day, utc(2024, 7, 1, 23, 59, 59)).record
    assert choose(day, utc(2024, 7, 1, 0, 0)).record
    assert not choose(day, utc(2024, 7, 2, 0, 0)).record


def test_a_period_of_some_groups_only() -> None:
    team_a = RecordingPeriod(WEEKDAYS, 0, 24 * 60, groups=("team-a", "team-c"))
    policy = RecordingPolicy(fraction=0.5, periods=(team_a,), timezone="Europe/Paris")
    assert choose(policy, group="team-a").record
    assert choose(policy, group="team-c").record
    refused = choose(policy, group="team-b")
    assert not refused.record
    assert refused.why == f'{OUTSIDE} (group "team-b", mon 12:00 Europe/Paris)'
    assert not choose(policy, group="").record


def test_a_period_without_groups_covers_every_group_even_none() -> None:
    assert choose(group="").record
    assert choose(group="anyone").record


def test_any_matching_period_is_enough() -> None:
    evening = RecordingPeriod(("mon",), 18 * 60, 20 * 60, groups=("team-b",))
    policy = RecordingPolicy(fraction=0.5, periods=(OFFICE, evening), timezone="Europe/Paris")
    assert choose(policy, utc(2024, 7, 1, 17, 0), group="team-b").record  # 19:00
    assert not choose(policy, utc(2024, 7, 1, 17, 0), group="team-a").record


def test_without_periods_nothing_is_recorded() -> None:
    policy = RecordingPolicy()
    assert policy.records_nothing
    assert not choose(policy).record
    assert choose(policy).why.startswith(OUTSIDE)


def test_a_legal_obligation_records_every_call_at_any_time() -> None:
    for at in (MONDAY_NOON_PARIS, utc(2024, 7, 7, 3, 0)):
        assert choose(LEGAL, at, draw=0.9999) == RecordingChoice(
            True, "legal obligation: MiFID II art. 16(7)", Prompt.NOTICE_SHORT, eligible=True
        )


@pytest.mark.parametrize("policy", [PARIS, LEGAL])
def test_a_private_call_is_never_recorded(policy: RecordingPolicy) -> None:
    choice = choose(policy, called="*71001")
    assert choice == RecordingChoice(
        False, "private call: dialled with the private prefix", Prompt.NOTICE_SHORT
    )


def test_the_prefix_only_counts_at_the_start_and_when_enabled() -> None:
    assert choose(called="1001*7").record
    assert choose(called="*71001", agents=AgentSettings(private_prefix="")).record
    assert not choose(called="#91001", agents=AgentSettings(private_prefix="#9")).record


@pytest.mark.parametrize(
    ("called", "draw", "notice", "prompt"),
    [
        ("1001", 0.0, "short", Prompt.NOTICE_SHORT),  # recorded: the full short notice
        ("1001", 0.9, "short", Prompt.NOTICE_UNRECORDED),
        ("1001", 0.9, "same", Prompt.NOTICE_SHORT),
        ("*71001", 0.0, "short", Prompt.NOTICE_UNRECORDED),
        ("*71001", 0.0, "same", Prompt.NOTICE_SHORT),
    ],
)
def test_the_notice_of_a_call_that_will_not_be_recorded(
    called: str, draw: float, notice: str, prompt: Prompt
) -> None:
    assert choose(called=called, draw=draw, unrecorded_notice=notice).prompt is prompt


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        choose(at=datetime(2024, 7, 1, 10, 0))  # naive: the point of the test


def test_current_periods_are_the_ones_in_force() -> None:
    evening = RecordingPeriod(("mon",), 11 * 60, 20 * 60, groups=("team-b",))
    policy = RecordingPolicy(fraction=0.5, periods=(OFFICE, evening), timezone="Europe/Paris")
    assert current_periods(policy, MONDAY_NOON_PARIS) == [OFFICE, evening]
    assert current_periods(policy, MONDAY_NOON_PARIS, group="team-a") == [OFFICE]
    assert current_periods(policy, utc(2024, 7, 1, 17, 0)) == [evening]  # 19:00
    assert current_periods(policy, utc(2024, 7, 6, 10, 0)) == []  # Saturday
    assert current_periods(LEGAL, MONDAY_NOON_PARIS) == []


def test_a_call_the_draw_left_out_stays_eligible_but_not_one_outside_the_periods() -> None:
    """Live listening follows eligibility: sampling aside, the policy's other rules hold."""
    assert choose(draw=0.9999).eligible
    assert not choose(draw=0.9999).record
    assert not choose(PARIS, utc(2024, 7, 7, 3, 0), draw=0.0).eligible
    assert not choose(called="*71001").eligible
