#!/bin/sh
# launch: insmod lvbs.ko launches on every CPU, the kernel keeps working
# under it, and lvbs cannot be unloaded or have a CPU taken away.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

n=$(nr_online_cpus)
[ "$n" -eq 2 ] || fail "expected 2 online CPUs before launch, have $n"

# NMIs fired back to back at a CPU whose handler is busy must not nest:
# first without lvbs (QEMU blocks NMIs as hardware does), then under it.
nmi_storm() {
	run_test_module action=nmi_storm
	echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS nmi_storm' ||
		fail "nmi_storm $1: $(echo "$TEST_DMESG" | grep -m1 'lvbs_test: FAIL' || echo 'no verdict')"
}
nmi_storm "without lvbs"

# A mistyped parameter refuses the load before anything is launched.
run "$INSMOD" "$LVBS_KO" exec=bogus
[ "$RC" -ne 0 ] || fail "insmod lvbs.ko exec=bogus succeeded"
dmesg | grep -q 'lvbs: exec=bogus: unknown; use strict or nx' ||
	fail "no clear message for exec=bogus in dmesg"
[ -e "$LVBS_SFS/status" ] && fail "lvbs left something behind after exec=bogus"
run "$INSMOD" "$LVBS_KO" cpuid=bogus
[ "$RC" -ne 0 ] || fail "insmod lvbs.ko cpuid=bogus succeeded"
dmesg | grep -q 'lvbs: cpuid=bogus: unknown; use hide or pass' ||
	fail "no clear message for cpuid=bogus in dmesg"
[ -e "$LVBS_SFS/status" ] && fail "lvbs left something behind after cpuid=bogus"

run "$INSMOD" "$LVBS_KO" module_trust=bogus
[ "$RC" -ne 0 ] || fail "insmod lvbs.ko module_trust=bogus succeeded"
dmesg | grep -q 'lvbs: module_trust=bogus: unknown; use signed or tofu' ||
	fail "no clear message for module_trust=bogus in dmesg"
[ -e "$LVBS_SFS/status" ] && fail "lvbs left something behind after module_trust=bogus"

load_lvbs
run cat "$LVBS_SFS/status"
[ "$(status_get module_trust)" = signed ] || fail "status: module_trust is not signed by default"
check_active
[ "$(status_get abi_version)" = 10 ] || fail "status: abi_version is not 10"
[ "$(status_get vendor)" = svm ] || fail "status: vendor is not svm"
[ "$(status_get unload)" = refused ] || fail "status: unload is not 'refused'"
[ "$(status_get cpuid)" = hide ] || fail "status: cpuid is not 'hide' by default"
status_get features_used | grep -q npt || fail "status: features_used lacks npt"
case "$(status_get hv_phys_base)" in
0x*) ;;
*) fail "status: hv_phys_base is not a 0x hex number" ;;
esac

run cpuid_probe
echo "$OUT" | grep -q '^lvbs: present abi=10$' || fail "cpuid_probe does not see lvbs (abi 10)"
echo "$OUT" | grep -q '^svm: hidden$' || fail "cpuid_probe: SVM is still visible to the guest"

# Both CPUs must run the workload under lvbs: pin one copy to each.
say "workload on both CPUs for 5 s"
taskset -c 1 workload -q -t 5 >/tmp/wl1 2>&1 &
wl1=$!
run taskset -c 0 workload -q -t 5
wait "$wl1"
rc1=$?
cat /tmp/wl1
if [ "$RC" -ne 0 ] || ! echo "$OUT" | grep -q '^workload: OK$'; then
	fail "workload on CPU 0 failed"
fi
if [ "$rc1" -ne 0 ] || ! grep -q '^workload: OK$' /tmp/wl1; then
	fail "workload on CPU 1 failed"
fi

nmi_storm "under lvbs"

# An NMI held while the guest's NMI handler runs goes in right after that
# handler's IRET, even into code running with interrupts off.
run_test_module action=nmi_irqoff
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS nmi_irqoff' ||
	fail "nmi_irqoff: $(echo "$TEST_DMESG" | grep -m1 'lvbs_test: FAIL' || echo 'no verdict')"

# A guest NMI that arrives while a shootdown kick is pending merges with
# it; lvbs must still hand the guest its NMI (docs/architecture.md, "NMIs"),
# and the NMIs it gives the guest for kicks must be claimed by lvbs.ko,
# not reported as NMIs for unknown reason.
before=$(status_get kick_nmis_claimed)
run_test_module action=nmi_shootdown
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS nmi_shootdown' ||
	fail "nmi_shootdown: $(echo "$TEST_DMESG" | grep -m1 'lvbs_test: FAIL' || echo 'no verdict')"
[ "$(status_get nmi_marks)" = on ] || fail "status: nmi_marks is not on"
[ "$(status_get kick_nmis_claimed)" -gt "$before" ] ||
	fail "status: no kick NMI was claimed during nmi_shootdown"
dmesg | grep 'NMI received for unknown reason' &&
	fail "the guest reported an NMI for unknown reason"

run_ok lvbsctl status
run_ok lvbsctl stats
run_ok lvbsctl log
run_ok lvbsctl status --json
echo "$OUT" | grep -q '^[[:space:]]*{' || fail "lvbsctl status --json does not print a JSON object"
run_ok lvbsctl stats --json
# The verdict with the defaults under TCG, which has no GMET: degraded by
# that alone (docs/operations.md, Monitoring).
run lvbsctl check
[ "$RC" -eq 1 ] || fail "lvbsctl check exited $RC, expected 1 (degraded)"
[ "$OUT" = "WARNING: lvbs degraded: no_gmet" ] || fail "lvbsctl check: '$OUT'"
run_ok lvbsctl metrics
echo "$OUT" | grep -qx 'lvbs_protection_state 1' || fail "metrics: no lvbs_protection_state 1"
echo "$OUT" | grep -qx 'lvbs_finding{id="no_gmet",level="degraded"} 1' ||
	fail "metrics: no no_gmet finding"
echo "$OUT" | grep -q '^lvbs_vm_exits_total{cpu="0",kind="hypercall"} [1-9]' ||
	fail "metrics: no hypercall exits on CPU 0"

run cat "$LVBS_SFS/stats"
[ "$(grep -c '^cpu=' "$LVBS_SFS/stats")" -eq 2 ] || fail "stats: expected 2 'cpu=' lines"
grep '^cpu=' "$LVBS_SFS/stats" | grep -q ' total=[1-9]' || fail "stats: no exits counted at all"
[ "$(grep -c 'kind=launch ' "$LVBS_SFS/log")" -ge 2 ] ||
	fail "log: expected a kind=launch entry per CPU"

# Unload must be refused: a protection root could rmmod would protect nothing.
run rmmod lvbs
[ "$RC" -ne 0 ] || fail "rmmod lvbs succeeded: unload must be refused"
grep -q '^lvbs ' /proc/modules || fail "lvbs is gone from /proc/modules after rmmod"

# Taking a CPU away must be refused too: it would come back outside lvbs.
say "\$ echo 0 > /sys/devices/system/cpu/cpu1/online"
if echo 0 >/sys/devices/system/cpu/cpu1/online; then
	fail "CPU 1 could be taken offline while lvbs is active"
fi
[ "$(cat /sys/devices/system/cpu/cpu1/online)" = 1 ] || fail "CPU 1 is offline"

check_active
workload_ok 1
say "ok"
