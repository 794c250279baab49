// SPDX-License-Identifier: GPL-2.0
/* Tests of hv/core/pt.c: formats, large leaves, splitting, pool limits. */
#include <stdlib.h>
#include <string.h>
#include <hv/types.h>
#include "core/pt.h"
#include "test.h"

#define FAKE_PHYS	0x7700000000ULL	/* pool's "physical" base, != its VA */

#define E_P	BIT(0)
#define E_RW	BIT(1)
#define E_US	BIT(2)
#define E_A	BIT(5)
#define E_D	BIT(6)
#define E_PS	BIT(7)
#define E_NX	BIT(63)

struct env {
	struct pt_pool pool;
	struct pt_fmt fmt;
	struct pt pt;
	void *mem;
};

static void env_init(struct env *e, u64 pages)
{
	memset(e, 0, sizeof(*e));
	e->mem = aligned_alloc(PAGE_SIZE, (pages ? pages : 1) * PAGE_SIZE);
	memset(e->mem, 0xa5, (pages ? pages : 1) * PAGE_SIZE);	/* alloc must zero */
	e->pool.virt_base = (u64)(uintptr_t)e->mem;
	e->pool.phys_base = FAKE_PHYS;
	e->pool.nr_pages = pages;
}

static void env_free(struct env *e)
{
	free(e->mem);
}

/* Raw entry at level for va, or ~0 if a table on the way is missing. */
static u64 raw(const struct pt *pt, u64 va, u32 level)
{
	u64 *t = pt_pool_va(pt->pool, pt->root_pa);
	u32 l;

	va &= (1ULL << (12 + 9 * pt->fmt->levels)) - 1;
	for (l = pt->fmt->levels; t; l--) {
		u64 e = t[(va >> (12 + 9 * (l - 1))) & 511];

		if (l == level)
			return e;
		t = pt_pool_va(pt->pool, e & 0x000ffffffffff000ULL);
	}
	return ~0ULL;
}

TEST(pt_pool_basics)
{
	struct env e;
	u64 *a, *b;

	env_init(&e, 2);
	a = pt_pool_alloc(&e.pool);
	b = pt_pool_alloc(&e.pool);
	CHECK(a && b);
	CHECK(pt_pool_alloc(&e.pool) == NULL);
	CHECK_EQ(e.pool.used, 2);
	CHECK_EQ(a[0], 0);
	CHECK_EQ(b[511], 0);
	CHECK_EQ(pt_pool_pa(&e.pool, a), FAKE_PHYS);
	CHECK_EQ(pt_pool_pa(&e.pool, b), FAKE_PHYS + PAGE_SIZE);
	CHECK(pt_pool_va(&e.pool, FAKE_PHYS + PAGE_SIZE) == b);
	CHECK(pt_pool_va(&e.pool, FAKE_PHYS + 2 * PAGE_SIZE) == NULL);
	CHECK(pt_pool_va(&e.pool, FAKE_PHYS - PAGE_SIZE) == NULL);
	CHECK(pt_pool_va(&e.pool, FAKE_PHYS + 8) == NULL);
	CHECK_EQ(pt_pool_pa(&e.pool, (u8 *)e.mem + 2 * PAGE_SIZE), ~0ULL);
	env_free(&e);
}

TEST(pt_identity_4g_1g_pages)
{
	struct env e;
	u64 pa;
	u32 perm, level, i;

	env_init(&e, 16);
	pt_fmt_make_npt(&e.fmt, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0, 0, 4 * SZ_1G, PT_RWX), 0);
	CHECK_EQ(e.pool.used, 2);	/* root + one PDPT, no PD */
	CHECK_EQ(pt_lookup(&e.pt, 0x12345678, &pa, &perm, &level), 0);
	CHECK_EQ(pa, 0x12345678);
	CHECK_EQ(level, 3);
	CHECK_EQ(perm, PT_R | PT_W | PT_XS);
	CHECK_EQ(pt_lookup(&e.pt, 0xfffff000, &pa, NULL, &level), 0);
	CHECK_EQ(pa, 0xfffff000);
	CHECK_EQ(level, 3);
	for (i = 0; i < 4; i++)
		CHECK_EQ(raw(&e.pt, (u64)i << 30, 3),
			 ((u64)i << 30) | E_P | E_RW | E_US | E_A | E_D | E_PS);
	CHECK_EQ(raw(&e.pt, 0, 4), (FAKE_PHYS + PAGE_SIZE) | E_P | E_RW | E_US | E_A);
	CHECK_EQ(raw(&e.pt, 4 * SZ_1G, 3), 0);
	CHECK_EQ(pt_lookup(&e.pt, 4 * SZ_1G, &pa, &perm, &level), -1);
	env_free(&e);
}

TEST(pt_identity_2m_only)
{
	struct env e;
	u64 pa;
	u32 perm, level;

	env_init(&e, 16);
	pt_fmt_make_npt(&e.fmt, false);
	CHECK_EQ(e.fmt.max_leaf_level, 2);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0, 0, 4 * SZ_1G, PT_R | PT_W), 0);
	CHECK_EQ(e.pool.used, 1 + 1 + 4);
	CHECK_EQ(pt_lookup(&e.pt, 0xc0345678, &pa, &perm, &level), 0);
	CHECK_EQ(pa, 0xc0345678);
	CHECK_EQ(level, 2);
	CHECK_EQ(perm, PT_R | PT_W);
	CHECK_EQ(raw(&e.pt, 0x40200000, 2),
		 0x40200000 | E_P | E_RW | E_US | E_A | E_D | E_PS | E_NX);
	env_free(&e);
}

TEST(pt_alignment_picks_leaf_size)
{
	struct env e;
	u64 pa;
	u32 level;

	env_init(&e, 16);
	pt_fmt_make_npt(&e.fmt, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	/* VA 2M aligned but PA only 4K aligned: 4 KiB leaves. */
	CHECK_EQ(pt_map(&e.pt, 0x200000, 0x301000, SZ_2M, PT_R), 0);
	CHECK_EQ(pt_lookup(&e.pt, 0x3ff123, &pa, NULL, &level), 0);
	CHECK_EQ(pa, 0x500123);
	CHECK_EQ(level, 1);
	/* 2M + 4K: one 2 MiB leaf then one 4 KiB leaf. */
	CHECK_EQ(pt_map(&e.pt, 0x40000000, 0x80000000, SZ_2M + PAGE_SIZE, PT_R), 0);
	CHECK_EQ(pt_lookup(&e.pt, 0x40000000, &pa, NULL, &level), 0);
	CHECK_EQ(level, 2);
	CHECK_EQ(pt_lookup(&e.pt, 0x40200fff, &pa, NULL, &level), 0);
	CHECK_EQ(pa, 0x80200fff);
	CHECK_EQ(level, 1);
	CHECK_EQ(pt_lookup(&e.pt, 0x40201000, &pa, NULL, &level), -1);
	env_free(&e);
}

TEST(pt_split_1g_keeps_neighbours)
{
	struct env e;
	u64 pa, va = 0x12345000;
	u32 perm, level;

	env_init(&e, 16);
	pt_fmt_make_npt(&e.fmt, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0, 0, SZ_1G, PT_R), 0);
	CHECK_EQ(e.pool.used, 2);
	CHECK_EQ(pt_map(&e.pt, va, va, PAGE_SIZE, 0), 0);
	CHECK_EQ(e.pool.used, 4);	/* + PD + PT */
	CHECK_EQ(pt_lookup(&e.pt, va, &pa, &perm, &level), -1);
	CHECK_EQ(raw(&e.pt, va, 1), 0);
	/* Same 2 MiB: now 4 KiB leaves with the old permission. */
	CHECK_EQ(pt_lookup(&e.pt, va - PAGE_SIZE, &pa, &perm, &level), 0);
	CHECK_EQ(pa, va - PAGE_SIZE);
	CHECK_EQ(perm, PT_R);
	CHECK_EQ(level, 1);
	CHECK_EQ(pt_lookup(&e.pt, va + PAGE_SIZE + 0x10, &pa, &perm, &level), 0);
	CHECK_EQ(pa, va + PAGE_SIZE + 0x10);
	CHECK_EQ(level, 1);
	CHECK_EQ(pt_lookup(&e.pt, 0x12200000, &pa, &perm, &level), 0);
	CHECK_EQ(level, 1);
	/* 4 KiB entries must not carry the page-size bit (it is PAT there). */
	CHECK_EQ(raw(&e.pt, 0x12200000, 1),
		 0x12200000 | E_P | E_US | E_A | E_D | E_NX);
	/* Other 2 MiB of the old 1 GiB: 2 MiB leaves, old permission. */
	CHECK_EQ(pt_lookup(&e.pt, 0x12400000, &pa, &perm, &level), 0);
	CHECK_EQ(pa, 0x12400000);
	CHECK_EQ(perm, PT_R);
	CHECK_EQ(level, 2);
	CHECK_EQ(pt_lookup(&e.pt, 0x3fffffff, &pa, &perm, &level), 0);
	CHECK_EQ(pa, 0x3fffffff);
	CHECK_EQ(level, 2);
	CHECK_EQ(pt_lookup(&e.pt, 0, &pa, &perm, &level), 0);
	CHECK_EQ(level, 2);
	/* Change one page's permission; remap the 2 MiB as one leaf again. */
	CHECK_EQ(pt_map(&e.pt, va, va, PAGE_SIZE, PT_R | PT_XS), 0);
	CHECK_EQ(pt_lookup(&e.pt, va, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_R | PT_XS);
	CHECK_EQ(pt_map(&e.pt, 0x12200000, 0x12200000, SZ_2M, PT_R | PT_W), 0);
	CHECK_EQ(pt_lookup(&e.pt, va, &pa, &perm, &level), 0);
	CHECK_EQ(level, 2);
	CHECK_EQ(perm, PT_R | PT_W);
	env_free(&e);
}

TEST(pt_split_preserves_translation)
{
	struct env e;
	u64 pa;
	u32 perm, level;

	env_init(&e, 16);
	pt_fmt_make_npt(&e.fmt, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	/* Non-identity 1 GiB leaf: VA 1G -> PA 3G. */
	CHECK_EQ(pt_map(&e.pt, SZ_1G, 3 * SZ_1G, SZ_1G, PT_R | PT_W | PT_X), 0);
	CHECK_EQ(pt_map(&e.pt, SZ_1G + 0x20000000, 0x5000, PAGE_SIZE, PT_R), 0);
	CHECK_EQ(pt_lookup(&e.pt, SZ_1G + 0x20000000, &pa, &perm, &level), 0);
	CHECK_EQ(pa, 0x5000);
	CHECK_EQ(perm, PT_R);
	CHECK_EQ(pt_lookup(&e.pt, SZ_1G + 0x20001000, &pa, &perm, &level), 0);
	CHECK_EQ(pa, 3 * SZ_1G + 0x20001000);
	CHECK_EQ(perm, PT_R | PT_W | PT_XS);
	CHECK_EQ(level, 1);
	CHECK_EQ(pt_lookup(&e.pt, SZ_1G + 0x30000000, &pa, &perm, &level), 0);
	CHECK_EQ(pa, 3 * SZ_1G + 0x30000000);
	CHECK_EQ(level, 2);
	env_free(&e);
}

TEST(pt_high_canonical_va)
{
	struct env e;
	u64 va = 0xffffc90000123000ULL, pa;
	u32 perm, level, i, used;

	env_init(&e, 16);
	pt_fmt_make_x86_host(&e.fmt, false);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, va, 0x5000, 3 * PAGE_SIZE, PT_R | PT_W), 0);
	CHECK_EQ(pt_lookup(&e.pt, va + 0x2abc, &pa, &perm, &level), 0);
	CHECK_EQ(pa, 0x7abc);
	CHECK_EQ(perm, PT_R | PT_W);
	CHECK_EQ(level, 1);
	CHECK_EQ(pt_lookup(&e.pt, va + 3 * PAGE_SIZE, &pa, &perm, &level), -1);
	/* Only PML4 slot 0x192 (bits 47:39 of the VA) is used. */
	for (i = 0; i < 512; i++) {
		u64 ent = ((u64 *)pt_pool_va(&e.pool, e.pt.root_pa))[i];

		if (i == 0x192)
			CHECK(ent != 0);
		else
			CHECK_EQ(ent, 0);
	}
	/* A range running past the top of the 48-bit space is refused. */
	used = (u32)e.pool.used;
	CHECK_EQ(pt_map(&e.pt, 0xfffffffffffff000ULL, 0, 2 * PAGE_SIZE, PT_R), -1);
	CHECK_EQ(pt_map(&e.pt, 0xfffffffffffff000ULL, 0x9000, PAGE_SIZE, PT_R), 0);
	CHECK_EQ(pt_lookup(&e.pt, 0xffffffffffffffffULL, &pa, NULL, NULL), 0);
	CHECK_EQ(pa, 0x9fff);
	CHECK(e.pool.used > used);
	env_free(&e);
}

TEST(pt_five_levels)
{
	struct env e;
	u64 va = 0xff11000000400000ULL, pa;
	u32 level;

	env_init(&e, 16);
	pt_fmt_make_x86_host(&e.fmt, true);
	e.fmt.levels = 5;
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, va, 0x40000000, SZ_2M, PT_R), 0);
	CHECK_EQ(e.pool.used, 4);	/* PML5, PML4, PDPT, PD */
	CHECK_EQ(pt_lookup(&e.pt, va + 0x1234, &pa, NULL, &level), 0);
	CHECK_EQ(pa, 0x40001234);
	CHECK_EQ(level, 2);
	/* PML5 index is bits 56:48: 0x111. */
	CHECK(((u64 *)pt_pool_va(&e.pool, e.pt.root_pa))[0x111] != 0);
	CHECK_EQ(((u64 *)pt_pool_va(&e.pool, e.pt.root_pa))[0x110], 0);
	env_free(&e);
}

TEST(pt_perm_bits_per_format)
{
	struct env e;

	env_init(&e, 32);
	pt_fmt_make_npt(&e.fmt, true);
	CHECK_EQ(e.fmt.table_bits, E_P | E_RW | E_US | E_A);
	CHECK_EQ(e.fmt.present_bits, E_P | E_US | E_A | E_D);
	CHECK_EQ(e.fmt.w_bits, E_RW);
	CHECK_EQ(e.fmt.nx_bits, E_NX);
	CHECK_EQ(e.fmt.large_bit, E_PS);
	CHECK_EQ(e.fmt.xs_bits | e.fmt.xu_bits | e.fmt.r_bits, 0);
	CHECK_EQ(e.fmt.max_leaf_level, 3);
	CHECK_EQ(e.fmt.levels, 4);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, PT_R), 0);
	CHECK_EQ(pt_map(&e.pt, 0x2000, 0x2000, PAGE_SIZE, PT_R | PT_W), 0);
	CHECK_EQ(pt_map(&e.pt, 0x3000, 0x3000, PAGE_SIZE, PT_R | PT_XS), 0);
	CHECK_EQ(pt_map(&e.pt, 0x4000, 0x4000, PAGE_SIZE, PT_RWX), 0);
	CHECK_EQ(raw(&e.pt, 0x1000, 1), 0x1000 | E_P | E_US | E_A | E_D | E_NX);
	CHECK_EQ(raw(&e.pt, 0x2000, 1), 0x2000 | E_P | E_RW | E_US | E_A | E_D | E_NX);
	CHECK_EQ(raw(&e.pt, 0x3000, 1), 0x3000 | E_P | E_US | E_A | E_D);
	CHECK_EQ(raw(&e.pt, 0x4000, 1), 0x4000 | E_P | E_RW | E_US | E_A | E_D);
	/* Every NPT level has U (APM 15.25.5). */
	CHECK(raw(&e.pt, 0x1000, 4) & E_US);
	CHECK(raw(&e.pt, 0x1000, 3) & E_US);
	CHECK(raw(&e.pt, 0x1000, 2) & E_US);
	env_free(&e);

	env_init(&e, 32);
	pt_fmt_make_x86_host(&e.fmt, false);
	CHECK_EQ(e.fmt.max_leaf_level, 2);
	CHECK_EQ(e.fmt.levels, 4);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, PT_R | PT_W), 0);
	CHECK_EQ(pt_map(&e.pt, 0x2000, 0x2000, PAGE_SIZE, PT_R | PT_XS), 0);
	CHECK_EQ(pt_map(&e.pt, SZ_1G, SZ_1G, SZ_1G, PT_R), 0);	/* no 1G: 2M leaves */
	CHECK_EQ(raw(&e.pt, 0x1000, 1), 0x1000 | E_P | E_RW | E_A | E_D | E_NX);
	CHECK_EQ(raw(&e.pt, 0x2000, 1), 0x2000 | E_P | E_A | E_D);
	CHECK_EQ(raw(&e.pt, 0x1000, 4) & 0xfff, E_P | E_RW | E_A);
	CHECK_EQ(raw(&e.pt, SZ_1G, 2), SZ_1G | E_P | E_A | E_D | E_PS | E_NX);
	CHECK_EQ(raw(&e.pt, SZ_1G, 3) & 0xfff, E_P | E_RW | E_A);
	env_free(&e);

	CHECK(memcmp(&pt_fmt_x86_host, &(struct pt_fmt){
		.table_bits = E_P | E_RW | E_A, .present_bits = E_P | E_A | E_D,
		.w_bits = E_RW, .nx_bits = E_NX, .uc_bits = (1u << 3) | (1u << 4),
		.large_bit = E_PS, .max_leaf_level = 2, .levels = 4 },
		sizeof(struct pt_fmt)) == 0);
	pt_fmt_make_x86_host(&e.fmt, true);
	CHECK_EQ(e.fmt.max_leaf_level, 3);
}

/* GMET: U/S=1 in a leaf means "not supervisor-executable". */
TEST(pt_npt_gmet_format)
{
	struct env e;
	u32 perm, level;
	u64 pa;

	env_init(&e, 16);
	pt_fmt_make_npt_gmet(&e.fmt, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, PT_R | PT_XS), 0);
	CHECK_EQ(pt_map(&e.pt, 0x2000, 0x2000, PAGE_SIZE, PT_R | PT_W | PT_XU), 0);
	CHECK_EQ(pt_map(&e.pt, 0x3000, 0x3000, PAGE_SIZE, PT_R | PT_W), 0);
	CHECK_EQ(raw(&e.pt, 0x1000, 1), 0x1000 | E_P | E_A | E_D);
	CHECK_EQ(raw(&e.pt, 0x2000, 1), 0x2000 | E_P | E_RW | E_US | E_A | E_D);
	CHECK_EQ(raw(&e.pt, 0x3000, 1), 0x3000 | E_P | E_RW | E_US | E_A | E_D | E_NX);
	/* Tables stay user-accessible: the nested walk is a user access. */
	CHECK_EQ(raw(&e.pt, 0x1000, 2) & 0xfff, E_P | E_RW | E_US | E_A);
	CHECK_EQ(pt_lookup(&e.pt, 0x1000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_R | PT_X);
	CHECK_EQ(pt_lookup(&e.pt, 0x2000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_R | PT_W | PT_XU);
	CHECK_EQ(pt_lookup(&e.pt, 0x3000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_R | PT_W);
	env_free(&e);
}

TEST(pt_split_point_format_ept_like)
{
	/* A format with separate R/X bits and no P bit, as EPT will be. */
	struct pt_fmt f = {
		.table_bits = 0x7, .present_bits = 6 << 3, .r_bits = BIT(0),
		.w_bits = BIT(1), .xs_bits = BIT(2), .xu_bits = BIT(10),
		.large_bit = BIT(7), .max_leaf_level = 3, .levels = 4,
	};
	struct env e;
	u32 perm, level;
	u64 pa;

	env_init(&e, 16);
	CHECK_EQ(pt_init(&e.pt, &f, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0, 0, SZ_1G, PT_XS), 0);
	CHECK_EQ(raw(&e.pt, 0, 3), (6 << 3) | BIT(2) | BIT(7));
	CHECK_EQ(pt_lookup(&e.pt, 0x1000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_XS);
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, PT_R | PT_XU), 0);
	CHECK_EQ(pt_lookup(&e.pt, 0x1000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_R | PT_XU);
	CHECK_EQ(pt_lookup(&e.pt, 0x2000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_XS);
	CHECK_EQ(raw(&e.pt, 0x2000, 1), 0x2000 | (6 << 3) | BIT(2));
	env_free(&e);
}

/* Intel EPT without MBEC: bit 2 executes in any mode; RAM write-back, PT_UC type 0. */
TEST(pt_format_ept)
{
	struct env e;
	u32 perm, level;
	u64 pa;

	env_init(&e, 16);
	pt_fmt_make_ept(&e.fmt, true, false);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0, 0, SZ_1G, PT_RWX), 0);
	CHECK_EQ(raw(&e.pt, 0, 3), 0x7 | (6 << 3) | BIT(7));
	CHECK_EQ(raw(&e.pt, 0, 4) & 0xfff, 0x7);	/* a table: R, W, X, no type */
	CHECK_EQ(pt_lookup(&e.pt, 0x5000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_RWX);
	CHECK_EQ(level, 3);
	/* Not RAM: uncacheable (type 0), read and write, no execute. */
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, PT_R | PT_W | PT_UC), 0);
	CHECK_EQ(raw(&e.pt, 0x1000, 1), 0x1000 | 0x3);
	CHECK_EQ(pt_lookup(&e.pt, 0x1000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_R | PT_W);
	/* The split kept the rest write-back and executable. */
	CHECK_EQ(raw(&e.pt, 0x2000, 1), 0x2000 | 0x7 | (6 << 3));
	/* Either execute bit asks for bit 2: there is only one without MBEC. */
	CHECK_EQ(pt_map(&e.pt, 0x3000, 0x3000, PAGE_SIZE, PT_R | PT_XU), 0);
	CHECK_EQ(raw(&e.pt, 0x3000, 1), 0x3000 | 0x5 | (6 << 3));
	CHECK_EQ(pt_lookup(&e.pt, 0x3000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_R | PT_X);
	/* Unmapped: the entry is 0, which EPT reads as not present. */
	CHECK_EQ(pt_map(&e.pt, 0x4000, 0x4000, PAGE_SIZE, 0), 0);
	CHECK_EQ(raw(&e.pt, 0x4000, 1), 0);
	CHECK_EQ(pt_lookup(&e.pt, 0x4000, &pa, &perm, &level), -1);
	env_free(&e);
}

/* EPT with MBEC: bit 2 supervisor execute, bit 10 user execute, tables both. */
TEST(pt_format_ept_mbec)
{
	struct env e;
	u32 perm, level;
	u64 pa;

	env_init(&e, 16);
	pt_fmt_make_ept(&e.fmt, false, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0, 0, SZ_2M, PT_R | PT_XS), 0);
	CHECK_EQ(raw(&e.pt, 0, 2), 0x5 | (6 << 3) | BIT(7));
	CHECK_EQ(raw(&e.pt, 0, 3) & 0xfff, 0x7 | BIT(10));
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, PT_R | PT_W | PT_XU), 0);
	CHECK_EQ(raw(&e.pt, 0x1000, 1), 0x1000 | 0x3 | BIT(10) | (6 << 3));
	CHECK_EQ(pt_lookup(&e.pt, 0x1000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_R | PT_W | PT_XU);
	CHECK_EQ(pt_lookup(&e.pt, 0x2000, &pa, &perm, &level), 0);
	CHECK_EQ(perm, PT_R | PT_XS);
	CHECK_EQ(pt_map(&e.pt, 0x3000, 0x3000, PAGE_SIZE, PT_RWX), 0);
	CHECK_EQ(raw(&e.pt, 0x3000, 1), 0x3000 | 0x7 | BIT(10) | (6 << 3));
	/* 1 GiB leaves not asked for: a 1 GiB range is made of 2 MiB ones. */
	CHECK_EQ(pt_map(&e.pt, SZ_1G, SZ_1G, SZ_1G, PT_R), 0);
	CHECK_EQ(pt_lookup(&e.pt, SZ_1G, &pa, &perm, &level), 0);
	CHECK_EQ(level, 2);
	env_free(&e);
}

TEST(pt_pool_exhaustion)
{
	struct env e;

	env_init(&e, 0);
	pt_fmt_make_npt(&e.fmt, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), -1);
	env_free(&e);

	env_init(&e, 3);
	pt_fmt_make_npt(&e.fmt, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	/* A 4 KiB leaf needs PDPT + PD + PT: only 2 pages left. */
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, PT_R), -1);
	CHECK_EQ(e.pool.used, 3);
	CHECK(pt_pool_alloc(&e.pool) == NULL);
	/* A 1 GiB leaf needs only the PDPT, already allocated. */
	CHECK_EQ(pt_map(&e.pt, SZ_1G, SZ_1G, SZ_1G, PT_R), 0);
	/* Splitting it needs a new PD: refused. */
	CHECK_EQ(pt_map(&e.pt, SZ_1G, SZ_1G, PAGE_SIZE, 0), -1);
	env_free(&e);
}

TEST(pt_unmap_needs_no_tables)
{
	struct env e;

	env_init(&e, 4);
	pt_fmt_make_npt(&e.fmt, false);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0, 0, 512 * SZ_1G, 0), 0);
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, 0), 0);
	CHECK_EQ(e.pool.used, 1);
	env_free(&e);
}

TEST(pt_lookup_and_bad_args)
{
	struct env e;
	u64 pa = 0x77;
	u32 perm = 0x77, level = 0x77;

	env_init(&e, 16);
	pt_fmt_make_npt(&e.fmt, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_lookup(&e.pt, 0, &pa, &perm, &level), -1);
	CHECK_EQ(pt_lookup(&e.pt, 0xffff800000000000ULL, &pa, &perm, &level), -1);
	CHECK_EQ(pa, 0x77);
	CHECK_EQ(pt_map(&e.pt, 0x1001, 0x1000, PAGE_SIZE, PT_R), -1);
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1800, PAGE_SIZE, PT_R), -1);
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, 0x800, PT_R), -1);
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, 0x20), -1);
	CHECK_EQ(pt_map(&e.pt, 0x1000, 1ULL << 52, PAGE_SIZE, PT_R), -1);
	CHECK_EQ(pt_map(&e.pt, 0x1000, (1ULL << 52) - PAGE_SIZE, 2 * PAGE_SIZE, PT_R), -1);
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, 0, PT_R), 0);
	CHECK_EQ(e.pool.used, 1);
	CHECK_EQ(pt_map(NULL, 0, 0, PAGE_SIZE, PT_R), -1);
	CHECK_EQ(pt_lookup(NULL, 0, &pa, &perm, &level), -1);
	e.fmt.levels = 3;
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, PT_R), -1);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), -1);
	env_free(&e);
}

TEST(pt_corrupt_table_pointer_refused)
{
	struct env e;
	u64 *root;

	env_init(&e, 8);
	pt_fmt_make_npt(&e.fmt, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	root = pt_pool_va(&e.pool, e.pt.root_pa);
	root[0] = 0x1000 | 0x27;	/* points outside the pool */
	CHECK_EQ(pt_map(&e.pt, 0x1000, 0x1000, PAGE_SIZE, PT_R), -1);
	CHECK_EQ(pt_lookup(&e.pt, 0x1000, NULL, NULL, NULL), -1);
	env_free(&e);
}

/*
 * A leaf written over a table cuts the table off: it is retired (counted
 * in use, never handed out) until the caller has flushed and frees it,
 * instead of being lost to the pool for good. The same for a merge.
 */
TEST(pt_leaf_over_table_retires_the_table)
{
	struct env e;
	u64 list, avail;
	u32 perm, level;

	env_init(&e, 16);
	pt_fmt_make_npt(&e.fmt, false);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map(&e.pt, 0, 0, SZ_1G, PT_R | PT_W), 0);
	/* One 4 KiB page of the block at 2 MiB: the block gets a table. */
	CHECK_EQ(pt_map(&e.pt, SZ_2M + PAGE_SIZE, SZ_2M + PAGE_SIZE, PAGE_SIZE, PT_R), 0);
	avail = pt_pool_avail(&e.pool);
	CHECK_EQ(e.pool.nr_retired, 0);

	/* The whole block again, as one leaf: the table is retired. */
	CHECK_EQ(pt_map_max(&e.pt, SZ_2M, SZ_2M, SZ_2M, PT_R | PT_W, 2), 0);
	CHECK_EQ(pt_lookup(&e.pt, SZ_2M + PAGE_SIZE, NULL, &perm, &level), 0);
	CHECK_EQ(level, 2);
	CHECK_EQ(perm, PT_R | PT_W);
	CHECK_EQ(e.pool.nr_retired, 1);
	CHECK_EQ(pt_pool_avail(&e.pool), avail);
	/* A failed flush puts them back; a good one frees them. */
	list = pt_pool_take_retired(&e.pool);
	CHECK(list != 0);
	CHECK_EQ(e.pool.nr_retired, 0);
	pt_pool_keep_retired(&e.pool, list);
	CHECK_EQ(e.pool.nr_retired, 1);
	pt_pool_free_retired(&e.pool, pt_pool_take_retired(&e.pool));
	CHECK_EQ(pt_pool_avail(&e.pool), avail + 1);

	/* Split, make uniform again, merge: the table is retired too. */
	CHECK_EQ(pt_map(&e.pt, SZ_2M, SZ_2M, PAGE_SIZE, PT_R), 0);
	CHECK_EQ(pt_map(&e.pt, SZ_2M, SZ_2M, PAGE_SIZE, PT_R | PT_W), 0);
	CHECK(pt_merge_2m(&e.pt, SZ_2M));
	CHECK_EQ(e.pool.nr_retired, 1);
	CHECK_EQ(pt_lookup(&e.pt, SZ_2M, NULL, &perm, &level), 0);
	CHECK_EQ(level, 2);
	pt_pool_free_retired(&e.pool, pt_pool_take_retired(&e.pool));
	CHECK_EQ(pt_pool_avail(&e.pool), avail + 1);
	env_free(&e);
}

/* A 1 GiB leaf over a directory retires it and the tables below it. */
TEST(pt_leaf_over_directory_retires_the_subtree)
{
	struct env e;
	u64 avail;

	env_init(&e, 16);
	pt_fmt_make_npt(&e.fmt, true);
	CHECK_EQ(pt_init(&e.pt, &e.fmt, &e.pool), 0);
	CHECK_EQ(pt_map_max(&e.pt, 0, 0, SZ_1G, PT_R | PT_W, 2), 0);
	CHECK_EQ(pt_map(&e.pt, PAGE_SIZE, PAGE_SIZE, PAGE_SIZE, PT_R), 0);
	avail = pt_pool_avail(&e.pool);
	CHECK_EQ(pt_map(&e.pt, 0, 0, SZ_1G, PT_R | PT_W), 0);
	CHECK_EQ(e.pool.nr_retired, 2);
	pt_pool_free_retired(&e.pool, pt_pool_take_retired(&e.pool));
	CHECK_EQ(pt_pool_avail(&e.pool), avail + 2);
	env_free(&e);
}
