"""The package as users get it: an sdist and a wheel built by ``python -m build``, installed with
pip into a virtual environment that holds nothing else."""

from __future__ import annotations

import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD_DEADLINE = 300.0


@dataclass(frozen=True)
class Dists:
    sdist: Path
    wheel: Path


def run(argv: list[str], *, cwd: Path | None = None) -> str:
    """Run a command; its output in the assertion message when it fails."""
    done = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, timeout=BUILD_DEADLINE, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def build(out: Path) -> Dists:
    """``python -m build``: the sdist, then the wheel built from that sdist (not from the tree),
    so a file missing from the sdist breaks the wheel too."""
    run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)])
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Dists(sdist, wheel)


def clean_venv(folder: Path, *install: str) -> Path:
    """A new virtual environment with only ``install`` (and its dependencies) in it."""
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    run([*pip, "install", *install])
    return folder
