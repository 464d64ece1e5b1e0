"""What the simulator saw of one call, from the carrier, the PBX, the disk and the ledger."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Observed:
    call_id: str = ""
    answered: bool = False
    steps: list[str] = field(default_factory=list)  # IvrConsent steps the PBX reported
    bridged: bool = False
    key_sent_at: list[float] = field(default_factory=list)  # epoch seconds of each key sent
    keys_held: list[list[float]] = field(default_factory=list)  # [epoch, seconds], both legs
    keys_at_pbx: list[str] = field(default_factory=list)  # digits of the PBX's DTMFEnd events
    file_seen: bool = False  # the recording existed at some moment of the call
    file_at_end: bool = False  # ... and once the ledger's decision was written
    recording_seconds: float | None = None
    decision: str | None = None
    language: str | None = None  # the ledger's
    profile: str | None = None  # the ledger's
    paused_spans: list[list[float]] = field(default_factory=list)  # ledger [start, end], epoch
    silences: list[float] = field(default_factory=list)  # zero runs in the file, s, longest first
    agent_hung_up: bool = False  # the scripted agent hang-up was done
    transfer_result: str | None = None  # the PBX's BlindTransfer result (Success, Fail…)
    ledger_events: list[str] = field(default_factory=list)
    listen: str | None = None  # the PBX's verdict for the supervisor: allowed, or why not
    objection_delay: float | None = None  # ledger's objection time minus the key's sending
    outbound: str | None = None  # the guard's verdict on an outbound call
    carrier_reached: bool | None = None  # ... and whether any channel reached the carrier
    errors: list[str] = field(default_factory=list)  # what stopped the script (anchor missed…)
    seconds: float = 0.0  # wall time of the whole call

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
