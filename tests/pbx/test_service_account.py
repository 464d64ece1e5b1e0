"""The consent service's AMI account can drive recordings and nothing more: it can neither
place calls nor run CLI commands (least privilege, dialplan/manager-ivr.conf)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from ivr.ami import AmiActionError, AmiClient
from tests.support.targets import Target

pytestmark = pytest.mark.pbx


@pytest_asyncio.fixture
async def service_ami(pbx_target: Target) -> AsyncIterator[AmiClient]:
    client = AmiClient()
    await client.connect(
        pbx_target.ami_host,
        pbx_target.ami_port,
        pbx_target.service_username,
        pbx_target.service_secret,
    )
    yield client
    await client.close()


async def test_it_may_keep_its_memory_in_astdb(service_ami: AmiClient) -> None:
    await service_ami.action("DBPut", {"Family": "ivr-test", "Key": "k", "Val": "v"})
    _, entries = await service_ami.event_list("DBGetTree", {"Family": "ivr-test"})
    assert [e.get("Val") for e in entries] == ["v"]
    await service_ami.action("DBDel", {"Family": "ivr-test", "Key": "k"})


async def test_it_lists_the_calls_in_progress_with_status_not_core_show_channels(
    service_ami: AmiClient,
) -> None:
    """After a reconnection the service reads the calls with Status (class `call`)."""
    response, _ = await service_ami.event_list("Status", {"Variables": "IVR_CALL"})
    assert response.get("Response") == "Success"


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("Originate", {"Channel": "Local/wait@from-carrier", "Application": "Wait", "Data": "1"}),
        ("Command", {"Command": "core show version"}),
        ("UpdateConfig", {"SrcFilename": "manager.conf", "DstFilename": "x.conf"}),
    ],
)
async def test_it_may_not_call_run_commands_or_change_config(
    service_ami: AmiClient, action: str, fields: dict[str, str]
) -> None:
    with pytest.raises(AmiActionError, match=r"(?i)permission denied"):
        await service_ami.action(action, fields)
