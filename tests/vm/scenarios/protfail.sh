#!/bin/sh
# protfail: a module whose protection cannot be applied is refused
# cleanly. lvbs_permfill.ko (tests/vm/modules/lvbs_permfill.c) fills the
# hypervisor's permission database; loading lvbs_dummy.ko then fails part
# way through its PROTECT_MEMORY calls. The load must fail with a clear
# message, nothing of the module may stay registered (the ranges in use
# are what they were before), and once there is room again the same
# module loads and the kernel patches text, toggles keys and traces.
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
check_active
say "ok"
