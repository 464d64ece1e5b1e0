"""What the service's least-privilege AMI account (read call,dtmf,user; write system,call)
may and may not do on the real PBX: the lists docs/admin.md states plainly. An action "allowed"
may still fail for its arguments (no such channel): only "Permission denied" means the class
refused it. Nothing here changes the PBX."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from tests.support.targets import Target

pytestmark = pytest.mark.pbx

NO_CHANNEL = "PJSIP/none-such-channel"
ALLOWED = {
    "GetConfig": {"Filename": "manager.conf"},
    "GetConfigJSON": {"Filename": "pjsip.conf"},
    "ModuleLoad": {"Module": "no_such_module.so", "LoadType": "reload"},
    "Reload": {"Module": "no_such_module.so"},
    "CoreSettings": {},
    "DBGet": {"Family": "ivr-account-reach", "Key": "none"},
    "Getvar": {"Variable": "EPOCH"},
    "Hangup": {"Channel": NO_CHANNEL},
    "Redirect": {"Channel": NO_CHANNEL, "Exten": "s", "Context": "none", "Priority": "1"},
    "Bridge": {"Channel1": NO_CHANNEL, "Channel2": NO_CHANNEL},
    "PlayDTMF": {"Channel": NO_CHANNEL, "Digit": "1"},
    "Atxfer": {"Channel": NO_CHANNEL, "Exten": "1"},
    "SendText": {"Channel": NO_CHANNEL, "Message": "x"},
}
REFUSED = {
    "Originate": {"Channel": "Local/none@none", "Application": "Wait", "Data": "1"},
    "Command": {"Command": "core show version"},
    "UpdateConfig": {"SrcFilename": "none.conf", "DstFilename": "none.conf"},
    "CreateConfig": {"Filename": "none.conf"},
    "ShowDialPlan": {},
    "UserEvent": {"UserEvent": "IvrAccountReach"},
}


@pytest_asyncio.fixture
async def service_account(pbx_target: Target) -> AsyncIterator[AmiClient]:
    client = AmiClient(ping_interval=None)
    target = pbx_target
    await client.connect(
        target.ami_host, target.ami_port, target.service_username, target.service_secret
    )
    yield client
    await client.close()


async def test_write_system_lets_the_account_do_what_the_admin_docs_list(
    service_account: AmiClient,
) -> None:
    for action, fields in ALLOWED.items():
        reply = await service_account.action(action, fields, check=False)
        assert reply.get("Message") != "Permission denied", action


async def test_the_account_cannot_place_calls_run_commands_or_change_configuration(
    service_account: AmiClient,
) -> None:
    for action, fields in REFUSED.items():
        reply = await service_account.action(action, fields, check=False)
        assert reply.is_error, action
        assert reply.get("Message") == "Permission denied", action


async def test_the_account_reads_every_accounts_secret_through_getconfig(
    service_account: AmiClient, pbx_target: Target
) -> None:
    reply = await service_account.action("GetConfig", {"Filename": "manager.conf"})
    assert f"secret={pbx_target.ami_secret}" in [value for _, value in reply.headers]
