#!/bin/bash
# Build $BUILD/vm/initramfs.cpio.gz: the whole guest user space of the VM
# tests and the demo (no root needed).
#
#   /init                 tests/vm/guest/init (runs the scenario, powers off)
#   /bin/busybox + links  busybox-static, applets linked by /init at boot
#   /bin/lvbsctl          tools/lvbsctl/lvbsctl (must be static)
#   /bin/{user_vmmcall,cpuid_probe,workload,jit,dtread,dtread32,singlestep}   $BUILD/progs (static)
#   /bin/lvbs-modreloc    build/tools/lvbs-modreloc (static; scenario modreloc)
#   /sbin/insmod          $BUILD/progs/insmod: one finit_module(), unlike
#                         busybox's, which retries a failed load
#   /lvbs/lvbs.ko         $BUILD/kmod/lvbs.ko (make kmod)
#   /lvbs/lvbs_test.ko    $BUILD/modules/lvbs_test.ko (make testprogs), signed
#                         with the test key a, as are the two below
#   /lvbs/lvbs_dummy.ko   $BUILD/modules/lvbs_dummy.ko (next to lvbs_test.ko)
#   /lvbs/lvbs_permfill.ko  ... and lvbs_permfill.ko (scenario protfail)
#   /lvbs/lib.sh          tests/vm/guest/lib.sh (helpers for scenarios)
#   /lvbs/debmods/        Debian's own modules for the soak (debmods.sh)
#   /scenarios/*.sh       tests/vm/scenarios
#   /etc/lvbs/keys.der    module-signing certificates lvbs.ko gives the
#                         hypervisor at launch: this series' kernel key
#                         (lvbs-certs extract from $VM_KERNEL, as an install
#                         takes it) and the test key a (tests/unit/mkmodsig.sh)
#   /lvbs/keys/           kernel.fpr (that key's fingerprint); b.der
#                         (self-signed), d.der (issued by a), e.der (issued
#                         by c, not trusted): certificates scenario keys offers
#                         after SEAL; lvbs_dummy_a.ko and lvbs_dummy_b.ko
#                         (lvbs_dummy signed by the test keys a and b with
#                         the kernel's sign-file), lvbs_dummy_unsigned.ko,
#                         lvbs_dummy_a.sha256 (the
#                         digest of its signed contents), crc7_tampered.ko
#                         (Debian's crc7 with one byte changed),
#                         nls_utf8.ko.xz (compressed as Kbuild does, for
#                         the kernel to decompress where it can),
#                         crc7_unsigned.ko (its signature cut off)
#
# Inputs can be overridden for experiments: LVBS_KO, LVBS_TEST_KO, LVBSCTL,
# BUSYBOX, PROGS_DIR. LVBS_KO=none leaves lvbs.ko out (harness smoke tests).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Built per kernel series in $BUILD (the top-level Makefile's KSERIES).
LVBS_KO=${LVBS_KO:-$BUILD/kmod/lvbs.ko}
LVBS_TEST_KO=${LVBS_TEST_KO:-$BUILD/modules/lvbs_test.ko}
LVBSCTL=${LVBSCTL:-$REPO/tools/lvbsctl/lvbsctl}
BUSYBOX=${BUSYBOX:-/bin/busybox}
PROGS_DIR=${PROGS_DIR:-$BUILD/progs}
PROGS=(user_vmmcall cpuid_probe workload jit dtread dtread32 singlestep)
SBIN_PROGS=(insmod)

need_file() {
	[ -f "$1" ] || die "missing $1: $2"
}

# The initramfs has no libc or dynamic loader: every program must be static.
need_static() {
	need_file "$1" "$2"
	# Not "readelf | grep -q": under pipefail readelf's SIGPIPE would
	# make a dynamic binary pass (tests/vm/lib.sh, vm_log_grep).
	if grep -q 'program interpreter' < <(LC_ALL=C readelf -l "$1" 2>/dev/null); then
		die "$1 is dynamically linked; the initramfs has no libc (link it with -static)"
	fi
}

# One cpio "newc" entry with no data: a device node, which a user without
# root cannot create on disk for cpio to copy. $1 path, $2 mode (octal),
# $3 major, $4 minor.
newc_node() {
	local name=$1 namesize pad
	namesize=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 "$((8#$2))" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
	printf '%s\0' "$name"
	# Header (110 bytes) plus name padded to a multiple of 4.
	pad=$(((4 - (110 + namesize) % 4) % 4))
	[ "$pad" -eq 0 ] || head -c "$pad" /dev/zero
}

newc_trailer() {
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 0 0 0 1 0 0 0 0 0 0 11 0
	printf 'TRAILER!!!\0'
	head -c 3 /dev/zero
}

command -v cpio >/dev/null 2>&1 || die "cpio not found (run scripts/install-deps.sh)"
command -v readelf >/dev/null 2>&1 || die "readelf not found (install binutils)"
need_static "$BUSYBOX" "install busybox-static (scripts/install-deps.sh)"
need_static "$LVBSCTL" "build it first: make tools"
if [ "$LVBS_KO" != none ]; then
	need_file "$LVBS_KO" "build it first: make kmod"
fi
need_file "$LVBS_TEST_KO" "build it first: make testprogs"
for p in "${PROGS[@]}" "${SBIN_PROGS[@]}"; do
	need_static "$PROGS_DIR/$p" "build it first: make testprogs"
done
compgen -G "$VM_LIB_DIR/scenarios/*.sh" >/dev/null || die "no scenarios in $VM_LIB_DIR/scenarios"

root=$VM_DIR/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc,lvbs,scenarios}
install -m 0755 "$VM_LIB_DIR/guest/init" "$root/init"
install -m 0755 "$BUSYBOX" "$root/bin/busybox"
install -m 0755 "$LVBSCTL" "$root/bin/lvbsctl"
make -s -C "$REPO/tools/lvbs-modreloc" >/dev/null
need_static "$REPO/build/tools/lvbs-modreloc" "cannot build tools/lvbs-modreloc"
install -m 0755 "$REPO/build/tools/lvbs-modreloc" "$root/bin/lvbs-modreloc"
for p in "${PROGS[@]}"; do
	install -m 0755 "$PROGS_DIR/$p" "$root/bin/$p"
done
# Present before /init runs "busybox --install -s", which keeps them.
for p in "${SBIN_PROGS[@]}"; do
	install -m 0755 "$PROGS_DIR/$p" "$root/sbin/$p"
done
if [ "$LVBS_KO" != none ]; then
	install -m 0644 "$LVBS_KO" "$root/lvbs/lvbs.ko"
fi
install -m 0644 "$LVBS_TEST_KO" "$root/lvbs/lvbs_test.ko"
install -m 0644 "$(dirname "$LVBS_TEST_KO")/lvbs_dummy.ko" "$root/lvbs/lvbs_dummy.ko"
install -m 0644 "$(dirname "$LVBS_TEST_KO")/lvbs_permfill.ko" "$root/lvbs/lvbs_permfill.ko"
install -m 0644 "$VM_LIB_DIR/guest/lib.sh" "$root/lvbs/lib.sh"
"$VM_LIB_DIR/debmods.sh"
cp -r "$VM_DIR/debmods" "$root/lvbs/debmods"
install -m 0755 "$VM_LIB_DIR"/scenarios/*.sh "$root/scenarios/"
# The benchmark's scenarios boot the same way but are not tests (run-all
# does not list them): bench/run.sh runs them.
if compgen -G "$REPO/bench/scenarios/*.sh" >/dev/null; then
	install -m 0755 "$REPO"/bench/scenarios/*.sh "$root/scenarios/"
fi
echo "lvbs-test" >"$root/etc/hostname"

keys=$VM_DIR/keys
rm -rf "$keys"
mkdir -p "$keys/kernel" "$root/etc/lvbs" "$root/lvbs/keys"
make -s -C "$REPO/tools/lvbs-certs" >/dev/null
"$REPO/build/tools/lvbs-certs" extract "$VM_KERNEL" "$keys/kernel" >"$keys/kernel.txt"
[ "$(grep -c . "$keys/kernel.txt")" -eq 1 ] ||
	die "expected 1 certificate in $VM_KERNEL: $(cat "$keys/kernel.txt")"
"$VM_LIB_DIR/../unit/mkmodsig.sh" "$keys/test" >/dev/null
cat "$keys"/kernel/cert-*.der "$keys/test/a.der" >"$root/etc/lvbs/keys.der"
awk '{ print $2 }' "$keys/kernel.txt" >"$root/lvbs/keys/kernel.fpr"
install -m 0644 "$keys"/test/{b,d,e}.der "$root/lvbs/keys/"
sign_file=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -n 1)
[ -x "$sign_file" ] || die "no sign-file (install linux-kbuild, with the headers)"
for k in a b; do
	"$sign_file" sha256 "$keys/test/$k.key" "$keys/test/$k.der" \
		"$(dirname "$LVBS_TEST_KO")/lvbs_dummy.ko" "$root/lvbs/keys/lvbs_dummy_$k.ko"
done
install -m 0644 "$(dirname "$LVBS_TEST_KO")/lvbs_dummy.ko" "$root/lvbs/keys/lvbs_dummy_unsigned.ko"
# With module_trust=signed (the default) only modules whose signature the
# hypervisor verified load after SEAL: the test modules are signed with
# the test key a, which /etc/lvbs/keys.der trusts (lvbs.ko itself loads
# before the checks start, and stays unsigned).
for m in lvbs_test lvbs_dummy lvbs_permfill; do
	"$sign_file" sha256 "$keys/test/a.key" "$keys/test/a.der" "$root/lvbs/$m.ko"
done
# The digest a blacklist entry names: of the bytes the signature covers.
python3 -c 'import hashlib, struct, sys
d = open(sys.argv[1], "rb").read()
n = struct.unpack(">I", d[-28 - 4:-28])[0]
print(hashlib.sha256(d[:len(d) - 28 - 12 - n]).hexdigest())' \
	"$root/lvbs/keys/lvbs_dummy_a.ko" >"$root/lvbs/keys/lvbs_dummy_a.sha256"
cp "$VM_DIR/debmods/crc7.ko" "$root/lvbs/keys/crc7_tampered.ko"
size=$(stat -c %s "$root/lvbs/keys/crc7_tampered.ko")
printf '\x5a' | dd of="$root/lvbs/keys/crc7_tampered.ko" bs=1 seek=$((size / 3)) conv=notrunc status=none
cmp -s "$VM_DIR/debmods/crc7.ko" "$root/lvbs/keys/crc7_tampered.ko" && die "crc7_tampered.ko is unchanged"
xz --check=crc32 --lzma2=dict=1MiB -c "$VM_DIR/debmods/nls_utf8.ko" >"$root/lvbs/keys/nls_utf8.ko.xz"
# Debian's crc7 with its signature cut off: unsigned (the kernel loads it
# when signatures are not enforced, as on Debian).
python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
n = struct.unpack(">I", d[-28 - 4:-28])[0]
sys.stdout.buffer.write(d[:len(d) - 28 - 12 - n])' "$VM_DIR/debmods/crc7.ko" >"$root/lvbs/keys/crc7_unsigned.ko"

out=$VM_INITRD
mkdir -p "$(dirname "$out")"
{
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0)
	# A second archive, appended: /dev/console for the kernel to open
	# as init's stdin/stdout before /init mounts devtmpfs.
	newc_node dev/console 020600 5 1
	newc_trailer
} | gzip -n -6 >"$out.tmp"
mv -f "$out.tmp" "$out"
echo "mkinitramfs.sh: $out ($(du -k "$out" | cut -f1) KiB)"
