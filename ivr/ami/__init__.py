"""The project's own asyncio AMI client (see docs/ami-client.md).

`protocol` is pure (bytes <-> `Message`), `client.AmiClient` owns one connection, and
`supervisor.AmiSupervisor` owns reconnection and health.
"""

from ivr.ami.client import AmiClient
from ivr.ami.errors import (
    AmiActionError,
    AmiConnectionError,
    AmiError,
    AmiInjectionError,
    AmiProtocolError,
    AmiTimeout,
)
from ivr.ami.events import EventMatch, Predicate, Subscription
from ivr.ami.message import Message
from ivr.ami.protocol import DEFAULT_MAX_FRAME, Fields, FrameParser, encode_action
from ivr.ami.supervisor import AmiHealth, AmiSupervisor, Backoff

__all__ = [
    "DEFAULT_MAX_FRAME",
    "AmiActionError",
    "AmiClient",
    "AmiConnectionError",
    "AmiError",
    "AmiHealth",
    "AmiInjectionError",
    "AmiProtocolError",
    "AmiSupervisor",
    "AmiTimeout",
    "Backoff",
    "EventMatch",
    "Fields",
    "FrameParser",
    "Message",
    "Predicate",
    "Subscription",
    "encode_action",
]
