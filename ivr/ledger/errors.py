"""The ledger's exception hierarchy.

Everything raised on purpose by `ivr.ledger` is a `LedgerError`, and its message names the
ledger (a file path for SQLite), so a CLI or the service can print it as it is:

- `LedgerUnreadableError`: the ledger cannot be opened or read: missing, not SQLite, damaged,
  not an ivr ledger, or a schema version this ivr does not know;
- `UnknownCallError`: an operation that needs an existing call found none;
- `LedgerConflictError`: a write contradicts what the ledger already holds (a second, different
  decision for a call); nothing was written, the first record stands (also a `ValueError`);
- `LedgerClosedError`: the ledger was used after `close()` / `aclose()`;
- `LedgerUnavailableError`: a shared (PostgreSQL) ledger cannot be reached at the moment.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base class of every error raised by the ledger."""


class LedgerUnreadableError(LedgerError):
    """The ledger could not be opened or read."""


class UnknownCallError(LedgerError, LookupError):
    """The ledger has no call with this id."""


class LedgerConflictError(LedgerError, ValueError):
    """A write contradicts the ledger; nothing was written."""


class LedgerClosedError(LedgerError):
    """The ledger was used after it was closed."""


class LedgerUnavailableError(LedgerError):
    """The ledger's database cannot be reached now (a shared store restarting, the network);
    nothing of the failed call was written, and the next call tries to reconnect."""
