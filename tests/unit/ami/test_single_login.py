"""A PBX that lets the account log in only once (manager.conf's ``allowmultiplelogin = no``): the
link stays down as for any refusal, but its health names that cause and the fix, and a wrong
secret keeps its own message."""

from __future__ import annotations

import asyncio

import pytest

from ivr.ami import AmiActionError, AmiClient, Message
from ivr.ami.login import Auth
from ivr.ami.multiple_logins import IN_USE, refused_as_in_use
from tests.support.ami_supervisor import supervisor_for
from tests.support.fake_ami import FakeAmi, FakeConnection, Request, eventually

LANES = ("actions-1", "actions-2", "urgent-1")


async def test_sessions_refused_as_in_use_name_allowmultiplelogin_and_the_fix(
    fake: FakeAmi,
) -> None:
    fake.allow_multiple_login = False
    link = supervisor_for(fake, lanes=LANES)
    task = asyncio.create_task(link.run())
    try:
        await eventually(lambda: link.health.last_error is not None, what="a failed attempt")
        error = link.health.last_error or ""
        assert not link.health.connected
        assert link.client is None
        assert link.multiple_logins_refused
        assert "refused more than one login of user 'ivr'" in error
        assert "1 of 4 sessions logged in" in error
        assert "needs 4 sessions" in error
        assert "`allowmultiplelogin = yes` in the [ivr] section of manager.conf" in error
        assert "overrides a `no` under [general]" in error
        assert "Authentication failed" not in error
        await eventually(lambda: fake.live == [], what="the session that got in closed too")
    finally:
        link.stop()
        await asyncio.wait_for(task, 5)


async def test_a_wrong_secret_keeps_its_own_message_with_single_login(fake: FakeAmi) -> None:
    fake.allow_multiple_login = False
    link = supervisor_for(fake, secret="wrong", lanes=LANES)
    task = asyncio.create_task(link.run())
    try:
        await eventually(lambda: link.health.last_error is not None, what="a failed attempt")
        error = link.health.last_error or ""
        assert "Authentication failed" in error
        assert "allowmultiplelogin" not in error
        assert not link.multiple_logins_refused
    finally:
        link.stop()
        await asyncio.wait_for(task, 5)


async def test_the_cause_clears_once_the_pbx_allows_several_logins(fake: FakeAmi) -> None:
    fake.allow_multiple_login = False
    link = supervisor_for(fake, lanes=LANES)
    task = asyncio.create_task(link.run())
    try:
        await eventually(lambda: link.multiple_logins_refused, what="refused as in use")
        fake.allow_multiple_login = True  # the administrator's `manager reload`
        await link.wait_connected(3)
        assert not link.multiple_logins_refused
        assert all(link.lane(name) is not None for name in LANES)
    finally:
        link.stop()
        await asyncio.wait_for(task, 5)


async def test_an_md5_login_refused_at_its_challenge_is_told_apart_too(fake: FakeAmi) -> None:
    def in_use(connection: FakeConnection, request: Request) -> None:
        connection.respond(request, "Error", ("Message", IN_USE))
        connection.hang_up()

    fake.on("Challenge", in_use)  # Asterisk checks the user at Challenge as at Login
    client = AmiClient(ping_interval=None)
    with pytest.raises(AmiActionError) as refused:
        await client.connect(
            "127.0.0.1", fake.port, fake.username, fake.secret, timeout=2, auth=Auth.MD5
        )
    assert refused_as_in_use(refused.value)
    wrong_secret = Message({"Response": "Error", "Message": "Authentication failed"})
    assert not refused_as_in_use(AmiActionError(wrong_secret))
