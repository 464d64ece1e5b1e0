"""The service tier: the whole service in-process against the fake PBX, replaying transcripts
recorded on the real sandbox. Runs in seconds; the SIP tier stays the proof on a real PBX."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.config.model import Settings
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import tier_settings
from tests.support.store import StoreUnderTest


@pytest_asyncio.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[FakePbx]:
    (tmp_path / "recordings").mkdir()
    fake = FakePbx(tmp_path / "recordings")
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def settings(tmp_path: Path, pbx: FakePbx, store: StoreUnderTest) -> Settings:
    """Each service test runs on both stores: SQLite files and a PostgreSQL database."""
    return tier_settings(tmp_path, pbx, store=store)
