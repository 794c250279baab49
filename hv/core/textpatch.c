// SPDX-License-Identifier: GPL-2.0
/*
 * Validated text patching (see textpatch.h and docs/text-patching.md).
 *
 * Linux 6.1 changes its text after boot only through text_poke() and
 * text_poke_bp(): it maps the physical page at a temporary address and
 * memcpy()s into it (REP MOVSQ / REP MOVSB, or MOVs). Each store into
 * patchable code faults here. There is no list of patch sites without
 * unexported symbols, so the rules are structural, on the bytes at the
 * site as the hypervisor sees them:
 *
 *   1. one INT3 byte may be written over any instruction byte; the old
 *      byte and the 5 bytes that started there are remembered;
 *   2. while a remembered INT3 is in place, the bytes after it may be
 *      written if the 5 (or 2) bytes that started there were a legal patch
 *      form: text_poke_bp() writing the new instruction's tail;
 *   3. the INT3 may be replaced by the byte it replaced (kprobe removal,
 *      an aborted patch), or, if rule 2 applied, by a first byte that
 *      makes the whole window a legal form: text_poke_bp()'s last step;
 *   4. a store that changes nothing is allowed; everything else is denied.
 *
 * Legal forms: 5-byte NOP (0f 1f 44 00 00), JMP rel32 (e9), CALL rel32
 * (e8), static_call's RET (c3 cc cc cc cc) and return-0 (2e 2e 2e 31 c0),
 * and for 2-byte jump labels NOP2 (66 90) and JMP rel8 (eb).
 */
#include <hv/types.h>
#include <hv/x86.h>
#include <hv/spinlock.h>
#include "hv.h"
#include "gwalk.h"
#include "insn.h"
#include "textpatch.h"

struct int3_rec {
	u64 gpa;		/* the site */
	u64 next_page;		/* the window's rest, if it crosses a page; else 0 */
	u8 orig;		/* the byte the INT3 replaced */
	u8 form_len;		/* 5 or 2 if the window was a legal form, else 0 */
	u8 used;
};

/*
 * Where the kernel's own mapping of text lies: the kernel image and the
 * module area, both in the top 2 GiB (x86-64, 4- and 5-level paging).
 */
#define KERNEL_TEXT_VA_LO	0xffffffff80000000ULL
#define KERNEL_TEXT_VA_HI	0xffffffffffffffffULL

static struct {
	struct spinlock lock;
	struct int3_rec rec[TP_MAX_INT3];
	u64 allowed, denied;
} tp;

static const u8 nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
static const u8 ret5[5] = { 0xc3, 0xcc, 0xcc, 0xcc, 0xcc };
static const u8 xor5[5] = { 0x2e, 0x2e, 0x2e, 0x31, 0xc0 };

bool textpatch_legal_form(const u8 *w, u32 len)
{
	if (len == 2)
		return (w[0] == 0x66 && w[1] == 0x90) || w[0] == 0xeb;
	if (len != 5)
		return false;
	return w[0] == 0xe8 || w[0] == 0xe9 || !memcmp(w, nop5, 5) ||
	       !memcmp(w, ret5, 5) || !memcmp(w, xor5, 5);
}

/* Could w (avail bytes left before the end) start a site ftrace rewrites? */
static bool ftrace_form(const u8 *w, u64 avail)
{
	if (w[0] == 0xe8)
		return true;
	/* Most bytes are neither: no compare for them (this runs per byte). */
	if (w[0] != nop5[0])
		return false;
	return !memcmp(w, nop5, avail < sizeof(nop5) ? avail : sizeof(nop5));
}

void textpatch_scrub(u8 *p, u64 len)
{
	/*
	 * The first 4 bytes may end a window cut by the start of [p, p + len):
	 * a site that crosses into this page from the one the kernel maps
	 * before it, which is anywhere in physical memory (functions in
	 * .init.text and .text.unlikely are not aligned). Any 4 bytes can be
	 * a CALL's displacement, so they stay.
	 */
	u64 keep_below = sizeof(nop5) - 1;

	/*
	 * Windows are looked at before their first byte is scrubbed, and a
	 * window starting at i reads only bytes from i on: the union of all
	 * matching windows is kept, whatever the instruction boundaries, so
	 * a real site is never cut by a false match just before it.
	 */
	for (u64 i = 0; i < len; i++) {
		if (ftrace_form(p + i, len - i))
			keep_below = i + sizeof(nop5);
		if (i >= keep_below)
			p[i] = 0xcc;
	}
}

void textpatch_stats(u64 *allowed, u64 *denied)
{
	*allowed = READ_ONCE(tp.allowed);
	*denied = READ_ONCE(tp.denied);
}

#ifdef LVBS_HOST_TEST
void textpatch_reset(void)
{
	memset(&tp, 0, sizeof(tp));
}
#endif

/* ---- the store ---- */

struct store {
	u64 gva;		/* first byte written */
	u32 len;
	u8 bytes[TP_MAX_WRITE];
	u64 gpa[TP_MAX_WRITE];	/* where each byte goes */
};

/* Source bytes of a register store; AH..BH without REX for byte stores. */
static void reg_bytes(struct hv_cpu *c, const struct insn *in, u8 *out)
{
	u64 v;

	if (in->width == 1 && !in->rex && in->reg >= 4 && in->reg < 8)
		v = c->regs[in->reg - 4] >> 8;
	else
		v = c->regs[in->reg];
	for (u32 i = 0; i < in->width; i++)
		out[i] = (u8)(v >> (8 * i));
}

/* A REP count larger than this is not a store the kernel makes. */
#define DROP_MAX_ITER	(1ULL << 32)

/*
 * Where the store at RIP writes: its first byte and its length (a REP
 * string: every iteration still to run). -1 if it is not a plain store,
 * or one with a segment or address-size override.
 */
static int store_dest(struct hv_cpu *c, const struct insn *in, u64 *gva, u64 *len)
{
	u64 n = 1;

	if (in->lock || in->seg || in->addrsize)
		return -1;
	switch (in->op) {
	case INSN_MOV_STORE:
	case INSN_MOV_STORE_IMM:
		*gva = insn_mem_addr(in, c->regs, arch_rip(c) + in->len, 0, 0);
		break;
	case INSN_MOVS:
	case INSN_STOS:
		if (in->rep && in->rep != 0xf3)
			return -1;
		n = in->rep ? c->regs[REG_RCX] : 1;
		/* REP with RCX 0 writes nothing, so it cannot be what faulted. */
		if (n == 0 || n > DROP_MAX_ITER)
			return -1;
		*gva = c->regs[REG_RDI];
		break;
	default:
		return -1;
	}
	*len = n * in->width;
	return 0;
}

/*
 * Decode the store at RIP and collect what it writes: destination
 * (through the guest's page tables, which must allow the write) and bytes
 * (a MOVS source is read once, here). 0, or -1 if it is not a store we
 * emulate (STOS is only ever dropped, never a patch).
 */
static int collect_store(struct hv_cpu *c, const struct gwalk_ctx *w, struct insn *in,
			 struct store *s)
{
	u64 gva, len;

	if (vcpu_decode_at_rip(c, in) || store_dest(c, in, &gva, &len) || len > TP_MAX_WRITE)
		return -1;
	switch (in->op) {
	case INSN_MOV_STORE:
		reg_bytes(c, in, s->bytes);
		break;
	case INSN_MOV_STORE_IMM:
		for (u32 i = 0; i < in->width; i++)
			s->bytes[i] = (u8)((u64)in->imm >> (8 * i));
		break;
	case INSN_MOVS:
		if (gwalk_read(w, c->regs[REG_RSI], s->bytes, (u32)len))
			return -1;
		break;
	default:
		return -1;
	}
	s->gva = gva;
	s->len = (u32)len;
	for (u32 i = 0; i < s->len; i++) {
		u32 rights = 0;

		if (gwalk_translate(w, s->gva + i, &s->gpa[i], &rights) || !(rights & GW_W))
			return -1;
	}
	return 0;
}

/*
 * Finish the instruction for the guest: registers, then RIP. A string
 * instruction ends as if every iteration had run (DF = 0, which the
 * kernel's C code always runs with).
 */
static void retire_store(struct hv_cpu *c, const struct insn *in, u64 len)
{
	if (in->op == INSN_MOVS)
		c->regs[REG_RSI] += len;
	if (in->op == INSN_MOVS || in->op == INSN_STOS) {
		c->regs[REG_RDI] += len;
		if (in->rep)
			c->regs[REG_RCX] = 0;
	}
	vcpu_insn_done(c, arch_rip(c) + in->len);
}

/* ---- dropping a denied store ---- */

/* Does the guest page of gva (through its page tables) hold page? */
static bool maps_page(const struct gwalk_ctx *w, u64 gva, u64 page)
{
	u32 rights = 0;
	u64 gpa;

	return !gwalk_translate(w, gva, &gpa, &rights) &&
	       (gpa & ~(PAGE_SIZE - 1)) == page;
}

int store_drop_prepare(struct hv_cpu *c, u64 gpa, struct dropped_store *d)
{
	u64 page = gpa & ~(PAGE_SIZE - 1), last;
	struct gwalk_ctx w;

	if (vcpu_decode_at_rip(c, &d->in) || store_dest(c, &d->in, &d->gva, &d->len))
		return -1;
	/*
	 * It must be this instruction's store that faulted: the page of its
	 * first byte or of the next page it reaches (a store across a page
	 * boundary, or a fast string that faulted a little ahead of RDI).
	 */
	vcpu_guest_walker(c, &w);
	last = d->gva + MIN(d->len, (u64)PAGE_SIZE) - 1;
	if (maps_page(&w, d->gva, page))
		return 0;
	if ((last >> PAGE_SHIFT) != (d->gva >> PAGE_SHIFT) && maps_page(&w, last, page))
		return 0;
	return -1;
}

void store_drop_retire(struct hv_cpu *c, const struct dropped_store *d)
{
	retire_store(c, &d->in, d->len);
	vcpu_count_dropped_store(c);
}

/* ---- the rules ---- */

static struct int3_rec *find_rec(u64 gpa)
{
	for (u32 i = 0; i < TP_MAX_INT3; i++)
		if (tp.rec[i].used && tp.rec[i].gpa == gpa)
			return &tp.rec[i];
	return NULL;
}

/*
 * The physical page that follows the page of gpa in the kernel's own
 * executable mapping of text. text_poke() maps only the pages it writes,
 * at its poking address, so a site whose window crosses a page (one site
 * in a few hundred does) cannot be followed there: look the site's page
 * up in the kernel's mapping, which the poking mm shares, and take the
 * next page of that. Only executable mappings count (gwalk.h says why:
 * freed kernel-image memory stays mapped NX in the top 2 GiB and comes
 * back as module text). The page tables are the guest's word, as the
 * poking alias already is for every other site (docs/text-patching.md).
 */
static int next_page_of(const struct gwalk_ctx *w, u64 gpa, u64 *next)
{
	u32 rights = 0;
	u64 va;

	if (gwalk_find_exec_va(w, gpa, KERNEL_TEXT_VA_LO, KERNEL_TEXT_VA_HI, &va) ||
	    va > KERNEL_TEXT_VA_HI - PAGE_SIZE ||
	    gwalk_translate(w, va + PAGE_SIZE, next, &rights) || (rights & GW_NX))
		return -1;
	*next &= PAGE_MASK;
	return textpatch_gpa_patchable(*next) ? 0 : -1;
}

/*
 * The len bytes of the window at the site gpa, as they are now: from the
 * site's page, and past its end from *next (found and set if still 0).
 */
static int window(const struct gwalk_ctx *w, u64 gpa, u64 *next, u8 *buf, u32 len)
{
	for (u32 i = 0; i < len; i++) {
		u64 off = (gpa & (PAGE_SIZE - 1)) + i;

		if (off < PAGE_SIZE) {
			buf[i] = *(u8 *)gpa_ptr(gpa + i);
			continue;
		}
		if (!*next && next_page_of(w, gpa, next))
			return -1;
		buf[i] = *(u8 *)gpa_ptr(*next + off - PAGE_SIZE);
	}
	return 0;
}

static int rule_int3(const struct gwalk_ctx *w, const struct store *s)
{
	struct int3_rec *r = find_rec(s->gpa[0]);
	u8 win[5];

	/*
	 * The store changes the byte (validate() let unchanged stores
	 * through), so the INT3 a record for this byte remembers is gone:
	 * the record is stale, and is started again from what is there now.
	 */
	for (u32 i = 0; !r && i < TP_MAX_INT3; i++)
		if (!tp.rec[i].used)
			r = &tp.rec[i];
	if (r) {
		r->gpa = s->gpa[0];
		r->next_page = 0;
		r->orig = *(u8 *)gpa_ptr(s->gpa[0]);
		r->form_len = 0;
		if (!window(w, r->gpa, &r->next_page, win, 5) && textpatch_legal_form(win, 5))
			r->form_len = 5;
		else if (!window(w, r->gpa, &r->next_page, win, 2) && textpatch_legal_form(win, 2))
			r->form_len = 2;
		r->used = 1;
		return 0;
	}
	return -1;		/* table full: refuse rather than forget */
}

void textpatch_forget(u64 start, u64 end)
{
	spin_lock(&tp.lock);
	for (u32 i = 0; i < TP_MAX_INT3; i++) {
		struct int3_rec *r = &tp.rec[i];

		if (r->used && r->gpa >= start && r->gpa < end)
			r->used = 0;
	}
	spin_unlock(&tp.lock);
}

/*
 * The store stays inside r's window, onto the window's own pages, and r's
 * INT3 is still there.
 */
static bool tail_fits(const struct int3_rec *r, u32 k, const struct store *s)
{
	if (!r || !r->form_len || k + s->len > r->form_len || *(u8 *)gpa_ptr(r->gpa) != 0xcc)
		return false;
	for (u32 i = 0; i < s->len; i++) {
		u64 page = s->gpa[i] & PAGE_MASK;

		if (page != (r->gpa & PAGE_MASK) && page != r->next_page)
			return false;
	}
	return true;
}

/*
 * The site k bytes before a store that starts a page, whose window runs
 * onto this page: text_poke() mapped only this page, so the site is not at
 * gva - k but k bytes before the end of the page the record says comes
 * before this one.
 */
static struct int3_rec *find_rec_before_page(u64 page, u32 k)
{
	for (u32 i = 0; i < TP_MAX_INT3; i++) {
		struct int3_rec *r = &tp.rec[i];

		if (r->used && r->next_page == page && (r->gpa & (PAGE_SIZE - 1)) == PAGE_SIZE - k)
			return r;
	}
	return NULL;
}

/* Rule 2: the tail of a site whose first byte is a remembered INT3. */
static int rule_tail(const struct gwalk_ctx *w, const struct store *s)
{
	for (u32 k = 1; k < 5; k++) {
		u64 site;

		/* The site by physical address: each text_poke() maps it anew. */
		if (!gwalk_translate(w, s->gva - k, &site, NULL) && tail_fits(find_rec(site), k, s))
			return 0;
		if (!(s->gpa[0] & (PAGE_SIZE - 1)) &&
		    tail_fits(find_rec_before_page(s->gpa[0], k), k, s))
			return 0;
	}
	return -1;
}

/* Rule 3: the INT3 goes away. */
static int rule_head(const struct gwalk_ctx *w, const struct store *s)
{
	struct int3_rec *r = find_rec(s->gpa[0]);
	u8 win[5];

	if (!r || *(u8 *)gpa_ptr(s->gpa[0]) != 0xcc)
		return -1;
	if (s->bytes[0] != r->orig) {
		if (!r->form_len || window(w, r->gpa, &r->next_page, win, r->form_len))
			return -1;
		win[0] = s->bytes[0];
		if (!textpatch_legal_form(win, r->form_len))
			return -1;
	}
	r->used = 0;
	return 0;
}

static bool unchanged(const struct store *s)
{
	for (u32 i = 0; i < s->len; i++)
		if (*(u8 *)gpa_ptr(s->gpa[i]) != s->bytes[i])
			return false;
	return true;
}

static int validate(const struct gwalk_ctx *w, const struct store *s)
{
	if (unchanged(s))
		return 0;
	if (s->len == 1 && s->bytes[0] == 0xcc)
		return rule_int3(w, s);
	if (s->len == 1 && !rule_head(w, s))
		return 0;
	return rule_tail(w, s);
}

int textpatch_handle_write(struct hv_cpu *c, u64 gpa, bool audit)
{
	struct gwalk_ctx w;
	struct insn in;
	struct store s;
	bool hit = false;
	u64 le = 0;
	int r;

	vcpu_guest_walker(c, &w);
	if (collect_store(c, &w, &in, &s))
		return TP_UNHANDLED;
	for (u32 i = 0; i < s.len; i++) {
		if (!textpatch_gpa_patchable(s.gpa[i]))
			return TP_UNHANDLED;
		hit |= (s.gpa[i] & ~(PAGE_SIZE - 1)) == (gpa & ~(PAGE_SIZE - 1));
	}
	if (!hit)		/* not the store that faulted: let it fault again */
		return TP_UNHANDLED;
	spin_lock(&tp.lock);
	r = validate(&w, &s);
	if (!r || audit) {
		for (u32 i = 0; i < s.len; i++)
			*(volatile u8 *)gpa_ptr(s.gpa[i]) = s.bytes[i];
		tp.allowed += !r;
	} else {
		tp.denied++;
	}
	spin_unlock(&tp.lock);
	if (r) {
		for (u32 i = 0; i < s.len && i < 8; i++)
			le |= (u64)s.bytes[i] << (8 * i);
		hv_log_event(c, LVBS_EV_PATCH_DENIED, LVBS_ACC_WRITE,
			     audit ? LVBS_ACT_NONE : LVBS_ACT_IGNORED, s.gpa[0], le, s.len);
	}
	retire_store(c, &in, s.len);
	if (r && !audit) {
		vcpu_count_dropped_store(c);
		return TP_DROPPED;
	}
	return TP_DONE;
}
