"""The dialplan of each role: the PBX's test extensions, the carrier's callers and agents."""

from __future__ import annotations

from ivr.sandbox.spec import InstanceSpec, Role

_HEADER = """\
[general]
static = yes
writeprotect = yes
clearglobalvars = no

[globals]
"""

# Calls from the carrier land in [from-carrier]. An administrator's file added with
# `ivr sandbox up --include` can add extensions to it with `[from-carrier](+)`.
_PBX = """
[from-carrier]
include => ivr-smoke
include => ivr-consent-test

; The consent flow as an administrator installs it: c-<language>-<agent>, e.g. c-fr-agent
; runs the consent subroutine in French then dials the carrier's `agent`.
[ivr-consent-test]
exten => _c-[a-z][a-z]-.,1,Gosub(ivr-consent,s,1(fr,${EXTEN:2:2}))
 same => n,Dial(PJSIP/${EXTEN:5}@carrier,60)
 same => n,Hangup()

; Extensions the smoke tests rely on.
[ivr-smoke]
; The caller stays in the dialplan, answered, with no bridge: keys reach the core directly.
exten => wait,1,Answer()
 same => n,Wait(600)
 same => n,Hangup()

; The caller is bridged to an agent of the carrier (agent, agent-noanswer, agent-after-N).
exten => agent,1,Goto(ivr-smoke-agent,${EXTEN},1)
exten => _agent-.,1,Goto(ivr-smoke-agent,${EXTEN},1)

[ivr-smoke-agent]
exten => _[a-z].,1,Answer()
 same => n,Dial(PJSIP/${EXTEN}@carrier,60)
 same => n,Hangup()
"""

_CARRIER = """
; A caller's leg once the PBX answered: its voice is a tone (IVR_VOICE_TONE, in Hz, as
; PlayTones takes it) or a sound file played in a loop (IVR_VOICE_FILE), or silence.
[ivr-caller]
exten => s,1,GotoIf($["${IVR_VOICE_FILE}" != ""]?file)
 same => n,ExecIf($["${IVR_VOICE_TONE}" != ""]?PlayTones(${IVR_VOICE_TONE}))
 same => n,Wait(3600)
 same => n,Hangup()
 same => n(file),Playback(${IVR_VOICE_FILE})
 same => n,Goto(file)

; Agents the PBX dials: `agent` answers at once and talks (a 1000 Hz tone),
; `agent-silent` answers and says nothing, `agent-after-N` answers after N seconds,
; `agent-noanswer` rings until the caller gives up.
[from-pbx]
exten => agent,1,Answer()
 same => n,PlayTones(1000)
 same => n,Wait(3600)
 same => n,Hangup()
exten => agent-silent,1,Answer()
 same => n,Wait(3600)
 same => n,Hangup()
exten => _agent-after-X.,1,Ringing()
 same => n,Wait(${EXTEN:12})
 same => n,Goto(agent,1)
exten => agent-noanswer,1,Ringing()
 same => n,Wait(3600)
 same => n,Hangup()
"""


def dialplan_for(spec: InstanceSpec) -> str:
    body = _PBX if spec.role is Role.PBX else _CARRIER
    includes = "".join(f'#include "{name}"\n' for name in spec.includes)
    if spec.role is Role.PBX:
        includes = '#include "ivr-consent.conf"\n' + includes
    return _HEADER + body + "\n" + includes
