#!/bin/bash
# Take a few of Debian's own modules out of the guest kernel's package for
# the soak (tests/vm/scenarios/soak.sh), into $BUILD/vm/debmods/:
#
#   $BUILD/vm/debmods/*.ko     the modules, as Debian ships them (signed;
#                              6.12's .ko.xz decompressed here, since the
#                              test insmod passes no decompression flag)
#   $BUILD/vm/debmods/chains   one chain per line: "name: mod mod ..." in
#                              load order (dependencies first)
#
# Real distro modules, not only our test modules: they are large (xfs is
# 4 MiB), have init sections, exports used by the next module in the chain,
# jump labels, static calls, alternatives and ftrace call sites, which is
# what lvbs must track through load and unload without refusing anything.
#
# The package is the one scripts/kernel.sh downloaded ($BUILD/kernel/dl);
# only the named files are unpacked. The initramfs has no depmod data, so
# each chain's order is checked here against the modules' own "depends"
# field: a chain that does not carry its dependencies first is an error.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Chains the soak loads and unloads. What they exercise once loaded is in
# soak.sh (fs: an ext4 file system on a brd RAM disk; net: dummy and veth
# links). crc32c_generic comes before libcrc32c and ext4, which look the
# crc32c algorithm up by name: with no modprobe in the initramfs the
# kernel could not load it on demand. kvm (no vendor module: the guest has
# no SVM) because objtool leaves its static call sites out of address
# order, as it leaves many drivers' retpoline sites.
CHAINS=(
	"fs: crc16 mbcache jbd2 crc32c_generic ext4 brd"
	"net: dummy veth tun"
	"misc: nls_utf8 nls_cp437 crc7 crc-itu-t cdrom udf isofs"
	"xfs: crc32c_generic libcrc32c xfs"
	"kvm: irqbypass kvm"
)

kdir=$(dirname "$VM_KERNEL")
[ -s "$kdir/vmlinuz.kver" ] || die "no $kdir/vmlinuz.kver (run 'make kernel')"
kver=$(cat "$kdir/vmlinuz.kver")
deb=$(find "$kdir/dl" -maxdepth 1 -name "linux-image-${kver}_*_amd64.deb" -print -quit 2>/dev/null)
[ -n "$deb" ] || die "no linux-image-${kver}_*_amd64.deb in $kdir/dl (run 'make kernel')"
command -v modinfo >/dev/null 2>&1 || die "modinfo not found (install kmod)"

out=$VM_DIR/debmods
stamp=$out/.from
if [ -s "$stamp" ] && [ "$(cat "$stamp")" = "$deb $(printf '%s;' "${CHAINS[@]}")" ]; then
	exit 0
fi
rm -rf "$out" "$out.tmp"
mkdir -p "$out.tmp/x"

declare -A want=()
for c in "${CHAINS[@]}"; do
	for m in ${c#*:}; do
		want[$m]=1
	done
done
# Debian names files as the module is named, except that '-' and '_' are
# the same to the kernel; match both spellings.
pats=()
for m in "${!want[@]}"; do
	for n in "$m" "${m//-/_}" "${m//_/-}"; do
		pats+=("*/$n.ko" "*/$n.ko.xz")
	done
done
# Both spellings are asked for, so tar reports the ones that do not exist;
# the loop below checks that each module was found under one of them.
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$out.tmp/x" --wildcards "${pats[@]}" '*/modules.builtin' 2>/dev/null || true

# A series may build one of them into the kernel: it is
# then left out of its chain.
builtin=$(find "$out.tmp/x" -name modules.builtin -print -quit)
[ -n "$builtin" ] || die "$deb has no modules.builtin"
is_builtin() {
	grep -Eq "/($1|${1//-/_}|${1//_/-})\.ko\$" "$builtin"
}
chains=()
for c in "${CHAINS[@]}"; do
	line="${c%%:*}:"
	for m in ${c#*:}; do
		if is_builtin "$m"; then
			unset "want[$m]"
		else
			line+=" $m"
		fi
	done
	chains+=("$line")
done

for m in "${!want[@]}"; do
	f=$(find "$out.tmp/x" \( -name "$m.ko*" -o -name "${m//-/_}.ko*" -o -name "${m//_/-}.ko*" \) -print -quit)
	[ -n "$f" ] || die "$deb has no module $m.ko"
	case "$f" in
	*.xz) xz -dc "$f" >"$out.tmp/$m.ko" || die "cannot decompress $f" ;;
	*) mv "$f" "$out.tmp/$m.ko" ;;
	esac
done
rm -rf "$out.tmp/x"

# Every dependency of a module must come earlier in its chain.
for c in "${chains[@]}"; do
	declare -A seen=()
	for m in ${c#*:}; do
		deps=$(modinfo -F depends "$out.tmp/$m.ko")
		for d in ${deps//,/ }; do
			[ -n "${seen[$d]:-}" ] || [ -n "${seen[${d//_/-}]:-}" ] ||
				die "chain '${c%%:*}': $m depends on $d, which is not before it"
		done
		seen[$m]=1
	done
	unset seen
done

printf '%s\n' "${chains[@]}" >"$out.tmp/chains"
echo "$deb $(printf '%s;' "${CHAINS[@]}")" >"$out.tmp/.from"
mv "$out.tmp" "$out"
echo "debmods.sh: $(find "$out" -name '*.ko' | wc -l) modules of $kver in $out"
