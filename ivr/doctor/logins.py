"""Whether the PBX lets the service's account log in several times at once, as the service does.

manager.conf's ``allowmultiplelogin = no`` (under ``[general]`` or the user's section) refuses
every login of a user already logged in: the service, which needs several sessions, would then
never connect. Doctor opens a second session while its first is up and says so."""

from __future__ import annotations

from ivr.ami import AmiError, multiple_logins
from ivr.config.model import Settings
from ivr.doctor import pbx
from ivr.doctor.findings import Finding, fail, ok
from ivr.service.runtime import ACTIONS, URGENT
from ivr.service.tones import LINKS

CHECK = "several logins"
SESSIONS = 1 + len(ACTIONS) + len(URGENT)  # the listener and its lanes (ivr.service.runtime)


async def several_logins(settings: Settings) -> Finding:
    """Called while doctor's first session is logged in: a second one must get in too."""
    user = settings.ami.username
    try:
        second = await pbx.log_in(settings)
    except (AmiError, OSError) as exc:
        if multiple_logins.refused_as_in_use(exc):
            return fail(
                CHECK,
                f"the PBX refused a second login of user {user!r} "
                f"({multiple_logins.IN_USE}); the service needs {SESSIONS} sessions of this "
                f"account at once: {multiple_logins.fix(user)}",
            )
        return fail(CHECK, f"a second session of {user!r} while the first is up: {exc}")
    await second.close()
    return ok(
        CHECK,
        f"a second session of {user!r} logged in beside the first "
        f"(the service opens {SESSIONS}, up to {SESSIONS + LINKS} with the agents' tone)",
    )
