"""A real call on the real PBX, with a symbolic link planted in the recordings folder under the
name the call's recording will have, pointing at a file outside it (standing for the ledger):
the service removes the link before asking the PBX to record, does not record that call, and
the file outside is never written (issue 15, item 2)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ivr.ami import AmiClient
from ivr.qa.carrier import Carrier
from tests.support.consent_calls import event_of, ledger_entry, place
from tests.support.service import ServiceProcess
from tests.support.targets import Target

pytestmark = pytest.mark.sip

PRECIOUS = b"the ledger: nothing may be written through a link\n" * 100


async def test_a_link_planted_as_the_recording_is_removed_and_nothing_written_through_it(
    service_config: Path, tmp_path: Path, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    # Beside the recordings, linked by a relative name: the same file in the PBX's view (its
    # chroot) and the service's, so a write through the link would land in it.
    victim = pbx_target.recordings_dir / f"ledger-stand-in-{tmp_path.name}.sqlite3"
    victim.write_bytes(PRECIOUS)
    service = ServiceProcess(service_config, tmp_path / "service.log")
    await service.start()
    try:
        call = await place(carrier, pbx_ami, pbx_target)
        call.file.symlink_to(victim.name)  # planted by whoever can write the spool, mid-notice
        await call.step("notice-done")
        await call.bridged()
        await asyncio.sleep(2.0)  # the conversation: a recording would be written now
        await call.leg.hangup()
        entry = await ledger_entry(service, call.call_id)
    finally:
        assert service.stop() == 0, service.log_tail()
        written = victim.read_bytes()
        victim.unlink()
    assert written == PRECIOUS
    assert not call.file.is_symlink()
    assert not call.file.exists()
    assert entry["decision"] == "not-recorded"
    assert "a link sat at" in str(event_of(entry, "error")["detail"])
