"""Texts are templates: which exist, which placeholders they may and must use, and rendering.

A profile ships its texts per language (``ivr/config/shipped/<profile>/<language>.toml``); the
administrator may replace any of them. Whatever the source, a text is checked here, so an
override cannot drop the key the caller must press, nor name a placeholder that does not exist.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping
from dataclasses import dataclass, fields

from ivr.config.reader import Source, hint, shown
from ivr.names import Prompt


@dataclass(frozen=True)
class NoticeItems:
    """What the full notice says, in one language: the information GDPR article 13 requires."""

    name: str  # the controller: who records
    contact: str
    dpo: str  # the data protection officer's contact
    purposes: str
    legal_basis: str
    recipients: str
    retention: str
    transfers: str  # transfers outside the EU (or the country), or "none"
    requirement: str  # whether giving the data is required, and what happens otherwise
    portability: str  # data portability where the legal basis makes it apply, else why not
    rights: str  # access, rectification, erasure, objection, and how to exercise them
    complaint: str  # the authority to complain to


ITEMS: tuple[str, ...] = tuple(f.name for f in fields(NoticeItems))

ITEM_HELP: Mapping[str, str] = {
    "name": "the controller's name (who records)",
    "contact": "how to reach the controller",
    "dpo": "how to reach the data protection officer",
    "purposes": "why calls are recorded",
    "legal_basis": "the legal basis of the recording",
    "recipients": "who receives the recordings",
    "retention": "how long recordings are kept",
    "transfers": 'transfers outside the EU (or your country), or "none"',
    "requirement": "whether being recorded is required, and what happens if the caller refuses",
    "portability": "data portability (consent or contract) or why it does not apply",
    "rights": "the caller's rights and how to exercise them",
    "complaint": "the authority a caller can complain to",
}

SPEECH_HELPERS = ("key-star", "key-hash")  # how "*" and "#" are said
PAGE_TEXTS = (
    "language-name",
    "page-title",
    "page-intro",
    "page-controller",
    "page-contact",
    "page-dpo",
    "page-purposes",
    "page-legal-basis",
    "page-recipients",
    "page-retention",
    "page-transfers",
    "page-requirement",
    "page-portability",
    "page-rights",
    "page-objection",
    "page-objection-text",
    "page-complaint",
    "page-complaint-text",
    "page-other-languages",
)
TEXT_KEYS: tuple[str, ...] = (*(p.value for p in Prompt), *SPEECH_HELPERS, *PAGE_TEXTS)

KEY_PLACEHOLDERS = ("object_key", "full_notice_key", "accept_key")
URL_PLACEHOLDERS = ("url", "spoken_url")
PLACEHOLDERS: tuple[str, ...] = (
    *KEY_PLACEHOLDERS,
    "controller",
    *ITEMS[1:],
    *URL_PLACEHOLDERS,
)

# What a text must say, so an override cannot leave the caller without the key or the facts.
MustSay = Mapping[str, tuple[str, ...]]


def must_say(*, objection: bool, opt_in: bool) -> MustSay:
    """The placeholders each text of a profile must use: the keys the caller needs under its
    rules (the objection key where it is offered, the accept key where consent is opt-in)."""
    keys = ("full_notice_key", *(("object_key",) if objection else ()))
    keys += ("accept_key",) if opt_in else ()
    offered = ("object_key",) if objection else ()
    # The first layer must already say who records and why (CNIL: the essential information
    # in the first layer), whatever an override does with the rest.
    return {
        Prompt.NOTICE_SHORT.value: (*keys, "controller", "purposes"),
        Prompt.NOTICE_FULL.value: (*offered, "controller", *ITEMS[1:]),
        "page-objection-text": offered,
    }


_DEFAULT_MUST_SAY = must_say(objection=True, opt_in=False)
_LITERAL = (*SPEECH_HELPERS, "language-name")  # used to build placeholders: none inside


def check_template(
    name: str, template: str, key: str, source: Source, must: MustSay = _DEFAULT_MUST_SAY
) -> None:
    """Refuse text ``name`` if it has an unknown placeholder or misses one it must have."""
    used = _placeholders(template, key, source)
    if name in _LITERAL and used:
        raise source.error(key, "takes no placeholder")
    for needed in must.get(name, ()):
        if needed not in used:
            raise source.error(key, f"must say {{{needed}}}")
    if name == Prompt.NOTICE_FULL and not used & set(URL_PLACEHOLDERS):
        raise source.error(key, "must say {spoken_url} or {url}: where to read the notice")


def _placeholders(template: str, key: str, source: Source) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise source.error(key, f"{exc} (write {{{{ and }}}} for literal braces)") from None
    used = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            whole = shown("{" + name + (f"!{conversion}" if conversion else "") + "}")
            raise source.error(key, f"unknown placeholder {whole}" + hint(name, PLACEHOLDERS))
        used.add(name)
    return used


def render(template: str, values: Mapping[str, str]) -> str:
    """A checked template filled in, on one line."""
    return one_line(template.format_map(values))


def one_line(text: str) -> str:
    """Single spaces: line breaks in TOML strings are for the eye, not the voice or the page."""
    return " ".join(text.split())


def text_sha256(text: str) -> str:
    """The version of a prompt: the hash of exactly what it says."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
