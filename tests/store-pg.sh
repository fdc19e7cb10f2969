#!/bin/sh
# store-pg.sh [--fsync] PROGRAM [ARG...]: run PROGRAM against a PostgreSQL cluster made for
# this run alone by Debian's pg_virtualenv (postgresql-common), which puts PGHOST, PGPORT,
# PGUSER and PGPASSWORD in the environment and drops the cluster afterwards. -t keeps the
# cluster in a temporary directory even as root, so runs may overlap (as root pg_virtualenv
# would otherwise make the one cluster 15/regress and refuse a second). pg_virtualenv turns
# fsync off; --fsync turns it back on (the benchmark: commits as durable as in production). Databases rd1 .. rd16 are
# made empty for PROGRAM; RD_TEST_PG=postgresql:///rd names them (append the number) and
# RD_TEST_PG_DBS says how many there are. Exits 77 (skipped) only when pg_virtualenv is not
# installed; a cluster that does not start is a failure.
set -eu
if ! command -v pg_virtualenv >/dev/null 2>&1; then
	echo "pg_virtualenv not installed (Debian: postgresql, postgresql-common): skipped"
	exit 77
fi
n=16
fsync=
if [ "${1:-}" = --fsync ]; then
	fsync="-o fsync=on"
	shift
fi
# Our own port, unless PGPORT says one: two clusters made at once would otherwise both be
# given the first free port (it is free until one of them starts).
PGPORT=${PGPORT:-$((20000 + $$ % 30000))}
export PGPORT
# shellcheck disable=SC2086 # $fsync is two words or none
exec pg_virtualenv -t $fsync sh -c '
	set -e
	n=$1
	shift
	i=1
	while [ "$i" -le "$n" ]; do
		echo "CREATE DATABASE rd$i;"
		i=$((i + 1))
	done | psql -q -v ON_ERROR_STOP=1 -d postgres >/dev/null
	RD_TEST_PG=postgresql:///rd RD_TEST_PG_DBS=$n exec "$@"
' store-pg "$n" "$@"
