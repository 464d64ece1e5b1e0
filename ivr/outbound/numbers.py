"""Phone numbers in one form, E.164, and the time zones a consumer's number may be in.

`phonenumbers` parses every usual way of writing a number. Two French facts it does not cover
are filled in here: overseas departments dialled in the national form (``0692…`` is Réunion,
``+262692…``, not ``+33692…``), and the time zone of each overseas department by its prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import phonenumbers
from phonenumbers import timezone as number_zones

# National prefixes (after the 0) of the overseas departments -> their country calling code.
_OVERSEAS_PREFIXES: Mapping[str, int] = MappingProxyType(
    {
        "262": 262, "692": 262, "693": 262,  # Réunion
        "269": 262, "639": 262,  # Mayotte
        "590": 590, "690": 590, "691": 590,  # Guadeloupe, Saint-Martin, Saint-Barthélemy
        "594": 594, "694": 594,  # Guyane
        "596": 596, "696": 596, "697": 596,  # Martinique
    }
)  # fmt: skip
# The overseas departments' zones, by E.164 prefix; the longest matching prefix wins.
FRENCH_ZONES: Mapping[str, str] = MappingProxyType(
    {
        "+33": "Europe/Paris",
        "+262": "Indian/Reunion",
        "+262269": "Indian/Mayotte",
        "+262639": "Indian/Mayotte",
        "+269": "Indian/Mayotte",  # Mayotte's former code, still written
        "+590": "America/Guadeloupe",
        "+594": "America/Cayenne",
        "+596": "America/Martinique",
    }
)


# Already E.164 (8 to 15 digits): taken as is, as the library would format it, at a twentieth
# of the cost, which matters for lists of millions. A +33 number of an overseas department
# (+33692…) is left to the library and the fix below.
_E164 = re.compile(r"\+[1-9]\d{7,14}")


class NumberError(ValueError):
    """Text that is not a phone number; the message quotes it."""


def normalise(text: str, default_region: str) -> str:
    """``text`` in E.164 (``+33612345678``); ``default_region`` reads national forms."""
    if _E164.fullmatch(text) and not (text.startswith("+33") and text[3:6] in _OVERSEAS_PREFIXES):
        return text
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise NumberError(f"not a phone number: {text!r} ({exc})") from None
    number = _overseas(number)
    if not phonenumbers.is_possible_number(number):
        raise NumberError(f"not a possible phone number: {text!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _overseas(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber:
    national = str(number.national_number)
    if number.country_code != 33 or len(national) != 9:
        return number
    code = _OVERSEAS_PREFIXES.get(national[:3])
    if code is None:
        return number
    return phonenumbers.PhoneNumber(country_code=code, national_number=number.national_number)


def zones(e164: str, table: Mapping[str, str], fallback: str) -> tuple[str, ...]:
    """The zones the consumer may be in: the longest prefix of ``table``, else the library's
    zones for the number, else ``fallback``. A number spread over several zones gives them all,
    so that a window is checked in each (the strictest wins)."""
    prefixes = [prefix for prefix in table if e164.startswith(prefix)]
    if prefixes:
        return (table[max(prefixes, key=len)],)
    found = number_zones.time_zones_for_number(phonenumbers.parse(e164, None))
    known = tuple(zone for zone in found if zone != number_zones.UNKNOWN_TIMEZONE)
    return known or (fallback,)
