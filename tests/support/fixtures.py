"""Fixtures of the real-PBX tiers (tests/pbx, tests/faults): the PBX and its carrier, their AMI
links, a quiet start, the service's configuration. One set per run, shared by both folders."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from ivr.qa.carrier import Carrier
from tests.support.calls import hang_up_everything
from tests.support.faultproxy import FaultProxy
from tests.support.service import build_prompts, write_config
from tests.support.targets import Target, external_pair, sandbox_pair, sandbox_prefix


@pytest.fixture(scope="session")
def pbx_pair() -> Iterator[tuple[Target, Target]]:
    external = external_pair()
    if external is not None:
        yield external
        return
    # IVR_TEST_NATIVE_RTP=1 loads bridge_native_rtp on the PBX under test, to show that the
    # in-call DTMF test then fails: the shipped configuration is what makes it pass.
    native_rtp = os.environ.get("IVR_TEST_NATIVE_RTP") == "1"
    with sandbox_pair(sandbox_prefix(), native_rtp=native_rtp) as pair:
        yield pair


@pytest.fixture(scope="session")
def pbx_target(pbx_pair: tuple[Target, Target]) -> Target:
    return pbx_pair[0]


async def connect(target: Target) -> AmiClient:
    client = AmiClient()
    await client.connect(target.ami_host, target.ami_port, target.ami_username, target.ami_secret)
    return client


@pytest_asyncio.fixture(scope="session")
async def pbx_ami(pbx_pair: tuple[Target, Target]) -> AsyncIterator[AmiClient]:
    client = await connect(pbx_pair[0])
    yield client
    await client.close()


@pytest_asyncio.fixture(scope="session")
async def carrier_ami(pbx_pair: tuple[Target, Target]) -> AsyncIterator[AmiClient]:
    client = await connect(pbx_pair[1])
    yield client
    await client.close()


@pytest_asyncio.fixture
async def carrier(pbx_ami: AmiClient, carrier_ami: AmiClient) -> AsyncIterator[Carrier]:
    """The carrier, with both instances free of channels before and after the test."""
    await hang_up_everything(carrier_ami)
    await hang_up_everything(pbx_ami)
    yield Carrier(carrier_ami)
    await hang_up_everything(carrier_ami)
    await hang_up_everything(pbx_ami)


@pytest.fixture(scope="session")
def service_config(tmp_path_factory: pytest.TempPathFactory, pbx_target: Target) -> Path:
    """The service's configuration for the PBX under test, its prompts built into the PBX."""
    config = write_config(tmp_path_factory.mktemp("service"), pbx_target)
    build_prompts(config)
    return config


@pytest_asyncio.fixture
async def proxy(pbx_target: Target) -> AsyncIterator[FaultProxy]:
    """A fault-injecting TCP proxy in front of the PBX's AMI port."""
    faults = FaultProxy(pbx_target.ami_host, pbx_target.ami_port)
    await faults.start()
    yield faults
    await faults.aclose()
