"""Reading one TOML table: typed values with defaults, unknown keys refused with a hint, and
every error naming the dotted key and where its value came from (the file or a variable)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ivr.config.errors import ConfigError


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Required()


def shown(value: object) -> str:
    """A value as the administrator wrote it: strings in double quotes, like TOML."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


SECRET_KEYS = frozenset({"secret", "key", "password", "token"})  # values never echoed


def is_secret(key: str) -> bool:
    return key.rsplit(".", 1)[-1] in SECRET_KEYS


def hint(name: str, choices: Iterable[str]) -> str:
    choices = sorted(choices)
    # Short names (languages, profiles) differ by a larger share of their letters per typo.
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5 if len(name) <= 3 else 0.6)
    if close:
        return f"; did you mean {shown(close[0])}?"
    return f"; expected one of: {', '.join(choices)}" if choices else ""


@dataclass(frozen=True)
class Source:
    """Where values come from: one file, plus the keys the environment set."""

    path: Path
    env: Mapping[str, str] = field(default_factory=dict)  # dotted key -> variable

    def error(self, key: str | None, message: str) -> ConfigError:
        variable = self.env.get(key) if key else None
        if variable is not None:
            return ConfigError(message, path=None, key=key, env=variable)
        return ConfigError(message, path=self.path, key=key)

    def resolve(self, value: str) -> Path:
        """Relative paths in the file are relative to the file (the environment's are absolute)."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.path.parent / path


def join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


class Table:
    """One TOML table whose keys are all known in advance."""

    def __init__(
        self, data: object, key: str, source: Source, allowed: Iterable[str] | None
    ) -> None:
        """``allowed`` lists the known keys; ``None`` when the caller checks them itself."""
        if not isinstance(data, Mapping):
            raise source.error(key, f"must be a table, got {shown(data)}")
        self.data: Mapping[str, object] = data
        self.key = key
        self.source = source
        if allowed is None:
            return
        allowed = tuple(allowed)
        for name in data:
            if name not in allowed:
                raise source.error(join(key, name), "unknown key" + hint(name, allowed))

    def __contains__(self, name: str) -> bool:
        return name in self.data

    def at(self, name: str) -> str:
        return join(self.key, name)

    def error(self, name: str, message: str) -> ConfigError:
        return self.source.error(self.at(name), message)

    def got(self, name: str, value: object) -> str:
        """``value`` for an error message, unless ``name`` holds a secret (then only its type)."""
        if is_secret(name):
            return f"a {type(value).__name__} (not shown: it is a secret)"
        return shown(value)

    def table(self, name: str, allowed: Iterable[str] | None) -> Table:
        return Table(self.data.get(name, {}), self.at(name), self.source, allowed)

    def tables(self, name: str, allowed: Iterable[str]) -> dict[str, Table]:
        """A table of tables named by the administrator (languages, profiles), each checked
        against ``allowed``; the caller checks the names."""
        outer = self.table(name, None)
        return {
            inner: Table(value, outer.at(inner), self.source, allowed)
            for inner, value in outer.data.items()
        }

    def _get(self, name: str, default: object) -> object:
        if name in self.data:
            return self.data[name]
        if default is REQUIRED:
            raise self.error(name, "required, not set")
        return default

    def string(self, name: str, default: str | _Required = REQUIRED) -> str:
        value = self._get(name, default)
        if not isinstance(value, str):
            raise self.error(name, f"must be a string, got {self.got(name, value)}")
        if not value.strip():
            raise self.error(name, "must not be empty")
        return value.strip()

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {self.got(name, value)}")
        return value

    def optional_string(self, name: str) -> str | None:
        return self.string(name) if name in self.data else None

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(
                name, f"must be an integer from {low} to {high}, got {self.got(name, value)}"
            )
        return value

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low < value <= high:
            raise self.error(
                name, f"must be a number above {low:g} up to {high:g}, got {self.got(name, value)}"
            )
        return float(value)

    def path(self, name: str, default: Path | _Required = REQUIRED) -> Path:
        if name not in self.data and isinstance(default, Path):
            return default
        return self.source.resolve(self.string(name))

    def optional_path(self, name: str) -> Path | None:
        return self.path(name) if name in self.data else None

    def strings(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self._get(name, list(default))
        if not isinstance(value, list) or not value or not all(isinstance(x, str) for x in value):
            raise self.error(
                name, f"must be a non-empty list of strings, got {self.got(name, value)}"
            )
        if len(set(value)) != len(value):
            raise self.error(name, f"lists a value twice: {self.got(name, value)}")
        return tuple(value)
