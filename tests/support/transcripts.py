"""AMI transcripts: what the real PBX sent for one call, kept as a data file and replayed.

Recorded from the sandbox by `tests/support/recorder.py`; each holds the events of the call's
linked channels in order, with the time each arrived after the first, and what the real service
wrote to the ledger for it (the service tier checks the replay gives the same).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parents[1] / "data" / "transcripts"


@dataclass(frozen=True)
class Transcript:
    name: str
    recorded: str  # how and when, for the next reader
    call_id: str
    events: list[tuple[float, list[tuple[str, str]]]]  # (seconds after the first, headers)
    decision: str  # what the real service decided
    kinds: list[str]  # the ledger's event kinds for the call, in order
    policy: str = ""  # the consent tables the service ran with, if not the test defaults

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "recorded": self.recorded,
            "call_id": self.call_id,
            "decision": self.decision,
            "kinds": self.kinds,
            "policy": self.policy,
            "events": [{"after": at, "headers": headers} for at, headers in self.events],
        }

    def save(self, folder: Path = FOLDER) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.name}.json"
        path.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n")
        return path

    @classmethod
    def load(cls, name: str, folder: Path = FOLDER) -> Transcript:
        data = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        events = [
            (float(e["after"]), [(str(k), str(v)) for k, v in e["headers"]]) for e in data["events"]
        ]
        return cls(
            data["name"],
            data["recorded"],
            data["call_id"],
            events,
            data["decision"],
            data["kinds"],
            data.get("policy", ""),
        )
