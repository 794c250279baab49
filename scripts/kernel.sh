#!/bin/bash
# The guest kernel used by the VM tests, the demo and the benchmark.
#
#   kernel.sh kver      print the kernel ABI version (e.g. 6.1.0-56-amd64)
#   kernel.sh fetch     make sure $BUILD/kernel/vmlinuz exists
#   kernel.sh builddir  print the build directory of the series
#   kernel.sh series    print every series lvbs is tested on
#
# KSERIES picks the kernel series (docs/kernel-compatibility.md):
#   6.1   (default) Debian 12's kernel, metapackage linux-image-amd64;
#         built in build/
#   6.12  the LTS kernel Debian 12 also ships (Debian 13's series),
#         metapackage linux-image-6.12-amd64; built in build/k6.12/
# Each series has its own build directory (hypervisor, lvbs.ko, test
# modules and programs, guest kernel, VM logs), so both can coexist.
#
# The version is picked once, from the series' metapackage, and remembered
# in $BUILD/kernel/KVER: Debian moves the metapackage forward over time,
# and the image and the headers lvbs.ko is built against must stay the
# same version. `make clean` (rm -rf build) forgets the choice.
#
# `kver` needs no root and no network; it is called from make on every run.
# `fetch` downloads the image package with apt-get download and unpacks it
# with dpkg -x, which does not install it (no update-initramfs for the host).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KSERIES=${KSERIES:-6.1}
ALL_SERIES="6.1 6.12"

die() {
	echo "kernel.sh: $*" >&2
	exit 1
}

case "$KSERIES" in
6.1)
	META=linux-image-amd64
	SERIES_BUILD=$REPO/build
	;;
6.12)
	META=linux-image-6.12-amd64
	SERIES_BUILD=$REPO/build/k6.12
	;;
*) die "KSERIES=$KSERIES: lvbs knows the series $ALL_SERIES" ;;
esac
BUILD=${BUILD:-$SERIES_BUILD}
KDIR_OUT=$BUILD/kernel
KVER_FILE=$KDIR_OUT/KVER

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
	line=$(apt-cache depends "$META" 2>/dev/null |
		sed -n 's/^[[:space:]]*|\{0,1\}Depends:[[:space:]]*linux-image-\([^[:space:]]*\).*/\1/p' |
		head -n 1) || true
	[ -n "$line" ] ||
		die "cannot resolve the kernel version from the $META metapackage (are the apt lists empty? run 'apt-get update' or scripts/install-deps.sh)"
	# An unsigned or virtual variant would not match the headers' name.
	v=${line%-unsigned}
	# A metapackage that moved on to another series (linux-image-amd64
	# on a newer Debian) would test a kernel lvbs does not know.
	case "$v" in
	"$KSERIES".*) ;;
	*) die "$META depends on linux-image-$line, not a $KSERIES kernel (set KSERIES, or KVER=... explicitly)" ;;
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
builddir) echo "$SERIES_BUILD" ;;
series) echo "$ALL_SERIES" ;;
*)
	echo "usage: [KSERIES=6.1|6.12] $0 kver|fetch|builddir|series" >&2
	exit 2
	;;
esac
