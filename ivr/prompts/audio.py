"""The external tools: espeak-ng speaks, sox makes what Asterisk plays natively as ``.wav``
(8 kHz, mono, 16-bit signed PCM). Files are written aside and renamed, never seen half-done."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ivr.config import VoiceSettings
from ivr.prompts.errors import PromptError

RATE = 8000
_TIMEOUT = 120.0


@dataclass(frozen=True)
class WavInfo:
    rate: int
    channels: int
    sample_width: int  # bytes
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.rate

    @property
    def asterisk_native(self) -> bool:
        return (self.rate, self.channels, self.sample_width) == (RATE, 1, 2) and self.frames > 0


def wav_info(path: Path) -> WavInfo | None:
    """The file's format, or None when it is not a PCM WAV the ``wave`` module reads."""
    try:
        with wave.open(str(path), "rb") as wav:
            return WavInfo(
                wav.getframerate(), wav.getnchannels(), wav.getsampwidth(), wav.getnframes()
            )
    except (OSError, EOFError, wave.Error):
        return None


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def synthesize(text: str, language: str, voice: VoiceSettings, target: Path) -> None:
    """Speak ``text`` with espeak-ng into ``target``, in Asterisk's format."""
    espeak = _tool("espeak-ng", "espeak-ng")
    with tempfile.TemporaryDirectory(prefix="ivr-prompt-") as folder:
        raw = Path(folder) / "speech.wav"
        argv = [espeak, "-v", voice.voice(language), "-s", str(voice.speed)]
        argv += ["-p", str(voice.pitch), "-b", "1", "-w", str(raw), "--stdin"]
        _run(argv, f"espeak-ng ({language})", stdin=text)
        convert(raw, target)


def convert(source: Path, target: Path) -> None:
    """Make ``target`` an 8 kHz mono 16-bit copy of ``source``; a copy if it already is one."""
    aside = target.with_name(f".{target.name}.part")
    info = wav_info(source)
    if info is not None and info.asterisk_native:
        shutil.copyfile(source, aside)
    else:
        sox = _tool("sox", "sox")
        argv = [sox, "-q", str(source), "-t", "wav", "-r", str(RATE), "-c", "1", "-b", "16"]
        _run([*argv, "-e", "signed-integer", str(aside)], f"sox ({source.name})")
    os.replace(aside, target)


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise PromptError(
            f"{name} is not installed; it is needed to build prompts: "
            f"install the Debian package {package} (apt-get install {package})"
        )
    return found


def _run(argv: Sequence[str], what: str, stdin: str | None = None) -> None:
    try:
        done = subprocess.run(
            list(argv),
            input=stdin,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PromptError(f"{what}: no result after {_TIMEOUT:g} s") from None
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        raise PromptError(f"{what} failed (exit {done.returncode}): {output}")
