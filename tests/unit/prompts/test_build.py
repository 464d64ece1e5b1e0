"""Building prompts with the real espeak-ng and sox: format, content, versions, fast re-runs
and studio recordings."""

from __future__ import annotations

import logging
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ivr.config import Settings
from ivr.names import Prompt
from ivr.prompts import (
    MANIFEST_NAME,
    Manifest,
    ManifestEntry,
    PromptError,
    PromptSource,
    build_prompts,
    prompt_path,
)
from ivr.prompts.audio import file_sha256, wav_info
from ivr.qa.audio import read_wav, tone_power
from tests.unit.config import sample

# Seconds: the short notice should take 10-15 s; allow for the voice's pace.
PLAUSIBLE = {
    Prompt.NOTICE_SHORT: (6.0, 20.0),
    Prompt.NOTICE_FULL: (30.0, 150.0),
    Prompt.OBJECTION_CONFIRMED: (2.0, 12.0),
    Prompt.NOTICE_UNRECORDED: (1.0, 8.0),
}


class Built:
    """What one build reported: which prompts were (re)built and which were kept."""

    def __init__(self) -> None:
        self.built: set[tuple[str, str, Prompt]] = set()
        self.kept: set[tuple[str, str, Prompt]] = set()

    def __call__(self, entry: ManifestEntry, built: bool) -> None:
        (self.built if built else self.kept).add(entry.key)


def build(settings: Settings, out: Path) -> tuple[Manifest, Built]:
    report = Built()
    return build_prompts(settings, out, report=report), report


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path, Manifest]:
    folder = tmp_path_factory.mktemp("prompts")
    settings = sample.settings(folder)
    manifest, _ = build(settings, folder / "sounds")
    return settings, folder / "sounds", manifest


def test_every_prompt_is_8khz_mono_16bit_speech(
    first_build: tuple[Settings, Path, Manifest],
) -> None:
    settings, out, manifest = first_build
    assert len(manifest.entries) == 8  # profile fr: fr and en, four prompts each
    for profile, language, prompt in settings.prompt_keys():
        path = out / language / "ivr-consent" / profile / f"{prompt}.wav"
        info = wav_info(path)
        assert info is not None
        assert (info.rate, info.channels, info.sample_width) == (8000, 1, 2)
        low, high = PLAUSIBLE[prompt]
        assert low < info.duration < high, (path, info.duration)
        pcm = read_wav(path)
        rms = math.sqrt(sum(s * s for s in pcm.samples) / len(pcm.samples))
        assert rms > 300, (path, rms)  # speech, not silence


def test_the_manifest_records_versions_and_files(
    first_build: tuple[Settings, Path, Manifest],
) -> None:
    settings, out, manifest = first_build
    assert Manifest.load(out) == manifest
    for key in settings.prompt_keys():
        entry = manifest.entries[key]
        assert manifest.version(*key) == settings.text_hash(*key)
        assert entry.path == str(prompt_path(*key))
        assert entry.file_sha256 == file_sha256(out / entry.path)
        assert entry.source is PromptSource.ESPEAK
        info = wav_info(out / entry.path)
        assert info is not None
        assert entry.duration == pytest.approx(info.duration, abs=0.001)


def test_a_rerun_rebuilds_nothing(first_build: tuple[Settings, Path, Manifest]) -> None:
    settings, out, manifest = first_build
    again, report = build(settings, out)
    assert report.built == set()
    assert again == manifest


def test_changing_the_object_key_rebuilds_only_what_says_it(tmp_path: Path) -> None:
    out = tmp_path / "sounds"
    before, _ = build(sample.settings(tmp_path), out)
    times = {key: os.stat(out / e.path).st_mtime_ns for key, e in before.entries.items()}
    changed = sample.settings(tmp_path, {"consent": {"keys": {"object": "7"}}})
    after, report = build(changed, out)
    silent = (Prompt.OBJECTION_CONFIRMED, Prompt.NOTICE_UNRECORDED)  # say no key
    says_the_key = {k for k in before.entries if k[2] not in silent}
    assert report.built == says_the_key
    assert report.kept == set(before.entries) - says_the_key
    for key in before.entries:
        assert (after.version(*key) != before.version(*key)) == (key in says_the_key)
        unchanged_file = os.stat(out / after.entries[key].path).st_mtime_ns == times[key]
        assert unchanged_file == (key not in says_the_key)
    assert " 7" in changed.texts("fr", "fr")[Prompt.NOTICE_SHORT]


def test_a_damaged_file_or_new_voice_is_rebuilt(tmp_path: Path) -> None:
    out = tmp_path / "sounds"
    manifest, _ = build(sample.settings(tmp_path), out)
    damaged = manifest.entries["fr", "en", Prompt.OBJECTION_CONFIRMED]
    (out / damaged.path).write_bytes(b"not a wav")
    _, report = build(sample.settings(tmp_path), out)
    assert report.built == {damaged.key}
    _, report = build(sample.settings(tmp_path, {"prompts": {"espeak": {"speed": 170}}}), out)
    assert report.built == set(manifest.entries)


def sox_tone(path: Path, seconds: float, rate: int, channels: int, frequency: int = 440) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *("sox", "-n", "-r", str(rate), "-c", str(channels), "-b", "16", str(path)),
            *("synth", str(seconds), "sine", str(frequency)),
        ],
        check=True,
    )


def test_a_studio_recording_replaces_the_generated_prompt(tmp_path: Path) -> None:
    studio, out = tmp_path / "studio", tmp_path / "sounds"
    settings = sample.settings(tmp_path, {"prompts": {"studio_dir": str(studio)}})
    key = ("fr", "fr", Prompt.OBJECTION_CONFIRMED)
    sox_tone(studio / prompt_path(*key), 2.0, rate=44100, channels=2)
    manifest, report = build(settings, out)
    entry = manifest.entries[key]
    assert entry.source is PromptSource.STUDIO
    assert entry.duration == pytest.approx(2.0, abs=0.01)
    assert manifest.entries["fr", "en", Prompt.OBJECTION_CONFIRMED].source is PromptSource.ESPEAK
    pcm = read_wav(out / entry.path)
    assert pcm.rate == 8000
    assert tone_power(pcm.samples, pcm.rate, 440) > 100 * tone_power(pcm.samples, pcm.rate, 1000)
    assert not entry.studio_outdated
    _, report = build(settings, out)
    assert key not in report.built
    (studio / prompt_path(*key)).unlink()
    manifest, report = build(settings, out)
    assert report.built == {key}
    assert manifest.entries[key].source is PromptSource.ESPEAK


def test_a_studio_file_already_in_asterisk_format_is_copied_as_is(tmp_path: Path) -> None:
    studio, out = tmp_path / "studio", tmp_path / "sounds"
    settings = sample.settings(tmp_path, {"prompts": {"studio_dir": str(studio)}})
    relative = prompt_path("fr", "en", Prompt.NOTICE_SHORT)
    sox_tone(studio / relative, 1.0, rate=8000, channels=1)
    build(settings, out)
    assert (out / relative).read_bytes() == (studio / relative).read_bytes()


def test_a_studio_recording_older_than_its_text_is_flagged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    studio, out = tmp_path / "studio", tmp_path / "sounds"
    key = ("fr", "fr", Prompt.NOTICE_SHORT)
    sox_tone(studio / prompt_path(*key), 1.0, rate=8000, channels=1)
    changes: dict[str, object] = {"prompts": {"studio_dir": str(studio)}}
    build(sample.settings(tmp_path, changes), out)
    changes["consent"] = {"keys": {"object": "7"}}
    with caplog.at_level(logging.WARNING, logger="ivr.prompts"):
        manifest, _ = build(sample.settings(tmp_path, changes), out)
    assert manifest.entries[key].studio_outdated
    assert "studio recording" in caplog.text
    assert Manifest.load(out).entries[key].studio_outdated  # still flagged on later runs


def path_with(tmp_path: Path, *tools: str) -> str:
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        assert found is not None
        (folder / tool).symlink_to(found)
    return str(folder)


@pytest.mark.parametrize(("present", "missing"), [((), "espeak-ng"), (("espeak-ng",), "sox")])
def test_a_missing_tool_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, present: tuple[str, ...], missing: str
) -> None:
    settings = sample.settings(tmp_path)
    monkeypatch.setenv("PATH", path_with(tmp_path, *present))
    with pytest.raises(PromptError, match=f"apt-get install {missing}"):
        build_prompts(settings, tmp_path / "sounds")


def test_an_unknown_voice_is_reported(tmp_path: Path) -> None:
    changes = {"prompts": {"espeak": {"voices": {"en": "zz"}}}}
    with pytest.raises(PromptError, match="espeak-ng \\(en\\) failed"):
        build_prompts(sample.settings(tmp_path, changes), tmp_path / "sounds")


def test_the_default_output_is_the_prompts_folder(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path, {"prompts": {"dir": "sounds"}})
    build_prompts(settings)
    assert (tmp_path / "sounds" / MANIFEST_NAME).is_file()
