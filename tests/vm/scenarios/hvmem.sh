#!/bin/sh
# hvmem: the kernel cannot read or write the hypervisor's memory. Each
# attempt gets #GP (the touching thread oopses), is logged, and the system
# keeps running.
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

load_lvbs
base=$(status_get hv_phys_base) || fail "status: no hv_phys_base"
size=$(status_get hv_phys_size) || fail "status: no hv_phys_size"
say "hypervisor memory: base $base, $size bytes"
[ "$((size))" -gt 0 ] || fail "status: hv_phys_size is 0"

for action in touch_hv_read touch_hv_write; do
	attack_blocked $action hv_phys="$base"
	echo "$TEST_DMESG" | grep -q "lvbs_test: touching hypervisor memory at $base" ||
		fail "$action: the test module did not try"
done

run_ok lvbsctl log
# kind=hv_mem_access, action=inject_gp, gpa inside [base, base + size).
hits=$(awk -v lo="$((base))" -v hi="$((base + size))" '
	/kind=hv_mem_access/ && /action=inject_gp/ {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^gpa=0x/) {
				g = 0; h = substr($i, 7)
				for (j = 1; j <= length(h); j++)
					g = g * 16 + index("0123456789abcdef", substr(h, j, 1)) - 1
				if (g >= lo && g < hi)
					n++
			}
	}
	END { print n + 0 }' "$LVBS_SFS/log")
say "$hits hv_mem_access entries with action=inject_gp inside the hypervisor"
[ "$hits" -ge 1 ] || fail "log: no kind=hv_mem_access action=inject_gp entry with gpa in [$base, +$size)"
grep 'kind=hv_mem_access' "$LVBS_SFS/log" | grep -q 'access=[^ ]*w' ||
	fail "log: the write attempt is not logged with access w"

# The system lives on.
workload_ok 2
run_ok lvbsctl status
check_active
say "ok"
