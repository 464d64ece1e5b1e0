from __future__ import annotations

from pathlib import PurePosixPath

from ivr.sandbox.render import NATIVE_RTP_MODULE, render
from ivr.sandbox.spec import AsteriskDirs, Endpoint, InstanceSpec, Role

MODULES = PurePosixPath("/usr/lib/x86_64-linux-gnu/asterisk/modules")


def spec(role: Role = Role.PBX, **changes: object) -> InstanceSpec:
    base = InstanceSpec(
        name="unit",
        role=role,
        sip=Endpoint("127.0.0.1", 16000),
        ami=Endpoint("127.0.0.1", 16001),
        rtp_ports=(30000, 31999),
        peer=Endpoint("127.0.0.1", 16010),
        ami_user="ivr-admin",
        ami_secret="s3cret",
        dirs=AsteriskDirs.under(PurePosixPath("/srv/ivr/unit"), MODULES),
    )
    return InstanceSpec(**(base.__dict__ | changes))


def test_every_folder_of_the_instance_is_private() -> None:
    conf = render(spec())["asterisk.conf"]
    for key in ("astetcdir", "astspooldir", "astrundir", "astlogdir", "astdbdir"):
        line = next(x for x in conf.splitlines() if x.startswith(key))
        assert "/srv/ivr/unit/" in line, line


def test_native_rtp_bridge_is_not_loaded_unless_asked() -> None:
    assert f"noload => {NATIVE_RTP_MODULE}" in render(spec())["modules.conf"]
    assert NATIVE_RTP_MODULE not in render(spec(native_rtp=True))["modules.conf"]


def test_modules_that_bind_shared_ports_are_not_loaded() -> None:
    modules = render(spec())["modules.conf"]
    for module in ("chan_iax2.so", "pbx_dundi.so", "chan_unistim.so", "res_hep.so"):
        assert f"noload => {module}" in modules


def test_trunk_is_named_after_the_other_side_and_matched_by_address_and_port() -> None:
    pbx = render(spec())["pjsip.conf"]
    assert "[carrier]" in pbx
    assert "match = 127.0.0.1:16010" in pbx
    assert "dtmf_mode = rfc4733" in pbx
    carrier = render(spec(Role.CARRIER))["pjsip.conf"]
    assert "[pbx]" in carrier
    assert "context = from-pbx" in carrier


def test_ami_listens_where_asked_and_the_secret_is_the_instance_one() -> None:
    manager = render(spec())["manager.conf"]
    assert "bindaddr = 127.0.0.1" in manager
    assert "port = 16001" in manager
    assert "secret = s3cret" in manager
    assert "permit = 127.0.0.0/255.0.0.0" in manager


def test_included_files_are_pulled_into_the_dialplan() -> None:
    dialplan = render(spec(includes=("include-qa.conf",)))["extensions.conf"]
    assert dialplan.rstrip().endswith('#include "include-qa.conf"')


def test_roles_get_their_own_dialplan() -> None:
    assert "[from-carrier]" in render(spec())["extensions.conf"]
    carrier = render(spec(Role.CARRIER))["extensions.conf"]
    assert "[ivr-caller]" in carrier
    assert "[from-pbx]" in carrier
