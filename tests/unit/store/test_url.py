"""[store] url and site: what is accepted, what is refused (naming the key), and a password
never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError, load_settings
from ivr.store.url import StoreUrl, StoreUrlError
from tests.unit.config import sample


@pytest.mark.parametrize(
    "text",
    ["postgresql://ivr@127.0.0.1:5432/ivr", "postgres://h/db", "host=db port=5432 dbname=ivr"],
)
def test_postgresql_urls_and_libpq_conninfo_are_accepted(text: str) -> None:
    assert StoreUrl.parse(text).dsn == text


@pytest.mark.parametrize(
    ("text", "why"),
    [("mysql://h/db", "postgresql://"), ("postgresql://h", "name the database"),
     ("host=db user=ivr", "dbname")],
)  # fmt: skip
def test_other_urls_are_refused_saying_why(text: str, why: str) -> None:
    with pytest.raises(StoreUrlError, match=why):
        StoreUrl.parse(text)


def test_a_password_is_never_shown() -> None:
    assert "s3cret" not in StoreUrl.parse("postgresql://ivr:s3cret@h/ivr").shown
    assert "s3cret" not in str(StoreUrl.parse("host=h password=s3cret dbname=ivr"))


def test_the_store_comes_from_the_file_or_the_environment(tmp_path: Path) -> None:
    path = sample.write(tmp_path, {"store": {"url": "postgresql://h/ivr", "site": "paris-1"}})
    settings = load_settings(path, environ={"IVR_STORE_SITE": "lyon-2"})
    assert settings.store.url == StoreUrl("postgresql://h/ivr")
    assert settings.store.site == "lyon-2"
    assert load_settings(sample.write(tmp_path, {}), environ={}).store.url is None


def test_a_bad_store_url_names_the_key(tmp_path: Path) -> None:
    path = sample.write(tmp_path, {"store": {"url": "mysql://h/db"}})
    with pytest.raises(ConfigError, match=r"store\.url"):
        load_settings(path, environ={})
