"""The legal notice page: every item, in each language, escaped, with nothing to fetch."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies

from ivr.config import Settings
from ivr.web.legal_notice import available_languages, render_legal_notice
from tests.unit.config import sample

ITEMS: tuple[str, ...] = ("name", "contact", "dpo", "purposes", "legal_basis", "recipients")
ITEMS += ("retention", "transfers", "requirement", "portability", "rights", "complaint")


def configured(folder: Path, **changes: object) -> Settings:
    markers = {lang: {item: f"{item.upper()}-{lang}" for item in ITEMS} for lang in ("fr", "en")}
    base = {"profiles": {"fr": {"notice": markers}}, "consent": {"keys": {"object": "7"}}}
    return sample.settings(folder, sample.merged(base, changes))


class Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: dict[str, str] = {}  # h2 id -> text of the paragraph after it
        self._current: str | None = None
        self._in_p = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "section":
            self._current = dict(attrs)["aria-labelledby"]
            self.sections[self._current or ""] = ""
        self._in_p = tag == "p"

    def handle_endtag(self, tag: str) -> None:
        self._in_p = False if tag == "p" else self._in_p

    def handle_data(self, data: str) -> None:
        if self._in_p and self._current is not None:
            self.sections[self._current] += data


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_item_appears_under_its_heading(tmp_path: Path, language: str) -> None:
    html = render_legal_notice(configured(tmp_path), language)
    page = Page(html)
    assert [t for t, _ in page.tags].count("h2") == 13
    for item in ITEMS:
        assert f"{item.upper()}-{language}" in html
    assert page.sections["controller"] == f"NAME-{language}"
    assert page.sections["dpo"] == f"DPO-{language}"
    assert "7" in page.sections["objection"]
    assert f"COMPLAINT-{language}" in page.sections["complaint"]
    for item in ("transfers", "requirement", "portability"):  # GDPR art. 13(1)(f), 13(2)(b, e)
        assert page.sections[item] == f"{item.upper()}-{language}"


def test_each_language_has_its_own_page_and_links_to_the_other(tmp_path: Path) -> None:
    settings = configured(tmp_path)
    fr, en = render_legal_notice(settings, "fr"), render_legal_notice(settings, "en")
    assert '<html lang="fr">' in fr
    assert '<html lang="en">' in en
    assert "<title>Enregistrement des appels : information</title>" in fr
    assert "<title>Call recording: information</title>" in en
    assert '<a href="?lang=en" hreflang="en" lang="en">English</a>' in fr
    assert '<a href="?lang=fr" hreflang="fr" lang="fr">Français</a>' in en
    assert "?lang=fr" not in fr


def test_links_can_be_built_by_the_caller(tmp_path: Path) -> None:
    html = render_legal_notice(configured(tmp_path), "fr", href=lambda lang: f"/notice/{lang}")
    assert 'href="/notice/en"' in html


def test_available_languages_start_with_the_default(tmp_path: Path) -> None:
    assert available_languages(configured(tmp_path)) == ["fr", "en"]
    settings = configured(tmp_path, profiles={"fr": {"default_language": "en"}})
    assert available_languages(settings) == ["en", "fr"]


def test_a_single_language_has_no_language_links(tmp_path: Path) -> None:
    changes = {"profiles": {"fr": {"languages": ["fr"]}}, "notice": {"en": sample.DROP}}
    settings = sample.settings(tmp_path, changes)
    assert "<nav" not in render_legal_notice(settings, "fr")


def test_an_unknown_language_is_a_key_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        render_legal_notice(configured(tmp_path), "de")


def test_nothing_is_fetched_from_elsewhere(tmp_path: Path) -> None:
    html = render_legal_notice(configured(tmp_path), "fr")
    for tag, attrs in Page(html).tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed")
        assert "src" not in attrs
    assert not re.search(r"url\(|@import", html)


HOSTILE = '<script>alert("x")</script> & <a href="javascript:1">co</a> \' "'


def test_hostile_values_are_escaped(tmp_path: Path) -> None:
    hostile = {lang: {"purposes": HOSTILE} for lang in ("fr", "en")}
    settings = configured(
        tmp_path, controller={"name": HOSTILE}, profiles={"fr": {"notice": hostile}}
    )
    html = render_legal_notice(settings, "en")
    assert "<script" not in html
    assert "javascript:" not in re.sub(r"&lt;a href=\"javascript:1\"&gt;", "", html)
    assert '&lt;script&gt;alert("x")&lt;/script&gt; &amp; ' in html
    page = Page(html)
    assert page.sections["purposes"] == HOSTILE
    assert [t for t, _ in page.tags if t == "a"] == ["a"]  # only the language link


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    strategies.text(
        strategies.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1
    ).filter(lambda s: s.strip() and " ".join(s.split()) == s)
)
def test_any_value_reads_back_as_written(tmp_path: Path, value: str) -> None:
    settings = configured(tmp_path, profiles={"fr": {"notice": {"fr": {"name": value}}}})
    assert Page(render_legal_notice(settings, "fr")).sections["controller"] == value
