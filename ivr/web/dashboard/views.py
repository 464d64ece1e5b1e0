"""Rendering: Jinja2 templates shipped in the package (autoescaped), the words of the page's
language, and the headers every dashboard page carries (a strict CSP: scripts and styles from
the package only, nothing inline; no caching; no framing)."""

from __future__ import annotations

from collections.abc import Mapping

import jinja2
from aiohttp import web

from ivr.web.dashboard.i18n import LANG_COOKIE, LANGUAGES, language, words
from ivr.web.dashboard.paths import PREFIX

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("ivr.web.dashboard", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,  # a misspelt name is an error, not an empty string
)


def render(
    request: web.Request, template: str, context: Mapping[str, object], status: int = 200
) -> web.Response:
    lang = language(request)
    page = _ENV.get_template(template).render(
        {"t": words(lang), "lang": lang, "languages": LANGUAGES, "prefix": PREFIX, **context}
    )
    response = web.Response(
        text=page, status=status, content_type="text/html", headers=SECURITY_HEADERS
    )
    remember_language(request, response)
    return response


def fragment(template: str, lang: str, context: Mapping[str, object]) -> str:
    return _ENV.get_template(template).render({"t": words(lang), "lang": lang, **context})


def remember_language(request: web.Request, response: web.StreamResponse) -> None:
    asked = request.query.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, asked, path=PREFIX, samesite="Strict", httponly=True, max_age=31536000
        )


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, **SECURITY_HEADERS})
