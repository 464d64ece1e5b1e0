"""Caller-controlled strings are stored faithfully whatever they hold, and never crash."""

from __future__ import annotations

import pytest

from ivr.ledger import EventKind, KeptRecording, Ledger
from ivr.ledger.codec import unescape_text
from ivr.names import Decision, Source
from tests.unit.ledger.conftest import at

HOSTILE = {
    "crlf": "Jean\r\nDupont\r",
    "nul": "\x00a\x00\x00",
    "ami": "x\r\nAction: Originate\r\nChannel: Local/666@evil\r\nApplication: System\r\n\r\n",
    "long": "é" * 10 * 1024,
    "surrogates": "M\udcfcller \udcff\udc80",
    "pair-as-two": "\ud83d\ude00",
    "emoji": "😀 名前",
    "escape-lookalike": "\\u0000 \\\\ \\x00 \\",
    "sql": "'); DROP TABLE calls; --",
    "terminal": "\x1b[2J\x1b]0;pwned\x07\u202e",
    "empty": "",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_strings_round_trip_exactly(ledger: Ledger, text: str) -> None:
    call_id = "id" + text
    ledger.start_call(
        call_id,
        started_at=at(0),
        caller_number=text,
        caller_name=text,
        profile=text,
        language=text,
        notice_hash=text,
    )
    ledger.add_event(
        call_id,
        at=at(1),
        kind=EventKind.OBJECTED,
        source=Source.CALLER,
        detail={text: text, "n": text},
    )
    recording = KeptRecording("/rec/" + text, 1.0, "0" * 64)
    ledger.finish_call(call_id, ended_at=at(2), decision=Decision.KEPT, recording=recording)

    call = ledger.get_call(call_id)
    assert call is not None
    assert call.call_id == call_id
    assert call.caller_number == call.caller_name == text
    assert call.profile == call.language == call.notice_hash == text
    assert call.events[0].detail == {text: text, "n": text}
    assert call.recording == recording
    [summary] = ledger.list_calls()
    assert (summary.call_id, summary.caller_name) == (call_id, text)
    assert _raw_caller_name(ledger) == text


def _raw_caller_name(ledger: Ledger) -> str:
    """What another tool reads (sqlite3, psql): NUL-free text that unescapes to the original."""
    query = "SELECT caller_name, length(caller_name) FROM calls"
    stored, length = ledger._connection().execute(query).fetchone()
    assert "\x00" not in stored
    assert length == len(stored)
    return unescape_text(stored)


def test_ids_that_differ_only_by_escaping_stay_apart(ledger: Ledger) -> None:
    ids = ["a\x00", "a\\u0000", "a\\", "a\udc00", "a\\udc00"]
    for n, call_id in enumerate(ids):
        ledger.start_call(
            call_id,
            started_at=at(n),
            caller_number=None,
            caller_name=None,
            profile="fr",
            language="fr",
        )
    assert sorted(c.call_id for c in ledger.list_calls()) == sorted(ids)
    for call_id in ids:
        call = ledger.get_call(call_id)
        assert call is not None
        assert call.call_id == call_id
