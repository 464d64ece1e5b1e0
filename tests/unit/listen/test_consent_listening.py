"""Live listening follows the call's consent: the machine alone says whether a supervisor may
listen, and ends every spy the moment that stops being so. Pure, without Asterisk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ivr.consent import inputs as i
from ivr.consent.commands import Command, EndSpies, Log
from ivr.consent.listening import refusal
from ivr.consent.machine import Consent, handle
from ivr.names import EventKind, Mode, Prompt, Refusal, Source

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
CALL = "1795462485.7"
AGENT = "PJSIP/carrier-0000002a"
SPY = "PJSIP/supervisor-0000002c"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def decided(mode: Mode = Mode.NOTICE, *, record: bool = True, eligible: bool = True) -> i.Decided:
    why = "sampled" if record else "not sampled"
    return i.Decided(
        at(0), "fr", "fr", mode, record, Prompt.NOTICE_SHORT, "default", why, "team-a", eligible
    )


def run(*events: i.Input) -> tuple[Consent, list[Command]]:
    consent = Consent(call_id=CALL, object_key="9")
    everything: list[Command] = []
    for event in events:
        consent, commands = handle(consent, event)
        everything += commands
    return consent, everything


def talking(first: i.Decided | None = None) -> tuple[i.Input, ...]:
    return (
        first or decided(),
        i.NoticeStarted(at(0.1), "fr", "fr"),
        i.NoticeDone(at(5)),
        i.Bridged(at(6)),
        i.AgentJoined(at(6), AGENT),
    )


def spying(first: i.Decided | None = None) -> tuple[i.Input, ...]:
    return (*talking(first), i.SpyStarted(at(10), SPY, "Claire"))


def ended_spies(commands: list[Command]) -> list[tuple[str, ...]]:
    return [c.channels for c in commands if isinstance(c, EndSpies)]


def test_a_consented_call_may_be_listened_to_and_remembers_its_spy() -> None:
    consent, commands = run(*spying())
    assert refusal(consent) is None
    assert [spy.channel for spy in consent.spies] == [SPY]
    assert ended_spies(commands) == []


def test_a_call_the_draw_left_out_may_still_be_listened_to() -> None:
    consent, _ = run(*talking(decided(record=False, eligible=True)))
    assert refusal(consent) is None


def test_a_call_outside_the_periods_or_private_by_prefix_is_never_listened_to() -> None:
    consent, _ = run(*talking(decided(record=False, eligible=False)))
    assert refusal(consent) is Refusal.NOT_RECORDABLE


def test_nobody_listens_before_the_notice_was_heard_to_its_end() -> None:
    consent, _ = run(decided(), i.NoticeStarted(at(0.1), "fr", "fr"))
    assert refusal(consent) is Refusal.NOT_RECORDABLE
    consent, _ = run(decided(), i.NoticeStarted(at(0.1), "fr", "fr"), i.NoticeIncomplete(at(3)))
    assert refusal(consent) is Refusal.NOT_RECORDABLE


def test_under_opt_in_only_a_caller_who_accepted_may_be_listened_to() -> None:
    silent = (decided(Mode.OPT_IN), i.NoticeStarted(at(0.1), "fr", "fr"), i.NoticeDone(at(5)))
    assert refusal(run(*silent)[0]) is Refusal.NOT_RECORDABLE
    accepted = (decided(Mode.OPT_IN), i.OptedIn(at(3)), i.NoticeDone(at(5)))
    assert refusal(run(*accepted)[0]) is None


def test_a_call_whose_keys_went_unheard_is_never_listened_to() -> None:
    consent, _ = run(decided(), i.NoticeDone(at(5)), i.Unheard(at(6), "link down"))
    assert refusal(consent) is Refusal.NOT_RECORDABLE


def test_the_objection_key_ends_every_spy_at_once_and_for_good() -> None:
    consent, _ = run(*spying())
    consent, commands = handle(consent, i.KeyPressed(at(20), "9"))
    assert commands[0] == EndSpies((SPY,)), "the spies go first, before the recording's stop"
    assert consent.spies == ()
    assert refusal(consent) is Refusal.OBJECTED


def test_an_objection_from_any_path_ends_the_spies() -> None:
    for source in (Source.PBX_FEATURE, Source.SERVICE, Source.DIALPLAN):
        consent, commands = run(*spying(), i.Objected(at(20), source))
        assert ended_spies(commands) == [(SPY,)], source
        assert refusal(consent) is Refusal.OBJECTED


def test_the_agents_private_key_ends_the_spies() -> None:
    consent, commands = run(*spying(), i.AgentPrivate(at(20), "PJSIP/carrier"))
    assert ended_spies(commands) == [(SPY,)]
    assert refusal(consent) is Refusal.PRIVATE


def test_a_payment_step_ends_the_spies_and_refuses_until_it_ends() -> None:
    consent, commands = run(*spying(), i.PaymentStarted(at(20)))
    assert ended_spies(commands) == [(SPY,)]
    assert refusal(consent) is Refusal.PAYMENT
    consent, _ = handle(consent, i.PaymentEnded(at(30)))
    assert refusal(consent) is None


def test_a_spy_that_starts_after_the_objection_is_ended_at_once() -> None:
    consent, commands = run(*talking(), i.KeyPressed(at(20), "9"), i.SpyStarted(at(21), SPY, "C"))
    assert ended_spies(commands) == [(SPY,)]
    assert consent.spies == ()


def test_a_spy_who_left_is_not_hung_up_again() -> None:
    _consent, commands = run(*spying(), i.SpyEnded(at(15), SPY), i.KeyPressed(at(20), "9"))
    assert ended_spies(commands) == []


def test_a_call_that_ended_is_no_call_to_listen_to() -> None:
    consent, _ = run(*talking(), i.HungUp(at(30)))
    assert refusal(consent) is Refusal.NO_CALL


def listened(commands: list[Command]) -> list[dict[str, str]]:
    return [c.detail for c in commands if isinstance(c, Log) and c.kind is EventKind.LISTENED]


def test_the_calls_ledger_says_who_listened_from_when_to_when_and_how_it_ended() -> None:
    _, commands = run(*spying(), i.SpyEnded(at(15), SPY))
    assert listened(commands) == [
        {"by": "Claire", "from": at(10).isoformat(), "to": at(15).isoformat(), "ended": "left"}
    ]
    _, commands = run(*spying(), i.KeyPressed(at(20), "9"), i.SpyEnded(at(20.3), SPY))
    assert [row["ended"] for row in listened(commands)] == ["objected"], "one row, not two"
    _, commands = run(*spying(), i.HungUp(at(30)))
    assert [row["to"] for row in listened(commands)] == [at(30).isoformat()]
    assert ended_spies(commands) == [], "at the call's end the PBX hangs the spies up itself"
