#!/bin/bash
# The guest kernel used by the VM tests, the demo and the benchmark.
#
#   kernel.sh kver    print the kernel ABI version (e.g. 6.1.0-56-amd64)
#   kernel.sh fetch   make sure $BUILD/kernel/vmlinuz exists
#
# The version is picked once, from the linux-image-amd64 metapackage, and
# remembered in $BUILD/kernel/KVER: Debian moves the metapackage forward over
# time, and the image and the headers lvbs.ko is built against must stay the
# same version. `make clean` (rm -rf build) forgets the choice.
#
# `kver` needs no root and no network; it is called from make on every run.
# `fetch` downloads the image package with apt-get download and unpacks it
# with dpkg -x, which does not install it (no update-initramfs for the host).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
KDIR_OUT=$BUILD/kernel
KVER_FILE=$KDIR_OUT/KVER

die() {
	echo "kernel.sh: $*" >&2
	exit 1
}

# Print the version recorded in $KVER_FILE, or resolve and record it.
kver() {
	local v line

	if [ -s "$KVER_FILE" ]; then
		read -r v <"$KVER_FILE" || true
		[ -n "${v:-}" ] || die "$KVER_FILE is empty; remove it and retry"
		echo "$v"
		return 0
	fi
	command -v apt-cache >/dev/null 2>&1 ||
		die "apt-cache not found: this needs Debian (or set KVER=... explicitly)"
	# "  Depends: linux-image-6.1.0-56-amd64" (possibly "|Depends:" for
	# alternatives; the first one is the one apt would pick).
	line=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^[[:space:]]*|\{0,1\}Depends:[[:space:]]*linux-image-\([^[:space:]]*\).*/\1/p' |
		head -n 1) || true
	[ -n "$line" ] ||
		die "cannot resolve the kernel version from the linux-image-amd64 metapackage (are the apt lists empty? run 'apt-get update' or scripts/install-deps.sh)"
	# An unsigned or virtual variant would not match the headers' name.
	v=${line%-unsigned}
	case "$v" in
	[0-9]*) ;;
	*) die "unexpected dependency of linux-image-amd64: linux-image-$line" ;;
	esac
	mkdir -p "$KDIR_OUT"
	echo "$v" >"$KVER_FILE.tmp.$$"
	mv -f "$KVER_FILE.tmp.$$" "$KVER_FILE"
	echo "$v"
}

fetch() {
	local v pkg deb dl img

	v=$(kver)
	if [ -s "$KDIR_OUT/vmlinuz" ] && [ "$(cat "$KDIR_OUT/vmlinuz.kver" 2>/dev/null)" = "$v" ]; then
		echo "kernel.sh: $KDIR_OUT/vmlinuz ($v) is present"
		return 0
	fi
	pkg=linux-image-$v
	dl=$KDIR_OUT/dl
	mkdir -p "$dl"
	# Reuse a package downloaded earlier (same version, any Debian revision).
	deb=$(find "$dl" -maxdepth 1 -name "${pkg}_*_amd64.deb" -print -quit)
	if [ -z "$deb" ]; then
		echo "kernel.sh: downloading $pkg"
		# As root, apt warns that the download is "unsandboxed": harmless.
		(cd "$dl" && apt-get download "$pkg") ||
			die "apt-get download $pkg failed (run 'apt-get update'? is the version still in the archive? remove $KVER_FILE to pick the current one)"
		deb=$(find "$dl" -maxdepth 1 -name "${pkg}_*_amd64.deb" -print -quit)
		[ -n "$deb" ] || die "apt-get download $pkg left no ${pkg}_*_amd64.deb in $dl"
	fi
	rm -rf "$dl/x"
	dpkg -x "$deb" "$dl/x" || die "dpkg -x $deb failed"
	img=$dl/x/boot/vmlinuz-$v
	[ -s "$img" ] || die "$deb has no boot/vmlinuz-$v"
	cp -f "$img" "$KDIR_OUT/vmlinuz.tmp"
	mv -f "$KDIR_OUT/vmlinuz.tmp" "$KDIR_OUT/vmlinuz"
	echo "$v" >"$KDIR_OUT/vmlinuz.kver"
	rm -rf "$dl/x"
	echo "kernel.sh: $KDIR_OUT/vmlinuz is Linux $v"
}

case "${1:-}" in
kver) kver ;;
fetch) fetch ;;
*)
	echo "usage: $0 kver|fetch" >&2
	exit 2
	;;
esac
