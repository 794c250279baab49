#!/bin/bash
# The hypervisor's module relocator (hv/core/modreloc.c, built for the
# host in tools/lvbs-modreloc) against an independent one, GNU ld, on
# this series' Debian modules (tests/vm/debmods.sh). Run by `make vmtest`
# before the VM scenarios.
#
# For each module: lvbs-modreloc chooses where each section goes and what
# each import is worth, ld links the module there (from a copy whose
# sections ld may not merge), and every laid-out section the hypervisor
# computes must equal ld's, byte for byte. Notes are not compared (ld
# drops them; they carry no relocations).
#
# Pass: every module is the same as ld's; and a module with one relocation
# site made nonzero is refused, as the kernel refuses it.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo=$REPO
tool=$repo/build/tools/lvbs-modreloc
make -s -C "$repo/tools/lvbs-modreloc" >/dev/null
command -v ld >/dev/null 2>&1 || die "ld not found (install binutils)"
"$VM_LIB_DIR/debmods.sh"

out=$VM_DIR/modreloc
rm -rf "$out"
mkdir -p "$out"

mods=("$VM_DIR"/debmods/*.ko)
[ "${#mods[@]}" -ge 10 ] || die "only ${#mods[@]} Debian modules in $VM_DIR/debmods"
relocs=0
for m in "${mods[@]}"; do
	b=$out/$(basename "$m" .ko)
	"$tool" script "$m" >"$b.ld"
	"$tool" unmerge "$m" "$b.copy.ko"
	ld -o "$b.linked" -T "$b.ld" --no-relax -nostdlib -static -e 0 \
		--no-warn-rwx-segments "$b.copy.ko" 2>"$b.ld-err" ||
		die "ld could not link $m: $(head -n 3 "$b.ld-err")"
	line=$("$tool" compare "$m" "$b.linked" 2>&1) || die "$line"
	echo "$line" >>"$out/compare.txt"
	n=${line% relocations:*}
	relocs=$((relocs + ${n##* }))
done

# The same relocator must refuse what the kernel refuses: a relocation
# site that is not zero in the file ("Invalid relocation target, existing
# value is nonzero"). xfs.ko's first .rela.text entry, its site set to 1.
m=$VM_DIR/debmods/xfs.ko
# The awk scripts read all their input: one that exits early kills readelf
# with SIGPIPE, which pipefail turns into a failure (docs/testing.md).
read -r site < <(readelf -r -W "$m" | awk '/^Relocation section .\.rela\.text. / {f = 1; next}
	f && /R_X86_64/ && !done {print $1; done = 1}')
text_off=$(readelf -S -W "$m" | awk '!done {for (i = 1; i < NF; i++) if ($i == ".text") {print $(i + 3); done = 1; break}}')
if [ -z "$site" ] || [ -z "$text_off" ]; then
	die "cannot find xfs.ko's first .text relocation"
fi
cp "$m" "$out/nonzero.ko"
printf '\x01' | dd of="$out/nonzero.ko" bs=1 seek=$((0x$text_off + 0x$site)) conv=notrunc status=none
r=$("$tool" compare "$out/nonzero.ko" "$out/xfs.linked" 2>&1 || true)
[ "$r" = "lvbs-modreloc: .text: relocation site not zero" ] || die "a nonzero relocation site gave: $r"

echo "modreloc-debian: ${#mods[@]} of ${#mods[@]} Debian modules relocated as GNU ld does ($relocs relocations); a nonzero relocation site is refused"
