from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.ledger import Ledger

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """A time `seconds` after T0."""
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "ledger.sqlite3"


@pytest.fixture
def ledger(ledger_path: Path) -> Iterator[Ledger]:
    with Ledger.open(ledger_path) as opened:
        yield opened
