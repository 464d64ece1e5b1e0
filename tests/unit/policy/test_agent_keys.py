"""read_agent_key: the agents' in-call sequences, typed key by key, with a time-out and a
restart on a wrong key."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from ivr.config.recording import AgentSettings
from ivr.policy.agent_keys import AgentAction, KeyBuffer, read_agent_key

T0 = datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
AGENTS = AgentSettings()  # pause "*1", private "*0", time-out 2 s


def typed(
    keys: Iterable[tuple[str, float]], agents: AgentSettings = AGENTS
) -> tuple[KeyBuffer, list[AgentAction]]:
    """Each key with its time in seconds after T0; the last buffer and every action."""
    buffer, actions = KeyBuffer(), []
    for digit, seconds in keys:
        buffer, action = read_agent_key(buffer, digit, T0 + timedelta(seconds=seconds), agents)
        if action is not None:
            actions.append(action)
    return buffer, actions


def quickly(keys: str) -> list[tuple[str, float]]:
    return [(digit, 0.1 * n) for n, digit in enumerate(keys)]


@pytest.mark.parametrize(
    ("keys", "actions"),
    [
        ("*1", [AgentAction.PAUSE_TOGGLE]),
        ("*0", [AgentAction.PRIVATE]),
        ("*1*1", [AgentAction.PAUSE_TOGGLE, AgentAction.PAUSE_TOGGLE]),
        ("**1", [AgentAction.PAUSE_TOGGLE]),  # a stray "*" then the sequence
        ("*2*1", [AgentAction.PAUSE_TOGGLE]),
        ("1*0", [AgentAction.PRIVATE]),
        ("1", []),
        ("*", []),
        ("*7", []),  # the private prefix is dialled, never an in-call action
        ("12345#", []),
    ],
)
def test_sequences(keys: str, actions: list[AgentAction]) -> None:
    assert typed(quickly(keys))[1] == actions


def test_a_partial_sequence_is_kept_with_its_time() -> None:
    buffer, action = read_agent_key(KeyBuffer(), "*", T0, AGENTS)
    assert (buffer, action) == (KeyBuffer("*", T0), None)


def test_a_full_match_empties_the_buffer() -> None:
    buffer, action = read_agent_key(KeyBuffer("*", T0), "1", T0, AGENTS)
    assert (buffer, action) == (KeyBuffer(), AgentAction.PAUSE_TOGGLE)


def test_a_key_that_begins_nothing_leaves_an_empty_buffer() -> None:
    assert read_agent_key(KeyBuffer("*", T0), "5", T0, AGENTS) == (KeyBuffer(), None)


def test_keys_within_the_time_out_make_one_sequence() -> None:
    assert typed([("*", 0), ("1", 2.0)])[1] == [AgentAction.PAUSE_TOGGLE]  # 2.0 s: still in


def test_a_key_after_the_time_out_starts_again() -> None:
    buffer, actions = typed([("*", 0), ("1", 2.01)])
    assert actions == []
    assert buffer == KeyBuffer()
    buffer, actions = typed([("*", 0), ("*", 2.5), ("1", 3.0)])
    assert actions == [AgentAction.PAUSE_TOGGLE]  # the late "*" began a new sequence


def test_the_time_out_is_configurable() -> None:
    slow = AgentSettings(key_timeout=5.0)
    assert typed([("*", 0), ("1", 4.5)], slow)[1] == [AgentAction.PAUSE_TOGGLE]


def test_a_disabled_key_does_nothing() -> None:
    agents = AgentSettings(pause_key="")
    assert typed(quickly("*1*0"), agents)[1] == [AgentAction.PRIVATE]
    nothing = AgentSettings(pause_key="", private_key="")
    assert typed(quickly("*1*0"), nothing) == (KeyBuffer(), [])


def test_longer_sequences_restart_on_what_was_just_typed() -> None:
    agents = AgentSettings(pause_key="*#*1", private_key="#0", private_prefix="")
    assert typed(quickly("*#*#*1"), agents)[1] == [AgentAction.PAUSE_TOGGLE]
    assert typed(quickly("*#0"), agents)[1] == [AgentAction.PRIVATE]
    assert typed(quickly("*#*"), agents)[0].typed == "*#*"


def test_one_key_at_a_time() -> None:
    with pytest.raises(ValueError, match="one DTMF key"):
        read_agent_key(KeyBuffer(), "*1", T0, AGENTS)
