"""The spies the PBX runs, read back after the service was away (a restart, a cut link).

The dialplan notes each spy in AstDB once the service allowed it and the PBX's own objection
check passed: ``ivr-listen/<call id>/<spy's unique id>`` = the spy's channel. Matched with the
PBX's live channels (the Status listing the rebuild reads anyway), they say which supervisor
listens to which call now.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from ivr import names
from ivr.ami import AmiActionError, AmiClient
from ivr.service.pbx_memory import PERMISSION_DENIED

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotedSpy:
    """An AstDB entry: the PBX let this channel (by unique id) spy on this call."""

    call_id: str
    unique_id: str


@dataclass(frozen=True)
class LiveSpy:
    """A noted spy whose channel is still up."""

    call_id: str
    unique_id: str
    channel: str
    agent: str  # the agent the supervisor asked for (IVR_LISTEN_TO)


def noted_key(key: str) -> NotedSpy | None:
    """``/ivr-listen/<call id>/<unique id>`` (as DBGetTree lists it) → the spy it notes."""
    parts = key.strip("/").split("/")
    if len(parts) != 3 or parts[0] != names.DB_LISTENERS or not all(parts):
        return None
    return NotedSpy(parts[1], parts[2])


async def noted_spies(client: AmiClient) -> list[NotedSpy]:
    """A link lost meanwhile raises (`AmiError`): the rebuild is then tried again, rather than
    taking every spy for gone."""
    try:
        _, entries = await client.event_list("DBGetTree", {"Family": names.DB_LISTENERS})
    except AmiActionError as exc:
        if exc.message == PERMISSION_DENIED:
            return await _listed(client)
        return []  # an empty family answers with an error: nobody listens
    found = (noted_key(entry.get("Key", "")) for entry in entries)
    return [spy for spy in found if spy is not None]


async def _listed(client: AmiClient) -> list[NotedSpy]:
    """Without `system`, AstDB's keys can still be listed (DB_KEYS), one level at a time."""
    noted = []
    for call_id in await _keys(client, names.DB_LISTENERS):
        family = f"{names.DB_LISTENERS}/{call_id}"
        noted += [NotedSpy(call_id, unique_id) for unique_id in await _keys(client, family)]
    return noted


async def _keys(client: AmiClient, family: str) -> list[str]:
    try:
        reply = await client.action("Getvar", {"Variable": f"DB_KEYS({family})"})
    except AmiActionError as exc:  # refused: the spies stay unknown, as before the restart
        log.warning("spies noted by the PBX not listed (%s): %s", family, exc)
        return []
    return [key for key in (reply.get("Value") or "").split(",") if key]


def live_spies(
    noted: list[NotedSpy], up: Mapping[str, tuple[str, str]]
) -> tuple[list[LiveSpy], list[NotedSpy]]:
    """The noted spies whose channel is ``up`` (by unique id: its name and IVR_LISTEN_TO), and
    those whose channel is gone (entries its hang-up handler never removed)."""
    live, gone = [], []
    for spy in noted:
        if spy.unique_id not in up:
            gone.append(spy)
            continue
        channel, agent = up[spy.unique_id]
        live.append(LiveSpy(spy.call_id, spy.unique_id, channel, agent))
    return live, gone
