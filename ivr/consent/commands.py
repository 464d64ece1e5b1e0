"""What the machine decides; the service carries these out over AMI, on disk and in the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ivr.consent.inputs import KeptFile
from ivr.names import Decision, EventKind, Source


@dataclass(frozen=True)
class Announce:
    """Tell the dialplan the service's choice (IVR_DECISION), so that the notice can play."""

    value: str


@dataclass(frozen=True)
class Mute:
    """Mute (or unmute) the recording: silence is written meanwhile. ``ack_payment``: then tell
    the payment subroutine that card data is safe to collect (only if the mute succeeded)."""

    on: bool
    ack_payment: bool = False
    paused_by_agent: bool = False  # kept on the PBX (IVR_PAUSED) for a restarted service


@dataclass(frozen=True)
class AckPayment:
    """Nothing to mute (the call is not recorded): let the payment step go on at once."""


@dataclass(frozen=True)
class Tone:
    """Start (or stop) the agent's tone: a beep on the agent's channel as recording starts and
    a beep as it stops (MixMonitor's p and P options, on a monitor that writes no audio)."""

    channel: str
    on: bool


@dataclass(frozen=True)
class ArmRecording:
    """The service's go to the dialplan, at the end of the notice: it starts MixMonitor with
    option `b` on the caller's channel, which writes only once the caller is bridged (no AMI
    class `system` needed). Without this go the dialplan records nothing."""

    file_name: str


@dataclass(frozen=True)
class StartRecording:
    """The caller is bridged: the armed recording is writing now, or (not armed in time, or a
    dialplan without the arming step) it is started over AMI."""

    file_name: str


@dataclass(frozen=True)
class StopRecording:
    pass


@dataclass(frozen=True)
class DeleteRecording:
    """Delete every file of this recording, now and once more after the writer has let go.

    ``why`` (objection, private, empty, erasure) goes to the audit log with the deletion; it
    does not make two deletions of one file different acts, hence out of the comparison."""

    file_name: str
    why: str = field(default="", compare=False)


@dataclass(frozen=True)
class CloseRecording:
    """The call is over and its recording is to be kept: wait for the PBX to close the file,
    check it, store it (encrypted if a key is configured), and report what was found."""

    file_name: str


@dataclass(frozen=True)
class ForgetObjection:
    """The ledger holds the objection: the PBX's copy (AstDB) has served its purpose."""


@dataclass(frozen=True)
class RememberObjection:
    """Write the objection on the PBX side (channel variable and AstDB), as the dialplan does."""

    at: datetime


@dataclass(frozen=True)
class EndSpies:
    """Hang up these supervisors' channels now: the call may no longer be listened to."""

    channels: tuple[str, ...]


@dataclass(frozen=True)
class Log:
    """Append an event to the call's ledger entry."""

    at: datetime
    kind: EventKind
    source: Source
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Finish:
    """The call is over: write the final decision, with the kept file's evidence if any."""

    at: datetime
    decision: Decision
    kept: KeptFile | None = None


@dataclass(frozen=True)
class RememberPrivate:
    """Mark the call private on the PBX (IVR_PRIVATE on the caller's channel): a service that
    comes back reads it, so the call is neither recorded nor listened to again."""

    at: datetime


Command = (
    Announce
    | Mute
    | AckPayment
    | Tone
    | ArmRecording
    | StartRecording
    | StopRecording
    | DeleteRecording
    | CloseRecording
    | ForgetObjection
    | RememberObjection
    | RememberPrivate
    | EndSpies
    | Log
    | Finish
)
