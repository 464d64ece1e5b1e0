#!/usr/bin/env python3
"""AMI read-path benchmark: replay a real Asterisk 22 event capture over loopback TCP.

Measures, for each implementation, the events per second delivered to a callback and, under
a paced 20k events/s burst, the DTMF-to-callback latency. Implementations:

- floor:      StreamReader.readuntil(b"\\r\\n\\r\\n") + decode + split into lines: the least
              an asyncio reader can do per frame; the reference the others are compared to;
- panoramisk: panoramisk 1.4 (`Manager`, a catch-all `register_event("*")` callback);
- ivr.ami:    our AmiClient with a listener (`add_listener`).

Every callback does the same realistic work: look at the event name and, for DTMF events, read
the Digit. `ivr.ami (all headers)` also splits every header of every event, to show what the
lazy header split saves. A sender process writes the capture; the client runs in this process;
runs are alternated and the median is reported.

Usage: python benchmarks/ami_throughput.py [--quick] [--runs N] [--capture PATH]
The capture is $IVR_AMI_CAPTURE, or ../shared/data/ami-events-asterisk22.txt.xz beside the
repository root.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import importlib.util
import lzma
import multiprocessing as mp
import os
import socket
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ivr.ami import AmiClient, Message  # noqa: E402

CAPTURE_ENV = "IVR_AMI_CAPTURE"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
SEP = b"\r\n\r\n"
DTMF = frozenset({"DTMFBegin", "DTMFEnd"})
BURST_RATE = 20_000
BURST_BATCH = 20  # frames per send: 20 frames every millisecond


def capture_path(given: str | None) -> Path:
    if given:
        return Path(given)
    if env := os.environ.get(CAPTURE_ENV):
        return Path(env)
    return REPO.parent / "shared" / "data" / "ami-events-asterisk22.txt.xz"


def load_frames(path: Path, limit: int | None) -> list[bytes]:
    with lzma.open(path) as stream:
        data = stream.read()
    frames = [frame + SEP for frame in data.split(SEP) if frame.strip()]
    return frames[:limit] if limit else frames


# -- sender process ---------------------------------------------------------------------------


def sender(frames: list[bytes], control: Connection, listener: socket.socket) -> None:
    """Serve one connection per command received on `control`."""
    blob = b"".join(frames)
    dtmf_batches = _dtmf_per_batch(frames)
    while (command := control.recv()) is not None:
        mode, login, count = command
        conn, _ = listener.accept()
        # Asterisk's AMI sockets do not wait for Nagle; neither should a latency figure.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn, contextlib.suppress(OSError):
            conn.sendall(BANNER)
            if login:
                _answer_login(conn)
            if mode == "flood":
                conn.sendall(blob if count == len(frames) else b"".join(frames[:count]))
                control.send(None)
            else:
                control.send(_paced(conn, frames[:count], dtmf_batches))
            _drain_until_closed(conn)


def _answer_login(conn: socket.socket) -> None:
    request = b""
    while SEP not in request:
        request += conn.recv(4096)
    action_id = next(
        line.split(b": ", 1)[1] for line in request.split(b"\r\n") if line.startswith(b"ActionID")
    )
    conn.sendall(b"Response: Success\r\nActionID: " + action_id + b"\r\n" + b"Message: ok\r\n\r\n")


def _dtmf_per_batch(frames: list[bytes]) -> list[int]:
    counts = []
    for start in range(0, len(frames), BURST_BATCH):
        batch = frames[start : start + BURST_BATCH]
        counts.append(
            sum(f.startswith((b"Event: DTMFBegin\r", b"Event: DTMFEnd\r")) for f in batch)
        )
    return counts


def _paced(conn: socket.socket, frames: list[bytes], dtmf_batches: list[int]) -> list[int]:
    """Send BURST_BATCH frames every BURST_BATCH/BURST_RATE s; return each DTMF's send time."""
    period_ns = BURST_BATCH * 1_000_000_000 // BURST_RATE
    sent: list[int] = []
    start = time.monotonic_ns()
    for index, first in enumerate(range(0, len(frames), BURST_BATCH)):
        target = start + index * period_ns
        while (now := time.monotonic_ns()) < target:
            if target - now > 300_000:
                time.sleep((target - now - 200_000) / 1e9)
        stamp = time.monotonic_ns()
        conn.sendall(b"".join(frames[first : first + BURST_BATCH]))
        sent.extend([stamp] * dtmf_batches[index])
    return sent


def _drain_until_closed(conn: socket.socket) -> None:
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


# -- clients ----------------------------------------------------------------------------------


@dataclass
class Probe:
    """What every callback does: count, and timestamp DTMF events."""

    expected: int
    done: asyncio.Future[None]
    count: int = 0
    first: float = 0.0
    last: float = 0.0
    digits: int = 0

    def __post_init__(self) -> None:
        self.dtmf_times: list[int] = []

    def hit(self, name: str | None, digit: Callable[[], Any]) -> None:
        if name in DTMF:
            self.dtmf_times.append(time.monotonic_ns())
            self.digits += digit() is not None
        self.count += 1
        if self.count == 1:
            self.first = time.perf_counter()
        if self.count == self.expected:
            self.last = time.perf_counter()
            if not self.done.done():
                self.done.set_result(None)


def _digit_line(lines: list[str]) -> str | None:
    return next((line for line in lines if line[:6] == "Digit:"), None)


async def run_floor(port: int, probe: Probe) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()
    while probe.count < probe.expected:
        lines = (await reader.readuntil(SEP)).decode("utf-8", "surrogateescape").split("\r\n")
        name = lines[0][7:] if lines[0].startswith("Event: ") else None
        probe.hit(name, functools.partial(_digit_line, lines))
    writer.close()
    await writer.wait_closed()


async def run_ours(port: int, probe: Probe, all_headers: bool = False) -> None:
    def on_event(message: Message) -> None:
        if all_headers:
            message.headers  # noqa: B018 - the point is to pay for the split
        probe.hit(message.name, lambda: message.get("Digit"))

    client = AmiClient(ping_interval=None)
    client.add_listener(on_event)
    await client.connect("127.0.0.1", port, "bench", "bench")
    await probe.done
    await client.close(timeout=0.05)


async def run_ours_full(port: int, probe: Probe) -> None:
    await run_ours(port, probe, all_headers=True)


async def run_panoramisk(port: int, probe: Probe) -> None:
    from panoramisk import Manager  # type: ignore[import-untyped,import-not-found,unused-ignore]

    def on_event(manager: Any, event: Any) -> None:
        probe.hit(event.get("Event"), lambda: event.get("Digit"))

    loop = asyncio.get_running_loop()
    # It logs in like ours: without a login the sender would stream before panoramisk has
    # wired its protocol to the manager (data_received then fails on `factory` being None).
    manager = Manager(
        host="127.0.0.1",
        port=port,
        loop=loop,
        username="bench",
        secret="bench",
        ping_delay=3600,
        reconnect_timeout=3600,
    )
    manager.register_event("*", on_event)
    await manager.connect()
    await probe.done
    manager.close()


CLIENTS: dict[str, tuple[Callable[[int, Probe], Any], bool]] = {
    "floor (readuntil + split)": (run_floor, False),
    "panoramisk 1.4": (run_panoramisk, True),
    "ivr.ami": (run_ours, True),
    "ivr.ami (all headers)": (run_ours_full, True),
}


# -- driver -----------------------------------------------------------------------------------


def one_run(control: Connection, port: int, name: str, mode: str, expected: int) -> Probe:
    client, login = CLIENTS[name]
    control.send((mode, login, expected))

    async def main() -> Probe:
        probe = Probe(expected, asyncio.get_running_loop().create_future())
        await asyncio.wait_for(client(port, probe), timeout=600)
        return probe

    probe = asyncio.run(main())
    sent = control.recv()
    if mode == "burst":
        probe.dtmf_times = [r - s for r, s in zip(probe.dtmf_times, sent, strict=True)]
    return probe


def has_panoramisk() -> bool:
    return importlib.util.find_spec("panoramisk") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="40k frames, 3 runs: < 60 s")
    parser.add_argument("--runs", type=int, help="alternated runs per implementation")
    parser.add_argument("--capture", help=f"capture file (default ${CAPTURE_ENV} or ../shared)")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    path = capture_path(args.capture)
    frames = load_frames(path, 40_000 if args.quick else None)
    names = [n for n in CLIENTS if has_panoramisk() or not n.startswith("panoramisk")]
    print(f"capture: {path.name}, {len(frames):,} frames, {sum(map(len, frames)) / 1e6:.1f} MB")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {runs} alternated runs\n")

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    control, child_end = mp.Pipe()
    child = mp.get_context("fork").Process(target=sender, args=(frames, child_end, listener))
    child.start()
    try:
        throughput(control, port, names, len(frames), runs)
        burst(
            control,
            port,
            [n for n in names if "all headers" not in n and "floor" not in n],
            len(frames),
            1 if args.quick else 2,
        )
    finally:
        control.send(None)
        child.join()


def throughput(control: Connection, port: int, names: list[str], expected: int, runs: int) -> None:
    rates: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(runs):
        for name in names:
            probe = one_run(control, port, name, "flood", expected)
            rates[name].append((probe.count - 1) / (probe.last - probe.first))
    floor = statistics.median(rates[names[0]])
    print(f"{'throughput (events/s, median)':32} {'events/s':>10} {'vs floor':>9}   runs")
    for name in names:
        rate = statistics.median(rates[name])
        shown = " ".join(f"{r / 1000:.0f}k" for r in rates[name])
        print(f"{name:32} {rate:10,.0f} {rate / floor:9.1%}   {shown}")


def burst(control: Connection, port: int, names: list[str], frames: int, runs: int) -> None:
    expected = min(frames, BURST_RATE * (2 if runs == 1 else 8))
    print(f"\nDTMF-to-callback latency, {BURST_RATE:,} events/s paced burst, {expected:,} events")
    print(f"{'implementation':32} {'DTMF':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    samples: dict[str, list[int]] = {name: [] for name in names}
    for _ in range(runs):
        for name in names:
            samples[name] += one_run(control, port, name, "burst", expected).dtmf_times
    for name in names:
        lat = sorted(samples[name])
        p50, p99 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        print(f"{name:32} {len(lat):6} {p50 / 1e6:8.3f} {p99 / 1e6:8.3f} {lat[-1] / 1e6:8.3f}")


if __name__ == "__main__":
    main()
