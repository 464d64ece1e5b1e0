"""Packaging as users install: ``python -m build`` makes an sdist and a wheel, the wheel installs
into a clean environment, and so does a plain ``pip install .`` of a checkout; each puts the
``ivr`` command on the path and the dialplan files where docs/admin.md copies them from."""

from __future__ import annotations

import subprocess
import tarfile
import tomllib
from pathlib import Path

import pytest

from tests.install.package import REPO, Dists, clean_venv, run

pytestmark = [pytest.mark.install, pytest.mark.timeout(600)]

DIALPLAN = ("ivr-consent.conf", "ivr-features.conf", "manager-ivr.conf", "modules-ivr.conf")
EXAMPLES = ("ivr.toml", "ivr.service")
ADMIN_DOC = REPO / "docs" / "admin.md"


def assert_installed_as_documented(venv: Path) -> None:
    assert "consent service" in run([str(venv / "bin" / "ivr"), "--help"])
    share = venv / "share" / "ivr"
    for name in DIALPLAN:
        assert (share / "dialplan" / name).read_bytes() == (REPO / "dialplan" / name).read_bytes()
    for name in EXAMPLES:
        assert (share / "examples" / name).is_file(), name
    # The sandbox (and the Docker image) find the installed copy, not a checkout's.
    found = run([str(venv / "bin" / "python"), "-I", "-c", FIND_DIALPLAN]).strip()
    assert Path(found) == share / "dialplan"


FIND_DIALPLAN = "from ivr.sandbox.shipped import dialplan_dir; print(dialplan_dir())"


def test_the_sdist_holds_the_package_the_dialplan_and_the_examples(dists: Dists) -> None:
    with tarfile.open(dists.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    wanted = {f"dialplan/{name}" for name in DIALPLAN} | {f"examples/{n}" for n in EXAMPLES}
    wanted |= {"README.md", "pyproject.toml", "ivr/cli/main.py", "ivr/config/shipped/fr/fr.toml"}
    assert wanted <= names, sorted(wanted - names)


def test_the_wheel_installs_into_a_clean_venv_with_the_dialplan_where_the_docs_say(
    wheel_venv: Path,
) -> None:
    assert_installed_as_documented(wheel_venv)
    # docs/admin.md names the same folder, below the venv it tells administrators to make.
    assert "cd /opt/ivr/venv/share/ivr/dialplan\n" in ADMIN_DOC.read_text(encoding="utf-8")


def test_the_installed_example_configuration_passes_config_check(wheel_venv: Path) -> None:
    example = wheel_venv / "share" / "ivr" / "examples" / "ivr.toml"
    out = run([str(wheel_venv / "bin" / "ivr"), "config", "check", "--config", str(example)])
    assert "valid" in out


def test_pip_install_dot_from_a_fresh_checkout(tmp_path: Path) -> None:
    """What docs/admin.md says and the Docker image does: a plain, non-editable install."""
    checkout = tmp_path / "checkout"
    files = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            (checkout / name).write_bytes(source.read_bytes())
    venv = clean_venv(tmp_path / "venv", str(checkout))
    assert_installed_as_documented(venv)


def test_the_service_image_copies_everything_pip_install_dot_reads() -> None:
    """docker/ivr/Dockerfile runs `pip install .` on what it copied: the package, its readme and
    every file pyproject.toml installs (the test above builds from a full checkout)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    needed = {"pyproject.toml", project["project"]["readme"], "ivr"}
    for patterns in project["tool"]["setuptools"]["data-files"].values():
        needed |= {pattern.split("/")[0] for pattern in patterns}
    dockerfile = (REPO / "docker" / "ivr" / "Dockerfile").read_text(encoding="utf-8")
    copied = set()
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            copied |= {source.rstrip("/") for source in line.split()[1:-1]}
    assert needed <= copied, sorted(needed - copied)
