"""The dashboard in Debian's headless chromium, against the service as `ivr run` runs it and
real SIP calls from the carrier: sign in, a call seen live through its steps, an objection,
listening only with a reason (audited), an auditor who cannot listen, sign-out. Screenshots of
every page go to reports/browser/."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from ivr.ami import AmiClient
from ivr.qa.carrier import Carrier
from ivr.web.tokens import Role, add_token
from tests.browser import chromium
from tests.pbx.test_outbound_guard import AgentCall, consumer
from tests.support.consent_calls import ConsentCall, ledger_entry, place
from tests.support.service import API_TOKEN, ServiceProcess
from tests.support.targets import Target

pytestmark = [pytest.mark.sip, pytest.mark.browser]

SHOTS = Path(__file__).resolve().parents[2] / "reports" / "browser"


@pytest.fixture(scope="module")
def auditor_token(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tokens = tmp_path_factory.mktemp("tokens") / "tokens.toml"
    return tokens, add_token(tokens, Role.AUDITOR, "dpo office")[1]


@pytest_asyncio.fixture(scope="module")
async def service(
    service_config: Path, auditor_token: tuple[Path, str]
) -> AsyncIterator[ServiceProcess]:
    log = service_config.parent / "dashboard-service.log"
    process = ServiceProcess(
        service_config, log, env={"IVR_API_TOKENS_FILE": str(auditor_token[0])}
    )
    await process.start()
    yield process
    assert process.stop() == 0, process.log_tail()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver = chromium.start(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


class Dashboard:
    """The browser on the service's dashboard; every method blocks (run it in a thread)."""

    def __init__(self, driver: WebDriver, base: str) -> None:
        self.driver, self.base = driver, base

    def open(self, page: str) -> None:
        self.driver.get(f"{self.base}/dashboard/{page}")

    def sign_in(self, token: str) -> None:
        self.driver.delete_all_cookies()
        self.open("sign-in")
        self.driver.find_element(By.ID, "token").send_keys(token)
        self.driver.find_element(By.ID, "sign-in").click()
        chromium.wait(self.driver).until(lambda d: d.current_url.endswith("/dashboard/live"))

    def shot(self, name: str) -> None:
        self.driver.save_screenshot(str(SHOTS / f"{name}.png"))

    def until(self, condition: Callable[[WebDriver], object], seconds: float = 20.0) -> None:
        chromium.wait(self.driver, seconds).until(condition)

    def live_phase(self, call_id: str) -> str | None:
        try:
            row = self.driver.find_element(
                By.CSS_SELECTOR, f'#live-calls tr[data-call="{call_id}"]'
            )
            return row.get_attribute("data-phase")
        except (NoSuchElementException, StaleElementReferenceException):  # rows are replaced live
            return None

    def ended_as(self, call_id: str) -> str | None:
        try:
            selector = f'#recent-calls tr[data-call="{call_id}"]'
            return self.driver.find_element(By.CSS_SELECTOR, selector).get_attribute(
                "data-decision"
            )
        except (NoSuchElementException, StaleElementReferenceException):  # rows are replaced live
            return None

    def listed(self, table: str, call_id: str) -> bool:
        rows = self.driver.find_elements(By.CSS_SELECTOR, f'#{table} tr[data-call="{call_id}"]')
        return bool(rows)


@pytest.fixture
def dashboard(browser: WebDriver, service: ServiceProcess) -> Dashboard:
    return Dashboard(browser, service.base_url)


async def run(work: Callable[[], object]) -> object:
    return await asyncio.to_thread(work)


async def see_phase(board: Dashboard, call: ConsentCall, phase: str) -> None:
    await run(lambda: board.until(lambda d: board.live_phase(call.call_id) == phase))


async def test_signing_in_with_a_wrong_token_is_refused(dashboard: Dashboard) -> None:
    def attempt() -> None:
        dashboard.driver.delete_all_cookies()
        dashboard.open("sign-in?lang=en")
        dashboard.shot("01-sign-in")
        dashboard.driver.find_element(By.ID, "token").send_keys("ivr_00000000_wrong")
        dashboard.driver.find_element(By.ID, "sign-in").click()
        dashboard.until(lambda d: d.find_elements(By.ID, "error"))
        assert "/dashboard/sign-in" in dashboard.driver.current_url
        dashboard.open("live")
        assert dashboard.driver.current_url.endswith("/dashboard/sign-in")

    await run(attempt)


async def test_a_real_call_appears_live_and_moves_through_its_steps(
    dashboard: Dashboard, carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target
) -> None:
    await run(lambda: dashboard.sign_in(API_TOKEN))
    call = await place(carrier, pbx_ami, pbx_target)
    await see_phase(dashboard, call, "notice")
    await call.step("notice-done")
    await call.bridged()
    await see_phase(dashboard, call, "recording")
    await run(lambda: dashboard.shot("02-live-recording"))
    await call.leg.hangup()
    await run(lambda: dashboard.until(lambda d: dashboard.ended_as(call.call_id) == "kept"))
    await run(lambda: dashboard.shot("03-live-ended-kept"))


async def test_an_objection_shows_as_objected_and_the_recording_leaves_the_list(
    dashboard: Dashboard,
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
) -> None:
    await run(lambda: dashboard.sign_in(API_TOKEN))
    call = await place(carrier, pbx_ami, pbx_target)
    await call.step("notice-done")
    await call.bridged()
    await call.file_appears()
    await see_phase(dashboard, call, "recording")
    await run(lambda: dashboard.open("recordings"))
    assert await run(lambda: dashboard.listed("recording-now", call.call_id))
    await run(lambda: dashboard.shot("04-recordings-while-recording"))
    await run(lambda: dashboard.open("live"))
    await see_phase(dashboard, call, "recording")
    await call.leg.press("9")
    await see_phase(dashboard, call, "objected")
    await run(lambda: dashboard.shot("05-live-objected"))
    await run(lambda: dashboard.open("recordings"))
    assert not await run(lambda: dashboard.listed("recording-now", call.call_id))
    assert not await run(lambda: dashboard.listed("kept", call.call_id))
    await call.leg.hangup()
    assert (await ledger_entry(service, call.call_id))["decision"] == "objected"
    await run(lambda: dashboard.open("recordings"))
    assert not await run(lambda: dashboard.listed("kept", call.call_id))
    assert not call.file.exists()
    await run(lambda: see_the_latency_chart(dashboard))


def see_the_latency_chart(board: Dashboard) -> None:
    """The objection's stop latency is counted in the outcomes page's histogram."""
    board.open("outcomes")
    cells = board.driver.find_elements(By.CSS_SELECTOR, "#latency tbody td")
    assert sum(int(cell.text) for cell in cells) >= 1
    assert board.driver.find_elements(By.CSS_SELECTOR, "#chart-latency .uplot")
    board.driver.set_window_size(1280, 2000)
    try:
        board.shot("10-outcomes-full")
    finally:
        board.driver.set_window_size(1280, 900)


async def kept_call(carrier: Carrier, pbx_ami: AmiClient, pbx_target: Target) -> ConsentCall:
    call = await place(carrier, pbx_ami, pbx_target)
    await call.step("notice-done")
    await call.bridged()
    await call.file_appears()
    await asyncio.sleep(1.0)  # a second of conversation to listen to
    await call.leg.hangup()
    return call


def audit_rows(board: Dashboard, target: str) -> list[tuple[str, str, str]]:
    board.open(f"audit?target={target}")
    rows = board.driver.find_elements(By.CSS_SELECTOR, "#audit-rows tbody tr[data-action]")
    return [
        (
            str(r.get_attribute("data-action")),
            str(r.get_attribute("data-outcome")),
            r.find_element(By.CSS_SELECTOR, ".reason").text,
        )
        for r in rows
    ]


async def test_listening_needs_a_reason_which_is_audited_before_the_audio(
    dashboard: Dashboard,
    service: ServiceProcess,
    carrier: Carrier,
    pbx_ami: AmiClient,
    pbx_target: Target,
) -> None:
    call = await kept_call(carrier, pbx_ami, pbx_target)
    assert (await ledger_entry(service, call.call_id))["decision"] == "kept"
    await run(lambda: dashboard.sign_in(API_TOKEN))

    def without_reason() -> None:
        dashboard.open("recordings")
        row = f'#kept tr[data-call="{call.call_id}"]'
        dashboard.driver.find_element(By.CSS_SELECTOR, f"{row} button").click()
        # The browser refuses the empty required field: nothing is posted, no player appears.
        assert not dashboard.driver.find_elements(By.ID, "player")
        field = dashboard.driver.find_element(By.CSS_SELECTOR, f"{row} input[name=reason]")
        dashboard.driver.execute_script("arguments[0].removeAttribute('required')", field)
        dashboard.driver.find_element(By.CSS_SELECTOR, f"{row} button").click()
        dashboard.until(lambda d: d.find_elements(By.ID, "error"))
        assert not dashboard.driver.find_elements(By.ID, "player")
        dashboard.shot("06-recordings-reason-required")
        listens = [row for row in audit_rows(dashboard, call.call_id) if row[0] == "listen"]
        assert listens == [("listen", "refused", "")]

    await run(without_reason)

    def with_reason() -> None:
        dashboard.open("recordings")
        row = f'#kept tr[data-call="{call.call_id}"]'
        field = dashboard.driver.find_element(By.CSS_SELECTOR, f"{row} input[name=reason]")
        field.send_keys("customer complaint 1234")
        dashboard.driver.find_element(By.CSS_SELECTOR, f"{row} button").click()
        dashboard.until(lambda d: d.find_elements(By.ID, "player"))
        player = dashboard.driver.find_element(By.ID, "player")
        dashboard.until(lambda d: d.execute_script("return arguments[0].duration > 0", player))
        dashboard.shot("07-recordings-listening")
        rows = audit_rows(dashboard, call.call_id)
        assert ("listen", "ok", "customer complaint 1234") in rows
        dashboard.shot("08-audit-log")

    await run(with_reason)


async def test_an_auditor_cannot_listen(
    dashboard: Dashboard, auditor_token: tuple[Path, str]
) -> None:
    def as_auditor() -> None:
        dashboard.sign_in(auditor_token[1])
        assert dashboard.driver.find_element(By.ID, "role").text == "auditor"
        dashboard.open("recordings")
        assert dashboard.driver.find_elements(By.ID, "no-listen")
        assert not dashboard.driver.find_elements(By.CSS_SELECTOR, "form.listen")
        dashboard.shot("09-recordings-auditor")
        kept = dashboard.driver.find_elements(By.CSS_SELECTOR, "#kept tr[data-call]")
        assert kept, "the auditor sees the kept recordings' metadata"
        call_id = kept[0].get_attribute("data-call")
        status = dashboard.driver.execute_script(
            "const csrf = document.querySelector('input[name=csrf]').value;"
            "return fetch(arguments[0], {method: 'POST', body: new URLSearchParams("
            "{csrf: csrf, reason: 'curious'})}).then(r => r.status);",
            f"/dashboard/recordings/{call_id}/listen",
        )
        assert status == 403
        assert ("access", "refused", "") in audit_rows(
            dashboard, f"/dashboard/recordings/{call_id}"
        )

    await run(as_auditor)


async def test_a_refused_outbound_call_shows_on_the_guard_page_under_its_rule(
    dashboard: Dashboard, carrier: Carrier, pbx_ami: AmiClient, auditor_token: tuple[Path, str]
) -> None:
    call = AgentCall(pbx_ami, carrier.ami, f"o.qa-unknown.{consumer()}")  # no such campaign
    try:
        await call.place()
        assert (await call.verdict()).split(":")[:2] == ["refused", "campaign"]
        await call.ended()
    finally:
        call.close()
    row = '#guard-latest tr[data-campaign="qa-unknown"][data-rule="campaign"]'

    def as_admin() -> None:
        dashboard.sign_in(API_TOKEN)
        dashboard.open("guard?lang=en")
        shown = dashboard.driver.find_elements(By.CSS_SELECTOR, row)
        assert any(call.number in r.find_element(By.CSS_SELECTOR, ".number").text for r in shown)
        cells = dashboard.driver.find_elements(
            By.CSS_SELECTOR, '#refusals td[data-rule="campaign"]'
        )
        assert sum(int(cell.text) for cell in cells) >= 1
        assert dashboard.driver.find_elements(By.CSS_SELECTOR, "#chart-refusals .uplot")
        dashboard.driver.set_window_size(1280, 1800)
        try:
            dashboard.shot("17-guard-refused-call")
        finally:
            dashboard.driver.set_window_size(1280, 900)

    def as_auditor() -> None:
        dashboard.sign_in(auditor_token[1])
        dashboard.open("guard?lang=fr")
        shown = dashboard.driver.find_elements(By.CSS_SELECTOR, row)
        assert shown, "the auditor sees the refusal"
        assert not any(call.number in r.text for r in shown), "a number shown to an auditor"
        masked = dashboard.driver.find_element(By.ID, "numbers-masked")
        dashboard.driver.execute_script("arguments[0].scrollIntoView()", masked)
        dashboard.shot("18-guard-auditor-fr")

    await run(as_admin)
    await run(as_auditor)


async def test_every_page_renders_in_both_languages(dashboard: Dashboard) -> None:
    def pages() -> None:
        dashboard.sign_in(API_TOKEN)
        for n, page in enumerate(("outcomes", "guard", "health", "audit"), 10):
            dashboard.open(f"{page}?lang=en")
            assert dashboard.driver.find_element(By.TAG_NAME, "h1").text
            dashboard.shot(f"{n}-{page}")
        dashboard.open("live?lang=fr")
        assert dashboard.driver.find_element(By.TAG_NAME, "h1").text == "Appels en cours"
        dashboard.shot("14-live-fr")
        dashboard.open("outcomes?lang=fr")
        assert dashboard.driver.find_elements(By.CSS_SELECTOR, "#chart-by-day .uplot")
        dashboard.shot("15-outcomes-fr")
        dashboard.open("live?lang=en")

    await run(pages)


async def test_the_keyboard_reaches_every_page_link(dashboard: Dashboard) -> None:
    def tabbing() -> None:
        dashboard.sign_in(API_TOKEN)
        reached = set()
        for _ in range(20):
            dashboard.driver.switch_to.active_element.send_keys("\t")
            href = dashboard.driver.switch_to.active_element.get_attribute("href") or ""
            reached.add(href.rsplit("/", 1)[-1])
        assert {"live", "outcomes", "recordings", "audit", "guard", "health"} <= reached

    await run(tabbing)


async def test_sign_out_ends_the_session(dashboard: Dashboard) -> None:
    def sign_out() -> None:
        dashboard.sign_in(API_TOKEN)
        old = dashboard.driver.get_cookie("ivr_dashboard")
        assert old is not None
        assert old["httpOnly"] is True
        assert old["sameSite"] == "Strict"
        dashboard.driver.find_element(By.ID, "sign-out").click()
        dashboard.until(lambda d: d.current_url.endswith("/dashboard/sign-in"))
        dashboard.shot("16-signed-out")
        dashboard.driver.add_cookie(
            {"name": "ivr_dashboard", "value": old["value"], "path": "/dashboard"}
        )
        dashboard.open("live")
        assert dashboard.driver.current_url.endswith("/dashboard/sign-in")

    await run(sign_out)
