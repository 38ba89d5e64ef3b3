#!/usr/bin/env bash
# PostgreSQL PRIMARY, first start only: the official postgres image runs every
# /docker-entrypoint-initdb.d/*.sh once, while it initialises an empty data
# directory (executed when the file is executable, sourced otherwise, so this
# file sets no shell options and never calls `exit`).
#
# It creates the streaming-replication role REPLICATION_USER and allows it to
# connect for replication with a password (scram-sha-256) from any address.
# The read replica (replica-entrypoint.sh) clones the primary with that role.
#
# Used by deploy/compose.yaml (bind mount) and deploy/k8s/postgres.yaml
# (the same text in the ConfigMap miarka-postgres-scripts; a test keeps the
# two identical).

: "${REPLICATION_USER:?set REPLICATION_USER (the replication role)}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v repl_user="$REPLICATION_USER" -v repl_password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE :"repl_user" WITH REPLICATION LOGIN PASSWORD :'repl_password';
SQL

printf 'host replication %s all scram-sha-256\n' "$REPLICATION_USER" >>"$PGDATA/pg_hba.conf"
echo "primary-init: replication role $REPLICATION_USER created"
