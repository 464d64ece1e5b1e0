"""Running programs for the sandbox, with errors that say which command failed and why."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from ivr.sandbox.errors import SandboxError


def run(argv: Sequence[str], *, what: str, timeout: float = 600, log: Path | None = None) -> str:
    """Run a command to completion; on failure raise naming ``what`` with the output's tail."""
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise SandboxError(f"{what}: {argv[0]} is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise SandboxError(f"{what}: no answer after {timeout:.0f} s ({' '.join(argv)})") from exc
    output = done.stdout + done.stderr
    if log is not None:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"$ {' '.join(argv)}\n{output}\n")
    if done.returncode != 0:
        raise SandboxError(f"{what} failed (exit {done.returncode}):\n{_tail(output)}")
    return done.stdout


def _tail(output: str, lines: int = 15) -> str:
    return "\n".join(output.strip().splitlines()[-lines:])
