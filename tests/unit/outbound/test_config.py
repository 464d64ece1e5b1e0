"""``[outbound]``: overrides, campaigns, and errors that name the key (issue 19 §2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ivr.ami import Message
from ivr.audit.register import build_record
from ivr.config import ConfigError
from ivr.outbound import names
from ivr.outbound.config import load_outbound, outbound_texts
from ivr.outbound.guard import presented
from ivr.outbound.retention import purge_outbound
from ivr.outbound.rules import Rule
from ivr.outbound.store import SqliteOutboundStore
from tests.unit.config import sample

CAMPAIGN = {"profile": "fr", "professional": "Acme", "purpose": "la fibre"}


def outbound(tmp_path: Path, section: dict[str, Any]) -> Any:
    return load_outbound(sample.settings(tmp_path, {"outbound": section}))


def test_a_profile_overrides_only_what_it_names(tmp_path: Path) -> None:
    loaded = outbound(
        tmp_path,
        {
            "profiles": {"fr-moselle": {"base": "fr", "holidays": "fr-alsace-moselle"}},
            "campaigns": {"m": {**CAMPAIGN, "profile": "fr-moselle"}},
        },
    )
    profile = loaded.campaign("m").profile
    assert profile.windows.holidays == "fr-alsace-moselle"
    assert (profile.cap_attempts, profile.rest_days, profile.consent_from) == (
        4,
        60,
        date(2026, 8, 11),
    )
    assert loaded.campaign("m").lists == ("bloctel", "internal")


@pytest.mark.parametrize(
    ("section", "key", "message"),
    [
        (
            {"campaigns": {"c": {**CAMPAIGN, "profile": "frr"}}},
            "outbound.campaigns.c.profile",
            "fr",
        ),
        ({"campaigns": {"c": {"profile": "fr"}}}, "outbound.campaigns.c.professional", "required"),
        (
            {"profiles": {"x": {"hours": {"mon": ["10-12"]}}}},
            "outbound.profiles.x.hours.mon",
            "HH:MM",
        ),
        ({"profiles": {"x": {"hours": {"mon": ["12:00-10:00"]}}}}, "hours.mon", "ends before"),
        ({"profiles": {"x": {"zone": "Mars/Base"}}}, "outbound.profiles.x.zone", "time zone"),
        ({"profiles": {"x": {"holidays": "us"}}}, "outbound.profiles.x.holidays", "fr"),
        ({"profiles": {"x": {"consent_from": "soon"}}}, "consent_from", "date"),
        ({"stop_key": "9"}, "outbound.stop_key", "[consent.keys]"),
        ({"stop_key": "*"}, "outbound.stop_key", "one digit"),
        ({"texts": {"fr": {"opening": "{nobody}"}}}, "outbound.texts.fr.opening", "placeholder"),
        ({"texts": {"de": {"opening": "Hallo"}}}, "outbound.texts.de", "not shipped"),
        ({"fail_opne": True}, "outbound.fail_opne", "fail_open"),
        ({"agent_refusal_key": "*1"}, "outbound.agent_refusal_key", "[agents]"),
        ({"agent_refusal_key": "*x"}, "outbound.agent_refusal_key", "0-9"),
    ],
)
def test_a_bad_value_is_refused_naming_its_key(
    tmp_path: Path, section: dict[str, Any], key: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        outbound(tmp_path, section)
    assert key in str(caught.value)
    assert message in str(caught.value)


def test_campaign_prompts_say_the_professional_and_the_stop_key(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path, {"outbound": {"campaigns": {"c": CAMPAIGN}}})
    texts = outbound_texts(settings)
    assert "Acme" in texts["fr"]["c/opening"]
    assert "la fibre" in texts["fr"]["c/opening"]
    assert "7" in texts["fr"]["c/opening"]
    assert set(texts["fr"]) >= set(names.PROMPTS.values())


@pytest.mark.parametrize(
    ("headers", "shown"),
    [
        ({"CallerIdNum": "0140000000", "Presentation": "allowed_not_screened"}, True),
        ({"CallerIdNum": "0140000000", "Presentation": "prohib_not_screened"}, False),
        ({"CallerIdNum": "", "Presentation": "allowed"}, False),
        ({"CallerIdNum": "0140000000", "Presentation": "unavailable"}, False),
    ],
)
def test_a_masked_or_missing_caller_id_is_not_presented(
    headers: dict[str, str], shown: bool
) -> None:
    event = Message({"Event": "UserEvent", **headers})
    assert presented(event) is shown


def test_verdicts_name_the_rule_and_the_prompt() -> None:
    assert names.verdict(None) == "allowed"
    assert names.verdict(Rule.REST) == "refused:refusal-rest:refused-opposition"
    assert all(rule in names.PROMPTS for rule in Rule)


def test_purge_keeps_attempts_the_rules_still_need(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path, {"outbound": {"campaigns": {"c": CAMPAIGN}}})
    loaded = load_outbound(settings)
    store = SqliteOutboundStore(loaded.store)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    for age in (59, 61):
        store.oppose("+33612345678", now - timedelta(days=age), "Acme", "test")
    store.close()
    assert purge_outbound(settings, now) == 1
    store = SqliteOutboundStore(loaded.store)
    facts = store.facts(loaded.campaign("c"), "+33612345678", now, True)
    assert facts.last_refusal == now - timedelta(days=59)
    store.close()


def test_the_art_30_record_has_a_canvassing_section(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path, {"outbound": {"campaigns": {"c": CAMPAIGN}}})
    record = build_record(settings)["canvassing"]
    assert record["campaigns"]["c"]["on_behalf_of"] == "Acme"
    assert record["retention"]["attempts_and_refusals_days"] == 60
