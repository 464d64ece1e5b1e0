"""Names shared by the Python service and the shipped dialplan (dialplan/*.conf).

Defined once here; tests/unit/test_dialplan_names.py checks the dialplan uses these spellings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Self

# Dialplan contexts shipped in dialplan/ivr-consent.conf.
CONSENT_CONTEXT = "ivr-consent"
OBJECT_CONTEXT = "ivr-consent-object"
# The agent's private key run by the PBX on the caller's channel (ivr-features.conf, `peer`).
PRIVATE_CONTEXT = "ivr-consent-private"

# UserEvent raised by the dialplan at each step of the consent flow; its `Step` header says which.
USER_EVENT = "IvrConsent"
# UserEvent raised by the payment subroutine (dialplan/ivr-payment.conf) or by the
# administrator's own dialplan: `Step: start` or `Step: end`, `Call: ${IVR_CALL}`.
PAYMENT_EVENT = "IvrPayment"
PAYMENT_CONTEXT = "ivr-payment"


class Step(StrEnum):
    """Values of the `Step` header of the IvrConsent UserEvent."""

    ARRIVED = "arrived"  # before any notice: the service chooses profile and recording
    NOTICE_STARTED = "notice-started"
    FULL_NOTICE = "full-notice"
    NOTICE_DONE = "notice-done"
    NOTICE_INCOMPLETE = "notice-incomplete"
    OBJECTED = "objected"
    OPTED_IN = "opted-in"  # opt-in profiles: the caller pressed the accept key
    DECLINED = "declined"  # opt-in profiles: another key than accept, full notice or objection
    # The agent's private key, run by the PBX itself (ivr-consent-private): `Agent:` names the
    # agent's channel. Not kept in IVR_STEP: IVR_PRIVATE is its memory.
    PRIVATE = "private"

    @classmethod
    def parse(cls, value: str | None) -> Self | None:
        """The step a header or IVR_STEP names; None if empty or unknown to this service."""
        try:
            return cls(value) if value else None
        except ValueError:
            return None


class PaymentStep(StrEnum):
    START = "start"
    END = "end"
    UNCONFIRMED = "unconfirmed"  # no mute confirmed in time: the PBX stopped the recording

    @classmethod
    def parse(cls, value: str | None) -> Self | None:
        try:
            return cls(value) if value else None
        except ValueError:
            return None


class Mode(StrEnum):
    """How a profile obtains consent."""

    NOTICE = "notice"  # record after the notice unless the caller objects
    OPT_IN = "opt-in"  # record only once the caller pressed the accept key


class PauseReason(StrEnum):
    """Why a recording is muted now; each reason held apart from the others."""

    AGENT = "agent"  # the agent's pause key (kept on the PBX in IVR_PAUSED)
    PAYMENT = "payment"  # a payment step (IVR_PAYMENT)


@dataclass(frozen=True)
class DecisionValue:
    """IVR_DECISION, the service's choice the dialplan reads before the notice:
    ``<profile>:<language>:<mode>:<record 1|0>:<prompt>`` (the dialplan CUTs fields 1 to 5)."""

    profile: str
    language: str
    mode: Mode
    record: bool
    prompt: str

    def encode(self) -> str:
        record = "1" if self.record else "0"
        return ":".join((self.profile, self.language, self.mode, record, self.prompt))

    @classmethod
    def decode(cls, value: str) -> Self | None:
        """None for anything but a well-formed value: then nothing is recorded."""
        fields = value.split(":")
        if len(fields) != 5 or fields[2] not in set(Mode) or fields[3] not in ("0", "1"):
            return None
        profile, language, mode, record, prompt = fields
        return cls(profile, language, Mode(mode), record == "1", prompt)


# Channel variables the dialplan sets on the caller's channel. The service reads them back after
# a restart to rebuild the state of live calls, so they are the PBX-side memory of the decision.
VAR_CALL_ID = "IVR_CALL"  # the caller channel's UNIQUEID, inherited by the agent legs
VAR_PROFILE = "IVR_PROFILE"
VAR_LANGUAGE = "IVR_LANGUAGE"
VAR_STEP = "IVR_STEP"  # the last Step reached
VAR_OBJECTED = "IVR_OBJECTED"  # "1" once the caller objected: nothing re-enables recording
# The service's choice for the call, set before the notice plays:
# "<profile>:<language>:<mode>:<record 1|0>:<prompt to play>". Empty or absent (the service
# did not answer in time): the dialplan falls back to its arguments and nothing is recorded.
VAR_DECISION = "IVR_DECISION"
VAR_ACCEPTED = "IVR_ACCEPTED"  # "1" once the caller pressed the accept key (opt-in)
VAR_PAUSED = "IVR_PAUSED"  # "1" while an agent paused the recording (set by the service)
VAR_PAYMENT = "IVR_PAYMENT"  # "1" while the caller is in a payment step (set by the dialplan)
VAR_PAYMENT_MUTED = "IVR_PAYMENT_MUTED"  # the service's acknowledgement that it muted
# Set on the caller's channel with the stop of an agent's private key, by the PBX's own feature
# (ivr-consent-private) and by the service: a service that comes back must find the call private.
VAR_PRIVATE = "IVR_PRIVATE"
PRIVATE_YES = "1"
# The service's go for the recording, read by the consent subroutine at the end of the notice
# (which then starts MixMonitor with option `b`); marked started once the caller is bridged.
# Only with an account without MixMonitor (`write = call`, GLOBAL(IVR_CFG_arm) = 1); otherwise
# the service starts MixMonitor over AMI at the bridge, which records the unbridged spans too
# (as silence when muted).
VAR_ARM = "IVR_ARM"
ARM_GO = "go"
ARM_NO = "no"
ARM_STARTED = "started"

# AstDB families: durable on the PBX, across a service outage and a PBX restart.
DB_OBJECTIONS = "ivr-objection"  # key: call id, value: epoch seconds of the objection
DB_SETTINGS = "ivr-consent"  # keys below, written by the service when it connects
DB_KEY_OBJECT = "key-object"
DB_KEY_FULL_NOTICE = "key-full-notice"
DB_KEY_ACCEPT = "key-accept"
# Per profile, for a call the service could not decide on: "mode-<profile>" (notice|opt-in)
# and "language-<profile>" (its default language).
DB_MODE_PREFIX = "mode-"
DB_LANGUAGE_PREFIX = "language-"
# The same settings as global variables (`Setvar` without a channel: AMI class `call`, where
# AstDB needs `system`), read first by the dialplan: GLOBAL(IVR_CFG_<key>), e.g.
# IVR_CFG_key-object. They last until the PBX restarts; AstDB, when writable, beyond.
GLOBAL_SETTING_PREFIX = "IVR_CFG_"
ARM_SETTING = "arm"  # "1": the service's account may not start MixMonitor, the dialplan arms


def global_setting(key: str) -> str:
    return GLOBAL_SETTING_PREFIX + key


# Dynamic features (features.conf applicationmap) for the in-call objection key, one per key
# so the key stays configurable: the dialplan enables `ivr-object-<key>` on the caller's channel.
FEATURE_PREFIX = "ivr-object-"
# The agent's private key as an in-call feature the PBX runs itself (ivr-features.conf ships
# ivr-private-star0..9 and ivr-private-hash0..9): the service publishes which one to enable
# (global IVR_CFG_feature-private, AstDB ivr-consent/feature-private), NO_FEATURE for none.
PRIVATE_FEATURE_PREFIX = "ivr-private-"
DB_FEATURE_PRIVATE = "feature-private"
NO_FEATURE = "none"


def private_feature(sequence: str) -> str:
    """The feature ivr-features.conf ships for the agent's private ``sequence``, else
    NO_FEATURE (the service's own watch of the agent's keys is then the only one)."""
    if len(sequence) != 2 or sequence[0] not in "*#" or sequence[1] not in "0123456789":
        return NO_FEATURE
    return f"{PRIVATE_FEATURE_PREFIX}{'star' if sequence[0] == '*' else 'hash'}{sequence[1]}"


# Where prompts live below Asterisk's sounds/<language>/ folder.
PROMPT_FOLDER = "ivr-consent"


class Prompt(StrEnum):
    NOTICE_SHORT = "notice-short"
    NOTICE_FULL = "notice-full"
    NOTICE_UNRECORDED = "notice-unrecorded"  # shorter notice for a call that will not be recorded
    OBJECTION_CONFIRMED = "objection-confirmed"


class Decision(StrEnum):
    """The final word on a call's recording, in the ledger."""

    KEPT = "kept"
    OBJECTED = "objected"
    NOT_RECORDED = "not-recorded"  # consent flow ran, but no conversation was recorded
    ABANDONED = "abandoned"  # the caller hung up during the notice
    PRIVATE = "private"  # an agent excluded the call as private: deleted like an objection


class Source(StrEnum):
    """Who or what caused a ledger event."""

    CALLER = "caller"  # a key the service saw on the caller's channel
    AGENT = "agent"  # a key the service saw on an agent's channel
    DIALPLAN = "dialplan"  # a step the dialplan reported
    PBX_FEATURE = "pbx-feature"  # the in-call key handled by the PBX alone
    SERVICE = "service"
    RECONCILE = "reconcile"  # learned after an outage from PBX-side memory
    OPERATOR = "operator"  # an administrator's command (ivr redact)


class EventKind(StrEnum):
    """What happened on a call, as the ledger keeps it. Adding a kind is a schema change (see
    `ivr.ledger.schema`). Here, beside `Decision` and `Source`, so that the consent core names
    what it logs without importing the storage model."""

    PROFILE_CHOSEN = "profile-chosen"  # detail: profile, language, why
    RECORDING_DECIDED = "recording-decided"  # detail: record (yes/no), why (sampling, period...)
    NOTICE_STARTED = "notice-started"
    FULL_NOTICE_REQUESTED = "full-notice-requested"
    NOTICE_DONE = "notice-done"
    NOTICE_INCOMPLETE = "notice-incomplete"  # never heard to the end: the call is not recorded
    OPTED_IN = "opted-in"
    DECLINED = "declined"  # opt-in: the caller did not accept; nothing is recorded
    PAUSED = "paused"  # detail: reason (agent, payment), by (who pressed)
    RESUMED = "resumed"
    PRIVATE = "private"  # an agent excluded the call: stopped and deleted
    OBJECTED = "objected"
    OBJECTION_CONFIRMED = "objection-confirmed"  # the confirmation prompt was played
    RECORDING_STARTED = "recording-started"
    RECORDING_STOPPED = "recording-stopped"
    RECORDING_DELETED = "recording-deleted"
    RECORDING_KEPT = "recording-kept"
    RECORDING_ENCRYPTED = "recording-encrypted"  # a kept file encrypted after the call's end
    RECORDING_REDACTED = "recording-redacted"  # detail: from, to, old and new sha256, reason
    LISTENED = "listened"  # live, by a supervisor; detail: by, from, to, ended (left, objected...)
    HANGUP = "hangup"
    ERROR = "error"  # something failed; the detail says what


# Live listening (dialplan/ivr-listen.conf): a supervisor dials the listen code, the subroutine
# raises UserEvent(IvrListen, Step: ask, Agent: ...) and waits a second for the service's answer
# in IVR_LISTEN on the supervisor's channel; no answer is a refusal (fail closed).
LISTEN_CONTEXT = "ivr-listen"
LISTEN_EVENT = "IvrListen"
VAR_LISTEN = "IVR_LISTEN"
VAR_LISTEN_TO = "IVR_LISTEN_TO"  # on the supervisor's channel: the agent asked for (filtered)
# AstDB: ivr-listen/<call id>/<spy's unique id> = the spy's channel, so that the PBX itself can
# hang up every spy of a call on an objection or a payment step (ivr-listen,end-spies).
DB_LISTENERS = "ivr-listen"
LISTEN_PROMPT_FOLDER = "ivr-listen"  # below sounds/<language>/: refusals and the agent's tone


class ListenStep(StrEnum):
    ASK = "ask"  # the supervisor dialled the listen code
    SPYING = "spying"  # allowed: ChanSpy starts now
    REFUSED = "refused"  # the dialplan refused (Reason: header), the service's answer or not


class Refusal(StrEnum):
    """Why a live listen is refused; each has a prompt ``refused-<reason>`` for the supervisor."""

    UNKNOWN_SUPERVISOR = "unknown-supervisor"  # the endpoint is no configured supervisor
    NOT_ALLOWED = "not-allowed"  # the supervisor may not listen to that agent's group
    NO_CALL = "no-call"  # the agent is in no call the service tracks
    OBJECTED = "objected"
    PRIVATE = "private"
    PAYMENT = "payment"
    NOT_RECORDABLE = "not-recordable"  # the call may not be recorded (sampling aside)
    SERVICE_AWAY = "service-away"  # the dialplan's own: no answer within a second


@dataclass(frozen=True)
class ListenAnswer:
    """IVR_LISTEN: ``allowed:<call id>:<agent channel>:<ChanSpy options>:<tone 1|0>`` or
    ``refused:<reason>`` (the dialplan CUTs on ':', so no field may hold one)."""

    refusal: Refusal | None
    call_id: str = ""
    channel: str = ""
    options: str = ""
    tone: bool = False  # the agent hears a tone as the supervisor joins and leaves

    def encode(self) -> str:
        if self.refusal is not None:
            return f"refused:{self.refusal}"
        fields = (self.call_id, self.channel, self.options)
        if any(":" in field for field in fields):
            raise ValueError(f"a ':' in {fields!r} would cut the answer wrongly")
        return ":".join(("allowed", *fields, "1" if self.tone else "0"))

    @classmethod
    def decode(cls, value: str) -> Self | None:
        kind, _, rest = value.partition(":")
        if kind == "refused":
            try:
                return cls(Refusal(rest))
            except ValueError:
                return None
        fields = rest.split(":")
        if kind != "allowed" or len(fields) != 4 or not all(fields[:2]) or fields[3] not in "01":
            return None
        call_id, channel, options, tone = fields
        return cls(None, call_id, channel, options, tone=tone == "1")


# The service's own AMI account: only the classes it needs (dialplan/manager-ivr.conf and the
# sandbox both use these; a unit test keeps them in step). Measured on Asterisk 22: MixMonitor
# and the AstDB writes need `system`, Setvar needs `call`; nothing needs `command`,
# `originate`, `config` or `reporting`. It reads no event of the `system` class: a PBX restart
# drops the link, and the reconnection rebuilds every call (`Status`, class `call`).
SERVICE_AMI_USER = "ivr"
SERVICE_AMI_READ = ("call", "dtmf", "user")
SERVICE_AMI_WRITE = ("system", "call")
# Every class-gated AMI action the consent flow needs (`ivr doctor` checks the PBX grants each
# one; docs/ami-account.md): all filed under `call`.
SERVICE_AMI_ACTIONS = ("Setvar", "Getvar", "Status", "Hangup", "StopMixMonitor", "MixMonitorMute")
# Filed under `system` only, used when the account has it: MixMonitor for the agents' tone and
# for a recording the dialplan did not arm, AstDB to keep settings and objections across a PBX
# restart and to forget collected objections (and the outbound guard's memory).
SERVICE_AMI_SYSTEM_ACTIONS = ("MixMonitor", "DBPut", "DBGetTree", "DBDel")
