"""The dialplan of each role: the PBX's test extensions, the carrier's callers and agents."""

from __future__ import annotations

from ivr.sandbox.spec import InstanceSpec, Role

_HEADER = """\
[general]
; Pattern letters are not case-sensitive: n, x and z are wildcards, hence `age[n]t`.
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
; The same consent flow on a channel that is not the call's first: l-<agent> dials a Local
; channel (not optimised away) whose other half runs c-fr-<agent>, so the flow's channel has
; another Linkedid than its own Uniqueid (issue 17: agents known from the bridge).
exten => _l-.,1,Dial(Local/c-fr-${EXTEN:2}@ivr-consent-test/n,60)
 same => n,Hangup()
; A recording armed by the dialplan before the Dial with MixMonitor's `b` (write only while
; bridged), the way to start it without the AMI class `system` (docs/ami-account.md):
; armed-<agent> answers, arms it, waits 3 s with the caller, then dials the agent.
exten => _armed-.,1,Answer()
 same => n,MixMonitor(ivr-armed-${UNIQUEID}.wav,b)
 same => n,Wait(3)
 same => n,Dial(PJSIP/${EXTEN:6}@carrier,60)
 same => n,Hangup()

; The same after a "CRM lookup" that returns the caller's name as any bytes (see the carrier's
; ivr-caller-raw): n-<agent>, e.g. n-agent.
; A name with CR/LF would break the agent leg's SIP From header (the far end drops such an
; INVITE), so the agent's leg gets a filtered copy; the caller's channel keeps the raw name.
exten => _[n]-.,1,Set(CALLERID(name)=${BASE64_DECODE(${PJSIP_HEADER(read,X-IVR-Name-B64)})})
 same => n,Gosub(ivr-consent,s,1(fr,fr))
 same => n,Dial(PJSIP/${EXTEN:2}@carrier,60,b(ivr-smoke-clean-name^s^1))
 same => n,Hangup()

; The compliance policies (issue 5), each way a profile and a recording may be chosen:
; j.<profile>.<language>.<agent>: the Gosub names the profile and the language;
; r.<route>.<group>.<agent>: the service chooses from the route, the agent group and the
; caller's number; 0<digits>: a number dialled (rules on the called number), agent `agent`;
; *7<agent>: an agent's private call, dialled with the private prefix;
; k.<agent>: four seconds with an agent (who hangs up), then a payment step that reads 16
; card digits from the caller (whose voice goes on), then the agent again.
exten => _j.,1,Gosub(ivr-consent,s,1(${CUT(EXTEN,.,2)},${CUT(EXTEN,.,3)}))
 same => n,Dial(PJSIP/${CUT(EXTEN,.,4)}@carrier,60)
 same => n,Hangup()
exten => _r.,1,Gosub(ivr-consent,s,1(,,${CUT(EXTEN,.,2)},${CUT(EXTEN,.,3)}))
 same => n,Dial(PJSIP/${CUT(EXTEN,.,4)}@carrier,60)
 same => n,Hangup()
exten => _0.,1,Gosub(ivr-consent,s,1)
 same => n,Dial(PJSIP/agent@carrier,60)
 same => n,Hangup()
exten => _*7.,1,Gosub(ivr-consent,s,1(fr,fr))
 same => n,Dial(PJSIP/${EXTEN:2}@carrier,60)
 same => n,Hangup()
exten => _k.,1,Gosub(ivr-consent,s,1(fr,fr))
 same => n,Dial(PJSIP/agent-for-4@carrier,60,g)
 same => n,Gosub(ivr-payment,start,1)
 same => n,Read(IVR_TEST_CARD,,16,,1,8)
 same => n,Gosub(ivr-payment,end,1)
 same => n,Dial(PJSIP/${EXTEN:2}@carrier,60)
 same => n,Hangup()

; Outbound (issue 19): the agents' outbound context as an administrator writes it. An agent's
; phone is a Local channel originated on the PBX into o.<campaign>.<number>: the guard, then
; the consumer dialled through the trunk; m.<campaign>.<number> masks the agent's caller ID.
[ivr-outbound-test]
exten => _o.,1,Gosub(ivr-outbound,s,1(${CUT(EXTEN,.,3)},${CUT(EXTEN,.,2)}))
 same => n,Dial(PJSIP/${CUT(EXTEN,.,3)}@carrier,30)
 same => n,Hangup()
exten => _m.,1,Set(CALLERID(num-pres)=prohib)
 same => n,Goto(o${EXTEN:1},1)
; c.<campaign>.<number>: the whole outbound call, the called party hearing the opening and the
; recording notice before the agent is bridged (Dial's U()).
exten => _c.,1,Set(NUMBER=${CUT(EXTEN,.,3)})
 same => n,Set(CAMPAIGN=${CUT(EXTEN,.,2)})
 same => n,Gosub(ivr-outbound,s,1(${NUMBER},${CAMPAIGN}))
 same => n,Dial(PJSIP/${NUMBER}@carrier,30,U(ivr-outbound-callee^${NUMBER}^${CAMPAIGN}))
 same => n,Hangup()

; A supervisor's phone (the carrier calls with the From user `supervisor`, see pjsip.conf):
; *44<agent> listens live to that agent's call (dialplan/ivr-listen.conf).
[from-supervisor]
include => ivr-listen-code

; p.<agent>: the agent takes card data on the line: a payment step for the whole conversation.
[ivr-consent-test](+)
exten => _p.,1,Gosub(ivr-consent,s,1(fr,fr))
 same => n,Gosub(ivr-payment,start,1)
 same => n,Dial(PJSIP/${EXTEN:2}@carrier,60)
 same => n,Hangup()

[ivr-smoke-clean-name]
; PJSIP builds the From of an outgoing leg from its connected line.
exten => s,1,Set(CLEAN=${FILTER(A-Za-z0-9 .:-,${CALLERID(name)})})
 same => n,Set(CALLERID(name)=${CLEAN})
 same => n,Set(CONNECTEDLINE(name,i)=${CLEAN})
 same => n,Return()

; Extensions the smoke tests rely on.
[ivr-smoke]
; The caller stays in the dialplan, answered, with no bridge: keys reach the core directly.
exten => wait,1,Answer()
 same => n,Wait(600)
 same => n,Hangup()

; The caller is bridged to an agent of the carrier (agent, agent-noanswer, agent-after-N).
exten => agent,1,Goto(ivr-smoke-agent,${EXTEN},1)
exten => _age[n]t-.,1,Goto(ivr-smoke-agent,${EXTEN},1)

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

; A storm of keys: a caller's leg sent here (AMI Redirect) with IVR_STORM (the keys) presses
; them as RFC 4733 events, IVR_STORM_MS long and IVR_STORM_GAP apart, then talks on.
[ivr-caller-storm]
exten => s,1,SendDTMF(${IVR_STORM},${IVR_STORM_GAP},${IVR_STORM_MS})
 same => n,Goto(ivr-caller,s,1)

; A caller whose name the PBX will look up as any bytes (CR and LF included), the way a CRM
; lookup might return it: the carrier sends it base64-encoded in X-IVR-Name-B64 (from
; IVR_CALLER_NAME_B64), and the PBX's `n-` extensions decode it into CALLERID(name).
[ivr-caller-raw]
exten => _[a-z0-9].,1,Dial(PJSIP/${EXTEN}@pbx,,b(ivr-caller-raw-header^s^1))
 same => n,Hangup()

[ivr-caller-raw-header]
exten => s,1,Set(PJSIP_HEADER(add,X-IVR-Name-B64)=${IVR_CALLER_NAME_B64})
 same => n,Return()

; Agents the PBX dials: `agent` answers at once and talks (a 1000 Hz tone),
; `agent-silent` answers and says nothing, `agent-after-N` answers after N seconds,
; `agent-for-N` talks for N seconds then hangs up,
; `agent-noanswer` rings until the caller gives up.
[from-pbx]
exten => agent,1,Answer()
 same => n,PlayTones(1000)
 same => n,Wait(3600)
 same => n,Hangup()
exten => _age[n]t-for-.,1,Answer()
 same => n,PlayTones(1000)
 same => n,Wait(${EXTEN:10})
 same => n,Hangup()
exten => agent-silent,1,Answer()
 same => n,Wait(3600)
 same => n,Hangup()
exten => _age[n]t-after-.,1,Ringing()
 same => n,Wait(${EXTEN:12})
 same => n,Goto(agent,1)
exten => agent-noanswer,1,Ringing()
 same => n,Wait(3600)
 same => n,Hangup()

; Consumers the PBX's agents call (issue 19): any national number 0X... rings one second,
; answers and talks (a 440 Hz tone).
exten => _0X.,1,Ringing()
 same => n,Wait(1)
 same => n,Answer()
 same => n,PlayTones(440)
 same => n,Wait(3600)
 same => n,Hangup()

; An agent's blind transfer: the simulator sends the agent's channel here (AMI Redirect), the
; extension being where to; Transfer() sends the PBX a SIP REFER, as an agent's phone would.
[agent-transfer]
exten => _[a-z0-9*].,1,Transfer(PJSIP/sip:${EXTEN}@127.0.0.1)
 same => n,Wait(10)
 same => n,Hangup()
"""


def dialplan_for(spec: InstanceSpec) -> str:
    body = _PBX if spec.role is Role.PBX else _CARRIER
    includes = "".join(f'#include "{name}"\n' for name in spec.includes)
    if spec.role is Role.PBX:
        includes = '#include "ivr-consent.conf"\n#include "ivr-listen.conf"\n' + includes
        includes = '#include "ivr-outbound.conf"\n' + includes
    return _HEADER + body + "\n" + includes
