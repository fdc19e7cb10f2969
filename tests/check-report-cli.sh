#!/bin/sh
# check-report-cli.sh: rescuedesk --report as a supervisor runs it, against a real
# rescuedeskd on a fresh store (issue 14): suppliers as CSV (the header, one row per
# supplier of the data, its name last) and as a table (the names for the ids), phone as a
# table over three days (three days and the total), responses as CSV on standard output
# (the header alone: no rescue yet); usage errors exit 2 without asking; a range the
# broker refuses (over 92 days) exits 1.
# Usage: check-report-cli.sh RESCUEDESKD RESCUEDESK SOURCE_DATA_DIR
set -eu
rdd=$1
rd=$2
data=$3
tmp=$(mktemp -d)
api="ipc://$tmp/api"
broker=""
cleanup() {
	[ -n "$broker" ] && kill "$broker" 2>/dev/null && wait "$broker" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "check-report-cli: $*"; [ -f "$tmp/broker.log" ] && cat "$tmp/broker.log"; exit 1; }

"$rdd" --api "$api" --pub "ipc://$tmp/pub" --feed "ipc://$tmp/feed" --db "$tmp/r.db" \
    --data "$data" 2>"$tmp/broker.log" &
broker=$!

# today and the day before yesterday in China time (UTC+8)
today=$(date -u -d '+8 hours' +%F)
before=$(date -u -d '+8 hours -2 days' +%F)

# suppliers as CSV: the header, then one row per supplier id of the data
rc=0
"$rd" --api "$api" --report suppliers --from "$today" --to "$today" --csv "$tmp/s.csv" \
    2>"$tmp/err" || rc=$?
[ $rc -eq 0 ] || { cat "$tmp/err"; fail "suppliers: exit $rc"; }
head -n 1 "$tmp/s.csv" | tr -d '\r' >"$tmp/head"
echo "supplier,offers,accepted,acceptance_rate,declines,timeouts,accept_median_s,arrived,late,late_rate,response_mean_min,complaints,name" |
    cmp -s - "$tmp/head" || fail "suppliers: header '$(cat "$tmp/head")'"
want=$(grep -h -A8 '^\[supplier\]' "$data"/regions/*.ini | sed -n 's/^id *= *//p' | sort -u | wc -l)
got=$(($(wc -l <"$tmp/s.csv") - 1))
[ "$want" -gt 0 ] && [ "$got" -eq "$want" ] || fail "suppliers: $got rows, want $want"
grep -q "rows written to $tmp/s.csv" "$tmp/err" || fail "suppliers: no summary on stderr"
# every line ends CRLF (RFC 4180)
[ "$(grep -c "$(printf '\r')\$" "$tmp/s.csv")" -eq "$((got + 1))" ] || fail "suppliers: not CRLF"

# the CSV names each supplier of the data in the last column
id1=$(grep -h -A2 '^\[supplier\]' "$data"/regions/*.ini | sed -n 's/^id *= *//p' | head -n 1)
name1=$(grep -h -A2 '^\[supplier\]' "$data"/regions/*.ini | sed -n 's/^name *= *//p' | head -n 1)
[ -n "$id1" ] && [ -n "$name1" ] || fail "suppliers: no supplier in the data"
grep -q "^$id1,.*,$name1$(printf '\r')\$" "$tmp/s.csv" || fail "suppliers: no row '$id1 ... $name1'"

# suppliers as a table: the names stand for the ids, as on the suppliers' board
rc=0
"$rd" --api "$api" --report suppliers --from "$today" --to "$today" >"$tmp/s.txt" 2>"$tmp/err" ||
    rc=$?
[ $rc -eq 0 ] || { cat "$tmp/err"; fail "suppliers table: exit $rc"; }
head -n 1 "$tmp/s.txt" | grep -q '^supplier  *offers .* complaints$' ||
    fail "suppliers table: header '$(head -n 1 "$tmp/s.txt")'"
[ "$(($(wc -l <"$tmp/s.txt") - 1))" -eq "$want" ] || fail "suppliers table: not $want rows"
grep -q "^$name1 " "$tmp/s.txt" || { cat "$tmp/s.txt"; fail "suppliers table: no '$name1'"; }
if grep -q "^$id1 " "$tmp/s.txt"; then cat "$tmp/s.txt"; fail "suppliers table: the id $id1"; fi

# phone as a table over three days: the header, three days, the total
rc=0
"$rd" --api "$api" --report phone --from "$before" --to "$today" >"$tmp/phone" 2>"$tmp/err" ||
    rc=$?
[ $rc -eq 0 ] || { cat "$tmp/err"; fail "phone: exit $rc"; }
[ "$(wc -l <"$tmp/phone")" -eq 5 ] || { cat "$tmp/phone"; fail "phone: not 5 lines"; }
head -n 1 "$tmp/phone" | grep -q '^date  *calls  *closed  *solved_by_phone  *phone_rate$' ||
    fail "phone: header '$(head -n 1 "$tmp/phone")'"
grep -q "^$before " "$tmp/phone" && grep -q "^$today " "$tmp/phone" && grep -q '^total ' "$tmp/phone" ||
    { cat "$tmp/phone"; fail "phone: days"; }

# responses as CSV on standard output: no rescue yet, the header alone
"$rd" --api "$api" --report responses --from "$today" --to "$today" --csv - >"$tmp/r.csv" ||
    fail "responses: exit $?"
[ "$(tr -d '\r' <"$tmp/r.csv")" = "ticket,region,supplier,truck,created,on_scene,response_min,within_promise" ] ||
    fail "responses: '$(cat "$tmp/r.csv")'"

# usage errors: exit 2, nothing asked
for args in "--report weather --from $today --to $today" \
    "--report phone --from $today" \
    "--report phone --from $today --to $before" \
    "--report phone --from 2026-3-1 --to $today" \
    "--csv x.csv"; do
	rc=0
	# shellcheck disable=SC2086
	"$rd" --api "$api" $args >/dev/null 2>&1 || rc=$?
	[ $rc -eq 2 ] || fail "'$args': exit $rc, want 2"
done

# refused by the broker: exit 1, its words on stderr
rc=0
"$rd" --api "$api" --report phone --from 2026-01-01 --to 2026-06-30 >/dev/null 2>"$tmp/err" ||
    rc=$?
[ $rc -eq 1 ] || fail "93 days: exit $rc, want 1"
grep -q "92 days" "$tmp/err" || fail "93 days: '$(cat "$tmp/err")'"
echo "check-report-cli: ok"
