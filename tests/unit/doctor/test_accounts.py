"""Other AMI accounts, as a ``GetConfig manager.conf`` answer shows them to the service's own
account: the ones whose write classes go beyond the service's are named."""

from __future__ import annotations

from ivr.doctor.accounts import accounts, powerful

# As the sandbox PBX answered (secrets changed).
ANSWER = [
    ("Response", "Success"),
    ("Category-000000", "general"),
    ("Line-000000-000000", "enabled=yes"),
    ("Category-000001", "ivr-admin"),
    ("Line-000001-000000", "secret=one"),
    ("Line-000001-000003", "read=all"),
    ("Line-000001-000004", "write=all"),
    ("Category-000002", "ivr"),
    ("Line-000002-000000", "secret=two"),
    ("Line-000002-000003", "read=system,call,dtmf,user"),
    ("Line-000002-000004", "write=system,call"),
    ("Category-000003", "crm"),
    ("Line-000003-000000", "write = call, originate"),
]


def test_every_account_but_general_is_read_with_its_settings() -> None:
    found = accounts(ANSWER)
    assert set(found) == {"ivr-admin", "ivr", "crm"}
    assert found["ivr"]["write"] == "system,call"


def test_full_rights_are_write_all_or_any_class_beyond_the_service() -> None:
    found = accounts(ANSWER)
    assert powerful(found["ivr-admin"]) == {"all"}
    assert powerful(found["crm"]) == {"originate"}
    assert powerful(found["ivr"]) == set()
