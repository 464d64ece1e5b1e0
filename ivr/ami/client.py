"""`AmiClient`: one object, one AMI connection.

Actions are correlated to responses by ActionID through futures, and every action has a
deadline. Events go to synchronous listeners (the cheap path, called in the read loop) and to
buffered `Subscription`s. When the link dies, for whatever reason, one place (`_abort`) fails
every pending action with AmiConnectionError and tells every subscription. Reconnecting is
not this object's job: see `ivr.ami.supervisor`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
import ssl
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from ivr.ami.errors import (
    AmiActionError,
    AmiConnectionError,
    AmiError,
    AmiProtocolError,
    AmiTimeout,
)
from ivr.ami.events import DEFAULT_BUFFER, Predicate, Subscription
from ivr.ami.login import Auth, md5_key
from ivr.ami.message import message_from_text
from ivr.ami.protocol import (
    BANNER_PREFIX,
    DEFAULT_MAX_FRAME,
    Fields,
    FrameParser,
    Message,
    encode_action,
)
from ivr.ami.tracking import EventList, fail_future, hide_digits, redacted

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

Listener = Callable[[Message], object]
READ_SIZE = 256 * 1024
# StreamReader pauses the socket past 2 * limit; a larger limit lets one read carry a burst.
_STREAM_LIMIT = 1024 * 1024


class AmiClient:
    """An asyncio AMI client owning a single connection; not reusable once closed."""

    def __init__(
        self,
        *,
        ping_interval: float | None = 10.0,
        ping_timeout: float = 5.0,
        events: str = "on",
        max_frame: int = DEFAULT_MAX_FRAME,
        action_timeout: float = 5.0,
    ) -> None:
        self.action_timeout = action_timeout  # the deadline of an action not given its own
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.events = events
        self._parser = FrameParser(max_frame)
        self._ids = itertools.count(1)
        self._id_prefix = f"ivr-{secrets.token_hex(3)}-"
        self._pending: dict[str, asyncio.Future[Message]] = {}
        self._lists: dict[str, EventList] = {}
        self._deadlines: dict[asyncio.Future[Any], float] = {}
        self._listeners: tuple[Listener, ...] = ()
        self._subscriptions: tuple[Subscription, ...] = ()
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._peer = "(not connected)"
        self._closing = False
        self._close_reason: AmiConnectionError | None = None
        self._closed = asyncio.Event()
        self._log_level = logging.INFO

    # -- connection -------------------------------------------------------------------------

    async def connect(
        self,
        host: str,
        port: int,
        username: str,
        secret: str,
        *,
        timeout: float = 5.0,
        auth: Auth = Auth.PLAIN,
        tls: ssl.SSLContext | None = None,
        one_of_many: bool = False,
    ) -> None:
        """Open the link (over TLS with `tls`), check the banner and log in (MD5 challenge with
        ``auth=Auth.MD5``: the secret never crosses the link), all within `timeout` seconds.
        ``one_of_many``: a session of a link whose owner (the supervisor) logs its connect and
        close once for all its sessions: this one's go to DEBUG.

        Raise AmiActionError if Asterisk refuses the credentials, AmiConnectionError if the
        server cannot be reached, AmiTimeout if it does not answer in time.
        """
        if self._writer is not None or self._close_reason is not None:
            raise RuntimeError("an AmiClient owns one connection; create a new one")
        self._peer = f"{host}:{port}"
        self._log_level = logging.DEBUG if one_of_many else logging.INFO
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        reader, self._writer = await self._open(host, port, timeout, tls)
        self._tasks.append(asyncio.create_task(self._read_loop(reader), name="ami-reader"))
        await self._login(username, secret, max(0.0, deadline - loop.time()), auth)
        if self.ping_interval is not None:
            watchdog = self._watchdog(self.ping_interval, self.ping_timeout)
            self._tasks.append(asyncio.create_task(watchdog, name="ami-ping"))
        _log.log(self._log_level, "AMI connected to %s as %s (%s)", self._peer, username,
                 self.banner)  # fmt: skip

    async def _open(
        self, host: str, port: int, timeout: float, tls: ssl.SSLContext | None
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, limit=_STREAM_LIMIT, ssl=tls
                )
                try:
                    banner = await reader.readline()
                except BaseException:
                    writer.close()
                    raise
        except TimeoutError:
            raise AmiTimeout(f"connecting to AMI at {self._peer}", timeout) from None
        except (OSError, ValueError) as exc:
            raise AmiConnectionError(f"cannot connect to AMI at {self._peer}: {exc}") from exc
        if not banner.startswith(BANNER_PREFIX):
            writer.close()
            if not banner:
                raise AmiConnectionError(f"{self._peer} hung up before greeting")
            raise AmiProtocolError(f"{self._peer} is not an AMI server; it said {banner[:80]!r}")
        self._parser.feed(banner)
        return reader, writer

    async def _login(self, username: str, secret: str, timeout: float, auth: Auth) -> None:
        try:
            fields = await self._credentials(username, secret, timeout, auth)
            response = await self.action("Login", fields, timeout=timeout, check=False)
        except AmiError:
            await self._shutdown(AmiConnectionError("login did not complete"))
            raise
        except BaseException:  # cancelled: do not leave a reader task behind
            self._abort(AmiConnectionError("login cancelled"))
            raise
        if response.is_error:
            reason = response.get("Message") or "no reason given"
            await self._shutdown(AmiConnectionError(f"login refused: {reason}"))
            raise AmiActionError(response, f"AMI login as {username!r} refused: {reason}")

    async def _credentials(
        self, username: str, secret: str, timeout: float, auth: Auth
    ) -> dict[str, str]:
        if auth is Auth.PLAIN:
            return {"Username": username, "Secret": secret, "Events": self.events}
        challenge = await self.action("Challenge", {"AuthType": "MD5"}, timeout=timeout)
        key = md5_key(challenge.get("Challenge") or "", secret)
        return {"AuthType": "MD5", "Username": username, "Key": key, "Events": self.events}

    async def close(self, *, timeout: float = 2.0) -> None:
        """Log off (best effort, within `timeout`), close the link and wait for our tasks."""
        if self._close_reason is None and self._writer is not None:
            self._closing = True
            try:
                await self.action("Logoff", timeout=timeout, check=False)
            except AmiError as exc:
                _log.debug("AMI Logoff on %s failed: %s", self._peer, exc)
        await self._shutdown(AmiConnectionError("closed by the client"))

    async def _shutdown(self, reason: AmiConnectionError) -> None:
        self._abort(reason)
        current = asyncio.current_task()
        others = [task for task in self._tasks if task is not current]
        await asyncio.gather(*others, return_exceptions=True)
        if self._writer is not None:
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()

    def _abort(self, reason: AmiConnectionError) -> None:
        """The single place where the link ends: fail and notify everything, once."""
        if self._close_reason is not None:
            return
        self._close_reason = reason
        _log.log(self._log_level, "AMI link to %s closed: %s", self._peer, reason)
        if self._writer is not None:
            self._writer.close()
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        for future in self._pending.values():
            fail_future(future, AmiConnectionError(str(reason)))
        for pending_list in self._lists.values():
            pending_list.fail(AmiConnectionError(str(reason)))
        for subscription in self._subscriptions:
            subscription.close(reason)
        self._closed.set()

    @property
    def connected(self) -> bool:
        return self._writer is not None and self._close_reason is None

    @property
    def in_flight(self) -> int:
        """Actions and lists sent and not answered yet: the PBX serves a session's actions one
        at a time, so a new one waits behind these."""
        return len(self._pending) + len(self._lists)

    @property
    def banner(self) -> str | None:
        """The `Asterisk Call Manager/x.y.z` line the server greeted us with."""
        return self._parser.banner

    @property
    def close_reason(self) -> AmiConnectionError | None:
        return self._close_reason

    async def wait_closed(self) -> AmiConnectionError:
        """Wait until the link is gone; return why."""
        await self._closed.wait()
        return self._close_reason or AmiConnectionError("closed")

    # -- reading ----------------------------------------------------------------------------

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        feed, route = self._parser.feed_frames, self._route
        try:
            while data := await reader.read(READ_SIZE):
                debug = _log.isEnabledFor(logging.DEBUG)
                for frame in feed(data):
                    if debug:  # per frame, keys hidden: they may be card digits
                        _log.debug("AMI <- %s %r", self._peer, hide_digits(frame))
                    route(message_from_text(frame))
            reason = "closed by the client" if self._closing else "the server closed the link"
            self._abort(AmiConnectionError(reason))
        except AmiProtocolError as exc:
            self._abort(AmiConnectionError(f"protocol error: {exc}"))
        except OSError as exc:
            self._abort(AmiConnectionError(f"read failed: {exc!r}"))

    def _route(self, message: Message) -> None:
        if message.name is None:
            self._resolve(message)
            return
        if self._lists:
            pending_list = self._lists.get(message.action_id or "")
            if pending_list is not None:
                pending_list.on_event(message)
                return
        for listener in self._listeners:
            try:
                listener(message)
            except Exception:
                _log.exception("AMI listener %r failed on %s", listener, message.name)
        for subscription in self._subscriptions:
            try:
                subscription.offer(message)
            except Exception:
                _log.exception("AMI subscription predicate failed on %s", message.name)

    def _resolve(self, response: Message) -> None:
        action_id = response.action_id
        if action_id is None:
            _log.warning("AMI %s sent a reply without ActionID: %r", self._peer, response)
            return
        future = self._pending.pop(action_id, None)
        if future is not None:
            if not future.done():
                future.set_result(response)
            return
        pending_list = self._lists.get(action_id)
        if pending_list is not None:
            pending_list.on_response(response)
            return
        _log.debug("AMI reply for no waiting action (late?): %r", response)

    # -- actions ----------------------------------------------------------------------------

    async def action(
        self,
        name: str,
        fields: Fields | None = None,
        *,
        timeout: float | None = None,
        check: bool = True,
    ) -> Message:
        """Send an action and return its response.

        Raise AmiTimeout past `timeout`, AmiConnectionError if the link drops meanwhile,
        AmiActionError on `Response: Error` when `check` is true, AmiInjectionError (nothing
        sent) if a field contains CR, LF or NUL.
        """
        return await self.send(name, fields, timeout=timeout, check=check)

    def send(
        self,
        name: str,
        fields: Fields | None = None,
        *,
        timeout: float | None = None,
        check: bool = True,
    ) -> Coroutine[Any, Any, Message]:
        """`action`, written to the socket before this returns rather than once the caller's
        task runs: for the one action that must not wait its turn of the event loop (an
        objection's stop, decided in a listener). Await the result for the response. What
        `action` raises before anything is sent (not connected, injection), this raises now.
        """
        if timeout is None:
            timeout = self.action_timeout
        action_id = f"{self._id_prefix}{next(self._ids)}"
        data = encode_action(name, fields, action_id)
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        what = f"{name} (ActionID {action_id})"
        self._pending[action_id] = future
        try:
            self._write(data, future, what, name, fields, timeout)
        except BaseException:
            self._pending.pop(action_id, None)
            raise
        return self._response(name, action_id, future, what, timeout, check=check)

    async def _response(
        self,
        name: str,
        action_id: str,
        future: asyncio.Future[Message],
        what: str,
        timeout: float,
        *,
        check: bool,
    ) -> Message:
        try:
            response = await self._wait(future, what, timeout)
        finally:
            self._pending.pop(action_id, None)
        if check and response.is_error:
            raise AmiActionError(response, f"{name} failed: {response.get('Message')}")
        return response

    async def event_list(
        self, name: str, fields: Fields | None = None, *, timeout: float = 10.0
    ) -> tuple[Message, list[Message]]:
        """Send a list action (CoreShowChannels, Status, ...); return its response and every
        event carrying its ActionID, up to the `EventList: Complete` marker (not included).

        A response without `EventList: start` gives an empty list. The deadline covers the
        whole list.
        """
        action_id = f"{self._id_prefix}{next(self._ids)}"
        data = encode_action(name, fields, action_id)
        future: asyncio.Future[tuple[Message, list[Message]]]
        future = asyncio.get_running_loop().create_future()
        self._lists[action_id] = EventList(name, future)
        try:
            what = f"{name} event list (ActionID {action_id})"
            return await self._exchange(data, future, what, name, fields, timeout)
        finally:
            self._lists.pop(action_id, None)

    async def _exchange(
        self,
        data: bytes,
        future: asyncio.Future[_T],
        what: str,
        name: str,
        fields: Fields | None,
        timeout: float,
    ) -> _T:
        self._write(data, future, what, name, fields, timeout)
        return await self._wait(future, what, timeout)

    def _write(
        self,
        data: bytes,
        future: asyncio.Future[_T],
        what: str,
        name: str,
        fields: Fields | None,
        timeout: float,
    ) -> None:
        """The action on the socket now; its deadline counts from here."""
        if self._close_reason is not None or self._writer is None:
            raise AmiConnectionError(f"{what}: {self._close_reason or 'not connected'}")
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("AMI -> %s %s", self._peer, redacted(name, fields))
        try:
            self._writer.write(data)
        except OSError as exc:
            self._abort(AmiConnectionError(f"write failed: {exc!r}"))
            raise AmiConnectionError(f"{what}: write failed: {exc!r}") from exc
        self._deadlines[future] = asyncio.get_running_loop().time() + timeout

    async def _wait(self, future: asyncio.Future[_T], what: str, timeout: float) -> _T:
        """The response to an action `_write` sent, by its deadline."""
        try:
            async with asyncio.timeout_at(self._deadlines[future]):
                if self._writer is not None:  # None: the link dropped, the future says why
                    await self._writer.drain()
                return await future
        except AmiError:
            raise
        except TimeoutError:
            raise AmiTimeout(what, timeout) from None
        except OSError as exc:
            self._abort(AmiConnectionError(f"write failed: {exc!r}"))
            raise AmiConnectionError(f"{what}: write failed: {exc!r}") from exc
        finally:
            del self._deadlines[future]

    async def command(self, cli: str, *, timeout: float = 10.0) -> str:
        """Run a CLI command; return its output lines joined with "\\n".

        Raise AmiActionError with the output (e.g. "No such command") if Asterisk says Error.
        """
        response = await self.action("Command", {"Command": cli}, timeout=timeout, check=False)
        output = "\n".join(response.get_all("Output"))
        if response.is_error:
            detail = output or response.get("Message", "")
            raise AmiActionError(response, f"command {cli!r} failed: {detail}")
        return output

    async def ping(self, *, timeout: float = 5.0) -> float:
        """Round-trip a Ping; return the seconds it took. AmiProtocolError if no Pong."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        response = await self.action("Ping", timeout=timeout, check=False)
        if response.is_error or (response.get("Ping") or "").lower() != "pong":
            raise AmiProtocolError(f"Ping was not answered with Pong: {response!r}")
        return loop.time() - start

    async def _watchdog(self, interval: float, timeout: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.ping(timeout=max(timeout, self._longest_wait()))
            except AmiConnectionError:
                return
            except AmiError as exc:
                _log.warning("AMI ping watchdog on %s: %s; dropping the link", self._peer, exc)
                self._abort(AmiConnectionError(f"ping watchdog: {exc}"))
                return

    def _longest_wait(self) -> float:
        """Seconds until the last deadline of the actions in flight.

        Asterisk handles one action at a time per session, and a non-Async Originate holds
        the session until the call is answered: a Ping sent meanwhile is answered only after
        it. The watchdog grants its Ping that long rather than kill a healthy link.
        """
        now = asyncio.get_running_loop().time()
        return max((deadline - now for deadline in self._deadlines.values()), default=0.0)

    # -- events -----------------------------------------------------------------------------

    def add_listener(self, callback: Listener) -> None:
        """Call `callback(event)` synchronously for every event, in the read loop.

        The cheap path: keep it short and non-blocking; an exception is logged and ignored.
        Events answering an `event_list` go to that list, not here.
        """
        self._listeners = (*self._listeners, callback)

    def remove_listener(self, callback: Listener) -> None:
        self._listeners = tuple(cb for cb in self._listeners if cb is not callback)

    def subscribe(
        self, predicate: Predicate | None = None, *, maxlen: int = DEFAULT_BUFFER
    ) -> Subscription:
        """Buffer every event matching `predicate` from now on (see `Subscription`)."""
        subscription = Subscription(predicate, self._detach, maxlen)
        if self._close_reason is not None:
            subscription.close(self._close_reason)
        else:
            self._subscriptions = (*self._subscriptions, subscription)
        return subscription

    def _detach(self, subscription: Subscription) -> None:
        self._subscriptions = tuple(s for s in self._subscriptions if s is not subscription)
