"""The whole service against a PBX that lets its account log in only once (manager.conf's
``allowmultiplelogin = no``): it stays down and retries, and its health, log and metrics say
why and what to change, in the administrator's words."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ivr.service.runtime import ACTIONS, URGENT
from tests.support.fake_ami import eventually
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import running, tier_settings

SESSIONS = 1 + len(ACTIONS) + len(URGENT)


async def test_health_log_and_metric_name_allowmultiplelogin_when_extra_logins_are_refused(
    pbx: FakePbx, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pbx.allow_multiple_login = False
    async with running(tier_settings(tmp_path, pbx)) as runtime:
        await eventually(lambda: runtime.supervisor.multiple_logins_refused, 5.0, "logins refused")
        healthy, body = runtime.health()
        ami = body["ami"]
        assert isinstance(ami, dict)
        error = str(ami["last_error"])
        assert not healthy
        assert not ami["connected"]
        assert f"needs {SESSIONS} sessions" in error
        assert "allowmultiplelogin = yes" in error
        assert "ivr_ami_multiple_logins_refused 1.0" in runtime.metrics_text()
        assert "ivr_ami_up 0.0" in runtime.metrics_text()
        warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert any("allowmultiplelogin = yes" in line for line in warned)
        pbx.allow_multiple_login = True
        await eventually(lambda: runtime.supervisor.health.connected, 5.0, "connected")
        assert "ivr_ami_multiple_logins_refused 0.0" in runtime.metrics_text()
