"""The retention the notice states must be the one [retention] applies.

The notice's ``retention`` item is the administrator's own sentence ("six mois, puis ...");
[retention] is what the purge does. A caller told "six months" whose recording is kept a year
was misinformed, so when a profile's sentence states durations (read in en, fr and de, in
digits or words), one of them must be the profile's ``audio_days`` (a month counts 30.44
days, a year 365.25; a few percent of slack for "six months" = 180 days). A sentence giving
criteria rather than a duration cannot contradict it and is left alone.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping

from ivr.config.compliance import RetentionSettings
from ivr.config.model import LanguagePack
from ivr.config.reader import Source, shown

UNIT_DAYS = {
    "day": 1.0, "days": 1.0, "jour": 1.0, "jours": 1.0, "tag": 1.0, "tage": 1.0, "tagen": 1.0,
    "week": 7.0, "weeks": 7.0, "semaine": 7.0, "semaines": 7.0, "woche": 7.0, "wochen": 7.0,
    "month": 30.44, "months": 30.44, "mois": 30.44, "monat": 30.44, "monate": 30.44,
    "monaten": 30.44,
    "year": 365.25, "years": 365.25, "an": 365.25, "ans": 365.25, "année": 365.25,
    "années": 365.25, "jahr": 365.25, "jahre": 365.25, "jahren": 365.25,
}  # fmt: skip
NUMBER_WORDS = {
    "en": "one two three four five six seven eight nine ten eleven twelve",
    "fr": "un deux trois quatre cinq six sept huit neuf dix onze douze",
    "de": "ein zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
}
_EXTRA = {"une": 1, "eine": 1, "einen": 1, "einem": 1, "a": 1, "an": 1}
SLACK = 0.04


def _numbers(language: str) -> Mapping[str, int]:
    words = NUMBER_WORDS[language].split()
    return {word: n for n, word in enumerate(words, 1)} | _EXTRA


def stated_days(text: str, language: str) -> list[float]:
    """Every duration the sentence states, in days (``language`` among en, fr, de)."""
    numbers = _numbers(language)
    tokens = re.findall(r"\d+|\w+", text.lower())
    found = []
    for count, unit in itertools.pairwise(tokens):
        amount = int(count) if count.isdigit() else numbers.get(count)
        if amount is not None and unit in UNIT_DAYS:
            found.append(amount * UNIT_DAYS[unit])
    return found


def mismatch(text: str, language: str, audio_days: int) -> str | None:
    """Why ``text`` does not state ``audio_days``; None when it does or cannot be read here."""
    if language not in NUMBER_WORDS:
        return None
    durations = stated_days(text, language)
    if not durations:
        return None  # nothing to contradict ("until the end of the contract" is a criterion)
    if any(abs(days - audio_days) <= max(1.0, SLACK * audio_days) for days in durations):
        return None
    said = ", ".join(f"{days:.0f}" for days in durations)
    return (
        f"states {said} days, but [retention] keeps recordings {audio_days} days: make them agree"
    )


def check_retention_sentences(
    source: Source, packs: Mapping[tuple[str, str], LanguagePack], retention: RetentionSettings
) -> None:
    """Each profile's notice says the retention [retention] applies (see `retention_notice`)."""
    for (profile, language), pack in packs.items():
        days = retention.period(profile).audio_days
        problem = mismatch(pack.notice.retention, language, days)
        if problem is not None:
            raise source.error(
                f"notice.{language}.retention",
                f"profile {profile}: {shown(pack.notice.retention)} {problem}",
            )
