"""The consent subroutine arms the recording with the names the service uses (ivr/names.py)
and the file name the recordings package expects, only when the service says so."""

from __future__ import annotations

from ivr import names
from ivr.recordings.naming import file_name
from ivr.sandbox.shipped import dialplan_dir

CONSENT = (dialplan_dir() / "ivr-consent.conf").read_text(encoding="utf-8")


def test_the_dialplan_waits_for_the_go_only_when_the_service_asks_it_to() -> None:
    arming = next(line for line in CONSENT.splitlines() if "ivr-consent-arm,s,1" in line)
    assert f'"${{GLOBAL({names.global_setting(names.ARM_SETTING)})}}" = "1"' in arming
    assert '"${IVR_OBJECTED}" != "1"' in arming


def test_the_armed_monitor_writes_only_when_bridged_to_the_service_s_file_name() -> None:
    armed = next(line for line in CONSENT.splitlines() if "MixMonitor(" in line)
    assert f'"${{{names.VAR_ARM}}}" = "{names.ARM_GO}"' in armed
    assert "MixMonitor(" + file_name("${IVR_CALL}") + ",b)" in armed


def test_the_keys_are_read_from_the_published_globals_first() -> None:
    for key in (names.DB_KEY_OBJECT, names.DB_KEY_FULL_NOTICE, names.DB_KEY_ACCEPT):
        assert f"${{GLOBAL({names.global_setting(key)})}}" in CONSENT, key
