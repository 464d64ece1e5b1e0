"""A small in-process AMI server on 127.0.0.1 that replays scripted answers.

It deliberately does not use `ivr.ami.protocol`: requests are split with plain bytes ops and
answers are written as literal CRLF text, so a bug in our parser or encoder cannot hide
behind the same bug on the server side.

Default behaviour follows Asterisk 22's manager.c: banner line, Login (Success /
"Authentication accepted", or Error / "Authentication failed" then hang up), Ping -> Pong,
Logoff -> Goodbye then hang up, Command -> one `Output:` header per line, unknown action ->
Error "Invalid/unknown command". Tests override any action with `on(name, handler)`. With
`allow_multiple_login = False` (manager.conf's ``allowmultiplelogin = no``) a login of a user
already logged in is answered Error / "Login Already In Use" then hung up, before the secret is
looked at, and the session already in stays up.

As in manager.c (`do_message`: `process_events`, then `get_input`, then `process_message`), one
task serves each session: while it carries out an action, no event reaches that session; they
wait and follow the action's answer. A session that logged in with `Events: off` (or sent
`Events` with `EventMask: off`) gets answers only.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
import struct
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

BANNER = "Asterisk Call Manager/11.0.0"

Handler = Callable[["FakeConnection", "Request"], Awaitable[None] | None]


@dataclass
class Request:
    """One action as the server received it."""

    headers: list[tuple[str, str]]

    @classmethod
    def parse(cls, raw: bytes) -> Request:
        lines = raw.decode("utf-8", "surrogateescape").split("\r\n")
        pairs = [line.split(": ", 1) for line in lines if line]
        return cls([(p[0], p[1] if len(p) > 1 else "") for p in pairs])

    def get(self, key: str, default: str = "") -> str:
        for name, value in self.headers:
            if name.lower() == key.lower():
                return value
        return default

    @property
    def action(self) -> str:
        return self.get("Action")

    @property
    def action_id(self) -> str:
        return self.get("ActionID")


def frame(*headers: tuple[str, str]) -> bytes:
    """Literal AMI frame bytes."""
    return "".join(f"{key}: {value}\r\n" for key, value in headers).encode() + b"\r\n"


@dataclass
class FakeConnection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    requests: list[Request] = field(default_factory=list)
    events_on: bool = True
    busy: bool = False  # carrying out an action: events wait, as on the PBX's session thread
    held: list[bytes] = field(default_factory=list)
    logged_in: bool = False

    def push_event(self, data: bytes) -> None:
        """An event the PBX raised, for this session if it takes events, when it is free."""
        if not self.events_on:
            return
        if self.busy:
            self.held.append(data)
        else:
            self.send(data)

    def free(self) -> None:
        self.busy = False
        held, self.held = self.held, []
        for data in held:
            self.send(data)

    def send(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    def respond(self, request: Request, response: str = "Success", *extra: tuple[str, str]) -> None:
        self.send(frame(("Response", response), ("ActionID", request.action_id), *extra))

    def event(self, name: str, *extra: tuple[str, str]) -> None:
        self.send(frame(("Event", name), *extra))

    def hang_up(self) -> None:
        self.writer.close()

    def drop(self) -> None:
        """Vanish with a TCP reset instead of a clean close, like a crashed PBX."""
        if self.writer.is_closing():
            return
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


class FakeAmi:
    def __init__(self, *, username: str = "ivr", secret: str = "s3cret!") -> None:
        self.username = username
        self.secret = secret
        self.banner = BANNER
        self.commands: dict[str, list[str]] = {}
        self.answer_pings = True
        self.requests: list[Request] = []
        self.connections: list[FakeConnection] = []
        self.logins = 0
        self.allow_multiple_login = True
        self._handlers: dict[str, Handler] = {
            "login": self._login,
            "ping": self._ping,
            "logoff": self._logoff,
            "command": self._command,
            "events": self._events,
        }
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    def on(self, action: str, handler: Handler) -> None:
        self._handlers[action.lower()] = handler

    def hold(self, action: str, channel: str | None = None) -> asyncio.Event:
        """From now on, `action` (on `channel` only, if given) is answered only once the
        returned event is set: a PBX whose session thread waits on a busy channel (that
        session gets no event meanwhile)."""
        release = asyncio.Event()
        handler = self._handlers.get(action.lower(), self._unknown)

        async def held(connection: FakeConnection, request: Request) -> None:
            if channel is None or request.get("Channel") == channel:
                await release.wait()
            result = handler(connection, request)
            if inspect.isawaitable(result):
                await result

        self.on(action, held)
        return release

    async def start(self, port: int = 0) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop listening and hang up on everyone."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for connection in self.connections:
            connection.drop()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    @property
    def live(self) -> list[FakeConnection]:
        return [c for c in self.connections if not c.writer.is_closing()]

    def requests_for(self, action: str) -> list[Request]:
        return [r for r in self.requests if r.action.lower() == action.lower()]

    def broadcast(self, data: bytes) -> None:
        for connection in self.live:
            connection.push_event(data)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        connection = FakeConnection(reader, writer)
        self.connections.append(connection)
        try:
            writer.write(f"{self.banner}\r\n".encode())
            await self._serve(connection)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            self._tasks.discard(task)

    async def _serve(self, connection: FakeConnection) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                raw = await connection.reader.readuntil(b"\r\n\r\n")
                request = Request.parse(raw)
                self.requests.append(request)
                connection.requests.append(request)
                handler = self._handlers.get(request.action.lower(), self._unknown)
                connection.busy = True
                try:
                    result = handler(connection, request)
                    if inspect.isawaitable(result):
                        await result
                finally:
                    connection.free()

    def _login(self, connection: FakeConnection, request: Request) -> None:
        if not self.allow_multiple_login and self._in_use(request.get("Username")):
            connection.respond(request, "Error", ("Message", "Login Already In Use"))
            connection.hang_up()
            return
        if (request.get("Username"), request.get("Secret")) == (self.username, self.secret):
            self.logins += 1
            connection.logged_in = True
            connection.events_on = request.get("Events", "on").lower() != "off"
            connection.respond(request, "Success", ("Message", "Authentication accepted"))
            if connection.events_on:
                booted = ("Privilege", "system,all"), ("Status", "Fully Booted")
                connection.event("FullyBooted", *booted)
        else:
            connection.respond(request, "Error", ("Message", "Authentication failed"))
            connection.hang_up()

    def _in_use(self, username: str) -> bool:
        return username == self.username and any(c.logged_in for c in self.live)

    def _ping(self, connection: FakeConnection, request: Request) -> None:
        if self.answer_pings:
            timestamp = f"{time.time():.6f}"
            connection.respond(request, "Success", ("Ping", "Pong"), ("Timestamp", timestamp))

    def _events(self, connection: FakeConnection, request: Request) -> None:
        connection.events_on = request.get("EventMask", "on").lower() != "off"
        connection.respond(request, "Success", ("Events", "On" if connection.events_on else "Off"))

    def _logoff(self, connection: FakeConnection, request: Request) -> None:
        connection.respond(request, "Goodbye", ("Message", "Thanks for all the fish."))
        connection.hang_up()

    def _command(self, connection: FakeConnection, request: Request) -> None:
        cli = request.get("Command")
        lines = self.commands.get(cli)
        if lines is None:
            lines, status = [f"No such command '{cli}' (type 'core show help {cli}')"], "Error"
        else:
            status = "Success"
        output = [("Output", line) for line in lines]
        connection.respond(request, status, ("Message", "Command output follows"), *output)

    def _unknown(self, connection: FakeConnection, request: Request) -> None:
        connection.respond(request, "Error", ("Message", "Invalid/unknown command"))


def list_handler(items: Iterable[Iterable[tuple[str, str]]], item_event: str) -> Handler:
    """A list action answered the Asterisk way: start, one event per item, Complete."""
    rows = [list(item) for item in items]

    def handle(connection: FakeConnection, request: Request) -> None:
        aid = ("ActionID", request.action_id)
        connection.respond(
            request,
            "Success",
            ("EventList", "start"),
            ("Message", "Channels will follow"),
        )
        for row in rows:
            connection.event(item_event, aid, *row)
        connection.event(
            f"{request.action}Complete",
            aid,
            ("EventList", "Complete"),
            ("ListItems", str(len(rows))),
        )

    return handle


async def eventually(check: Callable[[], bool], timeout: float = 3.0, what: str = "") -> None:
    """Poll `check` until true or fail after `timeout` seconds (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        await asyncio.sleep(0.005)
