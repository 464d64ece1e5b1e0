"""What the rebuild learns of a live call beyond its caller's channel: the agents in its bridge
(whose keys, the private one included, count again) and the supervisors listening to it.

Both come from the Status listing the rebuild reads anyway, the spies with AstDB's notes
(`ivr.listen.found`). The facts go to the call's machine through `ivr.consent.reconcile`;
nothing here decides what becomes of them, except for a spy of a call that is gone: with no
call, nobody may listen (as `ivr.listen.decide` answers an ask), so it is hung up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ivr import names
from ivr.ami import AmiClient, Message
from ivr.consent import inputs as i
from ivr.listen.found import live_spies, noted_spies
from ivr.listen.service import Listening
from ivr.service.bridges import Bridges

log = logging.getLogger(__name__)


def restore_agents(
    bridges: Bridges, call_id: str, bridge: str, channels: list[Message]
) -> tuple[str, ...]:
    """The channels sharing the caller's bridge: agents again for their keys; their names."""
    if not bridge:
        return ()
    members = [c for c in channels if c.get("BridgeID") == bridge]
    caller = next((c for c in members if c.get("Uniqueid") == call_id), None)
    if caller is None:
        return ()
    bridges.entered(_entered(bridge, caller), call_id)
    agents = [c for c in members if c is not caller]
    for agent in agents:
        bridges.entered(_entered(bridge, agent), None)
    return tuple(agent.get("Channel", "") for agent in agents)


def _entered(bridge: str, channel: Message) -> Message:
    """The BridgeEnter the PBX sent while the service was away, as `Bridges` reads it."""
    return Message(
        [
            ("Event", "BridgeEnter"),
            ("BridgeUniqueid", bridge),
            ("Uniqueid", channel.get("Uniqueid", "")),
            ("Channel", channel.get("Channel", "")),
        ]
    )


async def readopt_spies(
    client: AmiClient,
    up: Mapping[str, tuple[str, str]],
    live_calls: set[str],
    listening: Listening,
) -> Mapping[str, list[i.SeenSpy]]:
    """The spies of each live call, from the channels ``up`` (by unique id: the channel's name
    and its IVR_LISTEN_TO); a spy of a call gone is hung up, a note left by a spy gone is
    removed."""
    spies, gone = live_spies(await noted_spies(client), up)
    seen = listening.readopt(spies, live_calls)
    for spy in spies:
        if spy.call_id not in live_calls:
            log.info("live listen on call %s, gone: spy %s hung up", spy.call_id, spy.channel)
            await client.action("Hangup", {"Channel": spy.channel}, check=False)
    for note in gone:
        key = {"Family": names.DB_LISTENERS, "Key": f"{note.call_id}/{note.unique_id}"}
        await client.action("DBDel", key, check=False)
    return seen
