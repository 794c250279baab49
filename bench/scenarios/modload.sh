#!/bin/sh
# modload: what a module load costs under lvbs, by module size. Debian's
# own modules (signed with the kernel's key) are loaded and unloaded
# BENCH_MODLOAD_ROUNDS times each (default 10), first without lvbs, then
# under it, where every load is also protected in the SLAT and its file
# hashed and its signature checked by the hypervisor
# (docs/module-signatures.md). Not a test: run it by hand,
#   tests/vm/run-scenario.sh modload
# and read the LVBS-MODLOAD lines (centiseconds of /proc/uptime for all
# rounds, so under TCG take the ratio, not the times). The LVBS-MODLOAD-HC
# lines say which hypercalls the measured rounds made under lvbs and the
# microseconds they took, world switch included; LVBS-MODLOAD-EXITS their
# VM exits by kind, summed over the CPUs.
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
# measured K MODULE MODE: the rounds of MODULE, timed, and marked for the
# instruction-counting plugin as measure K (bench/modload.sh loads it;
# without it the marks are NOPs).
measured() {
	echo "LVBS-MODLOAD-MEASURE: measure=$1 module=$2 mode=$3" >&2
	/bin/workload -m start
	cycles "$2"
	/bin/workload -m "$1"
}

k=0
for m in $MODS; do
	cycles "$m" >/dev/null	# warm: page cache, first use
	eval "base_$m=\$(measured $k $m base)"
	k=$((k + 1))
done
HC=/sys/kernel/security/lvbs/hypercalls

# The hypercalls of the measured rounds of module $1: calls and time each,
# the difference between two readings of $HC.
hc_delta() {
	awk -v m="$1" '
	FNR == 1 { f++ }
	{ split($1, n, "="); split($2, c, "="); split($3, u, "=")
	  if (f == 1) { c0[n[2]] = c[2]; u0[n[2]] = u[2] }
	  else if (c[2] > c0[n[2]])
		printf "LVBS-MODLOAD-HC: module=%s hypercall=%s calls=%d usecs=%d\n",
		       m, n[2], c[2] - c0[n[2]], u[2] - u0[n[2]] }' /tmp/hc.before "$HC"
}

# The VM exits of the measured rounds of module $1, by kind, all CPUs.
exit_delta() {
	awk -v m="$1" '
	FNR == 1 { f++ }
	{ for (i = 1; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] != "cpu" && kv[1] != "apic_id")
			n[f, kv[1]] += kv[2]
		keys[kv[1]] = 1 } }
	END { line = ""
	      for (k in keys)
		if (n[2, k] > n[1, k])
			line = line " " k "=" n[2, k] - n[1, k]
	      print "LVBS-MODLOAD-EXITS: module=" m line }' /tmp/stats.before "$LVBS_SFS/stats"
}

load_lvbs
for m in $MODS; do
	cycles "$m" >/dev/null
	cat "$HC" >/tmp/hc.before
	cat "$LVBS_SFS/stats" >/tmp/stats.before
	eval "lvbs_$m=\$(measured $k $m lvbs)"
	k=$((k + 1))
	exit_delta "$m"
	hc_delta "$m"
done
for m in $MODS; do
	eval "b=\$base_$m l=\$lvbs_$m"
	echo "LVBS-MODLOAD: module=$m bytes=$(stat -c %s "$D/$m.ko") rounds=$N base_cs=$b lvbs_cs=$l"
done
[ "$(status_get modules_failed)" = 0 ] || fail "a Debian module failed the hypervisor's check"
say "verified: $(status_get modules_verified)"
say "ok"
