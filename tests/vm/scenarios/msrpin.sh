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
# MSRs outside the MSR bitmap's ranges exit and go to the CPU, and the
# guest gets what the CPU gives. Both emulators answer 0 and ignore
# writes for MSRs they do not model (Bochs with ignore_bad_msrs=1), where
# lvbs used to give #GP. (Hardware raises #GP there, which the hypervisor
# takes itself: lvbs_test.ko msr_gp=1 checks that; no emulator here can.)
# Nothing is logged as a pin violation.
benign_ok msr_absent msr_pin
run cat "$LVBS_SFS/stats"
echo "$OUT" | grep -q ' msr_read=[1-9]' || fail "stats: the absent-MSR reads did not exit"
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
