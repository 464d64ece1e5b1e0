"""The daily purge inside the service: at `retention.purge_at` (UTC) every day, with an
injectable clock and sleep so tests run a year of days in milliseconds.

The service starts it as a task and cancels it at shutdown::

    task = asyncio.create_task(purge_daily(settings, ledger))
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from ivr.audit import AuditLog, Entry
from ivr.config.model import Settings
from ivr.ledger.aio import AsyncLedger
from ivr.outbound.retention import purge_outbound
from ivr.retention.purge import PurgeReport, purge
from ivr.store.opening import settings_audit

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def next_run(now: datetime, at: datetime) -> datetime:
    """The first moment at `at`'s time of day strictly after `now`."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=at.second, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


def purge_entry(report: PurgeReport, actor: str, role: str, origin: str) -> Entry:
    outcome = "dry-run" if report.dry_run else ("failed" if report.errors else "ok")
    detail = json.dumps(report.summary(), sort_keys=True, separators=(",", ":"))
    at = report.now.astimezone(UTC).isoformat(timespec="microseconds")
    return Entry(at, actor, role, "purge", "*", "retention", origin, outcome, detail)


def orphan_entries(report: PurgeReport, actor: str, role: str, origin: str) -> list[Entry]:
    """One audit row per file the ledger did not account for, deleted (or not, dry run)."""
    outcome = "dry-run" if report.dry_run else "ok"
    at = report.now.astimezone(UTC).isoformat(timespec="microseconds")
    why = "recording file the ledger does not account for"
    return [
        Entry(at, actor, role, "purge-orphan", name, why, origin, outcome)
        for name in report.orphans
    ]


def audit_purge(audit: AuditLog, report: PurgeReport, actor: str, role: str, origin: str) -> None:
    for entry in [
        purge_entry(report, actor, role, origin),
        *orphan_entries(report, actor, role, origin),
    ]:
        audit.append(entry)


class DailyPurge:
    def __init__(
        self,
        settings: Settings,
        ledger: AsyncLedger,
        *,
        clock: Clock = _utc_now,
        sleep: Sleep = asyncio.sleep,
        audit: AuditLog | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.clock = clock
        self.sleep = sleep
        self.audit = audit or settings_audit(settings)
        self._owns_audit = audit is None  # closed with the runner (a store keeps a connection)

    async def run_once(self) -> PurgeReport:
        settings = self.settings
        report = await purge(
            self.ledger,
            settings.compliance.retention,
            settings.recordings.dir,
            self.clock(),
            dry_run=False,
        )
        await asyncio.to_thread(audit_purge, self.audit, report, "service", "-", "service")
        await asyncio.to_thread(purge_outbound, settings, self.clock())  # issue 19
        for error in report.errors:
            log.warning("purge: %s", error)
        log.info("purge: %s", report.summary())
        return report

    async def run(self) -> None:
        """Forever: sleep until the next purge time, purge. A failed purge is logged, retried
        the next day; cancel the task to stop."""
        at = self.settings.compliance.retention.purge_at
        try:
            while True:
                now = self.clock()
                due = next_run(now, now.replace(hour=at.hour, minute=at.minute, second=at.second))
                await self.sleep((due - now).total_seconds())
                try:
                    await self.run_once()
                except Exception:
                    log.exception("purge failed; next attempt tomorrow")
        finally:
            if self._owns_audit:
                self.audit.close()


async def purge_daily(
    settings: Settings,
    ledger: AsyncLedger,
    *,
    clock: Clock = _utc_now,
    sleep: Sleep = asyncio.sleep,
    audit: AuditLog | None = None,
) -> None:
    """Purge every day at `retention.purge_at`, until cancelled: the task the service starts."""
    await DailyPurge(settings, ledger, clock=clock, sleep=sleep, audit=audit).run()
