"""``ivr run``: the service assembled — AMI supervisor, calls, executor, ledger, HTTP."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from aiohttp import web

from ivr.ami import AmiClient, AmiSupervisor
from ivr.config.model import Settings
from ivr.ledger.aio import AsyncLedger
from ivr.ledger.model import EventKind
from ivr.names import Decision, Prompt, Source
from ivr.prompts import Manifest
from ivr.service import pbx_memory
from ivr.service.calls import Calls
from ivr.service.executor import Executor
from ivr.service.metrics import Metrics
from ivr.service.recordings import RecordingsFolder
from ivr.web.app import build_app

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0


class ServiceError(Exception):
    """The service cannot start; the message names what is wrong."""


class Runtime:
    def __init__(self, settings: Settings, ledger: AsyncLedger) -> None:
        self.settings = settings
        self.ledger = ledger
        self.metrics = Metrics()
        self.recordings = RecordingsFolder(settings.recordings.dir)
        ami = settings.ami
        self.supervisor = AmiSupervisor(ami.host, ami.port, ami.username, ami.secret.reveal())
        self.executor = Executor(
            lambda: self.supervisor.client, ledger, self.recordings, self.metrics
        )
        self.calls = Calls(
            self.executor, ledger, self.metrics, lambda: settings.consent.keys.objection, self._hash
        )
        self.supervisor.on_connected.append(self._connected)
        self.manifest = _manifest(settings)

    def _hash(self, profile: str, language: str) -> str | None:
        if self.manifest is not None:
            version = self.manifest.version(profile, language, Prompt.NOTICE_SHORT)
            if version:
                return version
        try:
            return self.settings.text_hash(profile, language, Prompt.NOTICE_SHORT)
        except (KeyError, ValueError):
            return None

    async def _connected(self, client: AmiClient) -> None:
        client.add_listener(self.calls.on_event)
        await pbx_memory.publish_keys(client, self.settings.consent.keys)
        for objection in await pbx_memory.pending_objections(client):
            await self._collect(client, objection)

    async def _collect(self, client: AmiClient, objection: pbx_memory.PbxObjection) -> None:
        """An objection the PBX handled: honour it (delete), record it, then let the PBX forget."""
        call_id = objection.call_id
        if call_id in self.calls.sessions:
            return  # a live call: its own events carry the objection; forgotten when it ends
        deleted = self.recordings.delete(f"ivr-{call_id}.wav")
        record = await self.ledger.get_call(call_id)
        if record is None or all(e.kind is not EventKind.OBJECTED for e in record.events):
            await self.ledger.add_event(
                call_id, at=objection.at, kind=EventKind.OBJECTED, source=Source.RECONCILE
            )
        if deleted:
            await self.ledger.add_event(
                call_id,
                at=datetime.now(UTC),
                kind=EventKind.RECORDING_DELETED,
                source=Source.RECONCILE,
            )
        if record is None or record.decision is None:
            await self.ledger.finish_call(
                call_id, ended_at=datetime.now(UTC), decision=Decision.OBJECTED
            )
        await pbx_memory.forget_objection(client, call_id)
        log.info(
            "call %s: objection kept by the PBX collected (file deleted: %s)", call_id, deleted
        )

    def health(self) -> tuple[bool, dict[str, object]]:
        ami = self.supervisor.health
        body: dict[str, object] = {
            "ami": ami.as_dict(),
            "ledger": {"location": self.ledger.location},
            "calls_in_progress": len(self.calls.sessions),
        }
        return ami.connected, body

    def metrics_text(self) -> str:
        up = 1.0 if self.supervisor.health.connected else 0.0
        return self.metrics.render(
            {"ami_up": up, "calls_in_progress": float(len(self.calls.sessions))}
        )

    async def serve(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(build_app(self), handle_signals=False)
        await runner.setup()
        http = self.settings.http
        await web.TCPSite(runner, http.listen_host, http.listen_port).start()
        log.info("listening on http://%s:%s", http.listen_host, http.listen_port)
        supervising = asyncio.create_task(self.supervisor.run(), name="ami-supervisor")
        try:
            await stop.wait()
        finally:
            log.info("stopping: finishing calls in hand")
            self.supervisor.stop()
            await asyncio.gather(supervising, return_exceptions=True)
            await self.calls.drain(DRAIN_SECONDS)
            await runner.cleanup()


def _manifest(settings: Settings) -> Manifest | None:
    try:
        return Manifest.load(settings.prompts.dir)
    except (OSError, ValueError):
        return None


async def run(settings: Settings, stop: asyncio.Event) -> None:
    if not settings.recordings.dir.is_dir():
        raise ServiceError(
            f"{settings.path}: recordings.dir: {settings.recordings.dir} is not a folder"
        )
    async with await AsyncLedger.open(settings.ledger.path) as ledger:
        await Runtime(settings, ledger).serve(stop)
