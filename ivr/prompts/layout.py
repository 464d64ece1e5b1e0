"""Where prompts live below Asterisk's sounds folder, and how the dialplan names them.

Asterisk picks ``sounds/<language>/`` from the channel's language, so a prompt is at
``<sounds>/<language>/ivr-consent/<profile>/<prompt>.wav`` and the dialplan plays
``ivr-consent/<profile>/<prompt>`` with ``CHANNEL(language)`` set.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from ivr.names import PROMPT_FOLDER, Prompt

MANIFEST_NAME = "ivr-consent-manifest.json"


def prompt_path(profile: str, language: str, prompt: Prompt) -> PurePosixPath:
    """The prompt's file, relative to the sounds folder (and to the studio folder)."""
    return PurePosixPath(language, PROMPT_FOLDER, profile, f"{prompt}.wav")


def playback_name(profile: str, prompt: Prompt) -> str:
    """What ``Playback()``/``Background()`` take: no language, no extension."""
    return f"{PROMPT_FOLDER}/{profile}/{prompt}"
