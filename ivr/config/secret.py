"""A secret that never shows itself in a repr, a str, a log line or a traceback's locals."""

from __future__ import annotations


class Secret:
    """Wraps a secret string; ``reveal()`` is the only way to read it."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str) -> None:
        self._value = value
        self.source = source  # where it came from, safe to print: "secret_file /etc/…"

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(<hidden>, source={self.source!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> str:
        # Pickling would write the secret out in clear; nothing in the service needs it.
        raise TypeError("a Secret cannot be pickled")
