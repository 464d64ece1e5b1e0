"""A writer killed with SIGKILL mid-stream leaves a readable ledger holding exactly the
acknowledged writes, plus at most the one in flight, whole."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ivr.ledger import Ledger
from tests.unit.ledger import crash_writer

ROOT = Path(__file__).resolve().parents[3]
BOUND = 100_000  # the writer stops by itself if the kill never comes


def start_writer(path: Path, first: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "tests.unit.ledger.crash_writer",
        str(path),
        str(first),
        str(BOUND),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE)


def kill_after(writer: subprocess.Popen[bytes], acks: int, deadline: float) -> list[int]:
    """SIGKILL `writer` once it has acknowledged `acks` writes; every index it acknowledged."""
    assert writer.stdout is not None
    fd, output = writer.stdout.fileno(), b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while output.count(b"\n") < acks:
            assert time.monotonic() < deadline, f"{acks} writes not acknowledged in time"
            if selector.select(timeout=deadline - time.monotonic()):
                chunk = os.read(fd, 65536)
                assert chunk, f"writer ended early with status {writer.wait()}"
                output += chunk
    writer.send_signal(signal.SIGKILL)
    assert writer.wait(timeout=max(0.1, deadline - time.monotonic())) == -signal.SIGKILL
    output += writer.stdout.read()  # what was still in the pipe; EOF now that it is dead
    writer.stdout.close()
    lines = output.split(b"\n")[:-1]  # an unterminated last line was never acknowledged
    return [int(line) for line in lines]


@pytest.mark.parametrize("acks", [1, 40, 300])
def test_a_killed_writer_leaves_every_write_whole_or_absent(tmp_path: Path, acks: int) -> None:
    path = tmp_path / "ledger.sqlite3"
    deadline = time.monotonic() + 60
    acknowledged = kill_after(start_writer(path, 0), acks, deadline)
    done = len(acknowledged)
    assert acknowledged == list(range(done))

    with Ledger.open(path, read_only=True) as ledger:  # what `ivr ledger` would read
        found = crash_writer.snapshot(ledger)
    assert found in (crash_writer.snapshot_after(done), crash_writer.snapshot_after(done + 1)), (
        f"after {done} acknowledged writes the ledger holds neither {done} nor {done + 1} writes"
    )

    resumed = done + 1 if found == crash_writer.snapshot_after(done + 1) else done
    with Ledger.open(path) as ledger:  # the service restarting carries on
        crash_writer.write(ledger, resumed)
        assert crash_writer.snapshot(ledger) == crash_writer.snapshot_after(resumed + 1)
