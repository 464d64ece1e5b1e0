"""The service's side of the handshake, without a PBX: an IvrOutbound event in, one Setvar
out on the agent's channel naming the verdict (issue 19 §1)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ivr.ami import Message
from ivr.outbound import names
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


async def test_a_stop_the_pbx_kept_mid_call_is_stored_with_who_and_when(tmp_path: Path) -> None:
    """The service was away when the called party pressed the stop key in the conversation:
    the PBX's AstDB copy is stored (internal list, refusal with its moment) and forgotten."""
    pbx, guarded = Pbx(), guard(tmp_path)
    pressed = datetime(2026, 3, 2, 11, 0, 5, tzinfo=UTC)
    value = f"{pressed.timestamp():.0f} +33612345678 c in-call"
    await guarded._forget_after(pbx, "ivr-outbound-stop", "1.2", value, guarded._stop)  # type: ignore[arg-type]
    store = guarded.outbound.store
    with closing(sqlite3.connect(tmp_path / "o.sqlite3")) as db:
        rows = db.execute("SELECT at, who FROM outbound_refusals").fetchall()
    assert rows == [(pressed.timestamp(), "called party, stop key during the conversation")]
    assert store.facts(store_campaign(guarded), "+33612345678", SUNDAY, True).opposed_on == (
        "internal",
    )
    assert pbx.actions == [("DBDel", {"Family": "ivr-outbound-stop", "Key": "1.2"})]


def store_campaign(guarded: OutboundGuard) -> Campaign:
    return guarded.outbound.settings.campaigns["c"]


def test_the_pbx_feature_handles_the_shipped_agent_sequences_only() -> None:
    assert names.agent_refusal_feature("*8") == "ivr-refusal-star8"
    assert names.agent_refusal_feature("#0") == "ivr-refusal-hash0"
    for unshipped in ("8", "*88", "**", "8*"):
        assert names.agent_refusal_feature(unshipped) == ""


def test_a_sequence_the_pbx_handles_is_not_also_heard_by_the_service(tmp_path: Path) -> None:
    guarded = guard(tmp_path)
    guarded.agent_keys.allowed("PJSIP/agent-1", "+33612345678", "c")
    assert guarded.agent_feature == "ivr-refusal-star8"
    assert [guarded.agent_keys.key("PJSIP/agent-1", d, 0.0) for d in "*8"] == [None, None]


def test_every_shipped_agent_feature_is_in_ivr_features_conf() -> None:
    conf = (Path(__file__).parents[3] / "dialplan" / "ivr-features.conf").read_text()
    for sequence in [f"{c}{d}" for c in "*#" for d in "0123456789"]:
        feature = names.agent_refusal_feature(sequence)
        assert f"{feature} => {sequence},self,Gosub(ivr-outbound-refusal,s,1)" in conf
