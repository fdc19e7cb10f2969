#!/usr/bin/env bash
# Screen test of the console in a group of three brokers on one PostgreSQL (issue 15, "the
# consoles back to live"), as an agent sees it: three rescuedeskd on the same database (the
# first leads, the others are standbys), the simulator giving load, the console at 80x24
# through tmux, all given the group's endpoints as comma lists (--api a,b,c --pub ...
# --feed ...). The console shows live tickets and names the broker it follows ("broker
# 1/3"). Then five failovers, each the leader killed with -9: the status line must say STALE
# and the banner that the console looks for the leading broker and which one it asks; the
# console must come back LIVE by itself on the broker that leads now (the database's leader
# row), say so on the message line, and a ticket created after the failover (by rd-intake,
# an independent client also given the list) must appear on its board. The killed broker is
# started again and joins as a standby, so every failover has two brokers to take over.
# Three failovers in English at 80x24, two in Chinese (LANG=zh_CN.UTF-8, no --lang) at
# 200x60, where the banner shows the whole endpoint asked. Prints the time from each kill -9
# to the console showing LIVE again, and the median.
#
# Run under tests/store-pg.sh (a pg_virtualenv cluster of this run: RD_TEST_PG); exits 77
# (skipped) without tmux, or without pg_virtualenv (store-pg.sh). Every wait polls (the
# screen, the brokers' logs, the leader row) until a deadline; nothing relies on a fixed
# sleep.
#
# usage: store-pg.sh screen-group-pg.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
B=$1
S=$2
. "$(dirname "$0")/screen-lib.sh"
screen_begin screen-group-pg rd-screen-group rdgroup
[ -n "${RD_TEST_PG:-}" ] || { echo "screen-group-pg: run under tests/store-pg.sh"; exit 2; }
DB=${RD_TEST_PG}1
N=3
APIS="" PUBS="" FEEDS=""
for i in $(seq 1 $N); do
  APIS="$APIS${APIS:+,}ipc://$T/api$i"
  PUBS="$PUBS${PUBS:+,}ipc://$T/pub$i"
  FEEDS="$FEEDS${FEEDS:+,}ipc://$T/feed$i"
done
declare -a BP # the brokers' pids, by position in the lists (1..N)

cleanup_group() {
  for i in $(seq 1 $N); do
    [ -n "${BP[$i]:-}" ] && kill -9 "${BP[$i]}" 2>/dev/null || true
  done
  cleanup
}
trap cleanup_group EXIT

# fail as screen-lib.sh's, with the three brokers' logs
fail() {
  failed=$((failed + 1))
  echo "not ok - $1"
  echo "--- screen:"; screen || true
  for i in $(seq 1 $N); do
    echo "--- broker $i's log:"; tail -n 8 "$T/broker$i.log" 2>/dev/null || true
  done
  echo "$passed passed, $failed failed"
  exit 1
}

# poll COMMAND every 50 ms for up to SECONDS
poll() {
  local end=$((SECONDS + $1 + 1))
  shift
  while [ $SECONDS -lt $end ]; do
    "$@" && return 0
    sleep 0.05
  done
  return 1
}

# start_one I: broker I of the group on the shared database, in the background
start_one() {
  "$B/rescuedeskd" --api "ipc://$T/api$1" --pub "ipc://$T/pub$1" --feed "ipc://$T/feed$1" \
    --db "$DB" --data "$S/data" 2>>"$T/broker$1.log" &
  BP[$1]=$!
}

# the position (1..N) of the broker the database's leader row names, or nothing
leader_at() {
  local api
  api=$(psql -Atc "SELECT api FROM leader" -d rd1 2>/dev/null) || return 0
  case $api in ipc://$T/api[0-9]) echo "${api##*api}" ;; esac
}

leads() { [ "$(leader_at)" = "$1" ]; }
standby_ready() { grep -q "standby: another broker holds" "$T/broker$1.log"; }

start_one 1
poll 20 leads 1 || fail "broker 1 does not lead"
ok "broker 1 leads"
for i in $(seq 2 $N); do
  start_one "$i"
  poll 20 standby_ready "$i" || fail "broker $i does not start as a standby"
done
ok "brokers 2 and 3 are standbys"

"$B/rescuedesk-sim" --api "$APIS" --pub "$PUBS" --feed "$FEEDS" --data "$S/data" \
  --speed 1 --rate 600 --seed 7 >"$T/sim.log" 2>&1 &
SIM=$!

# console LANG_ENV ARGS COLS ROWS: the console in tmux, given the lists
console() {
  "${TM[@]}" new-session -d -s "$SESSION" -x "$3" -y "$4" \
    "env -u LC_ALL $1 TZ=Asia/Shanghai $B/rescuedesk --api $APIS --pub $PUBS --data $S/data $2 --user alice; echo EXIT=\$?; sleep 5"
}

# intake_seen WHAT: rd-intake, given the api list, creates a ticket; the board, filtered to
# its number, shows it
n_intake=0
intake_seen() {
  n_intake=$((n_intake + 1))
  "$B/tests/rd-intake" "$APIS" 1 "$T/intake$n_intake" 2>>"$T/intake.log" ||
    fail "$1: rd-intake got no acknowledgement"
  local id
  id=$(awk '{print $1}' "$T/intake$n_intake")
  keys / C-u "#$id" Enter
  wait_for "^.\{1,7\}$id " 10 "$1: ticket #$id, created after it, is on the board"
  keys / C-u Enter
}

# failover K STALE_WORD LIVE_WORD LOOKING BROKER_WORD AGAIN: kill -9 the leader, watch the
# console lose it and come back live on the new one; the time goes into MS[K]
declare -a MS
failover() {
  local k=$1 old new t0 t1 end
  old=$(leader_at)
  [ -n "$old" ] || fail "failover $k: no leader row"
  kill -9 "${BP[$old]}"
  t0=$(date +%s%N)
  wait "${BP[$old]}" 2>/dev/null || true
  BP[$old]=""
  wait_for " $2 " 6 "failover $k: broker $old killed, the status line says $2"
  wait_for "$4" 3 "failover $k: the banner says it looks for the leading broker"
  # back live: the status line says LIVE and names another broker of the group
  end=$((SECONDS + 30))
  while :; do
    if screen | grep -q " $3 .*$5 [0-9]/$N\$" && ! screen | grep -q "$5 $old/$N\$"; then
      t1=$(date +%s%N)
      break
    fi
    [ $SECONDS -lt $end ] || fail "failover $k: not live again within 30 s"
    sleep 0.05
  done
  MS[$k]=$(((t1 - t0) / 1000000))
  new=$(screen | sed -n "s/.*$5 \([0-9]\)\/$N\$/\1/p" | tail -n 1)
  ok "failover $k: live again on broker $new of $N by itself, ${MS[$k]} ms after kill -9"
  poll 10 leads "$new" || fail "failover $k: the console follows broker $new, the leader row names $(leader_at)"
  ok "failover $k: broker $new is the one that leads"
  wait_for "$6" 3 "failover $k: the message line says it is live again on broker $new"
  start_one "$old"
  poll 20 standby_ready "$old" || fail "failover $k: broker $old does not come back as a standby"
  ok "failover $k: broker $old is back as a standby"
  intake_seen "failover $k"
}

console "LANG=C.UTF-8" "--lang en" 80 24
wait_for "LIVE .*broker 1/$N\$" 15 "en 80x24: the console is live on broker 1 of $N"
intake_seen "before the failovers"
wait_for "^.\{1,7\}[0-9][0-9]* [a-z]" 5 "the filter cleared, the board shows its rows again"
wait_for "open \([2-9]\|[1-9][0-9]\) · total" 30 "the board shows live tickets (the simulator's too)"
for k in 1 2 3; do
  failover "$k" STALE LIVE "Looking for the leading broker: asking [1-3] of $N" broker \
    "Live again on broker [1-3] of $N"
done
keys Q y
wait_for "EXIT=0" 10 "the console exits 0"
"${TM[@]}" kill-session -t "$SESSION" 2>/dev/null || true

console "LANG=zh_CN.UTF-8" "" 200 60
wait_for "实时 .*服务器 [1-3]/$N\$" 15 "zh_CN 200x60: the console is live in Chinese"
for k in 4 5; do
  failover "$k" 已过期 实时 "正在寻找主调度服务器：询问第 [1-3]/$N 台（ipc://$T/api[1-3]）" 服务器 \
    "已恢复实时，现连第 [1-3]/$N 台调度服务器：ipc://$T/api[1-3]"
done
keys Q y
wait_for "EXIT=0" 10 "zh_CN: the console exits 0"

sorted=$(printf '%s\n' "${MS[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${MS[@]}" | sort -n | sed -n 3p)
echo "screen-group-pg: from kill -9 of the leader to the console LIVE again, 5 failovers:" \
  "${MS[*]} ms (sorted: ${sorted% }; median $median ms)"
echo "$passed passed, $failed failed"
