"""dialplan/ivr-listen.conf agrees with ivr/names.py and the prompts the service builds."""

from __future__ import annotations

from ivr import names
from ivr.config.listening import DEFAULT_TEXTS
from ivr.sandbox.shipped import DIALPLAN_FILES, dialplan_dir

CONF = (dialplan_dir() / "ivr-listen.conf").read_text(encoding="utf-8")
CONSENT = (dialplan_dir() / "ivr-consent.conf").read_text(encoding="utf-8")


def test_the_listen_subroutine_uses_the_shared_names() -> None:
    assert "ivr-listen.conf" in DIALPLAN_FILES, "the sandbox installs it as an administrator"
    assert f"[{names.LISTEN_CONTEXT}]" in CONF
    for step in names.ListenStep:
        assert f"UserEvent({names.LISTEN_EVENT},Step: {step.value}" in CONF, step
    assert f"Set({names.VAR_LISTEN}=)" in CONF, "a stale answer must never be read as the new one"
    assert f"DB({names.DB_LISTENERS}/" in CONF
    assert f"DB_EXISTS({names.DB_OBJECTIONS}/" in CONF, "the PBX's own memory of an objection"
    assert f"{names.VAR_LISTEN}=refused:{names.Refusal.SERVICE_AWAY}" in CONF, "fail closed"


def test_every_refusal_has_a_prompt_the_dialplan_plays() -> None:
    assert f"Playback({names.LISTEN_PROMPT_FOLDER}/refused-${{IVR_LISTEN_WHY}})" in CONF
    assert {f"refused-{reason}" for reason in names.Refusal} == set(DEFAULT_TEXTS)


def test_an_objection_and_a_payment_step_end_the_spies_on_the_pbx_itself() -> None:
    objection = CONSENT.split(f"[{names.OBJECT_CONTEXT}]", 1)[1].split("\n[", 1)[0]
    payment = CONSENT.split(f"[{names.PAYMENT_CONTEXT}]", 1)[1].split("exten => end", 1)[0]
    for section in (objection, payment):
        assert "ivr-listen,end-spies,1" in section
    assert "SoftHangup(${channel})" in CONF
