"""What the executor reports back, and the end of a call that waits on its file. Pure.

The executor never decides: it says what it found (the file kept, missing, empty, erased
meanwhile, not encrypted...), and this turns it into the ledger's rows and the final decision.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ivr.consent import inputs as i
from ivr.consent.commands import Command, DeleteRecording, Finish, ForgetObjection, Log
from ivr.consent.state import Consent, Phase
from ivr.names import Decision, EventKind, Source

Outcome = tuple[Consent, list[Command]]

# A kept recording shorter than this share of the time it ran, less the slack, lost audio.
TRUNCATED_RATIO = 0.8
TRUNCATED_SLACK = 1.0
ERASED = "erasure requested during the call"
NOT_ENCRYPTED = "not encrypted yet"  # the ledger's mark of a kept file still in the clear


def finish(
    consent: Consent,
    at: datetime,
    decision: Decision,
    commands: list[Command],
    kept: i.KeptFile | None = None,
) -> Outcome:
    """The call's last word; an objection the ledger now holds is let go on the PBX."""
    commands = [*commands, Finish(at, decision, kept)]
    if decision is Decision.OBJECTED:
        commands.append(ForgetObjection())
    return replace(consent, phase=Phase.ENDED, pending=None), commands


def reported(consent: Consent, event: i.Input) -> list[Command]:
    """A fact about the recording during the call: it only adds to the ledger."""
    match event:
        case i.RecordingStopped(at=at, failure=failure):
            detail = {"stop": f"not confirmed: {failure}"} if failure else {}
            return [Log(at, EventKind.RECORDING_STOPPED, Source.SERVICE, detail)]
        case i.RecordingDeleted(at=at, file_name=name, existed=True):
            return [Log(at, EventKind.RECORDING_DELETED, Source.SERVICE, {"file": name})]
    return []


def closing(consent: Consent, event: i.Input) -> Outcome:
    """Hung up, waiting to learn what became of the file: only the executor's reports count."""
    at = consent.ended_at or event.at
    decision = consent.pending or Decision.NOT_RECORDED
    name = consent.file_name
    match event:
        case i.RecordingKept():
            return finish(consent, at, decision, _truncated(consent, event), event.kept)
        case i.RecordingMissing():
            error = Log(event.at, EventKind.ERROR, Source.SERVICE, {"recording": event.reason})
            return finish(consent, at, Decision.NOT_RECORDED, [error])
        case i.RecordingEmpty():
            # The call ended before a single sample: nothing was recorded, nothing is kept.
            gone = _deleted(event.at, name, "empty")
            delete = DeleteRecording(name, "empty")
            return finish(consent, at, Decision.NOT_RECORDED, [delete, gone])
        case i.RecordingErased():
            gone = _deleted(event.at, name, ERASED)
            return finish(consent, at, Decision.OBJECTED, [DeleteRecording(name, "erasure"), gone])
        case i.EncryptionFailed():
            # Kept and accounted for, in the clear for now: the ledger row lets purge and
            # erasure find the file, and the service encrypts it again later. Deleting it would
            # lose a recording the caller agreed to; leaving it unrecorded would hide it.
            detail = {"recording": NOT_ENCRYPTED, "reason": event.reason}
            error = Log(event.at, EventKind.ERROR, Source.SERVICE, detail)
            kept = i.RecordingKept(event.at, event.kept)
            return finish(consent, at, decision, [error, *_truncated(consent, kept)], event.kept)
        case i.RecordingDeleted():
            return finish(consent, at, decision, reported(consent, event))
        case i.RecordingStopped():
            return consent, reported(consent, event)
    return consent, []


def _deleted(at: datetime, name: str, reason: str) -> Log:
    return Log(at, EventKind.RECORDING_DELETED, Source.SERVICE, {"file": name, "reason": reason})


def _truncated(consent: Consent, event: i.RecordingKept) -> list[Command]:
    """A kept file much shorter than the call was recorded for lost audio (a full disk)."""
    if consent.recording_since is None or consent.ended_at is None:
        return []
    expected = (consent.ended_at - consent.recording_since).total_seconds()
    seconds = event.kept.duration_seconds
    if seconds >= expected * TRUNCATED_RATIO - TRUNCATED_SLACK:
        return []
    detail = {
        "recording": "truncated",
        "file": event.kept.path.rsplit("/", 1)[-1],
        "seconds": f"{seconds:.1f}",
        "expected_seconds": f"{expected:.1f}",
    }
    return [Log(event.at, EventKind.ERROR, Source.SERVICE, detail)]
