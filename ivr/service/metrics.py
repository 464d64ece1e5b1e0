"""Counters and the objection latency, served in Prometheus' text format on /metrics."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

LATENCY_WINDOW = 1000


@dataclass
class Metrics:
    counts: Counter[str] = field(default_factory=Counter)
    # Seconds from the objection key seen on the AMI socket to StopMixMonitor answered.
    stop_latency: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))

    def count(self, name: str, by: int = 1) -> None:
        self.counts[name] += by

    def render(self, gauges: dict[str, float]) -> str:
        lines = []
        for name, value in sorted(self.counts.items()):
            lines += [f"# TYPE ivr_{name}_total counter", f"ivr_{name}_total {value}"]
        for name, number in sorted(gauges.items()):
            lines += [f"# TYPE ivr_{name} gauge", f"ivr_{name} {number}"]
        lines += _quantiles("ivr_objection_stop_seconds", sorted(self.stop_latency))
        return "\n".join(lines) + "\n"


def _quantiles(name: str, values: list[float]) -> list[str]:
    lines = [f"# TYPE {name} summary"]
    for q in (0.5, 0.99):
        if values:
            lines.append(
                f'{name}{{quantile="{q}"}} {values[min(len(values) - 1, int(q * len(values)))]:.6f}'
            )
    lines += [f"{name}_count {len(values)}", f"{name}_sum {sum(values):.6f}"]
    return lines
