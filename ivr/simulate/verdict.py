"""Expected against observed: the list of mismatches of one call (empty: the call passed)."""

from __future__ import annotations

from collections.abc import Sequence

from ivr.simulate.model import Expect
from ivr.simulate.observed import Observed


def mismatches(expect: Expect, seen: Observed, *, ledger_checked: bool = True) -> list[str]:
    found = list(seen.errors)
    found += _recording(expect, seen)
    found += _ledger(expect, seen) if ledger_checked else []
    missing = _missing_in_order(expect.steps, seen.steps)
    if missing:
        found.append(f"PBX steps: expected {list(expect.steps)} in order, missing {missing}")
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
    parts = []
    if expect.recorded is not None:
        parts.append("recorded" if expect.recorded else "not recorded")
    if expect.decision:
        parts.append(expect.decision)
    if expect.objected_within is not None:
        parts.append(f"objection<={expect.objected_within:g}s")
    return ", ".join(parts) or "-"


def observed_summary(seen: Observed) -> str:
    parts = ["recorded" if seen.file_at_end else "not recorded", seen.decision or "no decision"]
    if seen.file_seen and not seen.file_at_end:
        parts.append("file deleted")
    if seen.objection_delay is not None:
        parts.append(f"objection {seen.objection_delay:.2f}s")
    return ", ".join(parts)
