"""An AMI account the PBX lets in only once (manager.conf's ``allowmultiplelogin = no``, in the
user's section or under [general]), on the real Asterisk 22: what Asterisk answers to a second
login, and that the service and `ivr doctor` name that cause and its fix."""

from __future__ import annotations

import asyncio
import json
import urllib.error
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiActionError, AmiClient
from ivr.ami.login import Auth
from ivr.ami.multiple_logins import IN_USE
from tests.pbx.test_doctor import doctor
from tests.support.manager_conf import (
    SETTING,
    single_login_everywhere,
    single_login_user,
    update,
    user_shows,
)
from tests.support.service import ServiceProcess
from tests.support.targets import Target

pytestmark = pytest.mark.pbx

ONCE = "ivr-once"  # the service's account, copied with allowmultiplelogin = no
GENERAL = "ivr-general"  # the same, added after [general] says allowmultiplelogin = no
NAMED = 30.0  # seconds for the service's health to name the cause


@pytest_asyncio.fixture(params=["user", "general"])
async def single_login(
    request: pytest.FixtureRequest, pbx_ami: AmiClient, pbx_target: Target
) -> AsyncIterator[str]:
    """The user that may log in only once: set in its own section, or for every user."""
    secret = pbx_target.service_secret
    if request.param == "user":
        async with single_login_user(pbx_ami, ONCE, secret) as user:
            yield user
    else:
        async with single_login_everywhere(pbx_ami, GENERAL, secret) as user:
            yield user


async def log_in(pbx: Target, user: str, auth: Auth = Auth.PLAIN) -> AmiClient:
    client = AmiClient(ping_interval=None)
    await client.connect(pbx.ami_host, pbx.ami_port, user, pbx.service_secret, auth=auth)
    return client


@pytest.mark.parametrize("auth", [Auth.PLAIN, Auth.MD5])
async def test_asterisk_refuses_a_second_login_as_in_use_and_keeps_the_first(
    pbx_target: Target, single_login: str, auth: Auth
) -> None:
    first = await log_in(pbx_target, single_login, auth)
    try:
        with pytest.raises(AmiActionError) as refused:
            await log_in(pbx_target, single_login, auth)
        assert refused.value.message == IN_USE
        assert await first.ping() >= 0  # the session already in stays up
    finally:
        await first.close()
    await (await alone_again(pbx_target, single_login, auth)).close()


async def test_the_users_own_allowmultiplelogin_yes_lets_the_second_login_in(
    pbx_ami: AmiClient, pbx_target: Target, single_login: str
) -> None:
    """The fix doctor and the service give works, whatever [general] says."""
    first = await log_in(pbx_target, single_login)
    try:
        # The user's own `no` is changed; a user that took [general]'s gets a line of its own.
        change = "Update" if single_login == ONCE else "Append"
        await update(pbx_ami, (change, single_login, SETTING, "yes"))
        await user_shows(pbx_ami, single_login, f"{SETTING}: yes")
        second = await log_in(pbx_target, single_login)
        await second.close()
    finally:
        await first.close()


async def alone_again(pbx: Target, user: str, auth: Auth) -> AmiClient:
    """Let in once the first session is gone (Asterisk drops it just after its Goodbye)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5.0
    while True:
        try:
            return await log_in(pbx, user, auth)
        except AmiActionError as refused:
            if refused.message != IN_USE or loop.time() > deadline:
                raise


async def test_doctor_fails_several_logins_with_the_fix(
    service_config: Path, single_login: str
) -> None:
    done = doctor(service_config, IVR_AMI_USERNAME=single_login)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    found = next(line for line in lines if "several logins" in line)
    assert found.startswith("FAIL"), done.stdout
    assert f"refused a second login of user {single_login!r} ({IN_USE})" in found
    assert f"`allowmultiplelogin = yes` in the [{single_login}] section" in found
    assert any(line.startswith("ok") and "AMI login" in line for line in lines), done.stdout


def test_doctor_finds_several_logins_ok_on_the_shipped_account(service_config: Path) -> None:
    done = doctor(service_config)
    found = next(line for line in done.stdout.splitlines() if "several logins" in line)
    assert found.startswith("ok"), done.stdout
    assert "the service opens 6" in found


async def test_the_service_health_names_allowmultiplelogin_and_the_fix(
    service_config: Path, single_login: str, tmp_path: Path
) -> None:
    service = ServiceProcess(
        service_config, tmp_path / "ivr.log", env={"IVR_AMI_USERNAME": single_login}
    )
    service.spawn()
    try:
        ami = await named_in_health(service)
        assert ami["connected"] is False
        error = str(ami["last_error"])
        assert f"the PBX refused more than one login of user {single_login!r}" in error
        assert "the service needs 6 sessions" in error
        assert f"`allowmultiplelogin = yes` in the [{single_login}] section" in error
        metrics = await asyncio.to_thread(service.get_text, "/metrics")
        assert "ivr_ami_multiple_logins_refused 1.0" in metrics
        assert "allowmultiplelogin = yes" in (tmp_path / "ivr.log").read_text()
    finally:
        assert service.stop() == 0, service.log_tail()


async def named_in_health(service: ServiceProcess) -> dict[str, object]:
    """/healthz's `ami` once its last error names allowmultiplelogin (503 meanwhile)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + NAMED
    ami: dict[str, object] = {}
    while loop.time() < deadline:
        assert service.process is not None
        assert service.process.poll() is None, service.log_tail()
        try:
            body = await asyncio.to_thread(service.get, "/healthz")
        except urllib.error.HTTPError as degraded:
            body = json.loads(degraded.read())
        except OSError:  # not listening yet
            body = {}
        section = body.get("ami")
        ami = section if isinstance(section, dict) else {}
        if "allowmultiplelogin" in str(ami.get("last_error")):
            return ami
        await asyncio.sleep(0.2)
    raise AssertionError(f"health never named the cause: {ami}\n{service.log_tail()}")
