"""Asterisk restarted under load: the service shows the outage on /healthz (503), reconnects
with backoff, reports the gap, finishes the calls the restart cut, and handles new calls within
2 s of the PBX being fully booted. The PBX pair is this test's own: others keep theirs."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from ivr.qa.carrier import Carrier
from ivr.sandbox import instance
from tests.support.calls import hang_up_everything
from tests.support.consent_calls import ConsentCall, ledger_entry, place, poll
from tests.support.fixtures import connect
from tests.support.service import ServiceProcess, build_prompts, write_config
from tests.support.targets import Target, external_pair, sandbox_pair, sandbox_prefix

pytestmark = [pytest.mark.sip, pytest.mark.slow, pytest.mark.timeout(300)]

LOAD = 6  # calls being recorded when the PBX goes down
OUTAGE = 3.0  # seconds the PBX stays down: several reconnect attempts
BACK_WITHIN = 2.0


@pytest.fixture(scope="module")
def own_pair() -> Iterator[tuple[Target, Target]]:
    if external_pair() is not None:
        pytest.skip("restarts a sandbox PBX; an external PBX is not ours to restart")
    with sandbox_pair(sandbox_prefix("boot")) as pair:
        yield pair


@pytest_asyncio.fixture
async def service(own_pair: tuple[Target, Target], tmp_path: Path) -> AsyncIterator[ServiceProcess]:
    config = write_config(tmp_path, own_pair[0])
    await asyncio.to_thread(build_prompts, config)
    process = ServiceProcess(config, tmp_path / "service.log")
    await process.start()
    yield process
    process.stop()


def health(service: ServiceProcess) -> tuple[int, dict[str, object]]:
    try:
        return 200, service.get("/healthz")
    except urllib.error.HTTPError as exc:
        body: dict[str, object] = json.loads(exc.read())
        return exc.code, body


async def until_status(service: ServiceProcess, status: int, timeout: float) -> float:
    started = time.monotonic()
    while (await asyncio.to_thread(health, service))[0] != status:
        assert time.monotonic() - started < timeout, f"/healthz never {status}"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_pbx_restart_under_load(
    own_pair: tuple[Target, Target], service: ServiceProcess
) -> None:
    pbx, carrier_target = own_pair
    pbx_ami, carrier_ami = await connect(pbx), await connect(carrier_target)
    carrier = Carrier(carrier_ami)
    try:
        cut = await _load(carrier, pbx_ami, pbx)
        await asyncio.to_thread(instance.down, pbx.name)
        await asyncio.wait_for(pbx_ami.wait_closed(), 10.0)
        await until_status(service, 503, 5.0)
        await hang_up_everything(carrier_ami)
        outage_end = time.monotonic() + OUTAGE
        while time.monotonic() < outage_end:  # down all along, and says so
            assert (await asyncio.to_thread(health, service))[0] == 503
            await asyncio.sleep(0.1)
        await asyncio.to_thread(instance.up, pbx.name)  # returns once fully booted
        back = await until_status(service, 200, 10.0)
        _, body = await asyncio.to_thread(health, service)
        pbx_ami = await connect(pbx)
        new = await place(carrier, pbx_ami, pbx)
        await _recorded(new)
        entries = [await ledger_entry(service, c.call_id, timeout=30.0) for c in [*cut, new]]
    finally:
        await pbx_ami.close()
        await carrier_ami.close()
    ami = body["ami"]
    assert isinstance(ami, dict)
    assert ami["reconnects"] >= 1
    assert ami["last_gap"] >= OUTAGE
    print(f"PBX restart: service back {back:.3f} s after fully booted, gap {ami['last_gap']:.1f} s")
    assert back < BACK_WITHIN
    assert entries[-1]["decision"] == "kept"
    assert all(e["decision"] in {"kept", "not-recorded"} for e in entries[:-1]), entries


async def _load(carrier: Carrier, pbx_ami: AmiClient, pbx: Target) -> list[ConsentCall]:
    calls = []
    for _ in range(LOAD):
        calls.append(await place(carrier, pbx_ami, pbx))
        await asyncio.sleep(0.15)
    await asyncio.gather(*(c.step("notice-done") for c in calls))
    await asyncio.gather(*(c.file_appears(timeout=10.0) for c in calls))
    return calls


async def _recorded(call: ConsentCall) -> None:
    await call.step("notice-done")
    await call.bridged()
    await call.file_appears()
    await poll(lambda: call.file.stat().st_size > 16_000, 10.0, "nothing recorded")  # 0.5 s
    await call.leg.hangup()
