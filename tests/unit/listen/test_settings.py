"""[listening] read with errors that name the key."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from ivr.config.errors import ConfigError
from ivr.config.listening import ListeningSettings, read_listening
from ivr.config.reader import Source, Table


def read(data: Mapping[str, object]) -> ListeningSettings:
    return read_listening(Table(data, "listening", Source(Path("ivr.toml"), {}), None))


def test_without_the_section_nobody_listens() -> None:
    assert dict(read({}).supervisors) == {}


def test_a_supervisor_is_read_from_their_endpoint() -> None:
    data = {"supervisors": {"sup-a": {"person": "A", "groups": ["team-a"], "whisper": True}}}
    supervisor = read(data).supervisors["sup-a"]
    assert (supervisor.person, supervisor.role, supervisor.groups) == (
        "A",
        "supervisor",
        ("team-a",),
    )
    assert supervisor.spy_options == "w"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"supervisors": {"sup-a": {"person": "A"}}}, "listening.supervisors.sup-a.groups"),
        ({"supervisors": {"sup-a": {"groups": ["x"]}}}, "listening.supervisors.sup-a.person"),
        ({"supervisors": {"a b": {"person": "A", "groups": ["x"]}}}, "listening.supervisors.a b"),
        ({"supervisors": {"sup-a": {"person": "A", "groups": ["x"], "spy": 1}}}, "spy"),
        ({"texts": {"refused-maybe": "?"}}, "listening.texts.refused-maybe"),
        ({"language": "French"}, "listening.language"),
    ],
)
def test_bad_values_are_named(data: Mapping[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        read(data)
