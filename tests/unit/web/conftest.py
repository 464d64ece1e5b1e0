"""A real HTTP server (aiohttp's TestServer on 127.0.0.1) over a real ledger, real recordings
(one encrypted, one plain) and a real tokens file with one token per role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from ivr.audit import AuditLog
from ivr.config import Settings
from ivr.crypto import RecordingKey, encrypt_recording
from ivr.ledger import AsyncLedger, KeptRecording
from ivr.names import Decision
from ivr.web.app import build_app
from ivr.web.tokens import Role, add_token
from tests.unit.config import sample

KEY_HEX = bytes(range(32)).hex()
ENV_TOKEN = "env-admin-token-for-tests"
ENCRYPTED_CALL, PLAIN_CALL = "1700000000.1", "1700000000.2"
NUMBER = "+33 6 12 34 56 78"


@dataclass
class FakeService:
    settings: Settings
    ledger: AsyncLedger

    def health(self) -> tuple[bool, dict[str, object]]:
        return True, {"ami": "ok"}

    def metrics_text(self) -> str:
        return "ivr_calls_total 3\n"


@dataclass
class Site:
    client: TestClient  # type: ignore[type-arg]
    settings: Settings
    ledger: AsyncLedger
    tokens: dict[Role, str]
    audio: dict[str, bytes]

    def auth(self, role: Role | None, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if role is not None:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return headers

    def audit_rows(self) -> list[tuple[str, ...]]:
        if not self.settings.compliance.audit_path.exists():
            return []
        rows = AuditLog(self.settings.compliance.audit_path).rows()
        return [
            (
                r.entry.actor,
                r.entry.role,
                r.entry.action,
                r.entry.target,
                r.entry.outcome,
                r.entry.reason,
                r.entry.origin,
            )
            for r in rows
        ]


def make_settings(tmp_path: Path) -> Settings:
    (tmp_path / "rec").mkdir()
    (tmp_path / "erasure.secret").write_text("erasure-secret\n")
    return sample.settings(
        tmp_path,
        {
            "recordings": {"dir": "rec"},
            "ledger": {"path": "ledger.sqlite3"},
            "encryption": {"key": KEY_HEX},
            "erasure": {"secret_file": "erasure.secret"},
            "api": {"tokens_file": "tokens.toml"},
        },
    )


async def add_call(
    ledger: AsyncLedger,
    folder: Path,
    call_id: str,
    number: str,
    started: datetime,
    *,
    encrypt: bool,
    profile: str = "fr",
) -> bytes:
    audio = b"RIFF" + call_id.encode() * 5000
    path = folder / f"{call_id}.wav"
    path.write_bytes(audio)
    await ledger.start_call(
        call_id,
        started_at=started,
        caller_number=number,
        caller_name="Jane",
        profile=profile,
        language="fr",
    )
    kept = KeptRecording(str(path), 12.0, "a" * 64)
    await ledger.finish_call(call_id, ended_at=started, decision=Decision.KEPT, recording=kept)
    if encrypt:
        encrypt_recording(path, RecordingKey.from_bytes(bytes.fromhex(KEY_HEX)))
    return audio


@pytest.fixture
async def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Site]:
    monkeypatch.setenv("IVR_API_TOKEN", ENV_TOKEN)
    settings = make_settings(tmp_path)
    tokens = {role: add_token(settings.compliance.tokens_file, role)[1] for role in Role}
    folder = settings.recordings.dir
    started = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    async with await AsyncLedger.open(settings.ledger.path) as ledger:
        audio = {
            ENCRYPTED_CALL: await add_call(
                ledger, folder, ENCRYPTED_CALL, NUMBER, started, encrypt=True
            ),
            PLAIN_CALL: await add_call(
                ledger, folder, PLAIN_CALL, "+331999", started, encrypt=False
            ),
        }
        server = TestServer(build_app(FakeService(settings, ledger)), host="127.0.0.1")
        async with TestClient(server) as client:
            yield Site(client, settings, ledger, tokens, audio)
