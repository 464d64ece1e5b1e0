"""``build_prompts``: every prompt of every enabled profile and language, as a file Asterisk
plays, from a studio recording when there is one, else spoken by espeak-ng. Only what changed
is rebuilt: a prompt is kept when its text, its source and its file are what the manifest says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ivr.config import Settings
from ivr.prompts import audio, modes
from ivr.prompts.errors import PromptError
from ivr.prompts.layout import MANIFEST_NAME, prompt_path
from ivr.prompts.listening import build_listen_prompts
from ivr.prompts.manifest import Manifest, ManifestEntry, PromptKey, PromptSource

log = logging.getLogger(__name__)

Report = Callable[[ManifestEntry, bool], None]  # the entry, and whether it was (re)built


def build_prompts(
    settings: Settings, out_dir: Path | None = None, *, report: Report | None = None
) -> Manifest:
    """Build into ``out_dir`` (default: ``prompts.dir``) and write its manifest."""
    out = settings.prompts.dir if out_dir is None else out_dir
    previous = _previous(out / MANIFEST_NAME)
    entries = {}
    for key in settings.prompt_keys():
        entry, built = _build_one(settings, out, key, previous.entries.get(key))
        entries[key] = entry
        if report is not None:
            report(entry, built)
    manifest = Manifest(entries)
    manifest.save(out / MANIFEST_NAME)
    build_listen_prompts(settings, out)  # the supervisors' refusals, the agents' tones
    return manifest


def _previous(path: Path) -> Manifest:
    try:
        return Manifest.load(path)
    except FileNotFoundError:
        return Manifest({})
    except PromptError as exc:
        log.warning("%s; rebuilding every prompt", exc)
        return Manifest({})


def _build_one(
    settings: Settings, out: Path, key: PromptKey, old: ManifestEntry | None
) -> tuple[ManifestEntry, bool]:
    profile, language, prompt = key
    relative = prompt_path(profile, language, prompt)
    target = out / relative
    studio = _studio_file(settings, str(relative))
    source, source_id = _source(settings, language, studio)
    text_hash = settings.text_hash(*key)
    if old is not None and _unchanged(old, text_hash, source_id, target):
        _publish(out, relative, target)  # built under another umask, or chmod-ed since
        return old, False
    target.parent.mkdir(parents=True, exist_ok=True)
    if studio is not None:
        audio.convert(studio, target)
    else:
        text = settings.texts(profile, language)[prompt]
        audio.synthesize(text, language, settings.prompts.voice, target)
    info = audio.wav_info(target)
    if info is None or not info.asterisk_native:
        raise PromptError(f"{target}: not an 8 kHz mono 16-bit WAV after conversion ({info})")
    entry = ManifestEntry(
        profile,
        language,
        prompt,
        str(relative),
        text_hash,
        audio.file_sha256(target),
        round(info.duration, 3),
        source,
        source_id,
        _recorded_for(old, source_id, text_hash) if studio is not None else None,
    )
    _publish(out, relative, target)
    if entry.studio_outdated:
        log.warning("%s: the text changed since this studio recording was made", studio)
    log.debug("built %s (%s, %.1f s)", relative, source, entry.duration)
    return entry, True


def _publish(out: Path, relative: PurePosixPath, target: Path) -> None:
    modes.publish_folders(out, relative)
    modes.publish_file(target)


def _studio_file(settings: Settings, relative: str) -> Path | None:
    studio_dir = settings.prompts.studio_dir
    if studio_dir is None or not (studio_dir / relative).is_file():
        return None
    return studio_dir / relative


def _source(settings: Settings, language: str, studio: Path | None) -> tuple[PromptSource, str]:
    if studio is not None:
        return PromptSource.STUDIO, audio.file_sha256(studio)
    voice = settings.prompts.voice
    voice_id = f"espeak-ng voice={voice.voice(language)} speed={voice.speed} pitch={voice.pitch}"
    return PromptSource.ESPEAK, voice_id


def _unchanged(old: ManifestEntry, text_hash: str, source_id: str, target: Path) -> bool:
    if (old.text_sha256, old.source_id) != (text_hash, source_id) or not target.is_file():
        return False
    return audio.file_sha256(target) == old.file_sha256


def _recorded_for(old: ManifestEntry | None, source_id: str, text_hash: str) -> str:
    """The text version a studio file was made for: the one current when it first appeared."""
    if old is not None and old.source_id == source_id and old.recorded_for is not None:
        return old.recorded_for
    return text_hash
