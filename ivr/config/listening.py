"""[listening]: who may listen live to which agents, and how.

    [listening]
    tone = true                       # agents hear a tone when a supervisor joins and leaves
    language = "fr"                   # of the prompts the supervisor and the agent hear
    [listening.supervisors.sup-claire]  # the supervisor's PJSIP endpoint
    person = "Claire Martin"
    role = "quality-supervisor"
    groups = ["team-a"]               # the agent groups they may listen to; ["*"]: every group
    whisper = false                   # may speak to the agent (ChanSpy w)
    barge = false                     # may speak to both (ChanSpy B)

Without the section nobody listens: every attempt is refused (and traced).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ivr.config.reader import Table, shown

SECTIONS = {"listening": ("tone", "language", "supervisors", "texts")}
SUPERVISOR_KEYS = ("person", "role", "groups", "whisper", "barge")
EVERY_GROUP = "*"
_ENDPOINT = re.compile(r"[A-Za-z0-9._-]{1,64}")
_LANGUAGE = re.compile(r"[a-z]{2}(_[A-Z]{2})?")

# What the supervisor hears when refused, and the agent's tone; prompts built by
# `ivr prompts build` into sounds/<language>/ivr-listen/. Each may be reworded in
# [listening.texts].
DEFAULT_TEXTS = {
    "refused-unknown-supervisor": "This phone may not listen to calls.",
    "refused-not-allowed": "You may not listen to this agent's calls.",
    "refused-no-call": "This agent is in no call that may be listened to.",
    "refused-objected": "The caller objected: this call may not be listened to.",
    "refused-private": "This call is private: it may not be listened to.",
    "refused-payment": "A payment is in progress: this call may not be listened to now.",
    "refused-not-recordable": "This call may not be listened to.",
    "refused-service-away": "Listening is not available now.",
}


@dataclass(frozen=True)
class Supervisor:
    endpoint: str
    person: str
    role: str
    groups: tuple[str, ...]  # EVERY_GROUP alone: every group
    whisper: bool = False
    barge: bool = False

    def may_hear(self, group: str) -> bool:
        return EVERY_GROUP in self.groups or group in self.groups

    @property
    def spy_options(self) -> str:
        """ChanSpy options beyond the quiet defaults: only what the configuration allows."""
        return ("B" if self.barge else "") + ("w" if self.whisper and not self.barge else "")


@dataclass(frozen=True)
class ListeningSettings:
    supervisors: Mapping[str, Supervisor] = field(default_factory=lambda: MappingProxyType({}))
    tone: bool = True
    language: str = "fr"
    texts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(DEFAULT_TEXTS))


def read_listening(table: Table) -> ListeningSettings:
    """``table`` is [listening], checked against SECTIONS["listening"]."""
    language = table.string("language", "fr")
    if not _LANGUAGE.fullmatch(language):
        raise table.error("language", f'must be a language code like "fr", got {shown(language)}')
    return ListeningSettings(
        supervisors=MappingProxyType(_supervisors(table)),
        tone=table.boolean("tone", True),
        language=language,
        texts=MappingProxyType(_texts(table.table("texts", tuple(DEFAULT_TEXTS)))),
    )


def _supervisors(table: Table) -> dict[str, Supervisor]:
    found = {}
    outer = table.table("supervisors", None)
    for endpoint, inner in table.tables("supervisors", SUPERVISOR_KEYS).items():
        if not _ENDPOINT.fullmatch(endpoint):
            raise outer.error(endpoint, f"{shown(endpoint)} is not a PJSIP endpoint name")
        found[endpoint] = Supervisor(
            endpoint,
            inner.string("person"),
            inner.string("role", "supervisor"),
            inner.strings("groups", ()),
            inner.boolean("whisper", False),
            inner.boolean("barge", False),
        )
    return found


def _texts(table: Table) -> dict[str, str]:
    return {name: table.string(name, text) for name, text in DEFAULT_TEXTS.items()}
