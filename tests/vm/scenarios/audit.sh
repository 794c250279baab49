#!/bin/sh
# audit: with lvbs.ko audit=1 a memory violation is logged and let through
# (for a first rollout), while register pins stay enforced; after SEAL the
# policy can go from audit to enforce but never back.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs audit=1
[ "$(status_get sealed)" = 1 ] || fail "status: not sealed"
[ "$(status_get policy)" = audit ] || fail "status: policy is not audit"
run_ok lvbsctl status
echo "$OUT" | grep -q 'WARNING: *audit policy' || fail "lvbsctl status does not warn about audit"

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
