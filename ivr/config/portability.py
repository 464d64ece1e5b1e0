"""Data portability where the legal basis makes it apply (GDPR art. 20: consent or contract).

The shipped profiles say portability does not apply where the basis is legitimate interest or
the law. An administrator who changes ``legal_basis`` to consent (or a contract) but keeps that
sentence would tell callers they lack a right they have; that combination is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ivr.config.model import LanguagePack
from ivr.config.reader import Source, shown

# Consent or contract, in the words and article numbers the notices use (en, fr, de).
_APPLIES = re.compile(
    r"consent|contract|consentement|contrat|einwilligung|vertrag|"
    r"6\s*\(1\)\s*\((a|b)\)|6\.1\.[ab]|buchstabe [ab]\b",
    re.IGNORECASE,
)
_DENIED = re.compile(r"does not apply|ne s'applique pas|gilt nicht|keine anwendung", re.IGNORECASE)
_NOT_CONSENT = re.compile(r"one-party consent|without (your )?consent", re.IGNORECASE)


def portability_applies(legal_basis: str) -> bool:
    return bool(_APPLIES.search(legal_basis)) and not _NOT_CONSENT.search(legal_basis)


def check_portability(source: Source, packs: Mapping[tuple[str, str], LanguagePack]) -> None:
    for (profile, language), pack in packs.items():
        notice = pack.notice
        if portability_applies(notice.legal_basis) and _DENIED.search(notice.portability):
            raise source.error(
                f"notice.{language}.portability",
                f"profile {profile}: the legal basis {shown(notice.legal_basis)} makes data "
                "portability apply (GDPR art. 20), but the notice says it does not: say how "
                "callers get their recording in a common format",
            )
