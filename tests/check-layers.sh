#!/bin/sh
# check-layers.sh: the layering of ARCHITECTURE.md, checked on the sources.
#
#   base -> proto -> model -> store | client -> broker | sim | ui
#
# 1. A file may include project headers only from its own layer and the layers below it
#    (the table `allowed`), by bare name: no "../" paths.
# 2. Each library header is included by the files that own that library and no others:
#    sqlite3.h (the store: the broker's log and the console's complaints), libpq-fe.h (the
#    store's PostgreSQL backend), curses.h (the terminal layer), msgpack.h (the codec), ini.h (the
#    reference data), zmq.h (the files that own sockets).
# meson gives each library only its own include directories, so most violations of 1 fail
# to compile; this test also names the file and the line, and covers 2.
# Usage: check-layers.sh SOURCE_ROOT. Exit 1 with one line per violation.
#        check-layers.sh --self-test: the checker finds planted violations in a made-up tree.
set -eu

# layer -> the directories its files may include from
allowed() {
	case $1 in
	src/base) echo "src/base" ;;
	proto) echo "src/base proto" ;;
	src/model) echo "src/base proto src/model" ;;
	src/store) echo "src/base proto src/model src/store" ;;
	src/client) echo "src/base proto src/client" ;;
	src/broker) echo "src/base proto src/model src/store src/broker" ;;
	src/sim) echo "src/base proto src/model src/client src/sim" ;;
	ui) echo "src/base proto src/model src/store src/client ui" ;;
	esac
}

# library header -> the only files that may include it
owners() {
	case $1 in
	sqlite3.h) echo "src/store/store.c src/store/complaint-store.c src/store/sql.c src/store/sql.h" ;;
	libpq-fe.h) echo "src/store/store-pg.c" ;;
	curses.h|ncurses.h|ncursesw/curses.h) echo "ui/term.c" ;;
	msgpack.h) echo "proto/proto.c" ;;
	ini.h) echo "src/model/data.c" ;;
	zmq.h) echo "src/broker/broker.c src/client/curve.c src/client/rpc.c src/client/replica.c src/sim/sim.c ui/app.c ui/demo.c ui/report.c" ;;
	esac
}

# The demo runs the broker and the simulator inside the console: the one ui file that may
# see them (and the store's options the broker's header names).
exception() {
	[ "$1" = ui/demo.c ] && case $2 in src/broker|src/sim|src/store) return 0 ;; esac
	return 1
}

check() {
fail=0
out=$(mktemp)
layers="src/base proto src/model src/store src/client src/broker src/sim ui"
for layer in $layers; do
	[ -d "$layer" ] || { echo "$layer: missing layer directory"; fail=1; continue; }
	for f in "$layer"/*.c "$layer"/*.h; do
		[ -f "$f" ] || continue
		grep -n '^[[:space:]]*#[[:space:]]*include' "$f" | while IFS= read -r line; do
			n=${line%%:*}
			inc=$(printf '%s\n' "$line" | sed -n 's/.*#[[:space:]]*include[[:space:]]*\([<"]\)\([^>"]*\)[>"].*/\1\2/p')
			kind=$(printf '%s' "$inc" | cut -c1)
			name=$(printf '%s' "$inc" | cut -c2-)
			if [ "$kind" = '"' ]; then
				case $name in
				*/*) echo "$f:$n: includes \"$name\" by path; name the header alone"; continue ;;
				*.def) [ -f "$layer/$name" ] || echo "$f:$n: \"$name\" is not in $layer"; continue ;;
				esac
				home=""
				for l in $layers; do [ -f "$l/$name" ] && home=$l; done
				if [ -z "$home" ]; then
					echo "$f:$n: \"$name\" is no header of any layer"
					continue
				fi
				ok=0
				for a in $(allowed "$layer"); do [ "$a" = "$home" ] && ok=1; done
				exception "$f" "$home" && ok=1
				[ $ok -eq 1 ] || echo "$f:$n: $layer may not include \"$name\" of $home"
			else
				own=$(owners "$name")
				[ -n "$own" ] || continue
				ok=0
				for o in $own; do [ "$o" = "$f" ] && ok=1; done
				[ $ok -eq 1 ] || echo "$f:$n: <$name> belongs to $own only"
			fi
		done
	done
done >"$out" 2>&1 || true
if [ -s "$out" ]; then
	cat "$out"
	fail=1
fi
rm -f "$out"
[ $fail -eq 0 ] && echo "layers: every include is in its layer"
return $fail
}

if [ "${1:-}" = --self-test ]; then
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	for l in src/base proto src/model src/store src/client src/broker src/sim ui; do
		mkdir -p "$t/$l"
	done
	printf '#include <stdio.h>\n' >"$t/src/base/util.h"
	printf '#include "util.h"\n' >"$t/src/model/ticket.h"
	printf '#include <sqlite3.h>\n' >"$t/src/store/store.c"
	printf '#include "store.h"\n' >"$t/src/store/store.h"
	printf '#include "ticket.h"\n#include "util.h"\n' >"$t/ui/view.c"
	(cd "$t" && check >/dev/null) || { echo "self-test: a clean tree was refused"; exit 1; }
	printf '#include "store.h"\n' >"$t/src/model/geo.c"      # model above store
	printf '#include <sqlite3.h>\n' >"$t/ui/list.c"           # not the store
	printf '#include "../src/base/util.h"\n' >"$t/ui/menu.c"  # by path
	got=$(cd "$t" && check || true)
	for want in 'src/model/geo.c:1: src/model may not include "store.h"' \
	    'ui/list.c:1: <sqlite3.h> belongs to src/store/store.c src/store/complaint-store.c src/store/sql.c src/store/sql.h only' \
	    'ui/menu.c:1: includes "../src/base/util.h" by path'; do
		printf '%s\n' "$got" | grep -qF "$want" || { echo "self-test: missed: $want"; exit 1; }
	done
	echo "layers self-test: 3 planted violations found"
	exit 0
fi

cd "${1:-.}"
check
