// SPDX-License-Identifier: GPL-2.0
/*
 * Generic x86 page-table builder (see pt.h). Levels are numbered as the
 * hardware walks them bottom-up: 1 = PT (4 KiB leaves), 2 = PD (2 MiB),
 * 3 = PDPT (1 GiB), 4 = PML4, 5 = PML5 (AMD APM vol. 2 sec. 5.3 "Long-Mode
 * Page Translation", Intel SDM vol. 3A sec. 4.5 "4-Level and 5-Level
 * Paging", sec. 29.3.2 for EPT).
 *
 * An entry value of 0 is "not present" in every format we write; any other
 * value was written by this file and is present. That keeps the presence
 * test format-neutral (EPT has no P bit).
 */
#include <hv/types.h>
#include "pt.h"

#define PT_ENTRIES	512
#define PT_IDX_MASK	(PT_ENTRIES - 1)
/* Physical-address field of an entry, bits 51:12 (MAXPHYADDR at most 52). */
#define PT_ADDR_MASK	0x000ffffffffff000ULL
#define PT_PA_LIMIT	(1ULL << 52)

/* x86 paging-structure bits, AMD APM vol. 2 sec. 5.4.1, Intel SDM 4.5. */
#define X86_PTE_P	BIT(0)
#define X86_PTE_RW	BIT(1)
#define X86_PTE_US	BIT(2)
#define X86_PTE_PWT	BIT(3)
#define X86_PTE_PCD	BIT(4)
#define X86_PTE_A	BIT(5)
#define X86_PTE_D	BIT(6)
#define X86_PTE_PS	BIT(7)
#define X86_PTE_NX	BIT(63)

const struct pt_fmt pt_fmt_x86_host = {
	.table_bits	= X86_PTE_P | X86_PTE_RW | X86_PTE_A,
	.present_bits	= X86_PTE_P | X86_PTE_A | X86_PTE_D,
	.w_bits		= X86_PTE_RW,
	.nx_bits	= X86_PTE_NX,
	.uc_bits	= X86_PTE_PCD | X86_PTE_PWT,	/* PAT entry 3: UC */
	.large_bit	= X86_PTE_PS,
	.max_leaf_level	= 2,
	.levels		= 4,
};

/*
 * AMD NPT (APM vol. 2 sec. 15.25.5 "Nested Table Walk"): nested entries
 * have the legacy long-mode format and every access is treated as a user
 * access, so U must be set at every level or the walk faults. A and D are
 * preset so the CPU never has to write them back. NX needs host EFER.NXE.
 */
void pt_fmt_make_npt(struct pt_fmt *f, bool gb_pages)
{
	*f = (struct pt_fmt){
		.table_bits	= X86_PTE_P | X86_PTE_RW | X86_PTE_US | X86_PTE_A,
		.present_bits	= X86_PTE_P | X86_PTE_US | X86_PTE_A | X86_PTE_D,
		.w_bits		= X86_PTE_RW,
		.nx_bits	= X86_PTE_NX,
		.large_bit	= X86_PTE_PS,
		.max_leaf_level	= gb_pages ? 3 : 2,
		.levels		= 4,
	};
}

/*
 * AMD NPT with GMET (guest-mode execute trap) enabled in the VMCB: a
 * supervisor-mode instruction fetch from a page whose nested leaf has
 * U/S=1 takes a nested page fault; U/S=0 pages are supervisor-executable.
 * Data accesses and user-mode fetches are unaffected. So U/S is set in a
 * leaf exactly when PT_XS is absent; tables keep U/S=1 (the walk of the
 * nested tables itself still counts as a user access).
 */
void pt_fmt_make_npt_gmet(struct pt_fmt *f, bool gb_pages)
{
	pt_fmt_make_npt(f, gb_pages);
	f->present_bits &= ~X86_PTE_US;
	f->nxs_bits = X86_PTE_US;
}

/* Intel EPT entry bits, SDM vol. 3C 29.3.2 (tables 29-1 to 29-6). */
#define EPT_R		BIT(0)
#define EPT_W		BIT(1)
#define EPT_X		BIT(2)		/* with MBEC: supervisor-mode execute */
#define EPT_MT_WB	(6ULL << 3)	/* memory type, leaves only; UC is 0 */
#define EPT_LARGE	BIT(7)
#define EPT_XU		BIT(10)		/* with MBEC: user-mode execute */

/*
 * Intel EPT. No present bit: an entry with none of R, W, X is not
 * present, and every leaf this file writes has at least one. Tables
 * allow everything (user execute too under MBEC), so the leaf alone
 * decides. A leaf is write-back unless PT_UC (memory type 0, for what is
 * not RAM); "ignore PAT" stays clear, so the guest's PAT combines with
 * the leaf's type as it would with the MTRRs (SDM 29.3.7.2). A/D bits
 * are not enabled in the EPTP, so bits 8 and 9 are left 0. With MBEC
 * (secondary control 22; SDM 29.3.3.2) bit 2 allows supervisor-mode
 * fetches and bit 10 user-mode ones; without it bit 2 allows both. EPT
 * has no write-only page (W without R is a misconfiguration): callers
 * give PT_W only with PT_R, as the SLAT does.
 */
void pt_fmt_make_ept(struct pt_fmt *f, bool gb_pages, bool mbec)
{
	*f = (struct pt_fmt){
		.table_bits	= EPT_R | EPT_W | EPT_X | (mbec ? EPT_XU : 0),
		.r_bits		= EPT_R,
		.w_bits		= EPT_W,
		.xs_bits	= EPT_X,
		.xu_bits	= mbec ? EPT_XU : EPT_X,
		.wb_bits	= EPT_MT_WB,
		.large_bit	= EPT_LARGE,
		.max_leaf_level	= gb_pages ? 3 : 2,
		.levels		= 4,
	};
}

/* The hypervisor's own tables: supervisor only, A/D preset, NX. */
void pt_fmt_make_x86_host(struct pt_fmt *f, bool gb_pages)
{
	*f = pt_fmt_x86_host;
	f->max_leaf_level = gb_pages ? 3 : 2;
}

u64 pt_pool_in_use(const struct pt_pool *pool)
{
	return pool->used - pool->nr_free;
}

u64 pt_pool_avail(const struct pt_pool *pool)
{
	return pool->nr_pages - pool->used + pool->nr_free;
}

void *pt_pool_alloc(struct pt_pool *pool)
{
	u64 *page;
	u32 i;

	if (!pool)
		return NULL;
	if (pool->nr_free) {
		/* A freed page: its first word links to the next one. */
		page = pt_pool_va(pool, pool->free_head);
		if (!page)
			return NULL;
		pool->free_head = page[0];
		pool->nr_free--;
	} else {
		if (pool->used >= pool->nr_pages)
			return NULL;
		page = (u64 *)(uintptr_t)(pool->virt_base + (pool->used << PAGE_SHIFT));
		pool->used++;
	}
	for (i = 0; i < PT_ENTRIES; i++)
		page[i] = 0;
	pool->peak = MAX(pool->peak, pt_pool_in_use(pool));
	return page;
}

void pt_pool_free(struct pt_pool *pool, void *page)
{
	u64 pa = pt_pool_pa(pool, page);

	if (pa == ~0ULL || (pa & (PAGE_SIZE - 1)))
		return;
	((u64 *)page)[0] = pool->free_head;
	pool->free_head = pa;
	pool->nr_free++;
}

/*
 * Retired tables are linked through their first entry: a pool page's
 * address with no permission bits, which a CPU still walking the table
 * reads as not present (a fault the SLAT handler retries), never as a
 * mapping.
 */
static void retire_table(struct pt_pool *pool, u64 *t)
{
	u64 pa = pt_pool_pa(pool, t);

	if (pa == ~0ULL)
		return;
	WRITE_ONCE(t[0], pool->retired_head);
	pool->retired_head = pa;
	pool->nr_retired++;
}

u64 pt_pool_take_retired(struct pt_pool *pool)
{
	u64 list = pool->retired_head;

	pool->retired_head = 0;
	pool->nr_retired = 0;
	return list;
}

void pt_pool_free_retired(struct pt_pool *pool, u64 list)
{
	while (list) {
		u64 *t = pt_pool_va(pool, list);

		if (!t)
			return;
		list = t[0];
		pt_pool_free(pool, t);
	}
}

void pt_pool_keep_retired(struct pt_pool *pool, u64 list)
{
	while (list) {
		u64 *t = pt_pool_va(pool, list);

		if (!t)
			return;
		list = t[0];
		retire_table(pool, t);
	}
}

/* Physical address of a pool page, or ~0 if va is not inside the pool. */
u64 pt_pool_pa(const struct pt_pool *pool, const void *va)
{
	u64 off = (u64)(uintptr_t)va - pool->virt_base;

	if ((u64)(uintptr_t)va < pool->virt_base || (off >> PAGE_SHIFT) >= pool->nr_pages)
		return ~0ULL;
	return pool->phys_base + off;
}

/*
 * Where this code reaches physical address pa of the pool, or NULL if pa is
 * not a page handed out by the pool: a table pointer outside it would mean
 * a corrupted table, and we refuse to follow it.
 */
void *pt_pool_va(const struct pt_pool *pool, u64 pa)
{
	u64 off = pa - pool->phys_base;

	if (pa < pool->phys_base || (off >> PAGE_SHIFT) >= pool->used ||
	    (off & (PAGE_SIZE - 1)))
		return NULL;
	return (void *)(uintptr_t)(pool->virt_base + off);
}

static bool fmt_ok(const struct pt_fmt *f)
{
	return f && (f->levels == 4 || f->levels == 5) &&
	       f->max_leaf_level >= 1 && f->max_leaf_level <= 3;
}

int pt_init(struct pt *pt, const struct pt_fmt *fmt, struct pt_pool *pool)
{
	void *root;

	if (!pt || !fmt_ok(fmt) || !pool)
		return -1;
	root = pt_pool_alloc(pool);
	if (!root)
		return -1;
	pt->fmt = fmt;
	pt->pool = pool;
	pt->root_pa = pt_pool_pa(pool, root);
	return 0;
}

static inline u32 lvl_shift(u32 level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static inline u64 lvl_size(u32 level)
{
	return 1ULL << lvl_shift(level);
}

static inline u32 lvl_index(u64 va, u32 level)
{
	return (u32)(va >> lvl_shift(level)) & PT_IDX_MASK;
}

/* Largest leaf level usable; a format without a page-size bit has 4 KiB only. */
static u32 fmt_max_leaf(const struct pt_fmt *f)
{
	return f->large_bit ? f->max_leaf_level : 1;
}

static inline bool is_leaf(const struct pt_fmt *f, u32 level, u64 e)
{
	return level == 1 || (level <= fmt_max_leaf(f) && (e & f->large_bit));
}

/* Bits of a leaf at level for permission perm (!= 0), without the address. */
static u64 leaf_bits(const struct pt_fmt *f, u32 level, u32 perm)
{
	u64 e = f->present_bits;

	if (perm & PT_R)
		e |= f->r_bits;
	if (perm & PT_W)
		e |= f->w_bits;
	if (perm & PT_XS)
		e |= f->xs_bits;
	if (perm & PT_XU)
		e |= f->xu_bits;
	if (!(perm & PT_X))
		e |= f->nx_bits;
	if (!(perm & PT_XS))
		e |= f->nxs_bits;
	if (perm & PT_UC)
		e |= f->uc_bits;
	else
		e |= f->wb_bits;
	if (level > 1)
		e |= f->large_bit;
	return e;
}

/*
 * Permission of a present leaf. A format without an execute split (no
 * xs/xu bits) reports an executable leaf as PT_XS, which pt.h defines as
 * "execute in any mode" for such formats. A format without r_bits (x86:
 * present means readable) always reports PT_R.
 */
static u32 leaf_perm(const struct pt_fmt *f, u64 e)
{
	u32 perm = 0;

	if (!f->r_bits || (e & f->r_bits) == f->r_bits)
		perm |= PT_R;
	if (f->w_bits && (e & f->w_bits) == f->w_bits)
		perm |= PT_W;
	if (f->nxs_bits) {
		if (!(e & f->nx_bits))
			perm |= (e & f->nxs_bits) ? PT_XU : PT_X;
	} else if (f->xs_bits || f->xu_bits) {
		if (f->xs_bits && (e & f->xs_bits) == f->xs_bits)
			perm |= PT_XS;
		if (f->xu_bits && (e & f->xu_bits) == f->xu_bits)
			perm |= PT_XU;
	} else if (!f->nx_bits || !(e & f->nx_bits)) {
		perm |= PT_XS;
	}
	return perm;
}

/*
 * Replace the large leaf *e at level (2 or 3) by a table of 512 leaves one
 * level down with the same attributes and addresses. The new table is
 * filled before it is linked in, so a concurrent hardware walk sees either
 * the old leaf or the complete table (the caller flushes TLBs).
 */
static int split_leaf(struct pt *pt, u64 *e, u32 level)
{
	const struct pt_fmt *f = pt->fmt;
	u64 old = *e, sub = lvl_size(level - 1), base, attrs;
	u64 *table;
	u32 i;

	/* Large-leaf address field starts at the leaf's own alignment. */
	base = old & PT_ADDR_MASK & ~(lvl_size(level) - 1);
	/* Attributes live in bits 11:0 and 63:52; bit 12 (large-page PAT) is never set by us. */
	attrs = old & ~PT_ADDR_MASK & ~f->large_bit;
	if (level - 1 > 1)
		attrs |= f->large_bit;
	table = pt_pool_alloc(pt->pool);
	if (!table)
		return -1;
	for (i = 0; i < PT_ENTRIES; i++)
		table[i] = attrs | (base + i * sub);
	WRITE_ONCE(*e, f->table_bits | pt_pool_pa(pt->pool, table));
	return 0;
}

/* Level of the largest leaf that fits at va/pa with size bytes left. */
static u32 pick_level(const struct pt_fmt *f, u64 va, u64 pa, u64 size, u32 max_level)
{
	u32 level;

	for (level = MIN(fmt_max_leaf(f), max_level); level > 1; level--) {
		u64 sz = lvl_size(level);

		if (!((va | pa) & (sz - 1)) && size >= sz)
			return level;
	}
	return 1;
}

static inline u64 va_width_mask(const struct pt_fmt *f)
{
	return (1ULL << (PAGE_SHIFT + 9 * f->levels)) - 1;
}

/*
 * Set the entry for va at leaf level target. Returns the bytes handled
 * (lvl_size(target), or for an unmap that meets a non-present upper entry
 * the rest of that entry's span, capped at size), or 0 on failure.
 */
/* A table at level and everything below it: out of use until a flush. */
static void retire_subtree(struct pt *pt, u64 table_pa, u32 level)
{
	const struct pt_fmt *f = pt->fmt;
	u64 *t = pt_pool_va(pt->pool, table_pa);

	if (!t)
		return;
	for (u32 i = 0; level > 1 && i < PT_ENTRIES; i++)
		if (t[i] && !is_leaf(f, level, t[i]))
			retire_subtree(pt, t[i] & PT_ADDR_MASK, level - 1);
	retire_table(pt->pool, t);
}

static u64 map_step(struct pt *pt, u64 va, u64 pa, u64 size, u32 perm, u32 target)
{
	const struct pt_fmt *f = pt->fmt;
	u64 *table = pt_pool_va(pt->pool, pt->root_pa);
	u32 level;

	for (level = f->levels; table; level--) {
		u64 *e = &table[lvl_index(va, level)];
		u64 old = READ_ONCE(*e);

		if (level == target) {
			WRITE_ONCE(*e, perm ? leaf_bits(f, level, perm) | pa : 0);
			if (old && !is_leaf(f, level, old))
				retire_subtree(pt, old & PT_ADDR_MASK, level - 1);
			return lvl_size(level);
		}
		if (!old) {
			u64 span = lvl_size(level);
			u64 *t;

			/* Nothing mapped below: an unmap has nothing to do. */
			if (!perm)
				return MIN(size, span - (va & (span - 1)));
			t = pt_pool_alloc(pt->pool);
			if (!t)
				return 0;
			WRITE_ONCE(*e, f->table_bits | pt_pool_pa(pt->pool, t));
		} else if (is_leaf(f, level, old)) {
			if (split_leaf(pt, e, level))
				return 0;
		}
		table = pt_pool_va(pt->pool, READ_ONCE(*e) & PT_ADDR_MASK);
	}
	return 0;
}

int pt_map(struct pt *pt, u64 va, u64 pa, u64 size, u32 perm)
{
	return pt_map_max(pt, va, pa, size, perm, 3);
}

int pt_map_max(struct pt *pt, u64 va, u64 pa, u64 size, u32 perm, u32 max_level)
{
	const struct pt_fmt *f;
	u64 mask;

	if (!pt || !pt->pool || !fmt_ok(pt->fmt) || (perm & ~(PT_RWX | PT_UC)))
		return -1;
	f = pt->fmt;
	if ((va | pa | size) & (PAGE_SIZE - 1))
		return -1;
	mask = va_width_mask(f);
	va &= mask;
	/* No wrap of either address space; physical addresses fit 52 bits. */
	if (size > mask + 1 - va || pa >= PT_PA_LIMIT || size > PT_PA_LIMIT - pa)
		return -1;
	while (size) {
		u64 step = map_step(pt, va, pa, size, perm,
				    pick_level(f, va, pa, size, max_level));

		if (!step)
			return -1;
		va += step;
		pa += step;
		size -= step;
	}
	return 0;
}

/* The entry at level that maps va, or NULL if the walk ends above it. */
static u64 *entry_at(const struct pt *pt, u64 va, u32 want)
{
	const struct pt_fmt *f = pt->fmt;
	u64 *table = pt_pool_va(pt->pool, pt->root_pa);

	va &= va_width_mask(f);
	for (u32 l = f->levels; table && l >= want; l--) {
		u64 *e = &table[lvl_index(va, l)];

		if (l == want)
			return e;
		if (!*e || is_leaf(f, l, *e))
			return NULL;
		table = pt_pool_va(pt->pool, *e & PT_ADDR_MASK);
	}
	return NULL;
}

bool pt_merge_2m(struct pt *pt, u64 va)
{
	const struct pt_fmt *f;
	u64 *pde, *t, first, attrs, base;
	u32 i;

	if (!pt || !pt->pool || !fmt_ok(pt->fmt) || fmt_max_leaf(pt->fmt) < 2)
		return false;
	f = pt->fmt;
	pde = entry_at(pt, va, 2);
	if (!pde || !*pde || is_leaf(f, 2, *pde))
		return false;
	t = pt_pool_va(pt->pool, *pde & PT_ADDR_MASK);
	if (!t)
		return false;
	first = t[0];
	base = first & PT_ADDR_MASK;
	attrs = first & ~PT_ADDR_MASK;
	if (!first || (base & (lvl_size(2) - 1)))
		return false;
	for (i = 1; i < PT_ENTRIES; i++)
		if (t[i] != (attrs | (base + ((u64)i << PAGE_SHIFT))))
			return false;
	/* The same attributes as a 2 MiB leaf (PAT bit 12 is never set by us). */
	WRITE_ONCE(*pde, attrs | f->large_bit | base);
	retire_table(pt->pool, t);
	return true;
}

int pt_lookup(const struct pt *pt, u64 va, u64 *pa, u32 *perm, u32 *level)
{
	const struct pt_fmt *f;
	u64 *table;
	u32 l;

	if (!pt || !pt->pool || !fmt_ok(pt->fmt))
		return -1;
	f = pt->fmt;
	va &= va_width_mask(f);
	table = pt_pool_va(pt->pool, pt->root_pa);
	for (l = f->levels; table && l >= 1; l--) {
		u64 e = READ_ONCE(table[lvl_index(va, l)]);

		if (!e)
			return -1;
		if (is_leaf(f, l, e)) {
			u64 sz = lvl_size(l);

			if (pa)
				*pa = (e & PT_ADDR_MASK & ~(sz - 1)) | (va & (sz - 1));
			if (perm)
				*perm = leaf_perm(f, e);
			if (level)
				*level = l;
			return 0;
		}
		table = pt_pool_va(pt->pool, e & PT_ADDR_MASK);
	}
	return -1;
}
