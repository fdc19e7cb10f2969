#!/bin/sh
# check-modes.sh: rescuedeskd's files are private to their owner whatever the umask (issue 12,
# defect 6). Under umask 022 the broker creates its store, the store's WAL and shared memory
# and its log; each must be 0600. A store and a log left readable by others are made 0600 at
# the next start. The broker is waited for by the log line it writes when it is up (a deadline,
# not a sleep) and stopped with SIGTERM.
# The console's log (rescuedesk --log) is created 0600 too (issue 11): the console opens it
# before its terminal, so it is there even when no terminal is found.
# Usage: check-modes.sh RESCUEDESKD SOURCE_DATA_DIR [RESCUEDESK]
set -eu
rdd=$1
data=$2
rd=${3:-}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "check-modes: $*"; exit 1; }
umask 022

mode() { stat -c %a "$1"; }

# Start the broker and wait (at most 20 s) until its log says it is listening.
start() {
	"$rdd" --data "$data" --db "$tmp/s.db" --log "$tmp/d.log" --api "ipc://$tmp/a" \
	    --pub "ipc://$tmp/p" --feed "ipc://$tmp/f" &
	pid=$!
	i=0
	until grep -q "epoch $1," "$tmp/d.log" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || fail "rescuedeskd exited"
		i=$((i + 1))
		[ $i -lt 2000 ] || fail "rescuedeskd not up after 20 s"
		sleep 0.01
	done
}

stop() {
	kill "$pid"
	wait "$pid" || true
	pid=
}

start 1
for f in s.db s.db-wal s.db-shm d.log; do
	[ -e "$tmp/$f" ] || fail "$f was not created"
	[ "$(mode "$tmp/$f")" = 600 ] || fail "$f is $(mode "$tmp/$f") under umask 022, not 600"
done
stop

chmod 644 "$tmp/s.db" "$tmp/d.log"
start 2
for f in s.db s.db-wal s.db-shm d.log; do
	[ "$(mode "$tmp/$f")" = 600 ] || fail "$f left $(mode "$tmp/$f") at a restart, not 600"
done
stop
if [ -n "$rd" ]; then
	"$rd" --log "$tmp/c.log" --api "ipc://$tmp/none" </dev/null >/dev/null 2>&1 || true
	[ -e "$tmp/c.log" ] || fail "the console's log was not created"
	[ "$(mode "$tmp/c.log")" = 600 ] || fail "the console's log is $(mode "$tmp/c.log"), not 600"
	chmod 644 "$tmp/c.log"
	"$rd" --log "$tmp/c.log" --api "ipc://$tmp/none" </dev/null >/dev/null 2>&1 || true
	[ "$(mode "$tmp/c.log")" = 600 ] || fail "the console's log left $(mode "$tmp/c.log")"
fi
echo "check-modes: store, WAL, shared memory and log are 0600 under umask 022"
