// SPDX-License-Identifier: GPL-2.0
/*
 * The image applies its own relocations. It is linked at 0 and runs at
 * the loader's hv_virt; code reaches everything RIP-relative, but a
 * pointer in initialised data (a table of names, BearSSL's tables of
 * curve parameters and functions) is an absolute address the linker can
 * only leave as an R_X86_64_RELATIVE entry: "add the load address". The
 * Makefile refuses an image with any other kind. The loader knows nothing
 * of them (docs/abi.md, loader contract).
 */
#include <hv/types.h>
#include "hv.h"
#include "elf.h"

extern const struct elf64_rela __rela_start[], __rela_end[];
extern char hv_header[], __data_end[];

/*
 * Once, in entry_init, on the loader's bootstrap tables (which map the
 * image writable), before anything reads such a pointer and before the
 * hypervisor's own tables make these pages read-only. -1 if an entry is
 * not what the build allows (a corrupt image): nothing is launched.
 */
int hv_relocate(void)
{
	static bool done;
	u64 base = (u64)hv_header, limit = (u64)(__data_end - hv_header);
	const struct elf64_rela *r;

	if (done)
		return 0;
	for (r = __rela_start; r < __rela_end; r++) {
		if ((u32)r->info != R_X86_64_RELATIVE || r->offset > limit - 8 || (r->offset & 7))
			return -1;
		*(u64 *)(base + r->offset) = base + (u64)r->addend;
	}
	done = true;
	return 0;
}
