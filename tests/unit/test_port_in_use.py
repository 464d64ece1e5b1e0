"""``ivr run`` on a port another program holds: one clear line naming the address and the key
to change, no traceback (a real listening socket, a real ``ivr run`` process)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from tests.unit.config import sample


def test_a_port_already_in_use_gives_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        (tmp_path / "rec").mkdir()
        changes = {
            "recordings": {"dir": "rec"},
            "ledger": {"path": "ledger.sqlite3"},
            "ami": {"host": "127.0.0.1", "port": 9},
            "http": {"listen": f"127.0.0.1:{port}"},
        }
        config = sample.write(tmp_path, changes)
        done = subprocess.run(
            [sys.executable, "-m", "ivr", "run", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"ivr: cannot listen on 127.0.0.1:{port}: the port is already in use")
