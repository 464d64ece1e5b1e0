"""`ivr doctor` on the real PBX, about the AMI accounts beside the service's: its own account
reads manager.conf through GetConfig (write=system allows it), so an account with full rights
there is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pbx.test_doctor import doctor

pytestmark = pytest.mark.pbx


def test_doctor_warns_about_the_sandbox_admin_account_with_full_rights(
    service_config: Path,
) -> None:
    done = doctor(service_config)
    lines = done.stdout.splitlines()
    warned = [line for line in lines if "other AMI accounts" in line]
    assert len(warned) == 1, done.stdout
    assert warned[0].startswith("warn")
    assert "ivr-admin (write all)" in warned[0]
    assert "GetConfig" in warned[0]
