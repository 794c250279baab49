#!/bin/sh
# uservmmcall: the hypercall instruction from user space (VMMCALL on AMD,
# VMCALL on Intel) gets #UD (SIGILL) and is logged.
# platforms: qemu bochs
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs
run user_vmmcall
[ "$RC" -eq 0 ] || fail "user_vmmcall: $OUT"
echo "$OUT" | grep -q '^user_vmmcall: SIGILL$' || fail "user_vmmcall did not get SIGILL"

run_ok lvbsctl log
grep -q 'kind=user_hypercall' "$LVBS_SFS/log" || fail "log: no kind=user_hypercall entry"
grep 'kind=user_hypercall' "$LVBS_SFS/log" | grep -q 'action=inject_ud' ||
	fail "log: the user_hypercall entry is not action=inject_ud"

check_active
workload_rounds 2
say "ok"
