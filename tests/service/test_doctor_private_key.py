"""`ivr doctor` on the agent's private key: the key the PBX runs itself once the service
published it, and a warning for a key ivr-features.conf cannot run (service up only)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ivr.ami import AmiClient
from ivr.doctor import pbx as doctor
from ivr.doctor.findings import Finding, Level
from ivr.service.pbx_memory import publish_keys
from tests.support.fake_pbx import FakePbx
from tests.support.service_tier import tier_settings


async def judged(pbx: FakePbx, tmp_path: Path, private_key: str) -> Finding:
    settings = tier_settings(tmp_path, pbx)
    settings = replace(settings, agents=replace(settings.agents, private_key=private_key))
    client = AmiClient()
    await client.connect("127.0.0.1", pbx.port, pbx.username, pbx.secret)
    try:
        await publish_keys(client, settings.consent, settings.agents)
        return await doctor.keys(client, settings)
    finally:
        await client.close()


async def test_a_private_key_the_pbx_runs_itself_is_published_and_passes(
    pbx: FakePbx, tmp_path: Path
) -> None:
    finding = await judged(pbx, tmp_path, "#5")
    assert finding.level is Level.OK, finding
    assert "feature-private=ivr-private-hash5" in finding.detail
    assert pbx.astdb[("ivr-consent", "feature-private")] == "ivr-private-hash5"


async def test_a_private_key_no_shipped_feature_runs_is_a_warning_naming_it(
    pbx: FakePbx, tmp_path: Path
) -> None:
    finding = await judged(pbx, tmp_path, "*12")
    assert finding.level is Level.WARN, finding
    assert "'*12'" in finding.detail
    assert "only while the service is up" in finding.detail
    assert pbx.globals["IVR_CFG_feature-private"] == "none"
