"""Schemathesis against the real `ivr run` (connected to the real PBX): every operation of the
OpenAPI description the service serves at `/openapi.json` is called with generated requests,
path parameters, query strings and bodies, with the valid token and without one. No request
may get a 5xx, every status must be one the description declares, and a route that needs a
token refuses without one."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from tests.support.service import API_TOKEN, ServiceProcess, policy_config, running
from tests.support.targets import Target

pytestmark = [pytest.mark.pbx, pytest.mark.timeout(300)]

EXAMPLES = 40  # generated requests per operation and per token state


ERASURE = '[erasure]\nsecret = "fuzz-erasure-secret-not-secret"\n'  # as in production


@pytest_asyncio.fixture(scope="module")
async def service(
    tmp_path_factory: pytest.TempPathFactory, pbx_target: Target
) -> AsyncIterator[ServiceProcess]:
    folder = tmp_path_factory.mktemp("schema-fuzz")
    config = policy_config(folder, pbx_target, ERASURE)
    async with running(config, folder / "service.log") as process:
        yield process


def served_description(service: ServiceProcess) -> dict[str, Any]:
    request = urllib.request.Request(
        service.base_url + "/openapi.json", headers={"Authorization": f"Bearer {API_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        body: dict[str, Any] = json.loads(response.read())
        return body


def fuzz_operation(operation: Any, base_url: str, token: str | None) -> int:
    """Calls one operation EXAMPLES times with generated cases; the number of calls made."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    calls = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        nonlocal calls
        response = case.call(base_url=base_url, headers=headers, timeout=10)
        calls += 1
        case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
        if token is None and operation.definition.raw.get("security"):
            assert response.status_code == 401, (case.method, case.formatted_path)

    run()
    return calls


async def test_generated_requests_get_no_server_error_and_only_declared_statuses(
    service: ServiceProcess,
) -> None:
    schema = schemathesis.openapi.from_dict(served_description(service))
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10
    calls = 0
    for operation in operations:
        for token in (API_TOKEN, None):
            calls += await asyncio.to_thread(fuzz_operation, operation, service.base_url, token)
    print(f"schemathesis: {len(operations)} operations, {calls} generated requests, no 5xx")
    assert calls >= len(operations) * 2
    log = service.log_path.read_text(errors="replace")
    for secret in (API_TOKEN, "fuzz-erasure-secret-not-secret"):
        assert secret not in log, "a secret reached the service log"
