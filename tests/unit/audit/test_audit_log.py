"""The audit log on a real SQLite file and a real PostgreSQL store: the chain holds, and each
kind of tampering is named."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ivr.audit import AuditLog, Entry, postgres
from ivr.cli.main import main
from tests.support.store import SITE, StoreUnderTest


def entry(n: int) -> Entry:
    return Entry(
        f"2026-11-0{n}T10:00:00.000000+00:00",
        "tok1",
        "supervisor",
        "listen",
        f"call-{n}",
        f"ticket {n}",
        "127.0.0.1",
        "ok",
    )


@pytest.fixture
def log(store: StoreUnderTest) -> Iterator[AuditLog]:
    log = store.open_audit()
    for n in range(1, 6):
        log.append(entry(n))
    yield log
    log.close()


@pytest.fixture
def sql(store: StoreUnderTest) -> Callable[..., None]:
    def run(log: AuditLog, *statements: str) -> None:
        store.sql(*statements)

    return run


def test_an_untouched_log_verifies_and_chains(log: AuditLog, store: StoreUnderTest) -> None:
    rows = log.rows()
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert log.verify() == []
    if store.url is None:
        assert log.path.stat().st_mode & 0o777 == 0o600
    else:  # a shared store names the site of every row, and hashes it with the row
        assert {row.entry.site for row in rows} == {SITE}


def test_an_edited_row_is_named(log: AuditLog, sql: Callable[..., None]) -> None:
    sql(log, "UPDATE audit SET reason = 'nothing to see' WHERE seq = 3")
    [finding] = log.verify()
    assert (finding.seq, finding.problem.split(":")[0]) == (3, "edited")


def test_a_removed_row_is_named(log: AuditLog, sql: Callable[..., None]) -> None:
    sql(log, "DELETE FROM audit WHERE seq = 2")
    [finding] = log.verify()
    assert finding.seq == 3
    assert finding.problem.startswith("removed: row(s) 2..2")


def test_a_removed_and_renumbered_row_is_still_found(
    log: AuditLog, sql: Callable[..., None]
) -> None:
    sql(log, "DELETE FROM audit WHERE seq = 2", "UPDATE audit SET seq = seq - 1 WHERE seq > 2")
    [finding] = log.verify()
    assert finding.seq == 2
    assert finding.problem.startswith("removed or replaced")


def test_reordered_rows_are_named(log: AuditLog, sql: Callable[..., None]) -> None:
    sql(
        log,
        "UPDATE audit SET seq = -1 WHERE seq = 2",
        "UPDATE audit SET seq = 2 WHERE seq = 3",
        "UPDATE audit SET seq = 3 WHERE seq = -1",
    )
    findings = log.verify()
    assert [f.seq for f in findings] == [2, 3, 4]
    assert all(f.problem.startswith("reordered") for f in findings)


def test_a_log_read_in_pieces_still_names_what_was_tampered_with(
    log: AuditLog, sql: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`verify` streams the rows (PostgreSQL: a server-side cursor, so many rows a fetch): a
    break at a fetch's seam is found like any other, and a reorder across fetches is named."""
    monkeypatch.setattr(postgres, "FETCH_ROWS", 2)
    sql(
        log,
        "UPDATE audit SET reason = 'nothing to see' WHERE seq = 3",
        "UPDATE audit SET seq = -1 WHERE seq = 1",
        "UPDATE audit SET seq = 1 WHERE seq = 5",
        "UPDATE audit SET seq = 5 WHERE seq = -1",
    )
    findings = {f.seq: f.problem.split(":")[0] for f in log.verify()}
    assert findings == {1: "reordered", 2: "reordered", 3: "edited", 5: "removed or replaced"}


def test_appends_continue_the_chain_after_reopening(log: AuditLog, store: StoreUnderTest) -> None:
    again = store.open_audit()
    row = again.append(entry(6))
    assert row.seq == 6
    assert row.prev_hash == log.rows()[4].hash
    assert again.verify() == []
    again.close()


def test_cli_verify_says_which_row(
    log: AuditLog,
    store: StoreUnderTest,
    sql: Callable[..., None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    where = store.url.dsn if store.url else str(store.audit_location)
    assert main(["audit", "verify", "--audit", where]) == 0
    assert "intact, 5 rows" in capsys.readouterr().out
    sql(log, "UPDATE audit SET actor = 'someone-else' WHERE seq = 4")
    assert main(["audit", "verify", "--audit", where]) == 1
    assert "row 4: edited" in capsys.readouterr().out


def test_cli_verify_of_a_missing_log_fails(tmp_path: Path) -> None:
    assert main(["audit", "verify", "--audit", str(tmp_path / "none.sqlite3")]) == 2
