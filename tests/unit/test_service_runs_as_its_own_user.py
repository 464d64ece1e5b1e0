"""The service never runs as root: the systemd unit and the Docker image name their own user,
in the group that may read and delete what Asterisk records (issue 15, item 2)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _text(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


def test_the_systemd_unit_runs_the_service_as_ivr_in_asterisks_group() -> None:
    unit = _text("examples/ivr.service")
    assert re.search(r"^User=ivr$", unit, re.M)
    assert re.search(r"^SupplementaryGroups=asterisk$", unit, re.M)


def test_the_service_image_runs_as_its_own_user_not_root() -> None:
    image = _text("docker/ivr/Dockerfile")
    users = re.findall(r"^USER\s+(\S+)", image, re.M)
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    entry = image.index("ENTRYPOINT")
    assert image.rindex("USER", 0, entry) > image.rindex("RUN", 0, entry)


def test_the_service_user_is_in_the_group_that_owns_the_shared_recordings_folder() -> None:
    service = _text("docker/ivr/Dockerfile")
    pbx = _text("docker/pbx/Dockerfile")
    [gid] = re.findall(r"groupadd --system --gid (\d+) asterisk", service)
    assert re.search(r"useradd .*--groups asterisk", service, re.S)
    assert re.search(rf"chgrp {gid} /var/spool/asterisk/monitor", pbx)
    assert "chmod 2770 /var/spool/asterisk/monitor" in pbx  # setgid; the group creates, deletes
