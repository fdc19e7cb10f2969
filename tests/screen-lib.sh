# screen-lib.sh: what the screen-*.sh tests share, sourced by each after it has read its
# arguments into B (the build directory) and S (the source directory): a private tmux
# server, a temporary directory, the clean-up of both and of the broker and simulator the
# test started, and the helpers that send keys and wait on the screen. Every wait polls
# until a deadline; nothing relies on a fixed sleep.
#
# screen_begin NAME TMP TMUX: skip (exit 77) without tmux; make T (/tmp/TMP-XXXXXX), the
# tmux server TM (socket TMUX-<pid>), SESSION=console, the endpoints API, PUB and FEED in T;
# clean up at exit. A broker or a simulator a test starts (start_broker, start_sim, or its
# own with its pid in BROKER or SIM) is stopped at exit; $T/broker.log is shown when a check
# fails.
# SCREEN_TIMED=1: wait_for also says how long each wait took and fails past its limit.

screen_begin() {
  command -v tmux >/dev/null || { echo "$1: tmux is not installed; skipped"; exit 77; }
  T=$(mktemp -d "/tmp/$2-XXXXXX")
  TM=(tmux -L "$3-$$" -f /dev/null)
  SESSION=console
  API="ipc://$T/api" PUB="ipc://$T/pub" FEED="ipc://$T/feed"
  BROKER="" SIM=""
  passed=0 failed=0
  trap cleanup EXIT
}

cleanup() {
  "${TM[@]}" kill-server 2>/dev/null || true
  [ -n "$SIM" ] && kill "$SIM" 2>/dev/null || true
  [ -n "$BROKER" ] && kill "$BROKER" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$T"
}

# start_broker NAME: rescuedeskd on API, PUB and FEED with the store $T/NAME.db and the
# shipped data, in the background (BROKER); its stderr goes to $T/broker.log.
start_broker() {
  "$B/rescuedeskd" --api "$API" --pub "$PUB" --feed "$FEED" --db "$T/$1.db" \
    --data "$S/data" 2>>"$T/broker.log" &
  BROKER=$!
}

# start_sim RATE SEED: rescuedesk-sim at real speed, RATE calls an hour, seeded with SEED, in
# the background (SIM); its output goes to $T/sim.log.
start_sim() {
  "$B/rescuedesk-sim" --api "$API" --pub "$PUB" --feed "$FEED" --data "$S/data" --speed 1 \
    --rate "$1" --seed "$2" >"$T/sim.log" 2>&1 &
  SIM=$!
}

screen() { "${TM[@]}" capture-pane -p -t "$SESSION"; }

keys() { "${TM[@]}" send-keys -t "$SESSION" "$@"; }

ok() { passed=$((passed + 1)); echo "ok - $1"; }

fail() {
  failed=$((failed + 1))
  echo "not ok - $1"
  echo "--- screen:"; screen || true
  if [ -e "$T/broker.log" ]; then
    echo "--- broker log:"; tail -n 20 "$T/broker.log" || true
  fi
  echo "$passed passed, $failed failed"
  exit 1
}

# wait_for PATTERN SECONDS DESCRIPTION: poll the screen until grep finds PATTERN
wait_for() {
  local end=$((SECONDS + $2 + 1)) t0 ms
  t0=$(date +%s%N)
  while [ $SECONDS -lt $end ]; do
    if screen | grep -q -- "$1"; then
      if [ "${SCREEN_TIMED:-0}" = 1 ]; then
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        if [ "$ms" -gt $(($2 * 1000)) ]; then fail "$3 (took ${ms} ms, limit $2 s)"; fi
        ok "$3 (${ms} ms)"
      else
        ok "$3"
      fi
      return 0
    fi
    sleep 0.05
  done
  fail "$3: '$1' not on screen within $2 s"
}

# wait_gone PATTERN SECONDS DESCRIPTION: poll the screen until grep no longer finds PATTERN
wait_gone() {
  local end=$((SECONDS + $2 + 1))
  while [ $SECONDS -lt $end ]; do
    screen | grep -q -- "$1" || { ok "$3"; return 0; }
    sleep 0.05
  done
  fail "$3: '$1' still on screen after $2 s"
}

# wait_broker ID PATTERN SECONDS DESCRIPTION: poll the ticket's history at the broker
wait_broker() {
  local end=$((SECONDS + $3 + 1))
  while [ $SECONDS -lt $end ]; do
    if "$B/tests/rd-query" "$API" get "$1" 2>/dev/null | grep -q -- "$2"; then
      ok "$4"
      return 0
    fi
    sleep 0.1
  done
  fail "$4: no '$2' in the history of #$1 within $3 s"
}
