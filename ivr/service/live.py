"""A read-only view of the calls in progress, for the dashboard.

The one seam between the running service and what shows it: the dashboard reads copies (frozen
`LiveCall`s, a list of latencies), never the sessions or the machines themselves, so the call
tracking can move without the dashboard noticing, and nothing shown can change a call.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Histogram

from ivr.service.calls import Calls
from ivr.service.metrics import Metrics


@dataclass(frozen=True)
class LatencyHistogram:
    """Counts per bin; ``edges`` are each bin's lower bound in seconds, the last bin open-ended."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


EMPTY_HISTOGRAM = LatencyHistogram((0.0,), (0,))


def bins_of(histogram: Histogram) -> LatencyHistogram:
    """The per-bin counts of a prometheus histogram, whose buckets are cumulative."""
    uppers: list[float] = []
    cumulative: list[int] = []
    for metric in histogram.collect():
        for sample in metric.samples:
            if sample.name.endswith("_bucket"):
                uppers.append(float(sample.labels["le"]))
                cumulative.append(int(sample.value))
    counts = [now - before for before, now in zip([0, *cumulative], cumulative, strict=False)]
    return LatencyHistogram((0.0, *uppers[:-1]), tuple(counts))


@dataclass(frozen=True)
class LiveCall:
    call_id: str
    phase: str  # the consent machine's phase: notice, awaiting-bridge, recording, objected, ...
    recording: bool
    paused: tuple[str, ...]  # why the recording is muted now ("agent", "payment")
    agents: int  # agents' channels that joined the call


class LiveView:
    def __init__(self, calls: Calls, metrics: Metrics) -> None:
        self._calls = calls
        self._metrics = metrics

    def calls(self) -> list[LiveCall]:
        return [
            LiveCall(
                call_id,
                str(session.consent.phase),
                session.consent.recording,
                tuple(sorted(session.consent.paused)),
                len(session.consent.agents),
            )
            for call_id, session in list(self._calls.sessions.items())
        ]

    def stop_latencies(self) -> LatencyHistogram:
        """Seconds from an objection key to StopMixMonitor answered, since the service started."""
        return bins_of(self._metrics.stop_latency)
