"""Anonymous refusals are counted, not chained one by one, and each client is rate-limited.

Without a token nobody is accountable, so a row per refused request only lets anyone grow the
audit log (and the disk it shares with the ledger) at will. `RefusalCounter` keeps counts per
client and per minute-long window, and hands back one summary entry per window (the number
of refusals and the busiest clients) for the log. A client refused more than `per_window`
times in a window is told to slow down (429) until the window ends: no work, no row.
Pure: the caller passes the time.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

WINDOW_SECONDS = 60.0
PER_WINDOW = 30  # refusals a client may cause per window before it gets 429s
TOP_CLIENTS = 10  # clients named in a summary row; the rest are only counted
_MAX_CLIENTS = 10_000  # memory bound: beyond this, new clients are counted under "other"


@dataclass
class RefusalCounter:
    window: float = WINDOW_SECONDS
    per_window: int = PER_WINDOW
    started: float | None = None
    counts: Counter[str] = field(default_factory=Counter)

    def note(self, client: str, now: float) -> tuple[bool, dict[str, object] | None]:
        """Count one refusal of ``client``: (still allowed?, summary of a window just ended)."""
        summary = self.summary_if_due(now)
        if self.started is None:
            self.started = now
        key = client if client in self.counts or len(self.counts) < _MAX_CLIENTS else "other"
        self.counts[key] += 1
        return self.counts[key] <= self.per_window, summary

    def limited(self, client: str, now: float) -> bool:
        """True while ``client`` is over its allowance in the current window."""
        if self.started is not None and now - self.started >= self.window:
            return False
        return self.counts.get(client, 0) >= self.per_window

    def summary_if_due(self, now: float) -> dict[str, object] | None:
        if self.started is None or now - self.started < self.window:
            return None
        return self.flush()

    def flush(self) -> dict[str, object] | None:
        """The current window's summary (None if nothing was refused); a new window starts."""
        if not self.counts:
            self.started = None
            return None
        summary: dict[str, object] = {
            "count": sum(self.counts.values()),
            "clients": len(self.counts),
            "busiest": dict(self.counts.most_common(TOP_CLIENTS)),
            "window_s": self.window,
        }
        self.counts, self.started = Counter(), None
        return summary


def summary_detail(summary: dict[str, object]) -> str:
    return json.dumps(summary, sort_keys=True, separators=(",", ":"))
