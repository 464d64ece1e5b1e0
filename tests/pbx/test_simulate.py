"""`ivr simulate` as a QA engineer runs it: a subprocess placing the shipped scenarios' calls
through the carrier into the PBX under test, with the service running; its exit status, its
table and its reports are what is asserted."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.service import API_TOKEN, ServiceProcess, policy_config, running
from tests.support.targets import Target

pytestmark = pytest.mark.sip

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "docker" / "qa" / "scenarios"
STACK_CONFIG = REPO / "docker" / "ivr" / "ivr.toml"
STACK_POLICY = ("recording", "consent", "profiles", "agents", "outbound")  # what they rely on
RUN_DEADLINE = 600.0

WRONG = """
[[call]]
name = "wrongly-expects-objection"
hangup = { at = 1.0, after = "bridged" }

[call.expect]
recorded = false
decision = "objected"

[[call]]
name = "wrongly-expects-no-pause"
agent = { keys = [{ key = "*1", at = 1.0, after = "bridged", ms = 150 }] }
hangup = { at = 3.0, after = "bridged" }

[call.expect]
recorded = true
paused = 0
profile = "de"

# No extension of the PBX's matches (mind Asterisk's patterns: `-` is ignored in them, so the
# sandbox's `_[n]-.` takes any name starting with n).
[[call]]
name = "transfer-to-nowhere"
hangup = { at = 3.0, after = "bridged" }
agent = { transfer = { to = "unknown-desk", at = 1.0, after = "bridged" } }
expect = { recorded = true }
"""


def stack_policy() -> str:
    """The Docker stack's policy tables (profiles, keys, agents, recording), as its file has
    them: the sandbox run judges the shipped scenarios under the same rules as the stack."""
    kept, keeping = [], False
    for line in STACK_CONFIG.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            keeping = line.strip("[] ").split(".")[0] in STACK_POLICY
        if keeping:
            kept.append(line)
    return "\n".join(kept) + "\n"


@pytest_asyncio.fixture(scope="module")
async def service(
    tmp_path_factory: pytest.TempPathFactory, pbx_target: Target
) -> AsyncIterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("simulate")
    config = policy_config(folder, pbx_target, stack_policy())
    async with running(config, folder / "simulate-service.log") as process:
        yield process


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory, pbx_pair: tuple[Target, Target]) -> list[str]:
    folder = tmp_path_factory.mktemp("targets")
    paths = []
    for target in pbx_pair:
        path = folder / f"{target.name}.json"
        path.write_text(json.dumps(asdict(target), default=str), encoding="utf-8")
        paths.append(str(path))
    return paths


async def simulate(service: ServiceProcess, targets: list[str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivr",
        "simulate",
        *args,
        "--targets",
        *targets,
        "--api",
        service.base_url,
        env={"IVR_API_TOKEN": API_TOKEN, "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO,
    )
    out, err = await asyncio.wait_for(process.communicate(), RUN_DEADLINE)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.timeout(RUN_DEADLINE + 30)
async def test_shipped_scenarios_pass(
    service: ServiceProcess, targets: list[str], tmp_path: Path
) -> None:
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    code, out, err = await simulate(
        service,
        targets,
        str(SCENARIOS),
        "--concurrency",
        "6",
        "--report",
        str(report),
        "--junit",
        str(junit),
    )
    assert code == 0, f"{out}\n{err}\n{service.log_tail()}"
    body = json.loads(report.read_text())
    names = {c["call"] for c in body["calls"]}
    assert {"no-key-kept", "no-key-kept-en", "objection-mid-call", "agent-hangs-up"} <= names
    assert {"opt-in-declined", "agent-pause-and-resume", "private-prefix", "payment-muted"} <= names
    assert {"objection-after-transfer", "private-after-transfer"} <= names
    assert body["summary"]["failed"] == 0
    assert all(c["verdict"] == "pass" for c in body["calls"])
    assert body["summary"]["calls"] == len(names) >= 16
    assert '<testsuites name="ivr simulate">' in junit.read_text()
    assert f"[{len(names)}/{len(names)}]" in err  # progress while the calls ran


@pytest.mark.timeout(120)
async def test_wrong_expectation_fails_with_a_readable_table(
    service: ServiceProcess, targets: list[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "wrong.toml"
    scenario.write_text(WRONG, encoding="utf-8")
    report = tmp_path / "report.json"
    code, out, _ = await simulate(service, targets, str(scenario), "--report", str(report))
    assert code == 1, out
    header, _rule, row, paused = out.splitlines()[:4]
    assert header.split() == ["call", "expected", "observed", "verdict"]
    assert paused.startswith("wrongly-expects-no-pause")
    assert "recorded, kept, paused x1" in paused
    assert paused.rstrip().endswith("FAIL")
    assert "paused: expected 0 pause(s), the ledger records 1" in out
    assert "profile: expected de, ledger says fr" in out
    assert row.startswith("wrongly-expects-objection")
    assert row.rstrip().endswith("FAIL")
    assert "not recorded, objected" in row
    assert "recorded, kept" in row
    assert "decision: expected objected, ledger says kept" in out
    assert "recorded: expected not recorded, observed kept on disk" in out
    assert f"{scenario}:2" in out
    assert "agent transfer to unknown-desk: the PBX says" in out
    verdicts = [c["verdict"] for c in json.loads(report.read_text())["calls"]]
    assert verdicts == ["fail", "fail", "fail"]
