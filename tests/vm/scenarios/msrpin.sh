#!/bin/sh
# msrpin: LSTAR (the SYSCALL entry) and EFER.NXE are pinned on every CPU. A
# raw WRMSR that changes them (no exception fixup, as injected code would
# do it) gets #GP, the attacking thread oopses, the attempt is logged and
# the values stay. The benign twin — rewriting them unchanged — works.
# platforms: qemu bochs
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs
dmesg | grep -q 'lvbs: pinned .* the kernel-entry MSRs' || fail "no MSR pinning line in dmesg"
[ "$(status_get pinned_msrs)" = 0xff ] || fail "status: pinned_msrs is not 0xff"

benign_ok msr_rewrite msr_pin
attack_blocked msr_lstar
attack_blocked efer_clear_nxe

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
