#!/bin/sh
# vmxlaunch (Bochs: Intel VMX with EPT): lvbs.ko launches on every CPU
# with the VMX backend, the kernel keeps working under it on both CPUs
# (the launch's own protection work makes shootdowns, which need the NMI
# kicks), status says vendor vmx, and CPUID (which always exits on VMX)
# shows lvbs. The workload runs by rounds, so that every CPU does the same
# work whatever the emulator's speed. It asks for MBEC (mbec=1), which
# Bochs lacks: lvbs.ko must say so and fall back to strict W^X. The
# capabilities kept for driver isolation (VMFUNC EPTP switching, #VE) are
# reported present and not used.
# platforms: bochs
# bochs-timeout: 1200
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

grep -qw vmx /proc/cpuinfo || fail "the CPU shows no vmx flag (not Bochs skylake_x?)"
n=$(nr_online_cpus)
load_lvbs debug_serial=1 mbec=1
run cat "$LVBS_SFS/status"
check_active
[ "$(status_get vendor)" = vmx ] || fail "status: vendor is not vmx"
status_get features_used | grep -q ept || fail "status: features_used lacks ept"
dmesg | grep -q 'lvbs: MBEC asked for, but this CPU has none' ||
	fail "dmesg: mbec=1 on a CPU without MBEC was not reported"
[ "$(status_get exec_control)" = strict ] || fail "status: exec_control is not strict without MBEC"
for f in eptp_switching ve; do
	status_get features_present | tr ',' '\n' | grep -qx "$f" || fail "status: features_present lacks $f"
	status_get features_used | tr ',' '\n' | grep -qx "$f" && fail "status: $f is used"
done
[ "$(status_get sealed)" = 1 ] || fail "status: not sealed"
[ "$(status_get pinned_cpus)" = "$n" ] || fail "status: CR pins not on every CPU"
run cpuid_probe
echo "$OUT" | grep -q '^lvbs: present abi=10$' || fail "cpuid_probe does not see lvbs (abi 10)"

say "workload on every CPU, 2 rounds each"
i=1
while [ "$i" -lt "$n" ]; do
	taskset -c "$i" workload -q -n 2 >"/tmp/wl$i" 2>&1 &
	i=$((i + 1))
done
run taskset -c 0 workload -q -n 2
wait
echo "$OUT" | grep -q '^workload: OK$' || fail "workload on CPU 0 failed"
i=1
while [ "$i" -lt "$n" ]; do
	cat "/tmp/wl$i"
	grep -q '^workload: OK$' "/tmp/wl$i" || fail "workload on CPU $i failed"
	i=$((i + 1))
done
run cat "$LVBS_SFS/stats"
[ "$(status_get violations)" = 0 ] || fail "violations after a benign run"
dmesg | grep -q "Uhhuh. NMI received for unknown reason" && fail "the kernel saw an unknown NMI"
check_active
