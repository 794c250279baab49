#!/bin/sh
# garbage: malformed hypercalls from ring 0 fail with their documented
# status codes, are logged, and do not hurt the hypervisor.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs
base=$(status_get hv_phys_base) || fail "status: no hv_phys_base"
size=$(status_get hv_phys_size) || fail "status: no hv_phys_size"

run_test_module action=garbage hv_phys="$base" hv_size="$size"
echo "$TEST_DMESG" | grep -q 'lvbs_test: FAIL' &&
	fail "$(echo "$TEST_DMESG" | grep 'lvbs_test: FAIL' | sed 's/.*lvbs_test: FAIL garbage: //' | tr '\n' ';')"
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS garbage' || fail "no 'lvbs_test: PASS garbage' in dmesg"

run_ok lvbsctl log
n=$(grep -c 'kind=bad_hypercall' "$LVBS_SFS/log")
say "$n bad_hypercall log entries"
[ "$n" -ge 1 ] || fail "log: no kind=bad_hypercall entries"

check_active
workload_ok 2
say "ok"
