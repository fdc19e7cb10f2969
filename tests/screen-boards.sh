#!/usr/bin/env bash
# Screen test of the supervisor's screens through tmux, against a real broker and simulator
# (issue 14, as a supervisor uses them): at 80x24 the supervisor view's hint bar names P, W,
# v and M and its NPS tile's words are whole; P opens the suppliers' board with today's
# figures "since" midnight; the broker killed with -9, the board says its figures are "as
# of" their time; the broker started again, the board asks at once and the mark goes; W
# and v open from the supervisor view; the same in Chinese without colours. Every wait
# polls the screen until a deadline; nothing relies on a fixed sleep.
#
# usage: screen-boards.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
B=$1
S=$2
. "$(dirname "$0")/screen-lib.sh"
screen_begin screen-boards rd-screen-boards rdboards

start_broker boards
start_sim 60 5

# console SESSION ENV LANG: a supervisor's console at 80x24
console() {
  SESSION=$1
  "${TM[@]}" new-session -d -s "$SESSION" -x 80 -y 24 \
    "env $2 TZ=Asia/Shanghai $B/rescuedesk --api $API --pub $PUB --data $S/data --lang $3 --user wangli --role supervisor; echo EXIT=\$?; sleep 5"
}

console en "LANG=C.UTF-8 LC_ALL=C.UTF-8" en
wait_for "LIVE" 10 "the supervisor's console goes live"
wait_for "Service levels" 5 "--role supervisor opens the supervisor view"
wait_for "P suppliers  W agents  v surveys  M map  q back  ? help" 3 \
  "the hint bar names P, W, v and M at 80 columns"
wait_for "no answers today\|n too small\|n=[0-9]* · [-+]" 10 "the NPS tile's words are whole"
keys P
wait_for "Suppliers today" 5 "P opens the suppliers' board"
wait_for "since [0-9][0-9]:[0-9][0-9]  " 10 "today's figures, since midnight"
if screen | grep -q "as of"; then fail "fresh figures are marked old"; else ok "fresh figures are not marked old"; fi

kill -9 "$BROKER"
wait "$BROKER" 2>/dev/null || true
BROKER=""
wait_for "STALE" 5 "the broker is down"
wait_for "since [0-9][0-9]:[0-9][0-9] · as of [0-9][0-9]:[0-9][0-9]" 3 \
  "the figures held are marked with their time"
start_broker boards
wait_for "LIVE" 10 "the broker is back"
wait_gone "as of" 5 "asked again at once: the mark goes"
keys q W
wait_for "Agents today" 5 "W opens the agents' board"
keys q v
wait_for "Surveys and call-backs" 5 "v opens the surveys"
keys q q Q y
wait_for "EXIT=0" 10 "the console exits 0"

console zh "LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR=1" zh_CN
wait_for "实时" 10 "zh: the console goes live"
wait_for "P 供应商  W 坐席  v 回访  M 地图  q 返回  ? 帮助" 3 "zh: the hint bar"
keys P
wait_for "今日供应商" 5 "zh: P opens the suppliers' board"
wait_for "起于 [0-9][0-9]:[0-9][0-9]  " 10 "zh: since midnight"
kill -9 "$BROKER"
wait "$BROKER" 2>/dev/null || true
BROKER=""
wait_for "起于 [0-9][0-9]:[0-9][0-9] · 截至 [0-9][0-9]:[0-9][0-9]" 5 "zh: the figures are marked old"
keys q q Q y
wait_for "EXIT=0" 10 "zh: the console exits 0"

echo "$passed passed, $failed failed"
