// SPDX-License-Identifier: GPL-2.0
/*
 * Permission database (see perm.h). The ranges live in a sorted array. A
 * change replaces the ranges it overlaps by at most three (a kept head, the
 * new range, a kept tail), after absorbing neighbours with the same rights;
 * the resulting size is checked before anything is touched, which makes
 * every change all-or-nothing.
 */
#include <hv/types.h>
#include <lvbs/abi.h>
#include "perm.h"

int perm_init(struct perm_db *db, struct perm_entry *storage, u32 cap, u64 limit,
	      u32 perm)
{
	if (!db || !storage || cap < 1 || limit == 0 || !IS_ALIGNED(limit, PAGE_SIZE) ||
	    (perm & ~PERM_ALL))
		return -1;
	db->e = storage;
	db->cap = cap;
	db->limit = limit;
	db->sealed = false;
	db->nr = 1;
	db->e[0] = (struct perm_entry){ .lo = perm };
	return 0;
}

int perm_find(const struct perm_db *db, u64 gpa)
{
	u32 lo = 1, hi = db->nr;

	if (gpa >= db->limit)
		return -1;
	/* The last range starting at or below gpa; range 0 starts at 0. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (perm_start(db, mid) <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int)lo - 1;
}

u32 perm_lookup(const struct perm_db *db, u64 gpa)
{
	int i = perm_find(db, gpa);

	return i < 0 ? 0 : perm_entry_perm(&db->e[i]);
}

static inline bool same(const struct perm_db *db, u32 i, u32 perm, u32 owner)
{
	return perm_entry_perm(&db->e[i]) == perm && db->e[i].owner == owner;
}

/* Would giving [start, end) perm be allowed for every range it overlaps? */
static int check_change(const struct perm_db *db, u32 first, u32 last, u32 perm,
			u32 owner)
{
	for (u32 i = first; i <= last; i++) {
		u32 old = perm_entry_perm(&db->e[i]);

		if (same(db, i, perm, owner))
			continue;
		if (old & PERM_IMMUTABLE)
			return LVBS_E_PERM;
		if (db->sealed && (perm & PERM_RIGHTS & ~old))
			return LVBS_E_PERM;
	}
	return LVBS_OK;
}

static void remove_ranges(struct perm_db *db, u32 at, u32 n)
{
	memmove(&db->e[at], &db->e[at + n], (db->nr - at - n) * sizeof(db->e[0]));
	db->nr -= n;
}

/* A range from start to where the one now at @at starts (or the limit). */
static void insert_range(struct perm_db *db, u32 at, u64 start, u32 perm, u32 owner)
{
	memmove(&db->e[at + 1], &db->e[at], (db->nr - at) * sizeof(db->e[0]));
	db->e[at] = (struct perm_entry){ .lo = (u32)start | perm, .hi = (u32)(start >> 32),
					 .owner = owner };
	db->nr++;
}

int perm_set(struct perm_db *db, u64 start, u64 end, u32 perm, bool *changed)
{
	return perm_set_owned(db, start, end, perm, 0, 0, changed);
}

int perm_set_owned(struct perm_db *db, u64 start, u64 end, u32 perm, u32 owner,
		   u32 flags, bool *changed)
{
	struct perm_range head, tail;
	u64 s = start, e = end;
	bool diff = false, keep_head, keep_tail;
	u32 first, last;
	int fi, li, r;

	if (changed)
		*changed = false;
	if (!IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE))
		return LVBS_E_ALIGN;
	if (start >= end || end > db->limit)
		return LVBS_E_RANGE;
	if (perm & ~PERM_ALL)
		return LVBS_E_INVAL;
	fi = perm_find(db, start);
	li = perm_find(db, end - 1);
	if (fi < 0 || li < 0)
		return LVBS_E_RANGE;
	first = (u32)fi;
	last = (u32)li;
	if (!(flags & PERM_SET_FORCE)) {
		r = check_change(db, first, last, perm, owner);
		if (r)
			return r;
	}
	for (u32 i = first; i <= last; i++)
		diff |= !same(db, i, perm, owner);
	if (!diff)
		return LVBS_OK;
	/*
	 * Absorb equal neighbours and equal ends into [s, e) first, so that
	 * the result needs no merging and its size is known before anything
	 * is touched: the database stays merged, and a change that does not
	 * fit changes nothing.
	 */
	head = perm_at(db, first);
	tail = perm_at(db, last);
	if (head.start < s && same(db, first, perm, owner))
		s = head.start;
	else if (head.start == s && first > 0 && same(db, first - 1, perm, owner))
		s = perm_start(db, --first);
	if (tail.end > e && same(db, last, perm, owner))
		e = tail.end;
	else if (tail.end == e && last + 1 < db->nr && same(db, last + 1, perm, owner))
		e = perm_at(db, ++last).end;
	head = perm_at(db, first);
	tail = perm_at(db, last);
	keep_head = head.start < s;
	keep_tail = tail.end > e;
	if (db->nr - (last - first + 1) + 1 + keep_head + keep_tail > db->cap)
		return LVBS_E_TOOBIG;

	/*
	 * A range ends where the next starts: the kept head ends at s, the
	 * new range at e, the kept tail (or, without one, the new range)
	 * where the range after the replaced ones starts, as before.
	 */
	remove_ranges(db, first, last - first + 1);
	if (keep_tail)
		insert_range(db, first, e, tail.perm, tail.owner);
	insert_range(db, first, s, perm, owner);
	if (keep_head)
		insert_range(db, first, head.start, head.perm, head.owner);
	if (changed)
		*changed = true;
	return LVBS_OK;
}

void perm_seal(struct perm_db *db)
{
	db->sealed = true;
}
