"""Retention, erasure and audited access end to end: real SIP callers recorded by `ivr run` on
the real PBX (recordings encrypted at rest), then ``ivr purge`` at chosen moments, ``ivr erase``
and ``POST /api/erasures``, and downloads through the API; each test asserts the files on disk,
the ledger, the raw bytes of the ledger and audit files, and ``ivr audit verify``."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import sqlite3
import subprocess
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient
from ivr.audit import AuditLog, Entry
from ivr.config.secret import Secret
from ivr.crypto import new_key_hex
from ivr.qa.carrier import Carrier
from ivr.retention import subject_hash
from tests.support.consent_calls import ConsentCall, ledger_entry, place, poll
from tests.support.service import API_TOKEN, ServiceProcess, ivr_command, write_config
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.slow]

CLI_DEADLINE = 60.0
DAY = timedelta(days=1)


@dataclass
class Site:
    """A service of its own (ledger, audit log, tokens, keys in `folder`) on the PBX under test;
    `env` is what both the service and the ``ivr`` commands run with."""

    folder: Path
    config: Path
    env: dict[str, str]
    service: ServiceProcess

    @property
    def ledger(self) -> Path:
        return self.folder / "ledger.sqlite3"

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.folder / "audit.sqlite3")

    async def ivr(self, *args: str) -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(
            subprocess.run,
            ivr_command(*args),
            env=os.environ | self.env,
            capture_output=True,
            text=True,
            timeout=CLI_DEADLINE,
            check=False,
        )

    async def ok(self, *args: str) -> str:
        done = await self.ivr(*args, "--config", str(self.config))
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    async def token(self, role: str) -> str:
        return (await self.ok("token", "add", "--role", role, "--label", f"e2e {role}")).strip()

    async def call(self, call_id: str) -> dict[str, object]:
        status, body = await self.http("GET", f"/api/calls/{call_id}?reason=e2e")
        assert status == 200, body
        entry: dict[str, object] = json.loads(body)
        return entry

    async def recording(self, call_id: str) -> dict[str, object]:
        status, body = await self.http("GET", f"/api/recordings/{call_id}")
        assert status == 200, body
        meta: dict[str, object] = json.loads(body)
        return meta

    async def http(
        self,
        method: str,
        path: str,
        token: str | None = API_TOKEN,
        body: object = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        return await asyncio.to_thread(
            _http, self.service.base_url + path, method, token, body, headers or {}
        )

    async def audit_verified(self) -> list[Entry]:
        """The audit log's rows, once ``ivr audit verify`` found its chain intact."""
        said = await self.ok("audit", "verify")
        rows = self.audit.rows()
        assert f"intact, {len(rows)} rows" in said
        return [row.entry for row in rows]


def _http(
    url: str, method: str, token: str | None, body: object, headers: dict[str, str]
) -> tuple[int, bytes]:
    sent = dict(headers)
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        with refused:
            return refused.code, refused.read()


@pytest_asyncio.fixture
async def site(service_config: Path, tmp_path: Path, pbx_target: Target) -> AsyncIterator[Site]:
    """``service_config`` only builds the prompts into the PBX; this service has its own ledger
    and audit log, so a purge or an erasure here touches no other test's calls."""
    env = {
        "IVR_ENCRYPTION_KEY": new_key_hex(),
        "IVR_ERASURE_SECRET": secrets.token_hex(32),
        "IVR_API_TOKENS_FILE": str(tmp_path / "tokens.toml"),
    }
    config = write_config(tmp_path, pbx_target)
    service = ServiceProcess(config, tmp_path / "service.log", env=env)
    await service.start()
    try:
        yield Site(tmp_path, config, env, service)
    finally:
        assert service.stop() == 0, service.log_tail()


@dataclass
class Kept:
    """A call whose recording was kept, as the ledger says after it ended."""

    call: ConsentCall
    number: str
    file: Path  # the stored (encrypted) file
    sha256: str


async def kept_call(site: Site, call: ConsentCall) -> Kept:
    await call.step("notice-done")
    await call.bridged()
    await call.file_appears()
    await asyncio.sleep(2.0)  # the conversation
    await call.leg.hangup()
    entry = await ledger_entry(site.service, call.call_id)
    assert entry["decision"] == "kept", entry
    assert entry["caller_number"] == call.pbx.caller_num
    recording = entry["recording"]
    assert isinstance(recording, dict)
    stored = Path(str(recording["path"]))
    assert stored.name == f"{call.file.name}.enc"
    assert encrypted_only(stored, call.file)
    return Kept(call, call.pbx.caller_num, stored, str(recording["sha256"]))


async def two_kept_calls(
    site: Site, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> list[Kept]:
    """Two callers with different numbers, talking at the same time, both recorded."""
    calls = [await place(carrier, pbx_ami, pbx_target) for _ in range(2)]
    kept = list(await asyncio.gather(*(kept_call(site, call) for call in calls)))
    assert kept[0].number != kept[1].number
    return kept


def encrypted_only(stored: Path, plaintext: Path) -> bool:
    return stored.is_file() and not plaintext.exists()


def no_file_of(call: ConsentCall) -> bool:
    """Neither the recording nor its encrypted form is on disk."""
    return not call.file.exists() and not call.file.with_name(f"{call.file.name}.enc").exists()


def gone(kept: Kept) -> bool:
    return not kept.file.exists() and no_file_of(kept.call)


async def purge(site: Site, at: datetime, *options: str) -> list[str]:
    said = await site.ok("purge", *options, "--now", at.isoformat())
    return said.splitlines()


async def test_purge_deletes_audio_after_180_days_and_personal_data_after_365(
    site: Site, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    kept = await two_kept_calls(site, carrier, pbx_ami, pbx_target)
    ids = [k.call.call_id for k in kept]
    now = datetime.now(UTC)

    assert (await purge(site, now + 10 * DAY))[-1] == "0 recordings, 0 calls deleted"
    assert not any(gone(k) for k in kept)

    said = await purge(site, now + 181 * DAY, "--dry-run")
    assert said == [
        *(f"would delete recording of call {i}" for i in ids),
        "2 recordings, 0 calls would delete",
    ]
    assert not any(gone(k) for k in kept), "a dry run deleted a file"
    for call_id in ids:
        assert (await site.recording(call_id))["deleted_at"] is None

    said = await purge(site, now + 181 * DAY)
    assert said == [
        *(f"deleted recording of call {i}" for i in ids),
        "2 recordings, 0 calls deleted",
    ]
    for k in kept:
        assert gone(k), f"{k.file} outlived the purge"
        meta = await site.recording(k.call.call_id)
        assert (meta["deletion"], meta["available"], meta["sha256"]) == ("purge", False, k.sha256)
        entry = await site.call(k.call.call_id)
        # data_days is 365: the ledger still names the caller, and still proves the decision.
        assert (entry["caller_number"], entry["decision"]) == (k.number, "kept")

    said = await purge(site, now + 366 * DAY)
    assert said == [
        *(f"deleted personal data of call {i}" for i in ids),
        "0 recordings, 2 calls deleted",
    ]
    for k in kept:
        entry = await site.call(k.call.call_id)
        assert (entry["caller_number"], entry["caller_name"]) == (None, None)
        assert entry["decision"] == "kept"
        assert (await site.recording(k.call.call_id))["sha256"] == k.sha256

    purges = [e for e in await site.audit_verified() if e.action == "purge"]
    assert [
        (e.outcome, json.loads(e.detail)["recordings"], json.loads(e.detail)["calls"])
        for e in purges
    ] == [
        ("ok", 0, 0),
        ("dry-run", 2, 0),
        ("ok", 2, 0),
        ("ok", 0, 2),
    ]
    assert [datetime.fromisoformat(e.at) for e in purges] == [
        now + d * DAY for d in (10, 181, 181, 366)
    ]
    assert all(e.actor.startswith("cli:") and e.origin.startswith("cli@") for e in purges)


async def assert_erased(site: Site, erased: Kept, other: Kept, proof: dict[str, object]) -> None:
    """`erased`'s audio and personal data are gone, `other`'s intact; the proof and the audit
    row name the caller by keyed hash only; no byte of the ledger or audit files holds the
    number once the service has closed them."""
    secret = Secret(site.env["IVR_ERASURE_SECRET"], "test")
    subject = subject_hash(secret, erased.number)
    assert (proof["subject"], proof["calls"], proof["recordings"]) == (subject, 1, 1)
    assert erased.number not in json.dumps(proof)
    assert gone(erased), f"{erased.file} outlived the erasure"
    assert other.file.is_file()
    meta = await site.recording(erased.call.call_id)
    assert (meta["deletion"], meta["available"]) == ("erasure", False)
    entry = await site.call(erased.call.call_id)
    assert (entry["caller_number"], entry["caller_name"], entry["decision"]) == (None, None, "kept")
    assert (await site.call(other.call.call_id))["caller_number"] == other.number
    assert (await site.recording(other.call.call_id))["available"] is True

    erasures = [e for e in await site.audit_verified() if e.action == "erase"]
    assert [(e.target, e.outcome) for e in erasures] == [(subject, "ok")]
    counts = {"calls": 1, "recordings": 1, "proof": proof["seq"]}
    # No outbound call to this number: the outbound store has nothing of it, and keeps nothing.
    assert json.loads(erasures[0].detail) == {**counts, "outbound": {"store": True, "known": False}}

    # While the service runs, its SQLite write-ahead log may still hold the page as it was
    # before the erasure; once closed, nothing may.
    live = holding(site.folder, erased.number)
    assert site.service.stop() == 0, site.service.log_tail()
    files = holding(site.folder, other.number)
    assert site.ledger.name in files, "the grep must find the other caller's number"
    assert holding(site.folder, erased.number) == [], "the erased number is still there"
    with closing(sqlite3.connect(f"file:{site.ledger}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT subject, calls, recordings FROM erasures").fetchall()
    assert rows == [(subject, 1, 1)]
    assert live == [], f"the erased number is in {live} while the service runs"


def holding(folder: Path, number: str) -> list[str]:
    """The ledger and audit files (and their -wal, -shm) whose bytes hold `number`."""
    files = sorted(folder.glob("*.sqlite3*"))
    assert {f.name for f in files} >= {"ledger.sqlite3", "audit.sqlite3"}
    return [f.name for f in files if number.encode() in f.read_bytes()]


async def test_ivr_erase_removes_one_callers_recordings_and_data_only(
    site: Site, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    erased, other = await two_kept_calls(site, carrier, pbx_ami, pbx_target)
    spaced = " ".join([erased.number[:2], erased.number[2:5], erased.number[5:]])
    said = await site.ok("erase", "--caller", spaced, "--reason", "art. 17 request 7")
    proof = json.loads(said)
    assert proof["reason"] == "art. 17 request 7"
    assert str(proof["requested_by"]).startswith("cli:")
    await assert_erased(site, erased, other, proof)


async def test_api_erasure_removes_one_callers_recordings_and_data_only(
    site: Site, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    erased, other = await two_kept_calls(site, carrier, pbx_ami, pbx_target)
    request = {"caller": erased.number, "reason": "request by mail"}
    supervisor = await site.token("supervisor")
    status, _ = await site.http("POST", "/api/erasures", supervisor, request)
    assert status == 403, "only an admin erases"
    assert not gone(erased)
    status, body = await site.http("POST", "/api/erasures", API_TOKEN, request)
    assert status == 200, body
    proof = json.loads(body)
    assert (proof["requested_by"], proof["reason"]) == ("env", "request by mail")
    await assert_erased(site, erased, other, proof)


async def test_downloads_are_audited_and_refusals_too(
    site: Site, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    kept = await kept_call(site, await place(carrier, pbx_ami, pbx_target))
    call_id = kept.call.call_id
    audio = f"/api/recordings/{call_id}/audio"
    supervisor, auditor = await site.token("supervisor"), await site.token("auditor")
    supervisor_id, auditor_id = supervisor.split("_")[1], auditor.split("_")[1]
    started = datetime.now(UTC)

    status, body = await site.http("GET", f"{audio}?download=true&reason=complaint+42", supervisor)
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == kept.sha256
    assert body[:4] == b"RIFF"
    status, _ = await site.http("GET", audio, supervisor, headers={"X-Access-Reason": "QA"})
    assert status == 200
    assert (await site.http("GET", f"{audio}?download=true", supervisor))[0] == 400
    assert (await site.http("GET", f"{audio}?reason=curious", auditor))[0] == 403
    wrong = "ivr_00000000_" + secrets.token_urlsafe(32)
    assert (await site.http("GET", f"{audio}?reason=x", wrong))[0] == 401
    assert (await site.http("GET", f"{audio}?reason=x", None))[0] == 401
    ended = datetime.now(UTC)

    rows = [e for e in await site.audit_verified() if started <= datetime.fromisoformat(e.at)]
    seen = [(e.actor, e.role, e.action, e.target, e.reason, e.origin, e.outcome) for e in rows]
    assert seen == [
        (supervisor_id, "supervisor", "download", call_id, "complaint 42", "127.0.0.1", "ok"),
        (supervisor_id, "supervisor", "listen", call_id, "QA", "127.0.0.1", "ok"),
        (supervisor_id, "supervisor", "download", call_id, "", "127.0.0.1", "refused"),
        (auditor_id, "auditor", "access", audio, "", "127.0.0.1", "refused"),
        # The two requests without a valid token are counted into the minute's summary row,
        # not chained one by one (docs/security.md, the audit log).
    ]
    assert all(started <= datetime.fromisoformat(e.at) <= ended for e in rows)
    assert json.loads(rows[0].detail) == {"sha256": kept.sha256}
    assert wrong.encode() not in site.audit.path.read_bytes()

    # The auditor reads the same rows through the API; reading the call is audited as well.
    status, body = await site.http("GET", "/api/audit", auditor)
    assert status == 200
    shown = [(r["actor"], r["action"], r["reason"], r["outcome"]) for r in json.loads(body)]
    expected = [(e.actor, e.action, e.reason, e.outcome) for e in rows]
    # The API's own read of the audit log is audited too, after the rows it shows.
    start = shown.index(expected[0])
    assert shown[start : start + len(expected)] == expected
    status, _ = await site.http("GET", f"/api/calls/{call_id}?reason=dispute", auditor)
    assert status == 200
    last = site.audit.rows()[-1].entry
    assert (last.actor, last.action, last.target, last.reason, last.outcome) == (
        auditor_id,
        "read",
        call_id,
        "dispute",
        "ok",
    )


async def test_erasing_a_caller_mid_call_stops_and_deletes_that_recording(
    site: Site, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    call = await place(carrier, pbx_ami, pbx_target)
    await call.step("notice-done")
    await call.bridged()
    await call.file_appears()
    request = {"caller": call.pbx.caller_num, "reason": "asked during the call"}
    status, body = await site.http("POST", "/api/erasures", API_TOKEN, request)
    assert status == 200, body
    await poll(lambda: not call.file.exists(), 3.0, f"{call.file} still recorded after erasure")
    await call.leg.hangup()
    entry = await ledger_entry(site.service, call.call_id)
    assert (entry["caller_number"], entry["recording"]) == (None, None)
    assert no_file_of(call)
