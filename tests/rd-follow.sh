#!/bin/sh
# rd-follow.sh: tests/rd-follow.c, the independent client of tools/failover-patroni, against
# a real rescuedeskd on SQLite: `send` for a while (at least 40 tickets acknowledged), then
# `check` holds the broker's snapshot to what send wrote (exit 0, none missing); and check
# fails (exit 1, saying why) when the file lists an acknowledged ticket the broker does not
# have, and when a line names the wrong ticket id for its tag.
# Usage: rd-follow.sh RESCUEDESKD RD_FOLLOW SOURCE_DATA_DIR
set -eu
rdd=$1
follow=$2
data=$3
tmp=$(mktemp -d)
api="ipc://$tmp/api"
broker=""
sender=""
cleanup() {
	[ -n "$sender" ] && kill "$sender" 2>/dev/null && wait "$sender" 2>/dev/null
	[ -n "$broker" ] && kill "$broker" 2>/dev/null && wait "$broker" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "rd-follow.sh: $*"
	for f in broker.log send.log check.log; do
		[ -f "$tmp/$f" ] && { echo "--- $f"; cat "$tmp/$f"; }
	done
	exit 1
}

"$rdd" --api "$api" --pub "ipc://$tmp/pub" --feed "ipc://$tmp/feed" --db "$tmp/r.db" \
    --data "$data" 2>"$tmp/broker.log" &
broker=$!

# send until 40 tickets are acknowledged (100 a second at most), then SIGTERM: exit 0
: >"$tmp/acked"
"$follow" send "$api" T "$tmp/acked" 100 2>"$tmp/send.log" &
sender=$!
deadline=$(($(date +%s) + 30))
while [ "$(wc -l <"$tmp/acked")" -lt 40 ]; do
	kill -0 "$sender" 2>/dev/null || fail "send stopped early"
	[ "$(date +%s)" -lt "$deadline" ] || fail "40 acknowledgements not in 30 s"
	sleep 0.05
done
kill -TERM "$sender"
rc=0
wait "$sender" || rc=$?
sender=""
[ $rc -eq 0 ] || fail "send: exit $rc"
n=$(wc -l <"$tmp/acked")
grep -q "^rd-follow: $n acknowledged$" "$tmp/send.log" || fail "send did not say $n acknowledged"
# every line: ms, ticket id, tag; ids and tags increase by one
awk 'NR == 1 { id = $2 } $2 != id + NR - 1 || $3 != sprintf("T-%06d", NR - 1) { exit 1 }' \
    "$tmp/acked" || fail "send wrote lines out of order: $(head -n 3 "$tmp/acked")"

# the snapshot holds every acknowledged ticket, once
rc=0
"$follow" check "$api" "$tmp/acked" >"$tmp/check.log" 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "check: exit $rc on what send acknowledged"
grep -q "^$n acknowledged, 0 of them missing;" "$tmp/check.log" || fail "check's counts"

# an acknowledgement the broker never gave: check fails and names it
cp "$tmp/acked" "$tmp/invented"
echo "$(date +%s)000 999999 T-999999" >>"$tmp/invented"
rc=0
"$follow" check "$api" "$tmp/invented" >"$tmp/check.log" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "check: exit $rc on an invented acknowledgement, want 1"
grep -q "ticket 999999 (T-999999), acknowledged, is not there" "$tmp/check.log" ||
    fail "check did not name the invented ticket"
grep -q "^$((n + 1)) acknowledged, 1 of them missing;" "$tmp/check.log" ||
    fail "check's counts with an invented ticket"

# a tag acknowledged as another ticket: check fails and names both
awk 'NR == 1 { $2 = $2 + 1 } { print }' "$tmp/acked" >"$tmp/wrong"
first=$(awk 'NR == 1 { print $2 }' "$tmp/acked")
rc=0
"$follow" check "$api" "$tmp/wrong" >"$tmp/check.log" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "check: exit $rc on a wrong id, want 1"
grep -q "T-000000 is on ticket $first too (acknowledged: $((first + 1)))" "$tmp/check.log" ||
    fail "check did not name the wrong id"
echo "rd-follow.sh: $n acknowledged and found; an invented and a wrong line refused"
