"""The recordings folder fills up mid-call (a 2 MiB tmpfs mounted over the test PBX's folder):
calls go on, an objection is still honoured and recorded, the truncated recording is an ERROR
in the ledger, and /healthz and /metrics say the folder is full until room is made."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from ivr.qa.carrier import Carrier
from tests.faults.test_pbx_restart import health
from tests.support.calls import channel_names, hang_up_everything
from tests.support.consent_calls import ConsentCall, event_kinds, ledger_entry, place, poll
from tests.support.service import ServiceProcess
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.slow, pytest.mark.timeout(240)]

SIZE = 2 * 1024 * 1024
ROOM = 96 * 1024  # what is left once the filler is written: a few seconds of two recordings
FILLER = "flt-filler.bin"
LONG_AFTER_FULL = 6.0  # seconds; 3 s left 0.2 s of margin when one call took all the room


@contextmanager
def small_filesystem(folder: Path) -> Iterator[None]:
    """A tmpfs of SIZE over ``folder`` (the chrooted PBX sees it too), always unmounted."""
    mount = ["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0755", "flt-recordings", str(folder)]
    subprocess.run(mount, check=True)
    try:
        yield
    finally:
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


@pytest_asyncio.fixture
async def full_folder(pbx_target: Target, carrier: Carrier) -> AsyncIterator[Path]:
    folder = pbx_target.recordings_dir
    if pbx_target.name and not folder.is_relative_to("/var/cache/ivr-sandbox"):
        pytest.skip("mounts over a sandbox PBX's folder only")
    with small_filesystem(folder):
        (folder / FILLER).write_bytes(b"\0" * (free_bytes(folder) - ROOM))
        yield folder
        await hang_up_everything(carrier.ami)  # files closed before the unmount


async def test_disk_full_mid_call(
    service_config: Path,
    tmp_path: Path,
    full_folder: Path,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
) -> None:
    service = ServiceProcess(service_config, tmp_path / "service.log")
    service.spawn()
    try:
        # Calls only once the service hears the PBX: a call that arrives before its link is up
        # is one the service never saw arrive, never recorded (fail closed), not this test's.
        await _until_health(service, lambda body: _folder(body)["writable"] and _linked(body), 20.0)
        kept, objecting = [await place(carrier, pbx_ami, pbx_target) for _ in range(2)]
        for call in (kept, objecting):
            await call.step("notice-done")
            await call.bridged()
        await poll(lambda: free_bytes(full_folder) == 0, 20.0, "the folder never filled up")
        status, _ = await _until_health(service, lambda b: not _folder(b)["writable"], 5.0)
        metrics = await asyncio.to_thread(service.get_text, "/metrics")
        await asyncio.sleep(3.0)  # the conversation goes on with the disk full
        assert kept.channel in await channel_names(pbx_ami), "the full disk ended the call"
        await kept.leg.hangup()
        kept_entry = await ledger_entry(service, kept.call_id, timeout=30.0)
        await objecting.leg.press("9")
        await objecting.step("objected")
        await poll(lambda: not objecting.file.exists(), 2.0, "objecting caller's file kept")
        await objecting.leg.hangup()
        objected_entry = await ledger_entry(service, objecting.call_id, timeout=30.0)
        (full_folder / FILLER).unlink()
        await _until_health(service, lambda b: _folder(b)["ok"] is True, 5.0)
    finally:
        service.stop()
    assert status == 503
    assert "ivr_recordings_writable 0.0" in metrics
    assert objected_entry["decision"] == "objected"
    _truncation_reported(kept, kept_entry)
    assert "Traceback" not in service.log_path.read_text(errors="replace")


def _linked(body: dict[str, object]) -> bool:
    ami = body.get("ami")
    return isinstance(ami, dict) and ami.get("connected") is True


def _folder(body: dict[str, object]) -> dict[str, object]:
    folder = body.get("recordings")
    assert isinstance(folder, dict), body
    return folder


async def _until_health(
    service: ServiceProcess, condition: object, timeout: float
) -> tuple[int, dict[str, object]]:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, body = await asyncio.to_thread(health, service)
        except OSError:
            status, body = 0, {}
        if body.get("recordings") and condition(body):
            return status, body
        assert time.monotonic() < deadline, f"health never as wanted: {body}\n{service.log_tail()}"
        await asyncio.sleep(0.05)


def _truncation_reported(call: ConsentCall, entry: dict[str, object]) -> None:
    """Kept with an ERROR saying it was cut short, or not kept at all with an ERROR."""
    assert "error" in event_kinds(entry), entry
    if entry["decision"] == "kept":
        errors = [e for e in entry["events"] if e["kind"] == "error"]  # type: ignore[attr-defined]
        assert any(e["detail"].get("recording") == "truncated" for e in errors), errors
    else:
        assert entry["decision"] == "not-recorded", entry
