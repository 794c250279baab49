#!/bin/sh
# dtpin: each CPU's IDTR, GDTR and TR are pinned. A raw LIDT to a forged
# copy of the IDT (how a rootkit hooks interrupts without writing the real
# one) gets #GP, the attacking thread oopses, the attempt is logged and the
# CPU keeps its IDT. The benign twin — reloading the IDT and GDT in use, as
# resume code does — works.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs
n=$(nr_online_cpus)
[ "$(status_get pinned_dt_cpus)" = "$n" ] || fail "status: pinned_dt_cpus is not $n"

benign_ok lidt_same dt_pin
attack_blocked lidt_forged

run_ok lvbsctl log
grep 'kind=dt_pin ' "$LVBS_SFS/log" | grep 'action=inject_gp' | grep -q 'info0=0x0 ' ||
	fail "log: no kind=dt_pin entry for the IDTR with action=inject_gp"

# Interrupts still reach the real IDT: the system works on both CPUs.
workload_ok 2
check_active
say "ok"
