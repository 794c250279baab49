#!/bin/bash
# shellcheck disable=SC2001 # sed indents multi-line output
# Tests of lvbsctl against fixture directories (LVBS_SECURITYFS). Prints
# "N passed, N failed" and exits non-zero if any check failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ctl=$here/../lvbsctl
pass=0 fail=0

# check NAME EXPECTED_RC PATTERN DIR ARGS... : exit code and output (stdout+stderr)
check() {
	local name=$1 want=$2 pat=$3 d=$4 out rc
	shift 4
	out=$(LVBS_SECURITYFS=$d "$ctl" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $name: exit $rc, want $want"; echo "$out" | sed 's/^/    /'
		fail=$((fail + 1)); return
	fi
	if [ -n "$pat" ] && ! grep -qE -- "$pat" <<<"$out"; then
		echo "FAIL $name: output lacks /$pat/"; echo "$out" | sed 's/^/    /'
		fail=$((fail + 1)); return
	fi
	pass=$((pass + 1))
}

# check_json NAME DIR ARGS... : exit 0 and valid JSON on stdout
check_json() {
	local name=$1 d=$2 out
	shift 2
	if ! out=$(LVBS_SECURITYFS=$d "$ctl" "$@" 2>/dev/null) ||
		! python3 -m json.tool <<<"$out" >/dev/null 2>&1; then
		echo "FAIL $name: not valid JSON"; echo "$out" | sed 's/^/    /'
		fail=$((fail + 1)); return
	fi
	pass=$((pass + 1))
}

g=$here/good
check status_human 0 'CPUs: +2 virtualized, 2 online' "$g" status
check status_weaker 0 'no nRIP save' "$g" status
check status_gmet 0 'no GMET' "$g" status
check status_kib 0 '308 KiB at physical 0x2980000' "$g" status
check status_unknown_key_kept 0 'future_key' "$g" status
check status_pins 0 'pinned: +CR0 PE,WP,PG; CR4 SMEP,SMAP \(enforced on 2 CPUs\)' "$g" status
check status_msr_pins 0 'pinned MSRs: +EFER,STAR,LSTAR,CSTAR,SFMASK,SYSENTER_CS,SYSENTER_ESP,SYSENTER_EIP \(on every CPU\)' "$g" status
check status_fewcpus 0 'WARNING: +1 online CPU\(s\) run OUTSIDE' "$here/fewcpus" status
check stats_table 0 'cpuid +108 +36 +144' "$g" stats
check log_human 0 'hv_mem_access +inject_gp' "$g" log
check_json status_json "$g" status --json
check_json stats_json "$g" stats --json
check_json log_json "$g" log --json
check status_json_features 0 '"features_used": \["npt", "1g_pages"\]' "$g" status --json
check status_json_number 0 '"cpus": 2' "$g" status --json
check status_json_hex 0 '"hv_phys_base": "0x2980000"' "$g" status --json
check status_json_escape 0 '"future_key": "some \\"quoted\\" value"' "$g" status --json
check inactive 2 'not active' "$here/nonexistent" status
check inactive_json 2 '"active": false' "$here/nonexistent" log --json
check malformed_status 3 'status line 2' "$here/badstatus" status
check malformed_stats 3 'stats line 1: expected key=value' "$here/badstats" stats
check usage_none 1 'usage' "$g"
check usage_unknown 1 "unknown command 'frob'" "$g" frob
check help 0 'usage' "$g" --help

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
