#!/bin/sh
# msrpin: LSTAR (the SYSCALL entry) and EFER.NXE are pinned on every CPU. A
# raw WRMSR that changes them (no exception fixup, as injected code would
# do it) gets #GP, the attacking thread oopses, the attempt is logged and
# the values stay. The benign twin — rewriting them unchanged — works.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs
dmesg | grep -q 'lvbs: pinned .* the kernel-entry MSRs' || fail "no MSR pinning line in dmesg"
[ "$(status_get pinned_msrs)" = 0xff ] || fail "status: pinned_msrs is not 0xff"

run_test_module action=msr_rewrite
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS msr_rewrite' ||
	fail "msr_rewrite: $(echo "$TEST_DMESG" | grep -m1 'lvbs_test: FAIL' || echo 'no verdict')"
grep -q 'kind=msr_pin' "$LVBS_SFS/log" && fail "log: a benign MSR rewrite was logged as a violation"

for action in msr_lstar efer_clear_nxe; do
	run_test_module action=$action
	echo "$TEST_DMESG" | grep -q 'lvbs_test: FAIL' &&
		fail "$action: $(echo "$TEST_DMESG" | grep -m1 -o 'lvbs_test: FAIL.*')"
	echo "$TEST_DMESG" | grep -q 'general protection fault' ||
		fail "$action: no 'general protection fault' oops in dmesg"
	echo "$TEST_DMESG" | grep -q "lvbs_test: PASS $action" ||
		fail "$action: no 'lvbs_test: PASS $action' in dmesg"
done

run_ok lvbsctl log
grep 'kind=msr_pin ' "$LVBS_SFS/log" | grep 'action=inject_gp' | grep -q 'info0=0xc0000082 ' ||
	fail "log: no kind=msr_pin entry for LSTAR (0xc0000082)"
grep 'kind=msr_pin ' "$LVBS_SFS/log" | grep -q 'info0=0xc0000080 ' ||
	fail "log: no kind=msr_pin entry for EFER (0xc0000080)"

run_test_module action=cr_check
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS cr_check' ||
	fail "cr_check: a CPU lost EFER.NXE or its LSTAR"
workload_ok 2
check_active
say "ok"
