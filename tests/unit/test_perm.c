// SPDX-License-Identifier: GPL-2.0
/* Tests of hv/core/perm.c: split, merge, overlaps, immutability, seal. */
#include <string.h>
#include <hv/types.h>
#include <lvbs/abi.h>
#include "core/perm.h"
#include "test.h"

#define LIMIT	0x100000000ULL	/* 4 GiB */
#define RWX	(PT_R | PT_W | PT_X)
#define RX	(PT_R | PT_X)
#define RO	PT_R

static struct perm_entry store[16];

static void fresh(struct perm_db *db, u32 cap)
{
	memset(store, 0xa5, sizeof(store));
	CHECK_EQ(perm_init(db, store, cap, LIMIT, RWX), 0);
}

/* The partition invariant: sorted, contiguous, covering, merged. */
static void check_invariant(const struct perm_db *db)
{
	CHECK(db->nr >= 1);
	CHECK_EQ(perm_at(db, 0).start, 0);
	CHECK_EQ(perm_at(db, db->nr - 1).end, db->limit);
	for (u32 i = 0; i < db->nr; i++) {
		struct perm_range r = perm_at(db, i);

		CHECK(r.start < r.end);
		CHECK(IS_ALIGNED(r.start, PAGE_SIZE));
		CHECK_EQ(r.perm & ~PERM_ALL, 0);
		if (i) {
			struct perm_range p = perm_at(db, i - 1);

			CHECK_EQ(r.start, p.end);
			/* Merged: neighbours differ in rights or owner. */
			CHECK(r.perm != p.perm || r.owner != p.owner);
		}
	}
}

TEST(perm_init_and_lookup)
{
	struct perm_db db;

	CHECK_EQ(perm_init(&db, store, 0, LIMIT, RWX), -1);
	CHECK_EQ(perm_init(&db, store, 4, LIMIT + 1, RWX), -1);
	CHECK_EQ(perm_init(&db, store, 4, LIMIT, 1u << 20), -1);
	fresh(&db, 16);
	CHECK_EQ(db.nr, 1);
	CHECK_EQ(perm_lookup(&db, 0), RWX);
	CHECK_EQ(perm_lookup(&db, LIMIT - 1), RWX);
	CHECK_EQ(perm_lookup(&db, LIMIT), 0);
	CHECK_EQ(perm_find(&db, LIMIT), -1);
}

TEST(perm_split_middle_and_merge_back)
{
	struct perm_db db;
	bool changed;

	fresh(&db, 16);
	CHECK_EQ(perm_set(&db, 0x200000, 0x400000, RX, &changed), LVBS_OK);
	CHECK(changed);
	CHECK_EQ(db.nr, 3);
	CHECK_EQ(perm_lookup(&db, 0x1ff000), RWX);
	CHECK_EQ(perm_lookup(&db, 0x200000), RX);
	CHECK_EQ(perm_lookup(&db, 0x3ff000), RX);
	CHECK_EQ(perm_lookup(&db, 0x400000), RWX);
	check_invariant(&db);

	/* Same rights again: nothing changes, nothing to flush. */
	CHECK_EQ(perm_set(&db, 0x200000, 0x300000, RX, &changed), LVBS_OK);
	CHECK(!changed);
	CHECK_EQ(db.nr, 3);

	/* Back to RWX: the three ranges merge into one. */
	CHECK_EQ(perm_set(&db, 0x200000, 0x400000, RWX, &changed), LVBS_OK);
	CHECK(changed);
	CHECK_EQ(db.nr, 1);
	check_invariant(&db);
}

TEST(perm_edges_and_overlaps)
{
	struct perm_db db;

	fresh(&db, 16);
	/* At the start and at the end of the space. */
	CHECK_EQ(perm_set(&db, 0, 0x1000, RO, NULL), LVBS_OK);
	CHECK_EQ(perm_set(&db, LIMIT - 0x1000, LIMIT, 0, NULL), LVBS_OK);
	CHECK_EQ(db.nr, 3);
	CHECK_EQ(perm_lookup(&db, 0), RO);
	CHECK_EQ(perm_lookup(&db, LIMIT - 1), 0);
	check_invariant(&db);

	/* A range spanning several existing ones replaces them all. */
	CHECK_EQ(perm_set(&db, 0x10000, 0x20000, RX, NULL), LVBS_OK);
	CHECK_EQ(perm_set(&db, 0x30000, 0x40000, RO, NULL), LVBS_OK);
	CHECK_EQ(db.nr, 7);
	CHECK_EQ(perm_set(&db, 0x8000, 0x38000, PT_R | PT_W, NULL), LVBS_OK);
	CHECK_EQ(perm_lookup(&db, 0x7000), RWX);
	CHECK_EQ(perm_lookup(&db, 0x8000), PT_R | PT_W);
	CHECK_EQ(perm_lookup(&db, 0x37000), PT_R | PT_W);
	CHECK_EQ(perm_lookup(&db, 0x38000), RO);
	CHECK_EQ(perm_lookup(&db, 0x40000), RWX);
	check_invariant(&db);

	/* Adjacent with equal rights merge across the boundary. */
	CHECK_EQ(perm_set(&db, 0x38000, 0x40000, PT_R | PT_W, NULL), LVBS_OK);
	CHECK_EQ(perm_find(&db, 0x8000), perm_find(&db, 0x3f000));
	check_invariant(&db);
}

TEST(perm_bad_arguments_change_nothing)
{
	struct perm_db db;
	struct perm_entry before[16];
	u32 nr;

	fresh(&db, 16);
	CHECK_EQ(perm_set(&db, 0x1000, 0x3000, RX, NULL), LVBS_OK);
	memcpy(before, store, sizeof(before));
	nr = db.nr;
	CHECK_EQ(perm_set(&db, 0x1001, 0x3000, RO, NULL), LVBS_E_ALIGN);
	CHECK_EQ(perm_set(&db, 0x1000, 0x3001, RO, NULL), LVBS_E_ALIGN);
	CHECK_EQ(perm_set(&db, 0x3000, 0x3000, RO, NULL), LVBS_E_RANGE);
	CHECK_EQ(perm_set(&db, 0x4000, 0x3000, RO, NULL), LVBS_E_RANGE);
	CHECK_EQ(perm_set(&db, LIMIT - 0x1000, LIMIT + 0x1000, RO, NULL), LVBS_E_RANGE);
	CHECK_EQ(perm_set(&db, 0xfffffffffffff000ULL, 0, RO, NULL), LVBS_E_RANGE);
	CHECK_EQ(perm_set(&db, 0x1000, 0x2000, 1u << 12, NULL), LVBS_E_INVAL);
	CHECK_EQ(db.nr, nr);
	CHECK(!memcmp(before, store, sizeof(before)));
}

TEST(perm_immutable_never_changes)
{
	struct perm_db db;
	bool changed = true;

	fresh(&db, 16);
	CHECK_EQ(perm_set(&db, 0x100000, 0x200000, RX | PERM_IMMUTABLE, NULL), LVBS_OK);
	/* Loosening, tightening, or dropping immutability: all refused. */
	CHECK_EQ(perm_set(&db, 0x100000, 0x200000, RWX, &changed), LVBS_E_PERM);
	CHECK(!changed);
	CHECK_EQ(perm_set(&db, 0x100000, 0x101000, RO | PERM_IMMUTABLE, NULL), LVBS_E_PERM);
	CHECK_EQ(perm_set(&db, 0x100000, 0x200000, RX, NULL), LVBS_E_PERM);
	/* Overlapping it partly is refused as a whole: nothing outside changes. */
	CHECK_EQ(perm_set(&db, 0x0ff000, 0x101000, RWX, NULL), LVBS_E_PERM);
	CHECK_EQ(perm_set(&db, 0x0f0000, 0x110000, RO, NULL), LVBS_E_PERM);
	CHECK_EQ(perm_lookup(&db, 0x0f0000), RWX);
	CHECK_EQ(perm_lookup(&db, 0x100000), RX | PERM_IMMUTABLE);
	/* Restating it exactly is a no-op, not an error. */
	CHECK_EQ(perm_set(&db, 0x140000, 0x150000, RX | PERM_IMMUTABLE, &changed), LVBS_OK);
	CHECK(!changed);
	check_invariant(&db);
}

TEST(perm_sealed_only_tightens)
{
	struct perm_db db;

	fresh(&db, 16);
	CHECK_EQ(perm_set(&db, 0x10000, 0x20000, RO, NULL), LVBS_OK);
	perm_seal(&db);
	CHECK_EQ(perm_set(&db, 0x10000, 0x20000, PT_R | PT_W, NULL), LVBS_E_PERM);
	CHECK_EQ(perm_set(&db, 0x18000, 0x28000, RO, NULL), LVBS_OK);	/* RWX -> RO part */
	CHECK_EQ(perm_set(&db, 0x30000, 0x31000, 0, NULL), LVBS_OK);
	CHECK_EQ(perm_set(&db, 0x30000, 0x31000, RO, NULL), LVBS_E_PERM);
	CHECK_EQ(perm_set(&db, 0x10000, 0x20000, RO | PERM_IMMUTABLE, NULL), LVBS_OK);
	CHECK_EQ(perm_lookup(&db, 0x27000), RO);
	check_invariant(&db);
}

TEST(perm_capacity_is_all_or_nothing)
{
	struct perm_db db;

	fresh(&db, 3);
	CHECK_EQ(perm_set(&db, 0x1000, 0x2000, RO, NULL), LVBS_OK);	/* 3 ranges */
	CHECK_EQ(perm_set(&db, 0x5000, 0x6000, RO, NULL), LVBS_E_TOOBIG);
	CHECK_EQ(db.nr, 3);
	CHECK_EQ(perm_lookup(&db, 0x5000), RWX);
	/* A change that merges needs no room. */
	CHECK_EQ(perm_set(&db, 0x1000, 0x2000, RWX, NULL), LVBS_OK);
	CHECK_EQ(db.nr, 1);
}

/* Many random changes against a page-by-page model. */
TEST(perm_matches_a_model)
{
	static u32 model[256];
	struct perm_entry big[600];
	struct perm_db db;
	u32 seed = 12345;

	CHECK_EQ(perm_init(&db, big, ARRAY_SIZE(big), 256 * PAGE_SIZE, RWX), 0);
	for (u32 i = 0; i < 256; i++)
		model[i] = RWX;
	for (int n = 0; n < 2000; n++) {
		u32 a, b, p;
		int r;

		seed = seed * 1103515245 + 12345;
		a = (seed >> 8) % 256;
		seed = seed * 1103515245 + 12345;
		b = a + 1 + (seed >> 8) % 16;
		if (b > 256)
			b = 256;
		seed = seed * 1103515245 + 12345;
		p = (seed >> 8) & (PERM_RIGHTS | (n % 97 == 0 ? PERM_IMMUTABLE : 0));
		r = perm_set(&db, a * PAGE_SIZE, b * PAGE_SIZE, p, NULL);
		bool allowed = true;

		for (u32 i = a; i < b; i++)
			if ((model[i] & PERM_IMMUTABLE) && model[i] != p)
				allowed = false;
		CHECK_EQ(r, allowed ? LVBS_OK : LVBS_E_PERM);
		if (allowed)
			for (u32 i = a; i < b; i++)
				model[i] = p;
	}
	for (u32 i = 0; i < 256; i++)
		CHECK_EQ(perm_lookup(&db, i * PAGE_SIZE), model[i]);
	check_invariant(&db);
}

/*
 * A range is stored as its start with the rights in its page-offset bits:
 * starts above 4 GiB (and up to 2^64 - 4096) and every right survive.
 */
TEST(perm_packed_starts)
{
	static struct perm_entry st[8];
	struct perm_db db;
	const u64 hi = 0x00fedcba98765000ULL, top = 0xfffffffffffff000ULL;

	CHECK_EQ(perm_init(&db, st, 8, top, RWX), 0);
	CHECK_EQ(perm_set_owned(&db, hi, hi + 0x3000, PERM_ALL, 0xfffffff0u, PERM_SET_FORCE, NULL),
		 LVBS_OK);
	CHECK_EQ(perm_set(&db, top - 0x1000, top, RO, NULL), LVBS_OK);
	CHECK_EQ(db.nr, 4);
	CHECK_EQ(perm_at(&db, 1).start, hi);
	CHECK_EQ(perm_at(&db, 1).end, hi + 0x3000);
	CHECK_EQ(perm_at(&db, 1).perm, PERM_ALL);
	CHECK_EQ(perm_at(&db, 1).owner, 0xfffffff0u);
	CHECK_EQ(perm_lookup(&db, hi + 0x2fff), PERM_ALL);
	CHECK_EQ(perm_lookup(&db, hi + 0x3000), RWX);
	CHECK_EQ(perm_lookup(&db, hi - 1), RWX);
	CHECK_EQ(perm_at(&db, 3).start, top - 0x1000);
	CHECK_EQ(perm_at(&db, 3).end, top);
	CHECK_EQ(perm_lookup(&db, top - 1), RO);
	CHECK_EQ(perm_find(&db, top), -1);
	check_invariant(&db);
}

/* Owners: equal rights of different owners do not merge; FORCE skips the rules. */
TEST(perm_owners_and_force)
{
	struct perm_db db;
	bool changed;

	fresh(&db, 16);
	CHECK_EQ(perm_set_owned(&db, 0x1000, 0x2000, RO, 16, 0, &changed), LVBS_OK);
	CHECK_EQ(perm_set_owned(&db, 0x2000, 0x3000, RO, 17, 0, &changed), LVBS_OK);
	CHECK_EQ(db.nr, 4);
	check_invariant(&db);
	/* Same rights, same owner: merges with its neighbour. */
	CHECK_EQ(perm_set_owned(&db, 0x3000, 0x4000, RO, 17, 0, &changed), LVBS_OK);
	CHECK_EQ(db.nr, 4);
	CHECK_EQ(perm_at(&db, 2).start, 0x2000);
	CHECK_EQ(perm_at(&db, 2).end, 0x4000);
	/* An owner change alone is a change. */
	CHECK_EQ(perm_set_owned(&db, 0x1000, 0x2000, RO, 17, 0, &changed), LVBS_OK);
	CHECK(changed);
	CHECK_EQ(db.nr, 3);
	/* Immutable and sealed refuse; FORCE (the lifecycle paths) does not. */
	CHECK_EQ(perm_set_owned(&db, 0x1000, 0x4000, RO | PERM_IMMUTABLE, 17, 0, &changed), 0);
	perm_seal(&db);
	CHECK_EQ(perm_set_owned(&db, 0x1000, 0x4000, RWX, 0, 0, &changed), LVBS_E_PERM);
	CHECK_EQ(perm_set_owned(&db, 0x1000, 0x4000, PT_R | PT_W, 0, PERM_SET_FORCE, &changed),
		 LVBS_OK);
	CHECK(changed);
	CHECK_EQ(perm_lookup(&db, 0x2000), PT_R | PT_W);
	check_invariant(&db);
}
