#!/bin/sh
# modconc: many module loads at once, as udev's coldplug does at boot
# (found by the end-to-end test: Debian's e1000e, loaded by the
# initramfs's udev beside other modules, was refused as "no signature
# checked"). Every Debian module of tests/vm/debmods.sh that needs no
# other is loaded in parallel, one process each, then the ones that need
# those, also in parallel; every load must succeed and every one must have
# been verified by the hypervisor. Three rounds, unloading in between.
# It failed before the pending checks of lvbs.ko (kmod/modcheck.c) could
# outlast more than 8 other checks.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

DM=/lvbs/debmods
# libcrc32c needs no module but asks the crypto API for crc32c at init,
# which crc32c_generic provides (no modprobe here to load it on demand):
# it waits for the second wave, xfs for the third.
WAVE1="brd cdrom crc-itu-t crc16 crc32c_generic crc7 dummy jbd2 mbcache nls_cp437 nls_utf8 tun veth"
WAVE2="ext4 isofs udf libcrc32c"
WAVE3="xfs"

load_lvbs
check_active

# Load the modules of $* that exist here (a series may build one in), all
# at once; fail on the first that did not load.
load_wave() {
	local m

	for m in "$@"; do
		[ -e "$DM/$m.ko" ] || continue
		("$INSMOD" "$DM/$m.ko" >"/tmp/mc.$m" 2>&1; echo $? >"/tmp/mc.$m.rc") &
	done
	wait
	for m in "$@"; do
		[ -e "$DM/$m.ko" ] || continue
		[ "$(cat "/tmp/mc.$m.rc")" = 0 ] ||
			fail "insmod $m failed in a parallel wave: $(cat "/tmp/mc.$m") $(dmesg | grep "module $m:" | tail -n 1)"
	done
}

unload() {
	local m

	for m in "$@"; do
		[ -e "$DM/$m.ko" ] || continue
		rmmod "$(echo "$m" | tr - _)" || fail "rmmod $m failed"
	done
}

verified=$(status_get modules_verified)
n=0
for round in 1 2 3; do
	load_wave $WAVE1
	load_wave $WAVE2
	load_wave $WAVE3
	n=$((n + $(for m in $WAVE1 $WAVE2 $WAVE3; do [ -e "$DM/$m.ko" ] && echo; done | wc -l)))
	unload $WAVE3
	unload $WAVE2
	unload $WAVE1
	say "round $round: every module loaded"
done
dmesg | grep 'not authenticated' && fail "a module was not authenticated"
[ "$(status_get modules_failed)" = 0 ] || fail "status: modules_failed is not 0"
[ "$(status_get modules_unchecked)" = 0 ] || fail "status: modules_unchecked is $(status_get modules_unchecked)"
[ "$(status_get modules_verified)" -ge $((verified + n)) ] ||
	fail "status: $(status_get modules_verified) verified, expected at least $((verified + n))"
check_active
say "ok: $n parallel loads, all verified"
