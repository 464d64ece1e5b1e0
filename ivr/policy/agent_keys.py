"""An agent's in-call keys: the DTMF digits of the agent's channel, read into the configured
sequences (pause, private call). Pure: the buffer of typed digits is passed in and returned.

The private prefix is not read here: it is dialled before a number, and `choose_recording`
sees it in the called number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ivr.config.recording import AgentSettings


class AgentAction(StrEnum):
    PAUSE_TOGGLE = "pause"  # pause the recording, or resume it
    PRIVATE = "private"  # the call is private: its recording is stopped and deleted


@dataclass(frozen=True)
class KeyBuffer:
    """The digits typed so far towards a sequence, and when the last one was."""

    typed: str = ""
    last_at: datetime | None = None


def read_agent_key(
    buffer: KeyBuffer, digit: str, at: datetime, agents: AgentSettings
) -> tuple[KeyBuffer, AgentAction | None]:
    """``digit`` is one DTMF key of the agent's channel, pressed at ``at``."""
    if len(digit) != 1:
        raise ValueError(f"one DTMF key at a time, got {digit!r}")
    sequences = _sequences(agents)
    typed = buffer.typed
    if buffer.last_at is not None and (at - buffer.last_at).total_seconds() > agents.key_timeout:
        typed = ""  # too slow: a new sequence
    typed = _longest_start(typed + digit, sequences)
    action = sequences.get(typed)
    if action is not None:
        return KeyBuffer(), action
    return KeyBuffer(typed, at if typed else None), None


def _sequences(agents: AgentSettings) -> dict[str, AgentAction]:
    pairs = (
        (agents.pause_key, AgentAction.PAUSE_TOGGLE),
        (agents.private_key, AgentAction.PRIVATE),
    )
    return {keys: action for keys, action in pairs if keys}  # "" is a disabled sequence


def _longest_start(typed: str, sequences: dict[str, AgentAction]) -> str:
    """The longest end of ``typed`` that begins a sequence: after a wrong key, the keys just
    typed may still begin one ("**1" is "*1" after a stray "*")."""
    for cut in range(len(typed) + 1):
        rest = typed[cut:]
        if any(keys.startswith(rest) for keys in sequences):
            return rest
    return ""  # no sequence is enabled
