"""Reading a call's outcome: the ledger's pauses as spans of time, the recording's silences."""

from __future__ import annotations

import wave
from array import array
from pathlib import Path

from ivr.simulate.runner import pause_spans, silences

AT = "2026-11-24T10:00:{:06.3f}+00:00"
BASE = 1795514400.0  # 2026-11-24T10:00:00Z


def event(kind: str, second: float) -> dict[str, object]:
    return {"kind": kind, "at": AT.format(second)}


def test_each_pause_runs_to_its_resume_or_to_the_end_of_the_call() -> None:
    events = [
        event("recording-started", 1.0),
        event("paused", 2.0),
        event("resumed", 5.5),
        event("paused", 7.0),
    ]
    spans = pause_spans(events, AT.format(9.25))
    assert spans == [[BASE + 2.0, BASE + 5.5], [BASE + 7.0, BASE + 9.25]]
    assert pause_spans(events[:2], None) == []  # no end yet: no span to judge
    assert pause_spans([{"kind": "paused", "at": "garbled"}], None) == []


def test_silences_are_the_zero_runs_of_the_recording_longest_first(tmp_path: Path) -> None:
    path = tmp_path / "r.wav"
    loud = array("h", [1000, -1000] * 400)  # 0.1 s
    samples = loud + array("h", [0] * 4000) + loud + array("h", [0] * 12000) + loud
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(samples.tobytes())
    assert silences(path) == [1.5, 0.5]
    path.write_bytes(b"not a wav")
    assert silences(path) == []
