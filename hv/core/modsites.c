// SPDX-License-Identifier: GPL-2.0
/*
 * The sites a verified module file names as ones the kernel patches after
 * relocation, and the forms the kernel may leave there (modsites.h).
 *
 * Each kind has a table in the file. The hypervisor relocates the table
 * itself, from the file, so a site's address is the signed file's word,
 * never the guest's. It walks each table in order beside the section it
 * compares, skipping sites of other sections; within a section the
 * entries come in address order (the linker concatenates the objects'
 * code and their tables in the same order); an entry out of order goes
 * into an index by address (modsites_index()) and is used from there.
 *
 * The forms, from what Debian's 6.1 and 6.12 kernels do (arch/x86/kernel/
 * alternative.c, ftrace.c, static_call.c, jump_label.c) and what scenario
 * modreloc measured:
 *   ftrace call site: NOP5, or a call (a tracer attached)
 *   return site: ret and int3 padding, or a jmp (to a return thunk)
 *   retpoline site, call-depth call site: a call or jmp
 *   sealed ENDBR64: one of the 4-byte NOPs the kernel writes
 *   static call site: NOP5, ret and int3s, the 5-byte "xor %eax,%eax"
 *     (return 0), or a call or jmp to the current target
 *   jump label: the NOP of its length, or a jmp to the entry's own target
 *   alternative (apply_alternatives()): the original instruction with its
 *     NOPs rewritten as other NOPs (not applied: optimize_nops()), or the
 *     replacement, each 32-bit field that differs moved by exactly the
 *     distance from the replacement to the site (a relative operand kept
 *     pointing where it pointed), or its jmp shortened to a jmp8 to the
 *     same target; then NOPs (or a jmp8 over int3s) to the site's end, or
 *     int3s after a jmp (6.12 pads so). With
 *     6.12's ALT_FLAG_DIRECT_CALL: a call (to the pv_ops target), NOPs.
 *   paravirt call (6.1's .parainstructions, apply_paravirt()): one of the
 *     native templates of paravirt_patch.c, or a call, then NOPs; or NOPs.
 *   lock prefix: lock (f0) or ds (3e, on one CPU)
 * A call or jump accepted goes back to the caller with its target, which
 * must land in registered code (the kernel's text or a module's) to count
 * as checked; one that goes elsewhere (a tracer's trampoline, a BPF
 * image) is counted as unchecked (docs/module-signatures.md).
 */
#include <hv/types.h>
#include "modsites.h"
#include "sort.h"

static const struct {
	const char *name;
	u32 size;
	u32 kind;
	u32 entsize;		/* 0: the alternatives' */
} tables[] = {
	{ "__mcount_loc", sizeof("__mcount_loc"), LVBS_MODCMP_KIND_FTRACE, 8 },
	{ ".return_sites", sizeof(".return_sites"), LVBS_MODCMP_KIND_RETURN, 4 },
	{ ".retpoline_sites", sizeof(".retpoline_sites"), LVBS_MODCMP_KIND_RETPOLINE, 4 },
	{ ".call_sites", sizeof(".call_sites"), LVBS_MODCMP_KIND_CALL, 4 },
	{ ".ibt_endbr_seal", sizeof(".ibt_endbr_seal"), LVBS_MODCMP_KIND_ENDBR, 4 },
	{ ".static_call_sites", sizeof(".static_call_sites"), LVBS_MODCMP_KIND_STATIC_CALL, 8 },
	{ "__jump_table", sizeof("__jump_table"), LVBS_MODCMP_KIND_JUMP, 16 },
	{ ".altinstructions", sizeof(".altinstructions"), LVBS_MODCMP_KIND_ALT, 0 },
	{ ".smp_locks", sizeof(".smp_locks"), LVBS_MODCMP_KIND_LOCK, 4 },
	/* struct paravirt_patch_site (6.1): u8 *instr, u8 type, u8 len; 16 bytes */
	{ ".parainstructions", sizeof(".parainstructions"), LVBS_MODCMP_KIND_PARAVIRT, 16 },
};

_Static_assert(ARRAY_SIZE(tables) == MODSITES_TABLES, "a table per kind");

static u32 kind_of(const char *name, u32 *entsize, u32 alt_entsize)
{
	for (u32 i = 0; i < ARRAY_SIZE(tables); i++) {
		if (memcmp(name, tables[i].name, tables[i].size))
			continue;
		*entsize = tables[i].entsize ? tables[i].entsize : alt_entsize;
		return tables[i].kind;
	}
	return LVBS_MODCMP_KINDS;
}

/* A table found: its cursor, if it is laid out and its size fits its entries. */
static int add_table(struct modsites *s, const struct modreloc *m, u32 shndx,
		     const struct elf64_shdr *sh, u32 kind, u32 entsize)
{
	struct modsites_cursor *c = &s->c[s->n];
	int r;

	if (!entsize)
		return MODRELOC_OK;	/* alternatives the caller cannot size: not named */
	if (sh->size % entsize || s->n == MODSITES_TABLES)
		return MODRELOC_E_FORMAT;
	if (m->env->section_addr(m->env->ctx, shndx, &c->addr))
		return MODRELOC_OK;	/* not laid out: names nothing in memory */
	r = modreloc_open(&c->m, m->f, m->env);
	if (r)
		return r;
	c->shndx = shndx;
	c->kind = kind;
	c->entsize = entsize;
	c->nent = sh->size / entsize;
	s->n++;
	return MODRELOC_OK;
}

int modsites_open(struct modsites *s, const struct modreloc *m, u32 alt_entsize)
{
	struct elf64_shdr sh;
	char name[32];
	u32 kind, entsize;
	int r;

	s->n = 0;
	s->unordered = 0;
	for (u32 i = 1; i < m->shnum; i++) {
		r = modreloc_shdr(m, i, &sh);
		if (r)
			return r;
		if (!(sh.flags & ELF_SHF_ALLOC) || sh.type == ELF_SHT_NOBITS)
			continue;
		r = modreloc_section_name((struct modreloc *)m, &sh, name, sizeof(name));
		if (r == MODRELOC_E_FORMAT)
			continue;	/* longer than any table's name */
		if (r)
			return r;
		kind = kind_of(name, &entsize, alt_entsize);
		if (kind == LVBS_MODCMP_KINDS)
			continue;
		r = add_table(s, m, i, &sh, kind, entsize);
		if (r)
			return r;
	}
	return MODRELOC_OK;
}

int modsites_section(struct modsites *s, u64 lo, u64 hi)
{
	int r;

	s->lo = lo;
	s->hi = hi;
	for (u32 i = 0; i < s->n; i++) {
		struct modsites_cursor *c = &s->c[i];

		r = modreloc_begin(&c->m, c->shndx);
		if (r)
			return r;
		c->idx = 0;
		c->have = false;
		c->last = 0;
	}
	return MODRELOC_OK;
}

static u64 le(const u8 *p, u32 n)
{
	u64 v = 0;

	for (u32 i = 0; i < n; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

/* @p + the signed 32-bit value at @e: the kernel's relative table entries. */
static u64 rel(u64 p, const u8 *e)
{
	return p + (u64)(s64)(s32)(u32)le(e, 4);
}

/* Entry @e, laid out at @ea, as a site. */
static void decode(const struct modsites_cursor *c, const u8 *e, u64 ea, struct modsite *out)
{
	out->kind = c->kind;
	out->target = 0;
	out->repl = 0;
	out->rlen = 0;
	out->direct_call = false;
	out->side_pos = 0;
	switch (c->kind) {
	case LVBS_MODCMP_KIND_FTRACE:
		out->va = le(e, 8);
		out->len = 5;
		break;
	case LVBS_MODCMP_KIND_ENDBR:
		out->va = rel(ea, e);
		out->len = 4;
		break;
	case LVBS_MODCMP_KIND_LOCK:
		out->va = rel(ea, e);
		out->len = 1;
		break;
	case LVBS_MODCMP_KIND_JUMP:
		out->va = rel(ea, e);
		out->target = rel(ea + 4, e + 4);
		out->len = 5;
		break;
	case LVBS_MODCMP_KIND_ALT:
		out->va = rel(ea, e);
		out->repl = rel(ea + 4, e + 4);
		out->len = e[c->entsize - 2];	/* instrlen, second to last */
		out->rlen = e[c->entsize - 1];	/* replacementlen, last */
		/* 6.12 (14 bytes): u16 cpuid, u16 flags at 8; bit 1 direct call. */
		out->direct_call = c->entsize >= 14 && (le(e + 10, 2) & 2);
		break;
	case LVBS_MODCMP_KIND_PARAVIRT:
		out->va = le(e, 8);
		out->len = e[9];
		break;
	default:	/* return, retpoline, call, static call: 5 bytes */
		out->va = rel(ea, e);
		out->len = 5;
		break;
	}
}

/* The cursor's next site in the section, or none left (0) or an error. */
static int advance(struct modsites *s, struct modsites_cursor *c)
{
	u8 e[16];
	int r;

	c->have = false;
	while (c->idx < c->nent) {
		u64 off = c->idx * c->entsize;

		r = modreloc_window(&c->m, off, e, c->entsize);
		if (r)
			return r;
		c->idx++;
		decode(c, e, c->addr + off, &c->cur);
		if (c->cur.va < s->lo || c->cur.va >= s->hi || !c->cur.len)
			continue;
		if (c->cur.va < c->last) {
			s->unordered++;
			continue;
		}
		c->last = c->cur.va;
		c->have = true;
		return 1;
	}
	return 0;
}

/* ---- entries out of order ---- */

static int range_of(const struct modsites_range *range, u32 n, u64 va)
{
	for (u32 k = 0; k < n; k++)
		if (va >= range[k].lo && va < range[k].hi)
			return (int)k;
	return -1;
}

/* A side[] slot's address (minus base) and entry reference. */
static u32 side_off(const struct modsites *s, u32 i)
{
	return (u32)(s->side[i] >> 32);
}

static u32 side_ref(const struct modsites *s, u32 i)
{
	return (u32)s->side[i];
}

int modsites_index(struct modsites *s, const struct modsites_range *range, u32 n, u64 base)
{
	u64 last[LVBS_MODCMP_MAX_CODE_SECTIONS];
	u8 e[16];
	int r;

	s->nside = 0;
	s->base = base;
	s->ra_table = 0;
	if (n > LVBS_MODCMP_MAX_CODE_SECTIONS)
		return MODRELOC_E_ARG;
	for (u32 i = 0; i < s->n; i++) {
		struct modsites_cursor *c = &s->c[i];

		memset(last, 0, sizeof(last));
		r = modreloc_begin(&c->m, c->shndx);
		if (r)
			return r;
		for (u64 idx = 0; idx < c->nent; idx++) {
			struct modsite site;
			int k;

			r = modreloc_window(&c->m, idx * c->entsize, e, c->entsize);
			if (r)
				return r;
			decode(c, e, c->addr + idx * c->entsize, &site);
			k = range_of(range, n, site.va);
			if (k < 0 || !site.len)
				continue;
			if (site.va >= last[k]) {
				last[k] = site.va;
				continue;
			}
			/* Out of order: the pass in order will skip it; find it here. */
			if (s->nside == MODSITES_SIDE || site.va - base > 0xffffffffULL ||
			    idx >= (1u << 24))
				return MODSITES_E_SIDE;
			s->side[s->nside++] = (site.va - base) << 32 | i << 24 | (u32)idx;
		}
	}
	sort_u64(s->side, s->nside);	/* by address: the high half */
	return MODRELOC_OK;
}

/* Entry @ref of side[], read where it is (modreloc_seek()): a site. */
static int side_entry(struct modsites *s, u32 ref, struct modsite *out)
{
	struct modsites_cursor *c = &s->c[ref >> 24];
	u64 off = (u64)(ref & 0xffffff) * c->entsize;
	u8 e[16];
	int r;

	if (s->ra_table != (ref >> 24) + 1) {
		r = modreloc_open(&s->ra, c->m.f, c->m.env);
		if (!r)
			r = modreloc_begin(&s->ra, c->shndx);
		if (r)
			return r;
		s->ra_table = (ref >> 24) + 1;
	}
	r = modreloc_seek(&s->ra, off);
	if (!r)
		r = modreloc_window(&s->ra, off, e, c->entsize);
	if (r)
		return r;
	decode(c, e, c->addr + off, out);
	return MODRELOC_OK;
}

/*
 * The side entry covering @va, from slot @from on (slots are sorted by
 * address; a site is 255 bytes at most), of kind @kind (or any, if
 * LVBS_MODCMP_KINDS) at address @at (or any, if 0): 1, 0, or an error.
 */
static int side_find(struct modsites *s, u64 va, u32 from, u32 kind, u64 at,
		     struct modsite *out)
{
	u64 lo = va >= s->base + MODSITES_MAX_LEN ? va - MODSITES_MAX_LEN : s->base;
	u32 a = 0, b = s->nside;
	int r;

	if (va < s->base || va - s->base > 0xffffffffULL)
		return 0;
	/* The first slot at or after lo. */
	while (a < b) {
		u32 m = a + (b - a) / 2;

		if (side_off(s, m) < (u32)(lo - s->base))
			a = m + 1;
		else
			b = m;
	}
	for (u32 i = MAX(a, from); i < s->nside && side_off(s, i) <= (u32)(va - s->base); i++) {
		r = side_entry(s, side_ref(s, i), out);
		if (r)
			return r;
		if (out->va > va || va >= out->va + out->len)
			continue;
		if ((kind != LVBS_MODCMP_KINDS && out->kind != kind) || (at && out->va != at))
			continue;
		out->side_pos = i + 1;
		return 1;
	}
	return 0;
}

int modsites_find(struct modsites *s, u64 va, u32 *from, struct modsite *out)
{
	int r;

	/* *from: tables [0, n), then the index's slots (n + slot). */
	for (u32 i = *from; i < s->n; i++) {
		struct modsites_cursor *c = &s->c[i];

		/* The table's first site in the section that ends past va. */
		while (!c->have || c->cur.va + c->cur.len <= va) {
			r = advance(s, c);
			if (r < 0)
				return r;
			if (!r)
				break;
		}
		if (c->have && c->cur.va <= va && va < c->cur.va + c->cur.len) {
			*out = c->cur;
			*from = i + 1;
			return 1;
		}
	}
	r = side_find(s, va, *from > s->n ? *from - s->n : 0, LVBS_MODCMP_KINDS, 0, out);
	if (r == 1)
		*from = s->n + out->side_pos;
	return r;
}

int modsites_next_at(struct modsites *s, const struct modsite *at, struct modsite *out)
{
	/* Entries in order first, then those of the index at the same place. */
	for (u32 i = 0; i < s->n && !at->side_pos; i++) {
		struct modsites_cursor *c = &s->c[i];
		int r;

		if (c->kind != at->kind || !c->have || c->cur.va != at->va)
			continue;
		r = advance(s, c);
		if (r < 0)
			return r;
		if (r && c->cur.va == at->va) {
			*out = c->cur;
			out->side_pos = 0;
			return 1;
		}
		break;
	}
	return side_find(s, at->va, at->side_pos, at->kind, at->va, out);
}

/* ---- the forms ---- */

static const u8 nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
static const u8 nop2[] = { 0x66, 0x90 };
static const u8 xor5rax[] = { 0x2e, 0x2e, 0x2e, 0x31, 0xc0 };
static const u8 endbr_nop_a[] = { 0x66, 0x0f, 0x1f, 0x00 };
static const u8 endbr_nop_b[] = { 0x0f, 0x1f, 0x40, 0xd6 };

static bool is(const u8 *g, u32 glen, const u8 *form, u32 n)
{
	return glen >= n && !memcmp(g, form, n);
}

/* ret, then int3 up to @n bytes. */
static bool ret_padded(const u8 *g, u32 glen, u32 n)
{
	if (glen < n || g[0] != 0xc3)
		return false;
	for (u32 i = 1; i < n; i++)
		if (g[i] != 0xcc)
			return false;
	return true;
}

/* A call or jmp with a 32-bit displacement: where it goes, in *target. */
static bool rel32_branch(const struct modsite *s, const u8 *g, u32 glen, u64 *target)
{
	if (glen < 5 || (g[0] != 0xe8 && g[0] != 0xe9))
		return false;
	*target = s->va + 5 + (u64)(s64)(s32)(u32)le(g + 1, 4);
	return true;
}

/*
 * A jump label: as long as the file's instruction there (objtool leaves a
 * NOP2 or a jmp8, or a NOP5 or a jmp: the kernel's arch_jump_entry_size()
 * decodes it), and in memory the NOP or the jmp to the entry's target of
 * that length. The guest's bytes never choose the length: "66 90" in
 * place of a NOP5 would leave three bytes of the NOP5 to run as an
 * instruction of their own.
 */
static bool jump_label(const struct modsite *s, const u8 *g, u32 glen, u32 *len, const u8 *orig)
{
	if (!orig) {
		*len = s->len;
		return false;
	}
	if (s->len >= 2 && (orig[0] == 0xeb || is(orig, s->len, nop2, 2))) {
		*len = 2;
		return is(g, glen, nop2, 2) ||
		       (glen >= 2 && g[0] == 0xeb && s->va + 2 + (u64)(s64)(signed char)g[1] == s->target);
	}
	*len = 5;
	return is(g, glen, nop5, 5) ||
	       (glen >= 5 && g[0] == 0xe9 && s->va + 5 + (u64)(s64)(s32)(u32)le(g + 1, 4) == s->target);
}

/*
 * The length of the NOP instruction at @g (at most @n bytes), or 0: what
 * the kernel's NOP tables and optimize_nops() write: 90, and 0f 1f /0 in
 * any addressing form, each after any of the prefixes 66, 2e, 3e.
 */
static u32 nop_len(const u8 *g, u32 n)
{
	u32 i = 0, need;
	u8 modrm;

	while (i < n && i < 8 && (g[i] == 0x66 || g[i] == 0x2e || g[i] == 0x3e))
		i++;
	if (i < n && g[i] == 0x90)
		return i + 1;
	if (i + 3 > n || g[i] != 0x0f || g[i + 1] != 0x1f)
		return 0;
	modrm = g[i + 2];
	if ((modrm >> 3) & 7)
		return 0;		/* 0f 1f /0 only */
	need = i + 3;
	if ((modrm >> 6) != 3 && (modrm & 7) == 4) {
		if (need + 1 > n)
			return 0;
		/* SIB with no base (mod 00): a 32-bit displacement follows. */
		if ((modrm >> 6) == 0 && (g[need] & 7) == 5)
			need += 4;
		need++;
	}
	if ((modrm >> 6) == 1)
		need += 1;
	else if ((modrm >> 6) == 2 || ((modrm >> 6) == 0 && (modrm & 7) == 5))
		need += 4;
	return need <= n ? need : 0;
}

/* Is @g[0..n) NOPs, or a jmp8 over int3s to its end? */
static bool nop_run(const u8 *g, u32 n)
{
	u32 i = 0, k;

	if (n >= 2 && g[0] == 0xeb && g[1] == n - 2) {
		for (i = 2; i < n && g[i] == 0xcc; i++)
			;
		return i == n;
	}
	while (i < n) {
		k = nop_len(g + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* Padding after an unconditional jmp: NOPs, or int3s (never run; 6.12). */
static bool after_jump(const u8 *g, u32 n)
{
	u32 i = 0;

	while (i < n && g[i] == 0xcc)
		i++;
	return i == n || nop_run(g, n);
}

/*
 * Not applied: the original, from some point on both the original's and
 * the guest's bytes NOPs (optimize_nops() rewrote a run of them).
 */
static bool alt_original(const u8 *g, const u8 *w, u32 n)
{
	u32 p = 0;

	while (p < n && g[p] == w[p])
		p++;
	if (p == n)
		return true;
	for (;; p--) {
		if (nop_run(w + p, n - p) && nop_run(g + p, n - p))
			return true;
		if (!p)
			return false;
	}
}

/*
 * Applied: the replacement @r (@rlen bytes, at @repl) moved to the site.
 * A differing 32-bit field must differ by exactly repl - site: a relative
 * operand the kernel adjusted (apply_alternatives(), apply_relocation()),
 * still aiming where it did. A jmp may have become a jmp8 to its target.
 */
static bool alt_replaced(const struct modsite *s, const u8 *g, const u8 *r, u32 rlen)
{
	u32 delta = (u32)(s->repl - s->va), i = 0;

	if (rlen > s->len)
		return false;
	if (rlen == 5 && r[0] == 0xe9 && g[0] == 0xeb) {
		u64 to = s->repl + 5 + (u64)(s64)(s32)(u32)le(r + 1, 4);

		return s->va + 2 + (u64)(s64)(signed char)g[1] == to && after_jump(g + 2, s->len - 2);
	}
	while (i < rlen) {
		u32 j;
		bool moved = false;

		if (g[i] == r[i]) {
			i++;
			continue;
		}
		/* The field holding byte i: it may begin up to 3 bytes before. */
		for (j = i >= 3 ? i - 3 : 0; j <= i && !moved; j++)
			moved = j + 4 <= rlen && !memcmp(g + j, r + j, i - j) &&
				(u32)le(g + j, 4) - (u32)le(r + j, 4) == delta;
		if (!moved)
			return false;
		i = j + 3;	/* j was incremented once past the field's start */
	}
	if (rlen == 5 && r[0] == 0xe9)
		return after_jump(g + rlen, s->len - rlen);
	return nop_run(g + rlen, s->len - rlen);
}

/* A call (to be checked by the caller), then NOPs: *target where it goes. */
static bool call_padded(const struct modsite *s, const u8 *g, u64 *target)
{
	return s->len >= 5 && g[0] == 0xe8 && rel32_branch(s, g, s->len, target) &&
	       nop_run(g + 5, s->len - 5);
}

static bool alternative(const struct modsite *s, const u8 *g, u32 glen, u64 *target,
			const struct modsite_bytes *b)
{
	if (!b || glen < s->len)
		return false;
	if (s->direct_call && call_padded(s, g, target))
		return true;
	return alt_original(g, b->orig, s->len) || alt_replaced(s, g, b->repl, s->rlen);
}

/* 6.1's native paravirt templates (arch/x86/kernel/paravirt_patch.c). */
static const struct {
	u8 len;
	u8 b[3];
} pv_native[] = {
	{ 1, { 0xfa } },		/* cli */
	{ 1, { 0xfb } },		/* sti */
	{ 2, { 0x9c, 0x58 } },		/* pushf; pop %rax */
	{ 3, { 0x0f, 0x20, 0xd0 } },	/* mov %cr2, %rax */
	{ 3, { 0x0f, 0x20, 0xd8 } },	/* mov %cr3, %rax */
	{ 3, { 0x0f, 0x22, 0xdf } },	/* mov %rdi, %cr3 */
	{ 2, { 0x0f, 0x09 } },		/* wbinvd */
	{ 3, { 0x48, 0x89, 0xf8 } },	/* mov %rdi, %rax (identity) */
	{ 2, { 0x57, 0x9d } },		/* push %rdi; popf */
	{ 3, { 0xc6, 0x07, 0x00 } },	/* movb $0, (%rdi) (queued_spin_unlock) */
	{ 2, { 0x31, 0xc0 } },		/* xor %eax, %eax (vcpu_is_preempted) */
};

static bool paravirt(const struct modsite *s, const u8 *g, u32 glen, u64 *target)
{
	if (glen < s->len)
		return false;
	if (nop_run(g, s->len) || call_padded(s, g, target))
		return true;
	for (u32 i = 0; i < ARRAY_SIZE(pv_native); i++)
		if (pv_native[i].len <= s->len && !memcmp(g, pv_native[i].b, pv_native[i].len) &&
		    nop_run(g + pv_native[i].len, s->len - pv_native[i].len))
			return true;
	return false;
}

bool modsites_allowed(const struct modsite *s, const u8 *g, u32 glen, u32 *len, u64 *target,
		      const struct modsite_bytes *b)
{
	*len = s->len;
	*target = 0;
	switch (s->kind) {
	case LVBS_MODCMP_KIND_FTRACE:
		return is(g, glen, nop5, 5) || (g[0] == 0xe8 && rel32_branch(s, g, glen, target));
	case LVBS_MODCMP_KIND_RETURN:
		return ret_padded(g, glen, 5) || rel32_branch(s, g, glen, target);
	case LVBS_MODCMP_KIND_RETPOLINE:
	case LVBS_MODCMP_KIND_CALL:
		return rel32_branch(s, g, glen, target);
	case LVBS_MODCMP_KIND_ENDBR:
		return is(g, glen, endbr_nop_a, 4) || is(g, glen, endbr_nop_b, 4);
	case LVBS_MODCMP_KIND_STATIC_CALL:
		return is(g, glen, nop5, 5) || ret_padded(g, glen, 5) || is(g, glen, xor5rax, 5) ||
		       rel32_branch(s, g, glen, target);
	case LVBS_MODCMP_KIND_JUMP:
		return jump_label(s, g, glen, len, b ? b->orig : NULL);
	case LVBS_MODCMP_KIND_ALT:
		return alternative(s, g, glen, target, b);
	case LVBS_MODCMP_KIND_PARAVIRT:
		return paravirt(s, g, glen, target);
	case LVBS_MODCMP_KIND_LOCK:
		return glen >= 1 && (g[0] == 0xf0 || g[0] == 0x3e);
	default:
		return false;
	}
}
