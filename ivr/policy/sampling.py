"""Whether a call that just arrived may be recorded: private prefix, legal obligation, declared
periods, then the draw. Pure: the time and the draw are given, so every branch is testable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ivr.config.reader import shown
from ivr.config.recording import (
    DAYS,
    AgentSettings,
    RecordingMode,
    RecordingPeriod,
    RecordingPolicy,
)
from ivr.names import Prompt

NOT_SAMPLED = "not sampled"
UNRECORDED_SHORT = "short"  # a profile's unrecorded_notice: the shorter notice when not recording


@dataclass(frozen=True)
class RecordingChoice:
    record: bool
    why: str  # one sentence for the ledger
    prompt: Prompt  # the notice the caller hears
    # May be recorded under the policy, the draw aside (the one difference live listening
    # makes: a call the draw left out may still be listened to).
    eligible: bool = False


def choose_recording(
    policy: RecordingPolicy,
    agents: AgentSettings,
    *,
    group: str,
    called: str,
    unrecorded_notice: str,
    at: datetime,
    draw: float,
) -> RecordingChoice:
    """``at`` is aware; ``draw`` is uniform in [0, 1); ``unrecorded_notice`` is "same" or
    "short" (the profile's choice of notice for a call that will not be recorded)."""
    record, why = _decide(policy, agents, group=group, called=called, at=at, draw=draw)
    short = not record and unrecorded_notice == UNRECORDED_SHORT
    prompt = Prompt.NOTICE_UNRECORDED if short else Prompt.NOTICE_SHORT
    return RecordingChoice(record, why, prompt, eligible=record or why.startswith(NOT_SAMPLED))


def _decide(
    policy: RecordingPolicy,
    agents: AgentSettings,
    *,
    group: str,
    called: str,
    at: datetime,
    draw: float,
) -> tuple[bool, str]:
    if agents.private_prefix and called.startswith(agents.private_prefix):
        return False, "private call: dialled with the private prefix"
    if policy.mode is RecordingMode.LEGAL_OBLIGATION:
        return True, f"legal obligation: {policy.legal_reference}"
    local = _local(policy, at)
    if not any(period.applies_to(group) and period.covers(local) for period in policy.periods):
        when = f"{DAYS[local.weekday()]} {local:%H:%M} {policy.timezone}"  # not the locale's
        return False, f"outside the declared recording periods (group {shown(group)}, {when})"
    if draw < policy.fraction:
        return True, f"sampled: draw {draw:.4f} < fraction {policy.fraction:g}"
    return False, f"{NOT_SAMPLED}: draw {draw:.4f} ≥ fraction {policy.fraction:g}"


def current_periods(
    policy: RecordingPolicy, at: datetime, group: str | None = None
) -> list[RecordingPeriod]:
    """The declared periods in force at ``at`` (for ``group``, or any group when None): what
    an agent may be shown. Empty in legal-obligation mode, where periods do not apply."""
    local = _local(policy, at)
    return [
        period
        for period in policy.periods
        if period.covers(local) and (group is None or period.applies_to(group))
    ]


def _local(policy: RecordingPolicy, at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} is a naive time: the periods are wall-clock times of a zone")
    return at.astimezone(policy.zone)
