"""Property tests: round trips, robustness on arbitrary bytes, no CR/LF ever smuggled."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ivr.ami import AmiInjectionError, AmiProtocolError, FrameParser, Message, encode_action
from tests.unit.ami import seeds

# What Asterisk can carry in one header: no CR/LF (NUL excluded too); keys also without ':'.
values = st.text(st.characters(exclude_characters="\r\n\0", codec="utf-8"))
keys = st.text(st.characters(exclude_characters="\r\n\0:", codec="utf-8"), min_size=1).filter(
    lambda key: key.lower() not in {"action", "actionid"}
)
headers = st.lists(st.tuples(keys, values), max_size=12)
names = st.text(st.characters(exclude_characters="\r\n\0", codec="utf-8"), min_size=1)


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@settings(max_examples=300)
@given(names, headers, st.lists(st.integers(min_value=0), max_size=8))
def test_encoded_action_parses_back_to_the_same_headers(
    name: str, fields: list[tuple[str, str]], cuts: list[int]
) -> None:
    data = encode_action(name, fields, "id-1")
    parser = FrameParser()
    messages = [m for chunk in chunked(data, cuts) for m in parser.feed(chunk)]
    assert len(messages) == 1
    assert messages[0].headers == (("Action", name), ("ActionID", "id-1"), *fields)


@settings(max_examples=300)
@given(
    st.lists(headers.filter(bool), min_size=1, max_size=5), st.lists(st.integers(0), max_size=10)
)
def test_message_streams_round_trip_whatever_the_chunking(
    frames: list[list[tuple[str, str]]], cuts: list[int]
) -> None:
    # A frame whose only line is empty would be a blank line, i.e. no frame at all.
    frames = [f for f in frames if f != [("", "")] and not (len(f) == 1 and f[0][0] == "")]
    originals = [Message(f) for f in frames]
    wire = b"".join(m.text.replace("\n", "\r\n").encode("utf-8") + b"\r\n\r\n" for m in originals)
    parser = FrameParser()
    assert [m for c in chunked(wire, cuts) for m in parser.feed(c)] == originals


@settings(max_examples=500)
@given(st.lists(st.binary(max_size=300), max_size=20))
@example([seeds.BANNER, *seeds.CAPTURED])
@example([b"\r", b"\n\r", b"\n", b"Event: X\r", b"\n\r\n"])
def test_arbitrary_bytes_only_ever_raise_protocol_errors(chunks: list[bytes]) -> None:
    parser = FrameParser(max_frame=512)
    for chunk in chunks:
        try:
            for message in parser.feed(chunk):
                assert message.headers
                message.get("Event")
                message.get_all("Variable")
        except AmiProtocolError:
            pass


@settings(max_examples=500)
@given(st.lists(st.tuples(st.text(), st.text()), max_size=6))
def test_encode_never_emits_a_line_break_inside_a_header(fields: list[tuple[str, str]]) -> None:
    try:
        data = encode_action("Setvar", fields, "1")
    except AmiInjectionError:
        assert any(
            set(k + v) & {"\r", "\n", "\0"}
            or ":" in k
            or not k
            or k.lower() in {"action", "actionid"}
            for k, v in fields
        )
        return
    except UnicodeEncodeError:
        return  # a lone surrogate that is not an escaped byte: refused before sending
    lines = data.split(b"\r\n")
    assert lines[-2:] == [b"", b""]
    assert len(lines) == len(fields) + 4  # Action, ActionID, fields, blank line
    assert all(b"\r" not in line and b"\n" not in line for line in lines)


@pytest.mark.parametrize("seed", seeds.CAPTURED)
def test_captured_frames_round_trip_through_message(seed: bytes) -> None:
    [message] = FrameParser().feed(seed)
    rebuilt = Message(message.headers).text.replace("\n", "\r\n").encode() + b"\r\n\r\n"
    assert rebuilt == seed
