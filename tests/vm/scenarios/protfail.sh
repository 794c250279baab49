#!/bin/sh
# protfail: a module whose protection cannot be applied is refused
# cleanly. lvbs_permfill.ko (tests/vm/modules/lvbs_permfill.c) fills the
# hypervisor's permission database; loading lvbs_dummy.ko then fails part
# way through its PROTECT_MEMORY calls. The load must fail with a clear
# message, nothing of the module may stay registered (the ranges in use
# are what they were before), and once there is room again the same
# module loads and the kernel patches text, toggles keys and traces.
#
# Then the other end: a large module (Debian's xfs) on memory scattered
# into single pages (lvbs_permfill.ko fragment_mb=128: on every CPU, 128
# MiB of whole pageblocks with every odd page given back; its fragment()
# says why so), the worst case for the
# database, since each piece of a module's memory costs two ranges. It
# must load and leave nothing behind; the ranges it took are printed.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs
ranges0=$(status_get perm_ranges)
tracked0=$(status_get modules_tracked)
viol0=$(status_get violations)
run_ok "$INSMOD" /lvbs/lvbs_permfill.ko
held=$(cat /sys/module/lvbs_permfill/parameters/ranges)
full=$(status_get perm_ranges)
say "permission database: $full of $(status_get perm_capacity) ranges in use, $held of them held by lvbs_permfill"
[ "$held" -gt 1000 ] || fail "lvbs_permfill holds only $held ranges"

dmesg_mark
run "$INSMOD" /lvbs/lvbs_dummy.ko
[ "$RC" -ne 0 ] || fail "lvbs_dummy.ko loaded although the permission database is full"
[ -d /sys/module/lvbs_dummy ] && fail "lvbs_dummy is still there after its refused load"
dmesg_since | grep -q "lvbs: protecting lvbs_dummy failed (-7: the hypervisor's permission database is full" ||
	fail "no message saying why lvbs_dummy was refused"
[ "$(status_get perm_ranges)" = "$full" ] ||
	fail "the refused load left ranges behind: $(status_get perm_ranges) in use, $full before"
[ "$(status_get modules_tracked)" = "$((tracked0 + 1))" ] ||
	fail "modules_tracked is $(status_get modules_tracked), expected $((tracked0 + 1)) (lvbs_permfill only)"

run_ok rmmod lvbs_permfill
[ "$(status_get perm_ranges)" = "$ranges0" ] ||
	fail "after lvbs_permfill left, $(status_get perm_ranges) ranges are in use, $ranges0 before"
still_works "a module refused for want of room"
[ "$(status_get violations)" = "$viol0" ] ||
	fail "violations rose from $viol0 to $(status_get violations): something stayed protected"

DM=/lvbs/debmods
run_ok "$INSMOD" /lvbs/lvbs_permfill.ko fragment_mb=128
say "lvbs_permfill scattered $(cat /sys/module/lvbs_permfill/parameters/scattered) single pages"
r0=$(status_get perm_ranges)
# The soak's xfs chain (tests/vm/debmods.sh), dependencies first.
mods=$(sed -n 's/^xfs://p' "$DM/chains")
pages=0
for m in $mods; do
	run_ok "$INSMOD" "$DM/$m.ko"
	pages=$((pages + $(cat "/sys/module/$m/coresize") / 4096))
done
r1=$(status_get perm_ranges)
say "$mods on scattered memory: $pages pages, $((r1 - r0)) ranges; $r1 of $(status_get perm_capacity) in use"
# Scattered means a range or more per page: else this measured a better case.
[ $((r1 - r0)) -ge "$pages" ] ||
	fail "memory was not scattered: $((r1 - r0)) ranges for $pages pages"
for m in $(echo "$mods" | tr ' ' '\n' | sed '1!G;h;$!d'); do
	run_ok rmmod "$m"
done
[ "$(status_get perm_ranges)" = "$r0" ] ||
	fail "after the xfs chain left, $(status_get perm_ranges) ranges are in use, $r0 before"
run_ok rmmod lvbs_permfill
[ "$(status_get perm_ranges)" = "$ranges0" ] ||
	fail "at the end, $(status_get perm_ranges) ranges are in use, $ranges0 at the start"
check_active
say "ok"
