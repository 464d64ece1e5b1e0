"""After a (re)connection: the state of every call rebuilt from the PBX and the ledger.

Live calls are found with CoreShowChannels; a caller's channel is the one whose IVR_CALL is its
own unique id (agent legs inherit IVR_CALL, with another id). Its channel variables say how far
the consent flow went, MIXMONITOR_FILENAME (set by MixMonitor when it starts) and the file say
whether it is recorded. Calls the ledger holds as unfinished and the PBX no longer has ended
while the service was away: they are finished as the machine would have finished them.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ivr import names
from ivr.ami import AmiClient, AmiError, Message
from ivr.consent import inputs as i
from ivr.consent.restore import Seen, restore
from ivr.ledger.aio import AsyncLedger
from ivr.ledger.model import CallRecord, EventKind
from ivr.service.calls import Calls, CallStart
from ivr.service.pbx_memory import PbxObjection
from ivr.service.recordings import RecordingsFolder

log = logging.getLogger(__name__)

MIXMONITOR_VAR = "MIXMONITOR_FILENAME"
_VARS = (
    names.VAR_STEP,
    names.VAR_OBJECTED,
    names.VAR_PROFILE,
    names.VAR_LANGUAGE,
    MIXMONITOR_VAR,
    names.VAR_DECISION,
    names.VAR_ACCEPTED,
    names.VAR_PAUSED,
    names.VAR_PAYMENT,
)
LEDGER_LOOKBACK = timedelta(days=2)  # unfinished calls older than this are left to an operator
LEDGER_SCAN_LIMIT = 10_000
_STEP_KINDS = {
    EventKind.NOTICE_STARTED: names.Step.NOTICE_STARTED,
    EventKind.NOTICE_DONE: names.Step.NOTICE_DONE,
    EventKind.NOTICE_INCOMPLETE: names.Step.NOTICE_INCOMPLETE,
}


@dataclass(frozen=True)
class LiveCaller:
    call_id: str
    channel: str
    variables: dict[str, str]
    bridged: bool
    start: CallStart


async def live_callers(client: AmiClient) -> list[LiveCaller]:
    _, channels = await client.event_list("CoreShowChannels")
    found = await asyncio.gather(*(_caller(client, c) for c in channels))
    return [caller for caller in found if caller is not None]


async def _getvar(client: AmiClient, channel: str, variable: str) -> str:
    response = await client.action("Getvar", {"Channel": channel, "Variable": variable})
    return response.get("Value", "") or ""


async def _caller(client: AmiClient, channel: Message) -> LiveCaller | None:
    name, unique_id = channel.get("Channel", ""), channel.get("Uniqueid", "")
    try:
        if not unique_id or await _getvar(client, name, names.VAR_CALL_ID) != unique_id:
            return None  # an agent's leg, or a channel outside the consent flow
        values = await asyncio.gather(*(_getvar(client, name, v) for v in _VARS))
    except AmiError as exc:  # hung up meanwhile: the ledger pass finishes it
        log.debug("channel %s gone while rebuilding: %s", name, exc)
        return None
    variables = dict(zip(_VARS, values, strict=True))
    start = CallStart(
        variables[names.VAR_PROFILE],
        variables[names.VAR_LANGUAGE],
        channel.get("CallerIDNum"),
        channel.get("CallerIDName"),
    )
    return LiveCaller(unique_id, name, variables, bool(channel.get("BridgeId")), start)


class Rebuilder:
    def __init__(self, calls: Calls, ledger: AsyncLedger, recordings: RecordingsFolder) -> None:
        self.calls = calls
        self.ledger = ledger
        self.recordings = recordings

    async def run(self, client: AmiClient, objections: list[PbxObjection]) -> set[str]:
        """Adopt every call not tracked yet, bring the tracked ones up to date with what the PBX
        did while the link was down; the ids of the live ones."""
        objected = {o.call_id: o.at for o in objections}
        tracked_before = set(self.calls.sessions)
        self.calls.link_restored(objected, _now())
        callers = await live_callers(client)
        live = {c.call_id for c in callers}
        for caller in callers:
            if caller.call_id in tracked_before:
                self._catch_up(caller)
            elif caller.call_id not in self.calls.sessions:
                await self._adopt_live(caller, objected.get(caller.call_id))
        await self._finish_ended(live, set(objected))
        self._end_lost(tracked_before - live)
        log.info("rebuilt from the PBX: %d live call(s) in the consent flow", len(live))
        return live

    def _catch_up(self, caller: LiveCaller) -> None:
        """A call tracked through a cut link: its machine learns the step the dialplan kept, in
        case the notice ended meanwhile (it ignores a step that does not end a notice it still
        holds)."""
        try:
            step = names.Step(caller.variables[names.VAR_STEP])
        except ValueError:
            return  # not reported yet, or unknown: the machine goes on as it was
        self.calls.feed(caller.call_id, i.NoticeMissed(_now(), step))

    async def _adopt_live(self, caller: LiveCaller, objected_at: datetime | None) -> None:
        record = await self.ledger.get_call(caller.call_id)
        variables = caller.variables
        if objected_at is None and variables[names.VAR_OBJECTED] == "1":
            objected_at = _logged_objection(record) or _now()
        file_name = f"ivr-{caller.call_id}.wav"
        seen = Seen(
            step=variables[names.VAR_STEP] or None,
            objected_at=objected_at,
            objection_logged=_logged_objection(record) is not None,
            recording=bool(variables[MIXMONITOR_VAR]) or self.recordings.exists(file_name),
            bridged=caller.bridged,
            live=True,
            decision=variables[names.VAR_DECISION],
            accepted=variables[names.VAR_ACCEPTED] == "1",
            paused_by_agent=variables[names.VAR_PAUSED] == "1",
            paying=variables[names.VAR_PAYMENT] == "1",
        )
        self._adopt(caller.call_id, caller.channel, seen, caller.start)

    async def _finish_ended(self, live: set[str], objected: set[str]) -> None:
        """Unfinished in the ledger, gone from the PBX. Those the PBX kept an objection for are
        left to the objection collector, which also tidies AstDB."""
        summaries = await self.ledger.list_calls(
            since=_now() - LEDGER_LOOKBACK, limit=LEDGER_SCAN_LIMIT
        )
        for summary in summaries:
            call_id = summary.call_id
            if summary.ended_at is not None or call_id in live | objected:
                continue
            if call_id in self.calls.sessions:
                continue
            record = await self.ledger.get_call(call_id)
            if record is None or record.decision is not None:
                continue
            self._adopt(call_id, "", self._seen_ended(record), _start_of(record))

    def _seen_ended(self, record: CallRecord) -> Seen:
        kinds = [e.kind for e in record.events]
        steps = [_STEP_KINDS[k] for k in kinds if k in _STEP_KINDS]
        recorded = EventKind.RECORDING_STARTED in kinds
        return Seen(
            step=steps[-1] if steps else None,
            objected_at=_logged_objection(record),
            objection_logged=_logged_objection(record) is not None,
            recording=recorded or self.recordings.exists(f"ivr-{record.call_id}.wav"),
            bridged=False,
            live=False,
        )

    def _adopt(self, call_id: str, channel: str, seen: Seen, start: CallStart) -> None:
        tone = self.calls.decider.settings.agents.tone
        consent, commands = restore(call_id, self.calls.object_key(), seen, _now(), tone=tone)
        self.calls.adopt(consent, channel, commands, start)

    def _end_lost(self, lost: set[str]) -> None:
        """Calls tracked before the link dropped that ended meanwhile: their hang-up was lost."""
        for call_id in lost:
            self.calls.feed(call_id, i.HungUp(_now()))


def _logged_objection(record: CallRecord | None) -> datetime | None:
    if record is None:
        return None
    return next((e.at for e in record.events if e.kind is EventKind.OBJECTED), None)


def _start_of(record: CallRecord) -> CallStart:
    return CallStart(
        record.profile or "", record.language or "", record.caller_number, record.caller_name
    )


def _now() -> datetime:
    return datetime.now(UTC)
