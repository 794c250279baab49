#!/bin/sh
# crpin: CR0.WP and CR4.SMEP are pinned on every CPU. A raw MOV that clears
# one (skipping the kernel's own CR pinning, as injected code would) gets
# #GP, the attacking thread oopses, the attempt is logged, the bit stays
# set and the system lives. The benign twin — a CR4 write that keeps the
# pinned bits, as the kernel's global TLB flush does — still works.
# platforms: qemu bochs
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs
dmesg | grep -q 'lvbs: pinned CR0 bits' || fail "no 'lvbs: pinned CR0 bits' line in dmesg"
n=$(nr_online_cpus)
[ "$(status_get pinned_cpus)" = "$n" ] || fail "status: pinned_cpus is not $n"
# CR0.WP (bit 16) and CR4.SMEP (bit 20): this CPU model has SMEP.
[ $(($(status_get pinned_cr0) & 0x10000)) -ne 0 ] || fail "status: CR0.WP not pinned"
[ $(($(status_get pinned_cr4) & 0x100000)) -ne 0 ] || fail "status: CR4.SMEP not pinned"

# Benign twin first: a CR4 write that keeps the pinned bits passes.
benign_ok cr4_toggle_pge cr_pin
attack_blocked cr4_clear_smep
attack_blocked cr0_clear_wp

run_ok lvbsctl log
grep 'kind=cr_pin ' "$LVBS_SFS/log" | grep 'action=inject_gp' | grep -q 'info0=0x4 ' ||
	fail "log: no kind=cr_pin entry for CR4 with action=inject_gp"
grep 'kind=cr_pin ' "$LVBS_SFS/log" | grep -q 'info0=0x0 ' ||
	fail "log: no kind=cr_pin entry for CR0"

# The bits are still set on every CPU, and the system lives on.
run_test_module action=cr_check
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS cr_check' ||
	fail "cr_check: a CPU lost CR0.WP or CR4.SMEP"
workload_ok 2
check_active
say "ok"
