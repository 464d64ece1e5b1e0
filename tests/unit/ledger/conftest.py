from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.ledger import Ledger
from tests.support.store import StoreUnderTest

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """A time `seconds` after T0."""
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "ledger.sqlite3"


@pytest.fixture
def ledger(store: StoreUnderTest) -> Iterator[Ledger]:
    """The ledger on each backend (SQLite file, PostgreSQL database)."""
    with store.open_ledger() as opened:
        yield opened


@pytest.fixture
def sqlite_ledger(ledger_path: Path) -> Iterator[Ledger]:
    """For the properties of the SQLite file itself (pragmas, permissions)."""
    with Ledger.open(ledger_path) as opened:
        yield opened
