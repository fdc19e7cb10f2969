#!/bin/sh
# check-event-codes.sh: every event code the broker logs (the string literals of its
# broker_why_init calls in src/broker/*.c) has its words in both catalogs (ev.<code>) and
# its row in PROTOCOL.md section 8.4, so a new code cannot reach a console that shows the
# English detail, or a third-party client that cannot read it.
#
# usage: check-event-codes.sh SOURCE_ROOT [--self-test]
#
# Exits 0 when every code is there, 1 naming each that is missing (or when no code is found
# at all), 2 on bad usage. --self-test runs the check on a made-up tree whose one code has
# no words, and exits 0 when that fails as it must.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 SOURCE_ROOT [--self-test]" >&2
	exit 2
fi
root=$1

check() {
	r=$1
	codes=$(cat "$r"/src/broker/*.c | tr '\n' ' ' |
	    grep -o 'broker_why_init([^;]*;' | grep -o '"[a-z_]*"' | tr -d '"' | sort -u)
	if [ -z "$codes" ]; then
		echo "check-event-codes: no broker_why_init codes found under $r/src/broker" >&2
		return 1
	fi
	bad=0
	for c in $codes; do
		for cat in en zh_CN; do
			if ! grep -q "^ev\.$c = " "$r/data/i18n/$cat.ini"; then
				echo "check-event-codes: ev.$c is not in data/i18n/$cat.ini" >&2
				bad=1
			fi
		done
		if ! grep -q "^| \`$c\` |" "$r/proto/PROTOCOL.md"; then
			echo "check-event-codes: code $c has no row in proto/PROTOCOL.md 8.4" >&2
			bad=1
		fi
	done
	return $bad
}

if [ $# -eq 2 ]; then
	[ "$2" = "--self-test" ] || { echo "usage: $0 SOURCE_ROOT [--self-test]" >&2; exit 2; }
	tmp=$(mktemp -d) || exit 1
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/src/broker" "$tmp/data/i18n" "$tmp/proto"
	printf 'broker_why_init(&w,\n    x ? "known" : "unknown_code");\n' >"$tmp/src/broker/b.c"
	printf 'ev.known = k\n' >"$tmp/data/i18n/en.ini"
	printf 'ev.known = k\n' >"$tmp/data/i18n/zh_CN.ini"
	printf '| `known` | k |\n| `unknown_code` | u |\n' >"$tmp/proto/PROTOCOL.md"
	if check "$tmp" 2>/dev/null; then
		echo "check-event-codes: the self-test passed a code without words" >&2
		exit 1
	fi
	exit 0
fi
check "$root"
