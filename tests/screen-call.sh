#!/usr/bin/env bash
# Screen test of calling the customer through the virtual number, through tmux, in zh_CN,
# against the real broker and simulator over real sockets (issues 11 and 13): an intake
# typed in is dispatched and gets a number of Changsha's pool (vnum_bind); the detail shows
# it beside the masked phone; p there records the call at the broker (call) and runs the
# console's --dial-command with the number, detached, its output kept off the screen; the
# script tells through a file, waited for. Then p on the board does the same.
# Every wait polls the screen, the broker or the file until a deadline; nothing relies on a
# fixed sleep.
#
# usage: screen-call.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
B=$1
S=$2
. "$(dirname "$0")/screen-lib.sh"
screen_begin screen-call rd-screen-call rdcall

# wait_file LINES SECONDS DESCRIPTION: poll the dial script's file until it has LINES lines
wait_file() {
  local end=$((SECONDS + $2 + 1))
  while [ $SECONDS -lt $end ]; do
    if [ -e "$T/dialled" ] && [ "$(wc -l <"$T/dialled")" -ge "$1" ]; then
      ok "$3"
      return 0
    fi
    sleep 0.05
  done
  fail "$3: the dial command wrote no line $1 within $2 s"
}

cat >"$T/dial.sh" <<'SH'
echo DIAL-NOISE
echo "$1 $RESCUEDESK_NUMBER" >>"$(dirname "$0")/dialled"
SH

start_broker call
start_sim 1 8

"${TM[@]}" new-session -d -s "$SESSION" -x 140 -y 44 \
  "LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $B/rescuedesk --api $API --pub $PUB --data $S/data --lang zh_CN --user fay --dial-command 'sh $T/dial.sh %n'; sleep 5"
wait_for "实时" 10 "the board goes live in zh_CN"

# an intake in Changsha (automatic dispatch): a truck is offered the job at once
keys n
wait_for "新建受理" 3 "n opens the intake form"
keys "诸葛亮" Tab "13912345678" Tab "湘A·E5678" Tab "大众 朗逸" Tab Right Right Tab Right \
  Tab Tab "岳麓区麓山南路932号" Tab Right Tab Tab "客户在车旁" Tab Space
keys F10
wait_for "诸葛亮.*已创建" 5 "the intake is acknowledged"
id=$("$B/tests/rd-query" "$API" find 诸葛亮 | awk '{print $1}')
[ -n "$id" ] && ok "the broker has ticket #$id" || fail "the broker does not know 诸葛亮"
wait_broker "$id" "^vnum_bind virtual number +86171073" 20 "#$id got a number of Changsha's pool"
vnum=$("$B/tests/rd-query" "$API" get "$id" | grep "^vnum_bind" | grep -o "+86[0-9]*")

keys / "#$id" Enter
keys Enter
wait_for "#$id · 诸\\*" 3 "Enter opens the detail"
wait_for "电话 *$vnum  (139\*\*\*\*5678)" 5 "the detail shows the number beside the masked phone"

keys p
wait_file 1 5 "p in the detail runs the dial command"
[ "$(sed -n 1p "$T/dialled")" = "$vnum $vnum" ] && ok "it dialled $vnum (%n and RESCUEDESK_NUMBER)" ||
  fail "it dialled '$(sed -n 1p "$T/dialled")', not $vnum"
wait_for "正在拨打隐私号，工单 #$id: $vnum" 3 "the message line says so"
wait_broker "$id" "^call called the customer through $vnum" 5 "the broker logged the call"
wait_for "fay 通过 $vnum 致电客户" 5 "the timeline shows who called, in Chinese"
if screen | grep -q DIAL-NOISE; then fail "the dial command's output reached the terminal"
else ok "the dial command's output stays off the terminal"; fi

# p on the board: the selected ticket (the filter leaves only it)
keys q
wait_for "筛选" 3 "q goes back to the board"
keys p
wait_file 2 5 "p on the board runs the dial command too"
[ "$(sed -n 2p "$T/dialled")" = "$vnum $vnum" ] && ok "the same number" ||
  fail "the board dialled '$(sed -n 2p "$T/dialled")'"
keys Q
wait_for "确定退出" 3 "Q asks before quitting"
keys y

echo "$passed passed, $failed failed"
