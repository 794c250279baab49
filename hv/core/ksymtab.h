/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Looking a name up in one of the kernel's export tables, read from guest
 * memory that the hypervisor protects as the kernel's read-only data
 * (ksymtab.c; docs/module-signatures.md, "Import values from the
 * kernel's export tables"): exports.c.
 *
 * x86-64 kernels (6.1 and 6.12, CONFIG_HAVE_ARCH_PREL32_RELOCATIONS) keep
 * each table, __ksymtab and __ksymtab_gpl, as an array of 12-byte
 * struct kernel_symbol { int value_offset, name_offset, namespace_offset; },
 * each offset relative to its own field, sorted by name (the linker's
 * SORT(___ksymtab+*)); the kernel's own lookup is a binary search
 * (find_exported_symbol_in_section()).
 */
#ifndef HV_CORE_KSYMTAB_H
#define HV_CORE_KSYMTAB_H

#include <hv/types.h>

struct gwalk_ctx;

#define KSYMTAB_ENTRY	12
#define KSYMTAB_NAME_MAX 512		/* KSYM_NAME_LEN in 6.1 and 6.12 */

enum ksymtab_result {
	KSYMTAB_FOUND = 0,
	KSYMTAB_ABSENT = 1,		/* no entry has that name */
	KSYMTAB_E_UNPROTECTED = -1,	/* an entry or a name outside protected read-only data */
	KSYMTAB_E_FORMAT = -2,		/* a bad table: misaligned, unsorted where searched, name too long */
};

/*
 * Where a table may be read from: page @gpa is protected read-only data
 * of the table's owner (the kernel's rodata, or a compared module's):
 * the caller's predicate (the permission database in the hypervisor, a
 * fake in tests), with its context.
 */
#define KSYMTAB_TLB	256
struct ksymtab_tlb {
	u64 vpage[KSYMTAB_TLB];		/* page address + 1 (0: empty) ... */
	u64 tag[KSYMTAB_TLB];		/* ... for this source (ksymtab_src.tag) ... */
	u64 gpa[KSYMTAB_TLB];		/* ... and the page it was found at, checked */
};

struct ksymtab_src {
	bool (*protected_page)(void *ctx, u64 gpa);
	void *ctx;
	/*
	 * Pages translated and found protected, kept (NULL: none), under
	 * @tag: an entry serves only the same tag. The caller changes the tag
	 * when what it checked may have changed (a module's memory released).
	 */
	struct ksymtab_tlb *tlb;
	u64 tag;
};

/*
 * Look @name up in the table [@start, @end) (kernel virtual addresses,
 * read through @w): *value is the export's address. Every byte read must
 * lie in pages @src accepts, so what it returns cannot have changed since
 * its owner was trusted.
 */
int ksymtab_lookup(const struct gwalk_ctx *w, const struct ksymtab_src *src,
		   u64 start, u64 end, const char *name, u64 *value);

#endif
