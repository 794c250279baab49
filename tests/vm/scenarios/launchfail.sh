#!/bin/sh
# launchfail: when the launch fails on one CPU, every CPU leaves the
# hypervisor, the kernel runs on as before, and a later launch works.
# On VMX (Bochs) the failure is a real VM-entry failure with an exit, so
# the kernel state the exit overwrote (FS/GS base, SYSENTER, DR7, TR's
# limit) must be put back by the abort and by lvbs.ko.
# Both launches run with nmi_test=1: each CPU sends itself an NMI inside
# the hypervisor while it crosses into it (VMX has no GIF to hold it), and
# the kernel must get exactly one NMI per CPU, whether that CPU's launch
# failed (the NMI is handed back on the way out), was rolled back, or
# succeeded (the NMI is injected into the guest).
# platforms: qemu bochs
# bochs-timeout: 1200
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

# One "NMI received for unknown reason" line per CPU since the last mark.
check_one_nmi_per_cpu() {
	local c n

	for c in 0 1; do
		n=$(dmesg_since | grep -c "NMI received for unknown reason [0-9a-f]* on CPU $c\.")
		[ "$n" = 1 ] || fail "$1: CPU $c got $n NMIs from nmi_test, expected 1"
	done
	say "$1: one NMI on each CPU"
}

dmesg_mark
run "$INSMOD" "$LVBS_KO" fail_cpu=1 nmi_test=1
[ "$RC" -ne 0 ] || fail "insmod lvbs.ko fail_cpu=1 succeeded; it must fail"
dmesg_since | grep 'lvbs:' | grep -q 'launch failed' ||
	fail "no 'lvbs: ... launch failed' line in dmesg"
check_one_nmi_per_cpu "failed launch"
grep -q '^lvbs ' /proc/modules && fail "lvbs is loaded after a failed launch"

[ -e "$LVBS_SFS" ] && fail "$LVBS_SFS exists after a failed launch"
run lvbsctl status
[ "$RC" -ne 0 ] || fail "lvbsctl status exits 0 while lvbs is not active"
echo "$OUT" | grep -q 'not active' || fail "lvbsctl status does not say 'not active'"

run cpuid_probe
echo "$OUT" | grep -q '^lvbs: absent$' || fail "cpuid_probe still sees lvbs after the rollback"

for c in 0 1; do
	[ "$(cat /sys/devices/system/cpu/cpu$c/online 2>/dev/null || echo 1)" = 1 ] ||
		fail "CPU $c is offline after the failed launch"
done
say "workload on both CPUs"
taskset -c 1 workload -q -t 2 >/tmp/wl1 2>&1 &
wl1=$!
run taskset -c 0 workload -q -t 2
wait "$wl1"
rc1=$?
cat /tmp/wl1
[ "$RC" -eq 0 ] || fail "workload on CPU 0 failed after the rollback"
[ "$rc1" -eq 0 ] || fail "workload on CPU 1 failed after the rollback"

# A normal launch after the failed one.
load_lvbs nmi_test=1
check_active
check_one_nmi_per_cpu "launch"
[ "$(status_get cpus)" = 2 ] || fail "status: cpus is not 2 after the second launch"
grep -q 'kind=launch_fail' "$LVBS_SFS/log" && say "(the new hypervisor's log starts afresh)"
workload_rounds 2
say "ok"
