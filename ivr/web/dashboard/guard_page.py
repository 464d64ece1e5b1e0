"""The outbound guard page: refusals by rule over time, allowed and refused per campaign, the
latest decisions, and the freshness of the opposition lists. Numbers are personal data: shown
whole only to the roles the API lets read a number's attempts, masked for the others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from ivr.web.context import SERVICE
from ivr.web.dashboard import guard_data
from ivr.web.dashboard.gate import EVERYONE, SESSION, api_roles, page_context, signed_in
from ivr.web.dashboard.i18n import language, words
from ivr.web.dashboard.views import render

SPAN_DAYS = 14


@signed_in(EVERYONE)
async def guard(request: web.Request) -> web.StreamResponse:
    now = datetime.now(UTC)
    days = [(now - timedelta(days=n)).date() for n in range(SPAN_DAYS - 1, -1, -1)]
    since = datetime(days[0].year, days[0].month, days[0].day, tzinfo=UTC)
    figures = await guard_data.guard_figures(request.app[SERVICE].settings, since, now.date())
    series = guard_data.refusal_series(figures.log.refusals, days)
    t = words(language(request))
    whole = request[SESSION].principal.role in api_roles("outbound-attempts")
    latest = [
        (row, row.number if whole else guard_data.masked(row.number)) for row in figures.log.latest
    ]
    chart = {
        "days": [datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() for d in days],
        "series": series,
        "labels": {rule: t.get(f"rule-{rule}", rule) for rule in series},
        "words": {k: t[k] for k in ("refusals", "day")},
    }
    context = page_context(request) | {
        "figures": figures,
        "days": days,
        "series": series,
        "chart": chart,
        "latest": latest,
        "numbers_whole": whole,
    }
    return render(request, "guard.html", context)
