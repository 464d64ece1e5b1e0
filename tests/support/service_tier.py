"""The whole service in-process — calls, executor, ledger, HTTP — against the fake PBX, booted
the way `ivr run` boots it (`Runtime.serve`), for the fast service tier."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from ivr.config import load_settings
from ivr.config.model import Settings
from ivr.config.service import ServiceSettings
from ivr.ledger.model import CallRecord
from ivr.service.runtime import Runtime
from ivr.store.opening import settings_ledger
from tests.support.fake_ami import eventually
from tests.support.fake_pbx import FakePbx
from tests.support.service import TEST_CONFIG, free_port, with_policy
from tests.support.store import SITE, StoreUnderTest

READY = 5.0
# The service runs in pytest's own process here: its loop thread is pytest's main thread, which
# must not be put at real-time priority (tests/unit/service/test_realtime*.py prove that mode).
IN_PROCESS = '\n[service]\nscheduling = "normal"\n'


def tier_settings(
    folder: Path,
    pbx: FakePbx,
    policy: str = "",
    store: StoreUnderTest | None = None,
    in_process: bool = True,
) -> Settings:
    """The service's settings against ``pbx``; its ledger and audit log in ``store`` (the
    SQLite files in ``folder`` when None); ``in_process=False`` for an ``ivr run`` of its own,
    scheduled as shipped."""
    (folder / "recordings").mkdir(exist_ok=True)
    (folder / "sounds").mkdir(exist_ok=True)
    path = folder / "ivr.toml"
    template = with_policy(TEST_CONFIG, policy.replace("{", "{{").replace("}", "}}"))
    path.write_text(
        template.format(
            ami_host="127.0.0.1",
            ami_port=pbx.port,
            username=pbx.username,
            secret=pbx.secret,
            recordings=folder / "recordings",
            ledger=folder / "ledger.sqlite3",
            http_port=free_port(),
            sounds=folder / "sounds",
        )
        + _store_table(store)
        + (IN_PROCESS if in_process else ""),
        encoding="utf-8",
    )
    return load_settings(path, environ={})


def _store_table(store: StoreUnderTest | None) -> str:
    if store is None or store.url is None:
        return ""
    return f'\n[store]\nurl = "{store.url.dsn}"\nsite = "{SITE}"\n'


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Runtime]:
    """The service started for the block, connected or not, then stopped as on SIGTERM.
    Its loop thread is pytest's main thread: scheduled "normal" whatever ``settings`` say, or
    the rest of the run would go on at real-time priority."""
    settings = replace(settings, service=ServiceSettings("normal"))
    async with await settings_ledger(settings) as ledger:
        runtime = Runtime(settings, ledger)
        stop = asyncio.Event()
        serving = asyncio.create_task(runtime.serve(stop))
        try:
            yield runtime
        finally:
            stop.set()
            await serving


@asynccontextmanager
async def service(settings: Settings) -> AsyncIterator[Runtime]:
    """The service up and connected to the fake PBX for the block (`running`)."""
    async with running(settings) as runtime:
        await eventually(
            lambda: runtime.supervisor.health.connected and runtime.calls.held is None,
            READY,
            "the service connected to the fake PBX",
        )
        yield runtime


async def decided(runtime: Runtime, call_id: str, timeout: float = 10.0) -> CallRecord:
    """The call's ledger entry once its decision is written."""
    found: list[CallRecord] = []

    async def check() -> bool:
        record = await runtime.ledger.get_call(call_id)
        if record is not None and record.decision is not None:
            found.append(record)
            return True
        return False

    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"{call_id}: no decision"
        await asyncio.sleep(0.01)
    return found[0]
