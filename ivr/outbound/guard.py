"""The service's side of the dialplan handshake: each ``IvrOutbound`` UserEvent is decided
(in a worker thread: the store is SQLite) and answered in IVR_OUTBOUND on the agent's channel
within the dialplan's one second; past that the dialplan refuses on its own (fail closed)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from ivr.ami import AmiClient, AmiError, Message
from ivr.config.model import Settings
from ivr.outbound import names
from ivr.outbound.config import load_outbound
from ivr.outbound.service import Outbound
from ivr.outbound.store import SqliteOutboundStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
_MASKED = ("prohib", "unavailable")  # CALLERID(num-pres) values that hide the number
ANSWER_TIMEOUT = 0.9  # seconds: the dialplan stops waiting at one second


def _utc_now() -> datetime:
    return datetime.now(UTC)


def presented(event: Message) -> bool:
    """Whether the consumer will see the caller's number (L.221-17: never masked)."""
    presentation = event.get("Presentation", "")
    masked = any(presentation.startswith(word) for word in _MASKED)
    return bool(event.get("CallerIdNum", "")) and not masked


class OutboundGuard:
    def __init__(self, outbound: Outbound, language: str, clock: Clock = _utc_now) -> None:
        self.outbound = outbound
        self.language = language
        self.clock = clock
        self.pending: set[asyncio.Task[None]] = set()

    async def connected(self, client: AmiClient) -> None:
        """Tell the PBX what it needs without us, then listen (an AmiSupervisor hook)."""
        client.add_listener(lambda event: self.on_event(client, event))
        fail_open = "1" if self.outbound.settings.fail_open else "0"
        for key, value in ((names.DB_FAIL_OPEN, fail_open), (names.DB_LANGUAGE, self.language)):
            await client.action("DBPut", {"Family": names.DB_FAMILY, "Key": key, "Val": value})
        await self.collect_unguarded(client)

    async def collect_unguarded(self, client: AmiClient) -> None:
        """Calls the PBX placed while we were away (fail-open): each is logged and counted as
        an attempt, then forgotten by the PBX."""
        try:
            _, entries = await client.event_list("DBGetTree", {"Family": names.DB_UNGUARDED})
        except AmiError:  # an empty family answers with an error
            return
        for entry in entries:
            key = entry.get("Key", "").rsplit("/", 1)[-1]
            if not key:
                continue
            epoch, number, campaign = [*entry.get("Val", "").split(" "), "", "", ""][:3]
            at = _moment(epoch) or self.clock()
            await asyncio.to_thread(self.outbound.unguarded, number, campaign, at)
            log.warning("outbound %s to %s placed unguarded at %s (fail-open)", campaign, key, at)
            await client.action("DBDel", {"Family": names.DB_UNGUARDED, "Key": key}, check=False)

    def on_event(self, client: AmiClient, event: Message) -> None:
        if event.name != "UserEvent" or event.get("UserEvent") != names.EVENT:
            return
        task = asyncio.create_task(self.answer(client, event))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def answer(self, client: AmiClient, event: Message) -> None:
        channel = event.get("Channel", "")
        number, campaign = event.get("Number", ""), event.get("Campaign", "")
        decision = await asyncio.to_thread(
            self.outbound.guard, number, campaign, self.clock(), presented(event)
        )
        value = names.verdict(decision.rule)
        log.info("outbound %s on %s (%s): %s", campaign, channel, event.get("Uniqueid"), value)
        fields = {"Channel": channel, "Variable": names.VAR_VERDICT, "Value": value}
        try:
            await client.action("Setvar", fields, timeout=ANSWER_TIMEOUT)
        except AmiError as exc:  # the agent hung up, or the link dropped: nothing was placed
            log.info("outbound verdict for %s not delivered: %s", channel, exc)


def _moment(epoch: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(epoch), UTC)
    except ValueError:
        return None


def guard_hook(settings: Settings) -> Callable[[AmiClient], Awaitable[None]]:
    """The guard as the service runs it: its store opened, its hook for each AMI login."""
    outbound = load_outbound(settings)
    consent = settings.consent
    language = consent.profiles[consent.default_profile].default_language
    store = SqliteOutboundStore(outbound.store)
    return OutboundGuard(Outbound(outbound, store), language).connected
