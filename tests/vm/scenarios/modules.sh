#!/bin/sh
# modules: the module lifecycle under SEAL (item 9). 200 load/unload cycles
# of a small signed module keep working (each load is authenticated: its
# file verified, its code compared with the file before it gets execute;
# each load protects its text, rodata and
# data, releases its init memory when it goes live, once init code it ran
# asynchronously has run, and releases the rest on unload); pages the kernel freed from its own image can be taken as
# module memory; then freed init code and unloaded core code are not
# executable: calling them through the direct map is stopped and logged.
# platforms: qemu bochs
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

DUMMY=/lvbs/lvbs_dummy.ko
# Under Bochs (Intel VMX, about 15 times slower than QEMU's TCG) 20
# cycles: every load is still authenticated and compared the same way.
if grep -qw vmx /proc/cpuinfo; then
	CYCLES=${CYCLES:-20}
else
	CYCLES=${CYCLES:-200}
fi

load_lvbs
# Pages the kernel freed from its image at boot are ordinary memory: a
# module may take them (a page like that was once refused to a module and
# to a trampoline, at random, wherever the allocator put them).
[ "$(status_get image_freed_pages)" -gt 0 ] || fail "status: image_freed_pages is 0"
benign_ok image_freed prot_denied
base=$(status_get modules_tracked)
ranges=$(status_get perm_ranges)
compared=$(status_get modules_compared)
start=$(date +%s)
i=0
while [ "$i" -lt "$CYCLES" ]; do
	"$INSMOD" "$DUMMY" >/dev/null 2>&1 || fail "cycle $i: insmod lvbs_dummy failed"
	rmmod lvbs_dummy || fail "cycle $i: rmmod lvbs_dummy failed"
	i=$((i + 1))
done
say "$CYCLES load/unload cycles in $(($(date +%s) - start)) s"
[ "$(status_get modules_tracked)" = "$base" ] ||
	fail "status: modules_tracked $(status_get modules_tracked), was $base"
# Nothing left behind in the permission database either: a range per
# cycle would fill it after a few thousand loads.
say "permission database: $ranges ranges before the cycles, $(status_get perm_ranges) after"
[ "$(status_get perm_ranges)" -le $((ranges + 4)) ] ||
	fail "status: perm_ranges $(status_get perm_ranges) after $CYCLES cycles, was $ranges"
grep -q 'kind=mem_violation \|kind=patch_denied \|kind=prot_denied ' "$LVBS_SFS/log" &&
	fail "log: the load/unload cycles caused violations"
# Each load authenticated: its file verified, its code compared the same
# before it got execute (module_trust=signed).
[ $(($(status_get modules_compared) - compared)) -ge "$CYCLES" ] ||
	fail "status: $(($(status_get modules_compared) - compared)) of $CYCLES loads compared"
[ "$(status_get modules_differ)" = 0 ] && [ "$(status_get modules_compare_failed)" = 0 ] ||
	fail "status: modules_differ $(status_get modules_differ), modules_compare_failed $(status_get modules_compare_failed)"

# Init code that runs asynchronously, after the module went live (6.1's
# battery driver does): the kernel waits for it before it frees init, so
# lvbs must release init only after it ran. It released it at LIVE once,
# and the kernel died of the INT3s the code was scrubbed with.
"$INSMOD" "$DUMMY" async_init_ms=300 >/dev/null 2>&1 || fail "insmod lvbs_dummy async_init_ms=300 failed"
[ "$(cat /sys/module/lvbs_dummy/parameters/async_ran)" = 1 ] ||
	fail "lvbs_dummy: its asynchronous init code had not run when its load returned"
rmmod lvbs_dummy || fail "rmmod lvbs_dummy (async_init_ms) failed"

# Freed init code: the module is live, its init memory was released.
"$INSMOD" "$DUMMY" >/dev/null 2>&1 || fail "insmod lvbs_dummy failed"
init_pa=$(cat /sys/module/lvbs_dummy/parameters/init_pa)
core_pa=$(cat /sys/module/lvbs_dummy/parameters/core_pa)
[ "$(status_get modules_tracked)" = $((base + 1)) ] || fail "status: lvbs_dummy not tracked"
say "lvbs_dummy: init code at $init_pa, core code at $core_pa"
attack_blocked exec_freed exec_pa="$init_pa"
# Unloaded core code.
rmmod lvbs_dummy || fail "rmmod lvbs_dummy failed"
attack_blocked exec_freed exec_pa="$core_pa"
[ "$(grep 'kind=mem_violation ' "$LVBS_SFS/log" | grep -c 'access=x')" -ge 2 ] ||
	fail "log: fewer than 2 kind=mem_violation execute entries"
check_active
workload_ok 2
say "ok"
