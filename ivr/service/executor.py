"""Carries out the consent machine's commands: AMI actions, files, ledger rows.

Order inside a call is kept (one worker per call) and the recording is always dealt with before
the ledger is written, so an objection stops and deletes first and records afterwards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ivr import names
from ivr.ami import AmiClient, AmiError
from ivr.consent import inputs as i
from ivr.consent.commands import (
    AckPayment,
    Announce,
    Command,
    DeleteRecording,
    Finish,
    Log,
    Mute,
    RememberObjection,
    StartRecording,
    StopRecording,
    Tone,
)
from ivr.crypto import Keyring, encrypt_recording
from ivr.ledger.aio import AsyncLedger
from ivr.ledger.model import EventKind, KeptRecording
from ivr.names import Decision, Source
from ivr.service.controls import CallControls
from ivr.service.metrics import Metrics
from ivr.service.recordings import RecordingsFolder
from ivr.service.tones import TonePool

log = logging.getLogger(__name__)

SWEEP_SECONDS = 3.0  # how long a deleted recording is watched for a late write by MixMonitor
SWEEP_EVERY = 0.1
# A kept recording shorter than this share of the time it ran, less the slack, was cut short.
TRUNCATED_RATIO = 0.8
TRUNCATED_SLACK = 1.0

Feed = Callable[[str, i.Input], None]


class Executor:
    def __init__(
        self,
        ami: Callable[[], AmiClient | None],
        ledger: AsyncLedger,
        recordings: RecordingsFolder,
        metrics: Metrics,
        keyring: Keyring | None = None,
        tone_links: TonePool | None = None,
    ) -> None:
        self.ami = ami
        self.ledger = ledger
        self.recordings = recordings
        self.metrics = metrics
        self.keyring = keyring or Keyring(None)
        self.feed: Feed = lambda call_id, event: None
        self.background: set[asyncio.Task[None]] = set()
        # Ledger rows of recording actions, written with the next ledger write of the call, so
        # that stopping and deleting never wait for a disk write.
        self.deferred: dict[str, list[Log]] = {}
        self.recording_since: dict[str, datetime] = {}  # to tell a truncated recording
        self.controls = CallControls(ami, metrics, tone_links)

    async def run(self, call_id: str, channel: str, command: Command) -> None:
        match command:
            case Announce() | Mute() | AckPayment() | Tone():
                await self.controls.run(call_id, channel, command)
            case StartRecording():
                await self._start(call_id, channel, command.file_name)
            case StopRecording():
                await self._stop(call_id, channel)
            case DeleteRecording():
                await self._delete(call_id, command.file_name)
            case RememberObjection():
                await self._remember(call_id, channel, command.at)
            case Log():
                await self._log(call_id, command)
            case Finish():
                await self._finish(call_id, command)

    async def _start(self, call_id: str, channel: str, file_name: str) -> None:
        try:
            await self.controls.action("MixMonitor", {"Channel": channel, "File": file_name})
        except AmiError as exc:
            log.warning("call %s: recording not started: %s", call_id, exc)
            self.feed(call_id, i.RecordingFailed(_now(), str(exc)))
            return
        self.metrics.count("recordings_started")
        self.recording_since[call_id] = _now()
        log.info("call %s: recording %s", call_id, file_name)
        self.feed(call_id, i.RecordingStarted(_now()))

    async def _stop(self, call_id: str, channel: str) -> None:
        self.metrics.since_key(call_id, self.metrics.queue_latency)
        try:
            await self.controls.action("StopMixMonitor", {"Channel": channel})
        except AmiError as exc:  # already stopped by the PBX feature, or the link is down
            log.info("call %s: StopMixMonitor: %s", call_id, exc)
        self.metrics.since_key(call_id, self.metrics.stop_latency)
        self._defer(call_id, Log(_now(), EventKind.RECORDING_STOPPED, Source.SERVICE))

    async def _delete(self, call_id: str, file_name: str) -> None:
        existed = self.recordings.delete(file_name)  # one unlink: not worth a thread hop
        self.metrics.since_key(call_id, self.metrics.delete_latency, once=True)
        if existed:
            self.metrics.count("recordings_deleted")
            log.info("call %s: recording %s deleted", call_id, file_name)
            detail = {"file": file_name}
            self._defer(call_id, Log(_now(), EventKind.RECORDING_DELETED, Source.SERVICE, detail))
        task = asyncio.create_task(self._sweep(call_id, file_name))
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _sweep(self, call_id: str, file_name: str) -> None:
        """MixMonitor may still flush a last frame after it was told to stop: delete it again."""
        end = asyncio.get_running_loop().time() + SWEEP_SECONDS
        while asyncio.get_running_loop().time() < end:
            await asyncio.sleep(SWEEP_EVERY)
            if await asyncio.to_thread(self.recordings.delete, file_name):
                log.warning("call %s: %s written again after stop; deleted", call_id, file_name)
                self.metrics.count("recordings_deleted_late")

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

    def _defer(self, call_id: str, entry: Log) -> None:
        self.deferred.setdefault(call_id, []).append(entry)

    async def _flush(self, call_id: str) -> None:
        for entry in self.deferred.pop(call_id, []):
            await self._write(call_id, entry)

    async def _log(self, call_id: str, entry: Log) -> None:
        await self._flush(call_id)
        await self._write(call_id, entry)

    async def _write(self, call_id: str, entry: Log) -> None:
        if entry.kind is EventKind.OBJECTED:
            self.metrics.count("objections")
            log.info("call %s: caller objected (%s)", call_id, entry.source)
        detail: dict[str, str | int | float | None] = dict(entry.detail)
        await self.ledger.add_event(
            call_id, at=entry.at, kind=entry.kind, source=entry.source, detail=detail
        )

    async def _finish(self, call_id: str, finish: Finish) -> None:
        await self._flush(call_id)
        decision, kept = finish.decision, None
        since = self.recording_since.pop(call_id, None)
        if finish.kept_file is not None and await self._erased(call_id, finish.kept_file):
            decision = Decision.OBJECTED
        elif finish.kept_file is not None:
            kept = await self._kept(call_id, finish.kept_file)
            if kept is not None and since is not None:
                await self._check_length(call_id, kept, (finish.at - since).total_seconds())
            if kept is None:
                decision = Decision.NOT_RECORDED
        await self.ledger.finish_call(
            call_id, ended_at=finish.at, decision=decision, recording=kept
        )
        if decision is Decision.OBJECTED:
            await self._forget_objection(call_id)
        self.metrics.count(f"calls_{decision.value.replace('-', '_')}")
        self.metrics.forget(call_id)
        self.controls.forget(call_id)
        log.info("call %s: ended, %s", call_id, decision)

    async def _erased(self, call_id: str, file_name: str) -> bool:
        """The caller's erasure was asked for while the call was up (``ivr erase`` in another
        process): what was recorded is deleted, never kept."""
        if await self.ledger.redaction_of(call_id) != "erasure":
            return False
        await self.recordings.wait_closed(file_name)
        await asyncio.to_thread(self.recordings.delete, file_name)
        detail = {"file": file_name, "reason": "erasure requested during the call"}
        await self._write(call_id, Log(_now(), EventKind.RECORDING_DELETED, Source.SERVICE, detail))
        log.info("call %s: erased during the call; recording deleted", call_id)
        return True

    async def _check_length(self, call_id: str, kept: KeptRecording, expected: float) -> None:
        """A kept file much shorter than the call was recorded for lost audio (a full disk)."""
        if kept.duration_seconds >= expected * TRUNCATED_RATIO - TRUNCATED_SLACK:
            return
        self.metrics.count("recordings_truncated")
        detail = {
            "recording": "truncated",
            "file": Path(kept.path).name,
            "seconds": f"{kept.duration_seconds:.1f}",
            "expected_seconds": f"{expected:.1f}",
        }
        log.error("call %s: recording truncated: %s", call_id, detail)
        await self._write(call_id, Log(_now(), EventKind.ERROR, Source.SERVICE, detail))

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

    async def _kept(self, call_id: str, file_name: str) -> KeptRecording | None:
        if not await self.recordings.wait_closed(file_name):
            self.metrics.count("recordings_missing")
            detail = {"recording": f"{file_name} missing or never closed"}
            await self._log(call_id, Log(_now(), EventKind.ERROR, Source.SERVICE, detail))
            return None
        if await self.recordings.settled_empty(file_name):
            # The call ended before a single sample: nothing was recorded, nothing is kept.
            await asyncio.to_thread(self.recordings.delete, file_name)
            detail = {"file": file_name, "reason": "empty"}
            await self._log(
                call_id, Log(_now(), EventKind.RECORDING_DELETED, Source.SERVICE, detail)
            )
            return None
        closed = await self.recordings.describe(file_name)
        path = closed.path
        if self.keyring.current is not None:  # encrypted at rest once closed; plaintext removed
            path = await asyncio.to_thread(encrypt_recording, closed.path, self.keyring.current)
        return KeptRecording(str(path), closed.duration_seconds, closed.sha256)


def _now() -> datetime:
    return datetime.now(UTC)
