"""Counters and the objection latency, served in Prometheus' text format on /metrics."""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field

LATENCY_WINDOW = 1000


@dataclass
class Metrics:
    counts: Counter[str] = field(default_factory=Counter)
    # Seconds from the objection key read on the AMI socket to StopMixMonitor answered, and to
    # the recording unlinked.
    stop_latency: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))
    delete_latency: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))
    # Of the stop latency, the part spent in the service before StopMixMonitor was written.
    queue_latency: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))
    _keys_seen: dict[str, float] = field(default_factory=dict)

    def count(self, name: str, by: int = 1) -> None:
        self.counts[name] += by

    def key_seen(self, call_id: str) -> None:
        self._keys_seen.setdefault(call_id, time.perf_counter())

    def since_key(self, call_id: str, into: deque[float], *, once: bool = False) -> None:
        seen = self._keys_seen.get(call_id)
        if seen is not None:
            into.append(time.perf_counter() - seen)
            if once:
                del self._keys_seen[call_id]

    def forget(self, call_id: str) -> None:
        self._keys_seen.pop(call_id, None)

    def render(self, gauges: dict[str, float]) -> str:
        lines = []
        for name, value in sorted(self.counts.items()):
            lines += [f"# TYPE ivr_{name}_total counter", f"ivr_{name}_total {value}"]
        for name, number in sorted(gauges.items()):
            lines += [f"# TYPE ivr_{name} gauge", f"ivr_{name} {number}"]
        lines += _quantiles("ivr_objection_stop_seconds", sorted(self.stop_latency))
        lines += _quantiles("ivr_objection_delete_seconds", sorted(self.delete_latency))
        lines += _quantiles("ivr_objection_queue_seconds", sorted(self.queue_latency))
        return "\n".join(lines) + "\n"


def _quantiles(name: str, values: list[float]) -> list[str]:
    lines = [f"# TYPE {name} summary"]
    for q in (0.5, 0.95, 0.99):
        if values:
            lines.append(
                f'{name}{{quantile="{q}"}} {values[min(len(values) - 1, int(q * len(values)))]:.6f}'
            )
    lines += [f"{name}_count {len(values)}", f"{name}_sum {sum(values):.6f}"]
    return lines
