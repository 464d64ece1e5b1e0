"""Which profile (jurisdiction) applies to a call, and why. Pure.

Order: the profile the dialplan asked for, if enabled; else the first matching rule of
`[[consent.rules]]`; else the default profile. The reason is one sentence for the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.config.model import ConsentSettings
from ivr.config.rules import US, ProfileRule
from ivr.policy.us_states import ALL_PARTY_STATES, state_of


@dataclass(frozen=True)
class CallFacts:
    """What the dialplan reports when a call arrives (each value filtered by the dialplan)."""

    requested_profile: str  # Gosub ARG1, may be ""
    requested_language: str  # Gosub ARG2, may be ""
    route: str  # ARG3 or IVR_ROUTE, may be ""
    group: str  # the agent group, ARG4 or IVR_GROUP, may be ""
    called: str  # the dialled number, may be ""
    caller: str  # the caller's number, may be ""


@dataclass(frozen=True)
class ProfileChoice:
    profile: str
    language: str
    why: str


def choose_profile(consent: ConsentSettings, facts: CallFacts) -> ProfileChoice:
    asked = facts.requested_profile
    if asked in consent.profiles:
        return _in(consent, asked, facts.requested_language, None, "requested by the dialplan")
    ignored = f"the dialplan asked for {asked!r}, which is not enabled; " if asked else ""
    for rule in consent.rules:
        matched = _matches(rule, facts)
        if matched is not None:
            profile, why = _resolve(rule, facts)
            reason = f"{ignored}rule {rule.index}: {matched}{why}"
            return _in(consent, profile, facts.requested_language, rule.language, reason)
    return _in(
        consent, consent.default_profile, facts.requested_language, None, f"{ignored}default"
    )


def _in(
    consent: ConsentSettings, profile: str, asked: str, ruled: str | None, why: str
) -> ProfileChoice:
    """The language: the one asked for if the profile speaks it, else the rule's, else the
    profile's default."""
    speaks = consent.profiles[profile].languages
    for language in (asked, ruled):
        if language and language in speaks:
            return ProfileChoice(profile, language, why)
    return ProfileChoice(profile, consent.profiles[profile].default_language, why)


def _digits(number: str) -> str:
    """A number in international form, digits only: +49…, 0049… -> 49…; anything else ""."""
    kept = "".join(c for c in number if c.isdigit() or c == "+")
    if kept.startswith("+"):
        return kept[1:]
    return kept[2:] if kept.startswith("00") else ""


def _matches(rule: ProfileRule, facts: CallFacts) -> str | None:
    """What matched, said for the ledger, or None. Every kind of matcher a rule has must
    match (any of its values)."""
    said = []
    if rule.routes:
        if facts.route not in rule.routes:
            return None
        said.append(f"route {facts.route}")
    if rule.called:
        prefix = next((p for p in rule.called if facts.called.startswith(p)), None)
        if prefix is None:
            return None
        said.append(f"called number starts with {prefix}")
    if rule.caller_countries:
        international = _digits(facts.caller)
        code = next((c for c in rule.caller_countries if international.startswith(c)), None)
        if code is None:
            return None
        said.append(f"caller country code {code}")
    return ", ".join(said)


def _resolve(rule: ProfileRule, facts: CallFacts) -> tuple[str, str]:
    """The rule's profile; for "us", one-party or all-party from both parties' states."""
    if rule.profile != US:
        return rule.profile, ""
    code, caller_state = state_of(facts.caller)
    agent = rule.agent_state or ""
    if caller_state is None:
        heard = f"area code {code}" if code else "no US area code"
        return "us-all-party", f"; us: the caller's state is unknown ({heard}): all-party consent"
    strict = sorted({caller_state, agent} & ALL_PARTY_STATES)
    where = f"caller area code {code} is {caller_state}, agents in {agent}"
    if strict:
        return "us-all-party", f"; us: {where} ({', '.join(strict)}: all-party consent)"
    return "us-one-party", f"; us: {where} (one-party consent)"
