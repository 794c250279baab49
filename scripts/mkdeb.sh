#!/bin/bash
# make deb: the lvbs Debian package (debian/, docs/packaging.md), into
# build/deb/, then lintian on it and a DKMS build of lvbs.ko from it for
# every kernel whose headers are installed.
#
# The package is built in a copy of the tree (the files git knows of,
# committed or not), because dpkg-buildpackage writes next to the tree it
# builds; the copy gets BearSSL's source from build/third_party, fetched
# and checked beforehand (scripts/bearssl.sh), so the package build
# downloads nothing.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$repo/build/deb

die() {
	echo "mkdeb.sh: $*" >&2
	exit 1
}

for t in dpkg-buildpackage dpkg-parsechangelog lintian dkms git; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found (scripts/install-deps.sh installs it)"
done
git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || die "$repo is not a git checkout"
version=$(dpkg-parsechangelog -l "$repo/debian/changelog" -S Version)
src=$out/lvbs-$version
rm -rf "$out"
mkdir -p "$src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
	while IFS= read -r -d '' f; do
		[ -e "$repo/$f" ] && printf '%s\0' "$f"
	done | (cd "$repo" && xargs -0 cp --parents -t "$src")
"$repo/scripts/bearssl.sh" "$repo/build/third_party" >/dev/null
mkdir -p "$src/build"
cp -a "$repo/build/third_party" "$src/build/"

echo "mkdeb.sh: dpkg-buildpackage (log: $out/build.log)"
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 ||
	die "dpkg-buildpackage failed: $(tail -n 8 "$out/build.log" | cut -c1-300)"
deb=$out/lvbs_${version}_amd64.deb
[ -s "$deb" ] || die "no $deb"

# Lintian: no error and no warning; the tags left are in docs/packaging.md.
# Pedantic and informational tags are listed too (docs/packaging.md says
# why each one stays).
lintian --fail-on error,warning --display-info --pedantic "$deb" >"$out/lintian.txt" 2>&1 ||
	die "lintian: $(grep -E '^[EW]: ' "$out/lintian.txt")"
tags=$(grep -cE '^[IPX]: ' "$out/lintian.txt" || true)
echo "mkdeb.sh: lintian: no error or warning; $tags informational or pedantic tags (build/deb/lintian.txt)"

# DKMS as the package's postinst would run it, in private trees: the
# sources the package installs, built against each installed kernel.
x=$out/check
mkdir -p "$x/root" "$x/dkms"
dpkg-deb -x "$deb" "$x/root"
n=0
for h in /usr/src/linux-headers-*-amd64; do
	[ -e "$h/Makefile" ] || continue
	k=${h#/usr/src/linux-headers-}
	dkms build -m lvbs -v "$version" -k "$k" --sourcetree "$x/root/usr/src" \
		--dkmstree "$x/dkms" >"$x/dkms-$k.log" 2>&1 ||
		die "dkms build for $k failed: $(tail -n 20 "$x/dkms-$k.log")"
	# DKMS compresses it as the kernel's own modules are (xz on 6.12).
	ko=$(find "$x/dkms/lvbs/$version/$k" \( -name lvbs.ko -o -name 'lvbs.ko.*' \) -print -quit)
	[ -n "$ko" ] || die "dkms build for $k made no lvbs.ko"
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$k" ] ||
		die "lvbs.ko built for $k has vermagic $(modinfo -F vermagic "$ko")"
	echo "mkdeb.sh: DKMS built lvbs.ko for $k"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || die "no kernel headers in /usr/src to build lvbs.ko against"
echo "mkdeb.sh: $deb ($(stat -c %s "$deb") bytes)"
