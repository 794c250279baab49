/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One page-table builder for every x86 table lvbs writes: the hypervisor's
 * own page tables, AMD NPT and Intel EPT. The formats differ only in which
 * bits mean what, so each is a struct pt_fmt (data only: the image has no
 * relocations, so no function pointers in static data) and the walking,
 * splitting and large-page logic exists once.
 */
#ifndef HV_CORE_PT_H
#define HV_CORE_PT_H

#include <hv/types.h>

/* Format-independent permissions of a mapping. 0 means not present. */
#define PT_R	(1u << 0)
#define PT_W	(1u << 1)
#define PT_XS	(1u << 2)	/* execute in supervisor mode (any mode if the format has no split) */
#define PT_XU	(1u << 3)	/* execute in user mode */
#define PT_X	(PT_XS | PT_XU)
#define PT_RWX	(PT_R | PT_W | PT_X)
#define PT_UC	(1u << 4)	/* uncacheable (MMIO such as the local APIC); host format only */

struct pt_fmt {
	u64 table_bits;		/* OR'ed into every entry that points to a table */
	u64 present_bits;	/* OR'ed into every leaf with perm != 0 */
	u64 r_bits;		/* added for PT_R */
	u64 w_bits;		/* added for PT_W */
	u64 xs_bits;		/* added for PT_XS */
	u64 xu_bits;		/* added for PT_XU */
	u64 nx_bits;		/* added when neither PT_XS nor PT_XU */
	u64 nxs_bits;		/* added when PT_XS is absent (AMD GMET: U=1) */
	u64 uc_bits;		/* added for PT_UC */
	u64 wb_bits;		/* added without PT_UC (EPT: the leaf's memory type) */
	u64 large_bit;		/* page-size bit of 2 MiB / 1 GiB leaves */
	u32 max_leaf_level;	/* 1: 4 KiB only, 2: up to 2 MiB, 3: up to 1 GiB */
	u32 levels;		/* 4 (48-bit) or 5 (57-bit) */
};

/* Bounded supply of zeroed 4 KiB pages for tables, with address conversion. */
struct pt_pool {
	u64 virt_base;		/* where this code reaches page 0 of the pool */
	u64 phys_base;		/* its physical address */
	u64 nr_pages;
	u64 used;		/* pages ever handed out (the free list reuses them) */
	u64 free_head;		/* pa of the first page given back, 0 if none */
	u64 nr_free;		/* pages on the free list */
	u64 peak;		/* most pages in use at once */
	u64 retired_head;	/* pa of the first table no entry points to any more, 0 if none */
	u64 nr_retired;		/* ... waiting for every CPU to flush before reuse */
};

struct pt {
	const struct pt_fmt *fmt;
	struct pt_pool *pool;
	u64 root_pa;
};

void *pt_pool_alloc(struct pt_pool *pool);	/* zeroed page, or NULL when exhausted */
/* Give a table page back. Only once no CPU can still walk it (TLBs flushed). */
void pt_pool_free(struct pt_pool *pool, void *page);
u64 pt_pool_avail(const struct pt_pool *pool);	/* pages pt_pool_alloc() can still give */
/*
 * Tables that pt_map() or pt_merge_2m() cut off stay out of use (retired)
 * until the caller has made every CPU flush: take them under the lock that
 * serializes the tables, flush, then free them, or put them back if the
 * flush failed.
 */
u64 pt_pool_take_retired(struct pt_pool *pool);
void pt_pool_free_retired(struct pt_pool *pool, u64 list);
void pt_pool_keep_retired(struct pt_pool *pool, u64 list);
u64 pt_pool_in_use(const struct pt_pool *pool);
u64 pt_pool_pa(const struct pt_pool *pool, const void *va);
void *pt_pool_va(const struct pt_pool *pool, u64 pa);

/* Allocate an empty root table. 0, or -1 if the pool is exhausted. */
int pt_init(struct pt *pt, const struct pt_fmt *fmt, struct pt_pool *pool);

/*
 * Map [va, va+size) to [pa, pa+size) with permission perm (0: not present),
 * replacing whatever was there. va, pa and size must be 4 KiB aligned. Uses
 * the largest leaves that alignment and fmt->max_leaf_level allow; a large
 * leaf only partly covered is split first and keeps its old mapping outside
 * the range. va is truncated to the format's address width (canonical high
 * addresses work). Returns 0, or -1 on bad arguments or when the pool runs
 * out (then part of the range may already be changed).
 */
int pt_map(struct pt *pt, u64 va, u64 pa, u64 size, u32 perm);
/* A leaf written over a table retires that table and everything below it. */
/* The same with leaves no larger than level max_level (1: 4 KiB, 2: 2 MiB). */
int pt_map_max(struct pt *pt, u64 va, u64 pa, u64 size, u32 perm, u32 max_level);

/*
 * Translate va. Returns 0 and fills pa, perm and level (1: 4 KiB, 2: 2 MiB,
 * 3: 1 GiB leaf) if mapped; -1 if not present.
 */
int pt_lookup(const struct pt *pt, u64 va, u64 *pa, u32 *perm, u32 *level);

/*
 * If the table of 4 KiB leaves that maps the 2 MiB block holding va maps
 * it uniformly (every entry present, the same attributes, contiguous
 * addresses), replace it by one 2 MiB leaf, retire the table and return
 * true. False when there is no such table or it is not uniform, or the
 * format has no 2 MiB leaves.
 */
bool pt_merge_2m(struct pt *pt, u64 va);

/* Formats. */
extern const struct pt_fmt pt_fmt_x86_host;	/* hypervisor's own tables: supervisor, NX */
void pt_fmt_make_npt(struct pt_fmt *f, bool gb_pages);		/* AMD NPT (no GMET) */
void pt_fmt_make_npt_gmet(struct pt_fmt *f, bool gb_pages);	/* AMD NPT with GMET on */
void pt_fmt_make_x86_host(struct pt_fmt *f, bool gb_pages);
/* Intel EPT; @mbec: supervisor and user execute apart (mode-based execute control). */
void pt_fmt_make_ept(struct pt_fmt *f, bool gb_pages, bool mbec);

#endif
