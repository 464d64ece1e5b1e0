"""A recording whose encryption fails at the end of its call is kept in the ledger, marked as
not encrypted yet, and the service encrypts it later (issue 15, item 3)."""

from __future__ import annotations

from pathlib import Path

from ivr.consent.closing import NOT_ENCRYPTED
from ivr.crypto import Keyring, RecordingKey, open_recording
from ivr.names import EventKind
from ivr.recordings.files import locate
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import decided, service, tier_settings
from tests.support.transcripts import Transcript

KEY_HEX = bytes(range(32)).hex()
ENCRYPTED = f'[encryption]\nkey = "{KEY_HEX}"\n'


async def test_a_recording_that_cannot_be_encrypted_is_kept_marked_and_encrypted_later(
    pbx: FakePbx, tmp_path: Path
) -> None:
    settings = tier_settings(tmp_path, pbx, ENCRYPTED)
    transcript = Transcript.load("consent-loop")
    folder = settings.recordings.dir
    plain = folder / f"ivr-{transcript.call_id}.wav"
    # A folder where the encryption's temporary file goes: it cannot be written, a real failure.
    blocker = folder / f"{plain.name}.enc.partial"
    blocker.mkdir()
    async with service(settings) as runtime:
        await pbx.replay(transcript)
        record = await decided(runtime, transcript.call_id)
        assert record.decision == "kept"
        assert record.recording is not None
        assert record.recording.path == str(plain)
        errors = [e.detail for e in record.events if e.kind is EventKind.ERROR]
        assert {"recording": NOT_ENCRYPTED} in [{"recording": d.get("recording")} for d in errors]
        assert plain.is_file()

        blocker.rmdir()
        assert await runtime.encryption_retry.run_once() == [transcript.call_id]
        after = await runtime.ledger.get_call(transcript.call_id)
    assert not plain.exists()
    found = locate(record.recording.path, folder)
    assert found is not None
    assert found.name.endswith(".enc")
    assert after is not None
    assert EventKind.RECORDING_ENCRYPTED in {e.kind for e in after.events}
    key = Keyring(RecordingKey.from_bytes(bytes.fromhex(KEY_HEX)))
    assert (
        len(b"".join(open_recording(found, key))) == record.recording.duration_seconds * 16000 + 44
    )
