"""`ivr doctor` checks the mode of every file holding a secret or personal data, and warns
when recordings are kept unencrypted (real files, real modes)."""

from __future__ import annotations

from pathlib import Path

from ivr.doctor.findings import Level
from ivr.doctor.secrets import encryption, secret_files
from tests.unit.config import sample


def levels(tmp_path: Path, **modes: int) -> dict[str, Level]:
    for name, mode in modes.items():
        path = tmp_path / name.replace("_", ".")
        path.write_text("0" * 64 + "\n" if name.endswith("key") else "s3cret\n")
        path.chmod(mode)
    changes = {
        "encryption": {"key_file": "rec.key"},
        "erasure": {"secret_file": "erasure.secret"},
        "api": {"tokens_file": "tokens.toml"},
    }
    settings = sample.settings(tmp_path, changes)
    return {f.check: f.level for f in secret_files(settings)}


def test_a_secret_file_readable_by_every_user_fails(tmp_path: Path) -> None:
    found = levels(tmp_path, rec_key=0o644, erasure_secret=0o600, tokens_toml=0o600)
    assert found["recordings key"] is Level.FAIL
    assert found["erasure secret"] is Level.OK
    assert found["tokens file"] is Level.OK


def test_a_secret_file_open_to_its_group_is_a_warning(tmp_path: Path) -> None:
    found = levels(tmp_path, rec_key=0o600, erasure_secret=0o640, tokens_toml=0o660)
    assert found["erasure secret"] is Level.WARN
    assert found["tokens file"] is Level.WARN
    assert found["recordings key"] is Level.OK


def test_recordings_kept_unencrypted_are_a_warning(tmp_path: Path) -> None:
    assert encryption(sample.settings(tmp_path)).level is Level.WARN
