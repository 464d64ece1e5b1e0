"""What an AMI account narrowed to `write = call` may do on the real Asterisk 22, measured: the
facts docs/ami-account.md builds its "what dropping `system` takes" on. The sandbox renders
that account beside the service's (ivr/sandbox/render.py); nothing here changes a call."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from ivr.sandbox.render import CALL_ONLY_AMI_USER
from tests.pbx.test_ami_account_documented import documented_actions
from tests.support.targets import Target

pytestmark = pytest.mark.pbx

FAMILY = "ivr-call-only-probe"
DENIED = "Permission denied"


@pytest_asyncio.fixture
async def call_only(pbx_target: Target) -> AsyncIterator[AmiClient]:
    client = AmiClient(ping_interval=None)
    target = pbx_target
    await client.connect(
        target.ami_host, target.ami_port, CALL_ONLY_AMI_USER, target.service_secret
    )
    yield client
    await client.close()


@pytest_asyncio.fixture
async def kept_key(pbx_ami: AmiClient) -> AsyncIterator[str]:
    """An AstDB entry as the dialplan would keep one (written by the administrative account)."""
    await pbx_ami.action("DBPut", {"Family": FAMILY, "Key": "1700000000.1", "Val": "objected"})
    yield "1700000000.1"
    await pbx_ami.action("DBDel", {"Family": FAMILY, "Key": "1700000000.1"}, check=False)


async def test_the_page_lists_exactly_what_a_call_only_account_may_do(
    call_only: AmiClient,
) -> None:
    reply = await call_only.action("ListCommands")
    granted = {key for key, _ in reply.headers} - {"Response", "ActionID"}
    assert documented_actions("call-only-actions") == granted


async def test_recording_and_astdb_actions_need_system(call_only: AmiClient) -> None:
    for action, fields in (
        ("MixMonitor", {"Channel": "PJSIP/none", "File": "ivr-none.wav"}),
        ("DBPut", {"Family": FAMILY, "Key": "k", "Val": "v"}),
        ("DBGetTree", {"Family": FAMILY}),
        ("CoreShowChannels", {}),
    ):
        reply = await call_only.action(action, fields, check=False)
        assert reply.get("Message") == DENIED, action


async def test_what_the_flow_uses_besides_the_recording_start_is_allowed(
    call_only: AmiClient,
) -> None:
    response, _ = await call_only.event_list("Status", {"Variables": "IVR_CALL,IVR_STEP"})
    assert response.get("Response") == "Success"
    for action in ("StopMixMonitor", "MixMonitorMute", "Setvar", "Getvar", "Hangup"):
        fields = {"Channel": "PJSIP/none", "Variable": "IVR_STEP", "Direction": "both"}
        reply = await call_only.action(action, fields, check=False)
        assert reply.get("Message") != DENIED, action


async def test_astdb_functions_over_ami_list_keys_but_neither_read_nor_write_values(
    call_only: AmiClient, kept_key: str
) -> None:
    """Asterisk runs AMI sessions with privilege escalations inhibited: DB() and DB_DELETE()
    are refused there (live_dangerously = no), DB_KEYS() and DB_EXISTS() are not."""
    keys = await call_only.action("Getvar", {"Variable": f"DB_KEYS({FAMILY})"})
    assert keys.get("Value") == kept_key
    value = await call_only.action("Getvar", {"Variable": f"DB({FAMILY}/{kept_key})"})
    assert value.get("Value") == ""
    write = {"Variable": f"DB({FAMILY}/other)", "Value": "1"}
    assert (await call_only.action("Setvar", write, check=False)).is_error
    await call_only.action("Getvar", {"Variable": f"DB_DELETE({FAMILY}/{kept_key})"})
    still = await call_only.action("Getvar", {"Variable": f"DB_KEYS({FAMILY})"})
    assert still.get("Value") == kept_key


async def test_a_global_variable_is_set_and_read_with_call(call_only: AmiClient) -> None:
    """The way the service could publish its keys to the dialplan without AstDB."""
    await call_only.action("Setvar", {"Variable": "IVR_CALL_ONLY_PROBE", "Value": "9"})
    reply = await call_only.action("Getvar", {"Variable": "GLOBAL(IVR_CALL_ONLY_PROBE)"})
    assert reply.get("Value") == "9"
    await call_only.action("Setvar", {"Variable": "IVR_CALL_ONLY_PROBE", "Value": ""})
