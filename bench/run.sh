#!/bin/bash
# The lvbs benchmark: boots the test guest once under QEMU TCG, runs the
# same workload (fork/exec, pipes, file I/O, syscalls) without lvbs and then
# with it, and prints per part the time per operation both ways and their
# ratio, the VM exits per second by kind while idle and under the workload,
# and the hypervisor's memory. Timings under TCG are noisy and say nothing
# absolute about hardware: read the ratios and the exit counts.
#
#   bench/run.sh            (make bench builds everything first)
#   BENCH_SECONDS=10 bench/run.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
export BUILD=${BUILD:-$repo/build}
log=$BUILD/vm/logs/bench.log

LVBS_CMDLINE_EXTRA="${LVBS_CMDLINE_EXTRA:-} BENCH_SECONDS=${BENCH_SECONDS:-6}" \
	LVBS_VM_TIMEOUT=${LVBS_VM_TIMEOUT:-300} \
	"$repo/tests/vm/run-scenario.sh" bench >/dev/null ||
	{ echo "bench: the benchmark VM failed; see $log" >&2; exit 1; }

tr -d '\r' <"$log" | awk '
function kv(line, arr,   i, n, f, p) {
	n = split(line, f, " ")
	for (i = 1; i <= n; i++) {
		p = index(f[i], "=")
		if (p) arr[substr(f[i], 1, p - 1)] = substr(f[i], p + 1)
	}
}
/^LVBS-BENCH mode=/ {
	delete a; kv($0, a)
	if (a["part"] != "") { perop[a["mode"], a["part"]] = a["ns_per_op"]; parts[a["part"]] = 1 }
	else if ($3 == "total") total[a["mode"]] = a["ns"] / a["rounds"]
}
/^LVBS-BENCH hv_bytes=/ { delete a; kv($0, a); hv = a["hv_bytes"] }
/^LVBS-BENCH exits-(before|after)-(idle|work)/ {
	split($2, w, "-"); delete a; kv($0, a)
	for (k in a) { cnt[w[2], w[3], k] = a[k]; kinds[k] = 1 }
}
/^LVBS-BENCH (idle|work)-cs=/ { split($2, w, "="); sub("-cs", "", w[1]); secs[w[1]] = w[2] / 100 }
END {
	if (!hv || !secs["idle"] || !secs["work"]) { print "bench: incomplete results in the log" > "/dev/stderr"; exit 1 }
	printf "lvbs benchmark: QEMU TCG, -cpu EPYC,+svm -smp 2, one boot, same guest without then with lvbs\n\n"
	printf "%-8s %16s %16s %8s\n", "part", "ns/op without", "ns/op with", "ratio"
	for (p in parts) {
		b = perop["base", p]; l = perop["lvbs", p]
		printf "%-8s %16d %16d %8.3f\n", p, b, l, (b > 0 ? l / b : 0)
	}
	printf "%-8s %16d %16d %8.3f   (ns per workload round)\n\n", "total", total["base"], total["lvbs"], total["lvbs"] / total["base"]
	printf "VM exits per second with lvbs, by kind\n%-18s %12s %12s\n", "kind", "idle", "workload"
	for (k in kinds) {
		if (k == "total") continue
		ri = (cnt["after", "idle", k] - cnt["before", "idle", k]) / secs["idle"]
		rw = (cnt["after", "work", k] - cnt["before", "work", k]) / secs["work"]
		if (ri > 0 || rw > 0) printf "%-18s %12.1f %12.1f\n", k, ri, rw
	}
	ri = (cnt["after", "idle", "total"] - cnt["before", "idle", "total"]) / secs["idle"]
	rw = (cnt["after", "work", "total"] - cnt["before", "work", "total"]) / secs["work"]
	printf "%-18s %12.1f %12.1f   (idle %.1f s, workload %.1f s)\n\n", "total", ri, rw, secs["idle"], secs["work"]
	printf "hypervisor memory: %d KiB\n", hv / 1024
}'
echo "(raw serial log: $log)"
