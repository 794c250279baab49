#!/bin/bash
# Install the Debian packages lvbs needs to build and to run its VM tests,
# but only those that are missing: on a machine that has them all this
# neither needs root nor touches the network.
#
# Packages: the compiler and libc (hypervisor, lvbsctl and static test
# programs), qemu-system-x86 (the AMD SVM test platform), busybox-static and
# cpio (the guest's initramfs), kmod, python3 (validates lvbsctl --json in its tests), and the kernel headers of the version
# scripts/kernel.sh picks for the guest.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE_PKGS=(gcc make libc6-dev qemu-system-x86 busybox-static cpio kmod python3)

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

# May fail on a fresh machine whose apt lists are still empty.
kver=$("$REPO/scripts/kernel.sh" kver 2>/dev/null) || kver=
mapfile -t missing < <(missing_of "${BASE_PKGS[@]}" ${kver:+"linux-headers-$kver"})

if [ -z "$kver" ] || [ "${#missing[@]}" -gt 0 ]; then
	echo "install-deps.sh: apt-get update"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
	if [ -z "$kver" ]; then
		kver=$("$REPO/scripts/kernel.sh" kver) ||
			die "cannot pick the guest kernel version even after apt-get update"
		echo "install-deps.sh: guest kernel version $kver"
	fi
	mapfile -t missing < <(missing_of "${BASE_PKGS[@]}" "linux-headers-$kver")
fi

if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps.sh: all packages present (kernel $kver)"
	exit 0
fi
echo "install-deps.sh: installing ${missing[*]}"
as_root env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}"
mapfile -t still < <(missing_of "${missing[@]}")
[ "${#still[@]}" -eq 0 ] || die "still missing after apt-get install: ${still[*]}"
echo "install-deps.sh: done (kernel $kver)"
