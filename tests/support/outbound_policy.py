"""The ``[outbound]`` policy a test's configuration carries, built from a few names instead of
TOML pasted into each module: an open profile (the French rules at every hour, no holidays, no
consent cut-off, no list to screen against), profiles derived from it, and their campaigns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from ivr.outbound.windows import WEEKDAYS

Value = str | int | date | Sequence[str] | Mapping[str, Sequence[str]]
EVERY_HOUR = {day: ["00:00-24:00"] for day in WEEKDAYS}


def fail_open() -> str:
    """The guard published as fail-open: an outbound call goes on while it cannot answer."""
    return "\n[outbound]\nfail_open = true\n"


def open_profile(name: str, *, every_hour: bool = True, required_lists: Sequence[str] = ()) -> str:
    """``every_hour=False``: the French base's own hours."""
    hours: dict[str, Value] = {"hours": EVERY_HOUR} if every_hour else {}
    settings: dict[str, Value] = {"base": "fr", **hours, "holidays": "none"}
    settings |= {"consent_from": "never", "required_lists": required_lists}
    return _table(f"outbound.profiles.{name}", settings)


def profile(name: str, **settings: Value) -> str:
    """A profile with these settings (``base=`` names the profile it derives from)."""
    return _table(f"outbound.profiles.{name}", settings)


def campaign(name: str, *, profile: str = "", professional: str = "QA SA") -> str:
    """A campaign under the profile of its own name unless ``profile`` names another."""
    settings: dict[str, Value] = {"profile": profile or name, "professional": professional}
    return _table(f"outbound.campaigns.{name}", settings)


def _table(header: str, settings: Mapping[str, Value]) -> str:
    lines = (f"{key} = {_toml(value)}" for key, value in settings.items())
    return f"\n[{header}]\n" + "\n".join(lines) + "\n"


def _toml(value: Value) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int | date):
        return str(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(_toml(item) for item in value) + "]"
