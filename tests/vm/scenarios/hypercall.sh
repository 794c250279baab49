#!/bin/sh
# hypercall: a ring-0 round trip of GET_INFO, GET_STATS and READ_LOG with
# raw VMMCALLs from lvbs_test.ko.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs
before=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^hypercall=/) { sub("hypercall=", "", $i); s += $i } } END { print s + 0 }' "$LVBS_SFS/stats")

run_test_module action=roundtrip
echo "$TEST_DMESG" | grep -q 'lvbs_test: FAIL' &&
	fail "lvbs_test: $(echo "$TEST_DMESG" | grep -m1 -o 'lvbs_test: FAIL.*')"
echo "$TEST_DMESG" | grep -q 'lvbs_test: PASS roundtrip' ||
	fail "no 'lvbs_test: PASS roundtrip' in dmesg"

after=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^hypercall=/) { sub("hypercall=", "", $i); s += $i } } END { print s + 0 }' "$LVBS_SFS/stats")
say "hypercall exits before $before, after $after"
[ "$after" -gt "$before" ] || fail "stats: hypercall exits did not grow across the test"

check_active
say "ok"
