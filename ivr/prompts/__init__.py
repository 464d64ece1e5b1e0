"""Prompts: the notices rendered from the configuration, spoken by espeak-ng or taken from
studio recordings, converted to what Asterisk plays natively, with a manifest of versions."""

from ivr.prompts.build import Report, build_prompts
from ivr.prompts.errors import ManifestError, PromptError
from ivr.prompts.layout import MANIFEST_NAME, playback_name, prompt_path
from ivr.prompts.manifest import Manifest, ManifestEntry, PromptKey, PromptSource

__all__ = [
    "MANIFEST_NAME",
    "Manifest",
    "ManifestEntry",
    "ManifestError",
    "PromptError",
    "PromptKey",
    "PromptSource",
    "Report",
    "build_prompts",
    "playback_name",
    "prompt_path",
]
