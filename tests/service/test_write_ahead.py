"""Write-ahead: the ledger rows an action rests on are committed (with ``synchronous=FULL``: on
disk) before the PBX receives that action. Read from the ledger's file by a connection of
its own at the instant the fake PBX gets the action, as anyone reading the file would.

Why every other commit is fsynced all the same: docs/service-cpu.md, "Commits that gate
nothing"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from ivr.ledger.sqlite import Ledger
from ivr.names import Decision, EventKind
from tests.support.fake_ami import FakeConnection, Request, eventually
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import decided, service, tier_settings
from tests.support.transcripts import Transcript

Seen = list[tuple[Decision | None, set[EventKind]]]


def _watch(
    pbx: FakePbx, action: str, ledger: Path, call_id: str, wanted: Callable[[Request], bool]
) -> Seen:
    """What the ledger's file holds of the call each time the PBX receives a wanted ``action``."""
    seen: Seen = []
    answer = pbx._handlers[action.lower()]

    def handler(connection: FakeConnection, request: Request) -> Awaitable[None] | None:
        if wanted(request):
            with Ledger.open(ledger, read_only=True) as reader:
                record = reader.get_call(call_id)
            kinds = {event.kind for event in record.events} if record is not None else set()
            seen.append((record.decision if record is not None else None, kinds))
        return answer(connection, request)

    pbx.on(action, handler)
    return seen


async def test_the_pbx_forgets_an_objection_only_once_the_decision_is_in_the_ledger(
    pbx: FakePbx, tmp_path: Path
) -> None:
    transcript = Transcript.load("objection-mid-call")
    settings = tier_settings(tmp_path, pbx)
    seen = _watch(
        pbx,
        "DBDel",
        settings.ledger.path,
        transcript.call_id,
        lambda request: request.get("Key") == transcript.call_id,
    )
    async with service(settings) as runtime:
        await pbx.replay(transcript)
        await decided(runtime, transcript.call_id)
        await eventually(lambda: bool(seen), what="the PBX's copy of the objection forgotten")
    assert all(decision is Decision.OBJECTED for decision, _ in seen)
    assert all(EventKind.OBJECTED in kinds for _, kinds in seen)
