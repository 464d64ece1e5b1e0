"""What the PBX remembers for the service: the configured keys it must use, and the objections
it handled alone (AstDB family ivr-objection) while the service was away."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from ivr import names
from ivr.ami import AmiClient, AmiError
from ivr.clock import Clock
from ivr.config.model import ConsentSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PbxObjection:
    call_id: str
    at: datetime


async def publish_keys(client: AmiClient, consent: ConsentSettings) -> None:
    """The dialplan reads the keys from AstDB, so they match the prompts built from our config;
    and each profile's mode and language, for the calls the service cannot decide on."""
    keys = consent.keys
    settings = [
        (names.DB_KEY_OBJECT, keys.objection),
        (names.DB_KEY_FULL_NOTICE, keys.full_notice),
        (names.DB_KEY_ACCEPT, keys.accept),
    ]
    for name, profile in consent.profiles.items():
        settings.append((names.DB_MODE_PREFIX + name, str(profile.mode)))
        settings.append((names.DB_LANGUAGE_PREFIX + name, profile.default_language))
    for key, value in settings:
        await client.action("DBPut", {"Family": names.DB_SETTINGS, "Key": key, "Val": value})


async def pending_objections(client: AmiClient, clock: Clock) -> list[PbxObjection]:
    try:
        _, entries = await client.event_list("DBGetTree", {"Family": names.DB_OBJECTIONS})
    except AmiError as exc:  # an empty family answers with an error
        log.debug("no objection kept by the PBX: %s", exc)
        return []
    return [_objection(e.get("Key", ""), e.get("Val", ""), clock) for e in entries if e.get("Key")]


async def forget_objection(client: AmiClient, call_id: str) -> None:
    await client.action("DBDel", {"Family": names.DB_OBJECTIONS, "Key": call_id}, check=False)


def _objection(key: str, value: str, clock: Clock) -> PbxObjection:
    call_id = key.rsplit("/", 1)[-1]
    try:
        at = datetime.fromtimestamp(float(value), UTC)
    except ValueError:  # unreadable time: the objection still counts, from now
        at = clock()
    return PbxObjection(call_id, at)
