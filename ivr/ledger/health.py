"""What a ledger backend tells /healthz and /metrics about its store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StoreHealth:
    backend: str  # "sqlite" or "postgresql"
    reachable: bool = True  # False while a shared store cannot be reached
    spooled_rows: int = 0  # rows kept on this host, waiting for the store to come back
    last_error: str = ""

    @property
    def state(self) -> str:
        if self.reachable:
            return "ok"
        return "spooling" if self.spooled_rows else "unreachable"

    def as_dict(self) -> dict[str, object]:
        return {
            "backend": self.backend,
            "state": self.state,
            "reachable": self.reachable,
            "spooled_rows": self.spooled_rows,
            "last_error": self.last_error,
        }
