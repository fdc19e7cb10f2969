#!/bin/sh
# check-flows-cli.sh: rescuedesk --check-flows as a user runs it. On the real data: exit 0,
# nothing on stderr, one summary line (also with the default directory from --data). On a
# copy with a typo in a next: exit 1, FILE:LINE messages and the count last. Two operands:
# a usage error, exit 2.
# Usage: check-flows-cli.sh RESCUEDESK SOURCE_DATA_DIR
set -eu
rd=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-flows-cli: $*"; exit 1; }

rc=0
"$rd" --check-flows "$data/diagnosis" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ $rc -eq 0 ] || { cat "$tmp/err"; fail "real data: exit $rc"; }
[ ! -s "$tmp/err" ] || { cat "$tmp/err"; fail "real data: stderr not empty"; }
grep -q "^$data/diagnosis: flows [0-9]*, nodes [0-9]*, outcomes [0-9]*, safety stops [0-9]*: no errors\$" \
    "$tmp/out" || fail "real data: summary '$(cat "$tmp/out")'"
[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "real data: more than one line"

rc=0
"$rd" --data "$data" --check-flows >"$tmp/out" 2>"$tmp/err" || rc=$?
[ $rc -eq 0 ] || fail "--data: exit $rc"
grep -q "^$data/diagnosis: flows" "$tmp/out" || fail "--data: summary '$(cat "$tmp/out")'"

mkdir "$tmp/copy"
cp -r "$data/diagnosis" "$data/faults.ini" "$tmp/copy/"
awk '!done && $0 == "next = ilk_try" { print "next = ilk_tyr"; done = 1; next } { print }' \
    "$data/diagnosis/start.ini" >"$tmp/copy/diagnosis/start.ini"
rc=0
"$rd" --check-flows "$tmp/copy/diagnosis" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ $rc -eq 1 ] || fail "broken copy: exit $rc"
[ ! -s "$tmp/out" ] || fail "broken copy: stdout not empty"
grep -q "^$tmp/copy/diagnosis/start.ini:[0-9]*: \[answer\] next: no node, outcome or stop 'ilk_tyr'\$" \
    "$tmp/err" || { cat "$tmp/err"; fail "broken copy: no dangling next"; }
grep -q "^$tmp/copy/diagnosis/start.ini:[0-9]*: \[node\] ilk_try is not reachable" "$tmp/err" ||
    fail "broken copy: no unreachable node"
[ "$(tail -n 1 "$tmp/err")" = "$tmp/copy/diagnosis: 3 errors" ] ||
    { cat "$tmp/err"; fail "broken copy: count"; }

rc=0
"$rd" --check-flows a b >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "two operands: exit $rc"
echo "check-flows-cli: ok"
