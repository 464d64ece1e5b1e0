"""A newcomer's first run, from a fresh clone: ``scripts/ivr run --sandbox`` in one terminal,
``scripts/ivr simulate docker/qa/scenarios`` in another, and a green table, with no variable
set for the simulator (it finds the service's address and the sandbox's admin token itself).

Five engineers share the test machine, so this run names its own sandbox instances and port
(the newcomer's defaults are ``pbx``, ``carrier`` and 8480); that is all it changes.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.service import free_port
from tests.support.targets import sandbox_prefix

pytestmark = [pytest.mark.sip, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE = 600.0  # the clone's first `scripts/ivr` builds its virtual environment
SIMULATE_DEADLINE = 900.0
CLEAN_ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith("IVR_") and key not in ("VIRTUAL_ENV", "PYTHONPATH")
}


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed state of this repository, cloned as a newcomer would."""
    folder = tmp_path_factory.mktemp("newcomer") / "ivr"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(folder)], check=True)
    return folder


@pytest.fixture(scope="module")
def names(clone: Path) -> Iterator[tuple[str, str]]:
    pbx, carrier = sandbox_prefix("first-pbx"), sandbox_prefix("first-carrier")
    ivr = [str(clone / "scripts" / "ivr"), "sandbox"]
    subprocess.run(
        [*ivr, "up", "--name", carrier, "--role", "carrier", "--peer", pbx],
        env=CLEAN_ENV,
        check=True,
        capture_output=True,
        timeout=START_DEADLINE,
    )
    subprocess.run(
        [*ivr, "up", "--name", pbx, "--peer", carrier],
        env=CLEAN_ENV,
        check=True,
        capture_output=True,
        timeout=START_DEADLINE,
    )
    yield pbx, carrier
    for name in (pbx, carrier):
        subprocess.run([*ivr, "down", "--name", name], env=CLEAN_ENV, check=False)


def wait_for_line(log: Path, pattern: str, process: subprocess.Popen[bytes]) -> re.Match[str]:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        assert process.poll() is None, f"ivr run exited:\n{log.read_text(errors='replace')}"
        found = re.search(pattern, log.read_text(errors="replace"))
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {pattern!r} in time:\n{log.read_text(errors='replace')}")


@pytest.mark.timeout(START_DEADLINE + SIMULATE_DEADLINE + 60)
def test_a_fresh_clone_runs_the_sandbox_and_the_shipped_scenarios_pass(
    clone: Path, names: tuple[str, str], tmp_path: Path
) -> None:
    pbx, carrier = names
    log = tmp_path / "run.log"
    port = free_port()
    with log.open("wb") as out:
        run = subprocess.Popen(
            [str(clone / "scripts" / "ivr"), "run", "--sandbox", pbx],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=CLEAN_ENV | {"IVR_HTTP_LISTEN": f"127.0.0.1:{port}"},
            cwd=clone,
        )
    try:
        wait_for_line(log, r"listening on http://", run)
        printed = log.read_text()
        assert f"dashboard    http://127.0.0.1:{port}/dashboard/" in printed
        assert re.search(r"admin token  sandbox_\S{40,}", printed)
        assert "the sandbox's own: every call recorded" in printed
        simulated = subprocess.run(
            [
                str(clone / "scripts" / "ivr"),
                "simulate",
                "--pbx",
                pbx,
                "--carrier",
                carrier,
                "docker/qa/scenarios",
            ],
            env=CLEAN_ENV,  # no IVR_API_TOKEN, no IVR_API_URL
            cwd=clone,
            capture_output=True,
            text=True,
            timeout=SIMULATE_DEADLINE,
            check=False,
        )
        table = simulated.stdout
        assert simulated.returncode == 0, f"{table}\n{simulated.stderr}\n{log.read_text()}"
        passed = re.search(r"(\d+)/(\d+) calls passed", table)
        assert passed, table
        assert passed[1] == passed[2], table
        assert int(passed[2]) >= 20, table
        assert "FAIL" not in table
        assert "ledger not checked" not in table
    finally:
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=30) == 0, log.read_text(errors="replace")
