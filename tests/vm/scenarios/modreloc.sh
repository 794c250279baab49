#!/bin/sh
# modreloc: the hypervisor's module relocator (hv/core/modreloc.c) against
# the kernel's own module loader. Debian's modules of every chain of
# tests/vm/debmods.sh are loaded under lvbs (signed by the kernel's key,
# so module_trust=signed lets them in); for each, lvbs-modreloc live reads
# where the kernel put its sections (/sys/module/NAME/sections), the
# values of its imports (/proc/kallsyms) and its memory (/proc/kcore), and
# compares every read-only section that stays after init with what the
# relocator computes from the file (docs/module-signatures.md).
#
# The hypervisor does the same comparison itself at each module's
# MODULE_STATE_COMING (MODULE_COMPARE): every module here must come out the
# same as its signed file up to the patches its own tables allow, or its
# code gets no execute. Then the content-mismatch attack: kernel code
# changes a byte of a signed module's code after the loader relocated it
# and before lvbs compares it (lvbs_test.ko action=tamper_coming): the
# load must be refused, and its benign twin (the same notifier, only
# looking) and the untouched module after it must load.
#
# Bytes the kernel changed after relocating must lie at a site that one of
# the module's own tables names (__mcount_loc, .altinstructions, ...) or
# inside a table section; anything else fails the scenario. The counts per
# table are what the hypervisor must replay or allow (printed).
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

DM=/lvbs/debmods
[ -s "$DM/chains" ] || fail "no $DM/chains in the initramfs"
load_lvbs
check_active

n=0
while read -r line; do
	loaded=
	for m in ${line#*:}; do
		if [ "$m" = brd ]; then
			run "$INSMOD" "$DM/brd.ko" rd_nr=1 rd_size=16384
		else
			run "$INSMOD" "$DM/$m.ko"
		fi
		[ "$RC" -eq 0 ] || fail "insmod $m refused"
		loaded="$m $loaded"
		# The kernel names a module with '_' where its file has '-'.
		run lvbs-modreloc live "$DM/$m.ko" "$(echo "$m" | tr - _)"
		[ "$RC" -eq 0 ] || fail "$m: the kernel's loader and the relocator differ: $OUT"
		n=$((n + 1))
	done
	for m in $loaded; do
		rmmod "$m" || fail "rmmod $m failed"
	done
done <"$DM/chains"
[ "$n" -ge 10 ] || fail "only $n modules compared"
[ "$(status_get modules_failed)" = 0 ] || fail "status: modules_failed is not 0"
compared=$(status_get modules_compared)
[ "$compared" -ge "$n" ] || fail "status: the hypervisor compared $compared modules, $n were loaded"
[ "$(status_get modules_differ)" = 0 ] ||
	fail "status: modules_differ is $(status_get modules_differ): $(dmesg | grep 'differs from its signed file')"
[ "$(status_get modules_compare_failed)" = 0 ] ||
	fail "status: modules_compare_failed is not 0: $(dmesg | grep 'not compared with its signed file')"
[ "$(status_get modules_not_compared)" = 0 ] || fail "status: modules_not_compared is not 0"
# Every import's value came from an export table, none from the loader:
# the kernel's (found by lvbs.ko before SEAL), or a compared module's
# (xfs takes crc32c from libcrc32c, udf crc_itu_t from crc-itu-t).
[ "$(status_get exports_kernel)" -gt 1000 ] || fail "status: exports_kernel is $(status_get exports_kernel)"
[ "$(status_get imports_checked)" -gt 0 ] || fail "status: no import taken from an export table"
dmesg | grep -q 'lvbs: module xfs: same as its signed file .* imports ([0-9]* from the kernel.s exports, [1-9][0-9]* from modules., 0 the loader.s word)' ||
	fail "xfs: imports not all from export tables, or none from libcrc32c: $(dmesg | grep 'lvbs: module xfs:')"
bad=$(dmesg | grep -m1 -E "lvbs: module .* [1-9][0-9]* the loader's word")
[ -z "$bad" ] || fail "an import taken from the loader: $bad"
# No tracer is attached: every call or jump patched in goes to registered code.
bad=$(dmesg | grep -m1 -E 'lvbs: module .* [1-9][0-9]* elsewhere$')
[ -z "$bad" ] || fail "a patched call or jump goes outside registered code: $bad"

# The content-mismatch attack and its twin, on nls_utf8 (unloaded above).
run_test_module action=tamper_coming tamper=nls_utf8 tamper_write=0
echo "$TEST_DMESG" | grep -q "lvbs_test: PASS tamper_coming" || fail "lvbs_test tamper_coming did not arm"
dmesg_mark
run "$INSMOD" "$DM/nls_utf8.ko"
[ "$RC" -eq 0 ] || fail "insmod nls_utf8 (benign twin) refused"
dmesg_since | grep -q "lvbs_test: tamper_coming: nls_utf8 left as laid out" || fail "the twin's notifier did not run"
dmesg_since | grep -q "lvbs: module nls_utf8: same as its signed file" ||
	fail "benign twin: nls_utf8 not the same as its signed file: $(dmesg_since | grep 'lvbs: module')"
rmmod nls_utf8 || fail "rmmod nls_utf8 failed"
echo Y >/sys/module/lvbs_test/parameters/tamper_write || fail "cannot arm tamper_write"
dmesg_mark
run "$INSMOD" "$DM/nls_utf8.ko"
dmesg_since | grep -q "lvbs_test: tamper_coming: nls_utf8: byte at .* changed" || fail "the attack did not change the byte"
[ "$RC" -ne 0 ] || fail "nls_utf8, changed after its signature was checked, loaded"
grep -q '^nls_utf8 ' /proc/modules && fail "nls_utf8 is loaded after its load failed"
dmesg_since | grep -q "lvbs: module nls_utf8: differs from its signed file: 1 bytes in 1 ranges .*: refused$" ||
	fail "the changed byte was not refused: $(dmesg_since | grep 'lvbs: module')"
[ "$(status_get modules_differ)" = 1 ] || fail "status: modules_differ is not 1 after the attack"
# The refusal left nothing behind: the same module, untouched, loads.
echo N >/sys/module/lvbs_test/parameters/tamper_write || fail "cannot disarm tamper_write"
dmesg_mark
run "$INSMOD" "$DM/nls_utf8.ko"
[ "$RC" -eq 0 ] || fail "insmod nls_utf8 after the refused load failed: $OUT"
dmesg_since | grep -q "lvbs: module nls_utf8: same as its signed file" ||
	fail "nls_utf8 after the refused load: $(dmesg_since | grep 'lvbs: module')"
rmmod lvbs_test || fail "rmmod lvbs_test failed"
still_works "the refused nls_utf8"

# The forged claim: unverified code registered as the live nls_utf8's text
# (its owner and file number, which an attacker can read) and compared as
# its file; called, it must not run.
line=$(dmesg | grep "lvbs: module nls_utf8: same as its signed file (file" | tail -n1)
file=$(echo "$line" | sed -n 's/.*(file \([0-9]*\), owner \([0-9]*\)).*/\1/p')
owner=$(echo "$line" | sed -n 's/.*(file \([0-9]*\), owner \([0-9]*\)).*/\2/p')
[ -n "$file" ] && [ -n "$owner" ] || fail "no file and owner for nls_utf8 in: $line"
run_test_module action=forged_code forge_owner="$owner" forge_file="$file"
echo "$TEST_DMESG" | grep -q "lvbs_test: PASS forged_code" ||
	fail "forged code: $(echo "$TEST_DMESG" | grep -m3 'lvbs_test:')"
echo "$TEST_DMESG" | grep -q "forged_code: .* fresh owner: E_PERM" || fail "a fresh owner's text was not refused"
echo "$TEST_DMESG" | grep -q "forged_code: MODULE_COMPARE claiming .*, 0 pages given execute, 1 withheld" ||
	fail "the forged comparison: $(echo "$TEST_DMESG" | grep 'MODULE_COMPARE')"
# The module goes, and the forged page with it; everything still works.
rmmod nls_utf8 || fail "rmmod nls_utf8 failed"
still_works "the forged code"
check_active
say "ok: $n modules as the kernel laid them out, each the same as its signed file for the hypervisor; a byte changed before COMING refused; forged module text never ran"
