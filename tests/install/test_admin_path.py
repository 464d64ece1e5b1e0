"""The administrator's path, from docs/admin.md itself: a real Asterisk 22 started from Debian's
stock /etc/asterisk and run as its own ``asterisk`` user; the page's steps applied as written
(its shell blocks run, its lines added where it says, the service installed from the built wheel
and started the way the shipped systemd unit starts it); then real SIP calls from the carrier.
When the page, the unit or the package drift apart from the product, these tests fail."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.ami import AmiClient, EventMatch, Message
from ivr.ledger import Ledger
from ivr.qa.carrier import CallerLeg, Carrier, Voice
from ivr.sandbox import instance
from tests.install import admin_doc
from tests.install.host import Host, Unit, UnitService
from tests.install.package import Dists
from tests.install.site import INBOUND_CONTEXT, INBOUND_EXTEN, AdminPbx, start_carrier, stock_pbx
from tests.support.calls import PbxView, hang_up_everything, new_caller_number
from tests.support.service import free_port, with_policy
from tests.support.targets import sandbox_prefix

pytestmark = [pytest.mark.install, pytest.mark.sip, pytest.mark.timeout(600)]

STEP_DEADLINE = 30.0
# The site's choices when it fills in /etc/ivr/ivr.toml: every call recorded (so each call of
# the test is), and short notices that still say every key and item.
FILLED_IN = '''
[recording]
mode = "legal-obligation"
legal_reference = "admin-path test: every call recorded to check the consent loop"

[profiles.fr.texts.fr]
notice-short = """Appel enregistré par {controller} pour {purposes}. Touche {object_key} pour \\
refuser, {full_notice_key} pour les mentions."""
notice-full = """{controller}, {contact}, {dpo}, {purposes}, {legal_basis}, {recipients}, \\
{retention}, {transfers}, {requirement}, {portability}, {rights}, {complaint}, {spoken_url}. \\
Touche {object_key} pour refuser."""
objection-confirmed = "Enregistrement arrêté."
'''


@dataclass
class Installed:
    host: Host
    service: UnitService
    observer: AmiClient  # the PBX's events, through the service's own account
    carrier: Carrier
    calls: dict[str, str] = field(default_factory=dict)  # what each test's call became

    @property
    def ledger(self) -> Path:
        return self.host.path("/var/lib/ivr/ledger.sqlite3")


@pytest.fixture(scope="module")
def host_root() -> Iterator[Path]:
    """Stands for the machine's "/" (not pytest's 0700 folder: the service's user reads it)."""
    root = Path(tempfile.mkdtemp(prefix="ivr-admin-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root)


@pytest.fixture(scope="module")
def admin_pbx() -> Iterator[tuple[AdminPbx, instance.InstanceInfo]]:
    name, carrier = sandbox_prefix("admin-pbx"), sandbox_prefix("admin-carrier")
    pbx = stock_pbx(name, carrier)
    try:
        yield pbx, start_carrier(carrier, name)
    finally:
        instance.down(carrier)
        pbx.stop()
        instance.down(name)


@pytest_asyncio.fixture(scope="module")
async def installed(
    host_root: Path, admin_pbx: tuple[AdminPbx, instance.InstanceInfo], dists: Dists
) -> AsyncIterator[Installed]:
    pbx, carrier_info = admin_pbx
    host = Host(host_root, pbx, free_port())
    started: list[UnitService] = []  # stopped at the end, even when a step fails
    carrier_ami = AmiClient()
    try:
        for step in admin_doc.steps():
            await apply(step, host, dists, started)
        assert started, "docs/admin.md never starts the service"
        observer = await login(pbx.ami_port, host)
        await carrier_ami.connect(
            carrier_info.ami_host,
            carrier_info.ami_port,
            carrier_info.ami_username,
            carrier_info.ami_secret,
        )
        yield Installed(host, started[-1], observer, Carrier(carrier_ami))
        await observer.close()
    finally:
        for service in started:
            service.stop()
        await carrier_ami.close()


async def apply(step: admin_doc.Step, host: Host, dists: Dists, started: list[UnitService]) -> None:
    """One step of the page; the systemd step adds the service it starts to ``started``."""
    match step.kind:
        case "shell":
            if "ivr config check" in step.text:
                fill_in(host)  # the page's "Fill in /etc/ivr/ivr.toml" paragraph
            host.shell(
                step.text.replace("pip install .\n", f"pip install {dists.wheel}\n"), env=ADMIN_ENV
            )
        case "append":
            admin_doc.append(host.path(step.argument), step)
        case "section":
            config, section = step.argument.split(" ", 1)
            admin_doc.under_section(host.path(config), section, step)
        case "before-dial":
            admin_doc.before_dial(host.pbx.etc / "extensions.conf", INBOUND_CONTEXT, step)
        case "emulated":
            await emulate(step, host, started)


# A root shell's environment as an administrator has it: Debian's python3, not this test's.
ADMIN_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}


async def emulate(step: admin_doc.Step, host: Host, started: list[UnitService]) -> None:
    match step.argument:
        case "users":
            assert "adduser ivr asterisk" in step.text  # Host gives ivr the asterisk gid too
        case "asterisk restart":
            assert step.lines == ["systemctl restart asterisk"]
            host.pbx.start()
        case "systemd":
            unit_dir = host.path("/etc/systemd/system")
            unit_dir.mkdir(parents=True, exist_ok=True)
            host.shell(step.lines[0], env=ADMIN_ENV)  # the cp of the shipped unit
            assert step.lines[1:] == ["systemctl daemon-reload", "systemctl enable --now ivr"]
            unit = Unit.read(unit_dir / "ivr.service")
            service = UnitService(unit, host, host.root / "service.log")
            service.pre_start()
            started.append(service)
            await service.start()
        case other:
            raise AssertionError(f"no emulation for {other!r}")


def fill_in(host: Host) -> None:
    config = host.path("/etc/ivr/ivr.toml")
    text = host.translate(config.read_text(encoding="utf-8"))
    text = text.replace("port = 5038", f"port = {host.pbx.ami_port}", 1)
    config.write_text(with_policy(text, FILLED_IN), encoding="utf-8")


async def login(port: int, host: Host) -> AmiClient:
    secret = host.path("/etc/ivr/ami.secret").read_text(encoding="utf-8").strip()
    client = AmiClient()
    await client.connect("127.0.0.1", port, "ivr", secret)
    return client


async def place(installed: Installed) -> tuple[CallerLeg, PbxView, str]:
    number = new_caller_number()
    view = PbxView(installed.observer, number)
    leg = await installed.carrier.call(INBOUND_EXTEN, caller_num=number, voice=Voice(tone="440"))
    started = await step(view, "notice-started")
    return leg, view, started.get("Call", "")


async def step(view: PbxView, name: str) -> Message:
    return await view.events.wait_for(EventMatch("UserEvent", {"Step": name}), STEP_DEADLINE)


async def notice_heard(view: PbxView) -> None:
    """The notice played to its end: Asterisk could read the prompt (else notice-incomplete)."""
    done = await view.events.wait_for(
        lambda e: e.name == "UserEvent" and e.get("Step") in ("notice-done", "notice-incomplete"),
        STEP_DEADLINE,
    )
    assert done.get("Step") == "notice-done", done


async def until(condition: object, timeout: float, message: str) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        await asyncio.sleep(0.01)


async def decision(installed: Installed, call_id: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        with Ledger.open(installed.ledger, read_only=True) as ledger:
            call = ledger.get_call(call_id)
        if call is not None and call.decision is not None:
            return str(call.decision)
        assert time.monotonic() < deadline, f"no decision for {call_id}"
        await asyncio.sleep(0.1)


async def finish(installed: Installed, leg: CallerLeg, view: PbxView) -> None:
    await leg.hangup()
    view.close()
    await hang_up_everything(installed.observer)


def test_asterisk_runs_as_its_own_user_and_the_service_as_ivr(installed: Installed) -> None:
    pbx = installed.host.pbx
    assert pbx.user_of_pid() == pbx.asterisk_uid != 0
    process = installed.service.process
    assert process is not None
    status = Path(f"/proc/{process.pid}/status").read_text()
    uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
    groups = next(line for line in status.splitlines() if line.startswith("Groups:")).split()[1:]
    assert set(uids) == {str(installed.host.ivr_id)}
    assert groups == [str(pbx.asterisk_gid)]
    ledger = installed.ledger
    assert ledger.stat().st_uid == installed.host.ivr_id
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600  # UMask=0077: the ledger is the service's


def test_prompts_built_by_the_unit_under_umask_0077_are_readable_by_asterisk(
    installed: Installed,
) -> None:
    pbx = installed.host.pbx
    prompts = [*pbx.sounds.rglob("*.wav"), pbx.sounds / "ivr-consent-manifest.json"]
    assert len(prompts) > 3
    assert {stat.S_IMODE(p.stat().st_mode) for p in prompts} == {0o644}
    doctor = installed.host.shell(
        f"/opt/ivr/venv/bin/ivr doctor --config /etc/ivr/ivr.toml "
        f"--pbx-user {pbx.asterisk_uid}:{pbx.asterisk_gid}"
    )
    lines = doctor.splitlines()
    assert any(line.startswith("ok") and "prompts readable" in line for line in lines), doctor
    assert any(line.startswith("ok") and "other AMI accounts" in line for line in lines), doctor
    assert "0 failed" in doctor


async def test_a_caller_hears_the_notice_and_the_conversation_is_recorded_after_it(
    installed: Installed,
) -> None:
    leg, view, call_id = await place(installed)
    recording = installed.host.pbx.monitor / f"ivr-{call_id}.wav"
    await notice_heard(view)
    assert not recording.exists()  # nothing of the notice is recorded
    await view.bridged(2)
    await until(recording.exists, 5.0, f"{recording} never appeared")
    assert recording.stat().st_uid == installed.host.pbx.asterisk_uid  # MixMonitor wrote it
    # A second of conversation (8 kHz, 16 bits): an empty recording would not be kept.
    await until(lambda: recording.stat().st_size > 16_044, 10.0, "no conversation recorded")
    await finish(installed, leg, view)
    assert await decision(installed, call_id) == "kept"
    assert recording.exists()
    installed.calls["kept"] = call_id


async def test_an_objection_mid_call_stops_and_deletes_the_recording(installed: Installed) -> None:
    leg, view, call_id = await place(installed)
    recording = installed.host.pbx.monitor / f"ivr-{call_id}.wav"
    await notice_heard(view)
    await until(recording.exists, 10.0, f"{recording} never appeared")
    await leg.press("9")
    await until(lambda: not recording.exists(), 5.0, f"{recording} still there after the key")
    await finish(installed, leg, view)
    assert await decision(installed, call_id) == "objected"
    assert not recording.exists()


def test_the_pages_ledger_commands_read_the_installed_ledger(installed: Installed) -> None:
    (step,) = [s for s in admin_doc.steps() if s.kind == "ledger"]
    call_id = installed.calls["kept"]
    # The page's /etc/ivr/ivr.toml is elsewhere here: IVR_CONFIG names it, as the page says.
    env = {"IVR_CONFIG": str(installed.host.path("/etc/ivr/ivr.toml"))}
    out = installed.host.shell(step.text.replace("CALL_ID", call_id), env=env)
    assert call_id in out
    assert "decision   kept" in out


async def test_a_prompt_asterisk_cannot_read_is_named_by_doctor_and_never_allows_recording(
    installed: Installed,
) -> None:
    """What the unit's UMask=0077 did before prompts got their modes on purpose."""
    pbx = installed.host.pbx
    (notice,) = pbx.sounds.glob("fr/ivr-consent/fr/notice-short.wav")
    notice.chmod(0o600)
    try:
        doctor = installed.host.shell(
            f"/opt/ivr/venv/bin/ivr doctor --config /etc/ivr/ivr.toml "
            f"--pbx-user {pbx.asterisk_uid}:{pbx.asterisk_gid} || true"
        )
        failed = [line for line in doctor.splitlines() if line.startswith("FAIL")]
        assert len(failed) == 1, doctor
        assert "prompts readable" in failed[0]
        assert str(notice) in failed[0]
        leg, view, call_id = await place(installed)
        incomplete = await step(view, "notice-incomplete")
        assert incomplete.get("Reason") == "prompt-unplayable"
        await finish(installed, leg, view)
        assert await decision(installed, call_id) != "kept"
        assert not (pbx.monitor / f"ivr-{call_id}.wav").exists()
    finally:
        # The unit's ExecStartPre line, as a restart would run it: it repairs the mode.
        installed.host.shell("/opt/ivr/venv/bin/ivr prompts build --config /etc/ivr/ivr.toml")
    assert stat.S_IMODE(notice.stat().st_mode) == 0o644


async def test_with_the_service_stopped_calls_go_through_and_nothing_is_recorded(
    installed: Installed,
) -> None:
    assert installed.service.stop() == 0, installed.service.log_tail()
    leg, view, call_id = await place(installed)
    await notice_heard(view)
    await view.bridged(2)  # the caller reached the agent
    recording = installed.host.pbx.monitor / f"ivr-{call_id}.wav"
    deadline = time.monotonic() + 3.0  # the service starts MixMonitor within ms when it runs
    while time.monotonic() < deadline:
        assert not recording.exists(), "recorded with the service stopped"
        await asyncio.sleep(0.02)
    await finish(installed, leg, view)
    assert not os.listdir(installed.host.pbx.monitor) or all(
        call_id not in name for name in os.listdir(installed.host.pbx.monitor)
    )
