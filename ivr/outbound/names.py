"""Names shared by the outbound guard and dialplan/ivr-outbound.conf, defined once."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ivr.outbound.rules import Rule

CONTEXT = "ivr-outbound"  # Gosub(ivr-outbound,s,1(${EXTEN},CAMPAIGN[,PROFILE]))
CALLEE_CONTEXT = "ivr-outbound-callee"  # Dial(…,U(ivr-outbound-callee^NUMBER^CAMPAIGN))
EVENT = "IvrOutbound"  # UserEvent: Step: guard, Number, Campaign, Profile, Presentation
# The service's answer on the agent's channel: "allowed", or "refused:<rule>:<prompt>".
VAR_VERDICT = "IVR_OUTBOUND"
ALLOWED = "allowed"
# AstDB: what the dialplan needs when the service is away (written at each connection).
DB_FAMILY = "ivr-outbound"
DB_FAIL_OPEN = "fail-open"  # "1": an unanswered guard lets the call through, logged
DB_LANGUAGE = "language"  # the language of the agents' refusal prompts
DB_KEY_STOP = "key-stop"  # the called party's "stop calling me" key
# Kept by the PBX until the service has stored them; key: channel uniqueid,
# value: "<epoch> <number> <campaign>" (a stop adds " <source>": opening or in-call).
DB_UNGUARDED = "ivr-outbound-unguarded"  # calls placed while the guard was away (fail-open)
DB_STOPS = "ivr-outbound-stop"  # "stop calling me" keys pressed by called parties
# Values of the UserEvent's Step header.
STEP_GUARD = "guard"  # the agent's channel asks before dialling
STEP_OPENING = "opening"  # the called party answered: the opening plays
STEP_STOP = "stop"  # the called party pressed the stop key
# The stop's Source header (and 4th AstDB field): who asked, and at which moment of the call.
STOP_WHO: Mapping[str, str] = MappingProxyType(
    {
        "opening": "called party, stop key during the opening",
        "in-call": "called party, stop key during the conversation",
        "agent": "agent, refusal said aloud (agent's key)",
    }
)
STOP_FEATURE = "ivr-stop-"  # ivr-features.conf: ivr-stop-<key>, on the called party's channel
# ivr-features.conf: ivr-refusal-<key spelt>, on the agent's channel, for the two-key agent
# refusal sequences it ships (*0-*9, #0-#9); AstDB names the one to enable ("": none).
DB_AGENT_FEATURE = "feature-agent-refusal"
REFUSAL_RECORDED = "refusal-recorded"  # the agent's confirmation prompt


def agent_refusal_feature(sequence: str) -> str:
    """The in-call feature ivr-features.conf ships for ``sequence``, or "" if none."""
    if len(sequence) != 2 or sequence[0] not in "*#" or not sequence[1].isdigit():
        return ""
    return f"ivr-refusal-{'star' if sequence[0] == '*' else 'hash'}{sequence[1]}"


PROMPT_FOLDER = "ivr-outbound"  # sounds/<lang>/ivr-outbound/<prompt>.wav

# The agent's prompt for each refusal: several rules share a reason said aloud.
PROMPTS: Mapping[Rule, str] = MappingProxyType(
    {
        Rule.CALLER_ID: "refused-caller-id",
        Rule.OPPOSITION: "refused-opposition",
        Rule.REST: "refused-opposition",
        Rule.LIST_STALE: "refused-list-stale",
        Rule.CONSENT: "refused-consent",
        Rule.WINDOW: "refused-hours",
        Rule.CAP: "refused-attempts",
        Rule.NUMBER: "refused-invalid",
        Rule.CAMPAIGN: "refused-invalid",
        Rule.UNAVAILABLE: "refused-unavailable",
    }
)


def verdict(rule: Rule | None) -> str:
    """IVR_OUTBOUND's value for a decision."""
    return ALLOWED if rule is None else f"refused:{rule.value}:{PROMPTS[rule]}"
