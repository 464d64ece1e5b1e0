"""An `AmiSupervisor` pointed at the fake AMI server, as the unit tests of the link build it:
retries within milliseconds, no pings, a seeded jitter, and named lanes that log in with
``Events: off`` as the service's do."""

from __future__ import annotations

import random
from collections.abc import Iterable

from ivr.ami import AmiClient, AmiSupervisor, Backoff
from tests.support.fake_ami import FakeAmi

FAST = Backoff(initial=0.01, maximum=0.05, factor=2.0, jitter=0.2)


def _quiet() -> AmiClient:
    return AmiClient(ping_interval=None, events="off")


def supervisor_for(
    fake: FakeAmi,
    *,
    port: int | None = None,
    secret: str | None = None,
    lanes: Iterable[str] = (),
) -> AmiSupervisor:
    return AmiSupervisor(
        "127.0.0.1",
        port or fake.port,
        fake.username,
        fake.secret if secret is None else secret,
        backoff=FAST,
        connect_timeout=1.0,
        client_factory=lambda: AmiClient(ping_interval=None),
        rng=random.Random(3),
        lanes=dict.fromkeys(lanes, _quiet),
    )
