#!/usr/bin/env bash
# Screen test of owned warnings through tmux, two consoles against the real broker over
# real sockets (issue 13): ana (zh_CN) records two calls again on a ticket, which raises a
# red warning at once, and owns it with o: her detail shows her as owner, and bo's board
# (English) shows her in its owner column. bo presses o on the same ticket and is told it
# is already owned by ana. ana quits: her console says "off", and bo's board shows the
# warning without an owner at once, not after the 30 s lease. E on bo's board opens the
# escalation screen; a reason and Enter escalate the ticket, which the broker logs.
# Every wait polls the screen (or the broker) until a deadline; nothing relies on a fixed
# sleep.
#
# usage: screen-own.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
B=$1
S=$2
. "$(dirname "$0")/screen-lib.sh"
screen_begin screen-own rd-screen-own rdown

start_broker own

"${TM[@]}" new-session -d -s console -x 140 -y 44 \
  "LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $B/rescuedesk --api $API --pub $PUB --data $S/data --lang zh_CN --user ana; sleep 5"
"${TM[@]}" new-session -d -s bo -x 140 -y 44 \
  "LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $B/rescuedesk --api $API --pub $PUB --data $S/data --lang en --user bo; sleep 5"
SESSION=console
wait_for "实时" 10 "ana's board goes live"
SESSION=bo
wait_for "LIVE" 10 "bo's board goes live"

# ana takes a call
SESSION=console
keys n
wait_for "新建受理" 3 "n opens the intake form"
keys "司马相如" Tab "13912345678" Tab "湘A·E5678" Tab "大众 朗逸" Tab Right Right Tab Right \
  Tab Tab "岳麓区麓山南路932号" Tab Right Tab Tab "客户在车旁" Tab Space
keys F10
wait_for "司马相如.*已创建" 5 "the intake is acknowledged"
id=$("$B/tests/rd-query" "$API" find 司马相如 | awk '{print $1}')
[ -n "$id" ] && ok "the broker has ticket #$id" || fail "the broker does not know 司马相如"
keys / "#$id" Enter
keys Enter
wait_for "#$id · 司\\*" 3 "Enter opens the detail"

# two calls again: a red callback warning at once; o owns it
keys b
wait_broker "$id" "^callback " 5 "the first call again is logged"
keys b
wait_for "客户已多次再次来电" 5 "the red callback warning is in the detail"
keys o
wait_for "多次再次来电.* @ana" 5 "o: ana owns the warning"

# bo sees her as its owner; his o is refused, naming her
SESSION=bo
wait_for "司\\*.* ana  *Changsha" 5 "bo's board shows ana in the owner column"
keys / "#$id" Enter
keys o
wait_for "already owned by ana" 5 "bo's o: already owned by ana"

# ana leaves: "off" lets the warning go at once
SESSION=console
keys q
keys Q
wait_for "确定退出" 3 "Q asks before quitting"
keys y
SESSION=bo
wait_gone "司\\*.* ana  *Changsha" 5 "ana quit: the warning has no owner on bo's board"

# E: the escalation screen, a reason, Enter
keys E
wait_for "Escalate to the supervisors #$id" 3 "E opens the escalation screen"
wait_for "not escalated by hand" 3 "it says the ticket is not escalated by hand"
keys "customer on the expressway shoulder" Enter
wait_for "Escalate #$id: done" 5 "the escalation is acknowledged"
wait_broker "$id" "^escalate .*customer on the expressway shoulder" 5 "the broker logged who and why"
keys Q
keys y

echo "$passed passed, $failed failed"
