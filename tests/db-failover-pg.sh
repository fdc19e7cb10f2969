#!/bin/sh
# db-failover-pg.sh RESCUEDESKD DATA_DIR RD_INTAKE RD_QUERY: the database's primary dies under
# the broker and its synchronous standby is promoted (issue 15, rescuedeskd(8) DEPLOYMENT).
#
# Outside, pg_virtualenv -t makes the primary (a PostgreSQL 15 cluster of this run alone);
# inside (the same script with --inside) the standby is made with pg_basebackup -R in a
# temporary directory and started with pg_ctl on the next port, and the primary is set to
# synchronous_standby_names = '*' (synchronous_commit on) once the standby streams. The broker
# runs on the multi-host URI postgresql://localhost:P1,localhost:P2/rd1?target_session_attrs=
# read-write. rd-intake, an independent client, creates tickets one at a time and writes
# down each acknowledged one. After 50 acknowledgements the primary's postmaster and its
# processes are killed with SIGKILL; the broker's next commit fails and it must exit with
# status 1 (fencing), and the client must stop (nothing more acknowledged). The standby is
# promoted (pg_ctl promote -w), the broker is started again on the same URI, finds the new
# primary by itself, and every acknowledged ticket must be there (rd-query find), and it must
# take new ones. Waits on events (pg_ctl -w, pg_isready, the broker's log line, the client's
# exit), polling them every 50 ms; no fixed sleeps. Exits 77 (skipped) only when the
# PostgreSQL tools are not installed.
set -eu
if [ "${1:-}" != --inside ]; then
	if ! command -v pg_virtualenv >/dev/null 2>&1 || ! command -v pg_basebackup >/dev/null 2>&1
	then
		echo "pg_virtualenv or pg_basebackup not installed (Debian: postgresql): skipped"
		exit 77
	fi
	PGPORT=${PGPORT:-$((20000 + $$ % 30000))}
	export PGPORT
	exec pg_virtualenv -t sh "$0" --inside "$@"
fi
shift
RDD=$1 DATA=$2 INTAKE=$3 QUERY=$4
BIN=$("${PG_CONFIG:-pg_config}" --bindir)
P1=$PGPORT
P2=$((PGPORT + 1))
T=$(mktemp -d /tmp/db-failover.XXXXXX)
broker=
client=
as_pg() {
	# pg_ctl and the server refuse root: as root run them as postgres (pg_virtualenv's user)
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}
cleanup() {
	[ -z "$client" ] || kill -9 "$client" 2>/dev/null || true
	[ -z "$broker" ] || kill -9 "$broker" 2>/dev/null || true
	as_pg "$BIN/pg_ctl" -D "$T/standby" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT
fail() {
	echo "db-failover-pg: $*" >&2
	for f in "$T"/broker*.log "$T"/standby.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; } >&2
	done
	exit 1
}
# wait_for WHAT COMMAND...: poll COMMAND every 50 ms for up to 20 s
wait_for() {
	what=$1
	shift
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -le 400 ] || fail "timed out waiting for $what"
		sleep 0.05
	done
}
[ "$(id -u)" != 0 ] || chown postgres "$T"

psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE rd1;"
PRIMARY_DATA=$(psql -Atc "SHOW data_directory" -d postgres)

# the standby: a base backup with its recovery settings (-R), a configuration of its own
as_pg pg_basebackup -h localhost -p "$P1" -U postgres -D "$T/standby" -R -X stream -c fast
cat > "$T/standby.conf" <<CONF
port = $P2
listen_addresses = 'localhost'
unix_socket_directories = '$T'
hba_file = '$T/standby-hba.conf'
fsync = off
CONF
cat > "$T/standby-hba.conf" <<CONF
local all all trust
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
CONF
cp "$T/standby.conf" "$T/standby/postgresql.conf"
[ "$(id -u)" != 0 ] || chown postgres "$T"/standby*.conf "$T/standby/postgresql.conf"
as_pg "$BIN/pg_ctl" -D "$T/standby" -l "$T/standby.log" -w start >/dev/null
pg_isready -q -h localhost -p "$P2" -t 20 || fail "the standby does not accept connections"
streaming() {
	[ "$(psql -Atc "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" \
	    -d postgres)" = 1 ]
}
wait_for "the standby to stream" streaming
psql -q -v ON_ERROR_STOP=1 -d postgres \
    -c "ALTER SYSTEM SET synchronous_standby_names = '*'" \
    -c "ALTER SYSTEM SET synchronous_commit = 'on'" -c "SELECT pg_reload_conf()" >/dev/null
synchronous() {
	[ "$(psql -Atc "SELECT sync_state FROM pg_stat_replication" -d postgres)" = sync ]
}
wait_for "the standby to be synchronous" synchronous

URI="postgresql://localhost:$P1,localhost:$P2/rd1?target_session_attrs=read-write"
API=ipc://$T/api
start_broker() {
	"$RDD" --api "$API" --pub "ipc://$T/pub" --feed "ipc://$T/feed" --db "$URI" \
	    --data "$DATA" >"$T/broker$1.log" 2>&1 &
	broker=$!
	wait_for "broker $1's start" grep -q "epoch [0-9]*, " "$T/broker$1.log"
}
start_broker 1

"$INTAKE" "$API" 100000 "$T/acked" 2>"$T/intake.log" &
client=$!
enough() { [ -f "$T/acked" ] && [ "$(wc -l < "$T/acked")" -ge 50 ]; }
wait_for "50 acknowledged intakes" enough

# the primary dies: its postmaster and every process of it, at once
pm=$(head -1 "$PRIMARY_DATA/postmaster.pid")
kids=$(ps -o pid= --ppid "$pm")
# shellcheck disable=SC2086 # the children's pids, one word each
kill -9 "$pm" $kids
t0=$(date +%s%N)
# fencing: the broker's commit fails and it exits with status 1; the client stops
st=0
wait "$broker" || st=$?
broker=
t1=$(date +%s%N)
[ "$st" = 1 ] || fail "the broker exited with status $st after the primary died, not 1"
st=0
wait "$client" || st=$?
client=
[ "$st" = 1 ] || fail "the client exited with status $st, not 1 (it stops when unanswered)"
n=$(wc -l < "$T/acked")

# the standby is promoted; the broker restarts on the same URI and finds it
as_pg "$BIN/pg_ctl" -D "$T/standby" -w promote >/dev/null
start_broker 2
t2=$(date +%s%N)
"$QUERY" "$API" find F- > "$T/found" || fail "rd-query find failed"
while read -r id name; do
	grep -q "^$id [a-z_]* $name " "$T/found" ||
	    fail "ticket $id ($name), acknowledged before the failover, is not on the new primary"
done < "$T/acked"
# and it takes new ones, on the new primary
"$INTAKE" "$API" 5 "$T/after" 2>>"$T/intake.log" || fail "no intake taken after the failover"
[ "$(psql -h localhost -p "$P2" -Atc "SELECT pg_is_in_recovery()" -d rd1)" = f ] ||
    fail "the new primary is still in recovery"
echo "db-failover-pg: $n intakes acknowledged before the primary died, all on the promoted" \
    "standby; the broker exited with status 1 $(((t1 - t0) / 1000000)) ms after the kill" \
    "and served on the new primary" \
    "$(((t2 - t0) / 1000000)) ms after it"
echo "the broker's log at its exit:"
tail -4 "$T/broker1.log"
