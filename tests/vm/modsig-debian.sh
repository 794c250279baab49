#!/bin/bash
# The hypervisor's module signature checker (hv/core/modsig.c, built for
# the host in tools/lvbs-certs) against the real thing: the certificate
# built into this series' Debian kernel image and Debian's own modules
# (tests/vm/debmods.sh). Run by `make vmtest` before the VM scenarios.
#
# Pass: the image holds exactly one certificate; every Debian module
# verifies with it; a module with one byte changed is "bad signature";
# lvbs.ko (built here, unsigned) is "unsigned". And lvbs.ko's search for
# the kernel's export tables (include/lvbs/ksymscan.h), run on the image,
# finds exactly the __ksymtab and __ksymtab_gpl its section headers give.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo=$REPO
tool=$repo/build/tools/lvbs-certs
make -s -C "$repo/tools/lvbs-certs" >/dev/null
"$VM_LIB_DIR/debmods.sh"

out=$VM_DIR/modsig
rm -rf "$out"
mkdir -p "$out/certs"
"$tool" extract "$VM_KERNEL" "$out/certs" >"$out/extract.txt"
cat "$out/extract.txt"
n=$(grep -c . "$out/extract.txt")
[ "$n" -eq 1 ] || die "expected 1 certificate in $VM_KERNEL, found $n"

mods=("$VM_DIR"/debmods/*.ko)
[ "${#mods[@]}" -ge 10 ] || die "only ${#mods[@]} Debian modules in $VM_DIR/debmods"
"$tool" verify "$out/certs" "${mods[@]}" >"$out/verify.txt" ||
	die "a Debian module does not verify: $(grep -v ': ok$' "$out/verify.txt" | head -n 3)"

# The same checker must refuse what it should.
cp "${mods[0]}" "$out/tampered.ko"
size=$(stat -c %s "$out/tampered.ko")
printf '\x5a' | dd of="$out/tampered.ko" bs=1 seek=$((size / 3)) conv=notrunc status=none
cmp -s "${mods[0]}" "$out/tampered.ko" && die "the tampered copy is unchanged"
r=$("$tool" verify "$out/certs" "$out/tampered.ko" || true)
[ "$r" = "$out/tampered.ko: bad signature" ] || die "a changed module gave: $r"
r=$("$tool" verify "$out/certs" "$BUILD/kmod/lvbs.ko" || true)
[ "$r" = "$BUILD/kmod/lvbs.ko: unsigned" ] || die "lvbs.ko gave: $r"

"$tool" exports "$VM_KERNEL" || die "the export-table search does not find the image's tables"

echo "modsig-debian: ${#mods[@]} of ${#mods[@]} Debian modules verify with the kernel's own certificate; a changed one and an unsigned one are refused"
