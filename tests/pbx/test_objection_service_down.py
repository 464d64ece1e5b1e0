"""An objection pressed while the service is dead is honoured by the PBX alone — the recording
stops within a second and the objection is remembered in AstDB — and the service, once back,
deletes the partial file and writes the objection to the ledger with its real time."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path

import pytest

from ivr import names
from ivr.ami import AmiClient, EventMatch
from ivr.qa.audio import wav_is_closed
from ivr.qa.carrier import Carrier
from tests.support.consent_calls import event_of, ledger_entry, place, poll
from tests.support.service import ServiceProcess
from tests.support.targets import Target

pytestmark = pytest.mark.sip


async def objection_in_astdb(pbx_ami: AmiClient, call_id: str) -> str | None:
    _, entries = await pbx_ami.event_list("DBGetTree", {"Family": names.DB_OBJECTIONS})
    return next((e.get("Val") for e in entries if e.get("Key", "").endswith(call_id)), None)


async def test_objection_with_the_service_killed(
    service_config: Path,
    tmp_path: Path,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
) -> None:
    first = ServiceProcess(service_config, tmp_path / "first.log")
    await first.start()
    call = await place(carrier, pbx_ami, pbx_target)
    await call.step("notice-done")
    await call.bridged()
    await call.file_appears()
    await asyncio.sleep(1.0)
    first.kill()

    pressed = time.time()
    await call.leg.press("9")  # returns when the 250 ms key has ended
    key_ended = time.monotonic()
    stopped = await call.pbx.events.wait_for(EventMatch("MixMonitorStop"), 1.0)
    assert stopped.get("Uniqueid") == call.call_id
    await poll(lambda: wav_is_closed(call.file), 1.0 - (time.monotonic() - key_ended), "not closed")
    size = call.file.stat().st_size
    remembered = await objection_in_astdb(pbx_ami, call.call_id)
    assert remembered is not None
    assert pressed - 1 <= float(remembered) <= pressed + 1.5
    await asyncio.sleep(0.5)
    assert call.file.stat().st_size == size, "still recording after the objection"

    second = ServiceProcess(service_config, tmp_path / "second.log")
    await second.start()
    try:
        await poll(lambda: not call.file.exists(), 5.0, "the partial file survived the restart")
        await call.leg.hangup()
        entry = await ledger_entry(second, call.call_id)
    finally:
        assert second.stop() == 0, second.log_tail()
    assert entry["decision"] == "objected"
    objected = event_of(entry, "objected")
    assert objected["source"] == "reconcile"
    assert abs(datetime.fromisoformat(str(objected["at"])).timestamp() - float(remembered)) < 0.01
    events = entry["events"]
    assert isinstance(events, list)
    assert "recording-deleted" in [e["kind"] for e in events]
    assert await objection_in_astdb(pbx_ami, call.call_id) is None, "AstDB was not tidied"
