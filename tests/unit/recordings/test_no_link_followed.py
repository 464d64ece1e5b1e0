"""Whoever can write the recordings folder may plant symbolic links there, named like a
recording, its ``.enc`` or its ``.partial``, pointing at e.g. the ledger. Nothing the service
does to recordings (encrypt, hash, serve, delete) may write, read or unlink through them."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from ivr.crypto import SUFFIX, CryptoError, Keyring, RecordingKey, encrypt_recording, open_recording
from ivr.recordings import safe
from ivr.recordings.files import delete_stored, locate
from ivr.recordings.folder import RecordingsFolder, UnsafeRecordingName, _describe

KEY = RecordingKey.from_bytes(bytes(range(32)))
LEDGER_BYTES = b"SQLite format 3\x00 the ledger, not to be touched" * 10


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    victim = tmp_path / "ledger.sqlite3"
    victim.write_bytes(LEDGER_BYTES)
    return victim


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rec = tmp_path / "rec"
    rec.mkdir()
    return rec


def _recording(folder: Path, name: str = "ivr-1.wav") -> tuple[Path, bytes]:
    audio = b"RIFF" + os.urandom(70_000)
    path = folder / name
    path.write_bytes(audio)
    return path, audio


@pytest.mark.parametrize("planted", [SUFFIX + ".partial", SUFFIX])
def test_encryption_never_writes_through_a_link_planted_as_its_output(
    folder: Path, ledger: Path, planted: str
) -> None:
    path, audio = _recording(folder)
    (folder / (path.name + planted)).symlink_to(ledger)
    encrypted = encrypt_recording(path, KEY)
    assert ledger.read_bytes() == LEDGER_BYTES
    assert not encrypted.is_symlink()
    assert b"".join(open_recording(encrypted, Keyring(KEY))) == audio
    assert sorted(p.name for p in folder.iterdir()) == ["ivr-1.wav.enc"]


def test_encryption_refuses_a_recording_that_is_a_link_and_unlinks_nothing(
    folder: Path, ledger: Path
) -> None:
    link = folder / "ivr-1.wav"
    link.symlink_to(ledger)
    with pytest.raises(CryptoError, match="link"):
        encrypt_recording(link, KEY)
    assert ledger.read_bytes() == LEDGER_BYTES
    assert link.is_symlink()
    assert not (folder / "ivr-1.wav.enc").exists()


def test_deleting_a_stored_recording_removes_links_never_their_targets(
    folder: Path, ledger: Path
) -> None:
    (folder / "ivr-2.wav").symlink_to(ledger)
    (folder / "ivr-2.wav.enc").symlink_to(ledger)
    assert delete_stored(str(folder / "ivr-2.wav"), folder) == 2
    assert ledger.read_bytes() == LEDGER_BYTES
    assert not list(folder.iterdir())


def test_the_service_deleting_a_recording_removes_a_link_never_its_target(
    folder: Path, ledger: Path
) -> None:
    (folder / "ivr-3.wav.enc").symlink_to(ledger)
    assert RecordingsFolder(folder).delete("ivr-3.wav")
    assert ledger.read_bytes() == LEDGER_BYTES


def test_a_link_is_not_a_recording_to_serve(folder: Path, ledger: Path) -> None:
    link = folder / "ivr-4.wav"
    link.symlink_to(ledger)
    assert locate(str(link), folder) is None
    assert not RecordingsFolder(folder).exists("ivr-4.wav")
    with pytest.raises(safe.UnsafeEntry):
        b"".join(open_recording(link, Keyring(KEY)))


def test_a_stored_path_outside_the_folder_is_never_found_nor_deleted(
    folder: Path, ledger: Path
) -> None:
    assert locate(str(ledger), folder) is None
    with pytest.raises(Exception, match="not inside"):
        delete_stored(str(ledger), folder)
    assert ledger.exists()


def test_hashing_refuses_a_link_even_one_swapped_in_after_the_check(
    folder: Path, ledger: Path
) -> None:
    link = folder / "ivr-5.wav"
    link.symlink_to(ledger)
    with pytest.raises(UnsafeRecordingName):
        asyncio.run(RecordingsFolder(folder).describe("ivr-5.wav"))
    with pytest.raises(safe.UnsafeEntry):
        _describe(link)  # what runs in the thread, after path_of's check


def test_a_link_planted_where_the_pbx_will_write_is_removed_before_recording(
    folder: Path, ledger: Path
) -> None:
    recordings = RecordingsFolder(folder)
    (folder / "ivr-6.wav").symlink_to(ledger)
    assert recordings.clear_link("ivr-6.wav")
    assert not (folder / "ivr-6.wav").is_symlink()
    assert ledger.read_bytes() == LEDGER_BYTES
    _recording(folder, "ivr-7.wav")
    assert not recordings.clear_link("ivr-7.wav")  # a real recording stays
    assert (folder / "ivr-7.wav").exists()


def test_a_fifo_planted_as_a_recording_is_refused_without_blocking(folder: Path) -> None:
    os.mkfifo(folder / "ivr-8.wav")
    with pytest.raises(safe.UnsafeEntry, match="regular"):
        safe.read_regular(folder / "ivr-8.wav")
