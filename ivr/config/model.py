"""The validated configuration: frozen, typed, with defaults that suit a Debian Asterisk."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ivr.config.compliance import ComplianceSettings
from ivr.config.listening import ListeningSettings
from ivr.config.profiles import Profile
from ivr.config.recording import AgentSettings, RecordingPolicy
from ivr.config.rules import ProfileRule
from ivr.config.secret import Secret
from ivr.config.service import ServiceSettings
from ivr.config.store import StoreSettings
from ivr.config.texts import NoticeItems, text_sha256
from ivr.names import Prompt


@dataclass(frozen=True)
class AmiSettings:
    host: str
    port: int
    username: str
    secret: Secret  # from `secret` or `secret_file`; its repr hides the value
    action_timeout: float  # seconds an action may wait for its response
    ping_interval: float  # seconds between liveness pings
    auth: str = "plain"  # "md5": challenge login, the secret never crosses the link
    tls: bool = False  # AMI over TLS (Asterisk's tlsenable), the PBX's certificate checked
    ca_file: Path | None = None  # the CA (or self-signed certificate) to check it against


@dataclass(frozen=True)
class RecordingsSettings:
    dir: Path  # host path of the folder MixMonitor writes to; the service checks it exists
    format: str  # MixMonitor's file extension


@dataclass(frozen=True)
class LedgerSettings:
    path: Path


@dataclass(frozen=True)
class HttpSettings:
    listen_host: str
    listen_port: int
    public_url: str  # where callers read the legal notice; spoken in the full notice

    @property
    def listen(self) -> str:
        host = f"[{self.listen_host}]" if ":" in self.listen_host else self.listen_host
        return f"{host}:{self.listen_port}"


@dataclass(frozen=True)
class VoiceSettings:
    """espeak-ng's settings for generated prompts."""

    speed: int  # words per minute
    pitch: int  # 0-99
    voices: Mapping[str, str]  # language -> espeak-ng voice; a language not listed uses its code

    def voice(self, language: str) -> str:
        return self.voices.get(language, language)


@dataclass(frozen=True)
class PromptsSettings:
    dir: Path  # Asterisk's sounds folder: prompts go to <dir>/<lang>/ivr-consent/<profile>/
    studio_dir: Path | None  # recordings that replace generated prompts, same layout
    voice: VoiceSettings


@dataclass(frozen=True)
class ConsentKeys:
    full_notice: str  # [consent.keys] full_notice
    objection: str  # [consent.keys] object
    accept: str = "2"  # [consent.keys] accept: the yes of opt-in profiles


@dataclass(frozen=True)
class LanguagePack:
    """Everything said or shown to a caller of one profile in one language, rendered."""

    profile: str
    language: str
    notice: NoticeItems
    prompts: Mapping[Prompt, str]  # spoken texts, keys said in words
    page: Mapping[str, str]  # the legal notice page's texts, keys as written


@dataclass(frozen=True)
class ConsentSettings:
    default_profile: str
    keys: ConsentKeys
    profiles: Mapping[str, Profile]  # the enabled ones, default first
    rules: tuple[ProfileRule, ...] = ()  # [[consent.rules]], in order: the first match wins


@dataclass(frozen=True)
class Settings:
    path: Path  # the file it was loaded from
    ami: AmiSettings
    recordings: RecordingsSettings
    ledger: LedgerSettings
    http: HttpSettings
    prompts: PromptsSettings
    consent: ConsentSettings
    packs: Mapping[tuple[str, str], LanguagePack] = field(repr=False)
    environment: tuple[str, ...] = ()  # the IVR_* variables that overrode the file
    compliance: ComplianceSettings = field(default_factory=ComplianceSettings)
    recording: RecordingPolicy = field(default_factory=RecordingPolicy)  # [recording]
    agents: AgentSettings = field(default_factory=AgentSettings)  # [agents]
    listening: ListeningSettings = field(default_factory=ListeningSettings)  # [listening]
    store: StoreSettings = field(default_factory=StoreSettings)  # [store]
    service: ServiceSettings = field(default_factory=ServiceSettings)  # [service]

    def pack(self, profile: str, language: str) -> LanguagePack:
        try:
            return self.packs[profile, language]
        except KeyError:
            raise KeyError(f"no enabled profile {profile!r} in language {language!r}") from None

    def texts(self, profile: str, language: str) -> dict[Prompt, str]:
        """The prompts of ``profile`` in ``language``, as spoken."""
        return dict(self.pack(profile, language).prompts)

    def text_hash(self, profile: str, language: str, prompt: Prompt) -> str:
        """The prompt's version: sha256 of its text; it changes whenever what it says does."""
        return text_sha256(self.pack(profile, language).prompts[prompt])

    def prompt_keys(self) -> Iterator[tuple[str, str, Prompt]]:
        """Every (profile, language, prompt) the PBX may play."""
        for profile, language in self.packs:
            for prompt in Prompt:
                yield profile, language, prompt
