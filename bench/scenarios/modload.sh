#!/bin/sh
# modload: what a module load costs under lvbs, by module size. Debian's
# own modules (signed with the kernel's key) are loaded and unloaded
# BENCH_MODLOAD_ROUNDS times each (default 10), first without lvbs, then
# under it, where every load is also protected in the SLAT and its file
# hashed and its signature checked by the hypervisor
# (docs/module-signatures.md). Not a test: run it by hand,
#   tests/vm/run-scenario.sh modload
# and read the LVBS-MODLOAD lines (centiseconds of /proc/uptime for all
# rounds, so under TCG take the ratio, not the times).
# vm-timeout: 900
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../../tests/vm/guest/lib.sh
. /lvbs/lib.sh

N=${BENCH_MODLOAD_ROUNDS:-10}
MODS="nls_utf8 isofs udf ext4 xfs"
D=/lvbs/debmods

centis() {
	local up
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

# Centiseconds for N load/unload cycles of module $1.
cycles() {
	local t0 i=0
	t0=$(centis)
	while [ "$i" -lt "$N" ]; do
		"$INSMOD" "$D/$1.ko" || fail "insmod $1 failed"
		rmmod "$1" || fail "rmmod $1 failed"
		i=$((i + 1))
	done
	echo $(($(centis) - t0))
}

# What the measured modules need, loaded once and left.
for m in crc16 mbcache jbd2 crc32c_generic libcrc32c crc-itu-t cdrom; do
	"$INSMOD" "$D/$m.ko" || fail "insmod $m failed"
done
for m in $MODS; do
	cycles "$m" >/dev/null	# warm: page cache, first use
	eval "base_$m=\$(cycles $m)"
done
load_lvbs
for m in $MODS; do
	cycles "$m" >/dev/null
	eval "lvbs_$m=\$(cycles $m)"
done
for m in $MODS; do
	eval "b=\$base_$m l=\$lvbs_$m"
	echo "LVBS-MODLOAD: module=$m bytes=$(stat -c %s "$D/$m.ko") rounds=$N base_cs=$b lvbs_cs=$l"
done
[ "$(status_get modules_failed)" = 0 ] || fail "a Debian module failed the hypervisor's check"
say "verified: $(status_get modules_verified)"
say "ok"
