"""The live board over a real ledger: a call in progress shows its phase with the profile and
language of its ledger entry; once it ends it moves to the recent calls with its decision, and
every change wakes the event streams waiting on the board."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.ledger import AsyncLedger
from ivr.names import Decision
from ivr.service.live import LatencyHistogram, LiveCall, LiveView
from ivr.web.dashboard.board import POLL_SECONDS, LiveBoard

STARTED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class Calls(LiveView):
    """The service's view with its calls set by the test (the real one reads the sessions)."""

    def __init__(self) -> None:
        self.now: list[LiveCall] = []

    def calls(self) -> list[LiveCall]:
        return list(self.now)

    def stop_latencies(self) -> LatencyHistogram:
        return LatencyHistogram((0.0, 0.1), (0, 1))


@pytest.fixture
async def ledger(tmp_path: Path) -> AsyncIterator[AsyncLedger]:
    async with await AsyncLedger.open(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def call(phase: str, recording: bool = False) -> LiveCall:
    return LiveCall("1.1", phase, recording, (), 0)


async def test_a_call_moves_through_its_phases_then_ends_with_its_decision(
    ledger: AsyncLedger,
) -> None:
    view = Calls()
    board = LiveBoard(view, ledger)
    await ledger.start_call(
        "1.1", started_at=STARTED, caller_number="1", caller_name=None, profile="de", language="en"
    )
    view.now = [call("notice")]
    await board.refresh()
    [row] = board.snapshot().live
    assert (row.phase, row.profile, row.language, row.started) == ("notice", "de", "en", STARTED)
    seen = board.version
    waiting = asyncio.create_task(board.wait(seen, 5.0))
    view.now = [call("recording", recording=True)]
    await board.refresh()
    assert await waiting is True
    assert board.snapshot().live[0].recording
    view.now = []
    await board.refresh()  # ended, decision not written yet: neither live nor recent
    assert board.snapshot().live == ()
    assert board.snapshot().recent == ()
    await ledger.finish_call("1.1", ended_at=STARTED, decision=Decision.OBJECTED)
    await board.refresh()
    [ended] = board.snapshot().recent
    assert (ended.call_id, ended.decision, ended.recording) == ("1.1", "objected", False)


async def test_nothing_changed_means_no_wake_up(ledger: AsyncLedger) -> None:
    board = LiveBoard(Calls(), ledger)
    await board.refresh()
    assert await board.wait(board.version, 0.05) is False


async def test_without_the_service_view_the_board_says_so(ledger: AsyncLedger) -> None:
    board = LiveBoard(None, ledger)
    await board.run()  # returns at once: nothing to watch
    assert board.snapshot().available is False
    assert board.stop_latencies().total == 0


async def test_the_board_reads_the_calls_only_while_a_browser_watches(ledger: AsyncLedger) -> None:
    view = Calls()
    view.now = [call("notice")]
    board = LiveBoard(view, ledger)
    polling = asyncio.create_task(board.run())
    # Absence can only be shown over time: two polls' worth, and nothing was read.
    await asyncio.sleep(2 * POLL_SECONDS)
    assert board.snapshot().live == ()
    with board.watching():
        assert await board.wait(board.version, 5.0) is True  # its first poll found the call
    assert board.snapshot().live[0].phase == "notice"
    board.close()
    async with asyncio.timeout(5):
        await polling  # closing ends the polling task, watched or not
