"""Quantiles read back from a Prometheus histogram on the service's /metrics (interpolated
within a bucket, as Prometheus' histogram_quantile does)."""

from __future__ import annotations

import re

_BUCKET = re.compile(r'^(?P<name>\w+)_bucket\{le="(?P<le>[^"]+)"\} (?P<count>\S+)$')


def buckets(metrics: str, name: str) -> list[tuple[float, float]]:
    """(upper bound, cumulative count) of histogram ``name``, in order."""
    found = []
    for line in metrics.splitlines():
        match = _BUCKET.match(line)
        if match and match["name"] == name:
            found.append((float(match["le"]), float(match["count"])))
    return sorted(found)


def quantile(metrics: str, name: str, q: float) -> float | None:
    """Seconds; None if the histogram is empty."""
    rows = buckets(metrics, name)
    total = rows[-1][1] if rows else 0.0
    if total == 0:
        return None
    rank, lower, below = q * total, 0.0, 0.0
    for upper, count in rows:
        if count >= rank:
            if upper == float("inf"):
                return lower
            share = (rank - below) / (count - below) if count > below else 1.0
            return lower + (upper - lower) * share
        lower, below = upper, count
    return lower


def quantiles(metrics: str, name: str) -> dict[str, float]:
    """{"0.5": s, "0.95": s, "0.99": s} of ``name``, empty if it saw nothing."""
    found = {str(q): quantile(metrics, name, q) for q in (0.5, 0.95, 0.99)}
    return {q: v for q, v in found.items() if v is not None}
