"""The event loop's thread at real-time priority, alone, guarded (ivr.service.realtime), on the
real kernel: a real `ivr run` against the fake PBX, and a small loop under the same guard made
to spin, both watched from outside."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from ivr.service.realtime import FIX
from tests.support.fake_ami import eventually
from tests.support.fake_pbx import FakePbx
from tests.support.scheduling import (
    WITHOUT_PERMISSION,
    WrappedService,
    ordinary,
    policies,
    spinning_loop,
)
from tests.support.service import ServiceProcess
from tests.support.service_tier import service as in_process
from tests.support.service_tier import tier_settings

REAL_TIME = os.SCHED_RR | os.SCHED_RESET_ON_FORK


def _config(tmp_path: Path, pbx: FakePbx) -> Path:
    return tier_settings(tmp_path, pbx, in_process=False).path


async def _connected(service: ServiceProcess) -> dict[str, object]:
    health: dict[str, object] = {}

    def connected() -> bool:
        health.update(service.get("/healthz"))
        ami = health.get("ami")
        return isinstance(ami, dict) and bool(ami.get("connected"))

    await eventually(connected, 10.0, "the service connected to the fake PBX")
    return health


async def test_ivr_run_puts_its_event_loop_thread_alone_in_real_time(
    tmp_path: Path, pbx: FakePbx
) -> None:
    service = ServiceProcess(_config(tmp_path, pbx), tmp_path / "service.log")
    await service.start()
    try:
        health = await _connected(service)
        assert service.process is not None
        pid = service.process.pid
        threads = policies(pid)
        loop_thread = threads.pop(pid)  # asyncio.run on the main thread
        assert loop_thread == REAL_TIME, service.log_tail()
        assert threads, "the service runs helper threads (the ledger's writer at least)"
        assert all(ordinary(policy) for policy in threads.values()), threads
        assert health["scheduling"] == {
            "wanted": "realtime",
            "in_force": "realtime",
            "demotions": 0,
        }
        metrics = service.get_text("/metrics")
        assert "ivr_loop_realtime 1.0" in metrics
        assert "ivr_loop_realtime_demotions_total 0.0" in metrics
    finally:
        assert service.stop() == 0


async def test_without_rtprio_or_cap_sys_nice_the_service_runs_ordinary_and_names_the_fix(
    tmp_path: Path, pbx: FakePbx
) -> None:
    log = tmp_path / "service.log"
    service = WrappedService(_config(tmp_path, pbx), log, wrapper=WITHOUT_PERMISSION)
    await service.start()
    try:
        health = await _connected(service)
        assert service.process is not None
        assert all(ordinary(policy) for policy in policies(service.process.pid).values())
        scheduling = health["scheduling"]
        assert isinstance(scheduling, dict)
        assert scheduling["in_force"] == "normal"
        assert "RLIMIT_RTPRIO is 0" in scheduling["cause"]
        assert scheduling["fix"] == FIX
        said = [line for line in log.read_text().splitlines() if "LimitRTPRIO=1" in line]
        assert len(said) == 1, said
        assert "RLIMIT_RTPRIO is 0" in said[0]
        assert "ivr_loop_realtime 0.0" in service.get_text("/metrics")
    finally:
        assert service.stop() == 0


def _ask(loop: subprocess.Popen[str], command: str) -> dict[str, object]:
    assert loop.stdin is not None
    assert loop.stdout is not None
    loop.stdin.write(command + "\n")
    loop.stdin.flush()
    answer: dict[str, object] = json.loads(loop.stdout.readline())
    return answer


def _first_answer(loop: subprocess.Popen[str]) -> dict[str, object]:
    assert loop.stdout is not None
    answer: dict[str, object] = json.loads(loop.stdout.readline())
    return answer


async def test_a_spinning_real_time_loop_is_demoted_counted_and_keeps_answering() -> None:
    loop = spinning_loop("60")
    try:
        assert _first_answer(loop)["policy"] == REAL_TIME
        after = _ask(loop, "spin 0.6")  # three times the 200 ms budget, in Python code
        assert ordinary(os.sched_getscheduler(loop.pid))
        assert after["in_force"] == "normal"
        assert after["demotions"] == 1
        assert after["counted"] == 1.0
        assert loop.poll() is None
        assert _ask(loop, "state")["in_force"] == "normal"  # still answering
    finally:
        loop.kill()
        _, errors = loop.communicate()
    assert "ERROR" in errors
    assert "RLIMIT_RTTIME" in errors
    assert "demoted" in errors


async def test_a_demoted_loop_is_promoted_again_after_a_quiet_spell() -> None:
    loop = spinning_loop("1.0")  # a quiet second here; a minute in the service
    try:
        _first_answer(loop)
        demoted = _ask(loop, "spin 0.4")
        assert demoted["in_force"] == "normal", demoted
        await eventually(
            lambda: os.sched_getscheduler(loop.pid) == REAL_TIME, 10.0, "promoted again"
        )
        state = _ask(loop, "state")
        assert state["in_force"] == "realtime", state
        assert state["demotions"] == 1, state
        again = _ask(loop, "spin 0.4")  # and demoted again when it spins again
        assert again["demotions"] == 2, again
    finally:
        loop.kill()
        loop.communicate()


async def test_a_real_time_loop_stuck_in_c_code_is_killed_at_the_hard_limit() -> None:
    loop = spinning_loop("60")
    try:
        _first_answer(loop)
        assert loop.stdin is not None
        loop.stdin.write("cspin 1000000000\n")  # ~20 s of CPU; the hard limit is 2.2 s
        loop.stdin.flush()
        assert loop.wait(timeout=30) == -signal.SIGKILL
    finally:
        loop.kill()
        loop.communicate()


def _doctor_line(config: Path, wrapper: tuple[str, ...] = ()) -> str:
    check = (
        "import sys; from ivr.config import load_settings; from ivr.doctor import scheduling; "
        "print(scheduling.realtime(load_settings(sys.argv[1])).line())"
    )
    done = subprocess.run(
        [*wrapper, sys.executable, "-c", check, str(config)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return done.stdout.strip()


def test_the_doctor_says_whether_real_time_is_available_and_the_fix_if_not(
    tmp_path: Path, pbx: FakePbx
) -> None:
    config = _config(tmp_path, pbx)
    refused = _doctor_line(config, WITHOUT_PERMISSION)
    assert refused.startswith("warn")
    assert "RLIMIT_RTPRIO is 0" in refused
    assert "LimitRTPRIO=1" in refused
    granted = _doctor_line(config)  # root: CAP_SYS_NICE
    assert granted.startswith("ok")
    assert "LimitRTPRIO=1" in granted  # the service's own user still needs it


async def test_a_service_in_pytests_own_process_leaves_its_thread_ordinary(
    tmp_path: Path, pbx: FakePbx
) -> None:
    """Even from settings that ask for real-time (tests/pbx/test_service_secure_ami.py's are
    the shipped defaults): pytest's main thread once stayed at real-time for the rest of a run."""
    shipped = tier_settings(tmp_path, pbx, in_process=False)
    assert shipped.service.scheduling == "realtime"
    async with in_process(shipped) as runtime:
        assert ordinary(os.sched_getscheduler(0))
        _, health = runtime.health()
        assert health["scheduling"] == {"wanted": "normal", "in_force": "normal", "demotions": 0}
