#!/usr/bin/env bash
# Screen test of the console through tmux, against the real broker and simulator over real
# sockets: an intake typed in (Chinese text; a battery fault offers to diagnose by phone
# first, unticked on an expressway) appears on the board and in the broker, the
# detail opens, the filter works, the broker's ranked candidates show and one key assigns,
# the terminal-too-small screen and a resize, killing the broker shows STALE within 3 s,
# restarting it brings the board back live and complete; a guided diagnosis of that live
# ticket (a battery fault on an expressway): d starts it, digits answer, the console is
# killed mid-flow and a new specialist console resumes at the same step from the broker,
# the flow ends solved by phone; then --demo runs its own broker and simulator and quits
# cleanly.
# Every wait polls the screen until a deadline; nothing relies on a fixed sleep.
#
# usage: screen-test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
B=$1
S=$2
. "$(dirname "$0")/screen-lib.sh"
SCREEN_TIMED=1
screen_begin screen-test rd-screen rdscreen

start_broker screen
start_sim 2 5

"${TM[@]}" new-session -d -s "$SESSION" -x 120 -y 40 \
  "LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $B/rescuedesk --api $API --pub $PUB --data $S/data --lang en --user alice; sleep 5"

wait_for "LIVE" 10 "the board goes live"

# an intake typed in, with Chinese text
keys n
wait_for "New intake" 3 "n opens the intake form"
keys "欧阳娜娜" Tab "13812345678" Tab "湘A·D1234" Tab "比亚迪 秦" Tab Right Right Tab Right \
  Tab Tab "岳麓区麓山南路932号 湖南大学北门" Tab Right
wait_for "Diagnose by phone first" 3 "a fault with a flow offers to diagnose by phone first"
keys Tab Tab "客户在车里等" Tab Space
wait_for "\[ \] Diagnose by phone first" 3 "on an expressway it is left unticked: a truck at once"
keys F10
wait_for "欧阳娜娜: #[0-9]* created" 5 "the intake is acknowledged"
id=$("$B/tests/rd-query" "$API" find 欧阳娜娜 | awk '{print $1}')
[ -n "$id" ] && ok "the broker has ticket #$id for 欧阳娜娜" || fail "the broker does not know 欧阳娜娜"
wait_for "欧\* *138\*\*\*\*5678" 3 "the ticket is on the board with name and phone masked"

# the filter
keys / "#$id" Enter
wait_for "filter #$id" 3 "the filter is shown in the title"
rows=$(screen | grep -c "138\*\*\*\*" || true)
[ "$rows" -eq 1 ] && ok "the filter leaves one row" || fail "the filter leaves $rows rows"

# the detail
keys Enter
wait_for "#$id · 欧\\*" 3 "Enter opens the ticket's detail (the name masked)"
wait_for "call taken" 5 "the detail shows the timeline"
wait_for "客户在车里等" 3 "the note is in the timeline"

# the broker's ranked candidates, and one key assigns
keys A
wait_for "ranked by the broker" 5 "A shows the broker's ranked candidates"
wait_for "^ 1 [A-Z]" 3 "the first candidate is listed with its rank"
keys 1
wait_for "done" 5 "1 assigns the first candidate and the broker acknowledges"
"$B/tests/rd-query" "$API" get "$id" | grep -q "^offer .*chosen by alice" \
  && ok "the broker logged alice's choice" || fail "no offer by alice in the ticket's history"
wait_for "distance to the car" 20 "the detail plots the truck's track from its fixes (ticket.track, the truck stream)"
keys q
wait_for "filter #$id" 3 "q goes back to the board"

# a guided diagnosis of the live ticket: the intake chose a battery fault on an expressway
keys d
wait_for "Is it a petrol or diesel car" 5 "d starts the diagnosis at the flow's first step"
wait_for "recommended: on an expressway" 3 "dispatch now is recommended on an expressway"
wait_for "! Safety stop: The car is in a live lane" 3 "the safety key is on screen"
keys 1
wait_for "When you try to start" 5 "1 answers and the broker moves to the next step"
keys 1
wait_for "Were lights or anything else left on" 5 "the second answer moves on"
wait_for "Petrol or diesel › Dark, or rapid clicking" 3 "the breadcrumb shows the path"

# the console dies mid-flow; a new one resumes at the same step (the broker's state)
pane=$("${TM[@]}" list-panes -t "$SESSION" -F '#{pane_pid}')
console=$(pgrep -P "$pane" rescuedesk)
kill -9 "$console"
SESSION=specialist
"${TM[@]}" new-session -d -s "$SESSION" -x 120 -y 40 \
  "LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $B/rescuedesk --api $API --pub $PUB --data $S/data --lang en --user alice --role specialist; sleep 5"
wait_for "Diagnosis queue" 10 "--role specialist opens on the diagnosis queue"
wait_for "● you *欧\\*" 10 "the queue shows the running session as ours"
keys Enter
wait_for "Were lights or anything else left on" 5 "the new console resumes at the same step"
wait_for "Step 3" 3 "at step 3"
keys 1
wait_for "Does the caller have a booster pack" 5 "yes: the booster question"
keys 2
wait_for "Try to start the engine now" 5 "an instruction step"
keys 1
wait_for "solved by phone" 5 "it starts: solved by phone"
"$B/tests/rd-query" "$API" get "$id" | grep -q "^diag_outcome" \
  && ok "the broker logged the outcome" || fail "no diag_outcome in the ticket's history"
"$B/tests/rd-query" "$API" find 欧阳娜娜 | grep -q " resolved_remote " \
  && ok "the ticket is closed as resolved_remote" || fail "the ticket is not resolved_remote"
keys q
wait_for "Diagnosis queue" 3 "q goes back to the queue"
keys q
wait_for "all regions · sort" 3 "q goes back to the board"

# too small, then back
"${TM[@]}" resize-window -t "$SESSION" -x 70 -y 20
wait_for "80x24" 3 "a 70x20 terminal shows the too-small screen"
"${TM[@]}" resize-window -t "$SESSION" -x 120 -y 40
wait_for "欧\\* *138" 3 "back to 120x40, the board returns"

# the broker dies: STALE within 3 s (plus the screen's own poll)
kill -9 "$BROKER"
wait "$BROKER" 2>/dev/null || true
BROKER=""
wait_for "STALE" 4 "killing the broker shows STALE"
start_broker screen
wait_for "LIVE" 10 "restarting the broker brings LIVE back"
wait_gone "STALE" 5 "the STALE banner goes"
keys / Enter
wait_for "欧\\* *138" 5 "the board is complete again"

keys Q
wait_for "Quit rescuedesk" 3 "Q asks before quitting"
keys y
wait_gone "rescuedesk │" 5 "y quits"

# the demo: a broker and a simulator in threads of the console (ui/demo.c)
SESSION=demo
"${TM[@]}" new-session -d -s "$SESSION" -x 120 -y 40 \
  "LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $B/rescuedesk --demo --demo-seed 3 --data $S/data --lang en --user bob; echo EXIT=\$?; sleep 5"
wait_for "LIVE" 10 "--demo: the board goes live"
wait_for "open [1-9]" 10 "--demo: the simulator's calls are on the board"
keys Enter
wait_for "Timeline" 5 "--demo: Enter opens a ticket's detail"
keys q Q
wait_for "Quit rescuedesk" 3 "--demo: Q asks before quitting"
keys y
wait_for "EXIT=0" 10 "--demo: the broker and simulator stop and the console exits 0"

# issue 8: a note typed while the broker is down is queued, not failed, and is applied
# exactly once when the broker is back, shown as done
SESSION=pending
"${TM[@]}" new-session -d -s "$SESSION" -x 120 -y 40 \
  "LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $B/rescuedesk --api $API --pub $PUB --data $S/data --lang en --user carol; sleep 5"
wait_for "LIVE" 10 "a new console goes live"
keys / "#$id" Enter
wait_for "filter #$id" 3 "the ticket of the intake is filtered"
keys Enter
wait_for "#$id · 欧\\*" 3 "its detail opens"
kill -9 "$BROKER"
wait "$BROKER" 2>/dev/null || true
BROKER=""
wait_for "STALE" 4 "the broker is down"
keys a
wait_for "Note:" 3 "a asks for a note"
keys "queued-note-8" Enter
wait_for "Note on #$id: queued" 6 "the unanswered note is queued, not failed"
wait_for "pending 1 (queued 1)" 3 "the status line counts it as queued"
start_broker screen
wait_for "Note on #$id: done" 15 "the broker's late answer settles it as done"
wait_gone "queued 1" 3 "nothing is queued any more"
n=$("$B/tests/rd-query" "$API" get "$id" | grep -c "queued-note-8" || true)
[ "$n" -eq 1 ] && ok "the note was applied exactly once" || fail "the note was applied $n times"
keys q Q
wait_for "Quit rescuedesk" 3 "Q asks before quitting"
keys y

# issue 8: C-c with a half-typed intake asks first and exits 1; the draft, kept in a file
# on every change, is offered at the next start and restored
XDG="$T/xdg"
draft="$XDG/rescuedesk/intake-draft-dave"
console_cmd="LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC XDG_DATA_HOME=$XDG $B/rescuedesk --api $API --pub $PUB --data $S/data --lang en --user dave; echo EXIT=\$?; sleep 5"
SESSION=draft
"${TM[@]}" new-session -d -s "$SESSION" -x 120 -y 40 "$console_cmd"
wait_for "LIVE" 10 "a console with its own XDG_DATA_HOME goes live"
keys n
wait_for "New intake" 3 "n opens the intake form"
keys "王小明" Tab "13900001111"
wait_for "13900001111" 3 "a half-typed intake"
grep -q "^intake.phone=13900001111$" "$draft" 2>/dev/null \
  && ok "the draft is in $draft" || fail "no draft file with the phone"
[ "$(stat -c %a "$draft")" = 600 ] && ok "the draft file is mode 0600" \
  || fail "the draft file is mode $(stat -c %a "$draft")"
keys C-c
wait_for "Unsaved work" 3 "C-c with a draft asks first"
keys n
wait_gone "Unsaved work" 3 "n stays"
wait_for "13900001111" 3 "the intake is still there"
keys C-c
wait_for "Unsaved work" 3 "C-c asks again"
keys y
wait_for "EXIT=1" 5 "y leaves with exit status 1"
[ -s "$draft" ] && ok "the draft outlives the console" || fail "the draft is gone"
SESSION=draft2
"${TM[@]}" new-session -d -s "$SESSION" -x 120 -y 40 "$console_cmd"
wait_for "Restore the intake that was interrupted" 10 "the next start offers the draft"
keys y
wait_for "王小明" 3 "y restores the customer"
wait_for "13900001111" 3 "and the phone"
keys Escape
wait_for "Discard this intake" 3 "the restored intake counts as typed"
keys y
wait_for "all regions · sort" 3 "discarded, the board is back"
for _ in $(seq 1 40); do [ -e "$draft" ] || break; sleep 0.05; done
[ ! -e "$draft" ] && ok "a discarded intake leaves no draft" || fail "the draft is still there"
keys Q
wait_for "Quit rescuedesk" 3 "Q asks before quitting"
keys y
wait_for "EXIT=0" 5 "Q then y exits 0"

echo "$passed passed, $failed failed"
