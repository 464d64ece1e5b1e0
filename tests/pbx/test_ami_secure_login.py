"""AMI login without the secret on the wire (MD5 challenge) and AMI over TLS, against the real
sandbox Asterisk 22, through a recording TCP relay that keeps every byte each way."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ivr.ami import AmiActionError, AmiClient, AmiConnectionError
from ivr.ami.login import Auth, tls_context
from ivr.ami.supervisor import AmiSupervisor
from ivr.sandbox import instance
from tests.support.targets import Target

pytestmark = pytest.mark.pbx


@dataclass
class Relay:
    """127.0.0.1:<port> -> the PBX's port, keeping what went through."""

    target: int
    sent: bytearray = field(default_factory=bytearray)  # client -> PBX
    received: bytearray = field(default_factory=bytearray)  # PBX -> client
    port: int = 0

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, kept: bytearray
    ) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                kept += data
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target)
        await asyncio.gather(
            self._pump(reader, upstream_writer, self.sent),
            self._pump(upstream_reader, writer, self.received),
        )


@contextlib.asynccontextmanager
async def relay_to(port: int) -> AsyncIterator[Relay]:
    relay = Relay(port)
    server = await asyncio.start_server(relay._serve, "127.0.0.1", 0)
    relay.port = server.sockets[0].getsockname()[1]
    async with server:
        yield relay


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
