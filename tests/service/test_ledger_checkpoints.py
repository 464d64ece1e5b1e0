"""The service signs the ledger's chain head with the audit log's key and sink: once stopped,
``ivr ledger verify --config`` confirms the ledger against the signed head (issue 15, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

from ivr.audit.checkpoint import new_private_key
from ivr.cli.main import main
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import decided, service, tier_settings
from tests.support.transcripts import Transcript


async def test_the_ledgers_head_is_signed_at_shutdown_and_verifies(
    pbx: FakePbx, tmp_path: Path
) -> None:
    key = tmp_path / "checkpoint.key"
    key.write_bytes(new_private_key())
    sink = tmp_path / "checkpoints.jsonl"
    audit = f'[audit]\ncheckpoint_key_file = "{key}"\ncheckpoint_file = "{sink}"\n'
    settings = tier_settings(tmp_path, pbx, audit)
    transcript = Transcript.load("consent-loop")
    async with service(settings) as runtime:
        await pbx.replay(transcript)
        await decided(runtime, transcript.call_id)
    chains = [json.loads(line)["chain"] for line in sink.read_text().splitlines()]
    assert "ledger" in chains
    assert main(["ledger", "verify", "--config", str(settings.path)]) == 0
