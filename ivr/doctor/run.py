"""All checks, in the order an administrator would fix them."""

from __future__ import annotations

from ivr.config.model import Settings
from ivr.doctor import accounts, local, logins, pbx, scheduling, secrets, store
from ivr.doctor.findings import Finding

DEFAULT_PBX_USER = "asterisk"  # Debian's Asterisk runs as this user


async def diagnose(settings: Settings, pbx_user: str = DEFAULT_PBX_USER) -> list[Finding]:
    findings = [local.recordings(settings), local.prompts(settings)]
    readable = local.prompts_readable(settings, pbx_user)
    if readable is not None:
        findings.append(readable)
    # The shared store replaces the ledger file: its own checks, the spool beside the ledger.
    findings += store.store(settings) if settings.store.url else [local.ledger(settings)]
    findings.append(local.recording_policy(settings))
    findings.append(scheduling.realtime(settings))
    findings += [*secrets.secret_files(settings), secrets.encryption(settings)]
    secret = local.secret_file(settings)
    if secret is not None:
        findings.append(secret)
    client, login = await pbx.connect(settings)
    findings.append(login)
    if client is None:
        return findings
    try:
        findings.append(await logins.several_logins(settings))
        findings += await pbx.modules(client)
        findings += await pbx.privileges(client)
        findings.append(await accounts.other_accounts(client, settings.ami.username))
        findings.append(await pbx.keys(client, settings))
    finally:
        await client.close()
    return findings
