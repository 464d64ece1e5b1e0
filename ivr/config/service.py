"""[service]: how the service itself runs on its host.

    [service]
    scheduling = "realtime"   # the event loop's thread at real-time priority 1, guarded
                              # (ivr.service.realtime); "normal": ordinary scheduling

"realtime" needs ``LimitRTPRIO=1`` in the unit (examples/ivr.service) or CAP_SYS_NICE; without
either the service runs as "normal" and says why in its log and on /healthz.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from ivr.config.reader import Table, shown

SECTIONS = {"service": ("scheduling",)}
SCHEDULINGS = ("realtime", "normal")
Scheduling = Literal["realtime", "normal"]


@dataclass(frozen=True)
class ServiceSettings:
    scheduling: Scheduling = "realtime"


def read_service(table: Table) -> ServiceSettings:
    scheduling = table.string("scheduling", SCHEDULINGS[0])
    if scheduling not in SCHEDULINGS:
        raise table.error("scheduling", f'must be "realtime" or "normal", got {shown(scheduling)}')
    return ServiceSettings(cast(Scheduling, scheduling))
