"""/metrics as Prometheus reads it: every series from start-up, HELP and TYPE, only growing."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from ivr.service.metrics import COUNTERS, Metrics


def families(text: str) -> dict[str, str]:
    return {f.name: f.type for f in text_string_to_metric_families(text)}


def test_every_counter_and_histogram_is_there_before_anything_happened() -> None:
    text = Metrics().render()
    found = families(text)
    for name in COUNTERS:
        assert found[f"ivr_{name}"] == "counter"
    assert found["ivr_objection_queue_seconds"] == "histogram"
    assert "# HELP ivr_objections_total" in text


def test_the_objection_latency_count_never_goes_down() -> None:
    metrics = Metrics()
    counts = []
    for call in range(2000):  # more than any sliding window would keep
        metrics.key_seen(str(call))
        metrics.since_key(str(call), metrics.queue_latency)
        text = metrics.render()
        if call % 500 == 0:
            line = next(
                x for x in text.splitlines() if x.startswith("ivr_objection_queue_seconds_count")
            )
            counts.append(float(line.split()[-1]))
    assert counts == [1.0, 501.0, 1001.0, 1501.0]


def test_a_gauge_is_read_when_served() -> None:
    metrics, value = Metrics(), [1.0]
    metrics.gauge("ami_up", "1 while up", lambda: value[0])
    value[0] = 0.0
    assert "ivr_ami_up 0.0" in metrics.render()
