"""The policy's actions on a call over AMI: the decision announced to the dialplan, the
recording muted for a pause, a payment step acknowledged, the agents' tone.

Each failure is logged and counted, never raised: the call goes on, and what must fail closed
does so on the PBX (an unconfirmed payment step stops the recording there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from ivr import names
from ivr.ami import AmiClient, AmiError, Message
from ivr.consent.commands import AckPayment, Announce, EndSpies, Mute, Tone
from ivr.service.metrics import Metrics
from ivr.service.tones import TonePool

log = logging.getLogger(__name__)

# The agent's tone: a MixMonitor on the agent's channel that beeps as it starts (p) and as it
# stops (P), writes no audio (s: it would start recording after a day) and deletes its empty
# file when done (d). The file lives on the PBX, outside the recordings folder.
TONE_OPTIONS = "pPds(86400)"
TONE_FOLDER = "/tmp"  # noqa: S108 - on the PBX; the file never holds audio


class CallControls:
    def __init__(
        self,
        ami: Callable[[], AmiClient | None],
        metrics: Metrics,
        tone_links: TonePool | None = None,
        urgent: Callable[[], AmiClient | None] | None = None,
    ) -> None:
        self.ami = ami
        # The session for stops that answer a caller's key: no other call's slow action queues
        # before them on the PBX's session thread. None: they share the control link.
        self.urgent = urgent or ami
        self.metrics = metrics
        self.tone_links = tone_links  # None: tones share the control link (tests, tools)
        self.tones: dict[str, int] = {}  # agent tones started per call, to name their files

    def forget(self, call_id: str) -> None:
        self.tones.pop(call_id, None)

    async def run(
        self,
        call_id: str,
        channel: str,
        command: Announce | Mute | AckPayment | Tone | EndSpies,
    ) -> None:
        match command:
            case Announce():
                await self.setvar(call_id, channel, names.VAR_DECISION, command.value)
            case Mute():
                await self._mute(call_id, channel, command)
            case AckPayment():
                await self.setvar(call_id, channel, names.VAR_PAYMENT_MUTED, "1")
            case Tone():
                await self._tone(call_id, command)
            case EndSpies():
                await self._end_spies(call_id, command.channels)

    async def setvar(self, call_id: str, channel: str, variable: str, value: str) -> bool:
        fields = {"Channel": channel, "Variable": variable, "Value": value}
        try:
            await self.action("Setvar", fields)
        except AmiError as exc:  # the caller hung up, or the link is down
            log.info("call %s: %s not set: %s", call_id, variable, exc)
            return False
        return True

    async def _mute(self, call_id: str, channel: str, mute: Mute) -> None:
        fields = {"Channel": channel, "Direction": "both", "State": "1" if mute.on else "0"}
        try:
            await self.action("MixMonitorMute", fields)
        except AmiError as exc:
            # A payment step left unconfirmed makes the PBX stop the recording itself.
            log.warning("call %s: recording not %s: %s", call_id, _muted(mute.on), exc)
            self.metrics.count("mute_errors")
            return
        log.info("call %s: recording %s", call_id, _muted(mute.on))
        await self.setvar(call_id, channel, names.VAR_PAUSED, "1" if mute.paused_by_agent else "")
        if mute.ack_payment:
            await self.setvar(call_id, channel, names.VAR_PAYMENT_MUTED, "1")

    async def _tone(self, call_id: str, tone: Tone) -> None:
        if tone.on:
            number = self.tones.setdefault(call_id, 0) + 1
            self.tones[call_id] = number
            file = f"{TONE_FOLDER}/ivr-tone-{call_id}-{number}.wav"
            name, fields = "MixMonitor", {"Channel": tone.channel, "File": file}
            fields["Options"] = TONE_OPTIONS
        else:
            name, fields = "StopMixMonitor", {"Channel": tone.channel}
        try:
            if tone.on and self.tone_links is not None:  # the start beep holds its session
                await self.tone_links.action(name, fields)
            else:
                await self.action(name, fields)
        except AmiError as exc:  # the agent hung up meanwhile
            log.info("call %s: agent tone %s: %s", call_id, name, exc)

    async def _end_spies(self, call_id: str, channels: tuple[str, ...]) -> None:
        """The supervisors listening live go at once (the PBX does the same by itself on an
        objection, ivr-listen,end-spies)."""
        for channel in channels:
            try:
                await self.action("Hangup", {"Channel": channel})
            except AmiError as exc:  # gone already: the PBX was faster
                log.info("call %s: spy %s not hung up: %s", call_id, channel, exc)
            else:
                log.info("call %s: spy %s hung up", call_id, channel)

    async def action(self, name: str, fields: dict[str, str]) -> None:
        """One action on the service's control link; AmiError if it is down or refuses."""
        await self.send(name, fields)

    def send(
        self, name: str, fields: dict[str, str], *, urgent: bool = False
    ) -> Coroutine[Any, Any, Message]:
        """`action`, written to the PBX before this returns (see `AmiClient.send`); on the
        urgent session if `urgent`."""
        client = (self.urgent if urgent else self.ami)()
        if client is None:
            raise AmiError(f"{name}: not connected to the PBX")
        return client.send(name, fields)


def _muted(on: bool) -> str:
    return "muted" if on else "unmuted"
