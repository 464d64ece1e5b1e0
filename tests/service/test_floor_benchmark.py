"""`benchmarks/floor.py` prices the cheapest client of the service's shape: it is a floor of the
service only while it does per call what the service does on the wire and on the disk."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.floor import Floor, Ledger
from benchmarks.floor_tasks import TaskFloor
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import decided, service, tier_settings
from tests.support.transcripts import Transcript

ROOT = Path(__file__).resolve().parents[2]
DECIDED_WITHIN = 10.0


def _call_actions(pbx: FakePbx, transcript: Transcript) -> Counter[str]:
    """The actions about the call's channels or its id (start-up and pings left out)."""
    channels = {v for _, headers in transcript.events for k, v in headers if k == "Channel"}
    return Counter(
        r.action
        for r in pbx.requests
        if r.get("Channel") in channels or r.get("Key") == transcript.call_id
    )


async def _service_actions(folder: Path, transcript: Transcript) -> Counter[str]:
    pbx = FakePbx(folder / "recordings")
    await pbx.start()
    try:
        async with service(tier_settings(folder, pbx)) as runtime:
            await pbx.replay(transcript)
            await decided(runtime, transcript.call_id)
        return _call_actions(pbx, transcript)
    finally:
        await pbx.stop()


async def _floor_actions(
    folder: Path, transcript: Transcript, style: str
) -> tuple[Counter[str], int]:
    """The floor's actions for the call, and the rows it committed to its file."""
    (folder / "recordings").mkdir()
    pbx = FakePbx(folder / "recordings")
    await pbx.start()
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    ledger = Ledger("thread", folder / "floor.sqlite3", loop)
    if style == "tasks":
        floor = TaskFloor(ledger, 1, done)
        link: asyncio.Task[None] | asyncio.BaseTransport = await floor.serve(pbx.port)
    else:
        link, _ = await loop.create_connection(
            lambda: Floor(ledger, 1, done), "127.0.0.1", pbx.port
        )
    try:
        await pbx.replay(transcript)
        await asyncio.wait_for(done, DECIDED_WITHIN)
        with sqlite3.connect(folder / "floor.sqlite3") as db:
            (rows,) = db.execute("SELECT count(*) FROM rows").fetchone()
        return _call_actions(pbx, transcript), rows
    finally:
        if isinstance(link, asyncio.Task):
            link.cancel()
        else:
            link.close()
        await pbx.stop()


@pytest.mark.parametrize("style", ["callbacks", "tasks"])
@pytest.mark.parametrize(("name", "commits"), [("consent-loop", 6), ("objection-mid-call", 8)])
async def test_the_floor_sends_the_services_actions_and_commits_its_rows(
    name: str, commits: int, style: str, tmp_path: Path
) -> None:
    transcript = Transcript.load(name)
    (tmp_path / "service").mkdir()
    (tmp_path / "floor").mkdir()
    expected = await _service_actions(tmp_path / "service", transcript)
    actions, rows = await _floor_actions(tmp_path / "floor", transcript, style)
    assert actions == expected
    assert rows == commits  # durable rows on disk: what the service commits for such a call


@pytest.mark.slow
def test_the_floor_reports_a_cpu_per_call_for_a_replay() -> None:
    """Two calls at their real pace (~12 s): every call decided, a per-call figure printed."""
    argv = [sys.executable, "benchmarks/floor.py", "--calls", "2", "--rate", "10"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    found = re.search(r"process CPU ([0-9.]+) ms/call", done.stdout)
    assert found is not None, done.stdout
    assert float(found.group(1)) > 0
    # one kept call (3 actions, 6 commits) and one objecting (8 actions, 8 commits)
    assert re.search(r"per call: [0-9.]+ events read, 5\.5 actions, 7\.0 commits", done.stdout)
