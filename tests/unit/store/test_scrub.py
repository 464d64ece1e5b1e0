"""A driver's message about the store, made fit for a log or an HTTP body: the password of
the URL (either spelling) never shows."""

from __future__ import annotations

from ivr.store.url import StoreUrl, scrub


def test_the_password_of_a_url_is_hidden_in_a_message() -> None:
    url = StoreUrl.parse("postgresql://ivr:s3cret-pw@db.internal:5432/ivr")
    said = scrub('password authentication failed for "ivr" (tried s3cret-pw)', url)
    assert "s3cret-pw" not in said
    assert said.endswith("(tried ***)")


def test_the_password_of_a_conninfo_is_hidden_in_a_message() -> None:
    url = StoreUrl.parse("host=db.internal dbname=ivr password=s3cret-pw")
    assert scrub("host=db.internal password=s3cret-pw: refused", url) == (
        "host=db.internal password=***: refused"
    )


def test_a_message_without_a_password_is_kept() -> None:
    url = StoreUrl.parse("postgresql://ivr@db.internal/ivr")
    assert scrub("connection refused", url) == "connection refused"
