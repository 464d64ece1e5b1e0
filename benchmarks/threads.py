"""Where a process's CPU goes, thread by thread, from /proc (Linux): `schedstat`'s time on the
CPU in nanoseconds (the 10 ms ticks of `stat` are too coarse for a few ms per call) and the
context switches of each thread. The thread whose id is the process's is its main thread,
the service's event loop."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ThreadUsage:
    name: str
    cpu_ns: int
    voluntary: int  # switches because it waited (a lock, the disk, the next event)
    involuntary: int  # switches because the scheduler took the CPU from it


@dataclass(frozen=True)
class ThreadsUsage:
    pid: int
    threads: dict[int, ThreadUsage]

    @classmethod
    def take(cls, pid: int) -> ThreadsUsage:
        threads = {}
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                threads[int(task.name)] = _thread(task)
            except (OSError, ValueError):  # ended meanwhile
                continue
        return cls(pid, threads)

    def since(self, before: ThreadsUsage) -> ThreadsUsage:
        """What each thread used since ``before`` (threads born meanwhile count whole)."""
        zero = ThreadUsage("", 0, 0, 0)
        delta = {}
        for tid, now in self.threads.items():
            then = before.threads.get(tid, zero)
            delta[tid] = ThreadUsage(
                now.name,
                now.cpu_ns - then.cpu_ns,
                now.voluntary - then.voluntary,
                now.involuntary - then.involuntary,
            )
        return ThreadsUsage(self.pid, delta)

    def describe(self, calls: int) -> str:
        """Per call: the whole process, its main thread, the busiest others."""
        total = sum(t.cpu_ns for t in self.threads.values())
        switches = sum(t.voluntary + t.involuntary for t in self.threads.values())
        lines = [
            f"  process CPU {total / 1e6 / calls:.2f} ms/call (schedstat), "
            f"{switches / calls:.0f} context switches/call"
        ]
        ranked = sorted(self.threads.items(), key=lambda item: -item[1].cpu_ns)
        for tid, usage in ranked[:4]:
            role = "main thread (event loop)" if tid == self.pid else f"thread {usage.name}"
            lines.append(
                f"    {role}: {usage.cpu_ns / 1e6 / calls:.2f} ms/call, switches/call "
                f"{usage.voluntary / calls:.0f} waiting + {usage.involuntary / calls:.0f} preempted"
            )
        return "\n".join(lines)


def _thread(task: Path) -> ThreadUsage:
    name = (task / "comm").read_text().strip()
    cpu_ns = int((task / "schedstat").read_text().split()[0])
    status = dict(
        line.split(":", 1) for line in (task / "status").read_text().splitlines() if ":" in line
    )
    return ThreadUsage(
        name,
        cpu_ns,
        int(status.get("voluntary_ctxt_switches", "0")),
        int(status.get("nonvoluntary_ctxt_switches", "0")),
    )
