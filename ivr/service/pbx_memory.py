"""What the PBX remembers for the service: the configured keys it must use, and the objections
it handled alone (AstDB family ivr-objection) while the service was away."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from ivr import names
from ivr.ami import AmiActionError, AmiClient, AmiError
from ivr.clock import Clock
from ivr.config.model import ConsentSettings
from ivr.config.recording import AgentSettings

log = logging.getLogger(__name__)

PERMISSION_DENIED = "Permission denied"  # Asterisk's answer to an action outside the classes


@dataclass(frozen=True)
class PbxObjection:
    call_id: str
    at: datetime


async def publish_keys(client: AmiClient, consent: ConsentSettings, agents: AgentSettings) -> None:
    """The dialplan reads the keys from here, so they match the prompts built from our config,
    and the agent's private key as the in-call feature the PBX runs; and each profile's mode
    and language, for the calls the service cannot decide on. Global variables first (class
    `call`), AstDB too when the account may write it (class `system`), so that they outlive a
    PBX restart."""
    keys = consent.keys
    settings = [
        (names.DB_KEY_OBJECT, keys.objection),
        (names.DB_KEY_FULL_NOTICE, keys.full_notice),
        (names.DB_KEY_ACCEPT, keys.accept),
        (names.DB_FEATURE_PRIVATE, names.private_feature(agents.private_key)),
    ]
    for name, profile in consent.profiles.items():
        settings.append((names.DB_MODE_PREFIX + name, str(profile.mode)))
        settings.append((names.DB_LANGUAGE_PREFIX + name, profile.default_language))
    for key, value in settings:
        await client.action("Setvar", {"Variable": names.global_setting(key), "Value": value})
    for key, value in settings:
        fields = {"Family": names.DB_SETTINGS, "Key": key, "Val": value}
        try:
            await client.action("DBPut", fields)
        except AmiActionError as exc:  # write = call: the global variables do
            log.info("settings not kept in AstDB (%s): global variables only", exc)
            return


async def pending_objections(client: AmiClient, clock: Clock) -> list[PbxObjection]:
    try:
        _, entries = await client.event_list("DBGetTree", {"Family": names.DB_OBJECTIONS})
    except AmiActionError as exc:
        if exc.message == PERMISSION_DENIED:
            return await _listed_objections(client, clock)
        log.debug("no objection kept by the PBX: %s", exc)  # an empty family is an error
        return []
    except AmiError as exc:
        log.warning("objections kept by the PBX not read: %s", exc)
        return []
    return [_objection(e.get("Key", ""), e.get("Val", ""), clock) for e in entries if e.get("Key")]


async def _listed_objections(client: AmiClient, clock: Clock) -> list[PbxObjection]:
    """Without `system`, AstDB's keys can be listed (DB_KEYS) but its values not read (DB() is
    refused over AMI): the objections are known, their time is taken as now."""
    try:
        reply = await client.action("Getvar", {"Variable": f"DB_KEYS({names.DB_OBJECTIONS})"})
    except AmiError as exc:
        log.warning("objections kept by the PBX not listed: %s", exc)
        return []
    listed = (reply.get("Value") or "").split(",")
    return [PbxObjection(call_id, clock()) for call_id in listed if call_id]


async def forget_objection(client: AmiClient, call_id: str) -> None:
    await client.action("DBDel", {"Family": names.DB_OBJECTIONS, "Key": call_id}, check=False)


def _objection(key: str, value: str, clock: Clock) -> PbxObjection:
    call_id = key.rsplit("/", 1)[-1]
    try:
        at = datetime.fromtimestamp(float(value), UTC)
    except ValueError:  # unreadable time: the objection still counts, from now
        at = clock()
    return PbxObjection(call_id, at)


async def arms_in_dialplan(client: AmiClient) -> bool:
    """An account refused MixMonitor (`write = call`) has the dialplan start the recording."""
    reply = await client.action("ListCommands", check=False)
    # (An AMI that cannot list its actions: over AMI, as before.)
    arming = not reply.is_error and "MixMonitor" not in {key for key, _ in reply.headers}
    if arming:
        log.info("this AMI account may not use MixMonitor: recordings are armed by the dialplan")
    # The consent subroutine waits for the go only when told to: otherwise it runs as before.
    fields = {"Variable": names.global_setting(names.ARM_SETTING), "Value": "1" if arming else ""}
    await client.action("Setvar", fields)
    return arming
