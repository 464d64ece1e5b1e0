"""Readers of the technical sections: [ami], [recordings], [ledger], [http], [prompts]."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from ivr.config.model import (
    AmiSettings,
    HttpSettings,
    LedgerSettings,
    PromptsSettings,
    RecordingsSettings,
    VoiceSettings,
)
from ivr.config.reader import Table, shown
from ivr.config.secret import Secret
from ivr.recordings.naming import FORMATS

# Only the formats whose every step works (see ivr.recordings).
RECORDING_FORMATS = FORMATS
_VOICE = re.compile(r"[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)?")


def read_ami(table: Table) -> AmiSettings:
    return AmiSettings(
        host=table.string("host", "127.0.0.1"),
        port=table.integer("port", 5038, 1, 65535),
        username=table.string("username", "ivr"),
        secret=_secret(table),
        action_timeout=table.number("action_timeout", 5.0, 0, 300),
        ping_interval=table.number("ping_interval", 10.0, 0, 3600),
        auth=_auth(table),
        tls=table.boolean("tls", False),
        ca_file=_ca_file(table),
    )


def _auth(table: Table) -> str:
    auth = table.string("auth", "plain")
    if auth not in ("plain", "md5"):
        raise table.error("auth", f"must be plain or md5, got {shown(auth)}")
    return auth


def _ca_file(table: Table) -> Path | None:
    ca_file = table.optional_path("ca_file")
    if ca_file is None:
        return None
    if not table.boolean("tls", False):
        raise table.error("ca_file", "only checks a TLS link: set tls = true too")
    if not ca_file.is_file():
        raise table.error("ca_file", f"{ca_file} is not a readable file")
    return ca_file


def _secret(table: Table) -> Secret:
    given = [name for name in ("secret", "secret_file") if name in table]
    if len(given) != 1:
        why = "both are set" if given else "neither is set"
        raise table.error("secret", f"set exactly one of secret and secret_file ({why})")
    if given == ["secret"]:
        origin = table.source.env.get(table.at("secret"), str(table.source.path))
        return Secret(table.string("secret"), origin)
    path = table.path("secret_file")
    try:
        value = path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise table.error("secret_file", f"cannot read {path}: {exc.strerror}") from None
    if not value.strip():
        raise table.error("secret_file", f"{path} is empty")
    return Secret(value, f"secret_file {path}")


def read_recordings(table: Table) -> RecordingsSettings:
    fmt = table.string("format", "wav")
    if fmt not in RECORDING_FORMATS:
        raise table.error(
            "format", f"must be one of {', '.join(RECORDING_FORMATS)}, got {shown(fmt)}"
        )
    return RecordingsSettings(
        dir=table.path("dir", Path("/var/spool/asterisk/monitor")), format=fmt
    )


def read_ledger(table: Table) -> LedgerSettings:
    return LedgerSettings(path=table.path("path", Path("/var/lib/ivr/ledger.sqlite3")))


def read_http(table: Table) -> HttpSettings:
    host, port = _listen(table, table.string("listen", "127.0.0.1:8480"))
    url = table.string("public_url") if "public_url" in table else None
    if url is None:
        raise table.error(
            "public_url",
            "required: the web address of the legal notice page, spoken in the full notice "
            '(e.g. "https://example.com/legal-notice")',
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise table.error("public_url", f"must be an http:// or https:// address, got {shown(url)}")
    return HttpSettings(listen_host=host, listen_port=port, public_url=url)


def _listen(table: Table, value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise table.error(
            "listen", f'must be "HOST:PORT" (IPv6 as "[::1]:8480"), got {shown(value)}'
        )
    return host, int(port)


def read_prompts(table: Table) -> PromptsSettings:
    espeak = table.table("espeak", ("speed", "pitch", "voices"))
    return PromptsSettings(
        dir=table.path("dir", Path("/usr/share/asterisk/sounds")),
        studio_dir=table.optional_path("studio_dir"),
        voice=VoiceSettings(
            speed=espeak.integer("speed", 150, 80, 450),
            pitch=espeak.integer("pitch", 50, 0, 99),
            voices=_voices(espeak),
        ),
    )


def _voices(espeak: Table) -> Mapping[str, str]:
    voices = espeak.table("voices", None)
    result = {}
    for language in voices.data:
        voice = voices.string(language)
        if not _VOICE.fullmatch(voice):
            raise voices.error(language, f"must be an espeak-ng voice name, got {shown(voice)}")
        result[language] = voice
    return MappingProxyType(result)
