"""Message: lookups, immutability, construction."""

from __future__ import annotations

import pytest

from ivr.ami import AmiInjectionError, FrameParser, Message
from tests.unit.ami import seeds


def parsed(data: bytes) -> Message:
    [message] = FrameParser().feed(data)
    return message


def test_get_is_case_insensitive_and_returns_the_first_value() -> None:
    message = parsed(seeds.CAPTURED_TEST_EVENT)
    assert message.get("callid") == "[C-00000068]"
    assert message.get("CALLID") == "[C-00000068]"
    assert message.get("State") == "CallIDChange"
    assert message.get("Missing") is None
    assert message.get("Missing", "x") == "x"
    assert message.get("") is None


def test_get_first_line_and_last_line() -> None:
    message = parsed(seeds.CAPTURED_HANGUP)
    assert message.get("Event") == "Hangup"
    assert message.get("Cause-txt") == "Unknown"
    assert message.get("Cause") == "0"  # not fooled by the longer key Cause-txt


def test_get_does_not_match_inside_values_or_key_suffixes() -> None:
    message = Message([("Event", "X"), ("Value", "Digit: 5"), ("MyDigit", "7")])
    assert message.get("Digit") is None


def test_event_and_response_flags() -> None:
    event = parsed(seeds.CAPTURED_DTMF_END)
    assert (event.name, event.is_event, event.is_response, event.action_id) == (
        "DTMFEnd",
        True,
        False,
        None,
    )
    response = parsed(seeds.LOGIN_OK)
    assert (response.name, response.is_event, response.is_response) == (None, False, True)
    assert not response.is_error
    assert Message({"Response": "Error", "Message": "no"}).is_error


def test_constructed_equals_parsed() -> None:
    built = Message(
        [("Event", "VarSet"), ("Variable", "PLAYBACKSTATUS"), ("Value", "SUCCESS"), ("K", " x")]
    )
    again = parsed(built.text.replace("\n", "\r\n").encode() + b"\r\n\r\n")
    assert again == built
    assert hash(again) == hash(built)
    assert again.get("K") == " x"


def test_constructor_refuses_line_breaks() -> None:
    with pytest.raises(AmiInjectionError):
        Message({"Event": "X\r\nEvent: Y"})


def test_is_immutable() -> None:
    message = parsed(seeds.CAPTURED_VARSET)
    with pytest.raises(AttributeError):
        message.name = "Other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        message.extra = 1  # type: ignore[attr-defined]
    assert isinstance(message.headers, tuple)


def test_repr_names_the_headers() -> None:
    assert "('Event', 'FullyBooted')" in repr(parsed(seeds.CAPTURED_FULLY_BOOTED))


def test_get_returns_the_first_value_whatever_the_case() -> None:
    message = Message([("Event", "X"), ("actionid", "first"), ("ActionID", "second")])
    assert message.get("ActionID") == "first"
    assert message.action_id == "first"
    assert message.get_all("ACTIONID") == ["first", "second"]


def test_get_when_lowercasing_changes_the_length() -> None:
    message = Message([("Event", "X"), ("Name", "İstanbul"), ("Digit", "5")])
    assert message.get("digit") == "5"
    assert message.get("NAME") == "İstanbul"


def test_name_of_an_event_whose_event_header_is_not_first() -> None:
    [message] = FrameParser().feed(b"Privilege: call,all\r\nevent: Hangup\r\n\r\n")
    assert (message.name, message.is_event) == ("Hangup", True)
    [response] = FrameParser().feed(b"Response: Success\r\nMessage: eventually\r\n\r\n")
    assert response.name is None
