"""``ivr sandbox`` as an administrator or QA engineer uses it, on the real rootfs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.sandbox import layout, mounts
from ivr.sandbox.layout import READY_MARKER
from tests.support.fixtures import connect
from tests.support.targets import Target, sandbox_prefix

pytestmark = pytest.mark.pbx

NAME = sandbox_prefix("cli")
QA_DIALPLAN = """\
[from-carrier](+)
exten => qa-hello,1,Answer()
 same => n,Hangup()
"""


def ivr(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivr", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def pid_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.split(") ", 1)[1][0] != "Z"


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    include = tmp_path_factory.mktemp("qa") / "qa-dialplan.conf"
    include.write_text(QA_DIALPLAN)
    done = ivr("sandbox", "up", "--name", NAME, "--include", str(include))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, "up prints exactly one JSON line"
    yield json.loads(lines[0])
    ivr("sandbox", "down", "--name", NAME)


def test_up_prints_what_a_client_needs(started: dict[str, object]) -> None:
    for key in ("ami_host", "ami_port", "ami_username", "ami_secret", "sip_port", "name"):
        assert started[key], key
    assert started["name"] == NAME
    assert Path(str(started["recordings_dir"])).is_dir()


async def test_ami_login_works_with_the_printed_credentials(started: dict[str, object]) -> None:
    client = await connect(Target.from_json(started))
    try:
        assert (await client.action("Ping")).get("Ping") == "Pong"
    finally:
        await client.close()


def test_up_twice_does_not_start_a_second_asterisk(started: dict[str, object]) -> None:
    again = ivr("sandbox", "up", "--name", NAME)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["pid"] == started["pid"]


def test_status_lists_the_running_instance(started: dict[str, object]) -> None:
    listed = [json.loads(line) for line in ivr("sandbox", "status").stdout.splitlines()]
    mine = next(entry for entry in listed if entry["name"] == NAME)
    assert mine["running"] is True
    assert mine["pid"] == started["pid"]


def test_an_included_dialplan_is_live(started: dict[str, object]) -> None:
    shown = ivr("sandbox", "cli", "--name", NAME, "dialplan show qa-hello@from-carrier")
    assert shown.returncode == 0, shown.stderr
    assert "qa-hello" in shown.stdout
    assert "Answer()" in shown.stdout


def test_cli_on_an_unknown_instance_names_it() -> None:
    done = ivr("sandbox", "cli", "--name", "no-such-instance", "core show version")
    assert done.returncode == 2
    assert "no-such-instance" in done.stderr


def test_down_leaves_no_process_and_no_mount(started: dict[str, object]) -> None:
    done = ivr("sandbox", "down", "--name", NAME)
    assert done.returncode == 0, done.stderr
    assert not pid_alive(int(str(started["pid"])))
    assert mounts.mounts_under(layout.rootfs_dir()) == []
    listed = [json.loads(line) for line in ivr("sandbox", "status").stdout.splitlines()]
    assert next(e for e in listed if e["name"] == NAME)["running"] is False


def test_offline_provisioning_fails_clearly_and_a_half_built_rootfs_is_never_used(
    tmp_path: Path,
) -> None:
    half_built = tmp_path / "rootfs.partial"
    (half_built / "etc").mkdir(parents=True)
    stale = tmp_path / "rootfs"
    (stale / "usr").mkdir(parents=True)  # no ready marker: a build that never finished
    env = os.environ | {
        layout.CACHE_ENV: str(tmp_path),
        "IVR_DEBIAN_MIRROR": "http://127.0.0.1:9/debian",  # nothing listens there
    }
    done = ivr("sandbox", "up", "--name", "offline", env=env)
    assert done.returncode == 2
    assert "could not bootstrap Debian sid" in done.stderr
    assert "docker compose" in done.stderr
    assert not (stale / "usr").exists(), "the unfinished rootfs must be discarded"
    assert not (tmp_path / "rootfs" / READY_MARKER).exists()


def test_a_running_instance_keeps_its_ami_secrets_private(started: dict[str, object]) -> None:
    paths = layout.instance_paths(NAME)
    assert oct(paths.host.stat().st_mode & 0o777) == "0o700"
    for secret_file in (paths.etc_host / "manager.conf", paths.state_file):
        assert oct(secret_file.stat().st_mode & 0o777) == "0o600", secret_file
    assert str(started["ami_secret"]) in (paths.etc_host / "manager.conf").read_text()
