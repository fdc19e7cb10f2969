#!/usr/bin/env bash
# Screen test of a correction and a second call through tmux, in zh_CN, against the real
# broker and simulator over real sockets (issue 8): an intake typed in is dispatched; e in
# its detail opens the form in edit mode, Esc with a changed value asks first; the
# location moved 5.5 km re-dispatches (a second F10 when the truck had accepted), and the
# timeline shows the correction and the release in Chinese; the broker logged both with
# their codes. Then the same caller calls again: the intake form shows the open ticket on
# its row, F9 attaches the call, the broker logs a callback and no second ticket exists.
# C-c with a correction typed asks before leaving.
# Every wait polls the screen (or the broker) until a deadline; nothing relies on a fixed
# sleep.
#
# usage: screen-edit.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
B=$1
S=$2
. "$(dirname "$0")/screen-lib.sh"
screen_begin screen-edit rd-screen-edit rdedit

start_broker edit
start_sim 1 8

"${TM[@]}" new-session -d -s "$SESSION" -x 140 -y 44 \
  "LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $B/rescuedesk --api $API --pub $PUB --data $S/data --lang zh_CN --user erin; sleep 5"
wait_for "实时" 10 "the board goes live in zh_CN"

# an intake in Changsha (automatic dispatch): a truck is offered the job at once
keys n
wait_for "新建受理" 3 "n opens the intake form"
keys "司马相如" Tab "13912345678" Tab "湘A·E5678" Tab "大众 朗逸" Tab Right Right Tab Right \
  Tab Tab "岳麓区麓山南路932号" Tab Right Tab Tab "客户在车旁" Tab Space
keys F10
wait_for "司马相如.*已创建" 5 "the intake is acknowledged"
id=$("$B/tests/rd-query" "$API" find 司马相如 | awk '{print $1}')
[ -n "$id" ] && ok "the broker has ticket #$id" || fail "the broker does not know 司马相如"
wait_broker "$id" "^offer " 20 "a truck is offered #$id"

keys / "#$id" Enter
keys Enter
wait_for "#$id · 司\\*" 3 "Enter opens the detail"

# e: the form in edit mode; Esc with a changed value asks first
keys e
wait_for "更正工单 #$id" 3 "e opens the correction form"
wait_for "坐标 *[0-9.]*,[0-9.]*" 3 "the ticket's coordinates are in the form"
coords=$(screen | grep -o "坐标 *[0-9.]*,[0-9.]*" | head -1 | sed 's/坐标 *//')
keys Tab Tab Tab Tab Tab C-u "28.1" Escape
wait_for "放弃这些更正" 3 "Esc with a changed value asks first"
keys n
new=$(echo "$coords" | awk -F, '{ printf "%.5f,%s", $1 + 0.05, $2 }')
keys C-u "$new"
wait_for "$new" 3 "the new coordinates, 5.5 km north, are typed"
keys F10
# an accepted job asks for a second F10; an offered one is sent at once
end=$((SECONDS + 6))
while [ $SECONDS -lt $end ]; do
  s=$(screen)
  if echo "$s" | grep -q "再按 F10 重新派车"; then
    ok "taking the job from a truck that accepted it asks first"
    keys F10
    break
  fi
  echo "$s" | grep -q "已更正" && break
  sleep 0.05
done
wait_for "已更正" 5 "the broker takes the correction"
wait_broker "$id" "^release .* released: the car is 5\.[0-9] km from where the truck was sent" 5 \
  "the broker released the truck for the move"
wait_for "位置：$coords → $new（移动 5\.[0-9] 公里）" 5 "the timeline shows the correction in Chinese"
wait_for "已释放：故障车距派车时的位置 5\.[0-9] 公里" 5 "and the re-dispatch in Chinese"
if screen | grep -E "released|moved|location" >/dev/null; then
  fail "English in the timeline"
else
  ok "no English detail in the timeline"
fi
keys q
wait_for "筛选" 3 "q goes back to the board"

# the same caller calls again: the open ticket on the intake's row, F9 attaches the call
keys n
wait_for "新建受理" 3 "n opens the intake form"
keys "司马相如" Tab "13912345678" Tab
wait_for "同一来电人的未结工单.*#$id" 5 "the same caller's open ticket is shown"
keys F9
wait_for "来电已并入" 5 "F9 attaches the call"
wait_broker "$id" "^callback " 5 "the broker logged the call-back on #$id"
n=$("$B/tests/rd-query" "$API" find 司马相如 | wc -l)
[ "$n" -eq 1 ] && ok "no second ticket for the same caller" || fail "$n tickets for 司马相如"

# C-c with a correction typed asks first (an edit keeps no draft); n stays
keys Escape
wait_for "筛选" 3 "back on the board"
keys Enter
wait_for "#$id · 司\\*" 3 "the detail again"
keys e
wait_for "更正工单 #$id" 3 "e opens the correction form"
keys Tab Tab BSpace "9"
wait_for "湘A·E5679" 3 "the plate is changed"
keys C-c
wait_for "未提交的更正" 3 "C-c with a correction asks first"
keys n
wait_for "湘A·E5679" 3 "n stays, the correction still there"
keys Escape
wait_for "放弃这些更正" 3 "Esc asks too"
keys y
wait_for "#$id · 司\\*" 3 "y drops it, back to the detail"
keys q
keys Q
wait_for "确定退出" 3 "Q asks before quitting"
keys y

echo "$passed passed, $failed failed"
