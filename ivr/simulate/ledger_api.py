"""The ledger as the service's HTTP API shows it: ``GET /api/calls/{id}`` with a bearer token."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

ENV_URL = "IVR_API_URL"
ENV_TOKEN = "IVR_API_TOKEN"  # noqa: S105 - the variable's name, the same the service reads


class EntryReader(Protocol):
    """Where a run reads each call's outcome: the API (`LedgerApi`) or, for a benchmark that
    must not charge the service for its reads, the ledger's file."""

    async def final_entry(self, call_id: str, timeout: float) -> dict[str, Any] | None: ...


def base_url(text: str) -> str:
    """``HOST:PORT`` or a full http(s) URL; the short form is plain HTTP."""
    return text if "://" in text else f"http://{text}"


@dataclass(frozen=True)
class LedgerApi:
    base_url: str
    token: str

    def __post_init__(self) -> None:
        if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ValueError(f"the service's API URL must be http(s)://…, got {self.base_url!r}")

    def get_call(self, call_id: str) -> dict[str, Any] | None:
        """The call's entry, or None while the ledger does not know it."""
        quoted = urllib.parse.quote(call_id, safe="")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            f"{self.base_url.rstrip('/')}/api/calls/{quoted}",
            headers={
                "Authorization": f"Bearer {self.token}",
                "X-Access-Reason": "ivr simulate: checking a scenario call's outcome",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                body: dict[str, Any] = json.loads(response.read())
                return body
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    async def final_entry(self, call_id: str, timeout: float) -> dict[str, Any] | None:
        """The entry once its decision is written; the last entry seen (or None) past the
        deadline. An unauthorised token raises at once: no amount of waiting fixes it."""
        deadline = time.monotonic() + timeout
        entry: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            try:
                entry = await asyncio.to_thread(self.get_call, call_id)
            except urllib.error.HTTPError:
                raise
            except OSError:
                entry = None
            if entry is not None and entry.get("decision"):
                return entry
            await asyncio.sleep(0.05)
        return entry
