"""A kept recording is encrypted at rest once closed (plaintext removed), and an authorised
download with a reason decrypts it on the fly, byte for byte the recording that was made."""

from __future__ import annotations

import asyncio
import hashlib
import io
import urllib.error
import wave
from array import array
from pathlib import Path

import pytest

from ivr.ami import AmiClient
from ivr.crypto import new_key_hex
from ivr.qa.audio import Pcm, hears
from ivr.qa.carrier import Carrier
from tests.support.consent_calls import AGENT_HZ, CALLER_HZ, ledger_entry, place
from tests.support.service import ServiceProcess
from tests.support.targets import Target

pytestmark = pytest.mark.sip


def assert_encrypted_in_place(stored: Path, plaintext: Path) -> None:
    assert stored.name == f"{plaintext.name}.enc"
    assert stored.is_file()
    assert not plaintext.exists(), "the plaintext must be gone"
    assert b"RIFF" not in stored.read_bytes()[:64]


async def test_kept_recording_is_encrypted_and_served_decrypted(
    service_config: Path, tmp_path: Path, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    service = ServiceProcess(
        service_config, tmp_path / "service.log", env={"IVR_ENCRYPTION_KEY": new_key_hex()}
    )
    await service.start()
    try:
        call = await place(carrier, pbx_ami, pbx_target)
        await call.step("notice-done")
        await call.bridged()
        await call.file_appears()
        await asyncio.sleep(2.0)
        await call.leg.hangup()
        entry = await ledger_entry(service, call.call_id)
        recording = entry["recording"]
        assert isinstance(recording, dict)
        assert_encrypted_in_place(Path(str(recording["path"])), call.file)

        with pytest.raises(urllib.error.HTTPError) as refused:  # no reason, no audio
            await asyncio.to_thread(service.get_bytes, f"/api/recordings/{call.call_id}/audio")
        assert refused.value.code == 400
        refused.value.close()  # it holds the response's socket
        audio = await asyncio.to_thread(
            service.get_bytes, f"/api/recordings/{call.call_id}/audio?reason=quality+review"
        )
    finally:
        assert service.stop() == 0, service.log_tail()
    assert hashlib.sha256(audio).hexdigest() == recording["sha256"]
    with wave.open(io.BytesIO(audio)) as wav:
        pcm = Pcm(array("h", wav.readframes(wav.getnframes())), wav.getframerate())
    assert hears(pcm, CALLER_HZ)
    assert hears(pcm, AGENT_HZ)
