"""After an outage: what the PBX and the ledger remember of a call, as the machine's inputs. Pure.

One path for every situation — the service starting while calls are up, its AMI link cut and
back, an objection the PBX kept for a call the service never saw, a call the ledger holds as
unfinished. A call the service did not track is adopted first (`Adopted`); then the facts every
call shares: the objection the PBX kept, the notice step it reached, the keys nobody heard while
it waited for its agent, the supervisors still listening to it, and its end if it is gone.
"""

from __future__ import annotations

from datetime import datetime

from ivr.consent import inputs as i
from ivr.names import Source, Step

# Why a call that was waiting for its agent while nobody heard its keys is not recorded.
AWAY = "waited for an agent while the service was away: an objection pressed then went unheard"
LINK_DOWN = (
    "waited for an agent while the service's AMI link was down: an objection pressed then "
    "went unheard"
)


def reconcile(seen: i.Seen, *, tracked: bool, at: datetime) -> list[i.Input]:
    """The inputs that bring a call's machine (tracked or fresh) in line with ``seen``."""
    inputs: list[i.Input] = []
    if not tracked:
        inputs.append(i.Adopted(at, seen))
    if tracked and seen.objected_at is not None:
        inputs.append(i.Objected(seen.objected_at, Source.RECONCILE))
    step = Step.parse(seen.step)
    if tracked and step is not None:
        inputs.append(i.NoticeMissed(at, step))
    inputs.append(i.Unheard(at, LINK_DOWN if tracked else AWAY))
    if seen.live:  # the machine keeps each spy (to end it as it would have), or ends it now
        inputs.extend(i.SpyStarted(at, spy.channel, spy.by) for spy in seen.spies)
    else:
        inputs.append(i.HungUp(at))
    return inputs
