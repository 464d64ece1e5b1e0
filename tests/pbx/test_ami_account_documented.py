"""docs/ami-account.md lists exactly the AMI actions the consent service's account may use: the
real Asterisk 22 is asked (ListCommands answers with the actions an account's write classes
allow), so the page cannot drift from what the PBX grants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ivr.ami import AmiClient
from tests.support.targets import Target

pytestmark = pytest.mark.pbx

DOC = Path(__file__).resolve().parents[2] / "docs" / "ami-account.md"


def documented_actions(marker: str = "allowed-actions") -> set[str]:
    block = re.search(rf"<!-- {marker} -->\n```text\n(.*?)```", DOC.read_text(), re.S)
    assert block is not None, f"the list of actions {marker} is missing from the page"
    return set(block.group(1).split())


async def test_the_page_lists_exactly_what_the_service_account_may_do(pbx_target: Target) -> None:
    client = AmiClient(ping_interval=None)
    await client.connect(
        pbx_target.ami_host,
        pbx_target.ami_port,
        pbx_target.service_username,
        pbx_target.service_secret,
    )
    try:
        reply = await client.action("ListCommands")
    finally:
        await client.close()
    granted = {key for key, _ in reply.headers} - {"Response", "ActionID"}
    assert documented_actions() == granted
