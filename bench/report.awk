# Turns the benchmark's serial logs into its report (used by bench/run.sh).
# Input: every log, each line prefixed with its boot's tag (round1..N) and
# mode (base, strict, nx); only LVBS-BENCH lines count. The stats JSON is
# lvbsctl's: the per-kind sums are in its "all" object. Ratios are per
# round (with/without of the same round), then their median and spread
# over the rounds.

function kv(arr, from,   i, p) {
	delete arr
	for (i = from; i <= NF; i++) {
		p = index($i, "=")
		if (p)
			arr[substr($i, 1, p - 1)] = substr($i, p + 1)
	}
}

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

# Median of v[1..n] (sorted in place; mawk has no asort).
function median(v, n,   i, j, t) {
	for (i = 2; i <= n; i++) {
		t = v[i]
		for (j = i - 1; j >= 1 && v[j] > t; j--)
			v[j + 1] = v[j]
		v[j + 1] = t
	}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

# "median [low-high]" of a per-round quantity q[round, key] over the rounds.
function spread(q, key, fmt,   i, n, v, lo, hi, x) {
	n = 0
	for (i = 1; i <= nrounds; i++) {
		if (!((rtag[i], key) in q))
			continue
		x = q[rtag[i], key]
		v[++n] = x
		if (n == 1 || x < lo)
			lo = x
		if (n == 1 || x > hi)
			hi = x
	}
	if (!n)
		return "-"
	return sprintf(fmt " [" fmt "-" fmt "]", median(v, n), lo, hi)
}

{
	tag = $1
	mode = $2
	if (tag == "insn")
		have_insn = 1
	else if (!(tag in tagseen)) {
		tagseen[tag] = 1
		rtag[++nrounds] = tag
	}
}
$3 == "LVBS-INSN:" && $4 ~ /^part=/ {
	kv(a, 4)
	insns[mode, a["part"]] = a["insns"]
	next
}
$3 == "LVBS-BENCH:" && $4 ~ /^part=/ {
	kv(a, 4)
	if (!((a["part"]) in seen)) {
		seen[a["part"]] = 1
		order[++nparts] = a["part"]
	}
	ns[tag, mode, a["part"]] = a["ns"]
	ops[tag, mode, a["part"]] = a["ops"]
	next
}
$3 == "LVBS-BENCH:" && $4 == "total" {
	kv(a, 5)
	ns[tag, mode, "total"] = a["ns"]
	rounds[tag, mode] = a["rounds"]
	next
}
$3 == "LVBS-BENCH:" && $4 ~ /^mark=/ {
	kv(a, 4)
	cs[tag, mode, a["mark"]] = a["cs"]
	next
}
$3 ~ /^LVBS-BENCH-STATS-[A-Z_]+:$/ {
	name = substr($3, 18, length($3) - 18)
	if (!match($0, /"all": \{[^}]*\}/))
		fail("no per-kind sums in the " tag " " mode " " name " sample")
	n = split(substr($0, RSTART + 8, RLENGTH - 9), pairs, ", ")
	for (i = 1; i <= n; i++) {
		split(pairs[i], kvp, ": ")
		k = kvp[1]
		gsub(/"/, "", k)
		exits[tag, mode, name, k] = kvp[2]
		if (!(k in kindseen)) {
			kindseen[k] = 1
			kinds[++nkinds] = k
		}
	}
	next
}
$3 ~ /^LVBS-BENCH-STATUS-[A-Z_]+:$/ {
	name = substr($3, 19, length($3) - 19)
	for (i = 1; i <= ncounters; i++)
		st[tag, mode, name, counters[i]] = json_get($0, counters[i])
	next
}
$3 == "LVBS-BENCH-STATUS:" && mode == "strict" && hv_size == "" {
	hv_size = json_get($0, "hv_phys_size")
	vendor = json_get($0, "vendor")
	cpus = json_get($0, "cpus")
	used = json_get($0, "features_used")
	next
}

BEGIN {
	ncounters = split("user_exec_pages wx_flips wx_mixed_pages dyn_exec_pages shootdowns " \
		"slat_merges slat_coarse slat_pool_peak slat_pool_pages slat_pool_free", counters, " ")
	nmodes = split("strict nx", modes, " ")
}

# Exits of kind k in tag/mode between samples a and b, less one sample's own cost.
function window(t, m, a, b, k,   d) {
	d = exits[t, m, b, k] - exits[t, m, a, k] - (exits[t, m, "PROBE", k] - exits[t, m, "AFTER", k])
	return d < 0 ? 0 : d
}

# The same for a status counter, over the workload (or the warm-up: @warm).
function cwindow(t, m, c, warm,   d, a, b) {
	a = warm ? "WARM_BEFORE" : "BEFORE"
	b = warm ? "WARM_AFTER" : "AFTER"
	d = st[t, m, b, c] - st[t, m, a, c] - (st[t, m, "PROBE", c] - st[t, m, "AFTER", c])
	return d < 0 ? 0 : d
}

function check_boot(t, m,   i) {
	if (ns[t, m, "total"] == "")
		fail("no workload results in the " t " " m " boot")
	if (rounds[t, m] != rounds[rtag[1], "base"])
		fail("the " t " " m " boot ran " rounds[t, m] " rounds, not " rounds[rtag[1], "base"])
	if (m == "base")
		return
	split("WARM_BEFORE WARM_AFTER IDLE_BEFORE IDLE_AFTER BEFORE AFTER PROBE", need, " ")
	for (i = 1; i <= 7; i++)
		if (cs[t, m, need[i]] == "")
			fail("no " need[i] " sample in the " t " " m " boot")
}

END {
	if (failed)
		exit 1
	if (!nrounds || !nparts)
		fail("no workload results")
	order[++nparts] = "total"
	for (r = 1; r <= nrounds; r++)
		for (j = 0; j <= nmodes; j++)
			check_boot(rtag[r], j ? modes[j] : "base")

	printf "lvbs benchmark: %s, %d rounds of three boots of the same guest (without lvbs, strict, exec=nx), %d workload rounds each\n",
		vendor == "vmx" ? "Bochs (Intel VMX)" : "QEMU TCG", nrounds, rounds[rtag[1], "base"]
	printf "lvbs: %s on %s CPUs, features used: %s\n\n", vendor, cpus, used == "" ? "none" : used

	printf "time with lvbs / time without, per part: median [lowest-highest] over the %d rounds", nrounds
	printf "%s\n", have_insn ? "; insn: instructions with / without (one more round, counted by QEMU)" : ""
	printf "%-6s %8s %18s %24s %24s", "part", "ops", "base ms", "strict", "exec=nx"
	printf "%s\n", have_insn ? sprintf(" %12s %12s %14s", "insn strict", "insn nx", "base insn/op") : ""
	for (i = 1; i <= nparts; i++) {
		p = order[i]
		delete base_ms
		for (r = 1; r <= nrounds; r++) {
			t = rtag[r]
			if (ns[t, "base", p] == "" || ns[t, "base", p] <= 0)
				fail("part " p " missing in the " t " base boot")
			base_ms[t, p] = ns[t, "base", p] / 1e6
			for (j = 1; j <= nmodes; j++) {
				m = modes[j]
				if (ns[t, m, p] == "")
					fail("part " p " missing in the " t " " m " boot")
				ratio[t, m p] = ns[t, m, p] / ns[t, "base", p]
			}
		}
		printf "%-6s %8s %18s %24s %24s", p, p == "total" ? "" : ops[rtag[1], "base", p],
			spread(base_ms, p, "%.0f"), spread(ratio, "strict" p, "%.3f"),
			spread(ratio, "nx" p, "%.3f")
		if (have_insn) {
			if (p == "total") {
				printf " %12.3f %12.3f %14s", isum["strict"] / isum["base"],
					isum["nx"] / isum["base"], ""
			} else {
				ip = i - 1	# the plugin numbers parts from 0, in order
				if (insns["base", ip] <= 0 || insns["strict", ip] == "" || insns["nx", ip] == "")
					fail("no instruction count for part " p " in the insn round")
				for (j = 0; j <= nmodes; j++) {
					m = j ? modes[j] : "base"
					isum[m] += insns[m, ip]
				}
				printf " %12.3f %12.3f %14.0f", insns["strict", ip] / insns["base", ip],
					insns["nx", ip] / insns["base", ip],
					insns["base", ip] / ops[rtag[1], "base", p]
			}
		}
		printf "\n"
	}

	printf "\nVM exits per second under lvbs, by kind: median over the rounds (one stats sample's own exits left out)\n"
	printf "%-18s %12s %12s %12s %12s\n", "kind", "strict idle", "strict work", "nx idle", "nx work"
	for (i = 1; i <= nkinds; i++) {
		k = kinds[i]
		delete q
		any = 0
		for (r = 1; r <= nrounds; r++) {
			t = rtag[r]
			for (j = 1; j <= nmodes; j++) {
				m = modes[j]
				idle_s = (cs[t, m, "IDLE_AFTER"] - cs[t, m, "IDLE_BEFORE"]) / 100
				work_s = (cs[t, m, "AFTER"] - cs[t, m, "BEFORE"]) / 100
				if (idle_s <= 0 || work_s <= 0)
					fail("bad sample times in the " t " " m " boot")
				q[t, m "i"] = window(t, m, "IDLE_BEFORE", "IDLE_AFTER", k) / idle_s
				q[t, m "w"] = window(t, m, "BEFORE", "AFTER", k) / work_s
				if (q[t, m "i"] > 0 || q[t, m "w"] > 0)
					any = 1
			}
		}
		if (!any && k != "total")
			continue
		printf "%-18s %12s %12s %12s %12s\n", k, med(q, "strict" "i"), med(q, "strict" "w"),
			med(q, "nx" "i"), med(q, "nx" "w")
	}

	printf "\nlvbs's counters (median over the rounds): first use (the warm-up round right after the launch)\n"
	printf "%-44s %12s %12s\n", "", "strict", "exec=nx"
	line("user-execute grants, warm-up round", "user_exec_pages", 0, 1)
	line("TLB shootdowns, warm-up round", "shootdowns", 0, 1)
	printf "and steady state (the measured rounds, binaries cached)\n"
	execs = ops[rtag[1], "base", "fork"]
	line("user-execute grants per exec of /bin/true", "user_exec_pages", execs, 0)
	line("W^X flips (write after execute)", "wx_flips", 0, 0)
	line("pages both written and run (W+X)", "wx_mixed_pages", 0, 0)
	line("module-area execute grants", "dyn_exec_pages", 0, 0)
	line("TLB shootdowns", "shootdowns", 0, 0)
	line("SLAT tables merged back", "slat_merges", 0, 0)
	line("coarse (2 MiB) grants", "slat_coarse", 0, 0)
	for (j = 1; j <= nmodes; j++) {
		m = modes[j]
		delete q
		for (r = 1; r <= nrounds; r++) {
			t = rtag[r]
			q[t, "use"] = st[t, m, "AFTER", "slat_pool_pages"] - st[t, m, "AFTER", "slat_pool_free"]
			q[t, "peak"] = st[t, m, "AFTER", "slat_pool_peak"]
			q[t, "pool"] = st[t, m, "AFTER", "slat_pool_pages"]
		}
		tables[m] = sprintf("%s in use, peak %s, of %s", med(q, "use"), med(q, "peak"), med(q, "pool"))
	}
	printf "%-44s %s (strict); %s (exec=nx)\n", "SLAT table pages after the workload", tables["strict"], tables["nx"]
	printf "\nhypervisor memory: %d KiB (taken from the guest at launch)\n", hv_size / 1024
}

function med(q, key,   i, n, v) {
	n = 0
	for (i = 1; i <= nrounds; i++)
		if ((rtag[i], key) in q)
			v[++n] = q[rtag[i], key]
	return n ? sprintf("%.1f", median(v, n)) : "-"
}

# A counter's median over the rounds, per mode; divided by @per if not 0.
function line(label, c, per, warm,   j, m, r, t, q, out) {
	out = ""
	for (j = 1; j <= nmodes; j++) {
		m = modes[j]
		delete q
		for (r = 1; r <= nrounds; r++) {
			t = rtag[r]
			if (st[t, m, "AFTER", c] == "")
				continue
			q[t, "x"] = per ? cwindow(t, m, c, warm) / per : cwindow(t, m, c, warm)
		}
		out = out sprintf(" %12s", med(q, "x"))
	}
	printf "%-44s%s\n", label, out
}
