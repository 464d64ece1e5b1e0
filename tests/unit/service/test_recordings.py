from __future__ import annotations

import hashlib
import wave
from pathlib import Path

import pytest

from ivr.recordings.folder import RecordingsFolder, UnsafeRecordingName


def write_wav(path: Path, frames: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x01\x00" * frames)


@pytest.mark.parametrize(
    "name",
    [
        "../etc/passwd",
        "ivr-../../x.wav",
        "/abs/ivr-1.wav",
        "ivr-1.wav/..",
        "x.wav",
        "ivr-1.mp3",
        "ivr-\n.wav",
    ],
)
def test_names_the_service_never_makes_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsafeRecordingName):
        RecordingsFolder(tmp_path).path_of(name)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "monitor"
    folder.mkdir()
    (folder / "ivr-1.wav").symlink_to(outside / "secret.wav")
    with pytest.raises(UnsafeRecordingName, match="outside"):
        RecordingsFolder(folder).path_of("ivr-1.wav")


def test_delete_says_whether_there_was_a_file(tmp_path: Path) -> None:
    folder = RecordingsFolder(tmp_path)
    write_wav(tmp_path / "ivr-1795.1.wav", 10)
    assert folder.delete("ivr-1795.1.wav") is True
    assert not (tmp_path / "ivr-1795.1.wav").exists()
    assert folder.delete("ivr-1795.1.wav") is False


async def test_a_closed_recording_is_described_by_duration_and_hash(tmp_path: Path) -> None:
    path = tmp_path / "ivr-1795.2.wav"
    write_wav(path, 8000)
    folder = RecordingsFolder(tmp_path)
    assert await folder.wait_closed("ivr-1795.2.wav", deadline=1.0)
    described = await folder.describe("ivr-1795.2.wav")
    assert described.duration_seconds == 1.0
    assert described.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_file_still_being_written_is_not_closed(tmp_path: Path) -> None:
    path = tmp_path / "ivr-1795.3.wav"
    write_wav(path, 0)
    with path.open("ab") as writer:  # samples after a header that does not count them yet
        writer.write(b"\x01\x00" * 100)
    assert not await RecordingsFolder(tmp_path).wait_closed("ivr-1795.3.wav", deadline=0.2)


async def test_an_empty_recording_is_told_apart(tmp_path: Path) -> None:
    write_wav(tmp_path / "ivr-1795.4.wav", 0)
    write_wav(tmp_path / "ivr-1795.5.wav", 80)
    folder = RecordingsFolder(tmp_path)
    assert await folder.settled_empty("ivr-1795.4.wav", wait=0.01)
    assert not await folder.settled_empty("ivr-1795.5.wav", wait=0.01)
