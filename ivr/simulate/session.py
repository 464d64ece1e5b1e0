"""A whole run: the targets found, the calls placed, every call judged."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from ivr.simulate.ledger_api import LedgerApi
from ivr.simulate.model import Call
from ivr.simulate.observed import Observed
from ivr.simulate.report import Result
from ivr.simulate.runner import Links, run_calls
from ivr.simulate.targets import Target
from ivr.simulate.verdict import mismatches, observed_summary

MAX_KEY_LINKS = 10  # AMI links for keys (see KeyPad): more would only load the carrier


@dataclass(frozen=True)
class Plan:
    pbx: Target
    carrier: Target
    api: LedgerApi | None
    concurrency: int


async def simulate(plan: Plan, calls: Sequence[Call], out: TextIO = sys.stderr) -> list[Result]:
    keys = min(plan.concurrency, MAX_KEY_LINKS)
    links = await Links.open(plan.pbx, plan.carrier, plan.api, keys)
    progress = _Progress(len(calls), out, ledger=plan.api is not None)
    try:
        seen = await run_calls(links, calls, plan.concurrency, progress)
    finally:
        await links.close()
    return [
        judge(call, s, ledger=plan.api is not None) for call, s in zip(calls, seen, strict=True)
    ]


def judge(call: Call, seen: Observed, *, ledger: bool) -> Result:
    return Result(call, seen, tuple(mismatches(call.expect, seen, ledger_checked=ledger)))


class _Progress:
    """One line per call started and finished, so a long run shows it is alive."""

    def __init__(self, total: int, out: TextIO, *, ledger: bool) -> None:
        self.total, self.out, self.ledger, self.done = total, out, ledger, 0

    def __call__(self, what: str, call: Call, seen: Observed | None) -> None:
        if seen is None:
            print(f"  ... {call.name}: dialling {call.number}", file=self.out, flush=True)
            return
        self.done += 1
        verdict = (
            "PASS" if not mismatches(call.expect, seen, ledger_checked=self.ledger) else "FAIL"
        )
        line = f"[{self.done}/{self.total}] {call.name}: {observed_summary(seen)}"
        print(f"{line} ({seen.seconds:.1f} s) {verdict}", file=self.out, flush=True)
