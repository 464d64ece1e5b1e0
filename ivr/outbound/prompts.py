"""The agents' refusal prompts: configured texts, spoken by espeak-ng like the consent
prompts, into <prompts.dir>/<lang>/ivr-outbound/<prompt>.wav. A prompt is rebuilt only when its
text or its voice changed (a small manifest beside the consent one keeps their hashes)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from ivr.config.model import VoiceSettings
from ivr.outbound.names import PROMPT_FOLDER, PROMPTS, REFUSAL_RECORDED
from ivr.outbound.profiles import Campaign
from ivr.prompts import audio, modes

MANIFEST = "ivr-outbound-manifest.json"
# Short on purpose: the agent hears it instead of a ring tone and dials the next number.
SHIPPED_TEXTS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "fr": {
            "refused-opposition": "Appel refusé : ce numéro s'est opposé au démarchage.",
            "refused-hours": "Appel refusé : en dehors des jours et heures autorisés.",
            "refused-attempts": "Appel refusé : trop de tentatives ce mois-ci pour ce numéro.",
            "refused-consent": "Appel refusé : aucun consentement enregistré pour ce numéro.",
            "refused-list-stale": "Appel refusé : la liste d'opposition n'est pas à jour.",
            "refused-caller-id": "Appel refusé : votre numéro est masqué.",
            "refused-invalid": "Appel refusé : numéro ou campagne inconnus.",
            "refused-unavailable": "Appel refusé : le contrôle des appels est indisponible.",
            "refusal-recorded": "Refus enregistré : ce numéro ne sera plus appelé.",
        },
        "en": {
            "refused-opposition": "Call refused: this number opted out of sales calls.",
            "refused-hours": "Call refused: outside the allowed days and hours.",
            "refused-attempts": "Call refused: too many attempts to this number this month.",
            "refused-consent": "Call refused: no consent is recorded for this number.",
            "refused-list-stale": "Call refused: the opposition list is out of date.",
            "refused-caller-id": "Call refused: your caller ID is masked.",
            "refused-invalid": "Call refused: unknown number or campaign.",
            "refused-unavailable": "Call refused: the call guard is unavailable.",
            "refusal-recorded": "Refusal recorded: this number will not be called again.",
        },
    }
)
# What the called party hears, per campaign: {professional}, {purpose}, {stop_key}.
SHIPPED_CALLEE_TEXTS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "fr": {
            "opening": "Bonjour, {professional} vous appelle au sujet de {purpose}. "
            "Pour ne plus être appelé par {professional}, appuyez sur {stop_key}.",
            "stop-confirmed": "C'est noté : {professional} ne vous appellera plus. Au revoir.",
        },
        "en": {
            "opening": "Hello, {professional} is calling you about {purpose}. "
            "To never be called by {professional} again, press {stop_key}.",
            "stop-confirmed": "Noted: {professional} will not call you again. Goodbye.",
        },
    }
)
DEFAULT_PURPOSE = MappingProxyType({"fr": "nos offres", "en": "our offers"})
# The agents' prompts: each refusal's reason, and the confirmation of their refusal key.
PROMPT_NAMES = tuple(sorted({*PROMPTS.values(), REFUSAL_RECORDED}))
CALLEE_PROMPTS = ("opening", "stop-confirmed")
PLACEHOLDERS = {"professional": "X", "purpose": "X", "stop_key": "7"}


def prompt_path(language: str, prompt: str) -> Path:
    return Path(language) / PROMPT_FOLDER / f"{prompt}.wav"


def callee_texts(
    texts: Mapping[str, Mapping[str, str]], campaigns: Mapping[str, Campaign], stop_key: str
) -> dict[str, dict[str, str]]:
    """The agents' prompts as they are, and each campaign's opening and confirmation,
    rendered: language -> prompt path below ivr-outbound/ -> text."""
    rendered: dict[str, dict[str, str]] = {}
    for language, prompts in texts.items():
        mine = {name: text for name, text in prompts.items() if name in PROMPT_NAMES}
        for campaign in campaigns.values():
            values = {
                "professional": campaign.professional,
                "purpose": campaign.purpose or DEFAULT_PURPOSE.get(language, campaign.name),
                "stop_key": stop_key,
            }
            for name in CALLEE_PROMPTS:
                mine[f"{campaign.name}/{name}"] = prompts[name].format(**values)
        rendered[language] = mine
    return rendered


def build_outbound_prompts(
    texts: Mapping[str, Mapping[str, str]], voice: VoiceSettings, out: Path
) -> list[Path]:
    """Speak every text (language -> prompt -> text) into ``out``; returns the files built."""
    manifest_path = out / MANIFEST
    try:
        known: dict[str, str] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    built = []
    for language, prompts in texts.items():
        for prompt, text in prompts.items():
            relative = str(prompt_path(language, prompt))
            version = _version(text, voice, language)
            target = out / relative
            if known.get(relative) != version or not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                audio.synthesize(text, language, voice, target)
                known[relative] = version
                built.append(target)
            # The PBX's user plays them, whatever the umask the builder runs under.
            modes.publish_folders(out, PurePosixPath(relative))
            modes.publish_file(target)
    manifest_path.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")
    modes.publish_file(manifest_path)
    return built


def _version(text: str, voice: VoiceSettings, language: str) -> str:
    said = f"{voice.voice(language)}|{voice.speed}|{voice.pitch}|{text}"
    return hashlib.sha256(said.encode()).hexdigest()
