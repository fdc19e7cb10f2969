#!/usr/bin/env bash
# Screen test of the complaint form through tmux, with no broker at all (the complaint
# views work offline): a complaint typed in Chinese is autosaved as its draft on every
# change; the console is killed with kill -9 mid-edit; a new console opens that complaint
# with the draft restored; F10 saves it, and the text arrives byte-exact in the user's
# SQLite file ($XDG_DATA_HOME/rescuedesk/complaints-<user>.db, read back with rd-complaints);
# Esc with unsaved changes asks first.
# Every wait polls the screen until a deadline; nothing relies on a fixed sleep.
#
# usage: screen-complaint.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
B=$1
S=$2
. "$(dirname "$0")/screen-lib.sh"
screen_begin screen-complaint rd-complaint rdcomplaint
DB="$T/xdg/rescuedesk/complaints-alice.db"

# The console alone: its broker endpoints lead nowhere. exec: the pane's pid is the console.
start_console() {
  "${TM[@]}" new-session -d -s "$SESSION" -x 100 -y 30 \
    "exec env LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC XDG_DATA_HOME=$T/xdg $B/rescuedesk \
      --api ipc://$T/none-api --pub ipc://$T/none-pub --data $S/data --lang en --user alice"
}

start_console
wait_for "rescuedesk" 10 "the console starts without a broker"
keys L
wait_for "No complaints" 5 "L opens the empty complaint list"
keys n
wait_for "New complaint" 3 "n opens a new complaint"

# page 1: channel, party, name, phone; page 3: request and facts, in Chinese
keys Right Tab Tab Right Tab "欧阳娜娜" Tab "13812345678"
keys NPage NPage
wait_for "1 Complainant.*3 Substance" 3 "PgDn goes to the substance page"
keys "赔偿拖车费三百元" Tab "救援车迟到两个小时，司机态度恶劣。" Enter "车辆二次损坏：保险杠刮花"
wait_for "保险杠刮花" 3 "the facts are typed on two lines"
d=$("$B/tests/rd-complaints" "$DB" --draft)
[ "$d" = "draft 0" ] && ok "the draft is in the file while typing" || fail "no draft in the file: '$d'"

pid=$("${TM[@]}" display-message -p -t "$SESSION" '#{pane_pid}')
kill -9 "$pid"
"${TM[@]}" kill-server 2>/dev/null || true
# that server may still be going away (a new session on it can fail with "server exited
# unexpectedly"): the next console gets a server of its own
TM=(tmux -L "rdcomplaint2-$$" -f /dev/null)
ok "the console was killed with kill -9 mid-edit"

start_console
wait_for "draft of an interrupted session was restored" 10 \
  "a new console opens the interrupted complaint with its draft restored"
keys NPage NPage
wait_for "保险杠刮花" 3 "the facts are back as typed"

# the rest that saving needs: the respondent unit, the business and its cause
keys PPage
wait_for "3 Substance" 3 "PgUp goes back"
keys Tab Tab Tab Tab Tab "长沙分公司"
keys NPage NPage Right Tab Enter
wait_for "┌─ Cause" 3 "the cause list opens"
keys Enter F10
wait_for "Saved TS-" 5 "F10 saves the complaint"

want=$(printf '%s\n%s' '救援车迟到两个小时，司机态度恶劣。' '车辆二次损坏：保险杠刮花')
got=$("$B/tests/rd-complaints" "$DB" facts)
[ "$got" = "$want" ] && ok "the facts are byte-exact in SQLite" ||
  fail "facts in SQLite: '$got', want '$want'"
got=$("$B/tests/rd-complaints" "$DB" name)
[ "$got" = "欧阳娜娜" ] && ok "the name is byte-exact in SQLite" || fail "name in SQLite: '$got'"
d=$("$B/tests/rd-complaints" "$DB" --draft)
[ -z "$d" ] && ok "saving dropped the draft" || fail "a draft is left: '$d'"
mode=$(stat -c %a "$DB")
[ "$mode" = 600 ] && ok "the file is mode 0600" || fail "the file is mode $mode"

# cancel with unsaved changes asks first
keys F2
wait_for "Actions" 3 "F2 lists the actions of the state"
keys Escape
keys PPage PPage PPage Tab Tab "王"
wait_for "not saved" 3 "an edit marks the complaint unsaved"
keys Escape
wait_for "Discard the changes to this complaint?" 3 "Esc with unsaved changes asks first"
keys n
wait_for "not saved" 3 "n goes back to the form"
keys Escape y
wait_for "CUSTOMER *PHONE" 3 "y discards and goes back to the board"
keys L
wait_for "TS-20" 3 "the list shows the saved complaint"
if screen | grep -q "not saved yet (draft)"; then fail "a draft row is left in the list"; fi
ok "no draft is left in the list"

echo "$passed passed, $failed failed"
