"""Retention and erasure: the purge (`purge`, run daily by `daily.DailyPurge` and on demand by
``ivr purge``) and erasure on request (`erasure.erase_caller`, ``ivr erase`` and the API)."""

from ivr.retention.daily import DailyPurge, purge_daily
from ivr.retention.erasure import ErasureError, erase_caller, subject_hash
from ivr.retention.purge import PurgeReport, purge

__all__ = [
    "DailyPurge",
    "ErasureError",
    "PurgeReport",
    "erase_caller",
    "purge",
    "purge_daily",
    "subject_hash",
]
