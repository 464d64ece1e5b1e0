"""Signed checkpoints: a row deleted and the chain recomputed (which the bare chain cannot
see) is found, and so is a truncated tail or a forged checkpoint. Real SQLite files, real
Ed25519 keys, a real syslog datagram socket."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import stat
from pathlib import Path

import pytest

from ivr.audit import AuditLog, Entry
from ivr.audit.chain import GENESIS, digest
from ivr.audit.checkpoint import load_private_key, parse
from ivr.audit.sinks import CheckpointWriter
from ivr.cli.main import main
from ivr.config.audit import CheckpointSettings


def entry(n: int) -> Entry:
    return Entry(
        f"2026-11-0{n}T10:00:00+00:00", "tok1", "auditor", "read", f"call-{n}", "", "-", "ok"
    )


@pytest.fixture
def key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "checkpoint.key"
    assert main(["audit", "new-key", "--out", str(path)]) == 0
    assert capsys.readouterr().out.startswith("public key ")
    return path


@pytest.fixture
def signed_log(tmp_path: Path, key: Path) -> AuditLog:
    writer = CheckpointWriter(CheckpointSettings(key, tmp_path / "checkpoints.jsonl"))
    log = AuditLog(tmp_path / "audit.sqlite3", on_append=writer)
    for n in range(1, 6):
        log.append(entry(n))
    writer.flush()
    return log


def verify(log: AuditLog, key: Path) -> int:
    sink = log.path.with_name("checkpoints.jsonl")
    args = ["--checkpoints", str(sink), "--public-key", str(key)]
    return main(["audit", "verify", "--audit", str(log.path), *args])


def rewrite_without(log: AuditLog, seq: int) -> None:
    """What someone with write access does: delete a row, renumber, recompute every hash."""
    entries = [row.entry for row in log.rows() if row.seq != seq]
    db = sqlite3.connect(log.path)
    with db:
        db.execute("DELETE FROM audit")
        prev = GENESIS
        for n, e in enumerate(entries, 1):
            h = digest(prev, e)
            db.execute(
                "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (n, e.at, e.actor, e.role, e.action, e.target, e.reason, e.origin, e.outcome,
                 e.detail, prev, h),
            )  # fmt: skip
            prev = h
    db.close()


def test_the_new_key_file_is_created_0600_under_umask_022(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert main(["audit", "new-key", "--out", str(tmp_path / "k.pem")]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600
    assert main(["audit", "new-key", "--out", str(tmp_path / "k.pem")]) == 2  # never replaced


def test_an_untouched_log_matches_its_checkpoints(signed_log: AuditLog, key: Path) -> None:
    assert verify(signed_log, key) == 0


def test_a_deleted_row_with_the_chain_recomputed_is_found(
    signed_log: AuditLog, key: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rewrite_without(signed_log, 2)
    assert AuditLog(signed_log.path).verify() == []  # the bare chain is fooled
    capsys.readouterr()
    assert verify(signed_log, key) == 1
    out = capsys.readouterr().out
    assert "row 5: signed as the head" in out
    assert "rows were deleted" in out


def test_a_rewritten_row_before_the_signed_head_is_found(
    signed_log: AuditLog, key: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed_log.append(entry(6))  # the head moves on; row 5 stays signed
    signed_log.on_append.flush()  # type: ignore[union-attr]
    rewrite_without(signed_log, 3)
    capsys.readouterr()
    assert verify(signed_log, key) == 1
    assert "row 5: its hash differs from the one signed" in capsys.readouterr().out


def test_a_checkpoint_forged_with_another_key_is_refused(
    signed_log: AuditLog, key: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.key"
    assert main(["audit", "new-key", "--out", str(other)]) == 0
    capsys.readouterr()
    assert verify(signed_log, other) == 1
    assert "bad signature" in capsys.readouterr().out


def test_checkpoints_go_to_syslog_as_signed_datagrams(tmp_path: Path, key: Path) -> None:
    address = str(tmp_path / "log.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as syslog:
        syslog.bind(address)
        syslog.settimeout(5)
        writer = CheckpointWriter(CheckpointSettings(key, None, address))
        row = AuditLog(tmp_path / "audit.sqlite3", on_append=writer).append(entry(1))
        datagram = syslog.recv(65536).decode()
    assert datagram.startswith("<86>ivr-audit-checkpoint: ")
    point = parse(datagram, load_private_key(key).public_key())
    assert (point.seq, point.head) == (1, row.hash)


def open_files() -> list[str]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the listing's own descriptor
            found.append(os.readlink(f"/proc/self/fd/{fd}"))
    return found


def test_the_log_keeps_one_connection_for_all_its_rows(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    for n in range(1, 9):
        log.append(entry(n))
        log.rows()
    assert open_files().count(str(log.path)) == 1
    log.close()


def test_a_missing_checkpoint_key_is_a_configuration_error(tmp_path: Path) -> None:
    from ivr.config import ConfigError, load_settings
    from tests.unit.config import sample

    audit = {"checkpoint_key_file": "nowhere.key", "checkpoint_file": "checkpoints.jsonl"}
    with pytest.raises(ConfigError, match=r"audit\.checkpoint_key_file: .* is not a file"):
        load_settings(sample.write(tmp_path, {"audit": audit}), environ={})
