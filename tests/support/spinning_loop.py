"""A small event loop under the service's own guard (ivr.service.realtime.LoopScheduling),
driven line by line on stdin, for tests that make a real-time loop spin and watch the kernel
and the guard from outside; production code has no such hook. Answers each line with one JSON
line:

    state          the guard's view, the thread's policy, the demotions counter
    spin SECONDS   spins in Python code for SECONDS of its own CPU time (the handler runs
                   between bytecodes; CPU time, since another real-time process may hold
                   the core meanwhile)
    cspin N        spins in C code, sum(range(N)) (no handler can run until it returns)

Usage: python -m tests.support.spinning_loop QUIET_SECONDS
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time

from prometheus_client import CollectorRegistry

from ivr.service.realtime import LoopScheduling


def answer(scheduling: LoopScheduling, registry: CollectorRegistry) -> None:
    demotions = registry.get_sample_value("ivr_loop_realtime_demotions_total")
    body = scheduling.as_dict() | {"policy": os.sched_getscheduler(0), "counted": demotions}
    print(json.dumps(body), flush=True)


def obey(line: str, scheduling: LoopScheduling, registry: CollectorRegistry) -> None:
    command, _, argument = line.strip().partition(" ")
    if command == "spin":
        until = time.thread_time() + float(argument)
        while time.thread_time() < until:
            pass
    elif command == "cspin":
        sum(range(int(argument)))
    answer(scheduling, registry)


async def main(quiet: float) -> None:
    registry = CollectorRegistry()
    scheduling = LoopScheduling("realtime", registry, quiet=quiet)
    scheduling.start()
    repromoting = asyncio.create_task(scheduling.run())
    loop = asyncio.get_running_loop()
    done = asyncio.Event()

    def readable() -> None:
        line = sys.stdin.readline()
        if not line:
            done.set()
            return
        obey(line, scheduling, registry)

    loop.add_reader(sys.stdin.fileno(), readable)
    answer(scheduling, registry)
    await done.wait()
    repromoting.cancel()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    asyncio.run(main(float(sys.argv[1])))
