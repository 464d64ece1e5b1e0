"""Expected against observed: the list of mismatches of one call (empty: the call passed)."""

from __future__ import annotations

from collections.abc import Sequence

from ivr.simulate.model import Expect
from ivr.simulate.observed import Observed

PAUSE_TOLERANCE = 0.6  # seconds: the mute and the unmute each take a moment to reach the file


def mismatches(expect: Expect, seen: Observed, *, ledger_checked: bool = True) -> list[str]:
    found = list(seen.errors)
    found += _recording(expect, seen)
    found += _outbound(expect, seen)
    found += _ledger(expect, seen) if ledger_checked else []
    found += _paused(expect, seen) if ledger_checked else []
    missing = _missing_in_order(expect.steps, seen.steps)
    if missing:
        found.append(f"PBX steps: expected {list(expect.steps)} in order, missing {missing}")
    if expect.listen is not None and expect.listen != seen.listen:
        found.append(f"listen: expected {expect.listen}, the PBX says {seen.listen or 'nothing'}")
    return found


def _outbound(expect: Expect, seen: Observed) -> list[str]:
    """An outbound call: the verdict, and a refused call never reaching the carrier."""
    if expect.outbound is None:
        return []
    found = []
    if expect.outbound != seen.outbound:
        found.append(f"outbound: expected {expect.outbound}, the guard said {seen.outbound}")
    if seen.carrier_reached is not None and seen.carrier_reached != (expect.outbound == "allowed"):
        state = "reached" if seen.carrier_reached else "never reached"
        found.append(f"outbound: the call {state} the carrier")
    return found


def _recording(expect: Expect, seen: Observed) -> list[str]:
    found = []
    if expect.recorded is not None and expect.recorded != seen.file_at_end:
        state = "kept on disk" if seen.file_at_end else "no recording on disk"
        found.append(f"recorded: expected {_yes(expect.recorded)}, observed {state}")
    if expect.never_created and seen.file_seen:
        found.append("never_created: a recording file appeared during the call")
    if expect.min_seconds is not None and seen.file_at_end:
        length = seen.recording_seconds or 0.0
        if length < expect.min_seconds:
            found.append(f"min_seconds: recording lasts {length} s < {expect.min_seconds} s")
    return found


def _ledger(expect: Expect, seen: Observed) -> list[str]:
    found = []
    if expect.decision is not None and expect.decision != seen.decision:
        found.append(f"decision: expected {expect.decision}, ledger says {seen.decision or 'none'}")
    if expect.language is not None and expect.language != seen.language:
        found.append(f"language: expected {expect.language}, ledger says {seen.language}")
    if expect.profile is not None and expect.profile != seen.profile:
        found.append(f"profile: expected {expect.profile}, ledger says {seen.profile}")
    missing = _missing_in_order(expect.events, seen.ledger_events)
    if missing:
        found.append(f"events: expected {list(expect.events)} in order, missing {missing}")
    if expect.objected_within is not None:
        delay = seen.objection_delay
        if delay is None:
            reached = "reached" if seen.keys_at_pbx else "never reached"
            found.append(
                f"objected_within: the ledger records no objection after a key "
                f"(the keys {reached} the PBX: {''.join(seen.keys_at_pbx) or 'none'})"
            )
        elif not -0.05 <= delay <= expect.objected_within:
            found.append(
                f"objected_within: objection {delay:.3f} s after the key, "
                f"expected <= {expect.objected_within} s"
            )
    return found


def _paused(expect: Expect, seen: Observed) -> list[str]:
    """Each pause the ledger records must be silence in the kept recording, as long as the
    pause less the keys held in it (Asterisk writes no audio while a key is held) and a
    tolerance for the time the PBX takes to mute and unmute."""
    if expect.paused is None:
        return []
    spans = seen.paused_spans
    if len(spans) != expect.paused:
        return [f"paused: expected {expect.paused} pause(s), the ledger records {len(spans)}"]
    if not spans or not seen.file_at_end:
        return []
    needed = sorted((_silence_needed(span, seen.keys_held) for span in spans), reverse=True)
    silences = sorted(seen.silences, reverse=True)
    for index, need in enumerate(needed):
        have = silences[index] if index < len(silences) else 0.0
        if have < need:
            longest = ", ".join(f"{s:g}" for s in silences[:3]) or "none"
            return [
                f"paused: a pause needs {need:.1f} s of silence in the recording, "
                f"found {have:g} s (longest silences: {longest})"
            ]
    return []


def _silence_needed(span: Sequence[float], keys_held: Sequence[Sequence[float]]) -> float:
    start, end = span
    held = sum(seconds for at, seconds in keys_held if start <= at < end)
    return max(0.0, end - start - held - PAUSE_TOLERANCE)


def _missing_in_order(wanted: Sequence[str], seen: Sequence[str]) -> list[str]:
    """The wanted names not found as a subsequence of ``seen`` (order matters)."""
    position, missing = 0, []
    for name in wanted:
        try:
            position = list(seen).index(name, position) + 1
        except ValueError:
            missing.append(name)
    return missing


def _yes(value: bool) -> str:
    return "kept" if value else "not recorded"


def expected_summary(expect: Expect) -> str:
    if expect.outbound is not None:
        return f"outbound {expect.outbound}"
    parts = []
    if expect.recorded is not None:
        parts.append("recorded" if expect.recorded else "not recorded")
    if expect.decision:
        parts.append(expect.decision)
    if expect.objected_within is not None:
        parts.append(f"objection<={expect.objected_within:g}s")
    if expect.paused:
        parts.append(f"paused x{expect.paused}")
    return ", ".join(parts) or "-"


def observed_summary(seen: Observed) -> str:
    if seen.outbound is not None:
        reached = "reached the carrier" if seen.carrier_reached else "carrier untouched"
        return f"outbound {seen.outbound}, {reached}"
    parts = ["recorded" if seen.file_at_end else "not recorded", seen.decision or "no decision"]
    if seen.file_seen and not seen.file_at_end:
        parts.append("file deleted")
    if seen.objection_delay is not None:
        parts.append(f"objection {seen.objection_delay:.2f}s")
    if seen.paused_spans:
        parts.append(f"paused x{len(seen.paused_spans)}")
    return ", ".join(parts)
