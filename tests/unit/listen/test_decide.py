"""Who may listen to whom: the supervisor from their endpoint, the agent's group, and the
call's consent; and the answer the dialplan reads. Pure."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest

from ivr.config.listening import ListeningSettings, Supervisor
from ivr.consent.machine import Consent, Phase
from ivr.listen.decide import QUIET, AgentCall, decide
from ivr.listen.service import agent_of, endpoint_of
from ivr.names import ListenAnswer, Refusal

CLAIRE = Supervisor("sup-claire", "Claire Martin", "quality", ("team-a",))
ANY = Supervisor("sup-boss", "Boss", "head", ("*",), barge=True)
SETTINGS = ListeningSettings(MappingProxyType({"sup-claire": CLAIRE, "sup-boss": ANY}))
AGENT = "PJSIP/1001-0000002a"
LISTENABLE = Consent("1795462485.7", "9", phase=Phase.RECORDING, listenable=True, group="team-a")


def call(consent: Consent = LISTENABLE) -> AgentCall:
    return AgentCall(consent, AGENT)


def test_a_supervisor_allowed_for_the_group_gets_a_quiet_spy_on_the_agents_channel() -> None:
    answer = decide(SETTINGS, "sup-claire", [call()]).answer()
    assert answer == ListenAnswer(None, "1795462485.7", AGENT, QUIET, tone=True)
    assert answer.encode() == f"allowed:1795462485.7:{AGENT}:qES:1"


def test_whisper_or_barge_only_where_the_configuration_allows() -> None:
    assert decide(SETTINGS, "sup-boss", [call()]).answer().options == QUIET + "B"


def test_an_unknown_endpoint_is_refused_even_for_a_listenable_call() -> None:
    verdict = decide(SETTINGS, "carrier", [call()])
    assert verdict.refused is Refusal.UNKNOWN_SUPERVISOR


def test_a_supervisor_of_another_group_is_refused() -> None:
    other = replace(LISTENABLE, group="team-b")
    assert decide(SETTINGS, "sup-claire", [call(other)]).refused is Refusal.NOT_ALLOWED
    assert decide(SETTINGS, "sup-boss", [call(other)]).refused is None


def test_an_agent_in_no_call_is_refused() -> None:
    assert decide(SETTINGS, "sup-claire", []).refused is Refusal.NO_CALL
    ended = replace(LISTENABLE, phase=Phase.ENDED)
    assert decide(SETTINGS, "sup-claire", [call(ended)]).refused is Refusal.NO_CALL


@pytest.mark.parametrize(
    ("consent", "reason"),
    [
        (replace(LISTENABLE, phase=Phase.OBJECTED), Refusal.OBJECTED),
        (replace(LISTENABLE, phase=Phase.PRIVATE), Refusal.PRIVATE),
        (replace(LISTENABLE, paused=frozenset({"payment"})), Refusal.PAYMENT),
        (replace(LISTENABLE, listenable=False), Refusal.NOT_RECORDABLE),
    ],
)
def test_the_calls_consent_refuses(consent: Consent, reason: Refusal) -> None:
    answer = decide(SETTINGS, "sup-claire", [call(consent)]).answer()
    assert answer.encode() == f"refused:{reason}"


def test_the_latest_live_call_of_the_agent_counts() -> None:
    ended = replace(LISTENABLE, call_id="1.1", phase=Phase.CLOSING)
    verdict = decide(SETTINGS, "sup-claire", [call(ended), call()])
    assert verdict.call is not None
    assert verdict.call.consent.call_id == LISTENABLE.call_id


def test_the_answer_round_trips_and_refuses_malformed_values() -> None:
    for answer in (ListenAnswer(Refusal.PAYMENT), ListenAnswer(None, "1.2", AGENT, "qES", True)):
        assert ListenAnswer.decode(answer.encode()) == answer
    for bad in ("", "allowed", "allowed:1.2", "refused:maybe", "allowed:1.2:x:qES:2"):
        assert ListenAnswer.decode(bad) is None, bad
    with pytest.raises(ValueError, match="':'"):
        ListenAnswer(None, "1.2", "Local/x:y", "qES").encode()


def test_supervisors_and_agents_are_named_by_the_pbx() -> None:
    assert endpoint_of("PJSIP/sup-claire-0000002a") == "sup-claire"
    assert agent_of("agent@carrier") == "agent"
    assert agent_of("PJSIP/1001") == "1001"
