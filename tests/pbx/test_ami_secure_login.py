"""AMI login without the secret on the wire (MD5 challenge) and AMI over TLS, against the real
sandbox Asterisk 22, through a recording TCP relay that keeps every byte each way."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import pytest

from ivr.ami import AmiActionError, AmiClient, AmiConnectionError
from ivr.ami.login import Auth, tls_context
from ivr.ami.supervisor import AmiSupervisor
from ivr.sandbox import instance
from tests.support.relay import relay_to
from tests.support.targets import Target

pytestmark = pytest.mark.pbx


def info(target: Target) -> instance.InstanceInfo:
    return instance.info(target.name)


async def test_md5_challenge_login_never_sends_the_secret(pbx_target: Target) -> None:
    async with relay_to(pbx_target.ami_port) as relay:
        client = AmiClient(ping_interval=None)
        await client.connect(
            "127.0.0.1",
            relay.port,
            pbx_target.service_username,
            pbx_target.service_secret,
            auth=Auth.MD5,
        )
        assert await client.ping() >= 0
        await client.close()
    assert b"AuthType: MD5" in relay.sent
    assert pbx_target.service_secret.encode() not in relay.sent
    assert b"Secret:" not in relay.sent


async def test_md5_login_with_a_wrong_secret_is_refused(pbx_target: Target) -> None:
    client = AmiClient(ping_interval=None)
    with pytest.raises(AmiActionError, match="refused"):
        await client.connect(
            pbx_target.ami_host,
            pbx_target.ami_port,
            pbx_target.service_username,
            "not-the-secret",
            auth=Auth.MD5,
        )


async def test_ami_over_tls_hides_the_whole_session(pbx_target: Target) -> None:
    pbx = info(pbx_target)
    async with relay_to(pbx.ami_tls_port) as relay:
        client = AmiClient(ping_interval=None)
        await client.connect(
            "127.0.0.1",
            relay.port,
            pbx_target.service_username,
            pbx_target.service_secret,
            tls=tls_context(Path(pbx.ami_tls_ca)),
        )
        reply = await client.action("Ping")
        assert reply.get("Ping") == "Pong"
        await client.close()
    assert pbx_target.service_secret.encode() not in relay.sent
    assert b"Asterisk Call Manager" not in relay.received
    assert b"Pong" not in relay.received


async def test_tls_refuses_a_pbx_whose_certificate_it_does_not_trust(pbx_target: Target) -> None:
    untrusting = ssl.create_default_context()  # the system's CAs: the sandbox's is not one
    client = AmiClient(ping_interval=None)
    with pytest.raises(AmiConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        await client.connect(
            pbx_target.ami_host,
            info(pbx_target).ami_tls_port,
            pbx_target.service_username,
            pbx_target.service_secret,
            tls=untrusting,
        )


async def test_the_supervisor_keeps_an_md5_login_over_tls(pbx_target: Target) -> None:
    pbx = info(pbx_target)
    supervisor = AmiSupervisor(
        "127.0.0.1",
        pbx.ami_tls_port,
        pbx_target.service_username,
        pbx_target.service_secret,
        auth=Auth.MD5,
        tls=tls_context(Path(pbx.ami_tls_ca)),
    )
    running = asyncio.create_task(supervisor.run())
    try:
        client = await supervisor.wait_connected(timeout=10)
        assert (await client.action("Ping")).get("Ping") == "Pong"
        assert supervisor.health.connected
    finally:
        supervisor.stop()
        await running
