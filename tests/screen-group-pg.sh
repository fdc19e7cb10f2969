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
  for f in "$T"/rescuedesk/client-*.log; do
    [ -e "$f" ] && { echo "--- the console's log $f:"; tail -n 30 "$f"; }
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
    "env -u LC_ALL $1 TZ=Asia/Shanghai XDG_STATE_HOME=$T $B/rescuedesk -v --api $APIS --pub $PUBS --data $S/data $2 --user alice; echo EXIT=\$?; sleep 60"
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

# The words of the console's language, set before each part: W_STALE and W_LIVE (the
# status line's states), W_BROKER (its "broker N/3"), W_ASK (a sed pattern of the banner
# that captures the position asked), W_AGAIN (the message line, live again on broker NEW).
W_STALE="" W_LIVE="" W_BROKER="" W_ASK="" W_AGAIN=""

# the console's log, and how often it went from live to stale
clog() { cat "$T"/rescuedesk/client-*.log 2>/dev/null; }
n_stale() { clog | grep -c "connection: live -> stale" || true; }

# the position the banner names as asked now, or nothing
asked() { screen | sed -n "s|.*$W_ASK.*|\1|p" | head -n 1; }
asked_not() { local a; a=$(asked); [ -n "$a" ] && [ "$a" != "$1" ]; }

# live_on_other OLD: the status line says LIVE and names a broker other than OLD
live_on_other() {
  screen >"$T/screen"
  grep -q " $W_LIVE .*$W_BROKER [0-9]/$N\$" "$T/screen" &&
    ! grep -q "$W_BROKER $1/$N\$" "$T/screen"
}

# after_failover WHAT OLD [quiet]: the console is live on the leader, says so on the message
# line (unless quiet: the line holds a command's answer, which it does not overwrite), the
# killed broker OLD comes back as a standby, and a ticket made now shows on the board
after_failover() {
  local new
  new=$(sed -n "s/.*$W_BROKER \([0-9]\)\/$N\$/\1/p" "$T/screen" | tail -n 1)
  poll 10 leads "$new" ||
    fail "$1: the console follows broker $new, the leader row names $(leader_at)"
  ok "$1: live on broker $new of $N, the one that leads"
  if [ -z "${3:-}" ]; then
    wait_for "${W_AGAIN//NEW/$new}" 3 "$1: the message line says it is live again on broker $new"
  fi
  start_one "$2"
  poll 20 standby_ready "$2" || fail "$1: broker $2 does not come back as a standby"
  ok "$1: broker $2 is back as a standby"
  intake_seen "$1"
}

# failover K: kill -9 the leader; the console must lose it (its log: live -> stale; the
# STALE moment is too short to be sure to catch on the screen, see no_leader) and come back
# live by itself on the new leader; the time from the kill goes into MS[K]
declare -a MS
failover() {
  local k=$1 old t0 t1 stale0
  old=$(leader_at)
  [ -n "$old" ] || fail "failover $k: no leader row"
  stale0=$(n_stale)
  kill -9 "${BP[$old]}"
  t0=$(date +%s%N)
  wait "${BP[$old]}" 2>/dev/null || true
  BP[$old]=""
  poll 30 live_on_other "$old" || fail "failover $k: not live again within 30 s"
  t1=$(date +%s%N)
  MS[$k]=$(((t1 - t0) / 1000000))
  [ "$(n_stale)" -gt "$stale0" ] || fail "failover $k: the console never went stale"
  ok "failover $k: broker $old killed; the console went stale and was live again by itself ${MS[$k]} ms after kill -9"
  after_failover "failover $k" "$old"
}

# no_leader [note]: seconds without a leader, as an agent sees them: the standbys are
# stopped (SIGSTOP) before the leader is killed. The status line must say STALE and the
# banner that the console looks for the leading broker, naming the broker asked, and then
# another as it goes through the list; the standbys go on (SIGCONT), one leads, and the
# console is live on it by itself. With "note" (English only: the words are waited for), a
# note typed meanwhile on the last rd-intake ticket is queued, and applied once by the new
# leader.
no_leader() {
  local old i a id="" n
  old=$(leader_at)
  [ -n "$old" ] || fail "no leader: no leader row"
  for i in $(seq 1 $N); do
    [ "$i" = "$old" ] || kill -STOP "${BP[$i]}"
  done
  kill -9 "${BP[$old]}"
  wait "${BP[$old]}" 2>/dev/null || true
  BP[$old]=""
  wait_for " $W_STALE " 6 "no leader: broker $old killed, the others stopped: $W_STALE"
  ! screen | grep -q -- "${W_AGAIN%%NEW*}" || fail "no leader: the message line still says live again"
  poll 5 asked_not "" || fail "no leader: the banner does not say which broker it asks"
  a=$(asked)
  ok "no leader: the banner says the console looks for the leading broker, asking broker $a"
  if [ "${1:-}" = note ]; then
    id=$(awk '{print $1}' "$T/intake$n_intake")
    keys / C-u "#$id" Enter
    wait_for "^.\{1,7\}$id " 3 "no leader: the board filtered to #$id"
    keys Enter a
    wait_for "Note:" 3 "no leader: a asks for a note on #$id"
    keys "group-note-$old" Enter
    wait_for "Note on #$id: queued" 6 "no leader: the note is queued, not failed"
  fi
  poll 8 asked_not "$a" || fail "no leader: the banner still names broker $a"
  ok "no leader: unanswered, it asks broker $(asked) next"
  for i in $(seq 1 $N); do
    [ "$i" = "$old" ] || kill -CONT "${BP[$i]}"
  done
  poll 30 live_on_other "$old" || fail "no leader: not live again within 30 s of the standbys going on"
  ok "no leader: a standby leads and the console is live on it by itself"
  if [ -n "$id" ]; then
    wait_for "Note on #$id: done" 15 "no leader: the new leader's answer settles the note as done"
    n=$("$B/tests/rd-query" "$APIS" get "$id" | grep -c "group-note-$old" || true)
    [ "$n" -eq 1 ] || fail "no leader: the note was applied $n times"
    ok "no leader: the note was applied exactly once"
    keys q / C-u Enter
  fi
  after_failover "no leader" "$old" ${id:+quiet}
}

W_STALE=STALE W_LIVE=LIVE W_BROKER=broker W_ASK="asking \([1-3]\) of $N"
W_AGAIN="Live again on broker NEW of $N: ipc://$T/apiNEW"
console "LANG=C.UTF-8" "--lang en" 80 24
wait_for "LIVE .*broker 1/$N\$" 15 "en 80x24: the console is live on broker 1 of $N"
intake_seen "before the failovers"
wait_for "^.\{1,7\}[0-9][0-9]* [a-z]" 5 "the filter cleared, the board shows its rows again"
wait_for "open \([2-9]\|[1-9][0-9]\) · total" 30 "the board shows live tickets (the simulator's too)"
failover 1
failover 2
no_leader note
failover 3
keys Q y
wait_for "EXIT=0" 10 "the console exits 0"
"${TM[@]}" kill-session -t "$SESSION" 2>/dev/null || true

W_STALE=已过期 W_LIVE=实时 W_BROKER=服务器 W_ASK="询问第 \([1-3]\)/$N 台（ipc://$T/api[1-3]）"
W_AGAIN="已恢复实时，现连第 NEW/$N 台调度服务器：ipc://$T/apiNEW"
console "LANG=zh_CN.UTF-8" "" 200 60
wait_for "实时 .*服务器 [1-3]/$N\$" 15 "zh_CN 200x60: the console is live in Chinese"
failover 4
no_leader
failover 5
keys Q y
wait_for "EXIT=0" 10 "zh_CN: the console exits 0"

sorted=$(printf '%s\n' "${MS[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${MS[@]}" | sort -n | sed -n 3p)
echo "screen-group-pg: from kill -9 of the leader to the console LIVE again, 5 failovers:" \
  "${MS[*]} ms (sorted: ${sorted% }; median $median ms)"
echo "$passed passed, $failed failed"
