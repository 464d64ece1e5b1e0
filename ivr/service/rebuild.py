"""After a (re)connection: the state of every call rebuilt from the PBX and the ledger.

Live calls and their channel variables come in one `Status` request (filed under the AMI class
`call`, where CoreShowChannels needs `system`); a caller's channel is the one whose IVR_CALL is
its own unique id (agent legs inherit IVR_CALL, with another id). Its channel variables say how
far the consent flow went (and IVR_PRIVATE, whether its agent made it private);
MIXMONITOR_FILENAME (set by MixMonitor when it starts) and the file say whether it is recorded.
The same listing names the agents in each caller's bridge, the agent each agent's leg was
dialled as (DIALEDPEERNUMBER, for new listen asks) and, with AstDB's notes, the supervisors
listening (`ivr.service.rebuild_live`). Calls the ledger
holds as unfinished and the PBX no longer has ended while the service was away: they are
finished as the machine would have finished them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ivr import names
from ivr.ami import AmiClient, Message
from ivr.clock import Clock
from ivr.consent.inputs import Seen
from ivr.ledger.aio import AsyncLedger
from ivr.ledger.model import CallRecord, EventKind
from ivr.listen.service import Listening, agent_of
from ivr.recordings.folder import RecordingsFolder
from ivr.service.calls import Calls, CallStart
from ivr.service.pbx_memory import PbxObjection
from ivr.service.rebuild_live import readopt_spies, restore_agents

log = logging.getLogger(__name__)

MIXMONITOR_VAR = "MIXMONITOR_FILENAME"
# Set by Dial on each channel it creates, to the dial string's resource (`agent@carrier`,
# `1001`): the agent an agent's leg was dialled as, kept for as long as the channel is up.
DIALLED_VAR = "DIALEDPEERNUMBER"
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
    names.VAR_ARM,
    names.VAR_PRIVATE,
)
_ASKED = (names.VAR_CALL_ID, names.VAR_LISTEN_TO, DIALLED_VAR, *_VARS)
_UNSET = "(null)"
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
    bridge: str = ""


async def live_channels(client: AmiClient) -> list[Message]:
    """Every channel, with the variables the consent flow and live listening left on it: one
    request, whatever the number of calls (Status lists each channel with the variables asked
    for)."""
    _, channels = await client.event_list("Status", {"Variables": ",".join(_ASKED)})
    return channels


def status_variables(channel: Message) -> dict[str, str]:
    """The `Variable: NAME=value` lines of a Status event; Asterisk writes an unset one as
    `(null)`, read here as empty (no value the dialplan or MixMonitor sets is ever that)."""
    found = {}
    for line in channel.get_all("Variable"):
        name, _, value = line.partition("=")
        found[name] = "" if value == _UNSET else value
    return found


def _listening_of(channel: Message) -> tuple[str, str]:
    """The channel's name and the agent its supervisor asked to listen to ("" if none)."""
    return channel.get("Channel", ""), status_variables(channel).get(names.VAR_LISTEN_TO, "")


def dialled_agents(channels: list[Message]) -> dict[str, str]:
    """Each agent's leg (a channel Dial created, not a caller's) → the agent it was dialled
    as: what `Listening` learns from `DialBegin` while it sees the PBX's events."""
    dialled = {}
    for channel in channels:
        variables = status_variables(channel)
        if variables.get(names.VAR_CALL_ID) == channel.get("Uniqueid", ""):
            continue  # a caller's channel: its DIALEDPEERNUMBER names whom it dialled
        agent = agent_of(variables.get(DIALLED_VAR, ""))
        if agent:
            dialled[channel.get("Channel", "")] = agent
    return dialled


def caller_from_status(channel: Message) -> LiveCaller | None:
    unique_id = channel.get("Uniqueid", "")
    variables = status_variables(channel)
    if not unique_id or variables.get(names.VAR_CALL_ID) != unique_id:
        return None  # an agent's leg, or a channel outside the consent flow
    variables = {name: variables.get(name, "") for name in _VARS}
    start = CallStart(
        variables[names.VAR_PROFILE],
        variables[names.VAR_LANGUAGE],
        channel.get("CallerIDNum"),
        channel.get("CallerIDName"),
    )
    bridge = channel.get("BridgeID", "")
    return LiveCaller(unique_id, channel.get("Channel", ""), variables, bool(bridge), start, bridge)


class Rebuilder:
    """Gathers what the PBX and the ledger remember, call by call, into `Seen` facts; the calls
    turn them into their machines' inputs (`ivr.consent.reconcile`), the one way back for a
    tracked call through a cut link, a live call the service never saw, a call that ended
    while it was away, and an objection the PBX kept."""

    def __init__(
        self, calls: Calls, ledger: AsyncLedger, recordings: RecordingsFolder, clock: Clock
    ) -> None:
        self.calls = calls
        self.ledger = ledger
        self.recordings = recordings
        self.clock = clock

    async def run(
        self,
        client: AmiClient,
        objections: list[PbxObjection],
        listening: Listening | None = None,
    ) -> set[str]:
        """Every call brought in line with the PBX and the ledger; the ids of the live ones."""
        objected = {o.call_id: o.at for o in objections}
        tracked_before = set(self.calls.sessions)
        channels = await live_channels(client)
        callers = [c for c in map(caller_from_status, channels) if c is not None]
        live = {c.call_id for c in callers}
        up = {c.get("Uniqueid", ""): _listening_of(c) for c in channels}
        spies = await readopt_spies(client, up, live, listening) if listening else {}
        agents_of: dict[str, tuple[str, ...]] = {}
        for caller in callers:
            record = await self.ledger.get_call(caller.call_id)
            seen = self._seen_live(caller, record, objected.get(caller.call_id))
            agents = restore_agents(self.calls.bridges, caller.call_id, caller.bridge, channels)
            agents_of[caller.call_id] = agents
            seen = replace(seen, agents=agents, spies=tuple(spies.get(caller.call_id, ())))
            self.calls.reconcile(caller.call_id, caller.channel, seen, caller.start)
        if listening is not None:
            listening.redialled(dialled_agents(channels), agents_of)
        for call_id in tracked_before - live:  # their hang-up was lost with the link
            seen = Seen(None, objected.get(call_id), False, False, False, live=False)
            self.calls.reconcile(call_id, "", seen, _NO_START)
        await self._finish_ended(live, objected)
        log.info("rebuilt from the PBX: %d live call(s) in the consent flow", len(live))
        return live

    async def untracked_objection(self, call_id: str, channel: str) -> None:
        """The PBX says a call the service does not track objected (it started before the
        service could see it): honoured as any other reconciled call."""
        if call_id in self.calls.sessions:
            return
        record = await self.ledger.get_call(call_id)
        seen = replace(self._seen_ended(call_id, record, self.clock()), live=True)
        self.calls.reconcile(call_id, channel, seen, _start_of(record))

    def _seen_live(
        self, caller: LiveCaller, record: CallRecord | None, objected_at: datetime | None
    ) -> Seen:
        variables = caller.variables
        recording = bool(variables[MIXMONITOR_VAR]) or self._file_exists(caller.call_id)
        armed = recording and variables[names.VAR_ARM] == names.ARM_GO  # never seen to start
        objection_logged = _logged(record, EventKind.OBJECTED)
        if objected_at is None and variables[names.VAR_OBJECTED] == "1":
            objected_at = objection_logged or self.clock()
        private_logged = _logged(record, EventKind.PRIVATE)
        private_at = private_logged
        if private_at is None and variables[names.VAR_PRIVATE] == names.PRIVATE_YES:
            private_at = self.clock()  # the ledger lags, or the call began at another site
        return Seen(
            step=variables[names.VAR_STEP] or None,
            objected_at=objected_at,
            objection_logged=objection_logged is not None,
            recording=recording and not armed,
            bridged=caller.bridged,
            live=True,
            decision=variables[names.VAR_DECISION],
            accepted=variables[names.VAR_ACCEPTED] == "1",
            paused_by_agent=variables[names.VAR_PAUSED] == "1",
            paying=variables[names.VAR_PAYMENT] == "1",
            armed=armed,
            private_at=private_at,
            private_logged=private_logged is not None,
        )

    async def _finish_ended(self, live: set[str], objected: dict[str, datetime]) -> None:
        """Calls gone from the PBX the ledger holds as unfinished, and calls the PBX kept an
        objection for, whatever the ledger says of them."""
        summaries = await self.ledger.list_calls(
            since=self.clock() - LEDGER_LOOKBACK, limit=LEDGER_SCAN_LIMIT
        )
        unfinished = {s.call_id for s in summaries if s.ended_at is None}
        for call_id in sorted((unfinished | set(objected)) - live):
            if call_id in self.calls.sessions:
                continue
            record = await self.ledger.get_call(call_id)
            if record is not None and record.decision is not None and call_id not in objected:
                continue
            seen = self._seen_ended(call_id, record, objected.get(call_id))
            self.calls.reconcile(call_id, "", seen, _start_of(record))

    def _seen_ended(
        self, call_id: str, record: CallRecord | None, objected_at: datetime | None
    ) -> Seen:
        kinds = [e.kind for e in record.events] if record is not None else []
        steps = [_STEP_KINDS[k] for k in kinds if k in _STEP_KINDS]
        logged = _logged(record, EventKind.OBJECTED)
        private = _logged(record, EventKind.PRIVATE)
        started = EventKind.RECORDING_STARTED in kinds
        return Seen(
            step=steps[-1] if steps else None,
            objected_at=objected_at or logged,
            objection_logged=logged is not None,
            recording=started,
            bridged=False,
            live=False,
            finished_as=record.decision if record is not None else None,
            # A file the ledger never saw start is a recording armed by the dialplan (the
            # service went away before the bridge): nobody heard the keys, it is not kept.
            armed=not started and self._file_exists(call_id),
            private_at=private,
            private_logged=private is not None,
        )

    def _file_exists(self, call_id: str) -> bool:
        return self.recordings.exists(self.recordings.name_of(call_id))


_NO_START = CallStart("", "", None, None)


def _logged(record: CallRecord | None, kind: EventKind) -> datetime | None:
    """When the ledger first logged ``kind`` for the call; None if it never did."""
    if record is None:
        return None
    return next((e.at for e in record.events if e.kind is kind), None)


def _start_of(record: CallRecord | None) -> CallStart:
    if record is None:
        return _NO_START
    return CallStart(
        record.profile or "", record.language or "", record.caller_number, record.caller_name
    )
