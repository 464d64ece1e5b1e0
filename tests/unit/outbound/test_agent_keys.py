"""The agent's refusal key: the sequence on an allowed call, within the key timeout (5)."""

from ivr.outbound.agent_keys import AgentRefusalKeys


def keys() -> AgentRefusalKeys:
    typed = AgentRefusalKeys("*8", timeout=2.0)
    typed.allowed("PJSIP/agent-1", "0612345678", "c")
    return typed


def test_the_sequence_on_an_allowed_call_names_it() -> None:
    typed = keys()
    assert typed.key("PJSIP/agent-1", "*", 10.0) is None
    assert typed.key("PJSIP/agent-1", "8", 11.0) == ("0612345678", "c")


def test_keys_too_far_apart_do_not_count() -> None:
    typed = keys()
    typed.key("PJSIP/agent-1", "*", 10.0)
    assert typed.key("PJSIP/agent-1", "8", 12.5) is None


def test_other_channels_and_ended_calls_are_ignored() -> None:
    typed = keys()
    typed.key("PJSIP/agent-2", "*", 10.0)
    assert typed.key("PJSIP/agent-2", "8", 10.1) is None
    typed.ended("PJSIP/agent-1")
    typed.key("PJSIP/agent-1", "*", 10.0)
    assert typed.key("PJSIP/agent-1", "8", 10.1) is None


def test_an_empty_sequence_disables_the_key() -> None:
    typed = AgentRefusalKeys("", timeout=2.0)
    typed.allowed("PJSIP/agent-1", "0612345678", "c")
    assert typed.key("PJSIP/agent-1", "*", 10.0) is None
