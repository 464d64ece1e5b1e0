#!/bin/sh
# The QA stack's database: a cluster made on first start in the `store` volume, then run in
# the foreground. Trust for the stack's own network only: it holds QA calls, nothing else.
set -eu
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
data=/var/lib/postgresql/ivr
if [ ! -s "$data/PG_VERSION" ]; then
    "$bin/initdb" -D "$data" -U ivr --auth-local=trust --auth-host=reject -E UTF8 --no-instructions
    echo "host ivr ivr 10.231.50.0/24 trust" >> "$data/pg_hba.conf"
    echo "host all ivr 127.0.0.1/32 trust" >> "$data/pg_hba.conf"
    "$bin/pg_ctl" -D "$data" -w -o "-c listen_addresses=''" start
    "$bin/psql" -U ivr -d postgres -qc "CREATE DATABASE ivr"
    "$bin/pg_ctl" -D "$data" -w stop
fi
exec "$bin/postgres" -D "$data" -c listen_addresses='*' -c unix_socket_directories=/tmp
