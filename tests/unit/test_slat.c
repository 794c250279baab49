// SPDX-License-Identifier: GPL-2.0
/*
 * Memory protection (hv/core/slat.c) over the fake backend: the rules of
 * PROTECT_MEMORY before and after SEAL, RELEASE_MEMORY, rights given on
 * first use, audit versus enforce, the confused-deputy check on hypercall
 * output, and that every tightening kicks and waits for the other CPU.
 * The SLAT itself is checked with pt_lookup(): the database saying the
 * right thing is not enough.
 */
#include <string.h>
#include <hv/types.h>
#include <hv/x86.h>
#include "core/hv.h"
#include "stub_arch.h"
#include "test.h"

#define R	LVBS_PERM_R
#define W	LVBS_PERM_W
#define XS	LVBS_PERM_XS
#define XU	LVBS_PERM_XU
#define IMM	LVBS_PERM_IMMUTABLE
#define PATCH	LVBS_PERM_PATCHABLE
#define MOD	(LVBS_OWNER_MODULE_MIN + 7)

static struct hv_cpu *cpu0(void)
{
	return hv_cpu_of(0);
}

/* A page of fake guest RAM well away from the page tables and code pages. */
static u64 ram(u64 page)
{
	return (u64)guest.ram + (1u << 20) + page * PAGE_SIZE;
}

static u32 slat_perm(u64 gpa)
{
	u32 perm = 0;

	if (pt_lookup(&hv.slat, gpa, NULL, &perm, NULL))
		return 0;
	/* NPT without GMET has one execute bit: reported as PT_XS, means both. */
	return (perm & PT_XS) ? perm | PT_X : perm;
}

static long protect1(u64 gpa, u64 size, u32 perm, u32 owner, u32 *applied)
{
	struct lvbs_mem_prot e = { .gpa = gpa, .size = size, .perm = perm, .owner = owner };
	u32 dummy;

	return slat_protect(cpu0(), &e, 1, applied ? applied : &dummy);
}

static const struct lvbs_log_entry *ev(void)
{
	static const struct lvbs_log_entry none;
	const struct lvbs_log_entry *e = last_event();

	CHECK(e);
	return e ? e : &none;
}

TEST(slat_protect_tightens_and_shoots_down)
{
	stub_reset();
	CHECK_EQ(slat_perm(ram(0)), PT_R | PT_W | PT_X);
	CHECK_EQ(protect1(ram(0), 2 * PAGE_SIZE, R | XS | IMM | PATCH, LVBS_OWNER_KERNEL, NULL),
		 LVBS_OK);
	CHECK_EQ(slat_perm(ram(0)), PT_R | PT_X);
	CHECK_EQ(slat_perm(ram(1)), PT_R | PT_X);
	CHECK_EQ(slat_perm(ram(2)), PT_R | PT_W | PT_X);
	/* The other CPU was kicked once and acked; the caller flushes too. */
	CHECK_EQ(fake[1].nmis_sent, 1);
	CHECK_EQ(fake[1].nmis_injected, 0);
	CHECK_EQ(hv_cpu_of(1)->slat_ack, hv.slat_state.gen);
	CHECK_EQ(cpu0()->slat_ack, hv.slat_state.gen);
	CHECK_EQ(fake[0].tlb_flushes, 1);
	CHECK_EQ(fake[1].tlb_flushes, 1);
	CHECK_EQ(hv.slat_state.shootdowns, 1);
	CHECK_EQ(textpatch_gpa_patchable(ram(1)), true);
	CHECK_EQ(textpatch_gpa_patchable(ram(2)), false);

	/* Loosening needs no shootdown: a stale stricter entry just faults. */
	CHECK_EQ(protect1(ram(4), PAGE_SIZE, R, LVBS_OWNER_KERNEL, NULL), LVBS_OK);
	CHECK_EQ(fake[1].nmis_sent, 2);
	CHECK_EQ(protect1(ram(4), PAGE_SIZE, R | W, LVBS_OWNER_KERNEL, NULL), LVBS_OK);
	CHECK_EQ(fake[1].nmis_sent, 2);
	CHECK_EQ(slat_perm(ram(4)), PT_R | PT_W);
}

TEST(slat_protect_refuses_bad_entries)
{
	u32 applied;

	stub_reset();
	CHECK_EQ(protect1(ram(0) + 8, PAGE_SIZE, R, 1, NULL), LVBS_E_ALIGN);
	CHECK_EQ(protect1(ram(0), 100, R, 1, NULL), LVBS_E_ALIGN);
	CHECK_EQ(protect1(ram(0), 0, R, 1, NULL), LVBS_E_RANGE);
	CHECK_EQ(protect1(~0ULL & ~0xfffULL, 2 * PAGE_SIZE, R, 1, NULL), LVBS_E_RANGE);
	CHECK_EQ(protect1(hv.hv_phys, PAGE_SIZE, R, 1, NULL), LVBS_E_RANGE);
	CHECK_EQ(protect1(hv.hv_phys - PAGE_SIZE, 2 * PAGE_SIZE, R, 1, NULL), LVBS_E_RANGE);
	/* Not RAM (below the fake RAM): MMIO is not the guest's to protect. */
	CHECK_EQ(protect1(0x1000, PAGE_SIZE, R, 1, NULL), LVBS_E_RANGE);
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, W, 1, NULL), LVBS_E_INVAL);
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R | W | XS | PATCH, 1, NULL), LVBS_E_INVAL);
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R | PATCH, 1, NULL), LVBS_E_INVAL);
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R | (1u << 12), 1, NULL), LVBS_E_INVAL);
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R, OWNER_HV, NULL), LVBS_E_INVAL);
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R, 15, NULL), LVBS_E_INVAL);
	{
		struct lvbs_mem_prot e = { .gpa = ram(0), .size = PAGE_SIZE, .perm = R,
					   .owner = 1, .reserved = 1 };

		CHECK_EQ(slat_protect(cpu0(), &e, 1, &applied), LVBS_E_INVAL);
	}
	CHECK_EQ(ev()->kind, LVBS_EV_PROT_DENIED);
	CHECK_EQ(slat_perm(ram(0)), PT_R | PT_W | PT_X);
	CHECK_EQ(fake[1].nmis_sent, 0);
}

TEST(slat_batch_stops_at_first_failure)
{
	struct lvbs_mem_prot v[3] = {
		{ .gpa = ram(0), .size = PAGE_SIZE, .perm = R | IMM, .owner = 1 },
		{ .gpa = ram(0), .size = PAGE_SIZE, .perm = R | W, .owner = 1 },
		{ .gpa = ram(1), .size = PAGE_SIZE, .perm = R, .owner = 1 },
	};
	u32 applied = 99;

	stub_reset();
	CHECK_EQ(slat_protect(cpu0(), v, 3, &applied), LVBS_E_PERM);
	CHECK_EQ(applied, 1);
	CHECK_EQ(slat_perm(ram(0)), PT_R);
	CHECK_EQ(slat_perm(ram(1)), PT_R | PT_W | PT_X);
	CHECK_EQ(ev()->kind, LVBS_EV_PROT_DENIED);
	CHECK_EQ(ev()->gpa, ram(0));
	CHECK_EQ(ev()->info1, (u64)LVBS_E_PERM);
	/* The first entry tightened: the shootdown still happened. */
	CHECK_EQ(fake[1].nmis_sent, 1);
}

TEST(slat_sealed_rules)
{
	u32 before;
	u64 pages;

	stub_reset();
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R | XS | IMM | PATCH, LVBS_OWNER_KERNEL, NULL), 0);
	CHECK_EQ(protect1(ram(1), PAGE_SIZE, R | W, LVBS_OWNER_KERNEL, NULL), 0);
	CHECK_EQ(protect1(ram(6), PAGE_SIZE, R | XS, LVBS_OWNER_KERNEL, NULL), 0);
	CHECK_EQ(slat_seal(cpu0(), LVBS_SEAL_EXEC_NX, 0xffffffffc0000000ULL, 0xffffffffff000000ULL), 0);
	CHECK_EQ(ev()->kind, LVBS_EV_SEAL);
	CHECK_EQ(ev()->info0, LVBS_EXEC_NX_FALLBACK);
	CHECK_EQ(hv.slat_state.exec, LVBS_EXEC_NX_FALLBACK);
	CHECK_EQ(slat_seal(cpu0(), 0, 0, 0), LVBS_E_PERM);

	/* Immutable: nothing, not even the same owner. */
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R, LVBS_OWNER_KERNEL, NULL), LVBS_E_PERM);
	/* Kernel data: tighten yes, loosen no, hand to a module no. */
	CHECK_EQ(protect1(ram(1), PAGE_SIZE, R | W | XS, LVBS_OWNER_KERNEL, NULL), LVBS_E_PERM);
	CHECK_EQ(protect1(ram(1), PAGE_SIZE, R | XS, MOD, NULL), LVBS_E_PERM);
	CHECK_EQ(protect1(ram(1), PAGE_SIZE, R, LVBS_OWNER_KERNEL, NULL), LVBS_OK);
	CHECK_EQ(protect1(ram(1), PAGE_SIZE, R | W, LVBS_OWNER_KERNEL, NULL), LVBS_E_PERM);
	CHECK_EQ(slat_perm(ram(1)), PT_R);
	/* Code that is not patchable cannot become patchable after SEAL. */
	CHECK_EQ(protect1(ram(6), PAGE_SIZE, R | XS | PATCH, LVBS_OWNER_KERNEL, NULL),
		 LVBS_E_PERM);
	CHECK_EQ(protect1(ram(6), PAGE_SIZE, R | XS, LVBS_OWNER_KERNEL, NULL), LVBS_OK);

	/* A new module takes memory nobody owns: text, rodata, data only. */
	CHECK_EQ(protect1(ram(2), PAGE_SIZE, R | W | XS, MOD, NULL), LVBS_E_PERM);
	/* Its text only once a verified module check authorized the owner. */
	before = slat_perm(ram(2));
	CHECK_EQ(protect1(ram(2), PAGE_SIZE, R | XS | IMM | PATCH, MOD, NULL), LVBS_E_PERM);
	CHECK_EQ(slat_perm(ram(2)), before);
	slat_authorize_owner(MOD);
	CHECK_EQ(protect1(ram(2), PAGE_SIZE, R | XS | IMM | PATCH, MOD, NULL), LVBS_OK);
	CHECK_EQ(protect1(ram(3), PAGE_SIZE, R | IMM, MOD, NULL), LVBS_OK);
	CHECK_EQ(protect1(ram(4), PAGE_SIZE, R | W, MOD, NULL), LVBS_OK);
	/* Execute withheld until MODULE_COMPARE finds it the file's (test_modcmp.c). */
	CHECK_EQ(slat_perm(ram(2)), PT_R);
	CHECK(perm_lookup(&hv.slat_state.db, ram(2)) & PERM_WITHHELD);
	CHECK_EQ(slat_perm(ram(4)), PT_R | PT_W);
	/* Another module cannot take it over. */
	CHECK_EQ(protect1(ram(4), PAGE_SIZE, R, MOD + 1, NULL), LVBS_E_PERM);
	/* Its ro_after_init tightens by the same owner. */
	CHECK_EQ(protect1(ram(4), PAGE_SIZE, R, MOD, NULL), LVBS_OK);

	/* Unload: everything goes back to nobody, R|W and not executable. */
	memset((void *)ram(2), 0x90, PAGE_SIZE);
	memset((void *)ram(3), 0x5a, PAGE_SIZE);
	CHECK_EQ(slat_release(cpu0(), MOD, &pages), LVBS_OK);
	CHECK_EQ(pages, 3);
	/*
	 * Its code is gone (INT3s; the first 4 bytes may end a function
	 * tracer's site: test_textpatch.c), its read-only data left as it was.
	 */
	CHECK_EQ(((u8 *)ram(2))[3], 0x90);
	CHECK_EQ(((u8 *)ram(2))[4], 0xcc);
	CHECK_EQ(((u8 *)ram(2))[PAGE_SIZE - 1], 0xcc);
	CHECK_EQ(((u8 *)ram(3))[0], 0x5a);
	CHECK_EQ(slat_perm(ram(2)), PT_R | PT_W);
	CHECK_EQ(slat_perm(ram(3)), PT_R | PT_W);
	CHECK_EQ(textpatch_gpa_patchable(ram(2)), false);
	CHECK_EQ(slat_release(cpu0(), MOD, &pages), LVBS_OK);
	CHECK_EQ(pages, 0);
	CHECK_EQ(slat_release(cpu0(), LVBS_OWNER_KERNEL, &pages), LVBS_E_INVAL);
	CHECK_EQ(slat_release(cpu0(), LVBS_OWNER_NONE, &pages), LVBS_E_INVAL);
	/* Released memory can become a new module's text; the old owner's
	 * authorization went with its memory. */
	CHECK_EQ(protect1(ram(2), PAGE_SIZE, R | XS, MOD, NULL), LVBS_E_PERM);
	slat_authorize_owner(MOD + 1);
	CHECK_EQ(protect1(ram(2), PAGE_SIZE, R | XS, MOD + 1, NULL), LVBS_OK);
}

/* Module trust: signed (the default) and trust on first use. */
TEST(slat_module_trust)
{
	struct lvbs_info info;

	stub_reset();
	memset(&info, 0, sizeof(info));
	slat_fill_info(&info);
	CHECK_EQ(info.module_trust, LVBS_MODTRUST_NONE);
	/* Before SEAL the kernel is trusted: no check needed. */
	CHECK_EQ(protect1(ram(1), PAGE_SIZE, R | XS, MOD, NULL), LVBS_OK);
	CHECK_EQ(slat_seal(cpu0(), LVBS_SEAL_MODULE_TOFU, 0, 0), LVBS_OK);
	slat_fill_info(&info);
	CHECK_EQ(info.module_trust, LVBS_MODTRUST_TOFU);
	CHECK_EQ(protect1(ram(2), PAGE_SIZE, R | XS, MOD + 1, NULL), LVBS_OK);

	stub_reset();
	CHECK_EQ(slat_seal(cpu0(), 0, 0, 0), LVBS_OK);
	slat_fill_info(&info);
	CHECK_EQ(info.module_trust, LVBS_MODTRUST_SIGNED);
	/* Kernel-owned or nobody's: not a module, not this rule's to grant. */
	slat_authorize_owner(LVBS_OWNER_KERNEL);
	CHECK_EQ(protect1(ram(2), PAGE_SIZE, R | XS, LVBS_OWNER_KERNEL, NULL), LVBS_E_PERM);
	/* Data needs no check; code does. */
	CHECK_EQ(protect1(ram(2), PAGE_SIZE, R | W, MOD, NULL), LVBS_OK);
	CHECK_EQ(protect1(ram(3), PAGE_SIZE, R | XS, MOD, NULL), LVBS_E_PERM);
	CHECK_EQ(ev()->kind, LVBS_EV_PROT_DENIED);
	/* The oldest unused authorization goes first. */
	for (u32 i = 0; i <= LVBS_AUTH_OWNERS; i++)
		slat_authorize_owner(MOD + 10 + i);
	CHECK_EQ(protect1(ram(3), PAGE_SIZE, R | XS, MOD + 10, NULL), LVBS_E_PERM);
	CHECK_EQ(protect1(ram(3), PAGE_SIZE, R | XS, MOD + 11, NULL), LVBS_OK);
	CHECK_EQ(protect1(ram(4), PAGE_SIZE, R | XS, MOD + 10 + LVBS_AUTH_OWNERS, NULL), LVBS_OK);
	/* The same owner twice takes one place. */
	slat_authorize_owner(MOD + 100);
	slat_authorize_owner(MOD + 100);
	for (u32 i = 0; i < LVBS_AUTH_OWNERS - 2; i++)
		slat_authorize_owner(MOD + 200 + i);
	CHECK_EQ(protect1(ram(5), PAGE_SIZE, R | XS, MOD + 100, NULL), LVBS_OK);
}

/* The relaxed NX fallback (exec=nx): today's rules, kept as they were. */
TEST(slat_violation_enforce_and_first_use)
{
	u64 pages;

	stub_reset();
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R | XS | IMM | PATCH, LVBS_OWNER_KERNEL, NULL), 0);
	CHECK_EQ(protect1(ram(1), PAGE_SIZE, R | XS | IMM, MOD, NULL), 0);
	CHECK_EQ(slat_seal(cpu0(), LVBS_SEAL_EXEC_NX, 0xffffffffc0000000ULL, 0xffffffffff000000ULL), 0);

	/* A write to kernel text: #GP(0), logged with rights and owner. */
	fake[0].rip = 0xffffffff81234567ULL;
	slat_handle_npf(cpu0(), ram(0) + 0x10, LVBS_ACC_WRITE);
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(ev()->kind, LVBS_EV_MEM_VIOLATION);
	CHECK_EQ(ev()->gpa, ram(0) + 0x10);
	CHECK_EQ(ev()->access, LVBS_ACC_WRITE);
	CHECK_EQ(ev()->action, LVBS_ACT_INJECT_GP);
	CHECK_EQ(ev()->info0, R | XS | IMM | PATCH);
	CHECK_EQ(ev()->info1, LVBS_OWNER_KERNEL);
	CHECK_EQ(ev()->gva, 0);
	CHECK_EQ(hv.slat_state.violations, 1);

	/* Released module memory, run by the kernel from the direct map: refused. */
	CHECK_EQ(slat_release(cpu0(), MOD, &pages), LVBS_OK);
	fake[0].rip = 0xffff888001234000ULL;
	slat_handle_npf(cpu0(), ram(1), LVBS_ACC_EXEC);
	CHECK_EQ(fake[0].injected, 2);
	CHECK_EQ(ev()->access, LVBS_ACC_EXEC);
	CHECK_EQ(ev()->gva, 0xffff888001234000ULL);
	CHECK_EQ(slat_perm(ram(1)), PT_R | PT_W);

	/* ... from the module area: trusted on first use (BPF JIT, trampolines). */
	fake[0].rip = 0xffffffffc0001000ULL;
	slat_handle_npf(cpu0(), ram(1), LVBS_ACC_EXEC);
	CHECK_EQ(fake[0].injected, 2);
	CHECK_EQ(hv.slat_state.dyn_exec_pages, 1);
	CHECK_EQ(slat_perm(ram(1)), PT_R | PT_W | PT_X);

	/* User execution of released memory: given back, never a violation. */
	slat_authorize_owner(MOD + 1);
	CHECK_EQ(protect1(ram(5), PAGE_SIZE, R | XS, MOD + 1, NULL), 0);
	CHECK_EQ(slat_release(cpu0(), MOD + 1, &pages), LVBS_OK);
	slat_handle_npf(cpu0(), ram(5), LVBS_ACC_EXEC | LVBS_ACC_USER);
	CHECK_EQ(fake[0].injected, 2);
	CHECK_EQ(hv.slat_state.user_exec_pages, 1);
	CHECK_EQ(slat_perm(ram(5)) & PT_X, PT_X);
	CHECK_EQ(hv.slat_state.violations, 2);

	/* User writes to kernel text are violations too (a stray mapping). */
	slat_handle_npf(cpu0(), ram(0), LVBS_ACC_WRITE | LVBS_ACC_USER);
	CHECK_EQ(fake[0].injected, 3);
}

/*
 * Strict W^X without GMET, the default (LVBS_EXEC_STRICT): after SEAL no
 * RAM nobody registered is executable; user-mode execution grants execute
 * and takes write, a write takes execute again; kernel-mode execution of
 * ordinary memory is a violation.
 */
TEST(slat_strict_wx)
{
	u64 fw = (u64)guest.ram - 2 * PAGE_SIZE;	/* not RAM: firmware, MMIO */
	u64 sent;

	stub_reset();
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R | XS | IMM | PATCH, LVBS_OWNER_KERNEL, NULL), 0);
	CHECK_EQ(protect1(ram(1), PAGE_SIZE, R | XU | IMM, LVBS_OWNER_KERNEL, NULL), 0);
	CHECK_EQ(protect1(ram(7), PAGE_SIZE, R | W, LVBS_OWNER_KERNEL, NULL), 0);
	CHECK_EQ(slat_seal(cpu0(), 4, 0, 0), LVBS_E_INVAL);
	sent = fake[1].nmis_sent;
	CHECK_EQ(slat_seal(cpu0(), 0, 0xffffffffc0000000ULL, 0xffffffffff000000ULL), 0);
	CHECK_EQ(ev()->info0, LVBS_EXEC_STRICT);
	CHECK_EQ(fake[1].nmis_sent, sent + 1);
	CHECK_EQ(slat_perm(ram(2)), PT_R | PT_W);
	CHECK_EQ(slat_perm(ram(0)), PT_R | PT_X);
	CHECK_EQ(slat_perm(ram(1)), PT_R | PT_X);	/* the vDSO */
	CHECK_EQ(slat_perm(fw), PT_R | PT_W | PT_X);

	/* The attack: code written into a kmalloc page, run from the direct map. */
	fake[0].rip = 0xffff888000102000ULL;
	slat_handle_npf(cpu0(), ram(2), LVBS_ACC_EXEC);
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(ev()->kind, LVBS_EV_MEM_VIOLATION);
	CHECK_EQ(ev()->gva, 0xffff888000102000ULL);
	CHECK_EQ(ev()->gpa, ram(2));
	CHECK_EQ(hv.slat_state.violations, 1);
	CHECK_EQ(slat_perm(ram(2)), PT_R | PT_W);

	/* User mode runs a page: execute in, write out, the other CPU flushed. */
	sent = fake[1].nmis_sent;
	fake[0].rip = 0x401000;
	slat_handle_npf(cpu0(), ram(3), LVBS_ACC_EXEC | LVBS_ACC_USER);
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(slat_perm(ram(3)), PT_R | PT_X);
	CHECK_EQ(hv.slat_state.user_exec_pages, 1);
	CHECK_EQ(fake[1].nmis_sent, sent + 1);
	/* The kernel writes it (the page reused, ptrace): write back, execute out. */
	fake[0].rip = 0xffffffff81000000ULL;
	slat_handle_npf(cpu0(), ram(3) + 8, LVBS_ACC_WRITE);
	CHECK_EQ(slat_perm(ram(3)), PT_R | PT_W);
	CHECK_EQ(hv.slat_state.wx_flips, 1);
	CHECK_EQ(fake[1].nmis_sent, sent + 2);
	/* A user JIT: run, write from another instruction, run again. */
	fake[0].rip = 0x401000;
	slat_handle_npf(cpu0(), ram(3), LVBS_ACC_EXEC | LVBS_ACC_USER);
	fake[0].rip = 0x401234;
	slat_handle_npf(cpu0(), ram(3), LVBS_ACC_WRITE | LVBS_ACC_USER);
	CHECK_EQ(slat_perm(ram(3)), PT_R | PT_W);
	fake[0].rip = 0x401000;
	slat_handle_npf(cpu0(), ram(3), LVBS_ACC_EXEC | LVBS_ACC_USER);
	CHECK_EQ(slat_perm(ram(3)), PT_R | PT_X);
	CHECK_EQ(hv.slat_state.user_exec_pages, 3);
	CHECK_EQ(hv.slat_state.wx_flips, 2);
	CHECK_EQ(hv.slat_state.wx_mixed_pages, 0);
	/*
	 * The hole strict W^X leaves (docs/threat-model.md): the SLAT has one
	 * execute bit, so the kernel could run this page now without a fault.
	 */
	CHECK_EQ(slat_perm(ram(3)) & PT_X, PT_X);

	/* One instruction that runs from a page and writes it: both, no livelock. */
	fake[0].rip = 0x402000;
	slat_handle_npf(cpu0(), ram(4), LVBS_ACC_EXEC | LVBS_ACC_USER);
	slat_handle_npf(cpu0(), ram(4), LVBS_ACC_WRITE | LVBS_ACC_USER);
	CHECK_EQ(slat_perm(ram(4)), PT_R | PT_W | PT_X);
	CHECK_EQ(hv.slat_state.wx_mixed_pages, 1);

	/* Module area: execute on first use, and write taken away (W^X). */
	fake[0].rip = 0xffffffffc0002000ULL;
	slat_handle_npf(cpu0(), ram(6), LVBS_ACC_EXEC);
	CHECK_EQ(slat_perm(ram(6)), PT_R | PT_X);
	CHECK_EQ(hv.slat_state.dyn_exec_pages, 1);
	fake[0].rip = 0xffffffff81000000ULL;	/* text_poke_copy() of the next program */
	slat_handle_npf(cpu0(), ram(6), LVBS_ACC_WRITE);
	CHECK_EQ(slat_perm(ram(6)), PT_R | PT_W);

	/* Owned memory never earns a right on use: kernel data run by user mode. */
	fake[0].rip = 0x403000;
	slat_handle_npf(cpu0(), ram(7), LVBS_ACC_EXEC | LVBS_ACC_USER);
	CHECK_EQ(fake[0].injected, 2);
	CHECK_EQ(slat_perm(ram(7)), PT_R | PT_W);
	CHECK_EQ(hv.slat_state.violations, 2);
}

/*
 * The SLAT shape under strict W^X: a grant splits one 2 MiB block, a block
 * uniform again is one leaf again and its table reused; out of tables, a
 * grant changes the whole block (logged), never a crash; the hypervisor
 * never writes its output into a page that lost write to a grant.
 */
TEST(slat_strict_shape_and_pool)
{
	u64 blk = (u64)guest.ram, pa;
	u32 perm, level;

	stub_reset();
	CHECK_EQ(slat_seal(cpu0(), 0, 0xffffffffc0000000ULL, 0xffffffffff000000ULL), 0);
	CHECK_EQ(pt_lookup(&hv.slat, blk + PAGE_SIZE, &pa, &perm, &level), 0);
	CHECK_EQ(level, 2);
	CHECK_EQ(slat_guest_writable(blk + 5 * PAGE_SIZE, 64), true);

	fake[0].rip = 0x401000;
	slat_handle_npf(cpu0(), blk + 5 * PAGE_SIZE, LVBS_ACC_EXEC | LVBS_ACC_USER);
	CHECK_EQ(pt_lookup(&hv.slat, blk + 5 * PAGE_SIZE, &pa, &perm, &level), 0);
	CHECK_EQ(level, 1);
	CHECK_EQ(slat_perm(blk + 5 * PAGE_SIZE), PT_R | PT_X);
	CHECK_EQ(slat_perm(blk + 6 * PAGE_SIZE), PT_R | PT_W);
	CHECK_EQ(slat_guest_writable(blk + 5 * PAGE_SIZE, 64), false);
	CHECK_EQ(slat_guest_writable(blk + 6 * PAGE_SIZE, 64), true);
	/* One range in the database for all of it: the state is the SLAT's. */
	CHECK_EQ(perm_lookup(&hv.slat_state.db, blk + 5 * PAGE_SIZE) & PERM_RIGHTS, PT_R | PT_W);

	fake[0].rip = 0xffffffff81000000ULL;
	slat_handle_npf(cpu0(), blk + 5 * PAGE_SIZE, LVBS_ACC_WRITE);
	CHECK_EQ(pt_lookup(&hv.slat, blk + 5 * PAGE_SIZE, &pa, &perm, &level), 0);
	CHECK_EQ(level, 2);
	CHECK_EQ(pa, blk + 5 * PAGE_SIZE);
	CHECK_EQ(hv.slat_state.merges, 1);
	CHECK_EQ(hv.pool.nr_free, 1);

	/* Out of tables: the whole 2 MiB block at once, logged; then back. */
	hv.pool.nr_pages = hv.pool.used;
	hv.pool.nr_free = 0;
	hv.pool.free_head = 0;
	fake[0].rip = 0x401000;
	slat_handle_npf(cpu0(), blk + 7 * PAGE_SIZE, LVBS_ACC_EXEC | LVBS_ACC_USER);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(ev()->kind, LVBS_EV_SLAT_COARSE);
	CHECK_EQ(ev()->gpa, blk);
	CHECK_EQ(hv.slat_state.coarse, 1);
	CHECK_EQ(slat_perm(blk), PT_R | PT_X);
	CHECK_EQ(slat_perm(blk + SZ_2M - PAGE_SIZE), PT_R | PT_X);
	slat_handle_npf(cpu0(), blk + 9 * PAGE_SIZE, LVBS_ACC_WRITE);
	CHECK_EQ(slat_perm(blk + 7 * PAGE_SIZE), PT_R | PT_W);
	CHECK_EQ(hv.slat_state.violations, 0);
}

/*
 * Grants on use stop taking tables earlier than registration: with the
 * pool just under the grants' threshold a user-execute grant goes coarse,
 * and a module's page in another 2 MiB block still gets its table (found
 * in a VM: a user JIT all over memory made the next module load fail).
 */
/*
 * A fresh hypervisor, sealed (strict W^X), with @left table pages left in
 * the pool: 16 + 64 - 1 is one short of what grants on use may take
 * (POOL_RESERVE + PROTECT_RESERVE in slat.c), 16 - 1 one short of
 * registrations' reserve too.
 */
static void sealed_with_tables(u64 left)
{
	stub_reset();
	CHECK_EQ(slat_seal(cpu0(), 0, 0xffffffffc0000000ULL, 0xffffffffff000000ULL), 0);
	hv.pool.nr_pages = hv.pool.used + left;
	hv.pool.nr_free = 0;
	hv.pool.free_head = 0;
}

TEST(slat_grants_leave_tables_for_module_loads)
{
	u64 blk = (u64)guest.ram, mod = blk + SZ_2M + 3 * PAGE_SIZE, pa;
	u32 perm, level;

	sealed_with_tables(16 + 64 - 1);
	fake[0].rip = 0x401000;
	slat_handle_npf(cpu0(), blk + 7 * PAGE_SIZE, LVBS_ACC_EXEC | LVBS_ACC_USER);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(hv.slat_state.coarse, 1);
	slat_authorize_owner(MOD);
	CHECK_EQ(protect1(mod, PAGE_SIZE, R | XS, MOD, NULL), LVBS_OK);
	CHECK_EQ(pt_lookup(&hv.slat, mod, &pa, &perm, &level), 0);
	CHECK_EQ(level, 1);
	CHECK_EQ(slat_perm(mod + PAGE_SIZE), PT_R | PT_W);
}

/* A grant given before SEAL does not outlive it under strict W^X. */
/*
 * Out of tables for grants on use (not for registrations): the kernel's
 * own code in the module area (a trampoline) still gets a 4 KiB grant, so
 * a stack page in the same 2 MiB keeps its write right. As a coarse grant
 * the block flipped between R|X and R|W for ever (issue 7, scenario
 * slatfull: a trampoline writing to a stack in its own block).
 */
TEST(slat_module_area_code_is_never_coarse)
{
	u64 blk = (u64)guest.ram, code = blk + 20 * PAGE_SIZE, stack = blk + 30 * PAGE_SIZE;
	u32 perm, level;
	u64 pa;

	sealed_with_tables(16 + 64 - 1);
	CHECK_EQ(pt_lookup(&hv.slat, code, &pa, &perm, &level), 0);
	CHECK_EQ(level, 2);		/* one 2 MiB leaf: a grant needs a table */
	fake[0].rip = 0xffffffffc0005000ULL;
	slat_handle_npf(cpu0(), code, LVBS_ACC_EXEC);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(hv.slat_state.coarse, 0);
	CHECK_EQ(pt_lookup(&hv.slat, code, &pa, &perm, &level), 0);
	CHECK_EQ(level, 1);
	CHECK_EQ(slat_perm(code), PT_R | PT_X);
	CHECK_EQ(slat_perm(stack), PT_R | PT_W);
	/* With the registration reserve gone too, it goes coarse as before. */
	sealed_with_tables(16 - 1);
	fake[0].rip = 0xffffffffc0005000ULL;
	slat_handle_npf(cpu0(), code, LVBS_ACC_EXEC);
	CHECK_EQ(hv.slat_state.coarse, 1);
}

/*
 * Coarse: one user instruction that runs from one page and writes another
 * page of the same 2 MiB block flips the whole block, as it would a
 * single page: it gets W and X, like a page one instruction both runs and
 * writes (wx_mixed_pages).
 */
TEST(slat_coarse_same_insn_gets_w_and_x)
{
	u64 blk = (u64)guest.ram, code = blk + 20 * PAGE_SIZE, data = blk + 30 * PAGE_SIZE;

	sealed_with_tables(16 + 64 - 1);
	fake[0].rip = 0x401000;
	slat_handle_npf(cpu0(), code, LVBS_ACC_EXEC | LVBS_ACC_USER);
	CHECK_EQ(hv.slat_state.coarse, 1);
	CHECK_EQ(slat_perm(data) & PT_W, 0);
	slat_handle_npf(cpu0(), data, LVBS_ACC_WRITE | LVBS_ACC_USER);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(hv.slat_state.wx_mixed_pages, 1);
	CHECK_EQ(slat_perm(code) & (PT_W | PT_XU), PT_W | PT_XU);
	/* A write from another instruction flips the block as before. */
	sealed_with_tables(16 + 64 - 1);
	fake[0].rip = 0x401000;
	slat_handle_npf(cpu0(), code, LVBS_ACC_EXEC | LVBS_ACC_USER);
	fake[0].rip = 0x401010;
	slat_handle_npf(cpu0(), data, LVBS_ACC_WRITE | LVBS_ACC_USER);
	CHECK_EQ(hv.slat_state.wx_mixed_pages, 0);
	CHECK_EQ(hv.slat_state.wx_flips, 1);
	CHECK_EQ(slat_perm(code) & PT_XU, 0);
}

TEST(slat_strict_seal_resets_grants)
{
	u64 pages;

	stub_reset();
	CHECK_EQ(protect1(ram(3), PAGE_SIZE, R | XS, MOD, NULL), 0);
	CHECK_EQ(slat_release(cpu0(), MOD, &pages), LVBS_OK);
	fake[0].rip = 0x401000;
	slat_handle_npf(cpu0(), ram(3), LVBS_ACC_EXEC | LVBS_ACC_USER);
	CHECK_EQ(slat_perm(ram(3)), PT_R | PT_W | PT_X);
	CHECK_EQ(slat_seal(cpu0(), 0, 0xffffffffc0000000ULL, 0xffffffffff000000ULL), 0);
	CHECK_EQ(slat_perm(ram(3)), PT_R | PT_W);
}

TEST(slat_audit_logs_and_allows)
{
	stub_reset();
	CHECK_EQ(slat_set_policy(cpu0(), LVBS_POLICY_AUDIT), 0);
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R | IMM, LVBS_OWNER_KERNEL, NULL), 0);
	slat_handle_npf(cpu0(), ram(0), LVBS_ACC_WRITE);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(ev()->kind, LVBS_EV_MEM_VIOLATION);
	CHECK_EQ(ev()->action, LVBS_ACT_NONE);
	/* The SLAT lets it through; the database still says read-only. */
	CHECK_EQ(slat_perm(ram(0)), PT_R | PT_W);
	CHECK_EQ(perm_lookup(&hv.slat_state.db, ram(0)) & PERM_RIGHTS, PT_R);
	CHECK_EQ(slat_set_policy(cpu0(), 2), LVBS_E_INVAL);
	CHECK_EQ(slat_seal(cpu0(), 0, 0, 0), 0);
	/* Sealed: audit -> enforce only. */
	CHECK_EQ(slat_set_policy(cpu0(), LVBS_POLICY_ENFORCE), 0);
	CHECK_EQ(slat_set_policy(cpu0(), LVBS_POLICY_AUDIT), LVBS_E_PERM);
	slat_handle_npf(cpu0(), ram(0) + 8, LVBS_ACC_WRITE);
	CHECK_EQ(fake[0].injected, 1);
}

TEST(slat_hypercall_output_respects_rights)
{
	u64 buf = ram(8), out1 = 0, out2 = 0;
	struct lvbs_mem_prot *batch = (struct lvbs_mem_prot *)ram(9);
	struct lvbs_info *info = (struct lvbs_info *)buf;

	stub_reset();
	/* PROTECT_MEMORY through the hypercall: the batch is read from RAM. */
	batch[0] = (struct lvbs_mem_prot){ .gpa = buf, .size = PAGE_SIZE, .perm = R,
					    .owner = LVBS_OWNER_KERNEL };
	CHECK_EQ(hypercall_dispatch(cpu0(), LVBS_HC(LVBS_HC_PROTECT_MEMORY), ram(9), 1, 0,
				    &out1, &out2), LVBS_OK);
	CHECK_EQ(out1, 1);
	/* GET_INFO into read-only memory would write for the guest: refused. */
	memset(info, 0x5a, PAGE_SIZE);
	CHECK_EQ(hypercall_dispatch(cpu0(), LVBS_HC(LVBS_HC_GET_INFO), buf, sizeof(*info), 0,
				    &out1, &out2), LVBS_E_PERM);
	CHECK_EQ(info->size, 0x5a5a5a5a);
	CHECK_EQ(hypercall_dispatch(cpu0(), LVBS_HC(LVBS_HC_READ_LOG), buf, 4096, 1,
				    &out1, &out2), LVBS_E_PERM);
	/* Writable memory still works, and reports the protection state. */
	CHECK_EQ(hypercall_dispatch(cpu0(), LVBS_HC(LVBS_HC_GET_INFO), ram(10), sizeof(*info),
				    0, &out1, &out2), LVBS_OK);
	info = (struct lvbs_info *)ram(10);
	CHECK_EQ(info->sealed, 0);
	CHECK_EQ(info->exec_control, LVBS_EXEC_NONE);
	CHECK_EQ(info->protected_bytes, PAGE_SIZE);
	CHECK_EQ(info->perm_capacity, HV_PERM_RANGES);
	CHECK(info->perm_ranges >= 3);
	CHECK(info->slat_pool_free > 0);
}

/*
 * A kick gives the guest an NMI too (it may have merged with one of the
 * guest's), marked in the loader's page so lvbs.ko claims it; a guest NMI
 * is not marked; a mark that cannot be written drops the kick's NMI.
 */
TEST(slat_kick_nmi_is_marked_for_the_guest)
{
	u32 *marks = gpa_ptr(ram(8));

	stub_reset();
	/* Without a mark page a kick gives the guest nothing (as before). */
	CHECK_EQ(protect1(ram(0), PAGE_SIZE, R, LVBS_OWNER_KERNEL, NULL), LVBS_OK);
	CHECK_EQ(fake[1].nmis_sent, 1);
	CHECK_EQ(fake[1].nmis_injected, 0);

	hv.params.nmi_mark_gpa = ram(8);
	CHECK_EQ(protect1(ram(1), PAGE_SIZE, R, LVBS_OWNER_KERNEL, NULL), LVBS_OK);
	CHECK_EQ(fake[1].nmis_sent, 2);
	CHECK_EQ(fake[1].nmis_injected, 1);
	CHECK_EQ(marks[1], 0);
	CHECK(vcpu_nmi_prepare(hv_cpu_of(1)));
	CHECK_EQ(marks[1], 1);
	CHECK_EQ(marks[0], 0);

	/* A guest NMI is the guest's own: injected, not marked. */
	marks[1] = 0;
	slat_nmi_exit(hv_cpu_of(1));
	CHECK_EQ(fake[1].nmis_injected, 2);
	CHECK(vcpu_nmi_prepare(hv_cpu_of(1)));
	CHECK_EQ(marks[1], 0);

	/* A kick that merged into a pending guest NMI leaves it unmarked. */
	slat_nmi_exit(hv_cpu_of(1));
	hv_cpu_of(1)->kick_pending = 1;
	slat_nmi_exit(hv_cpu_of(1));
	CHECK(vcpu_nmi_prepare(hv_cpu_of(1)));
	CHECK_EQ(marks[1], 0);

	/* The mark page protected since: the kick's NMI is dropped, unwritten. */
	CHECK_EQ(protect1(ram(8), PAGE_SIZE, R, 20, NULL), LVBS_OK);
	hv_cpu_of(1)->kick_pending = 1;
	slat_nmi_exit(hv_cpu_of(1));
	CHECK(!vcpu_nmi_prepare(hv_cpu_of(1)));
	CHECK_EQ(marks[1], 0);
}
