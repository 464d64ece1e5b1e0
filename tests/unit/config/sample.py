"""A small valid configuration as a dict, changed per test and written as TOML."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ivr.config import Settings, load_settings

DROP = object()  # as a value in changes: remove the key

SECRET = "s3cret-value-never-shown"

BASE: dict[str, Any] = {
    "ami": {"secret": SECRET},
    "http": {"public_url": "https://calls.example.org/legal-notice"},
    "controller": {"name": "Acme", "contact": "01 02 03 04 05", "dpo": "dpo@acme.example"},
    "notice": {
        "fr": {
            "purposes": "la formation des conseillers",
            "legal_basis": "l'intérêt légitime",
            "recipients": "le service qualité",
            "retention": "six mois",
        },
        "en": {
            "purposes": "training our advisers",
            "legal_basis": "legitimate interest",
            "recipients": "the quality team",
            "retention": "six months",
        },
    },
}


def merged(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(dict(base))
    for key, value in changes.items():
        if value is DROP:
            result.pop(key, None)
        elif isinstance(value, Mapping):
            result[key] = merged(result.get(key) or {}, value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def dumps(data: Mapping[str, Any], prefix: str = "") -> str:
    scalars = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    lines = [f"[{prefix}]"] if prefix and (scalars or not tables) else []
    lines += [f"{_key(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in scalars.items()]
    for key, table in tables.items():
        lines.append(dumps(table, f"{prefix}.{_key(key)}" if prefix else _key(key)))
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def write(folder: Path, changes: Mapping[str, Any] | None = None, name: str = "ivr.toml") -> Path:
    path = folder / name
    path.write_text(dumps(merged(BASE, changes or {})), encoding="utf-8")
    return path


def settings(
    folder: Path, changes: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    return load_settings(write(folder, changes), environ={} if environ is None else environ)
