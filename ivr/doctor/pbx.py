"""Checks on the PBX, through the service's own AMI account, as the service will see it."""

from __future__ import annotations

from ivr import names
from ivr.ami import AmiActionError, AmiClient, AmiError
from ivr.config.model import Settings
from ivr.doctor.findings import Finding, fail, ok, warn
from ivr.service.ami_security import link_security

# Modules the consent flow needs loaded, and the one it needs absent.
NEEDED_MODULES = ("app_mixmonitor", "app_stack", "func_db", "app_userevent", "bridge_simple")
NATIVE_RTP = "bridge_native_rtp"
PROBE_KEY = "doctor-probe"


async def connect(settings: Settings) -> tuple[AmiClient | None, Finding]:
    ami = settings.ami
    client = AmiClient(ping_interval=None)
    auth, tls = link_security(ami)  # as the service logs in
    how = f"{ami.username}@{ami.host}:{ami.port}, {auth} login{', TLS' if tls else ''}"
    try:
        await client.connect(
            ami.host, ami.port, ami.username, ami.secret.reveal(), timeout=5, auth=auth, tls=tls
        )
    except (AmiError, OSError) as exc:
        return None, fail("AMI login", f"{how}: {exc}")
    return client, ok("AMI login", f"{how} ({client.banner})")


async def modules(client: AmiClient) -> list[Finding]:
    found = []
    for module in NEEDED_MODULES:
        if not await _loaded(client, module):
            found.append(fail("module " + module, "not loaded: the consent flow needs it"))
    if await _loaded(client, NATIVE_RTP):
        found.append(
            fail(
                "module " + NATIVE_RTP,
                "loaded: keys pressed mid-call raise no DTMF event; "
                "add `noload => bridge_native_rtp.so` to modules.conf (dialplan/modules-ivr.conf)",
            )
        )
    return found or [ok("modules", f"needed ones loaded, {NATIVE_RTP} not loaded")]


async def _loaded(client: AmiClient, module: str) -> bool:
    reply = await client.action("ModuleCheck", {"Module": module}, check=False)
    return not reply.is_error


async def privileges(client: AmiClient) -> list[Finding]:
    found = []
    try:
        fields = {"Family": names.DB_SETTINGS, "Key": PROBE_KEY, "Val": "1"}
        await client.action("DBPut", fields)
        await client.action("DBDel", {"Family": names.DB_SETTINGS, "Key": PROBE_KEY})
        found.append(ok("AMI write classes", "AstDB and MixMonitor allowed (system)"))
    except AmiActionError as exc:
        found.append(
            fail("AMI write classes", f"AstDB refused: {exc}; see dialplan/manager-ivr.conf")
        )
    command = await client.action("Command", {"Command": "core show version"}, check=False)
    if not command.is_error:
        found.append(
            warn("AMI least privilege", "this account may run CLI commands: drop `command`")
        )
    return found


async def keys(client: AmiClient, settings: Settings) -> Finding:
    """The keys the dialplan will use are the configured ones (the service writes them)."""
    wanted = {
        names.DB_KEY_OBJECT: settings.consent.keys.objection,
        names.DB_KEY_FULL_NOTICE: settings.consent.keys.full_notice,
    }
    _, entries = await client.event_list("DBGetTree", {"Family": names.DB_SETTINGS})
    stored = {e.get("Key", "").rsplit("/", 1)[-1]: e.get("Val") for e in entries}
    if all(stored.get(key) == value for key, value in wanted.items()):
        return ok("keys on the PBX", ", ".join(f"{k}={v}" for k, v in wanted.items()))
    return warn(
        "keys on the PBX",
        f"AstDB has {stored or 'nothing'}, the configuration says {wanted}: "
        "the service writes them when it connects; until then the dialplan uses 9 and 1",
    )
