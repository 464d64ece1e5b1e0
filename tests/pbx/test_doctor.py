"""`ivr doctor` on a real PBX: all green on the installation the tests use, and the findings an
administrator must act on when something is missing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ivr.ami import AmiClient
from ivr.config import load_settings
from ivr.sandbox.render import CALL_ONLY_AMI_USER
from ivr.service.pbx_memory import publish_keys
from tests.support.service import ivr_command

pytestmark = pytest.mark.pbx


def doctor(config: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ivr_command("doctor", "--config", str(config)),
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | env,
        check=False,
    )


def test_a_ready_installation_passes_every_check(service_config: Path) -> None:
    done = doctor(service_config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 failed" in done.stdout
    checks = ("recordings folder", "prompts", "ledger", "AMI login", "modules", "AMI write classes")
    for check in checks:
        assert any(line.startswith("ok") and check in line for line in done.stdout.splitlines()), (
            check
        )


def test_each_problem_is_named(service_config: Path, tmp_path: Path) -> None:
    done = doctor(
        service_config,
        IVR_RECORDINGS_DIR=str(tmp_path / "nowhere"),
        IVR_PROMPTS_DIR=str(tmp_path),
        IVR_AMI_SECRET="wrong-secret",
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any(line.startswith("FAIL") and "nowhere" in line for line in lines)
    assert any(line.startswith("FAIL") and "ivr prompts build" in line for line in lines)
    assert any(line.startswith("FAIL") and "AMI login" in line for line in lines)
    assert "wrong-secret" not in done.stdout + done.stderr


async def test_a_call_only_account_passes_and_says_what_it_goes_without(
    service_config: Path, pbx_ami: AmiClient
) -> None:
    # The keys are on the PBX once a service has connected: publish them as it does, so the
    # test does not depend on a service having run before it.
    settings = load_settings(service_config)
    await publish_keys(pbx_ami, settings.consent, settings.agents)
    done = doctor(service_config, IVR_AMI_USERNAME=CALL_ONLY_AMI_USER)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    write = next(line for line in lines if "AMI write classes" in line)
    assert write.startswith("ok")
    assert "call only" in write
    assert "MixMonitor" in write
    assert any(line.startswith("warn") and "ModuleCheck" in line for line in lines)
    assert any(line.startswith("ok") and "keys on the PBX" in line for line in lines)
