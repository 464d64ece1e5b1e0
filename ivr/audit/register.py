"""The GDPR article 30 record of processing, generated from the configuration, so that what is
declared is what the service is configured to do (retention periods, encryption, access)."""

from __future__ import annotations

from typing import Any

from ivr.config.model import Settings
from ivr.outbound.retention import canvassing_record

CATEGORIES_OF_SUBJECTS = ("callers", "employees who take the calls (agents)")
CATEGORIES_OF_DATA = (
    "caller ID number and name, as the telephone network presents them",
    "call times, the consent events (notice heard, keys pressed, objection) and the decision",
    "voice recordings of the conversation (only where the caller did not object)",
    "access records: which token listened to or downloaded which recording, when and why",
)


def build_record(settings: Settings, language: str | None = None) -> dict[str, Any]:
    consent = settings.consent
    profile = consent.profiles[consent.default_profile]
    items = settings.pack(profile.name, language or profile.default_language).notice
    return {
        "controller": {"name": items.name, "contact": items.contact, "dpo": items.dpo},
        "processing": "recording of telephone calls with notice and objection (ivr)",
        "purposes": items.purposes,
        "legal_basis": items.legal_basis,
        "categories_of_data_subjects": list(CATEGORIES_OF_SUBJECTS),
        "categories_of_personal_data": list(CATEGORIES_OF_DATA),
        "recipients": items.recipients,
        "transfers_outside_eu": "none configured by ivr (state any made by the hosting)",
        "retention": _retention(settings),
        "security_measures": _security(settings),
        "profiles": {
            name: {"mode": str(p.mode), "languages": list(p.languages)}
            for name, p in consent.profiles.items()
        },
        "which_calls_are_recorded": _which_calls(settings),
        "rights": items.rights,
        "complaint": items.complaint,
        "canvassing": canvassing_record(settings),  # issue 19
    }


def _which_calls(settings: Settings) -> dict[str, Any]:
    """Recording is not systematic: the sampling and the periods declared to the agents, or the
    legal obligation that makes it so."""
    policy, agents = settings.recording, settings.agents
    if policy.legal_reference:
        return {"every_call": f"legal obligation: {policy.legal_reference}"}
    return {
        "fraction_of_eligible_calls": policy.fraction,
        "declared_periods": [str(period) for period in policy.periods],
        "timezone": policy.timezone,
        "agents": {
            "hear_a_beep_at_start_and_stop": agents.tone,
            "pause_key": agents.pause_key or None,
            "private_call_key": agents.private_key or None,
            "private_call_prefix": agents.private_prefix or None,
        },
        "payment_steps": "muted: card data is never recorded",
    }


def _retention(settings: Settings) -> dict[str, Any]:
    rules = settings.compliance.retention
    periods = {"default": rules.default, **rules.profiles}
    return {
        name: {"recordings_days": p.audio_days, "personal_data_days": p.data_days}
        for name, p in periods.items()
    } | {"purge": f"daily at {rules.purge_at.isoformat('minutes')} UTC, and on demand"}


def _security(settings: Settings) -> list[str]:
    rules = settings.compliance
    measures = [
        "objection honoured at any moment: recording stopped and deleted",
        "consent ledger in a local SQLite file readable by the service account only (0600)",
        "recordings API behind bearer tokens with roles (auditor, supervisor, admin), "
        "tokens stored as hashes only; a reason is required for every listen or download",
        "hash-chained audit log of every listen, download, export, deletion, purge and "
        f"refused access ({rules.audit_path}), checked by `ivr audit verify`",
        "automatic purge of recordings and personal data at the end of their retention",
        "erasure on request, with a proof that keeps a keyed hash of the number only"
        + ("" if rules.erasure_secret else " (NOT CONFIGURED: set [erasure] secret_file)"),
    ]
    if rules.recording_key is not None:
        measures.append(
            "recordings encrypted at rest once closed (AES-256-GCM), key outside "
            "the recordings folder, key rotation by key id"
        )
    else:
        measures.append("recordings NOT encrypted at rest ([encryption] has no key)")
    return measures
