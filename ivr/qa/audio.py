"""Reading recordings and checking what is in them: whose voice, and where it is silent.

Voices in tests are pure tones (the caller at one frequency, the agent at another), so the
Goertzel algorithm tells who is audible in each slice of a recording.
"""

from __future__ import annotations

import math
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from ivr.recordings import wav


@dataclass(frozen=True)
class Pcm:
    """Mono 16-bit samples and their rate."""

    samples: array[int]
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    def slice(self, start_s: float, end_s: float) -> Pcm:
        return Pcm(self.samples[int(start_s * self.rate) : int(end_s * self.rate)], self.rate)


def read_wav(path: Path) -> Pcm:
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{path}: expected mono 16-bit PCM")
        samples = array("h", wav.readframes(wav.getnframes()))
        return Pcm(samples, wav.getframerate())


# The recording's own header checks live with the recordings; QA reads them from there.
wav_is_closed = wav.is_closed
wav_frames = wav.frames


def tone_power(samples: array[int], rate: int, frequency: float) -> float:
    """Goertzel: the relative power of ``frequency`` in ``samples`` (0 for silence)."""
    if not samples:
        return 0.0
    coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
    previous, before = 0.0, 0.0
    for sample in samples:
        previous, before = sample + coefficient * previous - before, previous
    power = previous * previous + before * before - coefficient * previous * before
    return power / (len(samples) ** 2)


def hears(pcm: Pcm, frequency: float, *, threshold: float = 1e4) -> bool:
    return tone_power(pcm.samples, pcm.rate, frequency) > threshold


def longest_zero_run(samples: array[int]) -> tuple[int, int]:
    """(start index, length) of the longest run of exactly-zero samples."""
    best_start, best_length, start = 0, 0, -1
    for index, sample in enumerate(samples):
        if sample == 0:
            if start < 0:
                start = index
            if index - start + 1 > best_length:
                best_start, best_length = start, index - start + 1
        else:
            start = -1
    return best_start, best_length


def zero_runs(samples: array[int], min_length: int = 1) -> list[int]:
    """Lengths of the runs of exactly-zero samples at least ``min_length`` long, in order."""
    runs, length = [], 0
    for sample in samples:
        if sample == 0:
            length += 1
            continue
        if length >= min_length:
            runs.append(length)
        length = 0
    if length >= min_length:
        runs.append(length)
    return runs
