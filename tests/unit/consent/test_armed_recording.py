"""The recording armed by the dialplan at the end of the notice (MixMonitor's `b` option, no
AMI class `system`): the machine alone gives the go, and disarms what must not be recorded."""

from __future__ import annotations

from ivr.consent import inputs as i
from ivr.consent.commands import ArmRecording, DeleteRecording, StartRecording, StopRecording
from ivr.consent.machine import UNBRIDGED, UNHEARD, Consent, Phase, handle
from ivr.consent.restore import adopt
from ivr.names import DecisionValue, Mode, Step
from tests.unit.consent.test_machine import FILE, HEARD, at, of_type, run


def test_the_go_is_given_only_once_the_notice_was_heard_to_its_end() -> None:
    _, before = run(i.NoticeStarted(at(0), "fr", "fr"))
    assert of_type(before, ArmRecording) == []
    consent, after = run(*HEARD)
    assert of_type(after, ArmRecording) == [ArmRecording(FILE)]
    assert consent.phase is Phase.AWAITING_BRIDGE


def test_no_go_for_a_call_not_to_be_recorded_or_not_accepted() -> None:
    unrecorded = Consent(call_id="1795462485.7", object_key="9", record=False)
    opt_in = Consent(call_id="1795462485.7", object_key="9", record=True, mode=Mode.OPT_IN)
    for consent in (unrecorded, opt_in):
        for event in HEARD:
            consent, commands = handle(consent, event)
            assert of_type(commands, ArmRecording) == []


def test_the_bridge_starts_what_was_armed() -> None:
    _, commands = run(*HEARD, i.Bridged(at(15)))
    assert of_type(commands, StartRecording) == [StartRecording(FILE)]


ARMED = (*HEARD, i.RecordingArmed(at(12.1)))


def test_without_the_dialplan_arming_nothing_is_stopped_before_the_bridge() -> None:
    """An account that may start MixMonitor over AMI: the go is "no", nothing to undo."""
    _, commands = run(*HEARD, i.KeyPressed(at(14), "9"), i.HungUp(at(20)))
    assert of_type(commands, StopRecording) == []
    assert of_type(commands, DeleteRecording) == []


def test_an_armed_call_waiting_unheard_is_stopped_and_its_file_deleted() -> None:
    consent, commands = run(*ARMED, i.Unheard(at(13), "link down"), i.Bridged(at(15)))
    assert of_type(commands, StopRecording) == [StopRecording()]
    assert of_type(commands, DeleteRecording) == [DeleteRecording(FILE, UNHEARD)]
    assert of_type(commands, StartRecording) == []
    assert consent.phase is Phase.UNRECORDED


def test_an_objection_before_the_bridge_stops_the_armed_recording() -> None:
    consent, commands = run(*ARMED, i.KeyPressed(at(14), "9"), i.Bridged(at(15)))
    assert of_type(commands, StopRecording) == [StopRecording()]
    assert len(of_type(commands, DeleteRecording)) == 1
    assert of_type(commands, StartRecording) == []
    assert consent.phase is Phase.OBJECTED


def test_a_caller_hanging_up_before_the_bridge_leaves_no_armed_file() -> None:
    _, commands = run(*ARMED, i.HungUp(at(20)))
    assert of_type(commands, DeleteRecording) == [DeleteRecording(FILE, UNBRIDGED)]


def test_a_go_overtaken_by_an_objection_is_undone_at_once() -> None:
    _, commands = run(*HEARD, i.KeyPressed(at(12.05), "9"), i.RecordingArmed(at(12.1)))
    assert of_type(commands, StopRecording) == [StopRecording()]
    assert of_type(commands, DeleteRecording)[-1] == DeleteRecording(FILE)


def test_a_restarted_service_disarms_a_recording_it_never_saw_start() -> None:
    """Armed, then the service went away: the caller's keys while the agent's phone rang were
    heard by nobody, so what the armed monitor wrote since the bridge is not kept."""
    decided = DecisionValue("fr", "fr", Mode.NOTICE, True, "notice-short").encode()
    for decision in (decided, ""):
        seen = i.Seen(
            Step.NOTICE_DONE, None, False, False, True, live=True, decision=decision, armed=True
        )
        fresh = Consent(call_id="1795462485.7", object_key="9")
        consent, adopted = adopt(fresh, i.Adopted(at(30), seen))
        consent, commands = handle(consent, i.Unheard(at(30), "away"))
        deleted = of_type(adopted + commands, DeleteRecording)
        assert deleted == [DeleteRecording(FILE, UNHEARD)], decision
        assert of_type(adopted + commands, StopRecording) == [StopRecording()]
        assert consent.phase is Phase.UNRECORDED
