"""Quantiles for benchmark figures."""

from __future__ import annotations

import statistics


def quantile(values: list[float], q: int) -> float | None:
    """The q-th percentile (inclusive method), None with fewer than two values."""
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 1e3:.1f} ms"
