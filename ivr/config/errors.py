"""The one error of the configuration: it names the file (or the environment variable) and
the dotted key, so an administrator can go straight to the line to fix."""

from __future__ import annotations

from pathlib import Path


class ConfigError(Exception):
    """The configuration cannot be used; ``str()`` reads ``FILE: KEY: what is wrong``.

    ``path`` is the file at fault (``None`` when the value came from the environment, then
    ``env`` names the variable); ``key`` is the dotted key (``None`` for the whole file).
    """

    def __init__(
        self, message: str, *, path: Path | None, key: str | None, env: str | None = None
    ) -> None:
        self.message = message
        self.path = path
        self.key = key
        self.env = env
        super().__init__(self._text())

    def _text(self) -> str:
        if self.env is not None:
            where = f"environment {self.env}" + (f" ({self.key})" if self.key else "")
            return f"{where}: {self.message}"
        parts = [str(self.path) if self.path is not None else "configuration"]
        if self.key:
            parts.append(self.key)
        return ": ".join([*parts, self.message])
