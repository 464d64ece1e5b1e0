"""How late the service heard each caller's objection, against the test's own AMI session: the
arrival of the PBX's DTMFEnd 9 there, and the service's log line ``caller objected`` (written
with the call's `objected` row). A figure printed by the storm test, not asserted: it showed
the service's single AMI session holding events back behind actions on busy channels."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path

from ivr.ami import AmiClient, Message

_OBJECTED = re.compile(r"^(\S+ \S+) INFO ivr\.service\.executor: call (\S+): caller objected")


class KeyLag:
    def __init__(self, admin: AmiClient) -> None:
        self.nines: dict[str, float] = {}  # call id -> wall-clock arrival at the admin session
        self._admin = admin
        admin.add_listener(self._on_event)

    def _on_event(self, event: Message) -> None:
        if event.name == "DTMFEnd" and event.get("Digit") == "9":
            self.nines.setdefault(event.get("Uniqueid", ""), time.time())

    def close(self) -> None:
        self._admin.remove_listener(self._on_event)

    def lags(self, service_log: Path) -> dict[str, float]:
        """Seconds from the 9 at the admin session to the service's row, per objecting call."""
        found: dict[str, float] = {}
        for line in service_log.read_text(errors="replace").splitlines():
            match = _OBJECTED.match(line)
            if match is None:
                continue
            when = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            call_id = match[2]  # the PBX's Uniqueid, the service's call id
            if call_id in self.nines:
                found[call_id] = when - self.nines[call_id]
        return found

    def summary(self, service_log: Path) -> str:
        lags = sorted(self.lags(service_log).values())
        if not lags:
            return "objections at the service: none matched"
        return (
            f"objections at the service after the PBX's 9 (admin session): {len(lags)} calls, "
            f"median {lags[len(lags) // 2] * 1000:.0f} ms, max {lags[-1] * 1000:.0f} ms"
        )
