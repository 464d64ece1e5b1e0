"""The service with an AMI account that may not write AstDB nor start MixMonitor (`write =
call`): it stays connected, publishes the keys as global variables, has the dialplan arm the
recordings, and lists the objections the PBX kept with DB_KEYS."""

from __future__ import annotations

from ivr import names
from ivr.config.model import Settings
from tests.support.fake_ami import FakeConnection, Request
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import service

SYSTEM_ONLY = ("DBPut", "DBGetTree", "DBDel", "MixMonitor")


def refused(connection: FakeConnection, request: Request) -> None:
    connection.respond(request, "Error", ("Message", "Permission denied"))


def call_only(connection: FakeConnection, request: Request) -> None:
    granted = [(action, "call") for action in names.SERVICE_AMI_ACTIONS]
    connection.respond(request, "Success", *granted)


async def test_a_call_only_account_publishes_the_keys_as_globals_and_arms_in_the_dialplan(
    pbx: FakePbx, settings: Settings
) -> None:
    for action in SYSTEM_ONLY:
        pbx.on(action, refused)
    pbx.on("ListCommands", call_only)
    async with service(settings) as runtime:
        assert runtime.executor.arm_in_dialplan
        assert pbx.globals[names.global_setting(names.DB_KEY_OBJECT)] == "9"
        assert pbx.astdb == {}


async def test_an_account_that_may_start_mixmonitor_starts_it_over_ami(
    pbx: FakePbx, settings: Settings
) -> None:
    pbx.on("ListCommands", lambda c, r: c.respond(r, "Success", ("MixMonitor", "system")))
    async with service(settings) as runtime:
        assert not runtime.executor.arm_in_dialplan
        assert (names.DB_SETTINGS, names.DB_KEY_OBJECT) in pbx.astdb
