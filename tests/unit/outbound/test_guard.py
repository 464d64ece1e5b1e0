"""The service's side of the handshake, without a PBX: an IvrOutbound event in, one Setvar
out on the agent's channel naming the verdict (issue 19 §1)."""

from __future__ import annotations

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


class Pbx:
    """Records the actions the guard sends."""

    def __init__(self) -> None:
        self.actions: list[tuple[str, dict[str, str]]] = []

    async def action(self, name: str, fields: dict[str, str], **_: Any) -> Message:
        self.actions.append((name, fields))
        return Message({"Response": "Success"})


def guard(tmp_path: Path) -> OutboundGuard:
    campaign = Campaign("c", SHIPPED["fr"], "Acme", "", ("bloctel", "internal"))
    settings = OutboundSettings(store=tmp_path / "o.sqlite3", campaigns={"c": campaign})
    store = SqliteOutboundStore(settings.store)
    return OutboundGuard(Outbound(settings, store), "fr", 2.0, clock=lambda: SUNDAY)


def event(**headers: str) -> Message:
    return Message({"Event": "UserEvent", "UserEvent": "IvrOutbound", "Step": "guard",
                    "Channel": "PJSIP/agent-1", "CallerIdNum": "0140000000",
                    "Presentation": "allowed", **headers})  # fmt: skip


async def test_a_refusal_is_set_on_the_agents_channel_with_rule_and_prompt(tmp_path: Path) -> None:
    pbx = Pbx()
    await guard(tmp_path).answer(pbx, event(Number="0612345678", Campaign="c"))  # type: ignore[arg-type]
    assert pbx.actions == [
        (
            "Setvar",
            {
                "Channel": "PJSIP/agent-1",
                "Variable": "IVR_OUTBOUND",
                "Value": "refused:list-stale:refused-list-stale",
            },
        )
    ]


async def test_an_unknown_campaign_is_refused_and_logged(tmp_path: Path) -> None:
    pbx, guarded = Pbx(), guard(tmp_path)
    await guarded.answer(pbx, event(Number="0612345678", Campaign="x"))  # type: ignore[arg-type]
    assert pbx.actions[0][1]["Value"] == "refused:campaign:refused-invalid"
    assert guarded.outbound.store.decisions("0612345678")[0][3] == "campaign"
