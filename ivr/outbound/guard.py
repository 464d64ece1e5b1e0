"""The service's side of the dialplan handshake: each ``IvrOutbound`` UserEvent is decided
(in a worker thread: the store is SQLite) and answered in IVR_OUTBOUND on the agent's channel
within the dialplan's one second; past that the dialplan refuses on its own (fail closed)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime

from ivr.ami import AmiActionError, AmiClient, AmiError, Message
from ivr.config.model import Settings
from ivr.outbound import names
from ivr.outbound.agent_keys import AgentRefusalKeys
from ivr.outbound.config import load_outbound
from ivr.outbound.service import Outbound, OutboundInputError
from ivr.outbound.stores import STORE_ERRORS, open_outbound_store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Kept = Callable[[str, str, datetime, str], None]  # number, campaign, when, where in the call
_MASKED = ("prohib", "unavailable")  # CALLERID(num-pres) values that hide the number
ANSWER_TIMEOUT = 0.9  # seconds: the dialplan stops waiting at one second
_STOP_HEADERS = ("Number", "Campaign", "Source")  # as the PBX keeps them in AstDB
PERMISSION_DENIED = "Permission denied"  # AstDB is filed under the AMI class `system`


def _utc_now() -> datetime:
    return datetime.now(UTC)


def presented(event: Message) -> bool:
    """Whether the consumer will see the caller's number (L.221-17: never masked)."""
    presentation = event.get("Presentation", "")
    masked = any(presentation.startswith(word) for word in _MASKED)
    return bool(event.get("CallerIdNum", "")) and not masked


class OutboundGuard:
    def __init__(
        self,
        outbound: Outbound,
        language: str,
        key_timeout: float,
        clock: Clock = _utc_now,
        acting: Callable[[], AmiClient | None] | None = None,
    ) -> None:
        self.outbound = outbound
        self.language = language
        self.clock = clock
        self.pending: set[asyncio.Task[None]] = set()
        sequence = outbound.settings.agent_refusal_key
        # A sequence the PBX's feature handles (with the agent's confirmation) is not also
        # heard here: once is the refusal, twice would be two.
        self.agent_feature = names.agent_refusal_feature(sequence)
        self.agent_keys = AgentRefusalKeys("" if self.agent_feature else sequence, key_timeout)
        # Where verdicts are written: not on the listening session, whose events would wait
        # behind a Setvar on a busy channel (ivr.ami.supervisor, lanes). None: the listener's.
        self.acting = acting

    def _acting(self, listener: AmiClient) -> AmiClient:
        found = self.acting() if self.acting is not None else None
        return found or listener

    async def connected(self, client: AmiClient) -> None:
        """Tell the PBX what it needs without us, then listen (an AmiSupervisor hook)."""
        client.add_listener(lambda event: self.on_event(client, event))
        settings = self.outbound.settings
        published = (
            (names.DB_FAIL_OPEN, "1" if settings.fail_open else "0"),
            (names.DB_LANGUAGE, self.language),
            (names.DB_KEY_STOP, settings.stop_key),
            (names.DB_AGENT_FEATURE, self.agent_feature),
        )
        for key, value in published:
            fields = {"Family": names.DB_FAMILY, "Key": key, "Val": value}
            try:
                await client.action("DBPut", fields)
            except AmiActionError as exc:
                if exc.message != PERMISSION_DENIED:
                    raise
                # An AMI account with write = call: nothing to publish, nothing to collect.
                log.warning("outbound: %s; the dialplan uses its defaults (fail closed)", exc)
                return
        await self.collect(client, names.DB_UNGUARDED, self._unguarded)
        await self.collect(client, names.DB_STOPS, self._stop)

    async def collect(self, client: AmiClient, family: str, store: Kept) -> None:
        """What the PBX kept for us (unguarded calls, stop keys): stored, then forgotten."""
        try:
            _, entries = await client.event_list("DBGetTree", {"Family": family})
        except AmiError:  # an empty family answers with an error
            return
        for entry in entries:
            key = entry.get("Key", "").rsplit("/", 1)[-1]
            if key:
                await self._forget_after(client, family, key, entry.get("Val", ""), store)

    async def _forget_after(
        self, client: AmiClient, family: str, key: str, value: str, store: Kept
    ) -> None:
        epoch, number, campaign, source = [*value.split(" "), "", "", "", ""][:4]
        at = _moment(epoch) or self.clock()
        try:
            await asyncio.to_thread(store, number, campaign, at, source)
        except OutboundInputError as exc:  # nothing to store: the PBX's copy is useless too
            log.error("outbound %s: %s kept by the PBX for %s: %s", campaign, family, key, exc)
        else:
            log.info("outbound %s: %s kept by the PBX for %s stored", campaign, family, key)
        await client.action("DBDel", {"Family": family, "Key": key}, check=False)

    def _unguarded(self, number: str, campaign: str, at: datetime, _source: str) -> None:
        self.outbound.unguarded(number, campaign, at)

    def _stop(self, number: str, campaign: str, at: datetime, source: str) -> None:
        # The ledger says who asked and when, and at which moment of the call.
        who = names.STOP_WHO.get(source, "called party, stop key")
        self.outbound.stop(number, campaign, at, who)

    def on_event(self, listener: AmiClient, event: Message) -> None:
        # Every event of the link comes here: the session that acts is chosen only for the
        # two steps that act, not for the ~25 events a call brings (a measurable share).
        if event.name == "DTMFEnd" and event.get("Direction") == "Received":
            self._agent_key(event)
            return
        if event.name == "Hangup":
            self.agent_keys.ended(event.get("Channel", ""))
            return
        if event.name != "UserEvent" or event.get("UserEvent") != names.EVENT:
            return
        step = event.get("Step")
        if step == names.STEP_GUARD:
            self._spawn(self.answer(self._acting(listener), event))
        elif step == names.STEP_STOP:
            value = " ".join(
                (str(self.clock().timestamp()), *(event.get(h, "") for h in _STOP_HEADERS))
            )
            work = self._forget_after(
                self._acting(listener), names.DB_STOPS, event.get("Key", ""), value, self._stop
            )
            self._spawn(work)

    def _agent_key(self, event: Message) -> None:
        channel = event.get("Channel", "")
        found = self.agent_keys.key(channel, event.get("Digit", ""), time.monotonic())
        if found is not None:
            number, campaign = found
            log.info("outbound %s: the agent on %s reports a refusal", campaign, channel)
            self._spawn(self._agent_refusal(number, campaign, channel))

    async def _agent_refusal(self, number: str, campaign: str, channel: str) -> None:
        who = f"agent on {channel}, refusal said aloud"
        await asyncio.to_thread(self.outbound.stop, number, campaign, self.clock(), who)

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(work)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def answer(self, client: AmiClient, event: Message) -> None:
        channel = event.get("Channel", "")
        number, campaign = event.get("Number", ""), event.get("Campaign", "")
        try:
            decision = await asyncio.to_thread(
                self.outbound.guard, number, campaign, self.clock(), presented(event)
            )
        except STORE_ERRORS:  # no answer: the dialplan refuses the call itself (fail closed)
            log.exception("outbound %s on %s: no decision", campaign, channel)
            return
        value = names.verdict(decision.rule)
        if decision.allowed:
            self.agent_keys.allowed(channel, number, campaign)
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


def guard_hook(
    settings: Settings, acting: Callable[[], AmiClient | None] | None = None
) -> Callable[[AmiClient], Awaitable[None]]:
    """The guard as the service runs it: its store opened, its hook for each AMI login."""
    outbound = load_outbound(settings)
    consent = settings.consent
    language = consent.profiles[consent.default_profile].default_language
    store = open_outbound_store(settings.store, outbound.store, checkpoint_every=1.0)
    key_timeout = settings.agents.key_timeout
    guard = OutboundGuard(Outbound(outbound, store), language, key_timeout, acting=acting)
    return guard.connected
