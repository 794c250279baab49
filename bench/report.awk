# Turns the serial logs of bench_base and bench_lvbs into the benchmark's
# report (used by bench/run.sh). Input: both logs, each line prefixed with
# "base " or "lvbs " (the boot it came from); only LVBS-BENCH lines count.
# The stats JSON is lvbsctl's: the per-kind sums are in its "all" object.

# Fields "k=v" from $from on into arr.
function kv(arr, from,   i, p) {
	delete arr
	for (i = from; i <= NF; i++) {
		p = index($i, "=")
		if (p)
			arr[substr($i, 1, p - 1)] = substr($i, p + 1)
	}
}

# The value of "key": in a JSON text, as printed by lvbsctl (no nesting
# inside the value, except a flat list).
function json_get(s, key,   v) {
	if (!match(s, "\"" key "\": (\\[[^]]*\\]|\"[^\"]*\"|[-0-9]+)"))
		return ""
	v = substr(s, RSTART + length(key) + 4, RLENGTH - length(key) - 4)
	gsub(/^[\["]|[\]"]$/, "", v)
	gsub(/"/, "", v)
	return v
}

function fail(msg) {
	print "bench: " msg > "/dev/stderr"
	failed = 1
	exit 1
}

$2 == "LVBS-BENCH:" && $3 ~ /^part=/ {
	kv(a, 3)
	if (!((a["part"]) in seen)) {
		seen[a["part"]] = 1
		order[++nparts] = a["part"]
	}
	ns[$1, a["part"]] = a["ns"]
	ops[$1, a["part"]] = a["ops"]
	next
}
$2 == "LVBS-BENCH:" && $3 == "total" {
	kv(a, 4)
	total[$1] = a["ns"]
	rounds[$1] = a["rounds"]
	next
}
$1 == "lvbs" && $2 == "LVBS-BENCH:" && $3 ~ /^mark=/ {
	kv(a, 3)
	cs[a["mark"]] = a["cs"]
	next
}
$1 == "lvbs" && $2 ~ /^LVBS-BENCH-STATS-[A-Z_]+:$/ {
	name = substr($2, 18, length($2) - 18)
	if (!match($0, /"all": \{[^}]*\}/))
		fail("no per-kind sums in the " name " sample: " $0)
	n = split(substr($0, RSTART + 8, RLENGTH - 9), pairs, ", ")
	for (i = 1; i <= n; i++) {
		split(pairs[i], kvp, ": ")
		k = kvp[1]
		gsub(/"/, "", k)
		exits[name, k] = kvp[2]
		if (!(k in kindseen)) {
			kindseen[k] = 1
			kinds[++nkinds] = k
		}
	}
	sampled[name] = 1
	next
}
$1 == "lvbs" && $2 == "LVBS-BENCH-STATUS:" {
	hv_size = json_get($0, "hv_phys_size")
	vendor = json_get($0, "vendor")
	cpus = json_get($0, "cpus")
	used = json_get($0, "features_used")
	sealed = json_get($0, "sealed")
	exec_control = json_get($0, "exec_control")
	init_calls = json_get($0, "init_protect_hypercalls")
	init_ns = json_get($0, "init_protect_ns")
	prot_bytes = json_get($0, "protected_bytes")
	ranges = json_get($0, "perm_ranges")
	pool_free = json_get($0, "slat_pool_free")
	modules = json_get($0, "modules_tracked")
	next
}

# Exits of kind k between samples a and b, less one sample's own cost.
function window(a, b, k,   d) {
	d = exits[b, k] - exits[a, k] - (exits["PROBE", k] - exits["AFTER", k])
	return d < 0 ? 0 : d
}

END {
	if (failed)
		exit 1
	if (!nparts || !total["base"] || !total["lvbs"])
		fail("no workload results in one of the logs")
	if (rounds["base"] != rounds["lvbs"])
		fail("the boots ran " rounds["base"] " and " rounds["lvbs"] " rounds")
	split("IDLE_BEFORE IDLE_AFTER BEFORE AFTER PROBE", need, " ")
	for (i = 1; i <= 5; i++)
		if (!sampled[need[i]] || cs[need[i]] == "")
			fail("no " need[i] " stats sample in the lvbs log")
	if (hv_size == "")
		fail("no LVBS-BENCH-STATUS line in the lvbs log")

	printf "lvbs benchmark: QEMU TCG, two boots of the same guest, %d workload rounds each\n",
		rounds["base"]
	printf "lvbs: %s on %s CPUs, features used: %s\n\n", vendor, cpus, used == "" ? "none" : used

	printf "%-8s %8s %14s %14s %13s\n", "part", "ops", "without (ms)", "with (ms)", "with/without"
	for (i = 1; i <= nparts; i++) {
		p = order[i]
		if (ns["base", p] == "" || ns["lvbs", p] == "")
			fail("part " p " missing from one of the logs")
		if (ops["base", p] != ops["lvbs", p])
			fail("part " p ": " ops["base", p] " ops without lvbs, " ops["lvbs", p] " with")
		printf "%-8s %8d %14.1f %14.1f %13.3f\n", p, ops["base", p], ns["base", p] / 1e6,
			ns["lvbs", p] / 1e6, (ns["base", p] > 0 ? ns["lvbs", p] / ns["base", p] : 0)
	}
	printf "%-8s %8s %14.1f %14.1f %13.3f\n\n", "total", "", total["base"] / 1e6,
		total["lvbs"] / 1e6, total["lvbs"] / total["base"]

	idle_s = (cs["IDLE_AFTER"] - cs["IDLE_BEFORE"]) / 100
	work_s = (cs["AFTER"] - cs["BEFORE"]) / 100
	if (idle_s <= 0 || work_s <= 0)
		fail("bad sample times (idle " idle_s " s, workload " work_s " s)")
	printf "VM exits per second under lvbs, by kind (steady state, after launch)\n"
	printf "%-18s %12s %12s\n", "kind", "idle", "workload"
	shown = 0
	for (i = 1; i <= nkinds; i++) {
		k = kinds[i]
		if (k == "total")
			continue
		ri = window("IDLE_BEFORE", "IDLE_AFTER", k) / idle_s
		rw = window("BEFORE", "AFTER", k) / work_s
		if (ri > 0 || rw > 0) {
			printf "%-18s %12.1f %12.1f\n", k, ri, rw
			shown = 1
		}
	}
	if (!shown)
		printf "%-18s %12s %12s\n", "(none)", "", ""
	printf "%-18s %12.1f %12.1f\n", "total", window("IDLE_BEFORE", "IDLE_AFTER", "total") / idle_s,
		window("BEFORE", "AFTER", "total") / work_s
	printf "(windows: idle %.2f s, workload %.2f s; %d exits during the workload, %.1f per round;\n",
		idle_s, work_s, window("BEFORE", "AFTER", "total"),
		window("BEFORE", "AFTER", "total") / rounds["lvbs"]
	printf " each count excludes the %d exits one stats sample itself costs)\n\n",
		exits["PROBE", "total"] - exits["AFTER", "total"]

	printf "hypervisor memory: %d KiB (%d bytes, taken from the guest at launch)\n",
		hv_size / 1024, hv_size
	if (sealed != "") {
		printf "protection: sealed %s, exec control %s, %d KiB protected in %d ranges, %d modules\n",
			sealed, exec_control, prot_bytes / 1024, ranges, modules
		printf "initial protection: %d hypercalls, %.1f ms (guest clock, TCG); SLAT table pages left: %d\n",
			init_calls, init_ns / 1e6, pool_free
	}
}
