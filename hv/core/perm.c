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

int perm_init(struct perm_db *db, struct perm_range *storage, u32 cap, u64 limit,
	      u32 perm)
{
	if (!db || !storage || cap < 1 || limit == 0 || !IS_ALIGNED(limit, PAGE_SIZE) ||
	    (perm & ~PERM_ALL))
		return -1;
	db->r = storage;
	db->cap = cap;
	db->limit = limit;
	db->sealed = false;
	db->nr = 1;
	db->r[0] = (struct perm_range){ .start = 0, .end = limit, .perm = perm };
	return 0;
}

int perm_find(const struct perm_db *db, u64 gpa)
{
	u32 lo = 0, hi = db->nr;

	if (gpa >= db->limit)
		return -1;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (gpa < db->r[mid].start)
			hi = mid;
		else if (gpa >= db->r[mid].end)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}

u32 perm_lookup(const struct perm_db *db, u64 gpa)
{
	int i = perm_find(db, gpa);

	return i < 0 ? 0 : db->r[i].perm;
}

static inline bool same(const struct perm_range *r, u32 perm, u32 owner)
{
	return r->perm == perm && r->owner == owner;
}

/* Would giving [start, end) perm be allowed for every range it overlaps? */
static int check_change(const struct perm_db *db, u32 first, u32 last, u32 perm,
			u32 owner)
{
	for (u32 i = first; i <= last; i++) {
		u32 old = db->r[i].perm;

		if (same(&db->r[i], perm, owner))
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
	memmove(&db->r[at], &db->r[at + n], (db->nr - at - n) * sizeof(db->r[0]));
	db->nr -= n;
}

static void insert_range(struct perm_db *db, u32 at, struct perm_range r)
{
	memmove(&db->r[at + 1], &db->r[at], (db->nr - at) * sizeof(db->r[0]));
	db->r[at] = r;
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
		diff |= !same(&db->r[i], perm, owner);
	if (!diff)
		return LVBS_OK;
	/*
	 * Absorb equal neighbours and equal ends into [s, e) first, so that
	 * the result needs no merging and its size is known before anything
	 * is touched: the database stays merged, and a change that does not
	 * fit changes nothing.
	 */
	if (db->r[first].start < s && same(&db->r[first], perm, owner))
		s = db->r[first].start;
	else if (db->r[first].start == s && first > 0 && same(&db->r[first - 1], perm, owner))
		s = db->r[--first].start;
	if (db->r[last].end > e && same(&db->r[last], perm, owner))
		e = db->r[last].end;
	else if (db->r[last].end == e && last + 1 < db->nr &&
		 same(&db->r[last + 1], perm, owner))
		e = db->r[++last].end;
	head = db->r[first];
	tail = db->r[last];
	keep_head = head.start < s;
	keep_tail = tail.end > e;
	if (db->nr - (last - first + 1) + 1 + keep_head + keep_tail > db->cap)
		return LVBS_E_TOOBIG;

	remove_ranges(db, first, last - first + 1);
	if (keep_tail) {
		tail.start = e;
		insert_range(db, first, tail);
	}
	insert_range(db, first, (struct perm_range){ .start = s, .end = e, .perm = perm,
						     .owner = owner });
	if (keep_head) {
		head.end = s;
		insert_range(db, first, head);
	}
	if (changed)
		*changed = true;
	return LVBS_OK;
}

void perm_seal(struct perm_db *db)
{
	db->sealed = true;
}
