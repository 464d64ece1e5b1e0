"""The Asterisk files the product ships in ``dialplan/``, found from a checkout or an install."""

from __future__ import annotations

import sys
from pathlib import Path

import ivr
from ivr.sandbox.errors import SandboxError

# What the sandbox PBX (and the Docker PBX) install, as an administrator would.
DIALPLAN_FILES = ("ivr-consent.conf", "ivr-features.conf", "ivr-outbound.conf", "ivr-listen.conf")


def dialplan_dir() -> Path:
    candidates = (
        Path(ivr.__file__).resolve().parents[1] / "dialplan",  # a checkout
        Path(sys.prefix) / "share" / "ivr" / "dialplan",  # pip install (data-files)
    )
    for candidate in candidates:
        if (candidate / DIALPLAN_FILES[0]).is_file():
            return candidate
    raise SandboxError(
        f"the shipped dialplan is missing; looked in {', '.join(map(str, candidates))}"
    )


def dialplan_files() -> dict[str, str]:
    folder = dialplan_dir()
    return {name: (folder / name).read_text(encoding="utf-8") for name in DIALPLAN_FILES}
