"""dialplan/ivr-outbound.conf spells the names ivr/outbound/names.py defines (STYLE 4)."""

from __future__ import annotations

from ivr.outbound import names
from ivr.outbound.prompts import PROMPT_NAMES
from ivr.sandbox.shipped import DIALPLAN_FILES, dialplan_dir

CONF = (dialplan_dir() / "ivr-outbound.conf").read_text(encoding="utf-8")


def test_contexts_event_steps_and_variable_are_the_shared_names() -> None:
    assert f"[{names.CONTEXT}]" in CONF
    assert f"[{names.CALLEE_CONTEXT}]" in CONF
    for step in (names.STEP_GUARD, names.STEP_OPENING, names.STEP_STOP):
        assert f"UserEvent({names.EVENT},Step: {step}," in CONF, step
    assert f"Set({names.VAR_VERDICT}=)" in CONF
    assert f'"${{{names.VAR_VERDICT}}}" = "{names.ALLOWED}"' in CONF


def test_astdb_families_and_keys_are_the_shared_names() -> None:
    for family_key in (
        f"{names.DB_FAMILY}/{names.DB_FAIL_OPEN}",
        f"{names.DB_FAMILY}/{names.DB_LANGUAGE}",
        f"{names.DB_FAMILY}/{names.DB_KEY_STOP}",
        f"{names.DB_UNGUARDED}/",
        f"{names.DB_STOPS}/",
    ):
        assert family_key in CONF, family_key


def test_the_unavailable_refusal_plays_a_prompt_that_is_built() -> None:
    assert "refused:unavailable:refused-unavailable" in CONF
    assert "refused-unavailable" in PROMPT_NAMES
    assert f"/{names.PROMPT_FOLDER}/" in CONF


def test_the_sandbox_pbx_installs_it() -> None:
    assert "ivr-outbound.conf" in DIALPLAN_FILES
