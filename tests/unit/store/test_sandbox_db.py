"""``ivr sandbox up --role db``: a throwaway PostgreSQL cluster from Debian's package, its URL
printed as JSON; ``ivr sandbox down`` stops it; ``up`` again brings the same data back."""

from __future__ import annotations

import json

import psycopg
import pytest

from ivr.cli.main import main
from ivr.sandbox import db
from tests.support.targets import sandbox_prefix


def test_up_prints_a_url_that_answers_and_down_stops_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = sandbox_prefix("cli-db")
    db.remove(name)
    try:
        assert main(["sandbox", "up", "--role", "db", "--name", name]) == 0
        info = json.loads(capsys.readouterr().out)
        assert info["url"].startswith("postgresql://ivr@127.0.0.1:")
        with psycopg.connect(info["url"], autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (n int)")
            conn.execute("INSERT INTO kept VALUES (7)")
        assert main(["sandbox", "down", "--name", name]) == 0
        assert "stopped" in capsys.readouterr().out
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(info["url"], connect_timeout=2).close()
        assert main(["sandbox", "up", "--role", "db", "--name", name]) == 0
        assert json.loads(capsys.readouterr().out)["url"] == info["url"]
        with psycopg.connect(info["url"]) as conn:
            assert conn.execute("SELECT n FROM kept").fetchone() == (7,)
    finally:
        db.remove(name)
