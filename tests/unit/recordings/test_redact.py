"""``ivr redact``: a segment of a kept recording (a real 16-bit WAV written here) becomes
silence, the rest untouched; encrypted stays encrypted; the ledger holds the new sha256 and the
old one as history; the audit log says who and why (issue 15, item 12)."""

from __future__ import annotations

import asyncio
import hashlib
import math
import struct
import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.audit import AuditLog
from ivr.cli.main import main
from ivr.config import Settings, load_settings
from ivr.crypto import Keyring, RecordingKey, encrypt_recording, open_recording
from ivr.ledger import AsyncLedger, KeptRecording, Ledger
from ivr.names import Decision, EventKind, Source
from tests.unit.config import sample

KEY_HEX = bytes(range(32)).hex()
CALL = "1700000000.7"
RATE = 8000


def tone(seconds: float) -> bytes:
    samples = (
        int(8000 * math.sin(2 * math.pi * 440 * n / RATE)) for n in range(int(seconds * RATE))
    )
    return b"".join(struct.pack("<h", s or 1) for s in samples)  # never a silent sample


def write_wav(path: Path, frames: bytes) -> bytes:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(frames)
    return path.read_bytes()


@pytest.fixture(params=[True, False], ids=["encrypted", "plain"])
def encrypted(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def kept(tmp_path: Path, encrypted: bool) -> tuple[Path, Settings, bytes]:
    (tmp_path / "rec").mkdir()
    config = sample.write(
        tmp_path,
        {
            "recordings": {"dir": "rec"},
            "ledger": {"path": "ledger.sqlite3"},
            "encryption": {"key": KEY_HEX},
        },
    )
    settings = load_settings(config, environ={})
    path = settings.recordings.dir / f"ivr-{CALL}.wav"
    original = write_wav(path, tone(3.0))

    async def fill() -> None:
        async with await AsyncLedger.open(settings.ledger.path) as ledger:
            at = datetime(2026, 12, 1, 9, tzinfo=UTC)
            await ledger.start_call(
                CALL,
                started_at=at,
                caller_number="+331",
                caller_name="J",
                profile="fr",
                language="fr",
            )
            digest = hashlib.sha256(original).hexdigest()
            recording = KeptRecording(str(path), 3.0, digest)
            await ledger.finish_call(CALL, ended_at=at, decision=Decision.KEPT, recording=recording)

    asyncio.run(fill())
    if encrypted:
        encrypt_recording(path, RecordingKey.from_bytes(bytes.fromhex(KEY_HEX)))
    return config, settings, original


def audio_of(settings: Settings) -> tuple[Path, bytes]:
    [path] = list(settings.recordings.dir.iterdir())
    keyring = Keyring(RecordingKey.from_bytes(bytes.fromhex(KEY_HEX)))
    return path, b"".join(open_recording(path, keyring))


def test_a_segment_is_silenced_the_rest_kept_and_the_form_unchanged(
    kept: tuple[Path, Settings, bytes], encrypted: bool
) -> None:
    config, settings, original = kept
    args = ["redact", CALL, "--from", "1", "--to", "2", "--reason", "card number read out"]
    assert main([*args, "--config", str(config)]) == 0
    path, audio = audio_of(settings)
    assert path.name.endswith(".enc") is encrypted
    start, end = 44 + 1 * RATE * 2, 44 + 2 * RATE * 2
    assert audio[start:end] == bytes(end - start)
    assert audio[:start] == original[:start]
    assert audio[end:] == original[end:]


def test_the_ledger_keeps_the_new_hash_and_the_old_one_as_history(
    kept: tuple[Path, Settings, bytes],
) -> None:
    config, settings, original = kept
    args = ["redact", CALL, "--from", "0.5", "--to", "1", "--reason", "PCI"]
    assert main([*args, "--config", str(config)]) == 0
    _, audio = audio_of(settings)
    with Ledger.open(settings.ledger.path, read_only=True) as ledger:
        record = ledger.get_call(CALL)
    assert record is not None
    assert record.recording is not None
    assert record.recording.sha256 == hashlib.sha256(audio).hexdigest()
    [event] = [e for e in record.events if e.kind is EventKind.RECORDING_REDACTED]
    assert event.source is Source.OPERATOR
    assert event.detail["old_sha256"] == hashlib.sha256(original).hexdigest()
    assert event.detail["new_sha256"] == record.recording.sha256
    assert (event.detail["from"], event.detail["to"], event.detail["reason"]) == (0.5, 1.0, "PCI")
    [row] = AuditLog(settings.compliance.audit_path).rows()
    assert (row.entry.action, row.entry.target, row.entry.reason, row.entry.outcome) == (
        "redact",
        CALL,
        "PCI",
        "ok",
    )
    assert row.entry.actor.startswith("cli:")


@pytest.mark.parametrize(
    "bounds", [("2", "1"), ("5", "6"), ("-1", "1")], ids=["reversed", "past-end", "negative"]
)
def test_a_segment_outside_the_recording_changes_nothing(
    kept: tuple[Path, Settings, bytes], bounds: tuple[str, str]
) -> None:
    config, settings, _ = kept
    before = audio_of(settings)
    args = ["redact", CALL, "--from", bounds[0], "--to", bounds[1], "--reason", "PCI"]
    assert main([*args, "--config", str(config)]) != 0
    assert audio_of(settings)[1] == before[1]
