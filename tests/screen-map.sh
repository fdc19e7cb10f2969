#!/usr/bin/env bash
# Screen test of the live map (ui/view-map.c, issue 14) through tmux, in the demo (a broker
# and a simulator inside the console): M on the board opens the map of the selected
# ticket's region centred on it; Tab selects a ticket and shows its summary, Enter its
# detail, q back to the map; + zooms (the scale bar shrinks), 0 shows the whole region, r
# the next region; in Chinese without colours (NO_COLOR) the legend and the names are
# Chinese and every mark still differs by its character; in a locale that is not UTF-8
# every cell of the map is ASCII, and in a UTF-8 locale that is not installed the names are
# Chinese as under C.UTF-8. Every wait polls the screen until a deadline; nothing
# relies on a fixed sleep.
#
# usage: screen-map.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
B=$1
S=$2
. "$(dirname "$0")/screen-lib.sh"
screen_begin screen-map rd-screen-map rdmap

# demo SESSION COLS ROWS ENV LANG: the demo console in a new tmux session, live
demo() {
  SESSION=$1
  "${TM[@]}" new-session -d -s "$SESSION" -x "$2" -y "$3" \
    "env $4 TZ=UTC $B/rescuedesk --demo --demo-seed 3 --data $S/data --lang $5 --user bob; echo EXIT=\$?; sleep 5"
  wait_for "LIVE\|实时" 15 "$SESSION: the demo goes live"
  wait_for "open [1-9]\|未结 [1-9]\|[1-9] open" 15 "$SESSION: calls are on the board"
}

# The map's rows of a screen of ROWS rows: below the title, above summary and legend.
map_rows() { screen | sed -n "2,$(($1 - 4))p"; }

demo en 120 40 "LANG=C.UTF-8 LC_ALL=C.UTF-8" en
keys M
wait_for "Live map · " 5 "M opens the live map"
wait_for "! late  \* at risk  o on time  T free  t busy" 3 "the legend names each mark"
wait_for " #[0-9]* " 3 "centred on the board's selected ticket: its summary"
keys Tab
wait_for " #[0-9]* .* · truck \| #[0-9]* .* · " 3 "Tab selects an open ticket"
keys Enter
wait_for "Timeline" 5 "Enter opens the selected ticket's detail"
keys q
wait_for "Live map · " 3 "q goes back to the map"
wait_for "├─*┤ [0-9.]* km$" 3 "a scale bar"
near=$(screen | grep -o '├─*┤ [0-9.]* km$')
keys 0
wait_gone "$near" 3 "0 shows the whole region: another scale than ${near#*┤ }"
whole=$(screen | grep -o '├─*┤ [0-9.]* km$')
keys + +
wait_gone "$whole" 3 "+ zooms in: another scale than ${whole#*┤ }"
keys r
wait_for "Live map · Ningxiang\|Live map · Aba" 3 "r shows the next region"
keys q
wait_gone "Live map" 3 "q goes back to the board"
keys Q y
wait_for "EXIT=0" 10 "the console exits 0"

# Chinese, monochrome, at the minimum size
demo zh 80 24 "LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR=1" zh_CN
keys M
wait_for "实时地图 · " 5 "zh: M opens the live map"
wait_for "! 超时 \* 有风险 o 准时" 3 "zh: the legend in Chinese, marks by character"
keys 0
wait_for "黄花机场\|长沙南站\|梅溪湖\|洋湖湿地公园\|岳麓山" 3 "zh: the whole region with Chinese names"
if map_rows 24 | grep -q "Airport\|Station\|Square\|Isle"; then fail "zh: an English name on the map"
else ok "zh: no English landmark names"; fi
keys Q y
wait_for "EXIT=0" 10 "zh: the console exits 0"

# A UTF-8 locale that is not installed (setlocale falls back to C): the name says the
# terminal is UTF-8, so Chinese names and braille, as under C.UTF-8
demo zhx 80 24 "LANG=xx_XX.UTF-8 LC_ALL=xx_XX.UTF-8" zh_CN
keys M
wait_for "实时地图 · " 5 "uninstalled UTF-8 locale: M opens the live map"
keys 0
wait_for "黄花机场\|长沙南站\|梅溪湖\|洋湖湿地公园\|岳麓山" 3 "uninstalled UTF-8 locale: Chinese names"
if map_rows 24 | grep -q "Airport\|Station\|Square\|Isle"; then
  fail "uninstalled UTF-8 locale: an English name on the map"
else ok "uninstalled UTF-8 locale: no English landmark names"; fi
keys Q y
wait_for "EXIT=0" 10 "uninstalled UTF-8 locale: the console exits 0"

# A terminal that is not UTF-8: ASCII glyphs for the lines and English names
demo ascii 80 24 "LANG=C LC_ALL=C" en
keys M
wait_for "Live map" 5 "C locale: M opens the live map"
wait_for "o on time" 3 "C locale: the legend"
keys 0
wait_for "Huanghua Airport\|Changsha South\|Meixi Lake\|Yanghu Wetland" 3 "C locale: the whole region with English names"
if map_rows 24 | LC_ALL=C grep -q '[^ -~]'; then fail "C locale: a cell of the map is not ASCII"
else ok "C locale: every cell of the map is ASCII"; fi
keys Q y
wait_for "EXIT=0" 10 "C locale: the console exits 0"

echo "$passed passed, $failed failed"
