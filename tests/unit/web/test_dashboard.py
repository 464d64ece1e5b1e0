"""The dashboard over real HTTP (the web tier's real ledger, recordings and tokens file): sign-in
with a token then a session cookie, forms that need their CSRF token, roles as in the API,
listening only with a reason and only after the audit row, sign-out."""

from __future__ import annotations

import re

from aiohttp import ClientResponse
from prometheus_client import CollectorRegistry, Histogram

from ivr.service.live import bins_of
from ivr.web.dashboard.sessions import SESSION_COOKIE
from ivr.web.tokens import Role
from tests.unit.web.conftest import PLAIN_CALL, Site

PAGES = ("live", "outcomes", "recordings", "audit", "guard", "health")


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF field in the page"
    return found.group(1)


async def sign_in(site: Site, token: str) -> ClientResponse:
    form = await (await site.client.get("/dashboard/sign-in")).text()
    return await site.client.post(
        "/dashboard/sign-in",
        data={"csrf": csrf_of(form), "token": token},
        allow_redirects=False,
    )


async def signed_in_csrf(site: Site, role: Role) -> str:
    response = await sign_in(site, site.tokens[role])
    assert response.status == 303, await response.text()
    return csrf_of(await (await site.client.get("/dashboard/live")).text())


async def test_the_session_cookie_is_httponly_and_samesite_strict(site: Site) -> None:
    response = await sign_in(site, site.tokens[Role.AUDITOR])
    assert response.status == 303
    assert response.headers["Location"] == "/dashboard/live"
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/dashboard"


async def test_pages_need_a_session(site: Site) -> None:
    for page in PAGES:
        response = await site.client.get(f"/dashboard/{page}", allow_redirects=False)
        assert response.status == 303, page
        assert response.headers["Location"] == "/dashboard/sign-in"


async def test_a_wrong_token_is_refused_and_audited(site: Site) -> None:
    response = await sign_in(site, "ivr_00000000_not-a-token")
    assert response.status == 401
    assert SESSION_COOKIE not in response.cookies
    assert site.audit_rows()[-1][:5] == ("anonymous", "-", "sign-in", "dashboard", "refused")


async def test_sign_in_without_its_form_token_is_refused(site: Site) -> None:
    await site.client.get("/dashboard/sign-in")
    response = await site.client.post(
        "/dashboard/sign-in",
        data={"csrf": "forged", "token": site.tokens[Role.ADMIN]},
        allow_redirects=False,
    )
    assert response.status == 403
    assert SESSION_COOKIE not in response.cookies


async def test_every_page_renders_for_an_admin_in_english_and_french(site: Site) -> None:
    await signed_in_csrf(site, Role.ADMIN)
    for page in PAGES:
        english = await site.client.get(f"/dashboard/{page}?lang=en")
        assert english.status == 200, page
        assert '<html lang="en">' in await english.text()
        french = await site.client.get(f"/dashboard/{page}?lang=fr")
        assert '<html lang="fr">' in await french.text()
    assert "script-src 'self'" in english.headers["Content-Security-Policy"]


async def test_an_auditor_sees_the_audit_log_but_may_not_listen(site: Site) -> None:
    csrf = await signed_in_csrf(site, Role.AUDITOR)
    page = await (await site.client.get("/dashboard/recordings")).text()
    assert PLAIN_CALL in page
    assert "/listen" not in page
    listen = await site.client.post(
        f"/dashboard/recordings/{PLAIN_CALL}/listen", data={"csrf": csrf, "reason": "curious"}
    )
    assert listen.status == 403
    audio = await site.client.get(f"/dashboard/recordings/{PLAIN_CALL}/audio?ticket=x")
    assert audio.status == 403
    assert not (await audio.read()).startswith(b"RIFF")
    assert ("auditor", "access", "refused") in {(r[1], r[2], r[4]) for r in site.audit_rows()}
    assert (await site.client.get("/dashboard/audit")).status == 200


async def test_a_supervisor_may_not_read_the_audit_log(site: Site) -> None:
    await signed_in_csrf(site, Role.SUPERVISOR)
    assert (await site.client.get("/dashboard/audit")).status == 403


async def test_listening_without_a_reason_sends_no_audio_and_is_audited(site: Site) -> None:
    csrf = await signed_in_csrf(site, Role.SUPERVISOR)
    response = await site.client.post(
        f"/dashboard/recordings/{PLAIN_CALL}/listen", data={"csrf": csrf, "reason": "  "}
    )
    assert response.status == 400
    assert "/audio?ticket=" not in await response.text()
    assert site.audit_rows()[-1][1:5] == ("supervisor", "listen", PLAIN_CALL, "refused")


async def test_listening_with_a_reason_is_audited_then_the_audio_sent(site: Site) -> None:
    csrf = await signed_in_csrf(site, Role.SUPERVISOR)
    page = await site.client.post(
        f"/dashboard/recordings/{PLAIN_CALL}/listen",
        data={"csrf": csrf, "reason": "complaint 42"},
    )
    found = re.search(r'src="(/dashboard/recordings/[^"]+/audio\?ticket=[^"]+)"', await page.text())
    assert found, "no player in the page"
    before = len(site.audit_rows())
    audio = await site.client.get(found.group(1).replace("&amp;", "&"))
    assert audio.status == 200
    assert await audio.read() == site.audio[PLAIN_CALL]
    [row] = site.audit_rows()[before:]
    assert row[1:6] == ("supervisor", "listen", PLAIN_CALL, "ok", "complaint 42")


async def test_a_ticket_is_for_its_call_only(site: Site) -> None:
    csrf = await signed_in_csrf(site, Role.SUPERVISOR)
    page = await site.client.post(
        f"/dashboard/recordings/{PLAIN_CALL}/listen", data={"csrf": csrf, "reason": "qa"}
    )
    ticket = re.search(r"ticket=([^\"&]+)", await page.text())
    assert ticket
    other = await site.client.get(f"/dashboard/recordings/1700000000.1/audio?ticket={ticket[1]}")
    assert other.status == 403


async def test_a_form_without_its_csrf_token_is_refused(site: Site) -> None:
    await signed_in_csrf(site, Role.ADMIN)
    response = await site.client.post("/dashboard/sign-out", data={}, allow_redirects=False)
    assert response.status == 403
    assert (await site.client.get("/dashboard/live", allow_redirects=False)).status == 200


async def test_sign_out_ends_the_session_even_for_a_replayed_cookie(site: Site) -> None:
    csrf = await signed_in_csrf(site, Role.ADMIN)
    cookie = site.client.session.cookie_jar.filter_cookies(site.client.make_url("/dashboard/"))
    sid = cookie[SESSION_COOKIE].value
    out = await site.client.post("/dashboard/sign-out", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 303
    site.client.session.cookie_jar.update_cookies({SESSION_COOKIE: sid})
    again = await site.client.get("/dashboard/live", allow_redirects=False)
    assert again.status == 303
    assert again.headers["Location"] == "/dashboard/sign-in"


async def test_removing_its_token_ends_a_session(site: Site) -> None:
    await signed_in_csrf(site, Role.AUDITOR)
    site.settings.compliance.tokens_file.write_text("", encoding="utf-8")
    response = await site.client.get("/dashboard/live", allow_redirects=False)
    assert response.status == 303


async def test_a_session_cookie_opens_no_api_route(site: Site) -> None:
    await signed_in_csrf(site, Role.ADMIN)
    assert (await site.client.get("/api/recordings")).status == 401


def test_objection_latencies_are_the_metrics_histogram_per_bin() -> None:
    histogram = Histogram("t_seconds", "test", buckets=(0.1, 0.5), registry=CollectorRegistry())
    for seconds in (0.05, 0.1, 0.25, 0.4, 3.0, 9.0):
        histogram.observe(seconds)
    bins = bins_of(histogram)
    assert bins.edges == (0.0, 0.1, 0.5)
    assert bins.counts == (2, 2, 2)
    assert bins.total == 6
