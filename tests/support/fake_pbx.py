"""A fake PBX for the service tier: the in-process fake AMI server, plus just enough of
Asterisk's state to answer the service as the real one would — channels and their variables
(from the replayed events and the service's Setvar), AstDB, and MixMonitor writing a real WAV
file into the recordings folder (closed, its header counting every sample, when stopped or
when its channel hangs up).

The events themselves come from transcripts recorded on the real sandbox (`transcripts.py`).
"""

from __future__ import annotations

import asyncio
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.fake_ami import FakeAmi, FakeConnection, Request, frame
from tests.support.transcripts import Transcript

BYTES_PER_SECOND = 16000
GAP_CAP = 0.02  # replayed gaps are cut to this: the tier runs in seconds, order is what counts


def wav_header(data_bytes: int) -> bytes:
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, 8000, BYTES_PER_SECOND, 2, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


@dataclass
class Monitor:
    path: Path
    started: float

    def close(self) -> None:
        """Write the samples of the time it ran (a tone, never silence) and the final header."""
        data_bytes = max(2, int((time.monotonic() - self.started) * BYTES_PER_SECOND) // 2 * 2)
        samples = (b"\x00\x10\x00\xf0" * (data_bytes // 4 + 1))[:data_bytes]
        self.path.write_bytes(wav_header(data_bytes) + samples)


@dataclass
class Channel:
    name: str
    unique_id: str
    caller_num: str = ""
    bridge: str = ""
    variables: dict[str, str] = field(default_factory=dict)


class FakePbx(FakeAmi):
    def __init__(self, recordings: Path) -> None:
        super().__init__()
        self.recordings = recordings
        self.channels: dict[str, Channel] = {}  # by name
        self.astdb: dict[tuple[str, str], str] = {}
        self.globals: dict[str, str] = {}
        self.monitors: dict[str, Monitor] = {}  # by channel name
        for action in ("Setvar", "Getvar", "MixMonitor", "StopMixMonitor", "MixMonitorMute"):
            self.on(action, getattr(self, f"_{action.lower()}"))
        for action in ("DBPut", "DBDel", "DBGetTree", "CoreShowChannels", "Status", "Hangup"):
            self.on(action, getattr(self, f"_{action.lower()}"))

    # -- replay ---------------------------------------------------------------------------

    async def replay(self, transcript: Transcript, start: int = 0, stop: int | None = None) -> None:
        """Send the transcript's events ``start:stop`` as the PBX sent them, in order."""
        previous = transcript.events[start][0] if transcript.events[start:stop] else 0.0
        for after, headers in transcript.events[start:stop]:
            await asyncio.sleep(min(max(after - previous, 0.0), GAP_CAP))
            previous = after
            self.send_event(headers)

    def send_event(self, headers: list[tuple[str, str]]) -> None:
        self._apply(dict(headers))
        self.broadcast(frame(*headers))

    def _apply(self, event: dict[str, str]) -> None:
        name, channel = event.get("Event", ""), event.get("Channel", "")
        if name == "Newchannel":
            self.channels[channel] = Channel(
                channel, event.get("Uniqueid", ""), event.get("CallerIDNum", "")
            )
        elif name == "VarSet" and channel in self.channels:
            self.channels[channel].variables[event.get("Variable", "")] = event.get("Value", "")
        elif name in ("BridgeEnter", "BridgeLeave") and channel in self.channels:
            bridge = event.get("BridgeUniqueid", "") if name == "BridgeEnter" else ""
            self.channels[channel].bridge = bridge
        elif name == "Rename" and channel in self.channels:
            renamed = self.channels.pop(channel)
            renamed.name = event.get("Newname", channel)
            self.channels[renamed.name] = renamed
        elif name == "Hangup":
            monitor = self.monitors.pop(channel, None)
            if monitor is not None:
                monitor.close()
            self.channels.pop(channel, None)

    # -- actions --------------------------------------------------------------------------

    def _channel(self, connection: FakeConnection, request: Request) -> Channel | None:
        found = self.channels.get(request.get("Channel"))
        if found is None:
            connection.respond(request, "Error", ("Message", "No such channel"))
        return found

    def _setvar(self, connection: FakeConnection, request: Request) -> None:
        if not request.get("Channel"):  # a global variable, as Asterisk sets it
            self.globals[request.get("Variable")] = request.get("Value")
            connection.respond(request)
            return
        channel = self._channel(connection, request)
        if channel is not None:
            channel.variables[request.get("Variable")] = request.get("Value")
            connection.respond(request)

    def _getvar(self, connection: FakeConnection, request: Request) -> None:
        if not request.get("Channel"):
            value = self.globals.get(request.get("Variable"), "")
            connection.respond(
                request, "Success", ("Variable", request.get("Variable")), ("Value", value)
            )
            return
        channel = self._channel(connection, request)
        if channel is not None:
            value = channel.variables.get(request.get("Variable"), "")
            connection.respond(
                request, "Success", ("Variable", request.get("Variable")), ("Value", value)
            )

    def _mixmonitor(self, connection: FakeConnection, request: Request) -> None:
        channel = self._channel(connection, request)
        if channel is None:
            return
        file = request.get("File")
        if not file.startswith("/"):  # the call's recording; the agents' tones write no audio
            path = self.recordings / file
            path.write_bytes(wav_header(0) + b"\x00\x10" * 4000)  # open: its header says 0
            self.monitors[channel.name] = Monitor(path, time.monotonic())
            channel.variables["MIXMONITOR_FILENAME"] = str(path)
        connection.respond(request)

    def _stopmixmonitor(self, connection: FakeConnection, request: Request) -> None:
        monitor = self.monitors.pop(request.get("Channel"), None)
        if monitor is not None:
            monitor.close()
        connection.respond(request)

    def _hangup(self, connection: FakeConnection, request: Request) -> None:
        """Hangs up the channel as the PBX does: its Hangup event follows the answer."""
        channel = self._channel(connection, request)
        if channel is not None:
            connection.respond(request)
            self.send_event(
                [("Event", "Hangup"), ("Channel", channel.name), ("Uniqueid", channel.unique_id)]
            )

    def _mixmonitormute(self, connection: FakeConnection, request: Request) -> None:
        if self._channel(connection, request) is not None:
            connection.respond(request)

    def _dbput(self, connection: FakeConnection, request: Request) -> None:
        self.astdb[request.get("Family"), request.get("Key")] = request.get("Val")
        connection.respond(request)

    def _dbdel(self, connection: FakeConnection, request: Request) -> None:
        self.astdb.pop((request.get("Family"), request.get("Key")), None)
        connection.respond(request)

    def _dbgettree(self, connection: FakeConnection, request: Request) -> None:
        family = request.get("Family")
        rows = [
            [("Key", f"/{f}/{k}"), ("Val", v)] for (f, k), v in self.astdb.items() if f == family
        ]
        if not rows:
            connection.respond(request, "Error", ("Message", "Database entry not found"))
            return
        self._list(connection, request, "DBGetTreeResponse", rows)

    def _coreshowchannels(self, connection: FakeConnection, request: Request) -> None:
        rows = [
            [
                ("Channel", c.name),
                ("Uniqueid", c.unique_id),
                ("CallerIDNum", c.caller_num),
                ("BridgeId", c.bridge),
            ]
            for c in self.channels.values()
        ]
        self._list(connection, request, "CoreShowChannel", rows)

    def _status(self, connection: FakeConnection, request: Request) -> None:
        """As Asterisk answers it: each channel with the variables asked for, `(null)` if
        unset."""
        asked = [name for name in request.get("Variables").split(",") if name]
        rows = [
            [
                ("Channel", c.name),
                ("Uniqueid", c.unique_id),
                ("CallerIDNum", c.caller_num),
                ("BridgeID", c.bridge),
                *(("Variable", f"{n}={c.variables.get(n) or '(null)'}") for n in asked),
            ]
            for c in self.channels.values()
        ]
        self._list(connection, request, "Status", rows)

    def _list(
        self,
        connection: FakeConnection,
        request: Request,
        item: str,
        rows: list[list[tuple[str, str]]],
    ) -> None:
        aid = ("ActionID", request.action_id)
        connection.respond(request, "Success", ("EventList", "start"), ("Message", "follows"))
        for row in rows:
            connection.event(item, aid, *row)
        complete = f"{request.action}Complete"
        connection.event(complete, aid, ("EventList", "Complete"), ("ListItems", str(len(rows))))
