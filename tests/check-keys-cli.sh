#!/bin/sh
# check-keys-cli.sh: the CURVE options of rescuedesk and rescuedesk-sim as a user types
# them, before any broker is needed: --keygen FILE prints a 40-character Z85 public key and
# leaves FILE mode 0600 holding it; --key without --server-key (or the reverse, also through
# RESCUEDESK_KEY / RESCUEDESK_SERVER_KEY) is a usage error (exit 2, the usage on stderr); a
# server key that is not Z85, a key file others may read and a missing key file are start-up
# failures (exit 1, named on stderr).
# Usage: check-keys-cli.sh RESCUEDESK RESCUEDESK_SIM
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-keys-cli: $*"; exit 1; }
unset RESCUEDESK_KEY RESCUEDESK_SERVER_KEY || true

for prog in "$1" "$2"; do
	name=$(basename "$prog")
	rm -f "$tmp"/*.key

	# --keygen
	"$prog" --keygen "$tmp/me.key" >"$tmp/out" 2>"$tmp/err" || fail "$name --keygen: exit $?"
	pub=$(cat "$tmp/out")
	[ ${#pub} -eq 40 ] || fail "$name --keygen printed '$pub'"
	[ "$(stat -c %a "$tmp/me.key")" = 600 ] || fail "$name --keygen: mode $(stat -c %a "$tmp/me.key")"
	grep -qFx "public_key = $pub" "$tmp/me.key" || fail "$name --keygen: key not in the file"
	grep -q '^secret_key = ' "$tmp/me.key" || fail "$name --keygen: no secret key"
	"$prog" --keygen "$tmp/broker.key" >"$tmp/srv" 2>/dev/null || fail "$name --keygen 2"
	srv=$(cat "$tmp/srv")
	[ "$srv" != "$pub" ] || fail "$name --keygen: the same key twice"

	# one without the other: usage errors
	rc=0; "$prog" --key "$tmp/me.key" >/dev/null 2>"$tmp/err" || rc=$?
	[ $rc -eq 2 ] || fail "$name --key alone: exit $rc"
	grep -q -- "--key needs --server-key" "$tmp/err" || fail "$name --key alone: '$(head -1 "$tmp/err")'"
	grep -q "^usage:" "$tmp/err" || fail "$name --key alone: no usage"
	rc=0; "$prog" --server-key "$srv" >/dev/null 2>"$tmp/err" || rc=$?
	[ $rc -eq 2 ] || fail "$name --server-key alone: exit $rc"
	rc=0; RESCUEDESK_SERVER_KEY="@$tmp/broker.key" "$prog" >/dev/null 2>"$tmp/err" || rc=$?
	[ $rc -eq 2 ] || fail "$name RESCUEDESK_SERVER_KEY alone: exit $rc"
	grep -q -- "--server-key needs --key FILE" "$tmp/err" || fail "$name env alone: '$(head -1 "$tmp/err")'"

	# wrong values: start-up failures that say what is wrong
	rc=0; "$prog" --key "$tmp/me.key" --server-key nonsense >/dev/null 2>"$tmp/err" || rc=$?
	[ $rc -eq 1 ] || fail "$name bad server key: exit $rc"
	grep -q "^$name: --server-key: expected 40 characters of Z85 or @FILE, got 'nonsense'\$" \
	    "$tmp/err" || fail "$name bad server key: '$(cat "$tmp/err")'"
	rc=0; "$prog" --key "$tmp/none.key" --server-key "$srv" >/dev/null 2>"$tmp/err" || rc=$?
	[ $rc -eq 1 ] || fail "$name missing key file: exit $rc"
	grep -q "none.key" "$tmp/err" || fail "$name missing key file: '$(cat "$tmp/err")'"
	chmod 644 "$tmp/me.key"
	rc=0; RESCUEDESK_KEY="$tmp/me.key" "$prog" --server-key "@$tmp/broker.key" >/dev/null \
	    2>"$tmp/err" || rc=$?
	[ $rc -eq 1 ] || fail "$name key file readable by others: exit $rc"
	grep -q "me.key" "$tmp/err" || fail "$name key file mode: '$(cat "$tmp/err")'"
done
echo "check-keys-cli: 2 programs, keygen, usage errors and bad keys as documented"
