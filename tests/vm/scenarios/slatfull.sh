#!/bin/sh
# slatfull: the SLAT's table pages run out, and nothing breaks. lvbs.ko is
# loaded with the test hook slat_spare=0 (none of the one-per-2-MiB tables
# for execute grants), then a user program touches 640 MiB of fresh memory
# and runs code in every 64th page of it: user-execute grants spread over
# most of physical memory, more 2 MiB blocks than tables left. The design
# (docs/architecture.md): past the last table a grant changes the whole
# 2 MiB block (slat_coarse, logged, WARNING in status); where that is not
# possible the grant is refused with #GP (slat_full: the program gets
# SIGSEGV). The hypervisor must not crash, the kernel must not oops, and
# the kernel must still work afterwards.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs slat_spare=0
[ "$(status_get exec_control)" = strict ] || {
	say "exec_control $(status_get exec_control): no per-page grants, nothing to run out"
	say "ok"
	exit 0
}
free0=$(status_get slat_pool_free)
say "SLAT tables free after SEAL with slat_spare=0: $free0"
run jit -m 640 -s 64
say "jit -m 640 -s 64 exit status $RC"
case "$RC" in
0) echo "$OUT" | grep -q '^jit: OK' || fail "jit: $OUT" ;;
139) say "the program got SIGSEGV: a grant was refused (slat_full)" ;;
*) fail "jit -m 640 -s 64 exited with status $RC: $OUT" ;;
esac
coarse=$(status_get slat_coarse)
full=$(grep -c 'kind=slat_full ' "$LVBS_SFS/log")
say "slat_coarse $coarse, slat_full log entries $full, tables free $(status_get slat_pool_free), peak $(status_get slat_pool_peak) of $(status_get slat_pool_pages)"
[ "$coarse" -gt 0 ] || [ "$full" -gt 0 ] ||
	fail "the tables did not run out: no coarse grant and no refusal (free $free0 before)"
[ "$coarse" -gt 0 ] && { grep -q 'kind=slat_coarse ' "$LVBS_SFS/log" ||
	fail "log: slat_coarse counted but not logged"; }
[ "$RC" -ne 139 ] || [ "$full" -gt 0 ] || fail "SIGSEGV without a slat_full refusal"
run_ok lvbsctl status
[ "$coarse" -eq 0 ] || echo "$OUT" | grep -q '^WARNING: *the SLAT ran out of table pages' ||
	fail "lvbsctl status does not warn that the SLAT ran out of tables"
dmesg | grep -q 'general protection fault\|Oops\|BUG:' &&
	fail "the kernel oopsed: $(dmesg | grep -m1 'general protection fault\|Oops\|BUG:')"
[ "$(status_get violations)" = 0 ] || fail "status: $(status_get violations) violations"
still_works slatfull
# The benign JIT patterns still work with the tables gone.
run_ok jit -n 50
check_active
workload_ok 2
say "ok"
