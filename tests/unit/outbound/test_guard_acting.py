"""Where the guard writes its verdict: on the acting session chosen when a guard step arrives,
never on the listening one; and the choice is not made for the link's other events (it was
made on every one of them, ~30 a call: benchmarks/README.md, §7's sixth pass)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ivr.ami import Message
from ivr.outbound.config import OutboundSettings
from ivr.outbound.guard import OutboundGuard
from ivr.outbound.profiles import SHIPPED, Campaign
from ivr.outbound.service import Outbound
from ivr.outbound.store import SqliteOutboundStore

SUNDAY = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)


class Session:
    """An AMI session that records the actions written on it."""

    def __init__(self) -> None:
        self.actions: list[str] = []

    async def action(self, name: str, fields: dict[str, str], **_: Any) -> Message:
        self.actions.append(name)
        return Message({"Response": "Success"})


def guard_acting_on(tmp_path: Path, acting: Session, chosen: list[int]) -> OutboundGuard:
    campaign = Campaign("c", SHIPPED["fr"], "Acme", "", ("bloctel", "internal"))
    settings = OutboundSettings(store=tmp_path / "o.sqlite3", campaigns={"c": campaign})
    outbound = Outbound(settings, SqliteOutboundStore(settings.store))

    def choose() -> Any:
        chosen.append(1)
        return acting

    return OutboundGuard(outbound, "fr", 2.0, clock=lambda: SUNDAY, acting=choose)


async def test_the_verdict_is_written_on_the_acting_session_chosen_for_the_guard_step(
    tmp_path: Path,
) -> None:
    listener, acting = Session(), Session()
    chosen: list[int] = []
    guard = guard_acting_on(tmp_path, acting, chosen)
    for name in ("Newchannel", "BridgeEnter", "Hangup", "VarSet"):
        guard.on_event(listener, Message({"Event": name, "Channel": "PJSIP/agent-1"}))  # type: ignore[arg-type]
    assert chosen == []  # no session chosen for events the guard does not act on
    step = {"Event": "UserEvent", "UserEvent": "IvrOutbound", "Step": "guard",
            "Channel": "PJSIP/agent-1", "CallerIdNum": "0140000000",
            "Presentation": "allowed", "Number": "0612345678", "Campaign": "c"}  # fmt: skip
    guard.on_event(listener, Message(step))  # type: ignore[arg-type]
    await asyncio.wait_for(asyncio.gather(*guard.pending), timeout=10)
    assert chosen == [1]
    assert acting.actions == ["Setvar"]
    assert listener.actions == []
