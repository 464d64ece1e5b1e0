"""A TCP proxy on loopback that injects network faults between a client and its server.

After asyncpg's ``trigger_connectivity_loss``: a test points its client at ``proxy.port`` and,
at the moment it chooses, delays, stalls, splits, half-closes or resets the links, each one or
all of them, and can refuse new connections for a while. Nothing here sleeps on its own: every
fault lasts until the test lifts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from dataclasses import dataclass, field

CHUNK = 65536


@dataclass
class Faults:
    """What a link does to the bytes it carries; change it at any time."""

    delay: float = 0.0  # seconds each chunk is held before it is passed on
    split: bool = False  # pass bytes on one at a time, each flushed on its own
    running: asyncio.Event = field(default_factory=asyncio.Event)  # cleared: stalled

    def __post_init__(self) -> None:
        self.running.set()


class Link:
    """One client connection and its upstream twin."""

    def __init__(
        self,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        faults: Faults,
    ) -> None:
        self.client, self.upstream, self.faults = client, upstream, faults
        self.bytes_to_client = 0
        self.closed = asyncio.Event()
        self._pumps = [
            asyncio.create_task(self._pump(upstream[0], client[1], to_client=True)),
            asyncio.create_task(self._pump(client[0], upstream[1], to_client=False)),
        ]

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, to_client: bool
    ) -> None:
        try:
            while data := await reader.read(CHUNK):
                await self.faults.running.wait()
                if self.faults.delay:
                    await asyncio.sleep(self.faults.delay)
                await self._write(writer, data)
                if to_client:
                    self.bytes_to_client += len(data)
            with contextlib.suppress(OSError):
                writer.write_eof()
        except (OSError, asyncio.IncompleteReadError):
            self.reset()
        finally:
            if all(p.done() or p is asyncio.current_task() for p in self._pumps):
                self.closed.set()

    async def _write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        if not self.faults.split:
            writer.write(data)
            await writer.drain()
            return
        for index in range(len(data)):
            writer.write(data[index : index + 1])
            await writer.drain()
            await asyncio.sleep(0)  # one byte per segment, as far as the kernel lets us

    def stall(self) -> None:
        self.faults.running.clear()

    def resume(self) -> None:
        self.faults.running.set()

    def reset(self) -> None:
        """Abort both sides with a TCP RST (SO_LINGER 0), as a dropped route or a crash does."""
        for _, writer in (self.client, self.upstream):
            sock = writer.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        current = asyncio.current_task()
        for pump in self._pumps:
            if pump is not current:
                pump.cancel()  # a stalled pump would wait for ever
        self.closed.set()

    def half_close_to_client(self) -> None:
        """The client reads EOF, yet its own writes are still accepted (and go nowhere)."""
        self.stall()
        with contextlib.suppress(OSError):
            self.client[1].write_eof()

    def half_close_to_server(self) -> None:
        """The server reads EOF (it ends the session); the client is not told by us."""
        with contextlib.suppress(OSError):
            self.upstream[1].write_eof()

    async def aclose(self) -> None:
        self.reset()
        await asyncio.gather(*self._pumps, return_exceptions=True)


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.faults = Faults()  # shared by every link unless a test gives one its own
        self.links: list[Link] = []
        self.refusing = False
        self.accepted = 0
        self.attempts = 0  # connections tried, refused ones included
        self._server: asyncio.Server | None = None
        self._new_link = asyncio.Event()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        self.port = port
        return port

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.attempts += 1
        if self.refusing:
            writer.transport.abort()
            return
        try:
            upstream = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self.accepted += 1
        self.links.append(Link((reader, writer), upstream, self.faults))
        self._new_link.set()

    @property
    def live(self) -> list[Link]:
        return [link for link in self.links if not link.closed.is_set()]

    async def next_link(self, timeout: float) -> Link:
        """The next link opened from now on."""
        count = len(self.links)
        async with asyncio.timeout(timeout):
            while len(self.links) == count:
                self._new_link.clear()
                await self._new_link.wait()
        return self.links[count]

    def reset_all(self) -> None:
        """``trigger_connectivity_loss``: every open link dies at once."""
        for link in self.live:
            link.reset()

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        await asyncio.gather(*(link.aclose() for link in self.links), return_exceptions=True)
