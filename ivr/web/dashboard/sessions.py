"""Dashboard sessions: a token is given once at sign-in, then a random session id travels in a
cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) and every form carries the session's CSRF
token. Sessions live in the service's memory only: a restart signs everybody out.

The token is kept with the session and checked again on every request, so removing a token
from the tokens file ends the sessions opened with it at once.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ivr.web.tokens import Principal

SESSION_COOKIE = "ivr_dashboard"
PRE_CSRF_COOKIE = "ivr_dashboard_csrf"  # the sign-in form's CSRF token (double submit)
IDLE_SECONDS = 30 * 60
LIFETIME_SECONDS = 8 * 3600
TICKET_SECONDS = 300  # a listening ticket is valid this long (the player may ask several times)


@dataclass(frozen=True)
class Ticket:
    """Permission to fetch one recording's audio, with the reason typed for it."""

    call_id: str
    reason: str
    expires: float


@dataclass
class Session:
    sid: str
    principal: Principal
    token: str
    csrf: str
    created: float
    seen: float
    tickets: dict[str, Ticket] = field(default_factory=dict)

    def csrf_ok(self, given: str) -> bool:
        return hmac.compare_digest(self.csrf.encode(), given.encode())


class SessionStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def open(self, principal: Principal, token: str) -> Session:
        now = self._clock()
        self._forget_expired(now)
        session = Session(
            secrets.token_urlsafe(32), principal, token, secrets.token_urlsafe(32), now, now
        )
        self._sessions[session.sid] = session
        return session

    def get(self, sid: str) -> Session | None:
        session = self._sessions.get(sid)
        now = self._clock()
        if session is None or self._expired(session, now):
            self._sessions.pop(sid, None)
            return None
        session.seen = now
        return session

    def close(self, sid: str) -> None:
        self._sessions.pop(sid, None)

    def issue_ticket(self, session: Session, call_id: str, reason: str) -> str:
        now = self._clock()
        session.tickets = {k: t for k, t in session.tickets.items() if t.expires > now}
        ticket = secrets.token_urlsafe(24)
        session.tickets[ticket] = Ticket(call_id, reason, now + TICKET_SECONDS)
        return ticket

    def ticket(self, session: Session, ticket: str, call_id: str) -> Ticket | None:
        found = session.tickets.get(ticket)
        if found is None or found.call_id != call_id or found.expires <= self._clock():
            return None
        return found

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.seen > IDLE_SECONDS or now - session.created > LIFETIME_SECONDS

    def _forget_expired(self, now: float) -> None:
        for sid in [s for s, session in self._sessions.items() if self._expired(session, now)]:
            del self._sessions[sid]
