"""All checks, in the order an administrator would fix them."""

from __future__ import annotations

from ivr.config.model import Settings
from ivr.doctor import local, pbx, secrets
from ivr.doctor.findings import Finding


async def diagnose(settings: Settings) -> list[Finding]:
    findings = [local.recordings(settings), local.prompts(settings), local.ledger(settings)]
    findings.append(local.recording_policy(settings))
    findings += [*secrets.secret_files(settings), secrets.encryption(settings)]
    secret = local.secret_file(settings)
    if secret is not None:
        findings.append(secret)
    client, login = await pbx.connect(settings)
    findings.append(login)
    if client is None:
        return findings
    try:
        findings += await pbx.modules(client)
        findings += await pbx.privileges(client)
        findings.append(await pbx.keys(client, settings))
    finally:
        await client.close()
    return findings
