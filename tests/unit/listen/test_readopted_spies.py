"""Spies running across a restart or a cut link: the PBX's facts (AstDB's note, the live
channels) become the machine's inputs through the one reconciliation, and the machine keeps
each spy to end it as it would have, or ends it at once. Pure, without Asterisk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from ivr.consent import inputs as i
from ivr.consent.commands import Command, EndSpies, Log
from ivr.consent.listening import refusal
from ivr.consent.machine import Consent, Phase, handle
from ivr.consent.reconcile import reconcile
from ivr.listen.found import LiveSpy, NotedSpy, live_spies, noted_key
from ivr.names import EventKind, Refusal
from tests.unit.consent.test_restore import LIVE

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
CALL = "1795462485.7"
AGENT = "PJSIP/carrier-0000002a"
SPY = i.SeenSpy("PJSIP/sup-claire-0000002c", "Claire")
# A recorded call in its conversation, with its agent and a supervisor listening.
RECORDED = replace(
    LIVE, step="notice-done", recording=True, bridged=True, agents=(AGENT,), spies=(SPY,)
)


def rebuilt(seen: i.Seen, consent: Consent | None = None) -> tuple[Consent, list[Command]]:
    """As the service does: the call's machine (a fresh one unless given) fed the inputs."""
    tracked = consent is not None
    consent = consent or Consent(CALL, "9")
    everything: list[Command] = []
    for happened in reconcile(seen, tracked=tracked, at=T0):
        consent, commands = handle(consent, happened)
        everything += commands
    return consent, everything


def ended(commands: list[Command]) -> list[str]:
    return [channel for c in commands if isinstance(c, EndSpies) for channel in c.channels]


def test_a_spy_running_over_a_restart_is_kept_and_the_agents_private_key_ends_it() -> None:
    consent, commands = rebuilt(RECORDED)
    assert [s.channel for s in consent.spies] == [SPY.channel]
    assert ended(commands) == []
    assert consent.agents == (AGENT,)  # their keys count again
    consent, commands = handle(consent, i.AgentPrivate(T0, "carrier"))
    assert ended(commands) == [SPY.channel]
    listened = [c for c in commands if isinstance(c, Log) and c.kind is EventKind.LISTENED]
    assert [row.detail.get("ended") for row in listened] == ["private"]
    assert consent.phase is Phase.PRIVATE


def test_a_spy_of_a_call_that_objected_or_pays_now_is_ended_at_once() -> None:
    for seen in (
        replace(RECORDED, objected_at=T0, objection_logged=True),
        replace(RECORDED, paying=True),
    ):
        consent, commands = rebuilt(seen)
        assert ended(commands) == [SPY.channel]
        assert consent.spies == ()


def test_a_spy_of_a_call_that_went_private_before_the_cut_is_ended_by_the_tracked_machine() -> None:
    private, _ = rebuilt(replace(RECORDED, spies=()))
    private, _ = handle(private, i.AgentPrivate(T0, "carrier"))
    consent, commands = rebuilt(RECORDED, private)
    assert ended(commands) == [SPY.channel]
    assert consent.spies == ()


def test_a_spy_the_tracked_machine_already_knows_is_not_taken_twice() -> None:
    consent, _ = rebuilt(RECORDED)
    consent, commands = rebuilt(RECORDED, consent)
    assert (ended(commands), len(consent.spies)) == ([], 1)


def test_a_call_gone_feeds_no_spy_to_its_machine() -> None:
    inputs = reconcile(replace(RECORDED, live=False), tracked=False, at=T0)
    assert not [x for x in inputs if isinstance(x, i.SpyStarted)]


def test_a_call_the_draw_left_out_stays_listenable_only_if_a_spy_proves_it_was() -> None:
    sampled_out = replace(RECORDED, recording=False, decision="fr:fr:notice:0:notice-short")
    consent, commands = rebuilt(sampled_out)
    assert (refusal(consent), ended(commands)) == (None, [])
    consent, _ = rebuilt(replace(sampled_out, spies=()))
    assert refusal(consent) is Refusal.NOT_RECORDABLE


def test_a_call_whose_notice_was_not_heard_ends_the_spy_fail_closed() -> None:
    consent, commands = rebuilt(replace(RECORDED, step="notice-incomplete", recording=False))
    assert (ended(commands), consent.spies) == ([SPY.channel], ())


def test_astdb_keys_name_the_call_and_the_spy_and_gone_channels_are_told_apart() -> None:
    assert noted_key("/ivr-listen/1795462485.7/1795462490.12") == NotedSpy(CALL, "1795462490.12")
    assert noted_key("/ivr-listen/1795462485.7") is None
    assert noted_key("/ivr-objection/1795462485.7/x") is None
    noted = [NotedSpy(CALL, "1.12"), NotedSpy(CALL, "1.13")]
    live, gone = live_spies(noted, {"1.12": (SPY.channel, "agent")})
    assert live == [LiveSpy(CALL, "1.12", SPY.channel, "agent")]
    assert gone == [NotedSpy(CALL, "1.13")]
