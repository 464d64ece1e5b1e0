"""Checks on the PBX, through the service's own AMI account, as the service will see it."""

from __future__ import annotations

from ivr import names
from ivr.ami import AmiClient, AmiError, multiple_logins
from ivr.config.model import Settings
from ivr.doctor.findings import Finding, fail, ok, warn
from ivr.service.ami_security import link_security

# Modules the consent flow needs loaded, and the one it needs absent.
NEEDED_MODULES = ("app_mixmonitor", "app_stack", "func_db", "app_userevent", "bridge_simple")
NATIVE_RTP = "bridge_native_rtp"
WRITE_CHECK = "AMI write classes"
PERMISSION_DENIED = "Permission denied"
# Granted by the `command`, `originate` and `config` classes: the service sends none of them.
NEVER_NEEDED = ("Command", "Originate", "UpdateConfig", "CreateConfig")


async def connect(settings: Settings) -> tuple[AmiClient | None, Finding]:
    ami = settings.ami
    auth, tls = link_security(ami)
    how = f"{ami.username}@{ami.host}:{ami.port}, {auth} login{', TLS' if tls else ''}"
    try:
        client = await log_in(settings)
    except (AmiError, OSError) as exc:
        return None, fail("AMI login", f"{how}: {exc}{_in_use(exc, ami.username)}")
    return client, ok("AMI login", f"{how} ({client.banner})")


def _in_use(error: BaseException, username: str) -> str:
    """Refused because another session of the user is in (the service's, say): the cause."""
    if not multiple_logins.refused_as_in_use(error):
        return ""
    return (
        "; another session of this user is logged in and the PBX lets it in only once, "
        f"while the service needs several: {multiple_logins.fix(username)}"
    )


async def log_in(settings: Settings) -> AmiClient:
    """A session of the service's account, logged in as the service logs in; AmiError or
    OSError if it cannot."""
    ami = settings.ami
    client = AmiClient(ping_interval=None)
    auth, tls = link_security(ami)  # as the service logs in
    await client.connect(
        ami.host, ami.port, ami.username, ami.secret.reveal(), timeout=5, auth=auth, tls=tls
    )
    return client


async def modules(client: AmiClient) -> list[Finding]:
    probe = await client.action("ModuleCheck", {"Module": NEEDED_MODULES[0]}, check=False)
    if probe.get("Message") == PERMISSION_DENIED:  # ModuleCheck is filed under `system`
        return [warn("modules", "not checked: ModuleCheck needs the write class system")]
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
    """What the account may do, as the PBX itself lists it (ListCommands: nothing is sent to
    try it), against what the service sends."""
    reply = await client.action("ListCommands", check=False)
    if reply.is_error:
        return [fail(WRITE_CHECK, f"ListCommands refused: {reply.get('Message')}")]
    return judge_grants({key for key, _ in reply.headers} - {"Response", "ActionID"})


def judge_grants(granted: set[str]) -> list[Finding]:
    """The actions the consent flow needs and the PBX refuses are named; without `system` what
    still works and what does not is said; the ones it should never have (CLI commands,
    placing calls, changing the configuration) are warned about."""
    missing = [action for action in names.SERVICE_AMI_ACTIONS if action not in granted]
    if missing:
        return [
            fail(
                WRITE_CHECK,
                f"refused: {', '.join(missing)}; the consent flow needs them "
                "(write = call at least, dialplan/manager-ivr.conf)",
            )
        ]
    lacking = [a for a in names.SERVICE_AMI_SYSTEM_ACTIONS if a not in granted]
    found = [ok(WRITE_CHECK, _flow_with(lacking))]
    needless = [action for action in NEVER_NEEDED if action in granted]
    if needless:
        found.append(
            warn(
                "AMI least privilege",
                f"this account may also use {', '.join(needless)}: "
                "drop the `command`, `originate` and `config` write classes",
            )
        )
    return found


def _flow_with(lacking: list[str]) -> str:
    if not lacking:
        return "call and system: every action the service sends is allowed"
    return (
        f"call only ({', '.join(lacking)} refused): recordings armed by the dialplan; "
        "no agent tone, no outbound guard, objections kept by the PBX never forgotten in AstDB"
    )


async def keys(client: AmiClient, settings: Settings) -> Finding:
    """The keys the dialplan will use are the configured ones (the service publishes them)."""
    private = settings.agents.private_key
    wanted = {
        names.DB_KEY_OBJECT: settings.consent.keys.objection,
        names.DB_KEY_FULL_NOTICE: settings.consent.keys.full_notice,
        names.DB_FEATURE_PRIVATE: names.private_feature(private),
    }
    stored = {}
    for key in wanted:
        reply = await client.action("Getvar", {"Variable": names.global_setting(key)})
        stored[key] = reply.get("Value") or ""
    if stored == wanted and private and wanted[names.DB_FEATURE_PRIVATE] == names.NO_FEATURE:
        return warn(
            "keys on the PBX",
            f"the agents' private key {private!r} is not one the PBX runs itself (ivr-features.conf"
            " ships *0-*9 and #0-#9): it works only while the service is up",
        )
    if stored == wanted:
        return ok("keys on the PBX", ", ".join(f"{k}={v}" for k, v in wanted.items()))
    return warn(
        "keys on the PBX",
        f"the PBX has {stored}, the configuration says {wanted}: "
        "the service publishes them when it connects; until then the dialplan uses 9 and 1",
    )
