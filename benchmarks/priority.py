"""The service's scheduling priority in the benchmarks: as examples/ivr.service (``Nice=-5``)
and the docker entry run it, ahead of the PBX's media work on a shared machine."""

from __future__ import annotations

import os
from pathlib import Path

NICE = -5


def renice(pid: int, nice: int) -> None:
    """Every thread of ``pid`` at ``nice``, as systemd's ``Nice=`` sets it at the start (Linux's
    nice is per thread; threads started later inherit it from the one that starts them)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        os.setpriority(os.PRIO_PROCESS, int(task.name), nice)
