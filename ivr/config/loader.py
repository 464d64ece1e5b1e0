"""Loading the configuration: typed defaults, then the file, then the environment; validated
once, with one error naming the file (or variable) and the dotted key."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from ivr.config import compliance, listening, recording, service, store
from ivr.config.consent import read_consent
from ivr.config.env import overlay
from ivr.config.errors import ConfigError
from ivr.config.model import Settings
from ivr.config.portability import check_portability
from ivr.config.reader import Source, Table, hint, shown
from ivr.config.retention_notice import check_retention_sentences
from ivr.config.sections import read_ami, read_http, read_ledger, read_prompts, read_recordings

SECTIONS = {
    "ami": (
        *("host", "port", "username", "secret", "secret_file", "action_timeout", "ping_interval"),
        *("auth", "tls", "ca_file"),  # MD5 challenge login, AMI over TLS
    ),
    "recordings": ("dir", "format"),
    "ledger": ("path",),
    "http": ("listen", "public_url"),
    "prompts": ("dir", "studio_dir", "espeak"),
    **compliance.SECTIONS,
    **recording.SECTIONS,
    **listening.SECTIONS,
    "store": store.KEYS,
    **service.SECTIONS,
}
_OTHERS: tuple[str, ...] = ("consent", "controller", "notice", "profiles")  # ivr.config.consent
_OTHERS += ("outbound",)  # read by ivr.outbound.config


def load_settings(path: Path | str, environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check ``path``; ``environ`` defaults to ``os.environ``."""
    path = Path(path)
    raw, origins = overlay(_read(path), environ)
    root = Table(raw, "", Source(path, origins), (*SECTIONS, *_OTHERS))
    tables = {name: root.table(name, keys) for name, keys in SECTIONS.items()}
    ami = read_ami(tables["ami"])
    recordings = read_recordings(tables["recordings"])
    ledger = read_ledger(tables["ledger"])
    http = read_http(tables["http"])
    prompts = read_prompts(tables["prompts"])
    consent, packs = read_consent(root, http.public_url)
    _check_voices(tables["prompts"], {language for _, language in packs})
    packs_view = MappingProxyType(packs)
    environment = tuple(origins.values())
    rules = compliance.read_compliance(tables, tuple(consent.profiles), ledger.path)
    check_retention_sentences(root.source, packs, rules.retention)
    check_portability(root.source, packs)
    return Settings(
        path,
        ami,
        recordings,
        ledger,
        http,
        prompts,
        consent,
        packs_view,
        environment,
        rules,
        recording=recording.read_recording(tables["recording"]),
        agents=recording.read_agents(tables["agents"]),
        listening=listening.read_listening(tables["listening"]),
        store=store.read_store(tables["store"]),
        service=service.read_service(tables["service"]),
    )


def _read(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=path, key=None) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path, key=None) from None


def _check_voices(prompts: Table, languages: set[str]) -> None:
    """A voice for a language nothing speaks is a typo of one that is."""
    voices = prompts.table("espeak", None).table("voices", None)
    for language in voices.data:
        if language not in languages:
            raise voices.error(
                language, f"no enabled profile speaks {shown(language)}" + hint(language, languages)
            )
