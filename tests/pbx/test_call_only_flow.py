"""The consent flow end to end with the service's AMI account narrowed to `write = call` (the
sandbox's `ivr-call-only`): the dialplan arms the recording on the service's go, MixMonitor's
`b` option starts it at the bridge, the service stops it on objection and rebuilds the calls
after a restart with `Status`. Real SIP calls from the carrier; files on disk, ledger rows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from ivr.qa.audio import hears, read_wav
from ivr.qa.carrier import Carrier
from ivr.sandbox.render import CALL_ONLY_AMI_USER
from tests.support.consent_calls import (
    AGENT_HZ,
    CALLER_HZ,
    event_kinds,
    ledger_entry,
    place,
    poll,
)
from tests.support.service import ServiceProcess
from tests.support.targets import Target

pytestmark = pytest.mark.sip

CALL_ONLY = {"IVR_AMI_USERNAME": CALL_ONLY_AMI_USER}


def call_only_service(config: Path) -> ServiceProcess:
    return ServiceProcess(config, config.parent / "call-only.log", env=CALL_ONLY)


async def started(process: ServiceProcess) -> ServiceProcess:
    """Never left running behind a failed start: it would act on the next tests' calls."""
    try:
        await process.start()
    except BaseException:
        process.stop()
        raise
    return process


@pytest_asyncio.fixture
async def service(service_config: Path) -> AsyncIterator[ServiceProcess]:
    process = await started(call_only_service(service_config))
    yield process
    assert process.stop() == 0, process.log_tail()


async def test_with_write_call_the_bridge_after_the_notice_records_both_voices(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target)
    await call.step("notice-done")
    await call.bridged()
    bridged_at = time.monotonic()
    await call.file_appears()
    await asyncio.sleep(2.0)  # the conversation
    await call.leg.hangup()
    talked = time.monotonic() - bridged_at

    entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "kept", service.log_tail()
    kinds = event_kinds(entry)
    assert kinds.index("notice-done") < kinds.index("recording-started")
    pcm = read_wav(call.file)
    assert 1.5 < pcm.seconds <= talked + 0.5, "more than the bridged conversation was written"
    assert hears(pcm, CALLER_HZ)
    assert hears(pcm, AGENT_HZ)
    assert "recording not started" not in service.log_tail(400)


async def test_with_write_call_an_objection_mid_call_stops_and_deletes(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target)
    await call.step("notice-done")
    await call.bridged()
    await poll(lambda: call.file.stat().st_size > 8000, 5.0, "the conversation is not recorded")
    await call.leg.press("9")
    await poll(lambda: not call.file.exists(), 1.0, "recording still on disk 1 s after the key")
    await asyncio.sleep(1.0)  # the conversation goes on, unrecorded
    assert not call.file.exists()
    await call.leg.hangup()

    entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "objected"
    assert {"recording-stopped", "recording-deleted"} <= set(event_kinds(entry))


async def test_with_write_call_a_restart_mid_call_keeps_recording_the_call(
    service_config: Path, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    first = await started(call_only_service(service_config))
    try:
        call = await place(carrier, pbx_ami, pbx_target)
        await call.step("notice-done")
        await call.bridged()
        await poll(lambda: call.file.stat().st_size > 8000, 5.0, "the conversation is not recorded")
    finally:
        first.kill()

    second = await started(call_only_service(service_config))
    try:
        await asyncio.sleep(1.0)  # recorded while the service rebuilds it from Status
        size = call.file.stat().st_size
        await poll(lambda: call.file.stat().st_size > size, 3.0, "the recording stopped")
        await call.leg.hangup()
        entry = await ledger_entry(second, call.call_id)
    finally:
        assert second.stop() == 0, second.log_tail()
    assert entry["decision"] == "kept", second.log_tail()
    assert read_wav(call.file).seconds > 1.5


async def test_with_write_call_a_call_armed_then_unheard_while_ringing_is_not_kept(
    service_config: Path, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    """Armed at the end of the notice, then the service died before the agent answered: the
    caller's keys while the phone rang reached nobody, so what was written is deleted."""
    first = await started(call_only_service(service_config))
    try:
        call = await place(carrier, pbx_ami, pbx_target, exten="c-fr-agent-after-3")
        await call.step("notice-done")
        await call.file_appears()  # armed: the monitor's header, nothing written before the bridge
    finally:
        first.kill()
    await call.bridged()

    second = await started(call_only_service(service_config))
    try:
        await poll(lambda: not call.file.exists(), 5.0, "the armed recording was kept")
        await call.leg.hangup()
        entry = await ledger_entry(second, call.call_id)
    finally:
        assert second.stop() == 0, second.log_tail()
    assert entry["decision"] == "not-recorded"
    kinds = event_kinds(entry)
    assert "recording-decided" in kinds
    assert "recording-started" not in kinds
