#!/bin/sh
# demo: what `make demo` shows. Launch, status, a workload, exit counts,
# blocked attacks (the hypervisor's memory, CR4.SMEP, rodata through a
# writable alias, code injected into a kmalloc page, a module signed by an
# untrusted key), a user JIT and a Debian module that keep working, the
# hypervisor's log.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

step() {
	echo
	echo "#### $*"
}

step "1. Before: this kernel runs directly on the (virtual) CPU"
run cpuid_probe

step "2. insmod lvbs.ko: the running kernel becomes a guest of lvbs on every CPU"
load_lvbs
run_ok lvbsctl status
run cpuid_probe

step "3. The kernel works as before under lvbs (5 s of fork/exec, pipes, file I/O, syscalls)"
workload_ok 5

step "4. VM exits by kind, per CPU: few, because lvbs intercepts only what it needs"
run_ok lvbsctl stats

step "5. Attacks: kernel code reads the hypervisor's memory, turns SMEP off, writes rodata, runs injected code; root loads an untrusted module"
base=$(status_get hv_phys_base) || fail "status: no hv_phys_base"
say "the hypervisor lives at physical $base; a kernel module maps that page and reads it"
run_test_module action=touch_hv_read hv_phys="$base"
echo "$TEST_DMESG" | grep -q 'FAIL hv memory readable' && fail "the read went through"
echo "$TEST_DMESG" | grep -q 'general protection fault' || fail "no #GP oops"
say "blocked: the read faulted (#GP) in the attacking thread; the kernel lives on"

say "next: injected code clears CR4.SMEP with a raw mov (skipping the kernel's own CR pinning)"
run_test_module action=cr4_clear_smep
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS cr4_clear_smep' || fail "clearing CR4.SMEP was not stopped"
say "blocked: #GP in the attacking thread; SMEP stays on"

say "next: kernel code maps read-only kernel data (_ctype, in rodata) writable through a vmap alias and writes it"
run_test_module action=rodata_alias_write
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS rodata_alias_write' || fail "the rodata write was not stopped"
say "blocked: the kernel's page tables said writable, the nested page tables said no; the store was dropped and the writing thread went on"

say "next: kernel code takes text_mutex and text_poke()s kernel text, as the kernel's own patching does"
run_test_module action=text_poke_locked
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS text_poke_locked' || fail "the text_poke() was not stopped"
say "blocked: the text keeps its old bytes, and the attacker's thread went on and released text_mutex"
still_works text_poke_locked

say "next: kernel code writes a RET into a kmalloc page, clears NX in its own page tables and calls it"
run_test_module action=exec_kmalloc expect_blocked=1
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS exec_kmalloc' || fail "the injected code was not stopped"
say "blocked: exec control $(status_get exec_control): ordinary memory is not executable in kernel mode"
say "benign twin: a user program generates and runs code (RWX page, mprotect, self-writing code)"
run_ok jit -n 100
echo "$OUT" | grep -q '^jit: OK' || fail "jit: $OUT"

say "next: root loads a module nobody trusted signed (Debian's kernel would load it: it does not enforce signatures)"
run "$INSMOD" /lvbs/keys/lvbs_dummy_b.ko
[ "$RC" -ne 0 ] || fail "a module signed by an untrusted key loaded"
dmesg | grep -q 'lvbs: module lvbs_dummy: not authenticated (unknown key): refused' ||
	fail "no 'not authenticated (unknown key): refused' in dmesg"
say "blocked: the hypervisor checked the file's signature itself (unknown key) and gave the module no code"
say "benign twin: a Debian module, signed with this kernel's own key, loads and unloads"
run_ok "$INSMOD" /lvbs/debmods/nls_utf8.ko
run_ok rmmod nls_utf8

step "6. The hypervisor's own record of what happened"
run_ok lvbsctl log
grep -q 'kind=hv_mem_access' "$LVBS_SFS/log" || fail "log: no hv_mem_access entry"
grep -q 'kind=cr_pin' "$LVBS_SFS/log" || fail "log: no cr_pin entry"
grep -q 'kind=mem_violation' "$LVBS_SFS/log" || fail "log: no mem_violation entry"
grep -q 'kind=module_checked .*info0=0x4 ' "$LVBS_SFS/log" || fail "log: no module_checked entry with unknown key"

step "7. Still protected, still running"
check_active
run_ok lvbsctl status
echo
say "demo complete"
