"""``ivr redact`` on a recording the real PBX made of a real SIP call, kept encrypted: the
segment downloaded afterwards is silence, the voices are still heard around it, the file is
still encrypted, and the ledger's sha256 is the new audio's (issue 15, item 12)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import subprocess
import wave
from array import array
from pathlib import Path

import pytest

from ivr.ami import AmiClient
from ivr.crypto import new_key_hex
from ivr.qa.audio import Pcm, hears
from ivr.qa.carrier import Carrier
from tests.support.consent_calls import AGENT_HZ, CALLER_HZ, ledger_entry, place
from tests.support.service import ServiceProcess, ivr_command
from tests.support.targets import Target

pytestmark = pytest.mark.sip


async def test_redacting_a_recorded_call_silences_that_segment_only(
    service_config: Path, tmp_path: Path, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    key = {"IVR_ENCRYPTION_KEY": new_key_hex()}
    service = ServiceProcess(service_config, tmp_path / "service.log", env=key)
    await service.start()
    try:
        call = await place(carrier, pbx_ami, pbx_target)
        await call.step("notice-done")
        await call.bridged()
        await call.file_appears()
        await asyncio.sleep(3.0)  # the conversation
        await call.leg.hangup()
        entry = await ledger_entry(service, call.call_id)
        redact = ivr_command(
            *("redact", call.call_id, "--from", "1", "--to", "2", "--reason", "card number"),
            *("--config", str(service_config)),
        )
        done = await asyncio.to_thread(
            subprocess.run, redact, capture_output=True, text=True, env=os.environ | key
        )
        assert done.returncode == 0, done.stderr
        audio = await asyncio.to_thread(
            service.get_bytes, f"/api/recordings/{call.call_id}/audio?reason=check+redaction"
        )
        after = await asyncio.to_thread(service.get, f"/api/calls/{call.call_id}?reason=check")
    finally:
        assert service.stop() == 0, service.log_tail()
    recording = after["recording"]
    assert isinstance(recording, dict)
    assert str(recording["path"]).endswith(".wav.enc")
    assert await asyncio.to_thread(Path(str(recording["path"])).is_file)  # encrypted at rest
    assert not call.file.exists()
    assert hashlib.sha256(audio).hexdigest() == recording["sha256"]
    assert recording["sha256"] != entry["recording"]["sha256"]  # type: ignore[index]
    with wave.open(io.BytesIO(audio)) as wav:
        rate = wav.getframerate()
        pcm = Pcm(array("h", wav.readframes(wav.getnframes())), rate)
    assert not any(pcm.samples[rate : 2 * rate])  # the second from 1 s to 2 s
    assert hears(Pcm(pcm.samples[: rate - rate // 10], rate), CALLER_HZ)  # before it, untouched
    rest = Pcm(pcm.samples[2 * rate :], rate)
    assert hears(rest, CALLER_HZ)
    assert hears(rest, AGENT_HZ)
