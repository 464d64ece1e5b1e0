"""The AMI parser fuzzed with a million frames mutated from a real Asterisk 22 capture: the only
exception it may raise is AmiProtocolError, and its buffer never grows past its frame cap.

Mutations: bytes flipped, CR/LF/NUL/':'/non-UTF-8 inserted, ranges deleted or duplicated, frames
truncated, spliced or blown past the cap; the stream is cut into random chunks (single bytes
included) so every boundary is hit. Seeded, so a failure replays.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator

import pytest

from ivr.ami import AmiProtocolError, FrameParser
from ivr.ami.protocol import BANNER_PREFIX
from tests.unit.ami import seeds

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

FRAMES = 1_000_000
BATCH = 2_000  # frames per parser (a fresh stream, as after a reconnect)
MAX_FRAME = 16 * 1024  # small cap so that oversized frames are cheap to make
BUDGET_SECONDS = 90.0
SPECIAL = [b"\r", b"\n", b"\r\n", b"\n\n", b"\0", b":", b": ", b"\xff", b"\xc3", b"\xe9", b" "]


def seed_frames() -> list[bytes]:
    text = seeds.capture_head(2_000_000)
    frames = [f + b"\r\n\r\n" for f in text.replace(b"\r\n", b"\n").split(b"\n\n") if f]
    frames = [f.replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n") for f in frames[:-1]]
    return [*frames, seeds.CAPTURED_TEST_EVENT, seeds.LOGIN_OK, seeds.COMMAND_OUTPUT]


Mutation = Callable[[random.Random, bytearray], None]


def _flip(rng: random.Random, data: bytearray) -> None:
    if data:
        data[rng.randrange(len(data))] = rng.randrange(256)


def _insert(rng: random.Random, data: bytearray) -> None:
    data[rng.randrange(len(data) + 1) : 0] = rng.choice(SPECIAL)


def _delete(rng: random.Random, data: bytearray) -> None:
    start = rng.randrange(len(data) + 1)
    del data[start : start + rng.randrange(1, 40)]


def _duplicate(rng: random.Random, data: bytearray) -> None:
    start = rng.randrange(len(data) + 1)
    data[start:start] = data[start : start + rng.randrange(1, 200)]


def _truncate(rng: random.Random, data: bytearray) -> None:
    del data[rng.randrange(len(data) + 1) :]


MUTATIONS: list[Mutation] = [_flip, _insert, _delete, _duplicate, _truncate]


def mutated(rng: random.Random, frames: list[bytes], count: int) -> Iterator[bytes]:
    for _ in range(count):
        data = bytearray(rng.choice(frames))
        roll = rng.random()
        if roll < 0.001:  # past the cap, with or without its terminating blank line
            data[:0] = b"Event: Huge\r\nX: " + b"y" * (MAX_FRAME + rng.randrange(10))
        elif roll < 0.05:
            data += rng.choice(frames)[: rng.randrange(300)]
        elif roll > 0.2:  # most frames are damaged, some are left intact
            for _ in range(rng.randrange(1, 4)):
                rng.choice(MUTATIONS)(rng, data)
        yield bytes(data)


def chunks(rng: random.Random, stream: bytes) -> Iterator[bytes]:
    at = 0
    while at < len(stream):
        size = 1 if rng.random() < 0.02 else rng.randrange(1, 8192)
        yield stream[at : at + size]
        at += size


def parse_all(rng: random.Random, stream: bytes) -> int:
    parser, messages, largest = FrameParser(MAX_FRAME), 0, 0
    for chunk in chunks(rng, stream):
        try:
            parsed = parser.feed(chunk)
        except AmiProtocolError:
            parsed = []
        largest = max(largest, len(parser._buffer))
        for message in parsed:
            message.headers  # noqa: B018 - split every frame, as a consumer may
            message.get("ActionID")
            _ = message.name, message.is_error
        messages += len(parsed)
    assert largest <= MAX_FRAME + 8192, f"parser buffer grew to {largest} bytes"
    return messages


def test_a_million_mutated_frames_raise_nothing_but_the_protocol_error() -> None:
    rng = random.Random(20261123)
    frames = seed_frames()
    assert len(frames) > 100
    started, fed, parsed = time.monotonic(), 0, 0
    while fed < FRAMES:
        head = BANNER_PREFIX + b"11.0.0\r\n" if rng.random() < 0.9 else b""
        stream = head + b"".join(mutated(rng, frames, BATCH))
        parsed += parse_all(rng, stream)
        fed += BATCH
    took = time.monotonic() - started
    print(f"fuzzed {fed} frames ({parsed} parsed back) in {took:.1f} s")
    assert parsed > FRAMES // 2
    assert took < BUDGET_SECONDS
