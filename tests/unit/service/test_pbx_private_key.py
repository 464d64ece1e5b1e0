"""The agent's private key as the PBX runs it (dialplan ivr-consent-private): its UserEvent is
the machine's private input, and the feature the service publishes follows the configured key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ivr import names
from ivr.ami import Message
from ivr.config.recording import AgentSettings
from ivr.consent import inputs as i
from ivr.consent.commands import Log
from ivr.consent.machine import Consent, Phase, handle
from ivr.names import NO_FEATURE, EventKind, Source, private_feature
from ivr.sandbox.shipped import dialplan_dir
from ivr.service.translate import to_input

AT = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
DIALPLAN = dialplan_dir()


def user_event(**headers: str) -> Message:
    fields = {"Event": "UserEvent", "UserEvent": "IvrConsent", "Call": "1700000000.1"}
    return Message(tuple((fields | headers).items()))


def test_the_pbxs_private_key_event_is_the_agents_private_input_from_the_pbx_feature() -> None:
    event = user_event(Step="private", Source="pbx-feature", Agent="PJSIP/agent-0000002a")
    assert to_input(event, AT) == i.AgentPrivate(AT, "PJSIP/agent", Source.PBX_FEATURE)


def test_a_private_key_event_naming_no_agent_is_still_the_private_input() -> None:
    assert to_input(user_event(Step="private"), AT) == i.AgentPrivate(AT, "", Source.PBX_FEATURE)


def _recording() -> Consent:
    consent = Consent("1700000000.1", "9", record=True)  # decided: record
    for happened in (i.NoticeStarted(AT, "fr", "fr"), i.NoticeDone(AT), i.Bridged(AT)):
        consent, _ = handle(consent, happened)
    assert consent.phase is Phase.RECORDING
    return consent


def test_the_pbx_feature_and_the_services_own_watch_make_one_private_key() -> None:
    consent, first = handle(_recording(), i.AgentPrivate(AT, "PJSIP/agent", Source.PBX_FEATURE))
    consent, second = handle(consent, i.AgentPrivate(AT, "PJSIP/agent"))
    assert consent.phase is Phase.PRIVATE
    (logged,) = [c for c in first if isinstance(c, Log) and c.kind is EventKind.PRIVATE]
    assert logged.source is Source.PBX_FEATURE
    assert second == []


@pytest.mark.parametrize(
    ("sequence", "feature"),
    [
        ("*0", "ivr-private-star0"),
        ("*9", "ivr-private-star9"),
        ("#4", "ivr-private-hash4"),
        ("", NO_FEATURE),  # disabled
        ("9", NO_FEATURE),  # one key: ivr-features.conf ships none (it would swallow a digit)
        ("**", NO_FEATURE),
        ("*12", NO_FEATURE),
        ("0*", NO_FEATURE),
    ],
)
def test_the_feature_published_for_the_private_key_is_one_the_features_file_ships(
    sequence: str, feature: str
) -> None:
    assert private_feature(sequence) == feature


def test_every_published_private_feature_is_in_the_shipped_applicationmap() -> None:
    text = (DIALPLAN / "ivr-features.conf").read_text()
    run = f"peer,Gosub({names.PRIVATE_CONTEXT},s,1)"
    for first in "*#":
        for digit in "0123456789":
            feature = private_feature(first + digit)
            assert f"\n{feature} => {first}{digit},{run}" in text


def test_the_subroutine_reads_the_published_feature_and_keeps_the_pbxs_memory() -> None:
    conf = (DIALPLAN / "ivr-consent.conf").read_text()
    assert f"[{names.PRIVATE_CONTEXT}]" in conf
    assert f"GLOBAL({names.global_setting(names.DB_FEATURE_PRIVATE)})" in conf
    assert f"DB_EXISTS({names.DB_SETTINGS}/{names.DB_FEATURE_PRIVATE})" in conf
    assert f'"{names.NO_FEATURE}"' in conf
    assert f"{private_feature(AgentSettings().private_key)})" in conf  # before any publish
    assert f"Set({names.VAR_PRIVATE}={names.PRIVATE_YES})" in conf
