#!/usr/bin/env bash
# Entrypoint of a PostgreSQL streaming READ REPLICA (official postgres image).
#
# First start (empty data directory): wait for the primary, then clone it with
# `pg_basebackup --write-recovery-conf`, which also writes standby.signal and
# primary_conninfo. Every start: hand over to the image's own entrypoint with
# the given arguments (e.g. `postgres -c hot_standby_feedback=on`); it finds
# the data directory initialised and starts the server as a hot standby that
# follows the primary and answers read-only queries.
#
# Environment: PRIMARY_HOST, PRIMARY_PORT (5432), REPLICATION_USER,
# REPLICATION_PASSWORD (the role primary-init.sh created), PGDATA (set by the
# image). Works as root (compose: drops to `postgres` with gosu) and as the
# postgres user (Kubernetes runAsUser 999).
#
# Used by deploy/compose.yaml (bind mount) and deploy/k8s/postgres.yaml
# (the same text in the ConfigMap miarka-postgres-scripts).
set -Eeuo pipefail

: "${PRIMARY_HOST:?set PRIMARY_HOST}"
: "${REPLICATION_USER:?set REPLICATION_USER}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
: "${PGDATA:?set PGDATA (the postgres image does)}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        gosu postgres "$@"
    else
        "$@"
    fi
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$PGDATA"
    fi
    chmod 700 "$PGDATA"
    until as_postgres pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -d postgres; do
        echo "replica: waiting for the primary at $PRIMARY_HOST:$PRIMARY_PORT"
        sleep 2
    done
    echo "replica: cloning $PRIMARY_HOST:$PRIMARY_PORT into $PGDATA"
    export PGPASSWORD="$REPLICATION_PASSWORD"
    as_postgres pg_basebackup \
        --host "$PRIMARY_HOST" --port "$PRIMARY_PORT" --username "$REPLICATION_USER" \
        --pgdata "$PGDATA" --wal-method stream --write-recovery-conf \
        --checkpoint fast --no-password
    unset PGPASSWORD
    echo "replica: clone done, starting as a hot standby"
fi

exec docker-entrypoint.sh "$@"
