"""`AmiSupervisor`: keeps one AMI link up, with backoff, and reports its health.

The client never reconnects by itself; this is the only place that does, so the policy
(exponential backoff with jitter, capped) and its visible state (`AmiHealth`) live together.
After every successful login the `on_connected` hooks run, so the service can re-subscribe
and re-read the state it missed during the gap; if a hook fails, the link is dropped and
retried, because a half-synchronised service is worse than a visible outage.

Besides the listening link it may keep *lanes*: more sessions of the same account, named, for
actions only (their clients log in with ``Events: off``). Asterisk serves each manager session
on one thread, which carries out that session's actions and writes its events in turn
(manager.c, ``do_message``): an action waiting on a busy channel holds back every event of its
session. Actions sent on a lane never delay what the listener hears. The set is one link: it
is up only when every session is, and when one drops the others are closed and all of them
reconnect, so the hooks re-synchronise once, as after any cut. A PBX that lets the account in
only once (manager.conf's ``allowmultiplelogin = no``) refuses the other sessions: the health
then names that cause and its fix (`ivr.ami.multiple_logins`), not the first refusal's text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, replace

from ivr.ami import multiple_logins
from ivr.ami.client import AmiClient
from ivr.ami.errors import AmiConnectionError, AmiError, AmiTimeout
from ivr.ami.login import Auth

_log = logging.getLogger(__name__)

ConnectedHook = Callable[[AmiClient], Awaitable[None]]
ClientFactory = Callable[[], AmiClient]


@dataclass(frozen=True)
class Backoff:
    """Delay before reconnect attempt n: initial * factor**n, capped at `maximum`, then
    spread by +/- `jitter` (a fraction) so that many services do not reconnect in step."""

    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if not 0 < self.initial <= self.maximum:
            raise ValueError("Backoff needs 0 < initial <= maximum")
        if self.factor < 1 or not 0 <= self.jitter < 1:
            raise ValueError("Backoff needs factor >= 1 and 0 <= jitter < 1")

    def delay(self, attempt: int, rng: random.Random) -> float:
        base = min(self.maximum, self.initial * self.factor ** min(attempt, 64))
        return min(self.maximum, base * (1 + rng.uniform(-self.jitter, self.jitter)))


@dataclass(frozen=True)
class AmiHealth:
    """What an HTTP health endpoint shows about the AMI link."""

    connected: bool = False
    since: float | None = None  # wall-clock time of the last change of `connected`
    last_error: str | None = None
    reconnects: int = 0  # successful logins after a lost link
    last_gap: float | None = None  # seconds the last outage lasted

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class AmiSupervisor:
    """Connect, keep connected, and reconnect with backoff until `stop()`."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        secret: str,
        *,
        backoff: Backoff | None = None,
        connect_timeout: float = 5.0,
        client_factory: ClientFactory = AmiClient,
        rng: random.Random | None = None,
        auth: Auth = Auth.PLAIN,
        tls: ssl.SSLContext | None = None,
        lanes: Mapping[str, ClientFactory] | None = None,
    ) -> None:
        self.host, self.port, self.username = host, port, username
        self._lane_factories = dict(lanes or {})  # name -> a client that logs in Events: off
        self._lanes: dict[str, AmiClient] = {}
        self._secret = secret
        self._auth, self._tls = auth, tls  # MD5 challenge login, AMI over TLS
        self.backoff = backoff or Backoff()
        self.connect_timeout = connect_timeout
        self.on_connected: list[ConnectedHook] = []
        self._factory = client_factory
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._health = AmiHealth()
        self._client: AmiClient | None = None
        self._up = asyncio.Event()
        self._stopping = asyncio.Event()
        self._lost_at: float | None = None
        self._single_login = False  # the last attempt met `allowmultiplelogin = no`

    @property
    def health(self) -> AmiHealth:
        return self._health

    @property
    def client(self) -> AmiClient | None:
        """The live client, or None while disconnected."""
        return self._client

    @property
    def multiple_logins_refused(self) -> bool:
        """True while the PBX refuses this account more than one session (until a login of
        every session succeeds, or an attempt fails for another reason)."""
        return self._single_login

    def lane(self, name: str) -> AmiClient | None:
        """The lane's live client, or None while the link is down. Usable while the
        `on_connected` hooks run, before `client` is."""
        client = self._lanes.get(name)
        return client if client is not None and client.connected else None

    async def wait_connected(self, timeout: float) -> AmiClient:
        """Return the live client, waiting up to `timeout` seconds for one."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            client = self._client
            if client is not None and client.connected:
                return client
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                async with asyncio.timeout(max(0.0, remaining)):
                    await self._up.wait()
            except TimeoutError:
                what = f"AMI connection to {self.host}:{self.port}"
                raise AmiTimeout(what, timeout) from None
            await asyncio.sleep(0)

    def stop(self) -> None:
        """Ask `run()` to log off and return."""
        self._stopping.set()

    async def run(self) -> None:
        """Keep the link up until `stop()`; closes the client on the way out."""
        attempt = 0
        try:
            while not self._stopping.is_set():
                client = await self._try_connect()
                if client is None:
                    await self._pause(self.backoff.delay(attempt, self._rng))
                    attempt += 1
                    continue
                attempt = 0
                await self._serve(client)
        finally:
            if self._client is not None:
                await self._client.close()
                self._client = None
            await self._close_lanes()

    async def _try_connect(self) -> AmiClient | None:
        client = self._factory()
        lanes = {name: factory() for name, factory in self._lane_factories.items()}
        results = await asyncio.gather(
            self._connect(client), *(self._connect(lane) for lane in lanes.values())
        )
        failures = [exc for exc in results if exc is not None]
        if failures:
            reason = self._refusal(failures, len(results))
            _log.warning("AMI connect to %s:%s failed: %s", self.host, self.port, reason)
            self._health = replace(self._health, last_error=reason)
            await asyncio.gather(*(c.close() for c in (client, *lanes.values())))
            return None
        self._single_login = False
        self._lanes = lanes
        if await self._run_hooks(client):
            return client
        await self._close_lanes()
        return None

    def _refusal(self, failures: list[AmiError | OSError], sessions: int) -> str:
        """Why the link stays down: refusals as "already in use" name that cause and its fix,
        whatever the other sessions met; anything else is the first failure's own words."""
        self._single_login = any(multiple_logins.refused_as_in_use(f) for f in failures)
        if not self._single_login:
            return str(failures[0])
        logged_in = sessions - len(failures)
        return multiple_logins.refused(self.username, sessions, logged_in)

    async def _connect(self, client: AmiClient) -> AmiError | OSError | None:
        try:
            await client.connect(
                self.host,
                self.port,
                self.username,
                self._secret,
                timeout=self.connect_timeout,
                auth=self._auth,
                tls=self._tls,
                one_of_many=True,
            )
        except (AmiError, OSError) as exc:
            return exc
        return None

    async def _close_lanes(self) -> None:
        lanes, self._lanes = self._lanes, {}
        await asyncio.gather(*(lane.close() for lane in lanes.values()))

    async def _run_hooks(self, client: AmiClient) -> bool:
        for hook in self.on_connected:
            try:
                await hook(client)
            except Exception as exc:
                _log.exception("AMI on_connected hook %r failed; dropping the link", hook)
                self._health = replace(self._health, last_error=f"on_connected hook: {exc!r}")
                await client.close()
                return False
        return True

    async def _serve(self, client: AmiClient) -> None:
        self._mark_up(client)
        sessions = (client, *self._lanes.values())
        _log.info("AMI link to %s:%s up (%d sessions) as %s (%s)", self.host, self.port,
                  len(sessions), self.username, client.banner)  # fmt: skip
        waits: set[asyncio.Task[object]] = {asyncio.create_task(c.wait_closed()) for c in sessions}
        waits.add(asyncio.create_task(self._stopping.wait()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
        # The first session to drop says why; the others go with it.
        reason = next((c.close_reason for c in sessions if c.close_reason is not None), None)
        await client.close()
        await self._close_lanes()
        reason = reason or client.close_reason or AmiConnectionError("closed")
        _log.info("AMI link to %s:%s closed (%d sessions): %s", self.host, self.port,
                  len(sessions), reason)  # fmt: skip
        self._mark_down(reason)

    def _mark_up(self, client: AmiClient) -> None:
        health = self._health
        if self._lost_at is not None:
            gap = time.monotonic() - self._lost_at
            health = replace(health, reconnects=health.reconnects + 1, last_gap=gap)
        self._health = replace(health, connected=True, since=time.time())
        self._client = client
        self._up.set()

    def _mark_down(self, reason: AmiConnectionError) -> None:
        self._client = None
        self._up.clear()
        self._lost_at = time.monotonic()
        self._health = replace(
            self._health, connected=False, since=time.time(), last_error=str(reason)
        )

    async def _pause(self, delay: float) -> None:
        _log.info("AMI reconnect to %s:%s in %.2f s", self.host, self.port, delay)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._stopping.wait()
