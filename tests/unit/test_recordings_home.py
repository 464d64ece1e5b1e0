"""The recording file has one home (ivr/recordings): its name, the formats that really work,
plain or encrypted deletion."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError, load_settings
from ivr.recordings.files import delete_stored, locate
from ivr.recordings.folder import RecordingsFolder
from ivr.recordings.naming import FORMATS, file_name
from tests.unit.config import sample


def test_only_formats_whose_header_length_and_hash_work_are_offered() -> None:
    assert FORMATS == ("wav",)
    assert file_name("1795.3") == "ivr-1795.3.wav"
    with pytest.raises(ValueError, match="gsm"):
        file_name("1795.3", "gsm")


def test_a_format_that_does_not_work_is_refused_naming_the_key(tmp_path: Path) -> None:
    path = sample.write(tmp_path, {"recordings": {"format": "gsm"}})
    with pytest.raises(ConfigError, match="format"):
        load_settings(path, environ={})


def test_deleting_a_recording_removes_its_plain_and_encrypted_files(tmp_path: Path) -> None:
    (tmp_path / "ivr-1.wav").write_bytes(b"x")
    (tmp_path / "ivr-1.wav.enc").write_bytes(b"y")
    assert RecordingsFolder(tmp_path).delete("ivr-1.wav")
    assert not list(tmp_path.iterdir())


def test_a_stored_path_is_found_encrypted_and_deleted_only_inside_the_folder(
    tmp_path: Path,
) -> None:
    (tmp_path / "ivr-2.wav.enc").write_bytes(b"y")
    stored = str(tmp_path / "ivr-2.wav")
    assert locate(stored, tmp_path) == tmp_path / "ivr-2.wav.enc"
    assert delete_stored(stored, tmp_path) == 1
    assert locate(stored, tmp_path) is None
