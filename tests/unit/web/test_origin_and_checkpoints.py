"""The audit origin behind a reverse proxy (X-Forwarded-For believed from configured proxies
only), and the running app signing the audit chain's head into its checkpoint file."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from ivr.audit import AuditLog
from ivr.audit.checkpoint import load_public_key, parse
from ivr.cli.main import main
from ivr.ledger import AsyncLedger
from ivr.web.app import build_app
from ivr.web.origin import client_address
from tests.unit.config import sample
from tests.unit.web.conftest import ENV_TOKEN, FakeService

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32"))


@pytest.mark.parametrize(
    ("peer", "headers", "client"),
    [
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # not a proxy: its header is ignored
        ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1, 10.1.2.3"], "198.51.100.1"),  # forged hop skipped
        ("127.0.0.1", ["garbage"], "127.0.0.1"),
        ("127.0.0.1", [], "127.0.0.1"),
    ],
)
def test_only_configured_proxies_name_the_client(
    peer: str, headers: list[str], client: str
) -> None:
    assert client_address(peer, headers, PROXIES) == client


async def test_the_running_app_signs_the_chain_head_and_names_the_proxied_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVR_API_TOKEN", ENV_TOKEN)
    assert main(["audit", "new-key", "--out", str(tmp_path / "audit.key")]) == 0
    (tmp_path / "rec").mkdir()
    audit = {"checkpoint_key_file": "audit.key", "checkpoint_file": "checkpoints.jsonl"}
    changes = {
        "recordings": {"dir": "rec"},
        "ledger": {"path": "ledger.sqlite3"},
        "audit": audit,
        "api": {"tokens_file": "tokens.toml", "trusted_proxies": ["127.0.0.1"]},
    }
    settings = sample.settings(tmp_path, changes)
    async with await AsyncLedger.open(settings.ledger.path) as ledger:
        server = TestServer(build_app(FakeService(settings, ledger)), host="127.0.0.1")
        async with TestClient(server) as client:
            headers = {"Authorization": f"Bearer {ENV_TOKEN}", "X-Forwarded-For": "192.0.2.7"}
            async with client.get("/api/calls/1.1?reason=ticket", headers=headers) as response:
                assert response.status == 404
    [row] = AuditLog(settings.compliance.audit_path).rows()
    assert row.entry.origin == "192.0.2.7"
    key = load_public_key(tmp_path / "audit.key")
    lines = (tmp_path / "checkpoints.jsonl").read_text().splitlines()
    assert [parse(line, key).head for line in lines] == [row.hash]
    assert main(["audit", "verify", "--config", str(settings.path)]) == 0
