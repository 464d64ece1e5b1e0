"""FrameParser and encode_action: example-based tests on real and Asterisk-shaped frames."""

from __future__ import annotations

import random

import pytest

from ivr.ami import AmiInjectionError, AmiProtocolError, FrameParser, Message, encode_action
from tests.unit.ami import seeds


def feed_all(parser: FrameParser, chunks: list[bytes]) -> list[Message]:
    return [message for chunk in chunks for message in parser.feed(chunk)]


def bytewise(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


STREAM = seeds.BANNER + seeds.LOGIN_OK + b"".join(seeds.CAPTURED) + seeds.COMMAND_OUTPUT


def test_whole_stream_in_one_chunk() -> None:
    parser = FrameParser()
    messages = parser.feed(STREAM)
    assert parser.banner == "Asterisk Call Manager/11.0.0"
    assert [m.name for m in messages] == [
        None,
        "FullyBooted",
        "Newchannel",
        "TestEvent",
        "DTMFEnd",
        "Hangup",
        "VarSet",
        None,
    ]
    assert messages[0].is_response
    assert messages[0].action_id == "1"
    assert messages[4].get("Digit") == "9"


def test_split_at_every_byte_gives_the_same_messages() -> None:
    expected = FrameParser().feed(STREAM)
    assert feed_all(FrameParser(), bytewise(STREAM)) == expected


@pytest.mark.parametrize("seed", range(20))
def test_random_chunking_gives_the_same_messages(seed: int) -> None:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(STREAM)), 30))
    chunks = [STREAM[a:b] for a, b in zip([0, *cuts], [*cuts, len(STREAM)], strict=True)]
    assert feed_all(FrameParser(), chunks) == FrameParser().feed(STREAM)


def test_utf8_character_split_across_reads() -> None:
    data = seeds.UTF8_EVENT
    cut = data.index("ë".encode()) + 1  # between the two bytes of "ë"
    messages = feed_all(FrameParser(), [data[:cut], data[cut:]])
    assert messages[0].get("CallerIDName") == "Zoë Ærø"
    assert feed_all(FrameParser(), bytewise(data))[0].get("CallerIDName") == "Zoë Ærø"


def test_invalid_utf8_survives_and_round_trips() -> None:
    [message] = FrameParser().feed(seeds.LATIN1_EVENT)
    name = message.get("CallerIDName")
    assert name == "Ren\udce9"
    assert b"CallerIDName: Ren\xe9\r\n" in encode_action("Setvar", [("CallerIDName", name)], "1")


def test_repeated_headers_are_kept_in_order() -> None:
    [message] = FrameParser().feed(seeds.CAPTURED_TEST_EVENT)
    assert message.get_all("State") == ["CallIDChange", "CallIDChange"]
    assert [key for key, _ in message.headers].count("State") == 2
    assert message.get("PriorCallID") == ""


def test_command_output_asterisk22_style() -> None:
    [message] = FrameParser().feed(seeds.COMMAND_OUTPUT)
    assert message.get("Message") == "Command output follows"
    assert message.get_all("output") == [
        "Channel              Location             State   Application(Data)",
        "Local/s@consent-0000 s@consent:2          Up      Playback(consent/notice)",
        "1 active channel",
        "",
    ]


def test_bare_lf_and_extra_blank_lines_are_tolerated() -> None:
    data = b"\n\nEvent: A\nX: 1\n\n\n\n\r\n\r\nEvent: B\r\nY: 2\n\n\n"
    messages = feed_all(FrameParser(), bytewise(data))
    assert [(m.name, m.headers[1]) for m in messages] == [("A", ("X", "1")), ("B", ("Y", "2"))]


def test_lines_without_colon_space() -> None:
    data = b"Event: Odd\r\nEmpty:\r\nTight:value\r\nSpaced:  two\r\nURL: sip:1@h:5060\r\n"
    data += b"--END COMMAND--\r\n\r\n"
    [message] = FrameParser().feed(data)
    assert message.headers[1:] == (
        ("Empty", ""),
        ("Tight", "value"),
        ("Spaced", " two"),
        ("URL", "sip:1@h:5060"),
        ("", "--END COMMAND--"),
    )


def test_banner_only_at_stream_start() -> None:
    parser = FrameParser()
    assert feed_all(parser, bytewise(seeds.BANNER)) == []
    assert parser.banner == "Asterisk Call Manager/11.0.0"
    [message] = parser.feed(b"Asterisk Call Manager/11.0.0\r\n\r\n")
    assert message.headers == (("", "Asterisk Call Manager/11.0.0"),)


def test_no_banner_is_fine() -> None:
    parser = FrameParser()
    assert parser.feed(seeds.CAPTURED_HANGUP)[0].name == "Hangup"
    assert parser.banner is None


def test_large_frame_below_the_cap() -> None:
    lines = b"".join(b"Output: %06d " % i + b"x" * 90 + b"\r\n" for i in range(2000))
    data = b"Response: Success\r\nActionID: 9\r\n" + lines + b"\r\n"
    assert len(data) > 64 * 1024
    parser = FrameParser()
    messages = feed_all(parser, [data[i : i + 4096] for i in range(0, len(data), 4096)])
    assert len(messages[0].get_all("Output")) == 2000


def test_oversized_frame_raises_and_does_not_grow() -> None:
    parser = FrameParser(max_frame=1000)
    parser.feed(b"Event: Big\r\n" + b"Output: " + b"y" * 900 + b"\r\n")
    with pytest.raises(AmiProtocolError, match="larger than 1000 bytes"):
        parser.feed(b"Output: " + b"y" * 100 + b"\r\n")
    for _ in range(100):  # the rest of the oversized frame is skipped, not buffered
        assert parser.feed(b"Output: " + b"y" * 100 + b"\r\n") == []
        assert len(parser._buffer) <= 1
    messages = parser.feed(b"\r\n" + seeds.CAPTURED_HANGUP)
    assert [m.name for m in messages] == ["Hangup"]


def test_oversized_frame_in_a_single_chunk() -> None:
    parser = FrameParser(max_frame=1000)
    big = b"Event: Big\r\n" + b"Output: " + b"z" * 2000 + b"\r\n\r\n"
    with pytest.raises(AmiProtocolError, match="exceeds 1000"):
        parser.feed(big)
    assert parser.feed(seeds.CAPTURED_VARSET)[0].name == "VarSet"


def test_garbage_never_raises_anything_but_protocol_errors() -> None:
    rng = random.Random(7)
    parser = FrameParser(max_frame=4096)
    for _ in range(300):
        chunk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        try:
            for message in parser.feed(chunk):
                assert message.headers
        except AmiProtocolError:
            pass


def test_crlf_split_between_chunks() -> None:
    data = seeds.CAPTURED_VARSET
    for cut in range(1, len(data)):
        assert feed_all(FrameParser(), [data[:cut], data[cut:]])[0].get("Value") == "SUCCESS"


def test_real_capture_head_matches_a_naive_split() -> None:
    data = seeds.capture_head(2_000_000)
    data = data[: data.rindex(b"\r\n\r\n") + 4]
    naive = [
        [tuple(line.split(": ", 1)) for line in frame.decode().split("\r\n")]
        for frame in data.split(b"\r\n\r\n")[:-1]
    ]
    rng = random.Random(1)
    chunks, at = [], 0
    while at < len(data):
        step = rng.randrange(1, 70_000)
        chunks.append(data[at : at + step])
        at += step
    parsed = [list(m.headers) for m in feed_all(FrameParser(), chunks)]
    assert parsed == naive


# -- encode_action -------------------------------------------------------------------------


def test_encode_with_repeated_keys() -> None:
    fields = [("Channel", "Local/s@consent"), ("Variable", "A=1"), ("Variable", "B=2")]
    assert encode_action("Originate", fields, "42") == (
        b"Action: Originate\r\nActionID: 42\r\nChannel: Local/s@consent\r\n"
        b"Variable: A=1\r\nVariable: B=2\r\n\r\n"
    )


def test_encode_mapping_and_none() -> None:
    assert encode_action("Ping", None, "x") == b"Action: Ping\r\nActionID: x\r\n\r\n"
    assert encode_action("Getvar", {"Variable": "Zoë"}, "x").endswith("Zoë\r\n\r\n".encode())


@pytest.mark.parametrize(
    "fields",
    [
        {"CallerID": "evil\r\nAction: Hangup"},
        {"CallerID": "evil\nAction: Hangup"},
        {"CallerID": "evil\rx"},
        {"CallerID": "nul\0"},
        {"Bad\r\nKey": "v"},
        {"Bad:Key": "v"},
        {"": "v"},
        {"ActionID": "hijack"},
        {"action": "Hangup"},
    ],
)
def test_encode_refuses_injection(fields: dict[str, str]) -> None:
    with pytest.raises(AmiInjectionError) as caught:
        encode_action("Originate", fields, "1")
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("name", "action_id"), [("Ping\r\nAction: Hangup", "1"), ("Ping", "1\n")])
def test_encode_refuses_injection_in_name_and_id(name: str, action_id: str) -> None:
    with pytest.raises(AmiInjectionError):
        encode_action(name, None, action_id)
