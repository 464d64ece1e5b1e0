from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ivr.ami import AmiClient
from tests.support.fake_ami import FakeAmi


@pytest.fixture
async def fake() -> AsyncIterator[FakeAmi]:
    server = FakeAmi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(fake: FakeAmi) -> AsyncIterator[AmiClient]:
    ami = AmiClient(ping_interval=None)
    await ami.connect("127.0.0.1", fake.port, fake.username, fake.secret, timeout=2.0)
    yield ami
    await ami.close()
