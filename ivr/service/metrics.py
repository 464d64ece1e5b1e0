"""The service's metrics, exposed by `prometheus_client` on /metrics.

Every series exists from start-up (a counter at 0 is a fact too, and `rate()` needs it), the
counters and histograms only grow, and each has its HELP. The objection's latencies are
histograms: from the key read on the AMI socket to StopMixMonitor written (the service's own
part), to StopMixMonitor answered, and to the file unlinked.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ivr.names import Decision
from ivr.service.path_clock import Stamp

COUNTERS = {
    "calls": "Calls that entered the consent flow",
    "calls_undecided": "Calls whose notice started without the service's decision",
    "calls_restored": "Calls the service adopted after a restart or a cut link",
    "decision_errors": "Calls the service failed to decide on (left unrecorded)",
    "command_errors": "Commands of the consent machine that failed",
    "mute_errors": "Mutes or unmutes the PBX refused",
    "objections": "Objections written to the ledger",
    "recordings_started": "Recordings started",
    "recordings_deleted": "Recordings deleted (objection, private call, empty)",
    "recordings_deleted_late": "Recordings written again after their stop, deleted again",
    "recordings_missing": "Recordings to keep that were missing or never closed",
    "recordings_truncated": "Kept recordings much shorter than the call they recorded",
} | {
    f"calls_{d.value.replace('-', '_')}": f"Calls finished with the decision {d.value}"
    for d in Decision
}
# From 0.1 ms: the service's own part is expected well under 2 ms.
LATENCY_BUCKETS = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.002,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.counters = {
            name: Counter(f"ivr_{name}", text, registry=self.registry)
            for name, text in COUNTERS.items()
        }
        self.queue_latency = self._histogram(
            "queue", "objection key read to StopMixMonitor written (the service's own part)"
        )
        self.stop_latency = self._histogram("stop", "objection key read to StopMixMonitor answered")
        self.delete_latency = self._histogram("delete", "objection key read to the file unlinked")
        self._keys_seen: dict[str, float] = {}
        self._key_stamps: dict[str, Stamp] = {}  # the own path's, on the loop's thread

    def _histogram(self, what: str, text: str) -> Histogram:
        return Histogram(
            f"ivr_objection_{what}_seconds",
            f"Seconds from the {text}",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def gauge(self, name: str, text: str, read: Callable[[], float]) -> None:
        """A value read when /metrics is served."""
        Gauge(f"ivr_{name}", text, registry=self.registry).set_function(read)

    def count(self, name: str, by: int = 1) -> None:
        """A counter declared in COUNTERS (any other name is a bug: KeyError)."""
        self.counters[name].inc(by)

    def key_seen(self, call_id: str) -> None:
        if call_id not in self._keys_seen:
            stamp = Stamp.now()
            self._key_stamps[call_id] = stamp
            self._keys_seen[call_id] = stamp.wall

    def stop_written(self, call_id: str) -> None:
        """The service's own part ends: the stop is on the wire (or was refused)."""
        stamp = self._key_stamps.pop(call_id, None)
        if stamp is not None:
            self.queue_latency.observe(stamp.since(call_id))

    def since_key(self, call_id: str, into: Histogram, *, once: bool = False) -> None:
        seen = self._keys_seen.get(call_id)
        if seen is not None:
            into.observe(time.perf_counter() - seen)
            if once:
                del self._keys_seen[call_id]

    def forget(self, call_id: str) -> None:
        self._keys_seen.pop(call_id, None)
        self._key_stamps.pop(call_id, None)

    def render(self) -> str:
        return generate_latest(self.registry).decode()
