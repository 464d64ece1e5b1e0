"""`ivr doctor`'s "several logins" check against the fake PBX: a second session beside the first
is ok; refused as already in use (``allowmultiplelogin = no``) it fails with the fix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from ivr.config.model import Settings
from ivr.doctor import pbx
from ivr.doctor.findings import Finding, Level
from ivr.doctor.logins import SESSIONS, several_logins
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import tier_settings


@pytest_asyncio.fixture
async def fake(tmp_path: Path) -> AsyncIterator[FakePbx]:
    (tmp_path / "recordings").mkdir()
    server = FakePbx(tmp_path / "recordings")
    await server.start()
    yield server
    await server.stop()


async def check_beside_a_first_session(settings: Settings) -> Finding:
    first, login = await pbx.connect(settings)
    assert first is not None, login.detail
    try:
        return await several_logins(settings)
    finally:
        await first.close()


async def test_a_second_session_beside_the_first_is_ok(fake: FakePbx, tmp_path: Path) -> None:
    found = await check_beside_a_first_session(tier_settings(tmp_path, fake))
    assert found.level is Level.OK, found.detail
    assert f"the service opens {SESSIONS}" in found.detail
    assert fake.logins == 2


async def test_a_second_login_refused_as_in_use_fails_with_the_fix(
    fake: FakePbx, tmp_path: Path
) -> None:
    fake.allow_multiple_login = False
    found = await check_beside_a_first_session(tier_settings(tmp_path, fake))
    assert found.level is Level.FAIL
    assert found.check == "several logins"
    assert "refused a second login of user 'ivr' (Login Already In Use)" in found.detail
    assert f"needs {SESSIONS} sessions" in found.detail
    assert "`allowmultiplelogin = yes` in the [ivr] section of manager.conf" in found.detail


async def test_doctor_refused_at_its_own_login_as_in_use_names_the_cause(
    fake: FakePbx, tmp_path: Path
) -> None:
    fake.allow_multiple_login = False
    settings = tier_settings(tmp_path, fake)
    service = await pbx.log_in(settings)  # the service's session, already in
    try:
        client, login = await pbx.connect(settings)
    finally:
        await service.close()
    assert client is None
    assert login.level is Level.FAIL
    assert "Login Already In Use; another session of this user is logged in" in login.detail
    assert "`allowmultiplelogin = yes` in the [ivr] section" in login.detail
