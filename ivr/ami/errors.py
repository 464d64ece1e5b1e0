"""The AMI client's exception hierarchy.

Everything raised on purpose by `ivr.ami` is an `AmiError`, so a caller can catch the family
in one clause and still tell the cases apart:

- `AmiProtocolError`: the server sent something that is not AMI (oversized frame, no banner,
  a reply that does not answer the question asked);
- `AmiConnectionError`: the link is gone; every action still waiting fails with it;
- `AmiTimeout`: an action or a wait outlived its deadline (also a `TimeoutError`);
- `AmiActionError`: Asterisk answered `Response: Error`;
- `AmiInjectionError`: a header we were asked to send would have smuggled a line break (also a
  `ValueError`): nothing was sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ivr.ami.protocol import Message


class AmiError(Exception):
    """Base class of every error raised by the AMI client."""


class AmiProtocolError(AmiError):
    """The byte stream or a reply does not follow the AMI protocol."""


class AmiConnectionError(AmiError):
    """The AMI link could not be opened, or was lost or closed."""


class AmiTimeout(AmiError, TimeoutError):
    """An action or a wait did not complete before its deadline."""

    def __init__(self, what: str, timeout: float) -> None:
        super().__init__(f"{what}: no answer within {timeout:g} s")
        self.what = what
        self.timeout = timeout


class AmiActionError(AmiError):
    """Asterisk answered an action with `Response: Error`."""

    def __init__(self, response: Message, text: str | None = None) -> None:
        self.response = response
        self.message = response.get("Message", "") or ""
        super().__init__(text or self.message or "Response: Error without a Message")


class AmiInjectionError(AmiError, ValueError):
    """A header key or value would break the AMI framing (CR, LF, NUL, or ':' in a key)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}; refusing to send it")
        self.where = where
        self.reason = reason
