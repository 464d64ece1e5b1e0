"""A TCP relay on 127.0.0.1 that keeps every byte each way: what crossed the link, in clear
or not (the AMI login and TLS tests)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


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
