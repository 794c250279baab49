#!/bin/sh
# audit: with lvbs.ko audit=1 a memory violation is logged and let through
# (for a first rollout), while register pins stay enforced; after SEAL the
# policy can go from audit to enforce but never back. Loaded with exec=nx,
# cpuid=pass and module_trust=tofu too: the other relaxing parameters,
# which status must name; with cpuid=pass CPUID makes no exit and shows
# the CPU as it is; with tofu an unsigned module loads.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

# CPUID exits so far, all CPUs (lvbsctl's own start-up runs CPUID too).
cpuid_exits() {
	lvbsctl stats --json | grep -o '"all": {[^}]*}' | grep -o '"cpuid": [0-9]*' | grep -o '[0-9]*$'
}

load_lvbs audit=1 exec=nx cpuid=pass module_trust=tofu
[ "$(status_get cpuid)" = pass ] || fail "status: cpuid=pass gave cpuid $(status_get cpuid)"
# module_trust=tofu: a module nobody signed loads, and status says so.
[ "$(status_get module_trust)" = tofu ] || fail "status: module_trust is not tofu"
run_ok "$INSMOD" /lvbs/keys/lvbs_dummy_unsigned.ko
run_ok rmmod lvbs_dummy
run cpuid_probe
echo "$OUT" | grep -q '^lvbs: absent$' || fail "cpuid=pass: the hypervisor leaves are still answered"
echo "$OUT" | grep -q '^svm: visible$' || fail "cpuid=pass: SVM is still hidden"
before=$(cpuid_exits)
workload_ok 1
after=$(cpuid_exits)
[ -n "$before" ] && [ "$before" = "$after" ] ||
	fail "cpuid=pass: CPUID exits went from '$before' to '$after' over a workload"
[ "$(status_get sealed)" = 1 ] || fail "status: not sealed"
[ "$(status_get policy)" = audit ] || fail "status: policy is not audit"
# exec=nx relaxes strict W^X to the NX fallback, and status says what that costs.
[ "$(status_get exec_control)" = nx_fallback ] ||
	fail "status: exec=nx gave exec_control $(status_get exec_control)"
run_ok lvbsctl status
echo "$OUT" | grep -q '^verdict: *degraded: audit_policy, exec_nx, module_trust_tofu, cpuid_pass ' ||
	fail "lvbsctl status: not the verdict of audit=1 exec=nx cpuid=pass module_trust=tofu"
echo "$OUT" | grep -q 'WARNING: *audit policy' || fail "lvbsctl status does not warn about audit"
echo "$OUT" | grep -q '^weaker: *exec=nx: ordinary RAM' || fail "lvbsctl status does not name the exec=nx weakness"
echo "$OUT" | grep -q '^CPUID: *WEAKER: passed through' || fail "lvbsctl status does not name cpuid=pass"

# The rodata write goes through (the module reports it as not stopped) ...
run_test_module action=rodata_alias_write
echo "$TEST_DMESG" | grep -q 'lvbs_test: FAIL rodata_alias_write: protected memory could be written' ||
	fail "audit: the rodata write did not go through"
# ... and is logged, with action none.
grep 'kind=mem_violation ' "$LVBS_SFS/log" | grep 'access=w' | grep -q 'action=none' ||
	fail "log: no kind=mem_violation write entry with action=none"
# Register pins are enforced whatever the memory policy.
attack_blocked cr4_clear_smep
check_active
workload_ok 1
say "ok"
