#!/bin/sh
# audit: with lvbs.ko audit=1 a memory violation is logged and let through
# (for a first rollout), while register pins stay enforced; after SEAL the
# policy can go from audit to enforce but never back. Loaded with exec=nx
# too: the other relaxing parameter, which status must name.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs audit=1 exec=nx
[ "$(status_get sealed)" = 1 ] || fail "status: not sealed"
[ "$(status_get policy)" = audit ] || fail "status: policy is not audit"
# exec=nx relaxes strict W^X to the NX fallback, and status says what that costs.
[ "$(status_get exec_control)" = nx_fallback ] ||
	fail "status: exec=nx gave exec_control $(status_get exec_control)"
run_ok lvbsctl status
echo "$OUT" | grep -q 'WARNING: *audit policy' || fail "lvbsctl status does not warn about audit"
echo "$OUT" | grep -q '^weaker: *exec=nx: ordinary RAM' || fail "lvbsctl status does not name the exec=nx weakness"

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
