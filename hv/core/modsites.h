/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sites a module file itself names as ones the kernel patches after
 * relocating it (ftrace calls, return thunks, static calls, jump labels,
 * alternatives, ...), and the forms each kind may take (modsites.c;
 * docs/module-signatures.md, "What the kernel changes after relocating").
 */
#ifndef HV_CORE_MODSITES_H
#define HV_CORE_MODSITES_H

#include <hv/types.h>
#include <lvbs/abi.h>
#include "modreloc.h"

#define MODSITES_TABLES		LVBS_MODCMP_KINDS	/* one table per kind */
#define MODSITES_MAX_LEN	255	/* an alternative's length is a byte */

/*
 * One site: [va, va + len), of @kind; @target for a jump label, whose len
 * is a bound (5) until its file's instruction says 2 or 5.
 */
struct modsite {
	u64 va;
	u32 len;
	u32 kind;		/* LVBS_MODCMP_KIND_* */
	u64 target;
	/* An alternative's replacement: where (the file's), how long, flags. */
	u64 repl;
	u32 rlen;
	bool direct_call;	/* 6.12's ALT_FLAG_DIRECT_CALL: a call to a pv_ops target */
	u32 side_pos;		/* found in the index of entries out of order: its slot + 1 */
};

/*
 * What an alternative's check needs besides the guest's bytes: the site's
 * bytes as the file has them, relocated (@orig, the site's length), and
 * the replacement's (@repl, rlen of them: the module's own code, which the
 * same comparison checks against the file). A jump label's needs @orig
 * only: its length is the file's instruction's (2 or 5).
 */
struct modsite_bytes {
	const u8 *orig;
	const u8 *repl;
};

/* A table of the file, read in order through a relocator of its own. */
struct modsites_cursor {
	u32 shndx;		/* the table's section */
	u32 kind;
	u32 entsize;
	u64 nent, idx;		/* entries, and the next to read */
	u64 addr;		/* where the table was laid out */
	struct modreloc m;
	bool have;		/* cur is the next site in the section at or past ... */
	struct modsite cur;
	u64 last;		/* ... the last site returned, to check the order */
};

/*
 * Entries that come in a table before an earlier one of the same section
 * (objtool does not sort them: kvm's static call sites, i915's retpoline
 * sites by the thousand): found by a pass over every table when the
 * comparison starts, and sorted by address. MODSITES_E_SIDE if more.
 */
#define MODSITES_SIDE		16384
#define MODSITES_E_SIDE		(-50)

struct modsites {
	struct modsites_cursor c[MODSITES_TABLES];
	u32 n;
	u64 lo, hi;		/* the section compared: sites outside are skipped */
	u64 unordered;		/* sites that came before an earlier one */
	u64 base;		/* an entry's address minus this ... */
	u32 nside;
	u64 side[MODSITES_SIDE];	/* ... << 32 | table << 24 | entry index */
	struct modreloc ra;	/* reads an entry of side[] where it is */
	u32 ra_table;		/* ... of this table + 1 (0: none begun) */
};

/*
 * The tables of the file @m reads (with the same reader and layout), and
 * the alternatives' entry size (the kernel's struct alt_instr: 12 bytes
 * in 6.1, 14 in 6.12; 0: alternatives are not named). 0, or a relocator
 * error.
 */
int modsites_open(struct modsites *s, const struct modreloc *m, u32 alt_entsize);
/* Sites from the start of every table again, for a section at [lo, hi). */
int modsites_section(struct modsites *s, u64 lo, u64 hi);
/*
 * The entries out of order of every table, for the code sections @range
 * (@n of them, [lo, hi) each), addresses from @base on (within 4 GiB):
 * one pass over each table. 0, MODSITES_E_SIDE, or a relocator error.
 */
struct modsites_range {
	u64 lo, hi;
};
int modsites_index(struct modsites *s, const struct modsites_range *range, u32 n, u64 base);
/*
 * A site of the section whose entry may cover @va (1, *out set; 0 none),
 * or a relocator error. Calls come with @va ascending. *from is where to
 * go on from: 0 for the first; each site found sets it past itself, so
 * that a caller whose site turns out shorter than its entry's bound (a
 * 2-byte jump label before a static call: fscache) asks for the next.
 */
int modsites_find(struct modsites *s, u64 va, u32 *from, struct modsite *out);
/*
 * The next entry of @at's table at the same address (ALTERNATIVE_2 names
 * one instruction twice: the kernel applies each in turn, the last that
 * applies wins), advancing its cursor: 1, 0 (none), or an error.
 */
int modsites_next_at(struct modsites *s, const struct modsite *at, struct modsite *out);
/*
 * Do the guest's bytes @g (@glen of them, from the site's start) hold a
 * form the site's kind allows? The form's length goes to *len, set
 * whatever the verdict (a jump label's is its file instruction's, 2 or 5:
 * the guest's bytes do not choose it); *target is where a call or jump
 * accepted there goes, for the caller to check (0: none to check; a jump
 * label's target is the file's own and checked here). @b is needed by an
 * alternative (orig and repl) and a jump label (orig, 5 bytes or to the
 * section's end).
 */
bool modsites_allowed(const struct modsite *s, const u8 *g, u32 glen, u32 *len, u64 *target,
		      const struct modsite_bytes *b);

#endif
