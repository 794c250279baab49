// SPDX-License-Identifier: GPL-2.0
/*
 * Validated text patching (hv/core/textpatch.c) end to end over the fake
 * guest: a patchable text page mapped at TEXT_GVA, the patching code's
 * REP MOVSB at CODE_GVA copying from a source buffer, and the nested page
 * fault handler deciding. text_poke_bp()'s three steps must pass, other
 * writes must not: nothing is written when a store is refused, and the
 * store is dropped (retired unwritten) rather than faulted.
 */
#include <string.h>
#include <hv/types.h>
#include <hv/x86.h>
#include "core/hv.h"
#include "core/textpatch.h"
#include "stub_arch.h"
#include "test.h"

#define TEXT_GVA	0x00007f0000001000ULL	/* a poking_mm-like user address */
#define SRC_GVA		0xffff888000100000ULL
#define SITE		0x100

static const u8 rep_movsb[] = { 0xf3, 0xa4 };
static const u8 nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
static const u8 jmp5[5] = { 0xe9, 0x11, 0x22, 0x33, 0x00 };

static u8 *text(void)
{
	return guest.ram + (1u << 20);
}

/* npages of text() made patchable kernel code, then SEAL. */
static void protect_text(u32 npages)
{
	struct lvbs_mem_prot e = {
		.gpa = (u64)text(), .size = (u64)npages * PAGE_SIZE, .owner = LVBS_OWNER_KERNEL,
		.perm = LVBS_PERM_R | LVBS_PERM_XS | LVBS_PERM_IMMUTABLE | LVBS_PERM_PATCHABLE,
	};
	u32 applied;

	CHECK_EQ(slat_protect(hv_cpu_of(0), &e, 1, &applied), LVBS_OK);
	CHECK_EQ(slat_seal(hv_cpu_of(0), 0, 0, 0), LVBS_OK);
}

static void setup(void)
{
	stub_reset();
	memset(text(), 0x90, PAGE_SIZE);
	memcpy(text() + SITE, nop5, 5);
	guest_map(TEXT_GVA, (u64)text());
	guest_map(SRC_GVA, (u64)guest.ram + DATA_PAGE_OFF);
	protect_text(1);
}

/* memcpy(TEXT_GVA + off, bytes, n) by REP MOVSB, faulting into the hypervisor. */
static void poke(u32 off, const u8 *bytes, u32 n)
{
	struct hv_cpu *c = hv_cpu_of(0);

	memcpy(guest.ram + DATA_PAGE_OFF, bytes, n);
	guest_code(0, rep_movsb, sizeof(rep_movsb));
	c->regs[REG_RSI] = SRC_GVA;
	c->regs[REG_RDI] = TEXT_GVA + off;
	c->regs[REG_RCX] = n;
	slat_handle_npf(c, (u64)text() + off, LVBS_ACC_WRITE);
}

static void expect_done(u32 injected)
{
	CHECK_EQ(fake[0].injected, injected);
	CHECK_EQ(fake[0].rip, CODE_GVA + sizeof(rep_movsb));
	CHECK_EQ(hv_cpu_of(0)->regs[REG_RCX], 0);
}

TEST(textpatch_text_poke_bp_nop_to_jmp_and_back)
{
	u64 a, d;

	setup();
	poke(SITE, (const u8[]){ 0xcc }, 1);
	expect_done(0);
	CHECK_EQ(text()[SITE], 0xcc);
	CHECK_EQ(hv_cpu_of(0)->regs[REG_RSI], SRC_GVA + 1);
	poke(SITE + 1, jmp5 + 1, 4);
	expect_done(0);
	poke(SITE, jmp5, 1);
	expect_done(0);
	CHECK(!memcmp(text() + SITE, jmp5, 5));
	/* And back to the NOP, the same three steps. */
	poke(SITE, (const u8[]){ 0xcc }, 1);
	poke(SITE + 1, nop5 + 1, 4);
	poke(SITE, nop5, 1);
	expect_done(0);
	CHECK(!memcmp(text() + SITE, nop5, 5));
	textpatch_stats(&a, &d);
	CHECK_EQ(a, 6);
	CHECK_EQ(d, 0);
	CHECK_EQ(hv.slat_state.violations, 0);
}

/*
 * A refused store: nothing written, no exception, the REP MOVSB retired as
 * if it had run (the kernel goes on with the old bytes), logged as kind
 * with action ignored, and counted as dropped.
 */
static void expect_dropped(u32 dropped, u32 kind)
{
	expect_done(0);
	CHECK_EQ(hv_cpu_of(0)->stores_dropped, dropped);
	CHECK_EQ(hv.slat_state.stores_dropped, dropped);
	CHECK_EQ(last_event()->kind, kind);
	CHECK_EQ(last_event()->action, LVBS_ACT_IGNORED);
	CHECK_EQ(last_event()->rip, CODE_GVA);
}

TEST(textpatch_refuses_what_is_not_a_patch)
{
	static const u8 evil[5] = { 0x48, 0x31, 0xc0, 0xc3, 0x90 };
	u64 a, d;

	setup();
	/* Arbitrary code, in one go: refused, nothing written, dropped. */
	poke(SITE, evil, 5);
	expect_dropped(1, LVBS_EV_PATCH_DENIED);
	CHECK_EQ(hv_cpu_of(0)->regs[REG_RSI], SRC_GVA + 5);
	CHECK_EQ(hv_cpu_of(0)->regs[REG_RDI], TEXT_GVA + SITE + 5);
	CHECK(!memcmp(text() + SITE, nop5, 5));
	CHECK_EQ(last_event()->info1, 5);
	CHECK_EQ(last_event()->info0 & 0xff, 0x48);
	/* A JMP tail without the INT3 first. */
	poke(SITE + 1, jmp5 + 1, 4);
	expect_dropped(2, LVBS_EV_PATCH_DENIED);
	/* An INT3 over an ordinary instruction (a kprobe): allowed ... */
	poke(0x200, (const u8[]){ 0xcc }, 1);
	expect_done(0);
	CHECK_EQ(hv_cpu_of(0)->stores_dropped, 2);
	/* ... but no tail after it: 0x90 0x90 ... was not a patch form. */
	poke(0x201, jmp5 + 1, 4);
	expect_dropped(3, LVBS_EV_PATCH_DENIED);
	CHECK_EQ(text()[0x201], 0x90);
	/* Only the byte it replaced may come back, not another opcode. */
	poke(0x200, (const u8[]){ 0xe9 }, 1);
	expect_dropped(4, LVBS_EV_PATCH_DENIED);
	CHECK_EQ(text()[0x200], 0xcc);
	poke(0x200, (const u8[]){ 0x90 }, 1);
	CHECK_EQ(hv_cpu_of(0)->stores_dropped, 4);
	CHECK_EQ(text()[0x200], 0x90);
	/* A store that changes nothing is fine. */
	poke(0x300, (const u8[]){ 0x90, 0x90 }, 2);
	CHECK_EQ(hv_cpu_of(0)->stores_dropped, 4);
	CHECK_EQ(fake[0].injected, 0);
	textpatch_stats(&a, &d);
	CHECK_EQ(d, 4);
	CHECK_EQ(hv.slat_state.violations, 4);
}

TEST(textpatch_store_leaving_patchable_code_is_a_violation)
{
	setup();
	/* Bytes 0xffe..0x1001: the second page is not patchable (not even mapped). */
	poke(PAGE_SIZE - 2, (const u8[]){ 0x90, 0x90, 0x90 }, 3);
	expect_dropped(1, LVBS_EV_MEM_VIOLATION);
	CHECK_EQ(last_event()->gva, TEXT_GVA + PAGE_SIZE - 2);
	CHECK_EQ(text()[PAGE_SIZE - 1], 0x90);
	/* Too long to be a patch: not emulated, but still dropped whole. */
	{
		u8 big[TP_MAX_WRITE + 8];

		memset(big, 0xcc, sizeof(big));
		poke(0x400, big, sizeof(big));
		expect_dropped(2, LVBS_EV_MEM_VIOLATION);
		CHECK_EQ(text()[0x400], 0x90);
		CHECK_EQ(hv_cpu_of(0)->regs[REG_RDI], TEXT_GVA + 0x400 + sizeof(big));
	}
}

/*
 * What is not a plain store keeps #GP: a read-modify-write, a store that
 * is not the one that faulted, and a user-mode store.
 */
TEST(textpatch_what_cannot_be_dropped_faults)
{
	static const u8 or_m8[] = { 0x08, 0x07 };	/* or %al,(%rdi) */
	struct hv_cpu *c = hv_cpu_of(0);

	setup();
	guest_code(0, or_m8, sizeof(or_m8));
	c->regs[REG_RDI] = TEXT_GVA + 0x10;
	slat_handle_npf(c, (u64)text() + 0x10, LVBS_ACC_WRITE);
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(last_event()->action, LVBS_ACT_INJECT_GP);
	/* A REP MOVSB whose destination is elsewhere did not make this fault. */
	guest_code(0, rep_movsb, sizeof(rep_movsb));
	c->regs[REG_RSI] = SRC_GVA;
	c->regs[REG_RDI] = SRC_GVA;
	c->regs[REG_RCX] = 4;
	slat_handle_npf(c, (u64)text() + 0x10, LVBS_ACC_WRITE);
	CHECK_EQ(fake[0].injected, 2);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	/* User mode: #GP (the kernel turns it into SIGSEGV). */
	c->regs[REG_RDI] = TEXT_GVA + 0x10;
	slat_handle_npf(c, (u64)text() + 0x10, LVBS_ACC_WRITE | LVBS_ACC_USER);
	CHECK_EQ(fake[0].injected, 3);
	CHECK_EQ(c->stores_dropped, 0);
	CHECK_EQ(text()[0x10], 0x90);
}

TEST(textpatch_legal_forms)
{
	CHECK(textpatch_legal_form((const u8[]){ 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 5));
	CHECK(textpatch_legal_form((const u8[]){ 0xe8, 1, 2, 3, 4 }, 5));
	CHECK(textpatch_legal_form((const u8[]){ 0xc3, 0xcc, 0xcc, 0xcc, 0xcc }, 5));
	CHECK(textpatch_legal_form((const u8[]){ 0x2e, 0x2e, 0x2e, 0x31, 0xc0 }, 5));
	CHECK(textpatch_legal_form((const u8[]){ 0x66, 0x90 }, 2));
	CHECK(textpatch_legal_form((const u8[]){ 0xeb, 0x10 }, 2));
	CHECK(!textpatch_legal_form((const u8[]){ 0x0f, 0x1f, 0x44, 0x00, 0x01 }, 5));
	CHECK(!textpatch_legal_form((const u8[]){ 0xc3, 0x90, 0xcc, 0xcc, 0xcc }, 5));
	CHECK(!textpatch_legal_form((const u8[]){ 0x90, 0x90 }, 2));
	CHECK(!textpatch_legal_form((const u8[]){ 0xe9, 0, 0, 0 }, 4));
}

/*
 * Released code: INT3 everywhere but where the function tracer may still
 * check and rewrite a site (ftracemod, the VM scenario, is the race).
 */
TEST(textpatch_scrub_keeps_tracer_sites)
{
	static const u8 nop[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	static const u8 call[5] = { 0xe8, 0xfb, 0xbf, 0xff, 0xff };
	u8 b[64], want[64];

	memset(b, 0x55, sizeof(b));
	memcpy(b + 16, nop, 5);			/* a site, tracing off */
	memcpy(b + 32, call, 5);		/* a site, traced */
	b[30] = 0xe8;				/* a false match overlapping it */
	memcpy(b + 61, call, 3);		/* a window cut by the end */
	memset(want, 0xcc, sizeof(want));
	memset(want, 0x55, 4);			/* may end a window cut by the start */
	memcpy(want + 16, nop, 5);
	memcpy(want + 30, b + 30, 7);
	memcpy(want + 61, call, 3);
	textpatch_scrub(b, sizeof(b));
	CHECK(!memcmp(b, want, sizeof(want)));

	/* A NOP5 prefix at the end stays; a near miss does not. */
	memset(b, 0x55, 12);
	memcpy(b + 8, nop, 4);
	b[9] = 0x1e;
	textpatch_scrub(b, 12);
	CHECK_EQ(b[8], 0xcc);
	memcpy(b + 8, nop, 4);
	textpatch_scrub(b, 12);
	CHECK(!memcmp(b + 8, nop, 4));
	CHECK_EQ(b[7], 0xcc);
	/* Tiny ranges: nothing to do but keep what may end a window. */
	b[0] = 0x55;
	textpatch_scrub(b, 1);
	CHECK_EQ(b[0], 0x55);
	textpatch_scrub(b, 0);
}

/*
 * A site whose window crosses a page (found by the end-to-end test in
 * kvm.ko): the site is the last byte of page A, the rest of its window is
 * on the page the kernel maps after A, here C (not the physically next
 * page B). text_poke() maps only the page it writes, each time at the
 * same poking address.
 */
#define KERNEL_SITE_VA	0xffffffffc0201000ULL

static u64 page_n(u32 n)
{
	return (u64)text() + (u64)n * PAGE_SIZE;
}

static void setup_straddle(void)
{
	stub_reset();
	memset(text(), 0x90, 3 * PAGE_SIZE);
	text()[PAGE_SIZE - 1] = nop5[0];			/* A's last byte */
	memcpy((u8 *)page_n(2), nop5 + 1, 4);			/* C's first four */
	guest_map(KERNEL_SITE_VA, page_n(0));
	guest_map(KERNEL_SITE_VA + PAGE_SIZE, page_n(2));
	guest_map(SRC_GVA, (u64)guest.ram + DATA_PAGE_OFF);
	protect_text(3);
}

/* text_poke() of n bytes at offset off of the page at gpa page. */
static void poke_page(u64 page, u32 off, const u8 *bytes, u32 n)
{
	struct hv_cpu *c = hv_cpu_of(0);

	guest_map(TEXT_GVA, page);
	memcpy(guest.ram + DATA_PAGE_OFF, bytes, n);
	guest_code(0, rep_movsb, sizeof(rep_movsb));
	c->regs[REG_RSI] = SRC_GVA;
	c->regs[REG_RDI] = TEXT_GVA + off;
	c->regs[REG_RCX] = n;
	slat_handle_npf(c, page + off, LVBS_ACC_WRITE);
}

/* text_poke_bp() of form at A's last byte, its tail on the page at next. */
static void patch_across(u64 next, const u8 *form)
{
	poke_page(page_n(0), PAGE_SIZE - 1, (const u8[]){ 0xcc }, 1);
	poke_page(next, 0, form + 1, 4);
	poke_page(page_n(0), PAGE_SIZE - 1, form, 1);
}

/* patch_across() of JMP onto the page at next, all three steps allowed. */
static void expect_jmp_across(u64 next)
{
	u64 a, d;

	patch_across(next, jmp5);
	CHECK_EQ(text()[PAGE_SIZE - 1], jmp5[0]);
	CHECK(!memcmp((u8 *)next, jmp5 + 1, 4));
	textpatch_stats(&a, &d);
	CHECK_EQ(a, 3);
	CHECK_EQ(d, 0);
}

TEST(textpatch_site_across_a_page)
{
	u64 a, d;

	setup_straddle();
	expect_jmp_across(page_n(2));
	CHECK_EQ(((u8 *)page_n(1))[0], 0x90);			/* B untouched */
	/* And back to the NOP. */
	patch_across(page_n(2), nop5);
	CHECK_EQ(text()[PAGE_SIZE - 1], nop5[0]);
	CHECK(!memcmp((u8 *)page_n(2), nop5 + 1, 4));
	textpatch_stats(&a, &d);
	CHECK_EQ(d, 0);
}

/* The tail onto any other page than the one the kernel maps next: refused. */
TEST(textpatch_site_across_a_page_wrong_page)
{
	u64 a, d;

	setup_straddle();
	poke_page(page_n(0), PAGE_SIZE - 1, (const u8[]){ 0xcc }, 1);
	poke_page(page_n(1), 0, jmp5 + 1, 4);
	CHECK_EQ(((u8 *)page_n(1))[0], 0x90);
	textpatch_stats(&a, &d);
	CHECK_EQ(d, 1);
	/* A page mapped twice in the kernel's range is no successor at all. */
	setup_straddle();
	guest_map(KERNEL_SITE_VA + 16 * PAGE_SIZE, page_n(0));
	poke_page(page_n(0), PAGE_SIZE - 1, (const u8[]){ 0xcc }, 1);
	poke_page(page_n(2), 0, jmp5 + 1, 4);
	CHECK(!memcmp((u8 *)page_n(2), nop5 + 1, 4));
	textpatch_stats(&a, &d);
	CHECK_EQ(d, 1);
}

/*
 * The site two bytes before the end of A: the tail is one store across
 * the page, which text_poke() maps as two consecutive pages (A, then C).
 */
TEST(textpatch_site_across_a_page_tail_across)
{
	struct hv_cpu *c = hv_cpu_of(0);
	u64 a, d;

	setup_straddle();
	memcpy(text() + PAGE_SIZE - 2, nop5, 2);
	memcpy((u8 *)page_n(2), nop5 + 2, 3);
	poke_page(page_n(0), PAGE_SIZE - 2, (const u8[]){ 0xcc }, 1);
	/* The tail: bytes 1..4, from A's last byte onto C. */
	guest_map(TEXT_GVA, page_n(0));
	guest_map(TEXT_GVA + PAGE_SIZE, page_n(2));
	memcpy(guest.ram + DATA_PAGE_OFF, jmp5 + 1, 4);
	guest_code(0, rep_movsb, sizeof(rep_movsb));
	c->regs[REG_RSI] = SRC_GVA;
	c->regs[REG_RDI] = TEXT_GVA + PAGE_SIZE - 1;
	c->regs[REG_RCX] = 4;
	slat_handle_npf(c, page_n(0) + PAGE_SIZE - 1, LVBS_ACC_WRITE);
	poke_page(page_n(0), PAGE_SIZE - 2, jmp5, 1);
	CHECK(!memcmp(text() + PAGE_SIZE - 2, jmp5, 2));
	CHECK(!memcmp((u8 *)page_n(2), jmp5 + 2, 3));
	textpatch_stats(&a, &d);
	CHECK_EQ(a, 3);
	CHECK_EQ(d, 0);
}

/*
 * The same with the text in a 2 MiB mapping (the kernel image's text is
 * mapped so; module text is too on kernels with an execmem ROX cache,
 * 6.14 on): the site's page is found inside the large leaf, and the page
 * after it is the next 4 KiB of the same leaf.
 */
#define KERNEL_2M_VA	0xffffffffc0400000ULL

/* The entry for va in the fake guest's table of level (1: PT, 2: PD). */
static u64 *guest_entry(u64 va, int level)
{
	u64 *t = (u64 *)guest.cr3;

	for (int lvl = 4; lvl > level; lvl--)
		t = (u64 *)(t[(va >> (12 + 9 * (lvl - 1))) & 511] & 0x000ffffffffff000ULL);
	return &t[(va >> (12 + 9 * (level - 1))) & 511];
}

/* Map the 2 MiB of guest RAM at guest.ram at va with one PMD leaf. */
static void guest_map_2m(u64 va)
{
	guest_map(va, (u64)guest.ram);		/* builds the tables down to a PT */
	*guest_entry(va, 2) = (u64)guest.ram | 0x83;	/* present, writable, PS */
}

TEST(textpatch_site_across_a_page_in_a_2m_mapping)
{
	stub_reset();
	memset(text(), 0x90, 3 * PAGE_SIZE);
	text()[PAGE_SIZE - 1] = nop5[0];
	memcpy((u8 *)page_n(1), nop5 + 1, 4);	/* physically next: the leaf's next page */
	guest_map_2m(KERNEL_2M_VA);
	guest_map(SRC_GVA, (u64)guest.ram + DATA_PAGE_OFF);
	protect_text(3);
	expect_jmp_across(page_n(1));
}

/*
 * The 6.12 e2e refusal: the site's page is also mapped, NX, at its old
 * address in the kernel image's high mapping. Linux leaves that mapping
 * of the init memory and section gaps it frees at boot in place when PTI
 * is off (free_init_pages() makes it NX), and
 * the page allocator hands those pages out again, here as module text.
 * The alias cannot run code, so it is not the kernel's mapping of text:
 * the site is found at its one executable address.
 */
#define FREED_INIT_VA	0xffffffff83e00000ULL

static void map_nx_alias(u64 va, u64 gpa)
{
	guest_map(va, gpa);
	*guest_entry(va, 1) |= 1ULL << 63;	/* NX, as free_init_pages() leaves it */
}

TEST(textpatch_site_across_a_page_with_a_freed_init_alias)
{
	u64 a, d;

	setup_straddle();
	map_nx_alias(FREED_INIT_VA, page_n(0));
	map_nx_alias(FREED_INIT_VA + PAGE_SIZE, page_n(1));
	expect_jmp_across(page_n(2));
	/* An executable second mapping is still no answer at all. */
	setup_straddle();
	guest_map(FREED_INIT_VA, page_n(0));
	patch_across(page_n(2), jmp5);
	CHECK(!memcmp((u8 *)page_n(2), nop5 + 1, 4));
	textpatch_stats(&a, &d);
	CHECK_EQ(d, 2);				/* the tail and the head */
	/* Nor is a successor the kernel maps NX. */
	setup_straddle();
	map_nx_alias(KERNEL_SITE_VA + PAGE_SIZE, page_n(2));
	patch_across(page_n(2), jmp5);
	CHECK(!memcmp((u8 *)page_n(2), nop5 + 1, 4));
	textpatch_stats(&a, &d);
	CHECK_EQ(d, 2);
}

/*
 * An INT3 whose site stopped being text behind the hypervisor's back (a
 * kprobe left armed on a module that was unloaded): the page comes back
 * as a new module's text with a NOP5 at the same byte, and text_poke_bp()
 * there must work. The record of the old INT3 (over a byte that started
 * no patch form) must not stand in for the new one.
 */
#define MOD_OWNER	(LVBS_OWNER_MODULE_MIN + 3)

static void protect_module_text(u32 owner)
{
	struct lvbs_mem_prot e = {
		.gpa = (u64)text(), .size = PAGE_SIZE, .owner = owner,
		.perm = LVBS_PERM_R | LVBS_PERM_XS | LVBS_PERM_IMMUTABLE | LVBS_PERM_PATCHABLE,
	};
	u32 applied;

	slat_authorize_owner(owner);
	CHECK_EQ(slat_protect(hv_cpu_of(0), &e, 1, &applied), LVBS_OK);
}

static void text_poke_bp(u32 off, const u8 *form)
{
	poke(off, (const u8[]){ 0xcc }, 1);
	poke(off + 1, form + 1, 4);
	poke(off, form, 1);
}

TEST(textpatch_int3_left_on_released_text)
{
	u64 pages, a, d;

	stub_reset();
	memset(text(), 0x90, PAGE_SIZE);
	guest_map(TEXT_GVA, (u64)text());
	guest_map(SRC_GVA, (u64)guest.ram + DATA_PAGE_OFF);
	CHECK_EQ(slat_seal(hv_cpu_of(0), 0, 0, 0), LVBS_OK);
	protect_module_text(MOD_OWNER);
	poke(SITE, (const u8[]){ 0xcc }, 1);	/* the kprobe, never removed */
	CHECK_EQ(text()[SITE], 0xcc);
	CHECK_EQ(slat_release(hv_cpu_of(0), MOD_OWNER, &pages), LVBS_OK);
	/* The kernel reuses the page for the next module's text. */
	memset(text(), 0x90, PAGE_SIZE);
	memcpy(text() + SITE, nop5, 5);
	protect_module_text(MOD_OWNER + 1);
	text_poke_bp(SITE, jmp5);
	CHECK(!memcmp(text() + SITE, jmp5, 5));
	textpatch_stats(&a, &d);
	CHECK_EQ(d, 0);
}

/*
 * The same when the byte changed without a release the hypervisor saw:
 * a new INT3 over a byte that is not 0xcc means the remembered one is
 * gone, and the record starts again from what is there now.
 */
TEST(textpatch_stale_int3_record_starts_again)
{
	u64 a, d;

	setup();
	memset(text() + SITE, 0x90, 5);
	poke(SITE, (const u8[]){ 0xcc }, 1);	/* over no patch form */
	memcpy(text() + SITE, nop5, 5);		/* changed behind the record */
	text_poke_bp(SITE, jmp5);
	CHECK(!memcmp(text() + SITE, jmp5, 5));
	textpatch_stats(&a, &d);
	CHECK_EQ(d, 0);
}
