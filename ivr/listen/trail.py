"""Every live listen in the audit log (the same hash-chained log as downloads): one row when
the supervisor asks (``allowed`` or ``denied``, with why), one when an allowed listen ends
(``ended``, with how long, and what cut it short if anything did). Listed per agent and per
supervisor for the DPO."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ivr.audit import Entry
from ivr.audit.chain import Row

ACTION = "live-listen"
REASON = "live listening (coaching)"


@dataclass(frozen=True)
class Listen:
    """One attempt as the log keeps it."""

    at: datetime
    endpoint: str
    person: str  # "" for an endpoint no supervisor is configured for
    role: str
    agent: str
    call_id: str  # "" when the agent was in no call
    outcome: str  # allowed | denied | ended
    refusal: str = ""  # denied: why; ended: what cut it short ("" if the supervisor left)
    seconds: float | None = None  # ended: how long they listened

    def entry(self) -> Entry:
        detail = {"endpoint": self.endpoint, "agent": self.agent}
        if self.refusal:
            detail["why"] = self.refusal
        if self.seconds is not None:
            detail["seconds"] = f"{self.seconds:.1f}"
        actor = f"supervisor:{self.person}" if self.person else f"endpoint:{self.endpoint}"
        return Entry(
            self.at.isoformat(timespec="microseconds"),
            actor,
            self.role or "-",
            ACTION,
            self.call_id or "-",
            REASON,
            f"pbx:{self.endpoint}",
            self.outcome,
            json.dumps(detail, sort_keys=True, separators=(",", ":")),
        )


def listens(rows: Iterable[Row], *, agent: str = "", supervisor: str = "") -> list[dict[str, str]]:
    """The live-listen rows, optionally of one agent or one supervisor (person or endpoint)."""
    found = []
    for row in rows:
        entry = row.entry
        if entry.action != ACTION:
            continue
        detail = _detail(entry.detail)
        kind, _, name = entry.actor.partition(":")
        person = name if kind == "supervisor" else ""
        if agent and detail.get("agent") != agent:
            continue
        if supervisor and supervisor not in (person, detail.get("endpoint")):
            continue
        found.append(
            {
                "seq": str(row.seq),
                "at": entry.at,
                "supervisor": person,
                "role": entry.role,
                "endpoint": detail.get("endpoint", ""),
                "agent": detail.get("agent", ""),
                "call": "" if entry.target == "-" else entry.target,
                "outcome": entry.outcome,
                "why": detail.get("why", ""),
                "seconds": detail.get("seconds", ""),
            }
        )
    return found


def _detail(text: str) -> dict[str, str]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
