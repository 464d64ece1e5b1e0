"""A supervisor's token limited to agent groups sees only the calls the ledger files under one
of them: listing, metadata, audio and the call itself; each refusal audited (issue 15, item 11)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.consent import inputs as i
from ivr.consent.commands import Log
from ivr.consent.machine import Consent, handle
from ivr.names import EventKind, Mode, Prompt, Source
from ivr.web.dashboard.sessions import SESSION_COOKIE
from ivr.web.tokens import Role, TokenError, add_token, read_tokens
from tests.unit.web.conftest import ENCRYPTED_CALL, PLAIN_CALL, Site
from tests.unit.web.test_dashboard import sign_in

AT = datetime(2026, 11, 1, 9, 0, 1, tzinfo=UTC)


async def _sales_supervisor(site: Site) -> dict[str, str]:
    await site.ledger.add_event(
        PLAIN_CALL,
        at=AT,
        kind=EventKind.PROFILE_CHOSEN,
        source=Source.SERVICE,
        detail={"profile": "fr", "language": "fr", "why": "default", "group": "sales"},
    )
    _, token = add_token(site.settings.compliance.tokens_file, Role.SUPERVISOR, "s", ("sales",))
    return {"Authorization": f"Bearer {token}", "X-Access-Reason": "quality review"}


async def test_a_limited_supervisor_lists_only_the_calls_of_their_groups(site: Site) -> None:
    headers = await _sales_supervisor(site)
    listing = await (await site.client.get("/api/recordings", headers=headers)).json()
    assert [item["call_id"] for item in listing] == [PLAIN_CALL]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/recordings/{ENCRYPTED_CALL}",
        f"/api/recordings/{ENCRYPTED_CALL}/audio",
        f"/api/calls/{ENCRYPTED_CALL}",
    ],
)
async def test_a_call_outside_the_supervisors_groups_is_refused_and_audited(
    site: Site, path: str
) -> None:
    headers = await _sales_supervisor(site)
    response = await site.client.get(path, headers=headers)
    assert response.status == 403
    assert (await response.json())["error_id"] == "outside-groups"
    assert site.audit_rows()[-1][3:5] == (ENCRYPTED_CALL, "denied")


async def test_a_call_of_the_supervisors_group_is_served(site: Site) -> None:
    headers = await _sales_supervisor(site)
    audio = await site.client.get(f"/api/recordings/{PLAIN_CALL}/audio", headers=headers)
    assert audio.status == 200
    assert await audio.read() == site.audio[PLAIN_CALL]


def test_only_a_supervisors_token_may_be_limited_to_groups(tmp_path: Path) -> None:
    with pytest.raises(TokenError, match="only a supervisor"):
        add_token(tmp_path / "tokens.toml", Role.AUDITOR, "a", ("sales",))
    add_token(tmp_path / "tokens.toml", Role.SUPERVISOR, "s", ("sales", "support"))
    [stored] = read_tokens(tmp_path / "tokens.toml")
    assert stored.principal.groups == {"sales", "support"}


def test_the_group_the_dialplan_names_is_kept_with_the_profile_chosen() -> None:
    decided = i.Decided(
        AT, "fr", "fr", Mode.NOTICE, True, Prompt.NOTICE_SHORT, "rule", "always", "sales"
    )
    _, commands = handle(Consent("1.1", "9"), decided)
    [chosen] = [c for c in commands if isinstance(c, Log) and c.kind is EventKind.PROFILE_CHOSEN]
    assert chosen.detail["group"] == "sales"


async def test_a_token_limited_to_groups_cannot_open_the_dashboard_that_shows_every_call(
    site: Site,
) -> None:
    _, token = add_token(site.settings.compliance.tokens_file, Role.SUPERVISOR, "s", ("sales",))
    response = await sign_in(site, token)
    assert response.status == 403
    assert SESSION_COOKIE not in response.cookies
    assert site.audit_rows()[-1][2:5] == ("sign-in", "dashboard", "denied")
