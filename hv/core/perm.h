/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The permission database: which guest-physical ranges the guest may read,
 * write and execute (kernel / user mode), and which of those rights are
 * immutable. It is the single source of truth the SLAT (NPT / EPT) is built
 * from; vendor-neutral.
 *
 * The database is a sorted partition of [0, limit) into ranges, adjacent
 * ranges with equal rights always merged, so that a whole kernel takes a
 * handful of entries and a lookup is a binary search. A range is stored
 * as its start and what it holds, its end being the next one's start (or
 * the limit): 12 bytes. Module memory is physically scattered, and each
 * piece of it costs two ranges (its own and the gap after it), so it is
 * the number of ranges that bounds how much module memory lvbs protects.
 */
#ifndef HV_CORE_PERM_H
#define HV_CORE_PERM_H

#include <hv/types.h>
#include "pt.h"

/* Rights: the PT_* bits of pt.h, plus: */
#define PERM_IMMUTABLE	(1u << 8)	/* no change ever again, except PERM_SET_FORCE */
#define PERM_PATCHABLE	(1u << 9)	/* code: writes go through validated patching */
/*
 * Module code whose supervisor execute is withheld until MODULE_COMPARE
 * finds it the same as its signed file (slat_grant_code()). Set only by
 * the hypervisor, never by a request; the range holds no PT_XS meanwhile.
 */
#define PERM_WITHHELD	(1u << 10)
#define PERM_RIGHTS	(PT_R | PT_W | PT_XS | PT_XU)
#define PERM_ALL	(PERM_RIGHTS | PERM_IMMUTABLE | PERM_PATCHABLE | PERM_WITHHELD)

/* perm_set_owned() flags. */
#define PERM_SET_FORCE	(1u << 0)	/* skip the immutable/sealed checks (caller decided) */

/* A range, as perm_at() gives it. */
struct perm_range {
	u64 start;		/* inclusive, page aligned */
	u64 end;		/* exclusive, page aligned */
	u32 perm;		/* PT_* | PERM_IMMUTABLE | PERM_PATCHABLE */
	u32 owner;		/* LVBS_OWNER_* or a module cookie */
};

/* A range as stored: the rights live in the start's page-offset bits. */
struct perm_entry {
	u32 lo;			/* start bits 12..31 | perm */
	u32 hi;			/* start bits 32..63 */
	u32 owner;
};

_Static_assert(PERM_ALL < PAGE_SIZE, "the rights fit in a page offset");

struct perm_db {
	struct perm_entry *e;	/* storage owned by the caller */
	u32 nr;			/* ranges in use; they cover [0, limit) */
	u32 cap;		/* ranges the storage holds */
	u64 limit;
	bool sealed;		/* after SEAL: rights may only shrink */
};

/* Everything [0, limit) gets perm. 0, or -1 on bad arguments. */
int perm_init(struct perm_db *db, struct perm_entry *storage, u32 cap, u64 limit,
	      u32 perm);

static inline u64 perm_entry_start(const struct perm_entry *e)
{
	return ((u64)e->hi << 32 | e->lo) & ~(u64)(PAGE_SIZE - 1);
}

static inline u32 perm_entry_perm(const struct perm_entry *e)
{
	return e->lo & (PAGE_SIZE - 1);
}

/* Range i (< db->nr), with its end. */
static inline struct perm_range perm_at(const struct perm_db *db, u32 i)
{
	return (struct perm_range){
		.start = perm_entry_start(&db->e[i]),
		.end = i + 1 < db->nr ? perm_entry_start(&db->e[i + 1]) : db->limit,
		.perm = perm_entry_perm(&db->e[i]),
		.owner = db->e[i].owner,
	};
}

/* Where range i starts (< db->nr). */
static inline u64 perm_start(const struct perm_db *db, u32 i)
{
	return perm_entry_start(&db->e[i]);
}

/* Rights of the page holding gpa; 0 for addresses at or above the limit. */
u32 perm_lookup(const struct perm_db *db, u64 gpa);

/* Index of the range holding gpa, or -1. */
int perm_find(const struct perm_db *db, u64 gpa);

/*
 * Give [start, end) the rights perm. All or nothing: on any error nothing
 * changes. Errors (LVBS_E_*):
 *   LVBS_E_ALIGN   start or end not page aligned
 *   LVBS_E_RANGE   empty, reversed, or beyond the limit
 *   LVBS_E_INVAL   unknown bits in perm
 *   LVBS_E_PERM    part of the range is immutable and would change, or the
 *                  database is sealed and some right would be added
 *   LVBS_E_TOOBIG  the storage cannot hold the result
 * *changed (may be NULL) says whether any right actually changed, i.e.
 * whether the SLAT must be updated and TLBs flushed.
 */
int perm_set(struct perm_db *db, u64 start, u64 end, u32 perm, bool *changed);

/*
 * The same with an owner (ranges merge only with equal rights and owner)
 * and flags: PERM_SET_FORCE skips the immutable and sealed checks, for the
 * lifecycle paths whose rules the caller has checked.
 */
int perm_set_owned(struct perm_db *db, u64 start, u64 end, u32 perm, u32 owner,
		   u32 flags, bool *changed);

/* From now on rights may only be removed (or made immutable). */
void perm_seal(struct perm_db *db);

#endif
