// SPDX-License-Identifier: GPL-2.0
/*
 * The export tables the hypervisor takes module imports from (ABI:
 * EXPORTS; docs/module-signatures.md, "Import values"), named before SEAL
 * while the kernel is trusted: the kernel's __ksymtab and __ksymtab_gpl,
 * and those of the modules loaded before lvbs.
 *
 * __start___ksymtab and friends are not exported. The tables are found in
 * the kernel's read-only data ("Kernel rodata", layout.c) by the search in
 * include/lvbs/ksymscan.h: the entry of an export lvbs.ko itself uses
 * (_printk for __ksymtab, register_kprobe for __ksymtab_gpl), extended
 * while names keep rising. The same search, run on Debian's images in
 * `make vmtest` (lvbs-certs exports), finds exactly the sections' bounds.
 * Here it is checked again by a binary search for a few more exports,
 * with the addresses the linker gave lvbs.ko. A kernel where this fails
 * still runs lvbs: the tables are not given, MODULE_COMPARE takes import
 * values from the loader, and `lvbsctl status` says so.
 *
 * Reading rodata: the kernel image's own mapping (read-only, present for
 * the kernel's lifetime); its address is the resource's physical address
 * moved by the kernel image's offset (__START_KERNEL_map - phys_base, the
 * inverse of __pa_symbol()).
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/kallsyms.h>
#include <linux/vmalloc.h>
#include <asm/page.h>
#include <lvbs/ksymscan.h>
#include "lvbs.h"

struct anchor {
	const char *name;
	unsigned long addr;
	int table;		/* 0 __ksymtab, 1 __ksymtab_gpl */
};

/* Binary search as the kernel's (and the hypervisor's): the value, or 0. */
static unsigned long table_lookup(u64 start, u64 end, const char *name)
{
	u64 lo = 0, hi = (end - start) / KSYMSCAN_ENTRY;

	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2;
		const u8 *e = (const u8 *)(unsigned long)(start + mid * KSYMSCAN_ENTRY);
		const char *n = (const char *)e + 4 + ksymscan_rel(e + 4);
		int c = strcmp(name, n);

		if (!c)
			return (unsigned long)e + ksymscan_rel(e);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int give(u32 owner, const u64 start[2], const u64 end[2])
{
	struct lvbs_exports *e = kzalloc(sizeof(*e), GFP_KERNEL);
	int r;

	if (!e)
		return -ENOMEM;
	e->size = sizeof(*e);
	e->owner = owner;
	e->start[0] = start[0];
	e->end[0] = end[0];
	e->start[1] = start[1];
	e->end[1] = end[1];
	r = lvbs.hv->exports(e);
	kfree(e);
	return r;
}

/* The kernel's tables, found and checked; 0, or why not. */
static const char *find_kernel_tables(const struct lvbs_layout *l, u64 start[2], u64 end[2])
{
	const struct anchor anchors[] = {
		{ "_printk", (unsigned long)_printk, 0 },
		{ "register_kprobe", (unsigned long)register_kprobe, 1 },
		{ "kfree", (unsigned long)kfree, 0 },
		{ "vfree", (unsigned long)vfree, 0 },
		{ "vmalloc_to_page", (unsigned long)vmalloc_to_page, 0 },
		{ "sprint_symbol", (unsigned long)sprint_symbol, 1 },
		{ "unregister_kprobe", (unsigned long)unregister_kprobe, 1 },
	};
	u64 base = l->rodata.start + __START_KERNEL_map - phys_base;
	u64 len = l->rodata.end - l->rodata.start;
	const u8 *buf = (const u8 *)(unsigned long)base;
	int t;

	for (t = 0; t < 2; t++) {
		unsigned long long s, e;

		if (ksymscan_find(buf, base, len, anchors[t].addr, anchors[t].name, &s, &e))
			return t ? "no __ksymtab_gpl entry for register_kprobe in rodata" :
				   "no __ksymtab entry for _printk in rodata";
		start[t] = s;
		end[t] = e;
	}
	for (t = 0; t < ARRAY_SIZE(anchors); t++) {
		const struct anchor *a = &anchors[t];

		if (table_lookup(start[a->table], end[a->table], a->name) != a->addr)
			return a->table ? "an export of __ksymtab_gpl not found where expected" :
					  "an export of __ksymtab not found where expected";
	}
	return NULL;
}

/*
 * Before SEAL, the kernel image registered: its export tables to the
 * hypervisor. Not fatal: without them imports are the loader's word.
 */
void lvbs_exports_kernel(const struct lvbs_layout *l)
{
	u64 start[2], end[2];
	const char *why = find_kernel_tables(l, start, end);
	int r;

	if (why) {
		pr_warn("the kernel's export tables: %s; module imports are not checked against them\n",
			why);
		return;
	}
	r = give(LVBS_OWNER_KERNEL, start, end);
	if (r) {
		pr_warn("the kernel's export tables: refused by the hypervisor (%d); module imports are not checked against them\n",
			r);
		return;
	}
	pr_info("the kernel's export tables: %llu + %llu entries; module imports are taken from them\n",
		(end[0] - start[0]) / KSYMSCAN_ENTRY, (end[1] - start[1]) / KSYMSCAN_ENTRY);
}

/*
 * A module loaded before SEAL, registered under @owner: its export tables
 * (mod->syms, mod->gpl_syms, in its read-only data), for modules loaded
 * later that import from it. Entries are the kernel's 12-byte struct
 * kernel_symbol, as in its own tables (checked above).
 */
int lvbs_exports_module(const struct module *mod, u32 owner)
{
	u64 start[2], end[2];

	if (!mod->num_syms && !mod->num_gpl_syms)
		return 0;
	start[0] = (unsigned long)mod->syms;
	end[0] = start[0] + (u64)mod->num_syms * KSYMSCAN_ENTRY;
	start[1] = (unsigned long)mod->gpl_syms;
	end[1] = start[1] + (u64)mod->num_gpl_syms * KSYMSCAN_ENTRY;
	if (!mod->num_syms)
		start[0] = end[0] = 0;
	if (!mod->num_gpl_syms)
		start[1] = end[1] = 0;
	return give(owner, start, end);
}
