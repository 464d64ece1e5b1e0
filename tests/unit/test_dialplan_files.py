"""The shipped Asterisk files agree with ivr/names.py, the names the service relies on."""

from __future__ import annotations

import re
from pathlib import Path

from ivr import names
from ivr.sandbox.render import NATIVE_RTP_MODULE
from ivr.sandbox.shipped import dialplan_dir

DIALPLAN = dialplan_dir()


def text(name: str) -> str:
    return (DIALPLAN / name).read_text(encoding="utf-8")


def test_the_service_account_has_exactly_the_classes_of_names() -> None:
    conf = text("manager-ivr.conf")
    assert f"[{names.SERVICE_AMI_USER}]" in conf
    assert f"read = {','.join(names.SERVICE_AMI_READ)}" in conf
    assert f"write = {','.join(names.SERVICE_AMI_WRITE)}" in conf
    for forbidden in ("command", "originate", "config", "agi", "all"):
        for line in conf.splitlines():
            if line.startswith(("read", "write")):
                assert forbidden not in line.split("=")[1].split(","), line


def test_the_subroutine_uses_the_shared_names() -> None:
    conf = text("ivr-consent.conf")
    assert f"[{names.CONSENT_CONTEXT}]" in conf
    assert f"[{names.OBJECT_CONTEXT}]" in conf
    for step in names.Step:
        assert f"UserEvent({names.USER_EVENT},Step: {step.value}" in conf, step
    for payment in names.PaymentStep:
        assert f"UserEvent({names.PAYMENT_EVENT},Step: {payment.value}" in conf, payment
    assert f"[{names.PAYMENT_CONTEXT}]" in conf
    variables = (
        names.VAR_CALL_ID,
        names.VAR_OBJECTED,
        names.VAR_STEP,
        names.VAR_PROFILE,
        names.VAR_DECISION,
        names.VAR_ACCEPTED,
        names.VAR_PAYMENT,
        names.VAR_PAYMENT_MUTED,
    )
    for variable in variables:
        assert f"{variable}=" in conf or f"{{{variable}}}" in conf, variable
    assert f"DB({names.DB_OBJECTIONS}/" in conf
    for key in (names.DB_KEY_OBJECT, names.DB_KEY_FULL_NOTICE, names.DB_KEY_ACCEPT):
        assert f"{names.DB_SETTINGS}/{key}" in conf, key
    for prefix in (names.DB_MODE_PREFIX, names.DB_LANGUAGE_PREFIX):
        assert f"{names.DB_SETTINGS}/{prefix}${{IVR_PROFILE}}" in conf, prefix
    # The notice is the one the service chose (IVR_PROMPT), the full notice and the
    # confirmation are fixed; the fallback without the service is the short notice.
    assert f"{names.PROMPT_FOLDER}/${{IVR_PROFILE}}/${{IVR_PROMPT}}" in conf
    assert f"IVR_PROMPT={names.Prompt.NOTICE_SHORT.value}" in conf
    for prompt in (names.Prompt.NOTICE_FULL, names.Prompt.OBJECTION_CONFIRMED):
        assert f"{names.PROMPT_FOLDER}/${{IVR_PROFILE}}/{prompt.value}" in conf, prompt
    for mode in names.Mode:
        assert mode.value in conf, mode


def test_no_caller_controlled_value_reaches_a_user_event_unfiltered() -> None:
    for line in text("ivr-consent.conf").splitlines():
        if "UserEvent(" in line:
            unfiltered = re.sub(r"\$\{FILTER\([^,]+,\$\{[^}]+\}\)\}", "", line)
            assert "CALLERID" not in unfiltered, line


def test_every_key_has_an_in_call_objection_feature() -> None:
    features = dict(
        re.findall(rf"^({names.FEATURE_PREFIX}\S+) => (\S),self,", text("ivr-features.conf"), re.M)
    )
    spelt = {**{str(d): str(d) for d in range(10)}, "star": "*", "hash": "#"}
    assert features == {f"{names.FEATURE_PREFIX}{name}": key for name, key in spelt.items()}


def test_the_module_setting_is_the_one_the_sandbox_applies() -> None:
    assert f"noload => {NATIVE_RTP_MODULE}" in text("modules-ivr.conf")


def test_files_ship_from_the_repository_root() -> None:
    assert Path(__file__).resolve().parents[2] / "dialplan" == DIALPLAN
