#!/bin/sh
# dtpin: each CPU's IDTR, GDTR and TR are pinned. A raw LIDT to a forged
# copy of the IDT (how a rootkit hooks interrupts without writing the real
# one) gets #GP, the attacking thread oopses, the attempt is logged and the
# CPU keeps its IDT. The benign twin — reloading the IDT and GDT in use, as
# resume code does — works.
#
# On VMX, pinning makes every descriptor-table instruction exit, the
# user-mode stores too where the CPU has no UMIP (Bochs has none), and the
# hypervisor carries them out. dtread runs SGDT, SIDT, SLDT and STR from
# user space on each CPU before and after the launch, into registers,
# ordinary memory, pages not faulted in yet and across a page end, a page
# it ran code from (under strict W^X the SLAT took write from it: the
# emulated store must get it back as the CPU's own store would), with an
# LDT of its own across 200 context switches (each an LLDT), and
# onto a kernel address and a read-only page: every line must be the same
# after the launch as before (values, and SIGSEGV where there was one).
# dtread32 does the same from a 32-bit process (compatibility mode: 6-byte
# SGDT/SIDT, 32-bit addresses).
# platforms: qemu bochs
# bochs-timeout: 1200
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

n=$(nr_online_cpus)
i=0
while [ "$i" -lt "$n" ]; do
	taskset -c "$i" dtread >"/tmp/dt$i.before" 2>&1 || fail "dtread on CPU $i failed before launch"
	taskset -c "$i" dtread32 >>"/tmp/dt$i.before" 2>&1 || fail "dtread32 on CPU $i failed before launch"
	i=$((i + 1))
done
cat /tmp/dt0.before
grep -q '^fresh32 ' /tmp/dt0.before || fail "dtread32 did not run (no 32-bit process support?)"

load_lvbs
[ "$(status_get pinned_dt_cpus)" = "$n" ] || fail "status: pinned_dt_cpus is not $n"

i=0
while [ "$i" -lt "$n" ]; do
	taskset -c "$i" dtread >"/tmp/dt$i.after" 2>&1 || fail "dtread on CPU $i failed under lvbs"
	taskset -c "$i" dtread32 >>"/tmp/dt$i.after" 2>&1 || fail "dtread32 on CPU $i failed under lvbs"
	if ! cmp -s "/tmp/dt$i.before" "/tmp/dt$i.after"; then
		diff "/tmp/dt$i.before" "/tmp/dt$i.after"
		fail "dtread on CPU $i: user-mode descriptor-table stores differ under lvbs"
	fi
	i=$((i + 1))
done
grep -q '^bad SIGSEGV$' /tmp/dt0.after || fail "dtread: SGDT onto a kernel address did not fault"
grep -q '^rdonly SIGSEGV$' /tmp/dt0.after || fail "dtread: SGDT onto a read-only page did not fault"
grep -q '^jit ran$' /tmp/dt0.after || fail "dtread: the code page did not run after the store into it"
# 200 context switches between a process with an LDT and one without:
# on VMX each LLDT the kernel runs for them exits and is emulated.
grep -q '^ldt ok$' /tmp/dt0.after || fail "dtread: $(grep '^ldt ' /tmp/dt0.after)"
grep -q 'kind=mem_violation ' "$LVBS_SFS/log" && fail "log: a user-mode descriptor-table store was a violation"
run cat "$LVBS_SFS/stats"
if [ "$(status_get vendor)" = vmx ] && ! grep -qw umip /proc/cpuinfo; then
	# Without UMIP those stores exited: the emulation, not the CPU, answered.
	echo "$OUT" | grep -q ' dt_access=[1-9]' || fail "stats: no dt_access exits on VMX without UMIP"
fi

benign_ok lidt_same dt_pin
attack_blocked lidt_forged

run_ok lvbsctl log
grep 'kind=dt_pin ' "$LVBS_SFS/log" | grep 'action=inject_gp' | grep -q 'info0=0x0 ' ||
	fail "log: no kind=dt_pin entry for the IDTR with action=inject_gp"
grep -q 'kind=insn_decode ' "$LVBS_SFS/log" && fail "log: an instruction lvbs could not carry out"

# Interrupts still reach the real IDT: the system works on both CPUs.
workload_rounds 2
check_active
say "ok"
