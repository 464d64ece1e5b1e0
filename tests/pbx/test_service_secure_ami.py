"""The running service logs in to the real PBX as [ami] says: MD5 challenge login (the secret
never crosses the link) and AMI over TLS (nothing of the session in clear), on its control link
and on the agents' tone links alike (issue 15, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import load_settings
from ivr.config.model import Settings
from ivr.sandbox import instance
from tests.support.relay import Relay, relay_to
from tests.support.service import write_config
from tests.support.service_tier import service
from tests.support.targets import Target

pytestmark = pytest.mark.pbx


def settings_through(tmp_path: Path, pbx: Target, relay: Relay, extra: str) -> Settings:
    ami = (
        f'[ami]\nhost = "127.0.0.1"\nport = {relay.port}\nusername = "{pbx.service_username}"\n'
        f'secret = "{pbx.service_secret}"\nauth = "md5"\n{extra}'
    )
    return load_settings(write_config(tmp_path, pbx, policy=ami), environ={})


async def _serve_and_beep(settings: Settings) -> None:
    async with service(settings) as runtime:
        assert runtime.supervisor.health.connected
        await runtime.tone_links.action("Ping", {})  # a tone link, logged in the same way


async def test_the_service_logs_in_with_the_md5_challenge(
    pbx_target: Target, tmp_path: Path
) -> None:
    async with relay_to(pbx_target.ami_port) as relay:
        await _serve_and_beep(settings_through(tmp_path, pbx_target, relay, ""))
    assert relay.sent.count(b"AuthType: MD5") >= 2  # the control link and a tone link
    assert pbx_target.service_secret.encode() not in relay.sent
    assert b"Secret:" not in relay.sent


async def test_the_service_runs_over_tls_with_md5_login(pbx_target: Target, tmp_path: Path) -> None:
    pbx = instance.info(pbx_target.name)
    tls = f'tls = true\nca_file = "{pbx.ami_tls_ca}"\n'
    async with relay_to(pbx.ami_tls_port) as relay:
        await _serve_and_beep(settings_through(tmp_path, pbx_target, relay, tls))
    assert relay.sent
    assert pbx_target.service_secret.encode() not in relay.sent
    assert b"Asterisk Call Manager" not in relay.received
    assert b"Pong" not in relay.received
    assert b"Response: Success" not in relay.received
