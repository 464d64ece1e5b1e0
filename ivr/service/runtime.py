"""``ivr run``: the service assembled — AMI supervisor, calls, executor, ledger, HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime

from aiohttp import web

from ivr.ami import AmiClient, AmiSupervisor, Message
from ivr.ami.supervisor import Backoff
from ivr.config.model import Settings
from ivr.consent import inputs as i
from ivr.crypto import Keyring
from ivr.ledger.aio import AsyncLedger
from ivr.ledger.model import CallRecord, EventKind
from ivr.names import Decision, Prompt, Source
from ivr.outbound.guard import guard_hook
from ivr.prompts import Manifest
from ivr.retention import purge_daily
from ivr.service import pbx_memory
from ivr.service.calls import Calls
from ivr.service.decide import Decider
from ivr.service.disk import FolderWatch
from ivr.service.executor import Executor
from ivr.service.metrics import Metrics
from ivr.service.rebuild import Rebuilder
from ivr.service.recordings import RecordingsFolder
from ivr.service.tones import TonePool
from ivr.web.app import build_app

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0
# Retries stay frequent (a local PBX, a cheap login): a restarted PBX is back in service within
# 2 s of being fully booted, whatever the length of the outage.
RECONNECT = Backoff(initial=0.25, maximum=1.5)


class ServiceError(Exception):
    """The service cannot start; the message names what is wrong."""


class Runtime:
    def __init__(self, settings: Settings, ledger: AsyncLedger) -> None:
        self.settings = settings
        self.ledger = ledger
        self.metrics = Metrics()
        self.recordings = RecordingsFolder(settings.recordings.dir)
        self.folder = FolderWatch(settings.recordings.dir)
        ami = settings.ami
        self.supervisor = AmiSupervisor(
            ami.host, ami.port, ami.username, ami.secret.reveal(), backoff=RECONNECT
        )
        # The link being set up counts too: restored calls act while the connection hooks run.
        self.link: AmiClient | None = None
        compliance = settings.compliance
        self.keyring = Keyring.from_secrets(compliance.recording_key, compliance.previous_keys)
        self.tone_links = TonePool(ami.host, ami.port, ami.username, ami.secret.reveal())
        self.executor = Executor(
            self._client,
            ledger,
            self.recordings,
            self.metrics,
            keyring=self.keyring,
            tone_links=self.tone_links,
        )
        self.calls = Calls(
            self.executor,
            ledger,
            self.metrics,
            lambda: settings.consent.keys.objection,
            self._hash,
            Decider(settings),
        )
        self.rebuilder = Rebuilder(self.calls, ledger, self.recordings)
        self.supervisor.on_connected.append(self._connected)
        self.supervisor.on_connected.append(guard_hook(settings))  # issue 19: outbound guard
        self.calls.on_untracked_objection = self._collect_now
        self.manifest = _manifest(settings)
        self.collecting: set[asyncio.Task[None]] = set()
        self.objected_untracked: set[str] = set()  # up, objected, not tracked: awaiting hang-up

    def _hash(self, profile: str, language: str) -> str | None:
        """The version of the notice the caller heard: the manifest's, else the text's."""
        try:
            if self.manifest is not None:
                return self.manifest.version(profile, language, Prompt.NOTICE_SHORT)
        except KeyError:  # built before this profile or language was configured
            log.warning("no prompt built for %s/%s: run ivr prompts build", profile, language)
        try:
            return self.settings.text_hash(profile, language, Prompt.NOTICE_SHORT)
        except (KeyError, ValueError):
            return None

    def _client(self) -> AmiClient | None:
        if self.supervisor.client is not None:
            return self.supervisor.client
        return self.link if self.link is not None and self.link.connected else None

    async def _connected(self, client: AmiClient) -> None:
        self.link = client
        # Events of calls not tracked yet are held until the rebuild has adopted them.
        self.calls.hold()
        client.add_listener(self.calls.on_event)
        client.add_listener(self._untracked_hangup)
        try:
            await pbx_memory.publish_keys(client, self.settings.consent)
            objections = await pbx_memory.pending_objections(client)
            live = await self.rebuilder.run(client, objections)
        finally:
            self.calls.release()
        for objection in objections:
            await self._collect(client, objection, live=objection.call_id in live)

    def _untracked_hangup(self, event: Message) -> None:
        """A call whose objection was collected while it was up has ended: close its entry."""
        call_id = event.get("Uniqueid", "")
        if event.name != "Hangup" or call_id not in self.objected_untracked:
            return
        self.objected_untracked.discard(call_id)
        client = self.supervisor.client
        if client is not None:
            objection = pbx_memory.PbxObjection(call_id, datetime.now(UTC))
            self._spawn(self._collect(client, objection))

    def _collect_now(self, call_id: str) -> None:
        client = self.supervisor.client
        if client is None:
            return  # collected from AstDB at the next connection
        objection = pbx_memory.PbxObjection(call_id, datetime.now(UTC))
        self._spawn(self._collect(client, objection, live=True))

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(work)
        self.collecting.add(task)
        task.add_done_callback(self.collecting.discard)

    async def _collect(
        self, client: AmiClient, objection: pbx_memory.PbxObjection, *, live: bool = False
    ) -> None:
        """An objection the PBX handled: honour it (delete), record it, then let the PBX forget.

        ``live``: the call is still up. Its objection is honoured and recorded now; AstDB keeps
        it so that the call's final decision is written when it is next collected.
        """
        call_id = objection.call_id
        if call_id in self.calls.sessions:
            return  # tracked: its own events carry the objection; forgotten when it ends
        deleted = self.recordings.delete(f"ivr-{call_id}.wav")
        record = await self.ledger.get_call(call_id)
        now = datetime.now(UTC)
        if record is None or all(e.kind is not EventKind.OBJECTED for e in record.events):
            await self.ledger.add_event(
                call_id, at=objection.at, kind=EventKind.OBJECTED, source=Source.RECONCILE
            )
        if deleted:
            kind = EventKind.RECORDING_DELETED
            await self.ledger.add_event(call_id, at=now, kind=kind, source=Source.RECONCILE)
        log.info("call %s: objection kept by the PBX honoured (file deleted: %s)", call_id, deleted)
        if live:
            self.objected_untracked.add(call_id)
            return
        await self._close_objected(call_id, record, now)
        await pbx_memory.forget_objection(client, call_id)

    async def _close_objected(self, call_id: str, record: CallRecord | None, now: datetime) -> None:
        if record is None or record.decision is None:
            await self.ledger.finish_call(call_id, ended_at=now, decision=Decision.OBJECTED)
        elif record.decision is not Decision.OBJECTED:
            # Closed as another decision before the PBX's memory reached us: keep both facts.
            detail = {"decision": str(record.decision), "objection": "collected after the end"}
            await self.ledger.add_event(
                call_id, at=now, kind=EventKind.ERROR, source=Source.RECONCILE, detail=detail
            )

    def erase_live(self, call_ids: list[str]) -> None:
        """A caller's erasure was asked for: their calls still up stop being recorded and lose
        what was recorded, as for an objection."""
        for call_id in call_ids:
            if call_id in self.calls.sessions:
                log.info("call %s: caller erased during the call", call_id)
                self.calls.feed(call_id, i.Objected(datetime.now(UTC), Source.SERVICE))

    def health(self) -> tuple[bool, dict[str, object]]:
        ami = self.supervisor.health
        body: dict[str, object] = {
            "ami": ami.as_dict(),
            "ledger": {"location": self.ledger.location},
            "calls_in_progress": len(self.calls.sessions),
            "recordings": self.folder.health.as_dict(),
        }
        return ami.connected and self.folder.health.ok, body

    def metrics_text(self) -> str:
        folder = self.folder.health
        return self.metrics.render(
            {
                "ami_up": 1.0 if self.supervisor.health.connected else 0.0,
                "calls_in_progress": float(len(self.calls.sessions)),
                "recordings_writable": 1.0 if folder.writable else 0.0,
                "recordings_ok": 1.0 if folder.ok else 0.0,
                "recordings_free_bytes": float(folder.free_bytes),
            }
        )

    async def serve(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(build_app(self), handle_signals=False)
        await runner.setup()
        http = self.settings.http
        await web.TCPSite(runner, http.listen_host, http.listen_port).start()
        log.info("listening on http://%s:%s", http.listen_host, http.listen_port)
        supervising = asyncio.create_task(self.supervisor.run(), name="ami-supervisor")
        watching = asyncio.create_task(self.folder.run(stop), name="recordings-folder")
        purging = asyncio.create_task(purge_daily(self.settings, self.ledger), name="ivr-purge")
        try:
            await stop.wait()
        finally:
            log.info("stopping: finishing calls in hand")
            self.supervisor.stop()
            purging.cancel()
            await asyncio.gather(supervising, watching, purging, return_exceptions=True)
            await self.calls.drain(DRAIN_SECONDS)
            await self.tone_links.close()
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
