"""``ivr run``: the service assembled — AMI supervisor, calls, executor, ledger, HTTP."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Callable

from aiohttp import web

from ivr.ami import AmiClient, AmiSupervisor
from ivr.ami.supervisor import Backoff
from ivr.audit.configured import open_audit_log
from ivr.clock import Clock, utc_now
from ivr.config.model import Settings
from ivr.consent import inputs as i
from ivr.crypto import Keyring
from ivr.ledger.aio import AsyncLedger
from ivr.listen.service import Listening
from ivr.names import Prompt, Source
from ivr.outbound.guard import guard_hook
from ivr.prompts import Manifest
from ivr.recordings.folder import RecordingsFolder
from ivr.retention import purge_daily
from ivr.service import pbx_memory
from ivr.service.ami_security import link_security
from ivr.service.calls import Calls, CallsDeps
from ivr.service.decide import Decider
from ivr.service.disk import FolderHealth, FolderWatch
from ivr.service.encryption_retry import EncryptionRetry
from ivr.service.executor import Executor
from ivr.service.ledger_checkpoints import LedgerCheckpoints
from ivr.service.live import LiveView
from ivr.service.metrics import Metrics
from ivr.service.realtime import LoopScheduling
from ivr.service.rebuild import Rebuilder
from ivr.service.tones import TonePool
from ivr.store.heal import heal_store
from ivr.store.opening import settings_ledger
from ivr.web.app import build_app

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0
# How long a thread holding the GIL (the ledger's, a hashing or probing worker) may keep the
# event loop waiting for it. CPython's default, 5 ms, alone exceeds the objection's 2 ms budget;
# 0.5 ms took the service's own part at 20 calls at once from p99 24 ms to 5 ms
# (benchmarks/objection_latency.py, 2026-12-05).
SWITCH_INTERVAL = 0.0005
# Retries stay frequent (a local PBX, a cheap login): a restarted PBX is back in service within
# 2 s of being fully booted, whatever the length of the outage.
RECONNECT = Backoff(initial=0.25, maximum=1.5)
# The AMI sessions beside the listener's. Each serves one action at a time on the PBX: a stop
# waiting on a busy channel must not hold up another call's, hence a few of each.
ACTIONS = ("actions-1", "actions-2")
URGENT = ("urgent-1", "urgent-2", "urgent-3")
REFUSED_HELP = "1 while the PBX refuses this AMI account more than one login (allowmultiplelogin)"


class ServiceError(Exception):
    """The service cannot start; the message names what is wrong."""


class Runtime:
    def __init__(self, settings: Settings, ledger: AsyncLedger, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.ledger = ledger
        self.metrics = Metrics()
        self.recordings = RecordingsFolder(settings.recordings.dir, settings.recordings.format)
        self.folder = FolderWatch(settings.recordings.dir)
        ami = settings.ami
        auth, tls = link_security(ami)

        def session(events: str) -> Callable[[], AmiClient]:
            return lambda: AmiClient(
                ping_interval=ami.ping_interval, action_timeout=ami.action_timeout, events=events
            )

        # Asterisk serves a session's actions and events on one thread: the listener sends no
        # action that may wait on a channel, so no event waits behind one (docs/ami-client.md).
        # The stops that answer a caller's key have sessions of their own, behind nothing.
        self.supervisor = AmiSupervisor(
            ami.host,
            ami.port,
            ami.username,
            ami.secret.reveal(),
            auth=auth,
            tls=tls,
            backoff=RECONNECT,
            client_factory=session("on"),
            lanes={name: session("off") for name in (*ACTIONS, *URGENT)},
        )
        compliance = settings.compliance
        self.keyring = Keyring.from_secrets(compliance.recording_key, compliance.previous_keys)
        self.tone_links = TonePool(
            ami.host, ami.port, ami.username, ami.secret.reveal(), auth=auth, tls=tls
        )
        self.clock = clock
        # One audit log for the API and the service's own acts (deletions), checkpoints included.
        self.audit = open_audit_log(compliance, settings.store)
        self.executor = Executor(
            lambda: self._idlest(ACTIONS),
            ledger,
            self.recordings,
            self.metrics,
            clock,
            keyring=self.keyring,
            tone_links=self.tone_links,
            audit=self.audit,
            urgent=lambda: self._idlest(URGENT),
        )
        deps = CallsDeps(
            executor=self.executor,
            ledger=ledger,
            metrics=self.metrics,
            object_key=lambda: settings.consent.keys.objection,
            notice_hash=self._hash,
            decider=Decider(settings),
            clock=clock,
            untracked_objection=self._untracked_objection,
        )
        self.calls = Calls(deps)
        self.rebuilder = Rebuilder(self.calls, ledger, self.recordings, clock)
        self.encryption_retry = EncryptionRetry(self.recordings.root, ledger, self.keyring, clock)
        checkpoints = compliance.checkpoints  # the ledger's chain signed as the audit log's
        self.ledger_checkpoints = (
            None if checkpoints is None else LedgerCheckpoints(checkpoints, ledger)
        )
        self.live = LiveView(self.calls, self.metrics)  # what the dashboard may read
        self.audit = open_audit_log(compliance, settings.store)  # shared with the web app
        self.listening = Listening(
            settings.listening, self.calls, self.executor.controls.setvar, self.audit.append, clock
        )
        self.supervisor.on_connected.append(self._connected)
        outbound = guard_hook(settings, lambda: self._idlest(ACTIONS))
        self.supervisor.on_connected.append(outbound)  # the outbound guard
        self.manifest = _manifest(settings)
        self._gauges()
        self.scheduling = LoopScheduling(settings.service.scheduling, self.metrics.registry)
        self.collecting: set[asyncio.Task[None]] = set()

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

    def _idlest(self, lanes: tuple[str, ...]) -> AmiClient | None:
        """The session of `lanes` with the fewest actions in flight, the first if idle."""
        live = [c for name in lanes if (c := self.supervisor.lane(name)) is not None]
        return min(live, key=lambda client: client.in_flight, default=None)

    async def _connected(self, client: AmiClient) -> None:
        # Events of calls not tracked yet are held until the rebuild has adopted them.
        self.calls.hold()
        client.add_listener(self.calls.on_event)
        client.add_listener(self.listening.on_event)
        try:
            self.executor.arm_in_dialplan = await pbx_memory.arms_in_dialplan(client)
            await pbx_memory.publish_keys(client, self.settings.consent, self.settings.agents)
            objections = await pbx_memory.pending_objections(client, self.clock)
            await self.rebuilder.run(client, objections, self.listening)
        finally:
            self.calls.release()

    def _untracked_objection(self, call_id: str, channel: str) -> None:
        task = asyncio.create_task(self.rebuilder.untracked_objection(call_id, channel))
        self.collecting.add(task)
        task.add_done_callback(self.collecting.discard)

    def erase_live(self, call_ids: list[str]) -> None:
        """A caller's erasure was asked for: their calls still up stop being recorded and lose
        what was recorded, as for an objection."""
        for call_id in call_ids:
            if call_id in self.calls.sessions:
                log.info("call %s: caller erased during the call", call_id)
                self.calls.feed(call_id, i.Objected(self.clock(), Source.SERVICE))

    def health(self) -> tuple[bool, dict[str, object]]:
        ami = self.supervisor.health
        body: dict[str, object] = {
            "ami": ami.as_dict(),
            "ledger": {"location": self.ledger.location} | self.ledger.health.as_dict(),
            "calls_in_progress": len(self.calls.sessions),
            "recordings": self.folder.health.as_dict(),
            "scheduling": self.scheduling.as_dict(),
        }
        return ami.connected and self.folder.health.ok, body

    def metrics_text(self) -> str:
        return self.metrics.render()

    def _multiple_logins_refused(self) -> bool:
        return self.supervisor.multiple_logins_refused

    def _gauges(self) -> None:
        gauge = self.metrics.gauge

        def folder() -> FolderHealth:
            return self.folder.health

        gauge("ami_up", "1 while the AMI link is up", lambda: self.supervisor.health.connected)
        gauge("ami_multiple_logins_refused", REFUSED_HELP, self._multiple_logins_refused)
        gauge("calls_in_progress", "Calls tracked now", lambda: len(self.calls.sessions))
        gauge("recordings_writable", "1 if the folder takes writes", lambda: folder().writable)
        gauge("recordings_ok", "1 if the recordings folder is healthy", lambda: folder().ok)
        gauge("recordings_free_bytes", "Free bytes in the folder", lambda: folder().free_bytes)
        health = self.ledger.health
        gauge("store_up", "1 while the ledger's store takes writes", lambda: health.reachable)
        gauge(
            "store_spooled_rows",
            "Rows waiting on this host for the store",
            lambda: health.spooled_rows,
        )

    async def serve(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(build_app(self), handle_signals=False)
        await runner.setup()
        http = self.settings.http
        await web.TCPSite(runner, http.listen_host, http.listen_port).start()
        log.info("listening on http://%s:%s", http.listen_host, http.listen_port)
        # What start-up built lives as long as the service: kept out of the collector's full
        # passes, which otherwise scan it all and stall the loop for tens of milliseconds,
        # objections included (measured with benchmarks/objection_latency.py).
        gc.freeze()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.scheduling.start()  # real-time, guarded, or the short slice (ivr.service.realtime)
        rescheduling = asyncio.create_task(self.scheduling.run(), name="ivr-scheduling")
        supervising = asyncio.create_task(self.supervisor.run(), name="ami-supervisor")
        watching = asyncio.create_task(self.folder.run(stop), name="recordings-folder")
        daily = purge_daily(self.settings, self.ledger, audit=self.audit)
        purging = asyncio.create_task(daily, name="ivr-purge")
        encrypting = asyncio.create_task(self.encryption_retry.run(), name="ivr-encrypt-retry")
        signing = asyncio.create_task(self._ledger_checkpoints(), name="ivr-ledger-checkpoints")
        healing = asyncio.create_task(heal_store(self.ledger), name="ivr-store")
        try:
            await stop.wait()
        finally:
            log.info("stopping: finishing calls in hand")
            self.supervisor.stop()
            for task in (purging, encrypting, signing, healing, rescheduling):
                task.cancel()
            await asyncio.gather(
                supervising, watching, purging, encrypting, signing, healing, rescheduling,
                return_exceptions=True,
            )  # fmt: skip
            await self.calls.drain(DRAIN_SECONDS)
            await self.executor.settle(DRAIN_SECONDS)
            await self._last_ledger_checkpoint()
            await self.tone_links.close()
            await runner.cleanup()

    async def _ledger_checkpoints(self) -> None:
        if self.ledger_checkpoints is not None:
            await self.ledger_checkpoints.run()

    async def _last_ledger_checkpoint(self) -> None:
        if self.ledger_checkpoints is None:
            return
        try:
            await self.ledger_checkpoints.sign_now()
        except Exception:
            log.exception("the ledger's last checkpoint could not be written")


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
    async with await settings_ledger(settings) as ledger:  # SQLite file or [store] url
        await Runtime(settings, ledger).serve(stop)
