// SPDX-License-Identifier: GPL-2.0
/*
 * A name looked up in a kernel export table (hv/core/ksymtab.c), laid out
 * in the fake guest as x86-64 kernels lay out __ksymtab: 12-byte entries
 * of offsets relative to themselves, sorted by name, the strings apart.
 * Only pages the test calls protected may be read.
 */
#include <string.h>
#include <hv/types.h>
#include "core/gwalk.h"
#include "core/hv.h"
#include "core/ksymtab.h"
#include "stub_arch.h"
#include "test.h"

#define TAB_VA		0xffffffff82000000ULL	/* the table: one page */
#define STR_VA		0xffffffff82001000ULL	/* its strings: two pages */
#define TAB_OFF		0x120000
#define STR_OFF		0x121000
#define FN_BASE		0xffffffff81000000ULL

static const char *const names[] = { "alpha", "beta", "gamma", "printk", "zeta" };
#define N	5

static u64 unprotected;		/* a page (gpa) the predicate refuses, or 0 */

static bool protected_page(void *ctx, u64 gpa)
{
	u64 lo = (u64)guest.ram + TAB_OFF, hi = (u64)guest.ram + STR_OFF + 2 * PAGE_SIZE;

	(void)ctx;
	return gpa >= lo && gpa < hi && gpa != unprotected;
}

static const struct ksymtab_src src = { .protected_page = protected_page };

static void put32(u8 *p, s64 v)
{
	u32 u = (u32)v;

	memcpy(p, &u, 4);
}

/* The table; the string of entry i at @str_at[i] within the strings. */
static void lay_out(const u32 *str_at)
{
	u8 *tab = guest.ram + TAB_OFF, *str = guest.ram + STR_OFF;

	memset(tab, 0, PAGE_SIZE);
	memset(str, 0, 2 * PAGE_SIZE);
	for (u32 i = 0; i < N; i++) {
		u64 ea = TAB_VA + i * KSYMTAB_ENTRY;

		put32(tab + i * KSYMTAB_ENTRY, (s64)(FN_BASE + i * 0x100 - ea));
		put32(tab + i * KSYMTAB_ENTRY + 4, (s64)(STR_VA + str_at[i] - (ea + 4)));
		memcpy(str + str_at[i], names[i], strlen(names[i]) + 1);
	}
}

static void setup(void)
{
	static const u32 at[N] = { 0, 16, 32, 48, 64 };

	stub_reset();
	unprotected = 0;
	guest_map(TAB_VA, (u64)guest.ram + TAB_OFF);
	guest_map(STR_VA, (u64)guest.ram + STR_OFF);
	guest_map(STR_VA + PAGE_SIZE, (u64)guest.ram + STR_OFF + PAGE_SIZE);
	lay_out(at);
}

static int lookup(const char *name, u64 *v)
{
	struct gwalk_ctx w;

	vcpu_guest_walker(hv_cpu_of(0), &w);
	return ksymtab_lookup(&w, &src, TAB_VA, TAB_VA + N * KSYMTAB_ENTRY, name, v);
}

TEST(ksymtab_finds_every_name_and_no_other)
{
	u64 v = 0;

	setup();
	for (u32 i = 0; i < N; i++) {
		CHECK_EQ(lookup(names[i], &v), KSYMTAB_FOUND);
		CHECK_EQ(v, FN_BASE + i * 0x100);
	}
	CHECK_EQ(lookup("aardvark", &v), KSYMTAB_ABSENT);	/* before the first */
	CHECK_EQ(lookup("zz", &v), KSYMTAB_ABSENT);		/* after the last */
	CHECK_EQ(lookup("print", &v), KSYMTAB_ABSENT);	/* a prefix */
	CHECK_EQ(lookup("printkx", &v), KSYMTAB_ABSENT);	/* longer */
	CHECK_EQ(lookup("", &v), KSYMTAB_ABSENT);
}

TEST(ksymtab_reads_only_protected_pages)
{
	u64 v;

	setup();
	unprotected = (u64)guest.ram + STR_OFF;		/* the strings' page */
	CHECK_EQ(lookup("gamma", &v), KSYMTAB_E_UNPROTECTED);
	unprotected = (u64)guest.ram + TAB_OFF;		/* the table's */
	CHECK_EQ(lookup("gamma", &v), KSYMTAB_E_UNPROTECTED);
	/* The guest's page tables map the table elsewhere: refused too. */
	unprotected = 0;
	guest_map(TAB_VA, (u64)guest.ram + 0x130000);
	CHECK_EQ(lookup("gamma", &v), KSYMTAB_E_UNPROTECTED);
}

TEST(ksymtab_names_across_a_page_and_too_long)
{
	static const u32 at[N] = { 0, 16, PAGE_SIZE - 3, PAGE_SIZE + 16, PAGE_SIZE + 32 };
	u64 v;

	setup();
	lay_out(at);					/* "gamma" straddles the page */
	CHECK_EQ(lookup("gamma", &v), KSYMTAB_FOUND);
	CHECK_EQ(v, FN_BASE + 0x200);
	/* A string with no NUL within KSYMTAB_NAME_MAX bytes: read no further. */
	memset(guest.ram + STR_OFF + PAGE_SIZE - 3, 'g', KSYMTAB_NAME_MAX + 8);
	CHECK_EQ(lookup("gamma", &v), KSYMTAB_ABSENT);	/* ordered before "ggg..." */
	{
		static char longer[KSYMTAB_NAME_MAX + 100];

		memset(longer, 'g', sizeof(longer) - 1);
		CHECK_EQ(lookup(longer, &v), KSYMTAB_E_FORMAT);
	}
}

TEST(ksymtab_refuses_bad_bounds)
{
	struct gwalk_ctx w;
	u64 v;

	setup();
	vcpu_guest_walker(hv_cpu_of(0), &w);
	CHECK_EQ(ksymtab_lookup(&w, &src, TAB_VA, TAB_VA + 13, "alpha", &v),
		 KSYMTAB_E_FORMAT);
	CHECK_EQ(ksymtab_lookup(&w, &src, TAB_VA + 2, TAB_VA + 14, "alpha", &v),
		 KSYMTAB_E_FORMAT);
	CHECK_EQ(ksymtab_lookup(&w, &src, TAB_VA + 12, TAB_VA, "alpha", &v),
		 KSYMTAB_E_FORMAT);
	CHECK_EQ(ksymtab_lookup(&w, &src, TAB_VA, TAB_VA, "alpha", &v),
		 KSYMTAB_ABSENT);
}
