#!/bin/bash
# Tests of lvbsctl against fixture directories (LVBS_SECURITYFS=DIR):
#   good/       what lvbs.ko prints on QEMU TCG (SVM with NPT only)
#   fewcpus/    status with fewer CPUs virtualized than online
#   badstatus/, badstats/   malformed lines
#   nonexistent/ (absent)   lvbs not loaded
# plus variants of good/ made here with one line broken or changed, each
# checked for the exit status and a piece of the output.
# Prints "N passed, N failed" and exits non-zero if any check failed.
# shellcheck disable=SC2001 # sed indents multi-line output
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ctl=$here/../lvbsctl
g=$here/good
pass=0 fail=0

[ -x "$ctl" ] || { echo "run.sh: build lvbsctl first (make -C tools/lvbsctl)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad() {
	echo "FAIL $1: $2"
	echo "$3" | sed 's/^/    /'
	fail=$((fail + 1))
}

# check NAME EXPECTED_RC PATTERN DIR ARGS... : exit status, and PATTERN
# (extended regex) somewhere in stdout+stderr.
check() {
	local name=$1 want=$2 pat=$3 d=$4 out rc=0
	shift 4
	out=$(LVBS_SECURITYFS=$d "$ctl" "$@" 2>&1) || rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name" "exit $rc, want $want" "$out"
	elif [ -n "$pat" ] && ! grep -qE -- "$pat" <<<"$out"; then
		bad "$name" "output lacks /$pat/" "$out"
	else
		pass=$((pass + 1))
	fi
}

# check_not NAME PATTERN DIR ARGS... : exit 0 and PATTERN absent.
check_not() {
	local name=$1 pat=$2 d=$3 out rc=0
	shift 3
	out=$(LVBS_SECURITYFS=$d "$ctl" "$@" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] || grep -qE -- "$pat" <<<"$out"; then
		bad "$name" "exit $rc, or output has /$pat/" "$out"
	else
		pass=$((pass + 1))
	fi
}

# check_json NAME WANT_RC PYEXPR DIR ARGS... : stdout alone is valid JSON
# (python3 -m json.tool) and the Python expression PYEXPR on it (as j) holds.
check_json() {
	local name=$1 want=$2 expr=$3 d=$4 out rc=0
	shift 4
	out=$(LVBS_SECURITYFS=$d "$ctl" "$@" 2>/dev/null) || rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name" "exit $rc, want $want" "$out"
	elif ! python3 -m json.tool <<<"$out" >/dev/null 2>&1; then
		bad "$name" "not valid JSON" "$out"
	elif ! python3 -c "import json, sys; j = json.load(sys.stdin); sys.exit(0 if ($expr) else 1)" \
		<<<"$out"; then
		bad "$name" "JSON fails: $expr" "$out"
	else
		pass=$((pass + 1))
	fi
}

# variant NAME FILE SED_SCRIPT : a copy of good/ in $tmp/NAME with FILE
# edited by SED_SCRIPT; prints the directory.
variant() {
	local d=$tmp/$1
	mkdir -p "$d"
	cp "$g"/* "$d/"
	sed -i -e "$3" "$d/$2"
	echo "$d"
}

# ---- status ----
check status_active 0 '^lvbs: +active$' "$g" status
check status_cpus 0 'CPUs: +2 virtualized, 2 online' "$g" status
check_not status_no_cpu_warning 'WARNING' "$g" status
check status_kib 0 '308 KiB at physical 0x2980000' "$g" status
check status_features 0 'features used: +npt,1g_pages' "$g" status
check status_nrips 0 'no nRIP save: .*same protection' "$g" status
check status_decode 0 'no decode assists' "$g" status
check status_gmet 0 'no GMET: .*NX fallback' "$g" status
check status_mem_abi2 0 '^memory: +not protected' "$g" status
# ABI 3: memory protection.
mem='$a sealed 1\npolicy enforce\nexec_control nx_fallback\nperm_ranges 20\nperm_capacity 8192\nprotected_bytes 44294144\nkernel_x_bytes 14778368\nviolations 0\npatches_allowed 456\npatches_denied 0\nlog_suppressed 0\nshootdowns 3\nslat_pool_free 339\ndyn_exec_pages 0\nuser_exec_pages 0\nmodules_tracked 1\nmodule_trust tofu\ninit_protect_hypercalls 3\ninit_protect_ns 5104890'
d=$(variant mem status "s/^abi_version .*/abi_version 3/; $mem")
check status_mem_sealed 0 '^memory: +sealed, policy enforce, 43256 KiB protected in 20 of 8192 ranges' "$d" status
check status_mem_init 0 '^initial protection: 3 hypercalls, 5104 us; 1 modules tracked' "$d" status
check status_mem_exec 0 '^exec control: +nx_fallback, 14432 KiB' "$d" status
check status_mem_fallback 0 '^weaker: +exec=nx: ordinary RAM' "$d" status
check status_mem_tofu 0 '^weaker: +module_trust tofu: every module the kernel loads is trusted on first use' "$d" status
check status_mem_events 0 '^events: +0 violations, 456 patches allowed, 0 denied, 3 shootdowns' "$d" status
check_not status_mem_no_warning 'WARNING' "$d" status
check_not status_mem_keys_known '^  (sealed|module_trust|init_protect_ns) ' "$d" status
check_json status_mem_json 0 'j["sealed"] == 1 and j["exec_control"] == "nx_fallback" and j["init_protect_hypercalls"] == 3' "$d" status --json
d=$(variant memaudit status "s/^abi_version .*/abi_version 3/; $mem" && sed -i 's/^policy .*/policy audit/' "$tmp/memaudit/status")
check status_mem_audit 0 '^WARNING: +audit policy' "$d" status
d=$(variant memopen status "s/^abi_version .*/abi_version 3/; $mem" && sed -i 's/^sealed .*/sealed 0/' "$tmp/memopen/status")
check status_mem_unsealed 0 '^WARNING: +not sealed' "$d" status
d=$(variant memgmet status "s/^abi_version .*/abi_version 3/; $mem" && sed -i 's/^exec_control .*/exec_control gmet/' "$tmp/memgmet/status")
check_not status_mem_gmet 'ordinary RAM' "$d" status
check_not status_mem_gmet_hole 'one execute bit' "$d" status
d=$(variant memstrict status "s/^abi_version .*/abi_version 4/; $mem" && sed -i 's/^exec_control .*/exec_control strict/' "$tmp/memstrict/status" && printf 'wx_flips 5\nwx_mixed_pages 1\nslat_coarse 2\n' >>"$tmp/memstrict/status")
check status_mem_strict_hole 0 '^weaker: +no GMET: strict W\^X in the SLAT, but one execute bit' "$d" status
check status_mem_strict_counts 0 '^W\^X: +0 user-execute grants, 0 module-area execute grants, 5 writes that took execute away, 1 pages' "$d" status
check status_mem_coarse 0 '^WARNING: +the SLAT ran out of table pages: 2 grants' "$d" status
check_not status_mem_strict_not_nx '^weaker: +exec=nx' "$d" status
d=$(variant memdrop status "s/^abi_version .*/abi_version 5/; $mem" && printf 'stores_dropped 7\ntext_poke_bugs_skipped 1\n' >>"$tmp/memdrop/status")
check status_mem_dropped 0 '^reaction: +a denied kernel store is dropped, .*\(7 so far, 1 refused text_poke\(\) BUGs skipped\)' "$d" status
check_not status_mem_no_reaction_before_v5 '^reaction:' "$(variant memv4 status "s/^abi_version .*/abi_version 4/; $mem")" status
d=$(variant nmion status "$mem" && printf 'nmi_marks on\nkick_nmis_claimed 12\nleftover_nmis_claimed 3\n' >>"$tmp/nmion/status")
check status_nmi_marks_on 0 '^NMIs: +each TLB shootdown kick also gives the guest an NMI, claimed by lvbs.ko \(12 so far, 3 leftovers\)' "$d" status
d=$(variant nmioff status "$mem" && printf 'nmi_marks off\nkick_nmis_claimed 0\nleftover_nmis_claimed 0\n' >>"$tmp/nmioff/status")
check status_nmi_marks_off 0 '^NMIs: +WEAKER: lvbs.ko has no NMI handler' "$d" status
check_not status_no_nmi_line_without_key '^NMIs:' "$(variant nmiold status "$mem")" status
d=$(variant cpuidpass status "$mem" && printf 'cpuid pass\n' >>"$tmp/cpuidpass/status")
check status_cpuid_pass 0 '^CPUID: +WEAKER: passed through \(cpuid=pass\): no CPUID exits, but the guest sees SVM' "$d" status
check_json status_cpuid_pass_json 0 'j["cpuid"] == "pass"' "$d" status --json
d=$(variant cpuidhide status "$mem" && printf 'cpuid hide\n' >>"$tmp/cpuidhide/status")
check status_cpuid_hide 0 '^CPUID: +intercepted: SVM hidden from the guest' "$d" status
check_not status_no_cpuid_line_without_key '^CPUID:' "$(variant cpuidold status "$mem")" status
d=$(variant keysv7 status "$mem" && printf 'keys_trusted 2\nkeys_refused 1\nblacklist_hashes 3\n' >>"$tmp/keysv7/status")
check status_keys 0 '^module keys: +2 trusted \(lvbsctl keys\), 1 refused, 3 blacklisted digests$' "$d" status
check_json status_keys_json 0 'j["keys_trusted"] == 2 and j["blacklist_hashes"] == 3' "$d" status --json
check_not status_no_modcheck_line_without_key '^module signatures:' "$d" status
d=$(variant modchk status "$mem" && printf 'module_checks on\nmodules_verified 18\nmodules_failed 2\nmodules_unchecked 5\n' >>"$tmp/modchk/status")
check status_modcheck_tofu 0 '^module signatures: checked by the hypervisor, not enforced \(module_trust tofu\): 18 verified, 2 failed, 5 loaded with no signature checked' "$d" status
d=$(variant modsigned status "$mem" && sed -i 's/^module_trust .*/module_trust signed/' "$tmp/modsigned/status" && printf 'module_checks on\nmodules_verified 18\nmodules_failed 2\nmodules_unchecked 5\n' >>"$tmp/modsigned/status")
check status_modcheck_signed 0 '^module signatures: enforced: only modules whose file the hypervisor verified run code; 18 verified, 2 failed, 5 came with no signature' "$d" status
check_not status_no_modcmp_line_without_key '^module code:' "$d" status
dc=$(variant modcmp status "$mem" && printf 'modules_compared 17\nmodules_differ 16\nmodules_compare_failed 1\nmodule_bytes_differ 4242\nmodules_not_compared 2\n' >>"$tmp/modcmp/status")
check status_modcmp_measured 0 '^module code: +NOT enforced \(module_trust tofu\): compared with the signed file \(the kernel.s own patches allowed by kind\), measured only: 17 compared, 16 differ \(4242 bytes no patch explains\), 1 could not be compared, 2 verified modules not compared' "$dc" status
ds=$(variant modcmps status "$mem" && sed -i 's/^module_trust .*/module_trust signed/' "$tmp/modcmps/status" && printf 'modules_compared 17\nmodules_differ 16\nmodules_compare_failed 1\nmodule_bytes_differ 4242\nmodules_not_compared 2\n' >>"$tmp/modcmps/status")
check status_modcmp_enforced 0 '^module code: +enforced: a module.s code gets execute only if the hypervisor, relocating its signed file itself, finds the same bytes .*: 17 compared, 16 differ \(4242 bytes no patch explains\), 1 could not be compared, 2 verified modules not compared, all refused; weaker: a call the kernel patched in is checked to land in registered code' "$ds" status
check_not status_no_imports_line_before_v10 '^module imports:' "$ds" status
# As many keys as a status of this ABI has (70 lines, ABI 10), and more.
dm=$(variant manykeys status "$mem" && for i in $(seq 1 90); do echo "future_key_$i $i"; done >>"$tmp/manykeys/status")
check status_many_keys 0 '^lvbs: +active$' "$dm" status
de=$(variant exports status "$mem" && printf 'exports_kernel 10503\nexports_modules 4\nimports_checked 1234\n' >>"$tmp/exports/status")
check status_imports_checked 0 '^module imports: +each import.s value taken from the kernel.s export tables \(10503 entries, given before SEAL\) or a compared module.s \(4 modules\), not from the loader: 1234 imports so taken$' "$de" status
dn=$(variant noexports status "$mem" && printf 'exports_kernel 0\nexports_modules 0\nimports_checked 0\n' >>"$tmp/noexports/status")
check status_imports_unchecked 0 '^module imports: +WEAKER: the kernel.s export tables were not found' "$dn" status
check_json status_exports_json 0 'j["exports_kernel"] == 10503 and j["imports_checked"] == 1234' "$de" status --json
check_not status_signed_not_tofu 'trusted on first use' "$d" status
d=$(variant modchkoff status "$mem" && sed -i 's/^module_trust .*/module_trust signed/' "$tmp/modchkoff/status" && printf 'module_checks off\n' >>"$tmp/modchkoff/status")
check status_modcheck_off 0 '^module signatures: WEAKER: not checked at all .*with module_trust signed no module can load' "$d" status
check_not status_no_keys_line_before_v7 '^module keys:' "$(variant keysv6 status "$mem")" status
d=$(variant membad status "s/^abi_version .*/abi_version 3/; $mem" && sed -i 's/^violations .*/violations many/' "$tmp/membad/status")
check status_mem_bad 3 'violations' "$d" status
check status_asid 0 'no flush-by-ASID' "$g" status
check status_unload 0 '^unload: +refused' "$g" status
check status_unknown_key_kept 0 'future_key +some "quoted" value' "$g" status
check status_pins 0 'pinned CRs: +CR0 PE,WP,PG; CR4 SMEP,SMAP \(enforced on 2 CPUs\)' "$g" status
check status_msr_pins 0 'pinned MSRs: +EFER,STAR,LSTAR,CSTAR,SFMASK,SYSENTER_CS,SYSENTER_ESP,SYSENTER_EIP \(on every CPU\)' "$g" status
check status_fewcpus 0 'WARNING: .*1 online CPU\(s\) run OUTSIDE the hypervisor' "$here/fewcpus" status
d=$(variant allfeat status 's/^features_present .*/features_present npt,nrips,decode_assists,gmet,flush_by_asid,vgif,1g_pages/')
check status_no_weakness 0 'weaker protections: none' "$d" status
d=$(variant vmx status 's/^vendor .*/vendor vmx/; s/^features_present .*/features_present ept,vpid/')
check status_vmx_mbec 0 'no MBEC' "$d" status
check_not status_vmx_no_svm_lines 'nRIP|GMET|VPID' "$d" status
d=$(variant nofeat status 's/^features_used .*/features_used -/')
check status_features_none 0 'features used: +none' "$d" status
check_json status_json_features_none 0 'j["features_used"] == []' "$d" status --json

check_json status_json 0 'j["active"] is True and j["cpus"] == 2 and j["vendor"] == "svm"' "$g" status --json
check_json status_json_list 0 'j["features_used"] == ["npt", "1g_pages"]' "$g" status --json
check_json status_json_hex 0 'j["hv_phys_base"] == "0x2980000" and j["hv_phys_size"] == 315392' "$g" status --json
check_json status_json_escape 0 'j["future_key"] == "some \"quoted\" value"' "$g" status --json
check_json status_json_weaker 0 '[w["feature"] for w in j["weaker_protections"]] == ["nrips", "decode_assists", "gmet", "flush_by_asid"]' "$g" status --json

# ---- stats ----
check stats_header 0 '^cpu +apic_id +total +cpuid +hypercall$' "$g" stats
check stats_row 0 '^ +1 +1 +37 +36 +1$' "$g" stats
check stats_total 0 '^all +147 +144 +3$' "$g" stats
check stats_zero_kinds 0 'zero on every CPU: msr_read, msr_write, slat' "$g" stats
check_json stats_json 0 'len(j["cpus"]) == 2 and j["cpus"][0]["cpuid"] == 108' "$g" stats --json
check_json stats_json_all 0 'j["all"]["total"] == 147 and j["all"]["hypercall"] == 3 and "cpu" not in j["all"]' "$g" stats --json

# ---- log ----
check log_human 0 '^#3 +cpu1 +hv_mem_access +inject_gp +rip=0xffffffffc02f9057 gpa=0x2a01000 access=w count=2' "$g" log
check log_gap 0 '1 entry lost' "$g" log
check_json log_json 0 'len(j["entries"]) == 2 and j["entries"][1]["kind"] == "hv_mem_access" and j["entries"][1]["rip"] == "0xffffffffc02f9057" and j["entries"][1]["seq"] == 3' "$g" log --json
d=$(variant emptylog log 'd')
check log_empty 0 '\(no events\)' "$d" log
check_json log_empty_json 0 'j["entries"] == []' "$d" log --json
d=$(variant logcpu log 's/cpu=1 kind=launch/cpu=-1 kind=launch/')
check_json log_cpu_unknown 0 'j["entries"][0]["cpu"] == -1' "$d" log --json

# ---- lvbs not loaded ----
check inactive 2 '^lvbsctl: lvbs is not active \(no .*/nonexistent; is lvbs.ko loaded\?\)$' "$here/nonexistent" status
check inactive_stats 2 'not active' "$here/nonexistent" stats
check_json inactive_json 2 'j["active"] is False and "not active" in j["error"]' "$here/nonexistent" log --json

# ---- malformed data: exit 3, naming file and line ----
check bad_status_line 3 'badstatus/status line 2: expected .key value.' "$here/badstatus" status
check bad_status_json 3 'badstatus/status line 2' "$here/badstatus" status --json
check bad_stats_line 3 'badstats/stats line 1: expected key=value' "$here/badstats" stats
d=$(variant dupkey status '3a vendor vmx')
check bad_status_dup 3 "status line 4: 'vendor' given twice" "$d" status
d=$(variant missing status '/^cpus_online /d')
check bad_status_missing 3 "status: missing 'cpus_online'" "$d" status
d=$(variant badhex status 's/^hv_phys_base .*/hv_phys_base 2980000/')
check bad_status_hex 3 "'hv_phys_base' is '2980000', expected a 0x hex number" "$d" status
d=$(variant inactive status 's/^active .*/active 0/')
check bad_status_active 3 "'active' is '0'" "$d" status
d=$(variant badlist status 's/^features_used .*/features_used npt,,vgif/')
check bad_status_list 3 "'features_used' is 'npt,,vgif'" "$d" status
d=$(variant emptyline status '5G')
check bad_status_empty_line 3 'status line 6: empty line' "$d" status
d=$(variant longline status "\$a long_key $(head -c 5000 /dev/zero | tr '\0' x)")
check bad_status_long 3 'line 20: line longer than' "$d" status
d=$(variant badnum stats '2s/cpuid=36/cpuid=3x6/')
check bad_stats_number 3 "stats line 2: 'cpuid' is '3x6', expected an unsigned decimal" "$d" stats
d=$(variant leadzero stats '1s/cpuid=108/cpuid=0108/')
check bad_stats_leading_zero 3 "stats line 1: 'cpuid' is '0108'" "$d" stats --json
d=$(variant cols stats '2s/ xsetbv=0//')
check bad_stats_columns 3 "stats line 2: missing 'xsetbv'" "$d" stats
d=$(variant nostats stats 'd')
check bad_stats_empty 3 'stats: no CPU lines' "$d" stats
d=$(variant spaces stats '1s/ total/  total/')
check bad_stats_spaces 3 'stats line 1: fields must be one space apart' "$d" stats
d=$(variant badacc log '2s/access=w/access=wr/')
check bad_log_access 3 "log line 2: 'access' is 'wr'" "$d" log
d=$(variant badseq log '2s/seq=3/seq=1/')
check bad_log_seq 3 'log line 2: seq 1 after 1' "$d" log
d=$(variant nokind log '1s/ kind=launch//')
check bad_log_missing 3 "log line 1: missing 'kind'" "$d" log
d=$(variant noread stats 's/x/x/')
rm "$d/stats"
check bad_unreadable 3 'stats: No such file or directory' "$d" stats

# ---- keys ----
check keys_list 0 '^0 +builtin +rsa-4096 +sha256:25afe6703b2b8a1f0a2c5c4f3f1a6c9e4d1b0f7e9c8d7a6b5c4d3e2f1a0b970d Build time autogenerated kernel key$' "$g" keys
check keys_secondary 0 '^1 +secondary +ecdsa-256 +sha256:0123.* lvbs test key d \(issued by key 0\)$' "$g" keys
check_json keys_json 0 'j["keys"][0]["name"] == "Build time autogenerated kernel key" and j["keys"][1]["bits"] == 256 and j["keys"][1]["source"] == "secondary"' "$g" keys --json
d=$(variant nokeys keys 'd')
check keys_none 0 '^\(no module-signing keys' "$d" keys
d=$(variant badfpr keys '1s/fingerprint=25af/fingerprint=25AF/')
check bad_keys_fpr 3 "keys line 1: 'fingerprint' is '25AF.*expected 64 hex digits" "$d" keys
d=$(variant badesc keys '1s/%20time/%2time/')
check bad_keys_escape 3 'keys line 1: bad %XX escape in name' "$d" keys
d=$(variant noslot keys '2s/^slot=1 //')
check bad_keys_missing 3 "keys line 2: missing 'slot'" "$d" keys
# add-key writes the certificate to DIR/keys in one write().
d=$(variant addkey keys 's/x/x/')
printf '\x30\x03\x02\x01\x05' >"$tmp/cert.der"
: >"$d/keys"
check add_key 0 'cert.der: trusted' "$d" add-key "$tmp/cert.der"
if ! cmp -s "$tmp/cert.der" "$d/keys"; then bad add_key_bytes "keys file differs" "$(od -An -tx1 "$d/keys")"; else pass=$((pass + 1)); fi
printf 'not der' >"$tmp/notder"
check add_key_not_der 1 'not a DER certificate' "$d" add-key "$tmp/notder"
check add_key_missing_file 1 'No such file' "$d" add-key "$tmp/absent.der"
check add_key_no_arg 1 'a certificate file is needed' "$d" add-key
check add_key_json 1 'no --json for' "$d" add-key "$tmp/cert.der" --json
rm "$d/keys"
check add_key_no_keys_file 3 'keys: No such file' "$d" add-key "$tmp/cert.der"

# ---- the verdict: status, check (Nagios plugin exit codes), metrics ----
# check_prom NAME DIR: metrics exits 0 and prints valid Prometheus text:
# every sample's metric has a TYPE line before it, values are numbers.
check_prom() {
	local name=$1 d=$2 out rc=0
	out=$(LVBS_SECURITYFS=$d "$ctl" metrics 2>&1) || rc=$?
	if [ "$rc" -ne 0 ]; then
		bad "$name" "exit $rc, want 0" "$out"
	elif ! python3 -c '
import re, sys
typed = set()
for line in sys.stdin.read().splitlines():
    m = re.match(r"# TYPE ([a-z_]+) (gauge|counter)$", line)
    if m:
        typed.add(m.group(1)); continue
    if line.startswith("# HELP "):
        continue
    m = re.match(r"([a-z_]+)(\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\})? [0-9]+$", line)
    if not m or m.group(1) not in typed:
        sys.exit("bad line: " + line)
' <<<"$out"; then
		bad "$name" "not valid Prometheus text" "$out"
	else
		pass=$((pass + 1))
	fi
}
# good/ is an lvbs.ko from before memory protection: degraded.
check verdict_old 0 '^verdict: +degraded: no_memory_protection \(each' "$g" status
check check_old 1 '^WARNING: lvbs degraded: no_memory_protection$' "$g" check
check_json status_json_verdict 0 'j["verdict"] == "degraded" and [f["id"] for f in j["findings"]] == ["no_memory_protection"]' "$g" status --json
full='s/^policy .*/policy enforce/; s/^exec_control .*/exec_control gmet/; s/^module_trust .*/module_trust signed/'
d=$(variant full status "$mem" && sed -i "$full" "$tmp/full/status" && printf 'nmi_marks on\ncpuid hide\nmodule_checks on\n' >>"$tmp/full/status")
check verdict_protected 0 '^verdict: +protected$' "$d" status
check check_protected 0 '^OK: lvbs protected$' "$d" check
check_json check_protected_json 0 'j["verdict"] == "protected" and j["findings"] == []' "$d" check --json
check status_gmet_unproven 0 '^note: +GMET \(asked for with gmet=1\) has not run on hardware' "$d" status
# MBEC on Intel (mbec=1 on a CPU that has it): the execute split, said unproven.
d=$(variant mbecv status "$mem" && sed -i "$full" "$tmp/mbecv/status" && sed -i 's/^vendor .*/vendor vmx/; s/^exec_control .*/exec_control mbec/; s/^features_present .*/features_present 1g_pages,ept,vpid,mbec,eptp_switching,ve/; s/^features_used .*/features_used 1g_pages,ept,vpid,mbec/' "$tmp/mbecv/status" && printf 'nmi_marks on\ncpuid hide\nmodule_checks on\n' >>"$tmp/mbecv/status")
check check_mbec 0 '^OK: lvbs protected$' "$d" check
check status_mbec 0 '^exec control: +mbec, ' "$d" status
check status_mbec_unproven 0 '^note: +MBEC \(asked for with mbec=1\) has not run on hardware' "$d" status
check_not status_mbec_no_weakness 'no MBEC' "$d" status
check_not check_protected_no_weaker '^(weaker|WARNING):' "$d" status
d=$(variant degr status "$mem" && printf 'nmi_marks off\ncpuid pass\n' >>"$tmp/degr/status")
check check_degraded 1 '^WARNING: lvbs degraded: exec_nx, module_trust_tofu, no_nmi_handler, cpuid_pass$' "$d" check
check_json check_degraded_json 1 'j["verdict"] == "degraded" and [f["level"] for f in j["findings"]] == ["degraded"] * 4' "$d" check --json
d=$(variant strictv status "$mem" && sed -i 's/^exec_control .*/exec_control strict/; s/^module_trust .*/module_trust signed/' "$tmp/strictv/status")
check check_no_gmet 1 '^WARNING: lvbs degraded: no_gmet$' "$d" check
# VMX as it runs today under Bochs: no MBEC (strict W^X), CPUID exits
# that cannot be turned off; the descriptor tables pinned on every CPU.
d=$(variant vmxv status "$mem" && sed -i 's/^vendor .*/vendor vmx/; s/^exec_control .*/exec_control strict/; s/^module_trust .*/module_trust signed/; s/^features_present .*/features_present 1g_pages,ept,vpid/; s/^features_used .*/features_used 1g_pages,ept,vpid/' "$tmp/vmxv/status" && printf 'nmi_marks on\ncpuid hide\nmodule_checks on\n' >>"$tmp/vmxv/status")
check check_vmx 1 '^WARNING: lvbs degraded: no_gmet$' "$d" check
check status_vmx_dt_pinned 0 '^pinned tables: +IDTR,GDTR,TR \(on 2 CPUs\)$' "$d" status
check_not status_vmx_dt_no_warning '^WARNING: +IDTR' "$d" status
check status_vmx_mbec 0 '^weaker: +no MBEC: strict W\^X' "$d" status
check status_vmx_cpuid 0 '^CPUID: +intercepted: VMX hidden .*which VMX cannot turn off' "$d" status
check status_vmx_weakness 0 'no MBEC: EPT cannot separate' "$d" status
# A VMX without descriptor-table exiting: PIN_DT refused, said.
d=$(variant vmxnodt status "$mem" && sed -i 's/^vendor .*/vendor vmx/; s/^exec_control .*/exec_control strict/; s/^module_trust .*/module_trust signed/; s/^pinned_dt_cpus .*/pinned_dt_cpus 0/' "$tmp/vmxnodt/status" && printf 'nmi_marks on\ncpuid hide\nmodule_checks on\n' >>"$tmp/vmxnodt/status")
check check_vmx_nodt 1 '^WARNING: lvbs degraded: no_gmet, dt_pins_partial$' "$d" check
check status_vmx_dt 0 '^WARNING: +IDTR, GDTR and TR are pinned on 0 of 2 CPUs \(this CPU.s VMX has no descriptor-table exiting\)$' "$d" status
d=$(variant unsealedv status "$mem" && sed -i 's/^sealed .*/sealed 0/' "$tmp/unsealedv/status")
check check_unsealed 2 '^CRITICAL: lvbs NOT protected: not_sealed$' "$d" check
check verdict_unsealed 0 '^verdict: +NOT PROTECTED: not_sealed$' "$d" status
check check_fewcpus 2 '^CRITICAL: lvbs NOT protected: cpus_outside$' "$here/fewcpus" check
check check_inactive 2 '^CRITICAL: lvbs NOT protected: not active$' "$here/nonexistent" check
check_json check_inactive_json 2 'j["active"] is False and j["verdict"] == "not_protected"' "$here/nonexistent" check --json
check check_malformed 3 'badstatus/status line 2' "$here/badstatus" check
check check_usage 3 "unexpected argument '--frob'" "$g" check --frob
d=$(variant nocr status 's/^pinned_cr0 .*/pinned_cr0 0x0/; s/^pinned_cr4 .*/pinned_cr4 0x0/; s/^pinned_msrs .*/pinned_msrs 0x7f/')
check check_pins 1 '^WARNING: lvbs degraded: no_memory_protection, no_cr_pins, msr_pins_partial$' "$d" check
check_prom metrics_valid "$g"
check metrics_active 0 '^lvbs_active 1$' "$g" metrics
check metrics_state 0 '^lvbs_protection_state 1$' "$g" metrics
check metrics_finding 0 '^lvbs_finding\{id="no_memory_protection",level="degraded"\} 1$' "$g" metrics
check metrics_info 0 '^lvbs_info\{vendor="svm",abi="2",exec_control="",module_trust=""\} 1$' "$g" metrics
check metrics_exits 0 '^lvbs_vm_exits_total\{cpu="1",kind="cpuid"\} 36$' "$g" metrics
check_not metrics_no_total_kind 'kind="(total|apic_id|cpu|hypercalls_failed|stores_dropped)"' "$g" metrics
check metrics_hc_failed 0 '^lvbs_hypercalls_failed_total\{cpu="0"\} 0$' "$g" metrics
check_prom metrics_valid_mem "$(variant memm status "$mem")"
check metrics_counter 0 '^lvbs_text_patches_allowed_total 456$' "$tmp/memm" metrics
check metrics_counter_type 0 '^# TYPE lvbs_violations_total counter$' "$tmp/memm" metrics
check_prom metrics_valid_inactive "$here/nonexistent"
check metrics_inactive 0 '^lvbs_protection_state 2$' "$here/nonexistent" metrics
check metrics_malformed 3 'badstats/stats line 1' "$here/badstats" metrics
check metrics_json 1 'no --json for' "$g" metrics --json

# ---- journal: entries as the journal's native protocol receives them ----
# journal_capture DIR: run "lvbsctl journal" on DIR against a datagram
# socket of our own (LVBS_JOURNAL_SOCKET), the state in $tmp/jstate; print
# its exit status, then each datagram received, "----" after each.
journal_capture() {
	python3 - "$ctl" "$1" "$tmp/journal.sock" "$tmp/jstate" <<'PY'
import os, socket, subprocess, sys
ctl, d, path, state = sys.argv[1:]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
env = dict(os.environ, LVBS_SECURITYFS=d, LVBS_JOURNAL_SOCKET=path, LVBS_JOURNAL_STATE=state)
rc = subprocess.run([ctl, "journal"], env=env).returncode
print("rc=%d" % rc)
s.setblocking(False)
while True:
    try:
        print(s.recv(65536).decode(), end="----\n")
    except BlockingIOError:
        break
PY
}
# check_journal NAME PATTERN DIR: PATTERN (extended regex) in the capture.
check_journal() {
	local out
	out=$(journal_capture "$3" 2>&1)
	if grep -qE -- "$2" <<<"$out"; then pass=$((pass + 1)); else bad "$1" "capture lacks /$2/" "$out"; fi
}
rm -f "$tmp/jstate"
out=$(journal_capture "$g")
n=$(grep -c '^----$' <<<"$out" || true)
# good/'s log: seq 1 (launch), then seq 3: one entry lost between them.
if [ "$n" -eq 3 ] && grep -q '^rc=0$' <<<"$out"; then pass=$((pass + 1)); else bad journal_count "want rc=0 and 3 datagrams" "$out"; fi
if grep -q '^MESSAGE=lvbs: #1 cpu1 launch none ' <<<"$out" && grep -q '^PRIORITY=6$' <<<"$out"; then
	pass=$((pass + 1)); else bad journal_launch "no launch entry at priority 6" "$out"; fi
if grep -q '^LVBS_LOST=1$' <<<"$out"; then pass=$((pass + 1)); else bad journal_lost "no LVBS_LOST=1" "$out"; fi
if grep -q '^LVBS_KIND=hv_mem_access$' <<<"$out" && grep -q '^LVBS_RIP=0xffffffffc02f9057$' <<<"$out" &&
	grep -q '^PRIORITY=4$' <<<"$out" && grep -q '^SYSLOG_IDENTIFIER=lvbs$' <<<"$out"; then
	pass=$((pass + 1)); else bad journal_fields "hv_mem_access entry lacks its fields" "$out"; fi
if [ "$(cat "$tmp/jstate")" = 3 ]; then pass=$((pass + 1)); else bad journal_state "state is not 3" "$(cat "$tmp/jstate")"; fi
# Again: nothing new, nothing sent.
check_journal journal_again '^rc=0$' "$g"
out=$(journal_capture "$g")
if ! grep -q '^----$' <<<"$out"; then pass=$((pass + 1)); else bad journal_twice "sent again" "$out"; fi
# One more entry: only it is sent.
d=$(variant jmore log '$a seq=4 tsc=10751356200 cpu=0 kind=module_checked access=- action=none count=1 rip=0xffffffff81000000 gpa=0x0 gva=0x0 info0=0x3 info1=0x1a2b')
out=$(journal_capture "$d")
if [ "$(grep -c '^----$' <<<"$out")" -eq 1 ] && grep -q '^LVBS_SEQ=4$' <<<"$out" && grep -q '^PRIORITY=4$' <<<"$out"; then
	pass=$((pass + 1)); else bad journal_new "want only seq 4, a failed check at priority 4" "$out"; fi
# No journal to send to: exit 3, the state does not move.
rm -f "$tmp/jstate"
LVBS_JOURNAL_SOCKET=$tmp/absent.sock LVBS_JOURNAL_STATE=$tmp/jstate \
	check journal_no_socket 3 'absent.sock: No such file or directory' "$g" journal
if [ ! -e "$tmp/jstate" ]; then pass=$((pass + 1)); else bad journal_no_socket_state "state written" "$(cat "$tmp/jstate")"; fi
check inactive_journal 2 'not active' "$here/nonexistent" journal
check journal_json 1 'no --json for' "$g" journal --json
check follow_not_journal 1 "--follow is only for" "$g" status --follow

# ---- command line ----
check usage_none 1 'usage' "$g"
check usage_unknown 1 "unknown command 'frob'" "$g" frob
check usage_option 1 "unexpected argument '--frob'" "$g" status --frob
check help 0 '^usage: lvbsctl status\|check\|stats\|log\|keys \[--json\]' "$g" --help
check help_short 0 'usage' "$g" -h
check version 0 '^lvbsctl for lvbs hypercall ABI [0-9]+$' "$g" version
check_json version_json 0 'isinstance(j["lvbsctl_abi_version"], int)' "$g" version --json

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
