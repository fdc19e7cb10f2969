#!/bin/sh
# check-man-keys.sh: the KEYS section of man/rescuedesk.1.scd must be exactly what keys-dump
# prints from the key table (ui/keymap.h) and the English catalog, so the man page cannot
# drift from the keys the console really has.
#
# usage: check-man-keys.sh KEYS_DUMP MAN_SCD DATADIR
#
# The section runs from the line "# KEYS" to the line before the next "# " heading, without
# its trailing blank lines. Exits 0 when they match, 1 (with a diff) when they differ or
# keys-dump fails, 2 on bad usage. To refresh the section after changing the key table:
# KEYS_DUMP -d DATADIR, and paste its output over the section.
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 KEYS_DUMP MAN_SCD DATADIR" >&2
	exit 2
fi
dump=$1
man=$2
datadir=$3

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! "$dump" -f scdoc -l en -d "$datadir" >"$tmp/expected"; then
	echo "check-man-keys: $dump failed" >&2
	exit 1
fi
if [ ! -r "$man" ]; then
	echo "check-man-keys: cannot read $man" >&2
	exit 1
fi

awk '
	$0 == "# KEYS" { on = 1 }
	on && /^# / && $0 != "# KEYS" { exit }
	on { line[++n] = $0 }
	END {
		while (n > 0 && line[n] == "")
			n--
		for (i = 1; i <= n; i++)
			print line[i]
	}
' "$man" >"$tmp/actual"

if [ ! -s "$tmp/actual" ]; then
	echo "check-man-keys: no \"# KEYS\" section in $man" >&2
	exit 1
fi
if ! diff -u "$tmp/expected" "$tmp/actual"; then
	echo "check-man-keys: the KEYS section of $man differs from $dump (- expected, + man page)" >&2
	exit 1
fi
exit 0
