"""One call seen from the PBX (AMI events told apart by the caller's number) and from the
recordings folder. Each anchor of a timeline is an ``asyncio.Event`` set when it happens."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from ivr.ami import AmiClient, Message
from ivr.names import PAYMENT_EVENT, USER_EVENT, PaymentStep, Step
from ivr.simulate.model import Anchor
from ivr.simulate.observed import Observed

FILE_POLL = 0.01  # a recording created then deleted within this is missed: good enough for QA


class CallWatch:
    def __init__(self, pbx: AmiClient, caller_num: str, recordings: Path, seen: Observed) -> None:
        self.recordings, self.seen = recordings, seen
        self.anchors = {anchor: asyncio.Event() for anchor in Anchor}
        self.started = asyncio.Event()  # the PBX reported the call id
        self._bridge_entries = 0
        self._times: dict[Anchor, float] = {}
        self._events = pbx.subscribe(lambda e: caller_num in _numbers(e))
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._watch_file())]

    @property
    def path(self) -> Path | None:
        return self.recordings / f"ivr-{self.seen.call_id}.wav" if self.seen.call_id else None

    async def anchor(self, anchor: Anchor, timeout: float) -> float:
        """Monotonic time at which ``anchor`` happened; TimeoutError past the deadline."""
        async with asyncio.timeout(timeout):
            await self.anchors[anchor].wait()
        return self._times[anchor]

    def mark(self, anchor: Anchor) -> None:
        if not self.anchors[anchor].is_set():
            self._times[anchor] = time.monotonic()
            self.anchors[anchor].set()

    async def _read(self) -> None:
        async for event in self._events:
            self._on_event(event)

    def _on_event(self, event: Message) -> None:
        if event.name == "UserEvent" and event.get("UserEvent") == USER_EVENT:
            self._on_step(event)
        elif event.name == "UserEvent" and event.get("UserEvent") == PAYMENT_EVENT:
            self._on_payment(event.get("Step", ""))
        elif event.name == "DTMFEnd" and event.get("Direction") == "Received":
            self.seen.keys_at_pbx.append(event.get("Digit", ""))
        elif event.name == "BlindTransfer":
            self.seen.transfer_result = event.get("Result", "")
            if self.seen.transfer_result == "Success":
                self.mark(Anchor.TRANSFERRED)
        elif event.name == "BridgeEnter":
            self._bridge_entries += 1
            if self._bridge_entries >= 2:
                self.seen.bridged = True
                self.mark(Anchor.BRIDGED)

    def _on_step(self, event: Message) -> None:
        step = event.get("Step", "")
        self.seen.steps.append(step)
        if step == Step.NOTICE_STARTED and not self.seen.call_id:
            self.seen.call_id = event.get("Call", "")
            self.started.set()
        elif step == Step.FULL_NOTICE:
            self.mark(Anchor.FULL_NOTICE)
        elif step == Step.NOTICE_DONE:
            self.mark(Anchor.NOTICE_DONE)

    def _on_payment(self, step: str) -> None:
        if step == PaymentStep.START:
            self.mark(Anchor.PAYMENT)
        elif step == PaymentStep.END:
            self.mark(Anchor.PAYMENT_DONE)

    async def _watch_file(self) -> None:
        while not self.seen.file_seen:
            path = self.path
            if path is not None and path.exists():
                self.seen.file_seen = True
            await asyncio.sleep(FILE_POLL)

    async def close(self) -> None:
        self._events.unsubscribe()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _numbers(event: Message) -> tuple[str | None, ...]:
    """The numbers that tie an event to a caller: the channel's, its peer's, and in a
    transfer the two parties'."""
    names = ("CallerIDNum", "ConnectedLineNum", "TransfererCallerIDNum", "TransfereeCallerIDNum")
    return tuple(event.get(name) for name in names)
