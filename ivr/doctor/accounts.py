"""Other AMI accounts on the PBX, read the way the service's own account can read them.

Asterisk files ``GetConfig`` under the ``system`` write class, which the service needs for
MixMonitor: so the service's account can read manager.conf, every account's secret included.
An account with full rights beside it is then one stolen secret away; doctor names them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ivr.ami import AmiClient
from ivr.doctor.findings import Finding, ok, warn

# Write classes that let an account run CLI commands, change the configuration or place calls.
POWERFUL = frozenset({"all", "command", "config", "originate", "agi"})
_CATEGORY = re.compile(r"Category-(\d+)")
_LINE = re.compile(r"Line-(\d+)-\d+")
CHECK = "other AMI accounts"


def accounts(headers: Iterable[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Each account of a ``GetConfig manager.conf`` answer: its settings (the last value wins,
    as in Asterisk). The ``[general]`` section is not an account."""
    names: dict[str, str] = {}
    settings: dict[str, dict[str, str]] = {}
    for key, value in headers:
        if category := _CATEGORY.fullmatch(key):
            names[category[1]] = value
            settings.setdefault(value, {})
        elif (line := _LINE.fullmatch(key)) and line[1] in names:
            name, _, setting = value.partition("=")
            settings[names[line[1]]][name.strip().lower()] = setting.strip()
    settings.pop("general", None)
    return settings


def powerful(account: Mapping[str, str]) -> set[str]:
    """The write classes of ``account`` that go beyond what the consent service needs."""
    classes = {c.strip().lower() for c in account.get("write", "").split(",")}
    return classes & POWERFUL


async def other_accounts(client: AmiClient, own: str) -> Finding:
    reply = await client.action("GetConfig", {"Filename": "manager.conf"}, check=False)
    if reply.is_error:
        return ok(CHECK, "manager.conf is not readable by this account (GetConfig refused)")
    strong = {
        name: sorted(classes)
        for name, account in accounts(reply.headers).items()
        if name != own and (classes := powerful(account))
    }
    if not strong:
        return ok(CHECK, "none with full rights (write=all, command, config, originate, agi)")
    named = ", ".join(f"{name} (write {','.join(classes)})" for name, classes in strong.items())
    return warn(
        CHECK,
        f"{named}: this account reads their secrets through GetConfig (write=system allows "
        "it); remove them, or keep their permit to trusted addresses and rotate them",
    )
