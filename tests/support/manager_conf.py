"""Changes to the PBX's manager.conf for one test, made over AMI as an administrator would make
them (``UpdateConfig``, then ``manager reload``), so they work on any PBX target, sandbox or not,
and are undone afterwards. Sessions already logged in survive a manager reload."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ivr import names
from ivr.ami import AmiClient

SETTING = "allowmultiplelogin"
RELOADED = 10.0  # seconds for `manager show user` to show the change


async def update(admin: AmiClient, *changes: tuple[str, ...]) -> None:
    """UpdateConfig of manager.conf: each change is (action, category[, variable[, value]])."""
    fields = {"SrcFilename": "manager.conf", "DstFilename": "manager.conf"}
    for number, change in enumerate(changes):
        for key, value in zip(("Action", "Cat", "Var", "Value"), change, strict=False):
            fields[f"{key}-{number:06d}"] = value
    await admin.action("UpdateConfig", fields)
    await admin.action("Command", {"Command": "manager reload"})


async def user_shows(admin: AmiClient, user: str, expected: str) -> None:
    """Wait until ``manager show user`` prints `expected` for `user` (the reload applied)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RELOADED
    while True:
        reply = await admin.action("Command", {"Command": f"manager show user {user}"})
        output = "\n".join(value for key, value in reply.headers if key == "Output")
        if expected in output:
            return
        assert loop.time() < deadline, f"manager show user {user}:\n{output}"
        await asyncio.sleep(0.1)


@asynccontextmanager
async def single_login_user(admin: AmiClient, user: str, secret: str) -> AsyncIterator[str]:
    """A copy of the service's account, named `user`, with ``allowmultiplelogin = no`` in its
    own section; removed afterwards."""
    rights = (
        ("secret", secret),
        ("read", ",".join(names.SERVICE_AMI_READ)),
        ("write", ",".join(names.SERVICE_AMI_WRITE)),
        (SETTING, "no"),
    )
    await update(admin, ("NewCat", user), *(("Append", user, k, v) for k, v in rights))
    try:
        await user_shows(admin, user, f"{SETTING}: no")
        yield user
    finally:
        await update(admin, ("DelCat", user))


@asynccontextmanager
async def single_login_everywhere(admin: AmiClient, user: str, secret: str) -> AsyncIterator[str]:
    """``allowmultiplelogin = no`` under [general], and `user`, a copy of the service's account
    whose section leaves the setting alone: Asterisk gives a user [general]'s value when it
    first reads its section (at start, or added since), not to users it already has. Both are
    undone afterwards ([general] set back to yes: a reload without the line keeps the `no`)."""
    rights = (
        ("secret", secret),
        ("read", ",".join(names.SERVICE_AMI_READ)),
        ("write", ",".join(names.SERVICE_AMI_WRITE)),
    )
    await update(admin, ("Append", "general", SETTING, "no"))
    await update(admin, ("NewCat", user), *(("Append", user, k, v) for k, v in rights))
    try:
        await user_shows(admin, user, f"{SETTING}: no")
        yield user
    finally:
        await update(admin, ("DelCat", user), ("Update", "general", SETTING, "yes"))
        await update(admin, ("Delete", "general", SETTING))
