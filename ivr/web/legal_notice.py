"""The legal notice page: what the full spoken notice says, as a self-contained HTML page.

Pure: settings in, a string out. Accessible (the page's language, one heading per item, a
skip-free linear reading order, visible focus), no external resource (no script, font, image
or stylesheet to fetch), and every configured value escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from urllib.parse import quote

from ivr.config import LanguagePack, Settings

# (id, heading text, notice item), in the order the spoken full notice gives them.
_ITEMS = (
    ("controller", "page-controller", "name"),
    ("contact", "page-contact", "contact"),
    ("dpo", "page-dpo", "dpo"),
    ("purposes", "page-purposes", "purposes"),
    ("legal-basis", "page-legal-basis", "legal_basis"),
    ("recipients", "page-recipients", "recipients"),
    ("retention", "page-retention", "retention"),
    ("transfers", "page-transfers", "transfers"),
    ("requirement", "page-requirement", "requirement"),
    ("portability", "page-portability", "portability"),
    ("rights", "page-rights", "rights"),
)

_STYLE = """
body { font: 1.05rem/1.6 system-ui, sans-serif; max-width: 42rem; margin: 0 auto;
       padding: 1.5rem 1rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.6rem; line-height: 1.25; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 0.3rem; }
a { color: #0b4f9c; }
a:focus { outline: 3px solid #0b4f9c; outline-offset: 2px; }
nav ul { list-style: none; padding: 0; }
""".strip()


def available_languages(settings: Settings, profile: str | None = None) -> list[str]:
    """The page's languages for ``profile`` (default: the default profile), its default first."""
    chosen = settings.consent.profiles[profile or settings.consent.default_profile]
    rest = [lang for lang in chosen.languages if lang != chosen.default_language]
    return [chosen.default_language, *rest]


def _query_link(language: str) -> str:
    return f"?lang={quote(language)}"


def render_legal_notice(
    settings: Settings,
    language: str,
    *,
    profile: str | None = None,
    href: Callable[[str], str] = _query_link,
) -> str:
    """The page in ``language`` (KeyError if the profile does not speak it); ``href`` gives
    the link to the page in another language (default ``?lang=<code>``)."""
    name = profile or settings.consent.default_profile
    pack = settings.pack(name, language)
    others = [settings.pack(name, lang) for lang in available_languages(settings, name)]
    body = [
        *_language_links(pack, [o for o in others if o.language != language], href),
        "<main>",
        f"<h1>{_e(pack.page['page-title'])}</h1>",
        f"<p>{_e(pack.page['page-intro'])}</p>",
        *(
            _section(ident, pack.page[heading], getattr(pack.notice, item))
            for ident, heading, item in _ITEMS
        ),
        _section("objection", pack.page["page-objection"], pack.page["page-objection-text"]),
        _section("complaint", pack.page["page-complaint"], pack.page["page-complaint-text"]),
        "</main>",
    ]
    return _document(language, pack.page["page-title"], body)


def _section(ident: str, heading: str, text: str) -> str:
    return (
        f'<section aria-labelledby="{ident}">\n'
        f'<h2 id="{ident}">{_e(heading)}</h2>\n<p>{_e(text)}</p>\n</section>'
    )


def _language_links(
    pack: LanguagePack, others: list[LanguagePack], href: Callable[[str], str]
) -> list[str]:
    if not others:
        return []
    items = [
        f'<li><a href="{_a(href(o.language))}" hreflang="{_a(o.language)}" '
        f'lang="{_a(o.language)}">{_e(o.page["language-name"])}</a></li>'
        for o in others
    ]
    label = f'<p id="other-languages">{_e(pack.page["page-other-languages"])}</p>'
    return ['<nav aria-labelledby="other-languages">', label, "<ul>", *items, "</ul>", "</nav>"]


def _document(language: str, title: str, body: list[str]) -> str:
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{_a(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>"]) + "\n"


def _e(text: str) -> str:
    """Text content: <, > and & are all that matter there."""
    return escape(text, quote=False)


def _a(text: str) -> str:
    """An attribute value, always written in double quotes."""
    return escape(text, quote=True)
