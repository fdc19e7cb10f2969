#!/usr/bin/env bash
# Screen test of the warnings pane, the track plot and the board's warning mark through
# tmux (issue 13), with the real broker, simulator and two consoles (en and zh_CN) over
# real sockets. The broker runs 60 times faster than real time from 10:00 on a fixed day, so
# sla.ini's thresholds (deviation_s and stalled_s 300 s, gps_stale_s 45 s) pass in
# seconds. The simulator makes three calls in Changsha and forces a fault on each
# (rescuedesk-sim --inject): call 1 a wrong turn (its truck drives 5 km or more straight
# away from the car first), call 2 a truck that stops and loses its GPS for 15 min, call 3
# a truck that stands still for 20 min. In each console the test opens each ticket's
# detail and waits for the warning in the catalog's words (deviation, gps_lost, stalled),
# reads the track plot's braille cells (a line that rises for the wrong turn, one flat at
# its right end for the stall), and goes back to the board, where the ticket's row carries
# the warning mark (* amber, ! red; the gps_lost one turns red past 3 x gps_stale_s).
# Tickets are checked in the order their warnings end (GPS back after 15 min of broker
# time, 15 s here; the wrong turn undone after 16 min or more; the stall over after 20).
# Every wait polls the screen or the simulator's log until a deadline; nothing relies on
# a fixed sleep. Over in about 15 s.
#
# It fails without the injections (RD_WATCH_INJECT= runs the simulator without them;
# RD_WATCH_INJECT=detour:1,stall:2,gpsloss:2 without the stall), or with a broker whose
# sla.ini puts a rule out of reach (RD_WATCH_SET=stalled_s=86400).
#
# usage: screen-watch.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
B=$1
S=$2
. "$(dirname "$0")/screen-lib.sh"
screen_begin screen-watch rd-screen-watch rdwatch
export LC_ALL=C.UTF-8 # the plot's braille cells are read one character at a time

SCALE=60
INJECT=${RD_WATCH_INJECT-detour:1,stall:2,gpsloss:2,stall:3}
# The broker reads a copy of the data whose sla.ini has escalate_after_s = 86400: a red
# warning unowned for 120 s of broker time (2 s here) escalates, and the escalation mark
# outranks the warning's on the board (rescuedesk(1)); escalation has its own test
# (screen-own.sh). RD_WATCH_SET="KEY=VALUE ..." changes more of sla.ini's [warnings].
DATA=$T/data
cp -r "$S/data" "$DATA"
for kv in escalate_after_s=86400 ${RD_WATCH_SET:-}; do
  grep -q "^${kv%%=*} = " "$DATA/sla.ini" || fail "sla.ini has no ${kv%%=*}"
  sed -i "s/^${kv%%=*} = .*/${kv%%=*} = ${kv#*=}/" "$DATA/sla.ini"
done

# word KEY LANG: the catalog's text for KEY
word() { sed -n "s/^$1 = //p" "$S/data/i18n/$2.ini"; }

# wait_log PATTERN SECONDS DESCRIPTION: poll the simulator's log until grep finds PATTERN
wait_log() {
  local end=$((SECONDS + $2 + 1))
  while [ $SECONDS -lt $end ]; do
    grep -q -- "$1" "$T/sim.log" 2>/dev/null && { ok "$3"; return 0; }
    sleep 0.05
  done
  echo "--- simulator log:"; tail -n 20 "$T/sim.log" || true
  fail "$3: '$1' not in the simulator's log within $2 s"
}

# plot_shape KM: read the track plot of the detail on screen: its braille cells (rows
# from the one with the top label, "8 km", to the one with the bottom label, "0") as
# dots, and print "COLUMNS RISE FLAT": the dot columns drawn, how many dot rows the line
# climbs above where it starts, and how many dot columns at its right end lie within one
# dot row of each other. "0 0 0" when no plot is on screen.
plot_shape() {
  local km=$1 lines line r=-1 c ch cp bits k ry
  local -a top=() bot=()
  local left=(1 2 4 64) right=(8 16 32 128)
  mapfile -t lines < <(screen)
  for line in "${lines[@]}"; do
    if [ $r -lt 0 ]; then
      [[ $line =~ ^\ *[0-9.]+\ $km\  ]] || continue
      r=0
    fi
    for ((c = 0; c < ${#line}; c++)); do
      ch=${line:c:1}
      [[ $ch == [⠁-⣿] ]] || continue
      printf -v cp '%d' "'$ch"
      bits=$((cp - 0x2800))
      for ry in 0 1 2 3; do
        for k in 0 1; do
          local bit=${left[ry]}
          [ $k = 1 ] && bit=${right[ry]}
          if ((bits & bit)); then
            local x=$((2 * c + k)) y=$((4 * r + ry))
            [ -z "${top[x]:-}" ] || [ "$y" -lt "${top[x]}" ] && top[x]=$y
            [ -z "${bot[x]:-}" ] || [ "$y" -gt "${bot[x]}" ] && bot[x]=$y
          fi
        done
      done
    done
    r=$((r + 1))
    [[ $line =~ ^\ *0(\ |$) ]] && break # the bottom label: the last row of dots
  done
  local xs=("${!top[@]}")
  local n=${#xs[@]}
  [ "$n" -gt 0 ] || { echo "0 0 0"; return; }
  local first=${bot[${xs[0]}]} high=99 i lo=99 hi=-1 flat=0
  for i in "${xs[@]}"; do [ "${top[i]}" -lt $high ] && high=${top[i]}; done
  for ((i = n - 1; i >= 0; i--)); do
    local x=${xs[i]}
    [ "${top[x]}" -lt $lo ] && lo=${top[x]}
    [ "${bot[x]}" -gt $hi ] && hi=${bot[x]}
    [ $((hi - lo)) -le 1 ] || break
    flat=$((flat + 1))
  done
  echo "$n $((first - high)) $flat"
}

# wait_plot KM TEST SECONDS DESCRIPTION: poll the plot until TEST (an arithmetic test of
# n, rise and flat) holds
wait_plot() {
  local end=$((SECONDS + $3 + 1)) n rise flat
  while [ $SECONDS -lt $end ]; do
    read -r n rise flat < <(plot_shape "$1")
    if (($2)); then ok "$4 (columns $n, rise $rise, flat $flat)"; return 0; fi
    sleep 0.1
  done
  fail "$4: the plot has columns $n, rise $rise, flat $flat, not $2, within $3 s"
}

# warned KIND SECONDS DESCRIPTION: wait for a row of the detail's warnings pane (" * amber
# ", " ! red ", then the kind's label in the catalog of $lang)
warned() {
  wait_for "^ [*!] .*$(word "warn.$1" "$lang")  " "$2" "$3"
}

# open ID: the ticket's detail, through the board's filter
open() {
  keys / C-u "#$1" Enter
  keys Enter
  wait_for "│ #$1 · " 5 "$SESSION: Enter opens #$1's detail"
}

# back ID MARK: to the board, where #ID's row carries the warning mark (a grep pattern)
back() {
  keys q
  wait_for "^$2[^ ]\? *$1 " 10 "$SESSION: the board marks #$1 with $2"
}

# the option's words are checked before anything starts
for bad in foo:1 stall:0 stall:x stall; do
  if "$B/rescuedesk-sim" --inject "$bad" >/dev/null 2>&1; then fail "--inject $bad is taken"
  elif [ $? -ne 2 ]; then fail "--inject $bad: not a usage error"; fi
done
ok "--inject refuses foo:1, stall:0, stall:x and stall (exit 2)"

"$B/rescuedeskd" --api "$API" --pub "$PUB" --feed "$FEED" --db "$T/watch.db" --data "$DATA" \
  --time-scale $SCALE --clock-start 2026-03-11T10:00:00+08:00 2>>"$T/broker.log" &
BROKER=$!
for lang in en zh_CN; do
  "${TM[@]}" new-session -d -s "$lang" -x 140 -y 44 \
    "LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $B/rescuedesk --api $API --pub $PUB --data $S/data --lang $lang --user eve-$lang; sleep 5"
done
SESSION=en
wait_for "LIVE" 10 "the en board goes live"
SESSION=zh_CN
wait_for "实时" 10 "the zh_CN board goes live"

"$B/rescuedesk-sim" --api "$API" --pub "$PUB" --feed "$FEED" --data "$S/data" --speed $SCALE \
  --region changsha --rate 600 --requests 3 --decline 0 --seed 3 \
  ${INJECT:+--inject "$INJECT"} -v >"$T/sim.log" 2>&1 &
SIM=$!
for call in 1 2 3; do
  wait_log "intake $call -> ticket [0-9]" 10 "the simulator names call $call's ticket"
done
ticket() { sed -n "s/.* intake $1 -> ticket \([0-9]*\) .*/\1/p" "$T/sim.log"; }
wrong=$(ticket 1) lost=$(ticket 2) still=$(ticket 3)

# Ticket by ticket, in the order their warnings end, each in both consoles.
# GPS lost: red once the last fix is 3 x gps_stale_s old
for lang in en zh_CN; do
  SESSION=$lang
  open "$lost"
  warned gps_lost 40 "$lang: #$lost shows gps_lost"
  back "$lost" "!"
done

# the wrong turn: deviation, and a plot that climbs well above where it began
for lang in en zh_CN; do
  SESSION=$lang
  open "$wrong"
  warned deviation 40 "$lang: #$wrong shows deviation"
  wait_plot "$(word track.km "$lang")" "n > 20 && rise >= 3" 20 "$lang: #$wrong's plot rises"
  back "$wrong" "[*!]"
done

# the stall: stalled, and a plot flat over the last quarter of its columns at least
for lang in en zh_CN; do
  SESSION=$lang
  open "$still"
  warned stalled 40 "$lang: #$still shows stalled"
  wait_plot "$(word track.km "$lang")" "n > 20 && flat * 4 >= n" 10 "$lang: #$still's plot ends flat"
  back "$still" "[*!]"
done

echo "$passed passed, $failed failed"
