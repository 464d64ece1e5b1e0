"""``ivr ledger show|list`` through ``python -m ivr``, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr.cli.ledger_cmd import parse_since
from ivr.ledger import EventKind, KeptRecording, Ledger
from ivr.names import Decision, Source
from tests.unit.ledger.conftest import T0, at

ROOT = Path(__file__).resolve().parents[3]
HOSTILE_NAME = "Eve\x1b[2J\r\nAction: Originate\x00\udcff"


def ivr(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "IVR_LEDGER_PATH"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "ivr", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def filled(ledger_path: Path) -> Path:
    now = datetime.now(UTC)
    with Ledger.open(ledger_path) as ledger:
        ledger.start_call(
            "old",
            started_at=T0,
            caller_number="+331",
            caller_name="Jean",
            profile="fr",
            language="fr",
            notice_hash="ab" * 32,
        )
        ledger.add_event(
            "old",
            at=at(1),
            kind=EventKind.NOTICE_STARTED,
            source=Source.DIALPLAN,
            detail={"prompt": "notice-short"},
        )
        ledger.add_event(
            "old", at=at(8), kind=EventKind.OBJECTED, source=Source.CALLER, detail={"key": "9"}
        )
        ledger.finish_call("old", ended_at=at(9), decision=Decision.OBJECTED)
        ledger.start_call(
            "new",
            started_at=now - timedelta(minutes=30),
            caller_number="+332",
            caller_name=HOSTILE_NAME,
            profile="fr",
            language="en",
        )
        ledger.finish_call(
            "new",
            ended_at=now,
            decision=Decision.KEPT,
            recording=KeptRecording("/rec/new.wav", 12.5, "cd" * 32),
        )
    return ledger_path


def test_show_prints_the_header_then_one_line_per_event(filled: Path) -> None:
    result = ivr("ledger", "show", "--reason", "QA check", "old", "--ledger", str(filled))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["call", "old"]
    assert "started    2026-11-01T09:30:00.000000+00:00" in lines
    assert 'caller     +331 "Jean"' in lines
    assert "decision   objected" in lines
    assert lines[-2:] == [
        "  2026-11-01T09:30:01.000000+00:00  notice-started        dialplan    prompt=notice-short",
        "  2026-11-01T09:30:08.000000+00:00  objected              caller      key=9",
    ]


def test_show_escapes_hostile_caller_ids_and_json_keeps_them(filled: Path) -> None:
    shown = ivr(
        "ledger", "show", "--reason", "QA check", "new", env={"IVR_LEDGER_PATH": str(filled)}
    )
    assert shown.returncode == 0, shown.stderr
    assert '"Eve\\x1b[2J\\x0d\\x0aAction: Originate\\x00\\udcff"' in shown.stdout
    assert "\x1b" not in shown.stdout
    assert "\r" not in shown.stdout
    assert "recording  /rec/new.wav (12.5 s)" in shown.stdout
    as_json = ivr(
        "ledger", "show", "--reason", "QA check", "new", "--json", "--ledger", str(filled)
    )
    record = json.loads(as_json.stdout)
    assert record["caller_name"] == HOSTILE_NAME
    assert record["recording"]["sha256"] == "cd" * 32


def test_list_is_a_table_newest_first_and_filters_by_age(filled: Path) -> None:
    result = ivr("ledger", "list", "--ledger", str(filled))
    assert result.returncode == 0, result.stderr
    header, first, second = result.stdout.splitlines()
    assert header.split()[:3] == ["STARTED", "(UTC)", "CALL"]
    assert first.split()[2] == "new"
    assert second.split()[2] == "old"
    assert ivr("ledger", "list", "--since", "2h", "--ledger", str(filled)).stdout.count("\n") == 2
    assert (
        ivr("ledger", "list", "--since", "2026-11-01", "--ledger", str(filled)).stdout.count("\n")
        == 3
    )


def test_list_json_gives_one_object_per_line(filled: Path) -> None:
    result = ivr(
        "ledger", "list", "--json", "--limit", "1", "--reason", "QA", "--ledger", str(filled)
    )
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    call = json.loads(line)
    assert (call["call_id"], call["caller_name"], call["decision"]) == ("new", HOSTILE_NAME, "kept")
    older = ivr(
        "ledger", "list", "--json", "--since", "2026-11-01T09:00:00+00:00", "--ledger", str(filled)
    )
    assert [json.loads(x)["call_id"] for x in older.stdout.splitlines()] == ["new", "old"]


def test_an_unknown_call_exits_1_naming_the_ledger(filled: Path) -> None:
    result = ivr("ledger", "show", "--reason", "QA check", "nope", "--ledger", str(filled))
    assert result.returncode == 1
    assert result.stderr.strip() == f"ivr: no call nope in {filled}"


def test_an_unreadable_ledger_is_a_clear_error(tmp_path: Path) -> None:
    damaged = tmp_path / "ledger.sqlite3"
    damaged.write_bytes(b"garbage" * 1000)
    for args in (["show", "--reason", "QA", "x"], ["list"]):
        result = ivr("ledger", *args, "--ledger", str(damaged))
        assert result.returncode == 2
        assert result.stderr.startswith(f"ivr: {damaged}: not a readable ivr ledger")
    missing = ivr("ledger", "list", "--ledger", str(tmp_path / "none.sqlite3"))
    assert missing.returncode == 2
    assert "no such ledger file" in missing.stderr
    assert not (tmp_path / "none.sqlite3").exists()


def test_no_ledger_named_says_how_to_name_one() -> None:
    result = ivr("ledger", "list")
    assert result.returncode == 2
    assert "--ledger PATH" in result.stderr
    assert "IVR_LEDGER_PATH" in result.stderr


def test_since_reads_ages_and_iso_times() -> None:
    now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    assert parse_since("2h", now) == now - timedelta(hours=2)
    assert parse_since("30m", now) == now - timedelta(minutes=30)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T10:00:00+01:00", now) == datetime(2026, 11, 1, 9, tzinfo=UTC)
    bad = ivr("ledger", "list", "--since", "yesterday", "--ledger", "x")
    assert bad.returncode == 2
    assert "not a date" in bad.stderr


def test_the_config_file_names_the_ledger(filled: Path, tmp_path: Path) -> None:
    sample = pytest.importorskip("tests.unit.config.sample")
    config = tmp_path / "ivr.toml"
    config.write_text(sample.dumps(sample.merged(sample.BASE, {"ledger": {"path": str(filled)}})))
    result = ivr("ledger", "show", "--reason", "QA check", "old", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "decision   objected" in result.stdout
    elsewhere = ivr(
        "ledger",
        "show",
        "--reason",
        "QA check",
        "old",
        "--config",
        str(config),
        env={"IVR_LEDGER_PATH": str(tmp_path / "other.sqlite3")},
    )
    assert elsewhere.returncode == 2  # the environment wins over the file, as for the service
    assert str(tmp_path / "other.sqlite3") in elsewhere.stderr


def test_a_bad_config_is_reported_naming_it(tmp_path: Path) -> None:
    pytest.importorskip("ivr.config")
    config = tmp_path / "ivr.toml"
    config.write_text("[ledger]\npath = 3\n")
    result = ivr("ledger", "list", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.startswith(f"ivr: {config}")
    both = ivr("ledger", "list", "--config", str(config), "--ledger", "x")
    assert both.returncode == 2
    assert "not allowed with" in both.stderr


def test_the_sandbox_flag_reads_the_ledger_of_ivr_run_sandbox(filled: Path, tmp_path: Path) -> None:
    (tmp_path / "ledger-pbx.sqlite3").write_bytes(filled.read_bytes())
    shown = ivr(
        "ledger",
        "show",
        "--reason",
        "QA check",
        "--sandbox",
        "new",
        env={"IVR_SANDBOX_CACHE": str(tmp_path)},
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("call       new")


def test_the_sandbox_flag_without_a_sandbox_ledger_names_the_missing_file(tmp_path: Path) -> None:
    listed = ivr("ledger", "list", "--sandbox", env={"IVR_SANDBOX_CACHE": str(tmp_path)})
    assert listed.returncode == 2
    assert str(tmp_path / "ledger-pbx.sqlite3") in listed.stderr
    assert not (tmp_path / "ledger-pbx.sqlite3").exists()  # reading never creates one
