"""A caller's name is never an AMI header: a hostile name (CR/LF and an `Action: Originate`
block, with a NUL, bytes that are not UTF-8, terminal escapes, or 660 bytes long) travels as inert
text, the PBX runs no injected action, the service handles the call as any other, its log and
the recording's path are untouched by it, and the ledger keeps the name exactly as the PBX
reported it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ivr.ami import AmiClient, EventMatch
from ivr.qa.carrier import Carrier, call_with_looked_up_name
from tests.pbx.test_consent_loop import service as service  # the fixture
from tests.support.calls import PbxView, new_caller_number
from tests.support.consent_calls import ledger_entry
from tests.support.service import ServiceProcess

pytestmark = pytest.mark.sip

INJECTION = b"\r\nAction: Originate\r\nChannel: Local/injected@from-carrier\r\n"
HOSTILE = {
    "crlf-action": b"Bob" + INJECTION + b"Application: Wait\r\nData: 30\r\n\r\n",
    "nul": b"Bob\x00" + INJECTION,  # the PBX's C strings end at the NUL
    "latin-1": b"M\xfcller \xe9\xff\xfe" + INJECTION,  # not UTF-8
    "long": b"A" * 300 + INJECTION + b"B" * 300,  # an AMI line of the carrier holds 1 KB
    "terminal": b"\x1b[2J\x1b]0;pwned\x07 \xe2\x80\xae" + INJECTION,
}


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
async def test_a_hostile_caller_name_injects_nothing_and_is_stored_as_text(
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    name: bytes,
) -> None:
    injected = pbx_ami.subscribe(
        lambda e: e.name == "Newchannel" and "injected" in e.get("Channel", "")
    )
    number = new_caller_number()
    pbx = PbxView(pbx_ami, number)
    leg = await call_with_looked_up_name(carrier, "n-agent", caller_num=number, name=name)
    started = await pbx.events.wait_for(EventMatch("UserEvent", {"Step": "notice-started"}), 20)
    reported = started.get("CallerIDName", "")
    if b"\x00" not in name:  # the PBX keeps what comes before a NUL
        assert "Action: Originate" in reported  # the text arrives, inert
    assert not {"\r", "\n"} & set(reported)  # Asterisk escapes them in AMI values
    await pbx.events.wait_for(EventMatch("UserEvent", {"Step": "notice-done"}), 20)
    await pbx.bridged(2)
    await asyncio.sleep(1.0)
    await leg.hangup()

    entry = await ledger_entry(service, started.get("Call", ""))
    assert entry["caller_name"] == reported
    assert entry["decision"] == "kept"
    assert len(injected) == 0, "the PBX created the injected channel"
    log = service.log_path.read_bytes()
    assert b"\nAction:" not in log, "a caller's name broke a log line"
    assert b"\x1b" not in log, "a caller's name reached the log raw"
    recording = entry["recording"]
    assert isinstance(recording, dict)
    assert Path(recording["path"]).name == f"ivr-{started.get('Call')}.wav"  # never the name
