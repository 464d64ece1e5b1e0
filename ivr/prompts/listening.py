"""What the supervisor and the agent hear of live listening, built with the consent prompts
(``ivr prompts build``) into ``<sounds>/ivr-listen/``, which Asterisk finds whatever the
channel's language (the supervisor's phone may have any): one spoken refusal per reason,
from [listening] texts, and the agent's tones (a rising pair of beeps as a supervisor joins,
a falling pair as they leave: told apart by ear, and by frequency in the tests).

A prompt is rebuilt only when its text changed (its sha256 is kept beside it) or it is gone.
"""

from __future__ import annotations

import hashlib
import math
import wave
from array import array
from pathlib import Path, PurePosixPath

from ivr.config import Settings
from ivr.names import LISTEN_PROMPT_FOLDER
from ivr.prompts import audio, modes

RATE = 8000
JOIN_HZ = (1400.0, 1800.0)  # the agent's tone as a supervisor joins
LEAVE_HZ = (1800.0, 1400.0)  # and as they leave
BEEP_S, GAP_S, LEVEL = 0.18, 0.07, 8000


def folder(sounds: Path) -> Path:
    return sounds / LISTEN_PROMPT_FOLDER


def build_listen_prompts(settings: Settings, out: Path) -> list[Path]:
    """Every listening prompt into ``out`` (the sounds folder); the files (re)built."""
    listening = settings.listening
    target = folder(out)
    target.mkdir(parents=True, exist_ok=True)
    built = []
    for name, text in listening.texts.items():
        path = target / f"{name}.wav"
        if _stale(path, text):
            audio.synthesize(text, listening.language, settings.prompts.voice, path)
            _remember(path, text)
            built.append(path)
    for name, pitches in (("join", JOIN_HZ), ("leave", LEAVE_HZ)):
        path = target / f"{name}.wav"
        if _stale(path, repr(pitches)):
            write_beeps(path, pitches)
            _remember(path, repr(pitches))
            built.append(path)
    modes.publish_folders(out, PurePosixPath(LISTEN_PROMPT_FOLDER, "-"))
    for path in target.iterdir():
        modes.publish_file(path)
    return built


def write_beeps(path: Path, pitches: tuple[float, ...]) -> None:
    """8 kHz mono 16-bit, as Asterisk plays natively."""
    samples = array("h")
    for pitch in pitches:
        samples.extend(_sine(pitch, BEEP_S))
        samples.extend([0] * int(RATE * GAP_S))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())


def _sine(pitch: float, seconds: float) -> array[int]:
    count = int(RATE * seconds)
    return array("h", (int(LEVEL * math.sin(2 * math.pi * pitch * n / RATE)) for n in range(count)))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stale(path: Path, text: str) -> bool:
    sidecar = path.with_suffix(".sha256")
    return not (path.is_file() and sidecar.is_file() and sidecar.read_text() == _digest(text))


def _remember(path: Path, text: str) -> None:
    path.with_suffix(".sha256").write_text(_digest(text), encoding="utf-8")
