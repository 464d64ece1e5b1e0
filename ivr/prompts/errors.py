"""The error of prompt building: it says what to install or fix."""


class PromptError(Exception):
    """Prompts could not be built or read (missing tool, bad audio, unreadable manifest)."""


class ManifestError(PromptError, ValueError):
    """A manifest exists but cannot be read (also a ValueError, like a bad file format)."""
