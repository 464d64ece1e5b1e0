"""Callers played by the carrier Asterisk: real SIP calls into the PBX, RFC 4733 keys, voices.

The carrier is a second Asterisk linked to the PBX by a PJSIP trunk. A call is an AMI
``Originate`` on the carrier towards the PBX; once the PBX answers, the carrier runs the caller's
leg in its ``ivr-caller`` context (a tone or a sound file as the caller's voice). Keys are sent
with ``PlayDTMF`` on that leg, so the PBX receives RFC 4733 events exactly as from a phone.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from ivr.ami import AmiClient, EventMatch, Message, Subscription

CALLER_CONTEXT = "ivr-caller"
STORM_CONTEXT = "ivr-caller-storm"  # the carrier's leg presses IVR_STORM's keys itself
RAW_NAME_CONTEXT = "ivr-caller-raw"  # the PBX looks the caller's name up as raw bytes
TRUNK = "pbx"
DEFAULT_KEY_MS = 250


@dataclass(frozen=True)
class Voice:
    """What the caller says: a ``PlayTones`` tone (e.g. ``"440"``) or a sound file, or nothing."""

    tone: str | None = None
    file: str | None = None

    def variables(self) -> list[tuple[str, str]]:
        found = [("IVR_VOICE_TONE", self.tone), ("IVR_VOICE_FILE", self.file)]
        return [("Variable", f"{name}={value}") for name, value in found if value]


class KeyPad:
    """AMI connections kept for PlayDTMF alone.

    Asterisk holds a manager session for the whole length of a key, so keys of concurrent
    callers sent on one connection queue behind each other (measured: 250 ms keys of 5 callers
    reached the PBX up to a second late). One connection per key in flight keeps them apart.
    """

    def __init__(self, clients: Sequence[AmiClient]) -> None:
        self._free: asyncio.Queue[AmiClient] = asyncio.Queue()
        self._clients = list(clients)
        for client in clients:
            self._free.put_nowait(client)

    @classmethod
    async def open(cls, host: str, port: int, username: str, secret: str, size: int) -> KeyPad:
        clients = []
        for _ in range(size):
            client = AmiClient()
            await client.connect(host, port, username, secret)
            clients.append(client)
        return cls(clients)

    async def press(self, channel: str, digit: str, duration_ms: int) -> None:
        client = await self._free.get()
        try:
            fields = {"Channel": channel, "Digit": digit, "Duration": str(duration_ms)}
            await client.action("PlayDTMF", fields, timeout=duration_ms / 1000 + 5)
        finally:
            self._free.put_nowait(client)

    async def close(self) -> None:
        for client in self._clients:
            await client.close()


class CallerLeg:
    """One caller's leg on the carrier, identified by the unique id we gave it."""

    def __init__(
        self, ami: AmiClient, uniqueid: str, events: Subscription, keypad: KeyPad | None = None
    ) -> None:
        self.ami = ami
        self.uniqueid = uniqueid
        self._events = events
        self._keypad = keypad
        self.channel = ""

    async def wait_created(self, timeout: float) -> str:
        created = await self._events.wait_for(EventMatch("Newchannel"), timeout)
        self.channel = created.get("Channel", "")
        return self.channel

    async def wait_answered(self, timeout: float = 10.0) -> Message:
        """Until the PBX answers the call (the carrier's leg goes Up)."""
        return await self._events.wait_for(EventMatch("Newstate", {"ChannelState": "6"}), timeout)

    async def wait_hungup(self, timeout: float = 10.0) -> Message:
        return await self._events.wait_for(EventMatch("Hangup"), timeout)

    async def press(self, digit: str, duration_ms: int = DEFAULT_KEY_MS) -> None:
        """Send one key as RFC 4733 events, held for ``duration_ms``; returns once it ended."""
        if self._keypad is not None:
            await self._keypad.press(self.channel, digit, duration_ms)
            return
        fields = {"Channel": self.channel, "Digit": digit, "Duration": str(duration_ms)}
        await self.ami.action("PlayDTMF", fields, timeout=duration_ms / 1000 + 5)

    async def storm(self, keys: str, key_ms: int, gap_ms: int, timeout: float = 60.0) -> None:
        """The carrier presses ``keys`` itself (SendDTMF), each ``key_ms`` long, ``gap_ms``
        apart: no AMI round trip per key, so many callers reach hundreds of keys a second.
        Returns once the last key was sent and the caller talks again."""
        settings = (
            ("IVR_STORM", keys),
            ("IVR_STORM_MS", str(key_ms)),
            ("IVR_STORM_GAP", str(gap_ms)),
        )
        for name, value in settings:
            await self.ami.action(
                "Setvar", {"Channel": self.channel, "Variable": name, "Value": value}
            )
        back = EventMatch("Newexten", {"Context": CALLER_CONTEXT})
        with self.ami.subscribe(lambda e: e.get("Uniqueid") == self.uniqueid) as events:
            fields = {"Channel": self.channel, "Context": STORM_CONTEXT, "Exten": "s"}
            await self.ami.action("Redirect", {**fields, "Priority": "1"})
            await events.wait_for(back, timeout)

    async def hangup(self) -> None:
        await self.ami.action("Hangup", {"Channel": self.channel}, check=False)

    def close(self) -> None:
        self._events.unsubscribe()


class Carrier:
    """Places calls from the carrier instance into the PBX under test."""

    def __init__(self, ami: AmiClient, trunk: str = TRUNK, keypad: KeyPad | None = None) -> None:
        self.ami = ami
        self.trunk = trunk
        self.keypad = keypad

    async def call(
        self,
        exten: str,
        *,
        caller_num: str,
        caller_name: str = "",
        voice: Voice | None = None,
        variables: Sequence[tuple[str, str]] = (),
        timeout: float = 10.0,
    ) -> CallerLeg:
        """Dial ``exten`` on the PBX; returns once the carrier's leg exists (not yet answered)."""
        uniqueid = f"qa-{uuid.uuid4().hex}"
        events = self.ami.subscribe(lambda e: e.get("Uniqueid") == uniqueid)
        leg = CallerLeg(self.ami, uniqueid, events, self.keypad)
        fields: list[tuple[str, str]] = [
            ("Channel", f"PJSIP/{exten}@{self.trunk}"),
            ("Context", CALLER_CONTEXT),
            ("Exten", "s"),
            ("Priority", "1"),
            ("CallerID", f'"{caller_name}" <{caller_num}>' if caller_name else caller_num),
            ("Timeout", str(int(timeout * 1000))),
            ("ChannelId", uniqueid),
            ("Async", "true"),
        ]
        fields += (voice or Voice()).variables()
        fields += [("Variable", f"{name}={value}") for name, value in variables]
        await self.ami.action("Originate", fields)
        await leg.wait_created(timeout)
        return leg


async def call_with_looked_up_name(
    carrier: Carrier, exten: str, *, caller_num: str, name: bytes, timeout: float = 10.0
) -> CallerLeg:
    """A caller whose name the PBX will find as arbitrary bytes, as a CRM lookup might return
    it (CR, LF, NUL included): sent base64-encoded in a SIP header that the PBX's ``n-`` test
    extensions decode. No caller ID field of an Originate could carry such bytes."""
    uniqueid = f"qa-{uuid.uuid4().hex}"
    events = carrier.ami.subscribe(lambda e: e.get("Uniqueid") == uniqueid)
    leg = CallerLeg(carrier.ami, uniqueid, events)
    encoded = base64.b64encode(name).decode("ascii")
    fields = [
        ("Channel", f"Local/{exten}@{RAW_NAME_CONTEXT}"),
        ("Application", "Wait"),
        ("Data", "3600"),
        ("CallerID", caller_num),
        ("ChannelId", uniqueid),
        ("Variable", f"__IVR_CALLER_NAME_B64={encoded}"),
        ("Async", "true"),
    ]
    await carrier.ami.action("Originate", fields)
    await leg.wait_created(timeout)
    return leg
