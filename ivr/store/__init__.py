"""The store: where the ledger and the audit log live, for one site or many.

SQLite (one file each, beside the service; nothing to install) is the default. A PostgreSQL
URL (`url.StoreUrl`) puts the ledger and the audit log of several sites, each service attached
to its own PBX, in one database: `ivr.ledger.postgres` and `ivr.audit.postgres` are the
backends beneath the same public classes, `postgres` the connection, `schema` the versions
(`ivr store migrate`), `copy` the verified move of a site's SQLite files (`ivr store copy`),
`opening` the one place that picks the backend from the settings.

This package imports neither the ledger nor the audit log at import time, so both may use its
low-level modules (`url`, `postgres`).
"""
