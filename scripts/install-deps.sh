#!/bin/bash
# Install the Debian packages lvbs needs to build and to run its VM tests,
# but only those that are missing: on a machine that has them all this
# neither needs root nor touches the network.
#
# Packages: the compiler and libc (hypervisor, lvbsctl and static test
# programs), qemu-system-x86 (the AMD SVM test platform), bochs with
# bochs-term, bochsbios and vgabios (the Intel VMX test platform; bochs-term
# so that apt does not pull the wxWidgets GUI), syslinux, mtools and
# dosfstools (its FAT boot disk, made without root), busybox-static and
# cpio (the guest's initramfs), kmod and xz-utils (modinfo and unpacking the
# 6.12 package's .ko.xz for the soak: tests/vm/debmods.sh), python3
# (validates lvbsctl --json in its tests), clang-14 and libclang-rt-14-dev (the libFuzzer target of tests/fuzz and its
# runtime), and the kernel headers of the version
# scripts/kernel.sh picks for the guest, for every kernel series the tests
# run on (6.1 and 6.12; docs/kernel-compatibility.md). Debian's 6.12
# headers depend on the 6.12 image, so installing them installs that
# kernel on the host too (with an initramfs, a minute); it is not booted.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE_PKGS=(gcc make libc6-dev binutils qemu-system-x86 busybox-static cpio kmod xz-utils python3
	bochs bochs-term bochsbios vgabios syslinux mtools dosfstools
	curl ca-certificates openssl liblzma-dev libzstd-dev zlib1g-dev
	clang-14 libclang-rt-14-dev
	debhelper dh-dkms dkms lintian dpkg-dev debootstrap e2fsprogs)

die() {
	echo "install-deps.sh: $*" >&2
	exit 1
}

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# Print the packages of "$@" that are not installed.
missing_of() {
	local p

	for p in "$@"; do
		installed "$p" || echo "$p"
	done
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root to run '$*' (and sudo is not installed)"
	fi
}

command -v dpkg-query >/dev/null 2>&1 || die "this needs a Debian system (no dpkg-query)"

# The version of each series, in its own build directory (BUILD is the
# make's, for one series only). May fail on a fresh machine whose apt
# lists are still empty.
series_kver() {
	env -u BUILD KSERIES="$1" "$REPO/scripts/kernel.sh" kver
}

read -r -a series <<<"$("$REPO/scripts/kernel.sh" series)"
kvers=()
for s in "${series[@]}"; do
	v=$(series_kver "$s" 2>/dev/null) || { kvers=(); break; }
	kvers+=("$v")
done
headers=()
for v in "${kvers[@]}"; do
	headers+=("linux-headers-$v")
done
mapfile -t missing < <(missing_of "${BASE_PKGS[@]}" "${headers[@]}")

if [ "${#kvers[@]}" -eq 0 ] || [ "${#missing[@]}" -gt 0 ]; then
	echo "install-deps.sh: apt-get update"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
	if [ "${#kvers[@]}" -eq 0 ]; then
		for s in "${series[@]}"; do
			v=$(series_kver "$s") ||
				die "cannot pick the $s guest kernel version even after apt-get update"
			echo "install-deps.sh: guest kernel version $v (series $s)"
			kvers+=("$v")
			headers+=("linux-headers-$v")
		done
	fi
	mapfile -t missing < <(missing_of "${BASE_PKGS[@]}" "${headers[@]}")
fi
kver=${kvers[*]}

if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps.sh: all packages present (kernels $kver)"
	exit 0
fi
echo "install-deps.sh: installing ${missing[*]}"
as_root env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}"
mapfile -t still < <(missing_of "${missing[@]}")
[ "${#still[@]}" -eq 0 ] || die "still missing after apt-get install: ${still[*]}"
echo "install-deps.sh: done (kernels $kver)"
