"""AMI frames used as fixtures and fuzzing seeds.

CAPTURED_* are verbatim frames from /work/shared/data/ami-events-asterisk22.txt.xz (Asterisk
22.10.1). The responses below them are written in the format Asterisk 22's manager.c emits.
"""

from __future__ import annotations

import lzma
import os
from pathlib import Path

CAPTURED_FULLY_BOOTED = (
    b"Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 295\r\nLastReload: 295\r\n"
    b"Status: Fully Booted\r\n\r\n"
)
CAPTURED_NEWCHANNEL = (
    b"Event: Newchannel\r\nPrivilege: call,all\r\nChannel: Local/s@consent-00000067;1\r\n"
    b"ChannelState: 0\r\nChannelStateDesc: Down\r\nCallerIDNum: <unknown>\r\n"
    b"CallerIDName: <unknown>\r\nConnectedLineNum: <unknown>\r\nConnectedLineName: <unknown>\r\n"
    b"Language: en\r\nAccountCode: \r\nContext: consent\r\nExten: s\r\nPriority: 1\r\n"
    b"Uniqueid: 1795457587.206\r\nLinkedid: 1795457587.206\r\n\r\n"
)
# `State` appears twice: repeated keys are real, not a corner case.
CAPTURED_TEST_EVENT = (
    b"Event: TestEvent\r\nPrivilege: reporting,all\r\nType: StateChange\r\n"
    b"State: CallIDChange\r\nAppFile: channel_internal_api.c\r\n"
    b"AppFunction: ast_channel_callid_set\r\nAppLine: 677\r\nState: CallIDChange\r\n"
    b"Channel: Local/s@consent-00000067;2\r\nCallID: [C-00000068]\r\nPriorCallID: \r\n\r\n"
)
CAPTURED_DTMF_END = (
    b"Event: DTMFEnd\r\nPrivilege: dtmf,all\r\nChannel: Local/s@consent-00000073;2\r\n"
    b"ChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: <unknown>\r\n"
    b"CallerIDName: <unknown>\r\nConnectedLineNum: <unknown>\r\nConnectedLineName: <unknown>\r\n"
    b"Language: en\r\nAccountCode: \r\nContext: consent\r\nExten: s\r\nPriority: 2\r\n"
    b"Uniqueid: 1795457587.231\r\nLinkedid: 1795457587.230\r\nDigit: 9\r\nDurationMs: 100\r\n"
    b"Direction: Received\r\n\r\n"
)
CAPTURED_HANGUP = (
    b"Event: Hangup\r\nPrivilege: call,all\r\nChannel: Local/s@consent-00000073;1\r\n"
    b"ChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: <unknown>\r\n"
    b"CallerIDName: <unknown>\r\nConnectedLineNum: <unknown>\r\nConnectedLineName: <unknown>\r\n"
    b"Language: en\r\nAccountCode: \r\nContext: consent\r\nExten: s\r\nPriority: 1\r\n"
    b"Uniqueid: 1795457587.230\r\nLinkedid: 1795457587.230\r\nCause: 0\r\nCause-txt: Unknown\r\n"
    b"\r\n"
)
CAPTURED_VARSET = (
    b"Event: VarSet\r\nPrivilege: dialplan,all\r\nChannel: Local/s@consent-00000073;2\r\n"
    b"ChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: <unknown>\r\n"
    b"CallerIDName: <unknown>\r\nConnectedLineNum: <unknown>\r\nConnectedLineName: <unknown>\r\n"
    b"Language: en\r\nAccountCode: \r\nContext: consent\r\nExten: s\r\nPriority: 2\r\n"
    b"Uniqueid: 1795457587.231\r\nLinkedid: 1795457587.230\r\nVariable: PLAYBACKSTATUS\r\n"
    b"Value: SUCCESS\r\n\r\n"
)
CAPTURED = [
    CAPTURED_FULLY_BOOTED,
    CAPTURED_NEWCHANNEL,
    CAPTURED_TEST_EVENT,
    CAPTURED_DTMF_END,
    CAPTURED_HANGUP,
    CAPTURED_VARSET,
]

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
LOGIN_OK = b"Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n"
COMMAND_OUTPUT = (
    b"Response: Success\r\nActionID: 7\r\nMessage: Command output follows\r\n"
    b"Output: Channel              Location             State   Application(Data)\r\n"
    b"Output: Local/s@consent-0000 s@consent:2          Up      Playback(consent/notice)\r\n"
    b"Output: 1 active channel\r\n"
    b"Output: \r\n\r\n"
)
# A caller name in UTF-8 ("Zoë Ærø") and a value that is not UTF-8 at all (Latin-1 "é").
UTF8_EVENT = "Event: Newcallerid\r\nCallerIDName: Zoë Ærø\r\nUniqueid: 1.2\r\n\r\n".encode()
LATIN1_EVENT = b"Event: Newcallerid\r\nCallerIDName: Ren\xe9\r\n\r\n"

CAPTURE_ENV = "IVR_AMI_CAPTURE"


def capture_path() -> Path:
    """The Asterisk 22 capture: $IVR_AMI_CAPTURE (the whole one), else its first 2 MB shipped
    in tests/data (whole frames, enough for every test that reads it)."""
    if env := os.environ.get(CAPTURE_ENV):
        return Path(env)
    return Path(__file__).resolve().parents[2] / "data" / "ami-capture-head.txt.xz"


def capture_head(size: int) -> bytes:
    """The first `size` bytes of the unpacked capture."""
    with lzma.open(capture_path()) as stream:
        return stream.read(size)
