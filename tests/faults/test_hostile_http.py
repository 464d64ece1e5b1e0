"""The HTTP face of a real `ivr run` (connected to the real PBX), probed as an attacker would:
every route but the public ones refuses without a valid token, ids that try to climb out of
the recordings folder are refused, and no token or secret reaches the service's log file."""

from __future__ import annotations

import asyncio
import re
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.web.routes import PUBLIC, ROUTES
from tests.support.service import API_TOKEN, ServiceProcess
from tests.support.targets import Target

pytestmark = pytest.mark.pbx

WRONG_TOKEN = "flt-wrong-token-7f3a9c"
TRAVERSALS = [
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "..%2Fivr.toml",
    "%2e%2e%2f%2e%2e%2fledger.sqlite3",
    "ivr-..%2F..%2Fx.wav",
    "1700000000.1%00.wav",
    "..",
]


@pytest_asyncio.fixture(scope="module")
async def service(service_config: Path) -> AsyncIterator[ServiceProcess]:
    process = ServiceProcess(service_config, service_config.parent / "hostile-http.log")
    await process.start()
    yield process
    process.stop()


def status(service: ServiceProcess, method: str, path: str, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = b'{"caller": "x", "reason": "y"}' if method == "POST" else None
    request = urllib.request.Request(service.base_url + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            code: int = response.status
            return code
    except urllib.error.HTTPError as exc:
        return exc.code


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1700000000.1", path)


async def test_every_private_route_refuses_without_a_valid_token(
    service: ServiceProcess,
) -> None:
    private = [r for r in ROUTES if r.path not in PUBLIC]
    assert private
    for route in private:
        for token in (None, WRONG_TOKEN, API_TOKEN + "x"):
            code = await asyncio.to_thread(
                status, service, route.method, concrete(route.path), token
            )
            assert code == 401, (route.method, route.path, token, code)
    for path in PUBLIC:
        assert await asyncio.to_thread(status, service, "GET", path, None) == 200


@pytest.mark.parametrize("call_id", TRAVERSALS)
async def test_ids_climbing_out_are_refused(service: ServiceProcess, call_id: str) -> None:
    for template in (
        "/api/calls/{}?reason=x",
        "/api/recordings/{}",
        "/api/recordings/{}/audio?reason=x",
    ):
        code = await asyncio.to_thread(status, service, "GET", template.format(call_id), API_TOKEN)
        assert code in {400, 403, 404}, (template, call_id, code)


async def test_no_token_or_secret_in_the_log(
    service: ServiceProcess, service_config: Path, pbx_target: Target
) -> None:
    await asyncio.to_thread(status, service, "GET", "/api/audit", WRONG_TOKEN)
    await asyncio.to_thread(status, service, "GET", "/api/audit", API_TOKEN)
    await asyncio.to_thread(status, service, "GET", "/metrics", API_TOKEN)
    text = service.log_path.read_text(errors="replace")
    assert re.search(r"AMI link to \S+ up \(", text)  # the log is the real one, and written
    for secret in (API_TOKEN, WRONG_TOKEN, pbx_target.service_secret, pbx_target.ami_secret):
        assert secret not in text, "a secret reached the service log"
