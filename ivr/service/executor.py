"""Carries out the consent machine's commands: AMI actions, files, ledger rows.

It never decides: each command returns the facts it met (the recording stopped or not, the file
kept, missing, empty, erased meanwhile, not encrypted...) as the machine's inputs, and the
call's worker feeds them back to the machine, which alone writes the decision. Order inside a
call is kept (one worker per call); an objection's stop and deletion come before any row.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any

from ivr import names
from ivr.ami import AmiClient, AmiError
from ivr.audit import AuditError, AuditLog, Entry
from ivr.consent import inputs as i
from ivr.consent.commands import (
    AckPayment,
    Announce,
    ArmRecording,
    CloseRecording,
    Command,
    DeleteRecording,
    EndSpies,
    Finish,
    ForgetObjection,
    Log,
    Mute,
    RememberObjection,
    RememberPrivate,
    StartRecording,
    StopRecording,
    Tone,
)
from ivr.crypto import Keyring, encrypt_recording
from ivr.ledger.aio import AsyncLedger
from ivr.ledger.model import KeptRecording
from ivr.ledger.store import LedgerStore
from ivr.recordings.folder import RecordingsFolder, UnsafeRecordingName
from ivr.service.controls import CallControls
from ivr.service.metrics import Metrics
from ivr.service.tones import TonePool

log = logging.getLogger(__name__)

MIXMONITOR_FILENAME = "MIXMONITOR_FILENAME"  # set by MixMonitor on the channel it records
# When a deleted recording is looked at again for a late write by MixMonitor (seconds after
# the deletion): often at first, when a last flush is likely, then less, until 3 s.
SWEEP_AT = (0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 2.2, 3.0)

Clock = Callable[[], datetime]
Facts = list[i.Input]
Write = Callable[[LedgerStore], object]


class Executor:
    def __init__(
        self,
        ami: Callable[[], AmiClient | None],
        ledger: AsyncLedger,
        recordings: RecordingsFolder,
        metrics: Metrics,
        clock: Clock,
        keyring: Keyring | None = None,
        tone_links: TonePool | None = None,
        audit: AuditLog | None = None,
        urgent: Callable[[], AmiClient | None] | None = None,
    ) -> None:
        self.ami = ami
        self.ledger = ledger
        self.recordings = recordings
        self.metrics = metrics
        self.clock = clock
        self.keyring = keyring or Keyring(None)
        self.audit = audit
        self.background: set[asyncio.Task[None]] = set()
        self.sweeping: set[str] = set()  # files watched for a late write after their deletion
        self.auditing: set[asyncio.Task[None]] = set()
        self.controls = CallControls(ami, metrics, tone_links, urgent)
        # Set at each connection from what the account may do (pbx_memory.arms_in_dialplan).
        self.arm_in_dialplan = False

    async def run(self, call_id: str, channel: str, command: Command) -> Facts:
        """Carry out one command; the facts it met, for the call's machine."""
        match command:
            case Announce() | Mute() | AckPayment() | Tone() | EndSpies():
                await self.controls.run(call_id, channel, command)
            case ArmRecording():
                return await self._arm(call_id, channel, command.file_name)
            case StartRecording() | StopRecording() | DeleteRecording() | CloseRecording():
                return await self._recording(call_id, channel, command)
            case RememberObjection():
                await self._remember(call_id, channel, command.at)
            case RememberPrivate():
                await self.controls.setvar(call_id, channel, names.VAR_PRIVATE, names.PRIVATE_YES)
            case ForgetObjection():
                await self._forget_objection(call_id)
            case Log() | Finish():
                await self.record(call_id, [command])
        return []

    async def record(
        self, call_id: str, entries: Sequence[Log | Finish], first: Write | None = None
    ) -> None:
        """The ledger rows of several commands in one transaction and one hop to the ledger's
        thread (``first``: the call's start row, before them). A row refused is logged and
        counted; the others are kept."""
        writes = [first] if first is not None else []
        writes += [self._row(call_id, entry) for entry in entries]
        for entry, result in zip(
            ([None] if first else []) + list(entries), await self.ledger.batch(writes), strict=True
        ):
            if isinstance(result, Exception):
                log.error("call %s: ledger refused %r: %s", call_id, entry, result)
                self.metrics.count("command_errors")
            elif isinstance(entry, Finish):
                self._finished(call_id, entry)

    def _row(self, call_id: str, entry: Log | Finish) -> Write:
        if isinstance(entry, Finish):
            kept = entry.kept
            recording = None
            if kept is not None:
                recording = KeptRecording(kept.path, kept.duration_seconds, kept.sha256)
            return lambda store: store.finish_call(
                call_id, ended_at=entry.at, decision=entry.decision, recording=recording
            )
        if entry.kind is names.EventKind.OBJECTED:
            self.metrics.count("objections")
            log.info("call %s: caller objected (%s)", call_id, entry.source)
        detail: dict[str, str | int | float | None] = dict(entry.detail)
        if entry.kind is names.EventKind.ERROR and detail.get("recording") == "truncated":
            self.metrics.count("recordings_truncated")
        return lambda store: store.add_event(
            call_id, at=entry.at, kind=entry.kind, source=entry.source, detail=detail
        )

    def _finished(self, call_id: str, finish: Finish) -> None:
        self.metrics.count(f"calls_{finish.decision.value.replace('-', '_')}")
        self.metrics.forget(call_id)
        self.controls.forget(call_id)
        log.info("call %s: ended, %s", call_id, finish.decision)

    async def _recording(
        self,
        call_id: str,
        channel: str,
        command: StartRecording | StopRecording | DeleteRecording | CloseRecording,
    ) -> Facts:
        match command:
            case StartRecording():
                return await self._start(call_id, channel, command.file_name)
            case StopRecording():
                return await self._stop(call_id, channel)
            case DeleteRecording():
                return [self._delete(call_id, command)]
            case CloseRecording():
                return [await self._close(call_id, command.file_name)]

    async def _arm(self, call_id: str, channel: str, file_name: str) -> Facts:
        """The answer the consent subroutine waits for at the end of the notice (a second at
        most) when the service's account may not start MixMonitor. Go: it starts MixMonitor
        with option `b`, which writes from the bridge on. An account that may (`system`)
        starts it over AMI at the bridge instead."""
        if not self.arm_in_dialplan:  # the dialplan does not wait for a go (IVR_CFG_arm)
            return []
        if self.recordings.clear_link(file_name):  # the PBX would write through it: no go
            log.error("call %s: a link sat at %s; removed, not armed", call_id, file_name)
            await self.controls.setvar(call_id, channel, names.VAR_ARM, names.ARM_NO)
            return []
        if not await self.controls.setvar(call_id, channel, names.VAR_ARM, names.ARM_GO):
            return []
        log.info("call %s: recording armed for the bridge", call_id)
        return [i.RecordingArmed(self.clock())]

    async def _start(self, call_id: str, channel: str, file_name: str) -> Facts:
        """The caller is bridged: the armed recording writes now; without it (not armed in
        time) MixMonitor is started over AMI, which needs the class `system`."""
        if self.arm_in_dialplan and await self._armed(channel, file_name):
            await self.controls.setvar(call_id, channel, names.VAR_ARM, names.ARM_STARTED)
        else:
            if self.recordings.clear_link(file_name):  # the PBX would write through it: refuse
                log.error("call %s: a link sat at %s; removed, not recording", call_id, file_name)
                return [i.RecordingFailed(self.clock(), f"a link sat at {file_name}; removed")]
            try:
                await self.controls.action("MixMonitor", {"Channel": channel, "File": file_name})
            except AmiError as exc:
                log.warning("call %s: recording not started: %s", call_id, exc)
                return [i.RecordingFailed(self.clock(), str(exc))]
        self.metrics.count("recordings_started")
        log.info("call %s: recording %s", call_id, file_name)
        return [i.RecordingStarted(self.clock())]

    async def _armed(self, channel: str, file_name: str) -> bool:
        """Whether the dialplan's MixMonitor runs on the caller's channel, for this file."""
        client = self.ami()
        if client is None:
            return False
        fields = {"Channel": channel, "Variable": MIXMONITOR_FILENAME}
        try:
            reply = await client.action("Getvar", fields)
        except AmiError:  # gone, or the link dropped: reconciliation takes over
            return False
        return (reply.get("Value") or "").endswith("/" + file_name)

    def begin(self, call_id: str, channel: str, command: Command) -> Coroutine[Any, Any, Facts]:
        """`run`, except that a stop is written to the PBX before this returns: decided in the
        AMI listener, an objection's stop then waits for no turn of the event loop, whatever
        else is queued there. Await the result for the facts."""
        if isinstance(command, StopRecording):
            return self._stopped(call_id, self._send_stop(call_id, channel))
        return self.run(call_id, channel, command)

    async def _stop(self, call_id: str, channel: str) -> Facts:
        return await self._stopped(call_id, self._send_stop(call_id, channel))

    def _send_stop(self, call_id: str, channel: str) -> Awaitable[object]:
        answer: Awaitable[object]
        try:
            answer = self.controls.send("StopMixMonitor", {"Channel": channel}, urgent=True)
        except AmiError as exc:  # not connected: nothing was sent
            answer = _raise(exc)
        self.metrics.stop_written(call_id)  # written (or refused)
        return answer

    async def _stopped(self, call_id: str, answer: Awaitable[object]) -> Facts:
        failure = ""
        try:
            await answer
        except AmiError as exc:  # already stopped by the PBX feature, or the link is down
            log.info("call %s: StopMixMonitor: %s", call_id, exc)
            failure = str(exc)
        self.metrics.since_key(call_id, self.metrics.stop_latency)
        return [i.RecordingStopped(self.clock(), failure)]

    def _delete(self, call_id: str, command: DeleteRecording) -> i.Input:
        file_name = command.file_name
        existed = self.recordings.delete(file_name)  # one unlink: not worth a thread hop
        self.metrics.since_key(call_id, self.metrics.delete_latency, once=True)
        if existed:
            self.metrics.count("recordings_deleted")
            log.info("call %s: recording %s deleted", call_id, file_name)
            self._later(self._audit_deletion(call_id, file_name, command.why), self.auditing)
        if file_name not in self.sweeping:  # one watch per file, however often it is deleted
            self.sweeping.add(file_name)
            self._later(self._sweep(call_id, file_name))
        return i.RecordingDeleted(self.clock(), file_name, existed)

    def _later(
        self, work: Coroutine[object, object, None], also: set[asyncio.Task[None]] | None = None
    ) -> None:
        """Off the objection's path: the deletion is done, what follows may take a disk write."""
        task = asyncio.create_task(work)
        for tasks in (self.background, also if also is not None else set()):
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def settle(self, timeout: float) -> None:
        """At shutdown: the audit rows of deletions already made are written before it ends."""
        if self.auditing:
            await asyncio.wait(set(self.auditing), timeout=timeout)

    async def _audit_deletion(self, call_id: str, file_name: str, why: str) -> None:
        """The service deleted a recording (an objection, an agent's private key...): the audit
        log says so, beside the ledger's event."""
        if self.audit is None:
            return
        at = self.clock().astimezone(UTC).isoformat(timespec="microseconds")
        detail = json.dumps({"file": file_name}, separators=(",", ":"))
        entry = Entry(at, "service", "-", "delete", call_id, why, "service", "ok", detail)
        try:
            await asyncio.to_thread(self.audit.append, entry)
        except AuditError as exc:
            log.error("call %s: deletion not in the audit log: %s", call_id, exc)

    async def _sweep(self, call_id: str, file_name: str) -> None:
        """MixMonitor may still flush a last frame after it was told to stop: delete it again."""
        try:
            waited = 0.0
            for at in SWEEP_AT:
                await asyncio.sleep(at - waited)
                waited = at
                if self.recordings.delete(file_name):
                    log.warning("call %s: %s written again after stop; deleted", call_id, file_name)
                    self.metrics.count("recordings_deleted_late")
        finally:
            self.sweeping.discard(file_name)

    async def _remember(self, call_id: str, channel: str, at: datetime) -> None:
        epoch = f"{at.timestamp():.3f}"  # as the dialplan writes it: seconds, milliseconds
        for action, fields in (
            ("DBPut", {"Family": names.DB_OBJECTIONS, "Key": call_id, "Val": epoch}),
            ("Setvar", {"Channel": channel, "Variable": names.VAR_OBJECTED, "Value": "1"}),
        ):
            try:
                await self.controls.action(action, fields)
            except AmiError as exc:  # the caller may have hung up already: nothing to mark
                log.info(
                    "call %s: objection not written to the PBX by %s: %s", call_id, action, exc
                )

    async def _close(self, call_id: str, file_name: str) -> i.Input:
        """What became of a recording to keep, once the PBX let go of it."""
        try:
            return await self._closed(call_id, file_name)
        except (UnsafeRecordingName, OSError) as exc:  # a link or a non-file under its name
            log.error("call %s: recording %s refused: %s", call_id, file_name, exc)
            self.metrics.count("recordings_missing")
            return i.RecordingMissing(self.clock(), f"{file_name} refused: {exc}")

    async def _closed(self, call_id: str, file_name: str) -> i.Input:
        closed = await self.recordings.wait_closed(file_name)
        if await self.ledger.redaction_of(call_id) == "erasure":
            log.info("call %s: erased during the call; recording deleted", call_id)
            return i.RecordingErased(self.clock())
        if not closed:
            self.metrics.count("recordings_missing")
            return i.RecordingMissing(self.clock(), f"{file_name} missing or never closed")
        if await self.recordings.settled_empty(file_name):
            return i.RecordingEmpty(self.clock())
        described = await self.recordings.describe(file_name)
        path = described.path
        if self.keyring.current is not None:  # encrypted at rest once closed; plaintext removed
            try:
                path = await asyncio.to_thread(encrypt_recording, path, self.keyring.current)
            except Exception as exc:  # reported: kept in the ledger, encrypted again later
                log.exception("call %s: recording not encrypted", call_id)
                plain = i.KeptFile(str(path), described.duration_seconds, described.sha256)
                return i.EncryptionFailed(self.clock(), str(exc), plain)
        kept = i.KeptFile(str(path), described.duration_seconds, described.sha256)
        return i.RecordingKept(self.clock(), kept)

    async def _forget_objection(self, call_id: str) -> None:
        """The ledger holds the objection now: the PBX's copy in AstDB has served its purpose."""
        fields = {"Family": names.DB_OBJECTIONS, "Key": call_id}
        client = self.ami()
        if client is None:
            return  # collected again at the next connection; the ledger already has it
        try:
            await client.action("DBDel", fields, check=False)
        except AmiError as exc:
            log.info("call %s: objection left in AstDB: %s", call_id, exc)


async def _raise(error: Exception) -> None:
    raise error
