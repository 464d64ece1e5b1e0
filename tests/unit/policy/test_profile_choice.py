"""Which profile applies to a call, and why: the dialplan's request, the rules, the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import load_settings
from ivr.config.model import ConsentSettings
from ivr.policy.profiles import CallFacts, choose_profile
from ivr.policy.us_states import area_code, state_of
from tests.unit.config.test_profiles import RULES, with_all

MORE_RULES = """
[[consent.rules]]
profile = "ca"
called = ["0800", "+1800"]
route = "care"
"""


@pytest.fixture(scope="module")
def consent(tmp_path_factory: pytest.TempPathFactory) -> ConsentSettings:
    path = with_all(tmp_path_factory.mktemp("rules"), rules=RULES + MORE_RULES)
    return load_settings(path, environ={}).consent


def facts(**given: str) -> CallFacts:
    values = dict.fromkeys(
        ("requested_profile", "requested_language", "route", "group", "called", "caller"), ""
    )
    return CallFacts(**(values | given))


def test_the_dialplans_request_wins(consent: ConsentSettings) -> None:
    chosen = choose_profile(consent, facts(requested_profile="de", caller="+14155550100"))
    assert (chosen.profile, chosen.language) == ("de", "de")
    assert chosen.why == "requested by the dialplan"


def test_a_requested_profile_not_enabled_is_said_and_ignored(consent: ConsentSettings) -> None:
    chosen = choose_profile(consent, facts(requested_profile="es", route="uk-care"))
    assert chosen.profile == "uk"
    assert chosen.why.startswith("the dialplan asked for 'es', which is not enabled; rule 1")


def test_the_first_matching_rule_wins_and_says_what_matched(consent: ConsentSettings) -> None:
    chosen = choose_profile(consent, facts(route="uk-sales", caller="+4930123456"))
    assert (chosen.profile, chosen.why) == ("uk", "rule 1: route uk-sales")
    german = choose_profile(consent, facts(caller="0049 30 123456"))
    assert (german.profile, german.language) == ("de", "en")  # the rule's language
    assert german.why == "rule 2: caller country code 49"


def test_every_kind_of_matcher_of_a_rule_must_match(consent: ConsentSettings) -> None:
    assert choose_profile(consent, facts(called="08001234", route="care")).profile == "ca"
    assert choose_profile(consent, facts(called="08001234", route="sales")).profile == "fr"


def test_a_national_number_has_no_country_code(consent: ConsentSettings) -> None:
    chosen = choose_profile(consent, facts(caller="0612345678"))
    assert (chosen.profile, chosen.why) == ("fr", "default")


def test_the_requested_language_is_kept_when_the_profile_speaks_it(
    consent: ConsentSettings,
) -> None:
    assert (
        choose_profile(consent, facts(requested_profile="ca", requested_language="fr")).language
        == "fr"
    )
    assert (
        choose_profile(consent, facts(requested_profile="ca", requested_language="de")).language
        == "en"
    )


@pytest.mark.parametrize(
    ("caller", "profile", "said"),
    [
        ("+12125550100", "us-one-party", "caller area code 212 is NY, agents in NY"),
        ("+14155550100", "us-all-party", "CA: all-party consent"),
        ("+13055550100", "us-all-party", "FL: all-party consent"),
        ("+16045550100", "us-all-party", "state is unknown (area code 604)"),  # Vancouver
        ("+1 (212) 555-0100", "us-one-party", "212"),
    ],
)
def test_us_chooses_from_both_parties_states(
    consent: ConsentSettings, caller: str, profile: str, said: str
) -> None:
    chosen = choose_profile(consent, facts(caller=caller))
    assert chosen.profile == profile
    assert said in chosen.why, chosen.why


def test_agents_in_an_all_party_state_make_every_us_call_all_party(tmp_path: Path) -> None:
    rules = RULES.replace('agent_state = "NY"', 'agent_state = "CA"')
    consent = load_settings(with_all(tmp_path, rules=rules), environ={}).consent
    chosen = choose_profile(consent, facts(caller="+12125550100"))
    assert chosen.profile == "us-all-party"
    assert "CA: all-party consent" in chosen.why


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("+12125550100", "212"),
        ("12125550100", "212"),
        ("0012125550100", "212"),
        ("2125550100", "212"),
        ("+1212555010", None),  # one digit short
        ("+4930123456", None),
        ("+11125550100", None),  # an area code never starts with 1
    ],
)
def test_area_codes(number: str, code: str | None) -> None:
    assert area_code(number) == code


def test_unknown_area_codes_have_no_state() -> None:
    assert state_of("+18005550100") == ("800", None)  # toll free
    assert state_of("+15145550100") == ("514", None)  # Montreal
