/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Looking a name up in one of the kernel's export tables, read from guest
 * memory that the hypervisor protects as the kernel's read-only data
 * (ksymtab.c; docs/module-signatures.md, "Import values from the
 * kernel's export tables"). Not called by a hypercall yet.
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
 * Page @gpa holds the kernel's protected read-only data: the caller's
 * predicate (the permission database in the hypervisor, a fake in tests).
 */
typedef bool (*ksymtab_protected_fn)(u64 gpa);

/*
 * Look @name up in the table [@start, @end) (kernel virtual addresses,
 * read through @w): *value is the export's address. Every byte read must
 * lie in pages @protected accepts, so what it returns cannot have changed
 * since the kernel was trusted.
 */
int ksymtab_lookup(const struct gwalk_ctx *w, ksymtab_protected_fn protected_page,
		   u64 start, u64 end, const char *name, u64 *value);

#endif
