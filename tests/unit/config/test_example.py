"""examples/ivr.toml is complete, loads, and documents every environment variable."""

from __future__ import annotations

from pathlib import Path

from ivr.config import ENV_VARS, load_settings
from ivr.config.loader import SECTIONS

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ivr.toml"


def test_the_example_loads() -> None:
    settings = load_settings(EXAMPLE, environ={})
    assert settings.consent.keys.objection == "9"
    assert set(settings.packs) == {("fr", "fr"), ("fr", "en")}


def test_the_example_documents_every_variable_and_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for var in ENV_VARS:
        assert var.name in text
    for section, keys in SECTIONS.items():
        assert f"[{section}]" in text
        for key in keys:
            assert f"{key} =" in text or f"[{section}.{key}]" in text, f"{section}.{key}"
