"""Whether the service may put its event loop's thread at real-time priority (ivr.service.realtime),
tried on a short-lived thread of the doctor's own process: run it as the service's user, under
the service's limits (``systemd-run -p User=ivr -p LimitRTPRIO=1``), for the service's answer.
The running service shows what is in force on /healthz (``scheduling``)."""

from __future__ import annotations

import resource

from ivr.config.model import Settings
from ivr.doctor.findings import Finding, ok, warn
from ivr.service.realtime import FIX, available

CHECK = "real-time scheduling"


def realtime(settings: Settings) -> Finding:
    if settings.service.scheduling == "normal":
        return ok(CHECK, 'off ([service] scheduling = "normal")')
    refused = available()
    if refused is not None:
        return warn(CHECK, f"not available here: {refused}; objections may wait; fix: {FIX}")
    limit = resource.getrlimit(resource.RLIMIT_RTPRIO)[0]
    if limit == resource.RLIM_INFINITY or limit >= 1:
        return ok(CHECK, f"available (RLIMIT_RTPRIO {_shown(limit)}), no privilege needed")
    return ok(
        CHECK,
        "available here through CAP_SYS_NICE (root); the service's own user needs "
        "LimitRTPRIO=1 in its unit (examples/ivr.service)",
    )


def _shown(limit: int) -> str:
    return "unlimited" if limit == resource.RLIM_INFINITY else str(limit)
