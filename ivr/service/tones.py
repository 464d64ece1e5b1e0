"""AMI links kept for the agents' tone alone.

MixMonitor's start beep (option ``p``) is played by the manager session that asked for it:
that session answers nothing else until the beep is over (measured: about half a second per
call). On the service's control link, 36 calls starting at once held every action, objections
included, for 18 s. Tones go through these links instead, so the control link never waits for
a beep; under a burst the last agents hear theirs a little late.
"""

from __future__ import annotations

import asyncio
import logging
import ssl

from ivr.ami import AmiClient, AmiError
from ivr.ami.login import Auth

log = logging.getLogger(__name__)

LINKS = 4
TONE_TIMEOUT = 10.0  # a beep queued behind others' still answers


class TonePool:
    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        secret: str,
        size: int = LINKS,
        *,
        auth: Auth = Auth.PLAIN,
        tls: ssl.SSLContext | None = None,
    ):
        self._login = (host, port, username, secret)
        self._security = auth, tls  # as the control link: MD5 challenge, TLS
        self._size = size
        self._free: asyncio.Queue[AmiClient] = asyncio.Queue()
        self._opened: list[AmiClient] = []

    async def action(self, name: str, fields: dict[str, str]) -> None:
        """Run one action on a tone link; AmiError if it fails or no link can be opened."""
        client = await self._take()
        try:
            await client.action(name, fields, timeout=TONE_TIMEOUT)
        finally:
            self._give(client)

    async def _take(self) -> AmiClient:
        while not self._free.empty():
            client = self._free.get_nowait()
            if client.connected:
                return client
            self._opened.remove(client)
        if len(self._opened) < self._size:
            client = AmiClient()
            self._opened.append(client)
            try:
                await client.connect(*self._login, auth=self._security[0], tls=self._security[1])
                await client.action("Events", {"EventMask": "off"})  # answers only, no events
            except (AmiError, OSError) as exc:
                self._opened.remove(client)
                raise AmiError(f"no AMI link for the agents' tone: {exc}") from exc
            return client
        return await self._free.get()

    def _give(self, client: AmiClient) -> None:
        if client.connected:
            self._free.put_nowait(client)
        elif client in self._opened:
            self._opened.remove(client)

    async def close(self) -> None:
        for client in self._opened:
            await client.close()
        self._opened.clear()
