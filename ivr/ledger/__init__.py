"""The consent ledger: one entry per call proving what happened to its recording.

`model` holds the records and event kinds, `codec` how values are stored (times, escaping),
`store.LedgerStore` the interface any backend provides, `sqlite.Ledger` the SQLite backend
(schema and migrations in `schema`, statements in `rows`), and `aio.AsyncLedger` the asyncio
façade the service uses, on its own worker thread.
"""

from ivr.ledger.aio import AsyncLedger
from ivr.ledger.codec import Detail, DetailValue
from ivr.ledger.errors import (
    LedgerClosedError,
    LedgerConflictError,
    LedgerError,
    LedgerUnavailableError,
    LedgerUnreadableError,
    UnknownCallError,
)
from ivr.ledger.model import CallRecord, CallSummary, Event, EventKind, KeptRecording
from ivr.ledger.privacy import ErasureProof, StoredCall, StoredRecording, normalise_number
from ivr.ledger.sqlite import Ledger
from ivr.ledger.store import LedgerStore

__all__ = [
    "AsyncLedger",
    "CallRecord",
    "CallSummary",
    "Detail",
    "DetailValue",
    "ErasureProof",
    "Event",
    "EventKind",
    "KeptRecording",
    "Ledger",
    "LedgerClosedError",
    "LedgerConflictError",
    "LedgerError",
    "LedgerStore",
    "LedgerUnavailableError",
    "LedgerUnreadableError",
    "StoredCall",
    "StoredRecording",
    "UnknownCallError",
    "normalise_number",
]
