#!/bin/bash
# One of Debian 12's source tarballs, checked and unpacked (nothing of it is
# committed; scripts/bearssl.sh, bench/Makefile).
#
#   fetch-source.sh POOL TARBALL SHA256 DIR [MEMBER...]
#
# downloads http://deb.debian.org/debian/pool/POOL/TARBALL (or the same
# file from snapshot.debian.org), checks it against SHA256 (the one
# Debian's .dsc gives), and unpacks it into DIR, only the MEMBERs if any
# are named. A second call does nothing once DIR/.TARBALL.verified exists.
set -euo pipefail

die() {
	echo "fetch-source.sh: $*" >&2
	exit 1
}

[ $# -ge 4 ] || die "usage: fetch-source.sh POOL TARBALL SHA256 DIR [MEMBER...]"
pool=$1 tarball=$2 sha256=$3 dir=$4
shift 4
stamp=$dir/.$tarball.verified
[ -f "$stamp" ] && exit 0
urls=(
	"http://deb.debian.org/debian/pool/$pool/$tarball"
	"https://snapshot.debian.org/archive/debian/20250520T000000Z/pool/$pool/$tarball"
)
mkdir -p "$dir"
tmp=$(mktemp "$dir/.dl.XXXXXX")
trap 'rm -f "$tmp"' EXIT
got=
for url in "${urls[@]}"; do
	if curl -fsSL --retry 3 -o "$tmp" "$url"; then
		got=$url
		break
	fi
	echo "fetch-source.sh: could not download $url" >&2
done
[ -n "$got" ] || die "no copy of $tarball could be downloaded"
sum=$(sha256sum "$tmp" | cut -d' ' -f1)
[ "$sum" = "$sha256" ] || die "$got: SHA-256 $sum, expected $sha256"
tar -C "$dir" -xJf "$tmp" "$@" || die "$tarball did not unpack${*:+ ($*)}"
echo "$got $sha256" >"$stamp"
echo "fetch-source.sh: $tarball unpacked in $dir" >&2
