"""Issue 5 §3, end to end: card data is never recorded.

A real SIP caller talks to an agent (recorded), then enters a payment step where the PBX reads
16 card digits sent as RFC 4733 events, then talks to an agent again. The caller's voice (a
tone) never stops, so every zero sample in the file is the mute at work. The test extension
`k.<agent>` of the sandbox PBX is that dialplan (ivr/sandbox/dialplans.py).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, EventMatch, Message
from ivr.qa.audio import hears, longest_zero_run, read_wav
from ivr.qa.carrier import Carrier
from tests.support.consent_calls import (
    CALLER_HZ,
    ConsentCall,
    event_kinds,
    ledger_entry,
    place,
)
from tests.support.service import ServiceProcess, running
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.timeout(180)]

CARD = "4970101234567890"  # contains the objection key 9 and the full-notice key 1
KEY_MS, KEY_GAP = 120, 0.08
PAYMENT_EXTEN = "k.agent"


@pytest_asyncio.fixture
async def service(service_config: Path) -> AsyncIterator[ServiceProcess]:
    """The service at DEBUG level: even its rawest log must not hold a card digit."""
    log = service_config.parent / "payment-service.log"
    async with running(service_config, log, options=("--verbose",)) as process:
        yield process


async def payment_step(call: ConsentCall, step: str, timeout: float = 30.0) -> Message:
    wanted = EventMatch("UserEvent", {"UserEvent": "IvrPayment", "Step": step})
    return await call.pbx.events.wait_for(wanted, timeout)


async def type_card(call: ConsentCall) -> None:
    for digit in CARD:
        await call.leg.press(digit, KEY_MS)
        await asyncio.sleep(KEY_GAP)


def seconds_between(entry: dict[str, object], first: str, then: str) -> float:
    events = entry["events"]
    assert isinstance(events, list)
    times = {e["kind"]: datetime.fromisoformat(e["at"]) for e in events}
    return (times[then] - times[first]).total_seconds()


async def test_card_digits_are_muted_never_acted_on_and_never_written(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target, PAYMENT_EXTEN)
    await call.step("notice-done")
    await call.bridged()  # the first agent
    await call.file_appears(timeout=15.0)
    await payment_step(call, "start")
    await type_card(call)
    await payment_step(call, "end")
    await call.bridged()  # the agent again
    await asyncio.sleep(2.5)
    await call.leg.hangup()

    entry = await ledger_entry(service, call.call_id)
    assert entry["decision"] == "kept", "a card digit was taken for an objection"
    kinds = event_kinds(entry)
    assert "paused" in kinds
    assert "resumed" in kinds
    assert "objected" not in kinds
    muted_for = seconds_between(entry, "paused", "resumed")
    assert muted_for > len(CARD) * (KEY_MS / 1000 + KEY_GAP) * 0.8

    pcm = read_wav(call.file)
    start, length = longest_zero_run(pcm.samples)
    silent_s, silent_from = length / pcm.rate, start / pcm.rate
    # The whole step is silence in the file, give or take the mute's round trip at each end.
    # While a key is held Asterisk passes no audio frame at all (RFC 4733 squelches the voice),
    # so the file holds the step's time less the keys' time: all of it zeros.
    keys_s = len(CARD) * KEY_MS / 1000
    assert silent_s > muted_for - keys_s - 0.6, (silent_s, muted_for)
    assert silent_s < muted_for + 1.5, (silent_s, muted_for)
    assert hears(pcm.slice(0, silent_from), CALLER_HZ), "no voice before the payment step"
    after = pcm.slice(silent_from + silent_s, pcm.seconds)
    assert hears(after, CALLER_HZ), "no voice after the payment step"

    outputs = {
        "service log": service.log_path.read_bytes(),
        "ledger": (service.config.parent / "ledger.sqlite3").read_bytes(),
        "API": service.get_bytes(f"/api/calls/{call.call_id}?reason=test"),
    }
    for where, data in outputs.items():
        assert CARD.encode() not in data, f"the card number is in the {where}"
        assert CARD[:6].encode() not in data, f"card digits are in the {where}"
    raw = service.log_path.read_text(errors="replace")
    assert "Digit: ***" in raw, "the DEBUG log shows no key at all: is it at DEBUG level?"
    assert all(
        line.split("Digit: ", 1)[1].startswith("***")
        for line in raw.splitlines()
        if "Digit: " in line
    ), "a key reached the service's log"


async def test_without_the_services_confirmation_the_pbx_stops_the_recording(
    service: ServiceProcess, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    """Fail closed: a frozen service cannot mute, so card data would be recorded; the payment
    subroutine waits a second for the confirmation, then stops the recording itself."""
    call = await place(carrier, pbx_ami, pbx_target, PAYMENT_EXTEN)
    await call.step("notice-done")
    await call.file_appears(timeout=15.0)
    assert service.process is not None
    service.process.send_signal(signal.SIGSTOP)
    try:
        await payment_step(call, "start")
        await payment_step(call, "unconfirmed", timeout=5.0)
        size_at_stop = call.file.stat().st_size
        await type_card(call)
        await payment_step(call, "end")
        assert call.file.stat().st_size == size_at_stop, "audio written after the stop"
    finally:
        service.process.send_signal(signal.SIGCONT)
    await call.leg.hangup()
    entry = await ledger_entry(service, call.call_id)
    pcm = read_wav(call.file)
    assert not hears(pcm.slice(max(pcm.seconds - 1.0, 0), pcm.seconds), 1000), (
        "the agent's second conversation was recorded after the stop"
    )
    assert "error" in event_kinds(entry)
