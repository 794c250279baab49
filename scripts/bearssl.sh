#!/bin/bash
# BearSSL's source, as Debian 12 ships it (source package bearssl
# 0.6+dfsg.1-3, the one libbearssl-dev is built from; Debian applies no
# patches to it), for the hypervisor's signature checks
# (docs/module-signatures.md).
#
#   bearssl.sh DIR    make sure DIR/bearssl-0.6 holds the unpacked source;
#                     print that directory
#
# Why the source and not libbearssl.a: the hypervisor is freestanding. It
# must not touch SSE registers (they hold the guest's state, which it
# does not save), has no stack-protector canary and no libc, and its image
# carries no relocations. Debian's archive is built with the stack
# protector and SSE, so the hypervisor compiles the few files it needs
# with its own flags (hv/Makefile). The tarball is checked against the
# SHA-256 that Debian's .dsc gives for it; nothing from it is committed.
set -euo pipefail

VER=0.6+dfsg.1
TARBALL=bearssl_$VER.orig.tar.xz
SHA256=102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004
URLS=(
	"http://deb.debian.org/debian/pool/main/b/bearssl/$TARBALL"
	"https://snapshot.debian.org/archive/debian/20250520T000000Z/pool/main/b/bearssl/$TARBALL"
)

die() {
	echo "bearssl.sh: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: bearssl.sh DIR"
dir=$1
src=$dir/bearssl-0.6
if [ -f "$src/.lvbs-verified" ]; then
	echo "$src"
	exit 0
fi
mkdir -p "$dir"
tmp=$(mktemp "$dir/.dl.XXXXXX")
trap 'rm -f "$tmp"' EXIT
got=
for url in "${URLS[@]}"; do
	if curl -fsSL --retry 3 -o "$tmp" "$url"; then
		got=$url
		break
	fi
	echo "bearssl.sh: could not download $url" >&2
done
[ -n "$got" ] || die "no copy of $TARBALL could be downloaded"
sum=$(sha256sum "$tmp" | cut -d' ' -f1)
[ "$sum" = "$SHA256" ] || die "$got: SHA-256 $sum, expected $SHA256"
rm -rf "$src"
tar -C "$dir" -xJf "$tmp"
[ -f "$src/inc/bearssl.h" ] || die "$TARBALL did not unpack to $src"
echo "$got $SHA256" >"$src/.lvbs-verified"
echo "bearssl.sh: BearSSL $VER unpacked in $src" >&2
echo "$src"
