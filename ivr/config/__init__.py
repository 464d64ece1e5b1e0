"""The service's configuration: one TOML file, checked once at start-up.

``load_settings(path)`` returns a frozen `Settings` or raises one `ConfigError` naming the file
and the dotted key. `ENV_VARS` lists the environment variables that override the file.
"""

from ivr.config.compliance import ComplianceSettings, RetentionPeriod, RetentionSettings
from ivr.config.env import ENV_VARS, EnvVar
from ivr.config.errors import ConfigError
from ivr.config.loader import load_settings
from ivr.config.model import (
    AmiSettings,
    ConsentKeys,
    ConsentSettings,
    HttpSettings,
    LanguagePack,
    LedgerSettings,
    PromptsSettings,
    RecordingsSettings,
    Settings,
    VoiceSettings,
)
from ivr.config.profiles import Profile
from ivr.config.secret import Secret
from ivr.config.texts import NoticeItems, text_sha256
from ivr.names import Mode

__all__ = [
    "ENV_VARS",
    "AmiSettings",
    "ComplianceSettings",
    "ConfigError",
    "ConsentKeys",
    "ConsentSettings",
    "EnvVar",
    "HttpSettings",
    "LanguagePack",
    "LedgerSettings",
    "Mode",
    "NoticeItems",
    "Profile",
    "PromptsSettings",
    "RecordingsSettings",
    "RetentionPeriod",
    "RetentionSettings",
    "Secret",
    "Settings",
    "VoiceSettings",
    "load_settings",
    "text_sha256",
]
