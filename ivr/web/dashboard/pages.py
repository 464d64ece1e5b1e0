"""The pages that only read: outcomes, audit log, health (the guard's: `guard_page`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from aiohttp import web

from ivr.audit.chain import Row
from ivr.web.context import AUDIT, SERVICE
from ivr.web.dashboard import guard_data, sites, stats
from ivr.web.dashboard.gate import EVERYONE, api_roles, page_context, signed_in
from ivr.web.dashboard.i18n import language, words
from ivr.web.dashboard.live import BOARD
from ivr.web.dashboard.views import render

AUDIT_SHOWN = 200
SPAN_DAYS = 14


@signed_in(EVERYONE)
async def outcomes(request: web.Request) -> web.StreamResponse:
    service = request.app[SERVICE]
    today = datetime.now(UTC).date()
    since = datetime.now(UTC) - timedelta(days=SPAN_DAYS)
    calls = await service.ledger.list_calls(since=since, limit=100_000)
    latencies = request.app[BOARD].stop_latencies()
    campaign_of = await guard_data.campaign_attempts(service.settings, since)
    site_of = await sites.site_finder(service.settings, calls)
    figures = stats.outcomes(calls, today, SPAN_DAYS, campaign_of, site_of)
    t = words(language(request))
    chart = {
        "days": [datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() for d in figures.days],
        "series": figures.by_day,
        "labels": {d: t[f"decision-{d}"] for d in stats.DECISIONS},
        "latency": {"edges": latencies.edges, "counts": latencies.counts},
        "words": {k: t[k] for k in ("count", "seconds", "day")},
    }
    context = page_context(request) | {
        "figures": figures,
        "decisions": stats.DECISIONS,
        "latency": latencies,
        "chart": chart,
    }
    return render(request, "outcomes.html", context)


@signed_in(api_roles("audit"))
async def audit_log(request: web.Request) -> web.StreamResponse:
    log = request.app[AUDIT]
    rows = await asyncio.to_thread(log.rows)
    findings = await asyncio.to_thread(log.verify)
    wanted = {
        key: request.query.get(key, "").strip() for key in ("actor", "action", "target", "outcome")
    }
    shown = [row for row in reversed(rows) if _matches(row, wanted)][:AUDIT_SHOWN]
    context = page_context(request) | {
        "rows": shown,
        "total": len(rows),
        "findings": [str(f) for f in findings],
        "wanted": wanted,
    }
    return render(request, "audit.html", context)


def _matches(row: Row, wanted: dict[str, str]) -> bool:
    entry = row.entry
    fields = {
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "outcome": entry.outcome,
    }
    return all(not want or want.lower() in fields[key].lower() for key, want in wanted.items())


@signed_in(EVERYONE)
async def health(request: web.Request) -> web.StreamResponse:
    healthy, body = request.app[SERVICE].health()
    context = page_context(request) | {"healthy": healthy, "body": body}
    return render(request, "health.html", context)
