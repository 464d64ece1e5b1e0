from __future__ import annotations

from pathlib import Path

import pytest

from ivr.sandbox import layout
from ivr.sandbox.errors import SandboxError
from ivr.sandbox.spec import Role
from ivr.sandbox.state import InstanceState, Ports, check_name, peer_endpoint, slot_of


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(layout.CACHE_ENV, str(tmp_path))
    return tmp_path


def test_slots_are_allocated_once_and_kept() -> None:
    first, second = slot_of("pbx"), slot_of("carrier")
    assert first != second
    assert slot_of("pbx") == first


def test_ports_of_different_slots_never_overlap() -> None:
    a, b = Ports.of_slot(0), Ports.of_slot(1)
    assert {a.sip, a.ami}.isdisjoint({b.sip, b.ami})
    assert a.rtp[1] < b.rtp[0]


def test_peer_is_an_instance_name_or_host_and_port() -> None:
    assert peer_endpoint("carrier").port == Ports.of_slot(slot_of("carrier")).sip
    assert str(peer_endpoint("10.1.2.3:5060")) == "10.1.2.3:5060"
    with pytest.raises(SandboxError, match="port"):
        peer_endpoint("host:sip")


@pytest.mark.parametrize("name", ["", "PBX", "a b", "../etc", "x" * 40])
def test_bad_instance_names_are_refused(name: str) -> None:
    with pytest.raises(SandboxError, match="not valid"):
        check_name(name)


def test_state_round_trips_and_is_private(tmp_path: Path) -> None:
    state = InstanceState(name="pbx", role=Role.CARRIER, slot=3, peer="pbx", includes=["a.conf"])
    path = tmp_path / "x" / "instance.json"
    state.save(path)
    assert InstanceState.load(path) == state
    assert path.stat().st_mode & 0o077 == 0


def test_a_damaged_state_file_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "instance.json"
    path.write_text("{not json")
    assert InstanceState.load(path) is None


def test_when_full_the_slots_of_stopped_instances_are_reused() -> None:
    from ivr.sandbox.state import MAX_SLOTS

    for index in range(MAX_SLOTS):
        slot_of(f"old-{index}")
    stopped = {"old-3", "old-7"}
    assert slot_of("new", idle=lambda name: name in stopped) == 3
    assert slot_of("old-0") == 0, "running instances keep their slot"
    assert slot_of("newer") == 7, "the other freed slot, no reclaiming needed"
    with pytest.raises(SandboxError, match="running instances"):
        slot_of("another", idle=lambda name: False)


def test_a_peer_takes_the_slot_of_a_stopped_instance_when_full() -> None:
    from ivr.sandbox.state import MAX_SLOTS

    for index in range(MAX_SLOTS):
        slot_of(f"old-{index}")
    with pytest.raises(SandboxError, match="slots are taken"):
        peer_endpoint("its-carrier")
    endpoint = peer_endpoint("its-carrier", idle=lambda name: name == "old-5")
    assert endpoint.port == Ports.of_slot(5).sip
