#!/bin/sh
# modreloc: the hypervisor's module relocator (hv/core/modreloc.c) against
# the kernel's own module loader. Debian's modules of every chain of
# tests/vm/debmods.sh are loaded under lvbs (signed by the kernel's key,
# so module_trust=signed lets them in); for each, lvbs-modreloc live reads
# where the kernel put its sections (/sys/module/NAME/sections), the
# values of its imports (/proc/kallsyms) and its memory (/proc/kcore), and
# compares every read-only section that stays after init with what the
# relocator computes from the file (docs/module-signatures.md).
#
# Bytes the kernel changed after relocating must lie at a site that one of
# the module's own tables names (__mcount_loc, .altinstructions, ...) or
# inside a table section; anything else fails the scenario. The counts per
# table are what the hypervisor must replay or allow (printed).
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

DM=/lvbs/debmods
[ -s "$DM/chains" ] || fail "no $DM/chains in the initramfs"
load_lvbs
check_active

n=0
while read -r line; do
	loaded=
	for m in ${line#*:}; do
		if [ "$m" = brd ]; then
			run "$INSMOD" "$DM/brd.ko" rd_nr=1 rd_size=16384
		else
			run "$INSMOD" "$DM/$m.ko"
		fi
		[ "$RC" -eq 0 ] || fail "insmod $m refused"
		loaded="$m $loaded"
		# The kernel names a module with '_' where its file has '-'.
		run lvbs-modreloc live "$DM/$m.ko" "$(echo "$m" | tr - _)"
		[ "$RC" -eq 0 ] || fail "$m: the kernel's loader and the relocator differ: $OUT"
		n=$((n + 1))
	done
	for m in $loaded; do
		rmmod "$m" || fail "rmmod $m failed"
	done
done <"$DM/chains"
[ "$n" -ge 10 ] || fail "only $n modules compared"
[ "$(status_get modules_failed)" = 0 ] || fail "status: modules_failed is not 0"
check_active
say "ok: $n modules as the kernel laid them out"
