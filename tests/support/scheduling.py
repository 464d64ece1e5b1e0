"""Helpers for the tests of the loop thread's scheduling (ivr.service.realtime): ``ivr run``
under a wrapper that takes privileges away, and the scheduling policy of every thread."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.service import API_TOKEN, ServiceProcess, ivr_command

# As an unprivileged service: CAP_SYS_NICE out of the bounding and inheritable sets (root keeps
# its uid, so the files pytest made stay readable) and RLIMIT_RTPRIO 0.
WITHOUT_PERMISSION = (
    *("prlimit", "--rtprio=0:0", "--"),
    *("setpriv", "--bounding-set", "-sys_nice", "--inh-caps", "-sys_nice", "--"),
)


@dataclass
class WrappedService(ServiceProcess):
    """``ivr run`` started through ``wrapper`` (an argv prefix); stop it in the test."""

    wrapper: tuple[str, ...] = field(default_factory=tuple)

    def spawn(self) -> None:
        env = os.environ | {"IVR_API_TOKEN": API_TOKEN} | self.env
        argv = [*self.wrapper, *ivr_command("run", "--config", str(self.config))]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=log, env=env)


def policies(pid: int) -> dict[int, int]:
    """Each thread's scheduling policy, flags included (SCHED_RESET_ON_FORK), by thread id."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found[int(task.name)] = os.sched_getscheduler(int(task.name))
        except ProcessLookupError:  # a worker that ended meanwhile
            continue
    return found


def ordinary(policy: int) -> bool:
    return policy & ~os.SCHED_RESET_ON_FORK == os.SCHED_OTHER


def spinning_loop(*args: str) -> subprocess.Popen[str]:
    """tests/support/spinning_loop.py in a process of its own, its output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.spinning_loop", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
