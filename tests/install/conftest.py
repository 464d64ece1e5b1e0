"""The install tier: the package built once per run, and one clean environment holding its wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.install.package import Dists, build, clean_venv


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    return build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory, dists: Dists) -> Path:
    """A virtual environment with only the wheel (and its dependencies) installed."""
    return clean_venv(tmp_path_factory.mktemp("wheel") / "venv", str(dists.wheel))
