from __future__ import annotations

import math
import wave
from array import array
from pathlib import Path

from ivr.qa.audio import (
    Pcm,
    hears,
    longest_zero_run,
    read_wav,
    wav_frames,
    wav_is_closed,
    zero_runs,
)

RATE = 8000


def tone(hz: float, seconds: float, amplitude: int = 8000) -> array[int]:
    count = int(RATE * seconds)
    return array(
        "h", (int(amplitude * math.sin(2 * math.pi * hz * i / RATE + 0.5)) for i in range(count))
    )


def test_hears_the_tone_that_is_there_and_not_another() -> None:
    pcm = Pcm(tone(440, 0.5), RATE)
    assert hears(pcm, 440)
    assert not hears(pcm, 1000)


def test_silence_holds_no_voice() -> None:
    assert not hears(Pcm(array("h", [0] * RATE), RATE), 440)


def test_longest_zero_run_finds_the_muted_span() -> None:
    samples = tone(440, 0.2) + array("h", [0] * 1200) + tone(440, 0.1) + array("h", [0] * 5)
    assert longest_zero_run(samples) == (1600, 1200)


def test_zero_runs_lists_each_long_enough_silence_in_order() -> None:
    zeros = [array("h", [0] * n) for n in (900, 3, 400, 1600)]
    samples = zeros[0] + tone(440, 0.1) + zeros[1] + tone(440, 0.1) + zeros[2]
    samples += tone(440, 0.1) + zeros[3]
    assert zero_runs(samples, min_length=100) == [900, 400, 1600]
    assert zero_runs(samples)[:3] == [900, 3, 400]
    assert zero_runs(tone(440, 0.2), min_length=100) == []


def test_slice_keeps_the_rate_and_cuts_by_seconds() -> None:
    pcm = Pcm(tone(440, 1.0), RATE)
    part = pcm.slice(0.25, 0.75)
    assert part.rate == RATE
    assert len(part.samples) == RATE // 2


def test_a_wav_is_closed_only_once_its_header_counts_every_sample(tmp_path: Path) -> None:
    path = tmp_path / "r.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(tone(440, 0.1).tobytes())
    assert wav_is_closed(path)
    assert read_wav(path).seconds == 0.1
    with path.open("ab") as grown:  # a writer still appending: header now short
        grown.write(b"\x00\x01" * 10)
    assert not wav_is_closed(path)


def test_a_header_only_wav_is_closed_and_counts_no_frame(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
    assert wav_is_closed(path)
    assert wav_frames(path) == 0
    assert wav_frames(tmp_path / "missing.wav") is None
