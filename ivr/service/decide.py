"""The service's choice for a call that just arrived: its profile, and whether it may be recorded.

Made before any notice plays, from what the dialplan reported (the ``arrived`` step) and the
configuration. The draw for sampling comes from the system's random source: nobody, agent or
caller, can tell in advance which calls will be recorded.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from ivr.ami import Message
from ivr.config.model import Settings
from ivr.consent import inputs as i
from ivr.policy.profiles import CallFacts, choose_profile
from ivr.policy.sampling import choose_recording

_SYSTEM_RANDOM = random.SystemRandom()


def facts_of(event: Message) -> CallFacts:
    """What the ``arrived`` UserEvent says about the call (the dialplan filtered each value).

    Asked*, not Profile/Language: every event of a channel already carries the channel's own
    ``Language`` header, which would hide ours."""
    return CallFacts(
        requested_profile=event.get("AskedProfile", ""),
        requested_language=event.get("AskedLanguage", ""),
        route=event.get("Route", ""),
        group=event.get("Group", ""),
        called=event.get("Called", ""),
        caller=event.get("CallerIDNum", ""),
    )


class Decider:
    def __init__(self, settings: Settings, draw: Callable[[], float] = _SYSTEM_RANDOM.random):
        self.settings = settings
        self.draw = draw

    def decide(self, facts: CallFacts, at: datetime) -> i.Decided:
        settings = self.settings
        chosen = choose_profile(settings.consent, facts)
        profile = settings.consent.profiles[chosen.profile]
        recording = choose_recording(
            settings.recording,
            settings.agents,
            group=facts.group,
            called=facts.called,
            unrecorded_notice=profile.unrecorded_notice,
            at=at,
            draw=self.draw(),
        )
        return i.Decided(
            at,
            chosen.profile,
            chosen.language,
            profile.mode,
            recording.record,
            recording.prompt,
            chosen.why,
            recording.why,
            facts.group,
            eligible=recording.eligible,
        )
