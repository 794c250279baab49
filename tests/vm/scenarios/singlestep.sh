#!/bin/sh
# singlestep: a debugger's single step over CPUID, which exits to lvbs
# (always on VMX; on SVM with the default cpuid=hide), stops right after
# the instruction with a SIGTRAP, as on bare metal: the hypervisor that
# carries out an instruction also raises the single-step trap after it.
# Before the launch (when lvbs is not loaded yet) the same steps show
# what the emulator itself does.
# platforms: qemu bochs
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

if [ ! -r "$LVBS_SFS/status" ]; then
	run singlestep
	[ "$RC" -eq 0 ] || fail "singlestep fails without lvbs: the platform's own stepping: $OUT"
fi
load_lvbs
cpuid_exits() {
	sed -n 's/^cpu=0 .* cpuid=\([0-9]*\) .*/\1/p' "$LVBS_SFS/stats"
}
before=$(cpuid_exits)
run taskset -c 0 singlestep
after=$(cpuid_exits)
[ "$RC" -eq 0 ] || fail "single-stepping over CPUID under lvbs: $OUT"
echo "$OUT" | grep -q '^singlestep: ok$' || fail "singlestep did not say ok"
# The stepped CPUIDs did exit: the hypervisor, not the CPU, carried them out.
if [ -z "$before" ] || [ "$((after - before))" -lt 2 ]; then
	fail "CPU 0 counted $before then $after CPUID exits: the steps did not exit"
fi
say "CPUID exits on CPU 0: $before -> $after"
check_active
say "ok"
