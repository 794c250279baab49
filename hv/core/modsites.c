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
 * code and their tables in the same order), and an entry out of order is
 * counted, not used.
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
 *   alternative, paravirt call (6.1): any bytes within the original
 *     instruction's length (the replacement's form is not checked yet)
 *   lock prefix: lock (f0) or ds (3e, on one CPU)
 * A call or jump accepted goes back to the caller with its target, which
 * must land in registered code (the kernel's text or a module's) to count
 * as checked; one that goes elsewhere (a tracer's trampoline, a BPF
 * image) is counted as unchecked (docs/module-signatures.md).
 */
#include <hv/types.h>
#include "modsites.h"

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
		out->len = e[c->entsize - 2];	/* instrlen, second to last */
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

int modsites_find(struct modsites *s, u64 va, struct modsite *out)
{
	for (u32 i = 0; i < s->n; i++) {
		struct modsites_cursor *c = &s->c[i];
		int r;

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
			return 1;
		}
	}
	return 0;
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

static bool jump_label(const struct modsite *s, const u8 *g, u32 glen, u32 *len)
{
	if (glen >= 2 && (g[0] == 0xeb || is(g, glen, nop2, 2))) {
		*len = 2;
		return is(g, glen, nop2, 2) ||
		       s->va + 2 + (u64)(s64)(signed char)g[1] == s->target;
	}
	*len = 5;
	return is(g, glen, nop5, 5) ||
	       (glen >= 5 && g[0] == 0xe9 && s->va + 5 + (u64)(s64)(s32)(u32)le(g + 1, 4) == s->target);
}

bool modsites_allowed(const struct modsite *s, const u8 *g, u32 glen, u32 *len, u64 *target)
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
		return jump_label(s, g, glen, len);
	case LVBS_MODCMP_KIND_ALT:
	case LVBS_MODCMP_KIND_PARAVIRT:
		return true;
	case LVBS_MODCMP_KIND_LOCK:
		return glen >= 1 && (g[0] == 0xf0 || g[0] == 0x3e);
	default:
		return false;
	}
}
