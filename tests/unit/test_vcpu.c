// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the vendor-neutral exit handling (hv/core/vcpu.c, hypercall.c,
 * crpin.c, msrpin.c, dtpin.c, cpuid.c) over the fake backend of stub_arch.c:
 * the hypercall ABI's checks, instruction skipping with and without a
 * hardware next-RIP, and the CR, MSR and descriptor-table pins.
 */
#include <string.h>
#include <hv/types.h>
#include <hv/x86.h>
#include "core/hv.h"
#include "core/insn.h"
#include "core/slat.h"
#include "stub_arch.h"
#include "test.h"

static struct hv_cpu *cpu0(void)
{
	return hv_cpu_of(0);
}

/* A hypercall from CPU 0 with a hardware next RIP: returns RAX. */
static long call(u64 nr, u64 a1, u64 a2, u64 a3)
{
	return stub_hypercall(0, 0x1000, nr, a1, a2, a3);
}

static u64 data_gpa(void)
{
	return (u64)guest.ram + DATA_PAGE_OFF;
}

TEST(hc_get_info_and_errors_in_order)
{
	struct lvbs_info *info;
	u8 *buf;
	u64 hv_gpa;

	stub_reset();
	buf = (u8 *)data_gpa();
	info = (struct lvbs_info *)buf;
	hv_gpa = hv.hv_phys;
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), data_gpa(), sizeof(*info), 0), LVBS_OK);
	CHECK_EQ(info->abi_version, LVBS_ABI_VERSION);
	CHECK_EQ(info->size, sizeof(*info));
	CHECK_EQ(info->vendor, LVBS_VENDOR_SVM);
	CHECK_EQ(fake[0].rip, 0x1003);

	/* Failing calls write nothing. */
	memset(buf, 0x5a, 4096);
	CHECK_EQ(call(0x1234, data_gpa(), 4096, 0), LVBS_E_NOSYS);
	CHECK_EQ(call(LVBS_HC(0x7777), data_gpa(), 4096, 0), LVBS_E_NOSYS);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), data_gpa(), 0, 0), LVBS_E_INVAL);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), data_gpa(), 4, 0), LVBS_E_INVAL);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), data_gpa(), 1 << 30, 0), LVBS_E_TOOBIG);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), data_gpa() + 1, 4096, 0), LVBS_E_ALIGN);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), hv_gpa, 4096, 0), LVBS_E_RANGE);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), hv_gpa - 8, 4096, 0), LVBS_E_RANGE);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), 1ULL << 46, 4096, 0), LVBS_E_RANGE);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_INFO), 0xfffffffffffff000ULL, 4096, 0),
		 LVBS_E_RANGE);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_GET_STATS), data_gpa(), 4096, FAKE_CPUS), LVBS_E_RANGE);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_READ_LOG), data_gpa(), 0, 1), LVBS_E_INVAL);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_LAUNCH_ABORT), 0, 0, 0), LVBS_E_PERM);
	for (int i = 0; i < 4096; i++)
		if (buf[i] != 0x5a) {
			CHECK(!"a failing hypercall wrote to the buffer");
			break;
		}
	CHECK_EQ(cpu0()->hypercalls_failed, 13);
	CHECK_EQ(last_event()->kind, LVBS_EV_BAD_HYPERCALL);
	CHECK_EQ(last_event()->info1, (u64)LVBS_E_PERM);
}

TEST(hc_read_log_pages_through)
{
	struct lvbs_log_entry *out;

	stub_reset();
	out = (struct lvbs_log_entry *)data_gpa();
	for (u32 i = 0; i < 5; i++)
		hv_log_event(cpu0(), LVBS_EV_LAUNCH, 0, 0, 0, i, 0);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_READ_LOG), data_gpa(), 2 * sizeof(*out), 1), 2);
	CHECK_EQ(out[0].seq, 1);
	CHECK_EQ(out[1].info0, 1);
	CHECK_EQ(cpu0()->regs[REG_RBX], 3);	/* next */
	CHECK_EQ(call(LVBS_HC(LVBS_HC_READ_LOG), data_gpa(), 64 * sizeof(*out), 3), 3);
	CHECK_EQ(out[2].seq, 5);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_READ_LOG), data_gpa(), 64 * sizeof(*out), 6), 0);
}

TEST(hypercall_from_user_mode_gets_ud)
{
	stub_reset();
	fake[0].cpl = 3;
	fake[0].rip = 0x401000;
	cpu0()->regs[REG_RAX] = LVBS_HC(LVBS_HC_GET_INFO);
	vcpu_handle_hypercall(cpu0());
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_UD);
	CHECK_EQ(fake[0].rip, 0x401000);
	CHECK_EQ(last_event()->kind, LVBS_EV_USER_HYPERCALL);
	CHECK_EQ(last_event()->access, LVBS_ACC_USER);
}

TEST(hypercall_without_nrip_decodes_the_bytes)
{
	static const u8 vmmcall[] = { 0x0f, 0x01, 0xd9 };
	static const u8 prefixed[] = { 0x66, 0x0f, 0x01, 0xd9 };
	static const u8 cpuid[] = { 0x0f, 0xa2 };

	stub_reset();
	guest_code(0, vmmcall, sizeof(vmmcall));
	cpu0()->regs[REG_RAX] = LVBS_HC(0x7777);
	vcpu_handle_hypercall(cpu0());
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);
	CHECK_EQ((s64)cpu0()->regs[REG_RAX], LVBS_E_NOSYS);

	guest_code(0, prefixed, sizeof(prefixed));
	vcpu_handle_hypercall(cpu0());
	CHECK_EQ(fake[0].rip, CODE_GVA + 4);

	/* Bytes that are not a VMMCALL (rewritten by another CPU): #UD. */
	guest_code(0, cpuid, sizeof(cpuid));
	vcpu_handle_hypercall(cpu0());
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_UD);
	CHECK_EQ(last_event()->kind, LVBS_EV_INSN_DECODE);
}

static void xsetbv_from_guest(u32 cpl, u32 ecx, u64 v)
{
	static const u8 xsetbv_insn[] = { 0x0f, 0x01, 0xd1 };

	guest_code(0, xsetbv_insn, sizeof(xsetbv_insn));
	fake[0].cpl = cpl;
	fake[0].injected = 0;
	fake[0].inj_vec = 0;
	cpu0()->regs[REG_RCX] = ecx;
	cpu0()->regs[REG_RAX] = (u32)v;
	cpu0()->regs[REG_RDX] = v >> 32;
	vcpu_handle_xsetbv(cpu0());
}

/*
 * XSETBV (it always exits on VMX): a value the CPU would take is written
 * and the instruction skipped; anything else is the CPU's #GP. The
 * components offered are this host's (CPUID leaf 0xD).
 */
TEST(xsetbv_writes_valid_values_and_refuses_the_rest)
{
	u32 a, b, c, d;
	u64 offered;

	cpuid_count(0xd, 0, &a, &b, &c, &d);
	offered = ((u64)d << 32) | a;
	stub_reset();
	fake_xsetbv_calls = 0;

	xsetbv_from_guest(0, 0, 0x3);			/* x87 + SSE */
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake_xsetbv_calls, 1);
	CHECK_EQ(fake_xcr0, 0x3);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);

	xsetbv_from_guest(0, 0, 0x2);			/* x87 off */
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	if (offered & BIT(2)) {
		xsetbv_from_guest(0, 0, 0x5);		/* AVX without SSE */
		CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	}
	if (offered & 0xe0) {
		xsetbv_from_guest(0, 0, 0x27);		/* one AVX-512 component */
		CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	}
	xsetbv_from_guest(0, 0, 0x3 | (~offered & ~0x3ull & -(~offered & ~0x3ull)));
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);		/* a component not offered */
	xsetbv_from_guest(0, 1, 0x3);			/* XCR1 */
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	xsetbv_from_guest(3, 0, 0x3);			/* from user mode */
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake_xsetbv_calls, 1);
	CHECK_EQ(cpu0()->exits[LVBS_EXIT_XSETBV], 5 + !!(offered & BIT(2)) + !!(offered & 0xe0));
}

/* INVD (VMX exits on it): written back, not dropped, and skipped. */
TEST(invd_is_wbinvd)
{
	stub_reset();
	fake_wbinvd_calls = 0;
	guest_code(0, (const u8[]){ 0x0f, 0x08 }, 2);
	vcpu_handle_invd(cpu0());
	CHECK_EQ(fake_wbinvd_calls, 1);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	CHECK_EQ(fake[0].injected, 0);
}

TEST(cpuid_hides_svm_and_announces_lvbs)
{
	u32 a, b, c, d;

	stub_reset();
	cpuid_policy(0x40000000u, 0, &a, &b, &c, &d);
	CHECK_EQ(a, LVBS_CPUID_INFO);
	CHECK_EQ(b, LVBS_CPUID_SIG_EBX);
	CHECK_EQ(c, LVBS_CPUID_SIG_EBX);
	CHECK_EQ(d, LVBS_CPUID_SIG_EBX);
	cpuid_policy(0x40000001u, 0, &a, &b, &c, &d);
	CHECK_EQ(a, LVBS_ABI_VERSION);
	cpuid_policy(1, 0, &a, &b, &c, &d);
	CHECK(!(c & (1u << 5)));
	CHECK(c & (1u << 31));
	cpuid_policy(0x80000001u, 0, &a, &b, &c, &d);
	CHECK(!(c & (1u << 2)));
	cpuid_policy(0x8000000au, 0, &a, &b, &c, &d);
	CHECK_EQ(a | b | c | d, 0);
}

/* mov %rax,%cr4 ; mov %rax,%cr0 ; clts ; lmsw %ax */
static const u8 mov_cr4[] = { 0x0f, 0x22, 0xe0 };
static const u8 mov_cr0[] = { 0x0f, 0x22, 0xc0 };
static const u8 clts[] = { 0x0f, 0x06 };
static const u8 lmsw[] = { 0x0f, 0x01, 0xf0 };

static void cr_write(u32 cr, const u8 *code, u32 n, u64 value)
{
	guest_code(0, code, n);
	cpu0()->regs[REG_RAX] = value;
	vcpu_handle_cr_write(cpu0(), cr, -1);
}

TEST(cr_pins_hold_and_benign_writes_pass)
{
	u64 cr4 = 0x3506f0, cr0 = 0x80050033;

	stub_reset();
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_CR), 4, LVBS_CR4_SMEP | LVBS_CR4_SMAP, 0), LVBS_OK);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_CR), 0, LVBS_CR0_WP | LVBS_CR0_PG, 0), LVBS_OK);
	CHECK_EQ(fake[0].cr_intercepts, (1u << 0) | (1u << 4));
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_CR), 3, 0, 0), LVBS_E_INVAL);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_CR), 4, 1u << 7, 0), LVBS_E_INVAL);

	/* Benign: toggle PGE (a global flush) keeps the pins; TLB flushed. */
	cr_write(4, mov_cr4, sizeof(mov_cr4), cr4 & ~X86_CR4_PGE);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].cr4, cr4 & ~X86_CR4_PGE);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);
	CHECK_EQ(fake[0].flushes, 1);

	/* Attack: clear SMEP. #GP, CR4 unchanged, RIP unchanged, logged. */
	cr_write(4, mov_cr4, sizeof(mov_cr4), cr4 & ~LVBS_CR4_SMEP);
	CHECK_EQ(fake[0].injected, 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].cr4, cr4 & ~X86_CR4_PGE);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(last_event()->kind, LVBS_EV_CR_PIN);
	CHECK_EQ(last_event()->info0, 4);

	/* Attack: clear WP. */
	cr_write(0, mov_cr0, sizeof(mov_cr0), cr0 & ~X86_CR0_WP);
	CHECK_EQ(fake[0].injected, 2);
	CHECK_EQ(fake[0].cr0, cr0);

	/* A value the CPU would refuse never reaches the VMCB. */
	cr_write(4, mov_cr4, sizeof(mov_cr4), cr4 | (1ULL << 30));
	CHECK_EQ(last_event()->kind, LVBS_EV_CR_INVALID);
	cr_write(0, mov_cr0, sizeof(mov_cr0), cr0 | X86_CR0_NW);
	CHECK_EQ(last_event()->kind, LVBS_EV_CR_INVALID);
	cr_write(0, mov_cr0, sizeof(mov_cr0), cr0 & ~X86_CR0_PG);
	CHECK_EQ(last_event()->kind, LVBS_EV_CR_INVALID);
	CHECK_EQ(fake[0].cr0, cr0);

	/* CLTS clears TS; LMSW cannot clear PE. */
	fake[0].cr0 = cr0 | (1u << 3);
	cr_write(0, clts, sizeof(clts), 0);
	CHECK_EQ(fake[0].cr0, cr0);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	cr_write(0, lmsw, sizeof(lmsw), 0);
	CHECK_EQ(fake[0].cr0 & 0xf, 0x1);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);

	/* CPU 1 disagrees on a pinned bit: refused, and it does not enforce. */
	fake[1].cr4 = cr4 & ~LVBS_CR4_SMEP;
	hv_cpu_of(1)->regs[REG_RAX] = LVBS_HC(LVBS_HC_PIN_CR);
	hv_cpu_of(1)->regs[REG_RBX] = 4;
	hv_cpu_of(1)->regs[REG_RCX] = LVBS_CR4_SMEP;
	fake[1].has_nrip = true;
	fake[1].next_rip = 3;
	vcpu_handle_hypercall(hv_cpu_of(1));
	CHECK_EQ((s64)hv_cpu_of(1)->regs[REG_RAX], LVBS_E_INVAL);
	CHECK_EQ(crpin_enforcing_cpus(), 1);
}

static void msr_write(u32 msr, u64 v)
{
	static const u8 wrmsr_code[] = { 0x0f, 0x30 };

	guest_code(0, wrmsr_code, sizeof(wrmsr_code));
	cpu0()->regs[REG_RCX] = msr;
	cpu0()->regs[REG_RAX] = (u32)v;
	cpu0()->regs[REG_RDX] = v >> 32;
	vcpu_handle_msr(cpu0(), true);
}

TEST(msr_pins_hold_and_benign_writes_pass)
{
	u64 lstar = 0xffffffff81e00080ULL;

	stub_reset();
	wrmsr(MSR_LSTAR, lstar);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_MSR), LVBS_MSR_SLOT_LSTAR, ~0ULL, 0), LVBS_OK);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_MSR), LVBS_MSR_SLOT_EFER, LVBS_PIN_EFER_ALLOWED, 0),
		 LVBS_OK);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_MSR), LVBS_MSR_SLOTS, ~0ULL, 0), LVBS_E_INVAL);
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_MSR), LVBS_MSR_SLOT_EFER, EFER_SVME, 0), LVBS_E_INVAL);

	msr_write(MSR_LSTAR, lstar);			/* same value: fine */
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	msr_write(MSR_LSTAR, lstar + 0x40);		/* redirect: #GP */
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(rdmsr(MSR_LSTAR), lstar);
	CHECK_EQ(last_event()->kind, LVBS_EV_MSR_PIN);
	CHECK_EQ(last_event()->info0, MSR_LSTAR);
	msr_write(MSR_CSTAR, 0x0000800000000000ULL);	/* non-canonical: #GP */
	CHECK_EQ(fake[0].injected, 2);
	msr_write(MSR_EFER, fake[0].efer & ~EFER_NXE);	/* clear NXE: #GP */
	CHECK_EQ(fake[0].injected, 3);
	CHECK_EQ(fake[0].efer_writes, 0);
	msr_write(MSR_VM_HSAVE_PA, 0x1000);		/* dropped, logged */
	CHECK_EQ(fake[0].injected, 3);
	CHECK_EQ(last_event()->kind, LVBS_EV_MSR_DENIED);
	msr_write(0x10, 0);		/* an MSR this CPU does not have: its #GP */
	CHECK_EQ(fake[0].injected, 4);
}

static void msr_read(u32 msr)
{
	guest_code(0, (const u8[]){ 0x0f, 0x32 }, 2);
	cpu0()->regs[REG_RCX] = msr;
	cpu0()->regs[REG_RAX] = cpu0()->regs[REG_RDX] = 0xdead;
	vcpu_handle_msr(cpu0(), false);
}

/*
 * MSRs outside the bitmap's ranges always exit: ones the CPU has pass
 * through (an uncore MSR at 0x2fc0, say), ones it lacks get its #GP. On
 * Intel, SVM's MSRs are not special: the CPU has none of them.
 */
TEST(msrs_outside_the_bitmap_pass_through)
{
	stub_reset();
	fake_msr[0][0] = 0x2fc0;
	fake_msr[0][1] = 0x1122334455667788ULL;
	msr_read(0x2fc0);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(cpu0()->regs[REG_RAX], 0x55667788);
	CHECK_EQ(cpu0()->regs[REG_RDX], 0x11223344);
	CHECK_EQ(fake[0].rip, CODE_GVA + 2);
	msr_write(0x2fc0, 0xabcdULL << 32 | 1);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake_msr[0][1], 0xabcdULL << 32 | 1);
	msr_read(0x2fc8);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(cpu0()->regs[REG_RAX], 0xdead);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(cpu0()->exits[LVBS_EXIT_MSR_READ], 2);

	/* SVM: VM_HSAVE_PA reads as 0; Intel: the CPU's #GP. */
	fake[0].injected = 0;
	msr_read(MSR_VM_HSAVE_PA);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(cpu0()->regs[REG_RAX], 0);
	hv.caps.vendor = LVBS_VENDOR_VMX;
	msr_read(MSR_VM_HSAVE_PA);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	msr_write(MSR_VM_CR, 0);
	CHECK_EQ(fake[0].injected, 2);
	hv.caps.vendor = LVBS_VENDOR_SVM;
}

TEST(dt_pins_hold_and_reloading_the_same_table_passes)
{
	/* lidt (%rbx); lgdt (%rbx); ltr %ax */
	static const u8 lidt[] = { 0x0f, 0x01, 0x1b };
	static const u8 lgdt[] = { 0x0f, 0x01, 0x13 };
	static const u8 ltr[] = { 0x0f, 0x00, 0xd8 };
	u8 *op = (u8 *)data_gpa();
	u64 idt = 0xfffffe0000000000ULL, forged = 0xffff888012345000ULL;
	u16 limit = 0xfff;

	stub_reset();
	guest_map(0xffff888000300000ULL, data_gpa());
	fake[0].dt_base[LVBS_DT_IDTR] = idt;
	fake[0].dt_limit[LVBS_DT_IDTR] = limit;
	fake[0].dt_base[LVBS_DT_GDTR] = 0xfffffe0000001000ULL;
	fake[0].dt_limit[LVBS_DT_GDTR] = 0x7f;
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_DT), 0, 0, 0), LVBS_OK);
	CHECK_EQ(fake[0].dt_intercepts, 1);
	CHECK_EQ(dtpin_cpus(), 1);

	/* The same IDT again: loaded, RIP advanced. */
	memcpy(op, &limit, 2);
	memcpy(op + 2, &idt, 8);
	guest_code(0, lidt, sizeof(lidt));
	cpu0()->regs[REG_RBX] = 0xffff888000300000ULL;
	vcpu_handle_dt_write(cpu0(), LVBS_DT_IDTR);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].dt_writes, 1);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);

	/* A forged IDT: #GP, logged with its base, IDTR unchanged. */
	memcpy(op + 2, &forged, 8);
	guest_code(0, lidt, sizeof(lidt));
	vcpu_handle_dt_write(cpu0(), LVBS_DT_IDTR);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].dt_base[LVBS_DT_IDTR], idt);
	CHECK_EQ(last_event()->kind, LVBS_EV_DT_PIN);
	CHECK_EQ(last_event()->info1, forged);

	/* LGDT of the IDT's value: another table, refused. */
	guest_code(0, lgdt, sizeof(lgdt));
	vcpu_handle_dt_write(cpu0(), LVBS_DT_GDTR);
	CHECK_EQ(fake[0].injected, 2);

	/* An operand that is not mapped: #GP, not a guess. */
	guest_code(0, lidt, sizeof(lidt));
	cpu0()->regs[REG_RBX] = 0xffff888000500000ULL;
	vcpu_handle_dt_write(cpu0(), LVBS_DT_IDTR);
	CHECK_EQ(fake[0].injected, 3);
	CHECK_EQ(last_event()->kind, LVBS_EV_INSN_DECODE);

	/* LTR: always refused once pinned. */
	guest_code(0, ltr, sizeof(ltr));
	vcpu_handle_dt_write(cpu0(), LVBS_DT_TR);
	CHECK_EQ(fake[0].injected, 4);
	CHECK_EQ(last_event()->info0, LVBS_DT_TR);
}

/* A backend that cannot intercept the loads refuses the pin: nothing is pinned. */
TEST(dt_pin_refused_when_the_backend_cannot_intercept)
{
	stub_reset();
	fake[0].dt_no_intercept = true;
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_DT), 0, 0, 0), LVBS_E_NOSYS);
	CHECK_EQ(fake[0].dt_intercepts, 0);
	CHECK_EQ(dtpin_cpus(), 0);
}

/* VMX's descriptor-table exits: every such instruction, carried out by the core. */
#define KDATA_GVA	0xffff888000300000ULL
#define UDATA_GVA	0x00007f0000010000ULL

static void dt_access_setup(void)
{
	stub_reset();
	guest_map(KDATA_GVA, data_gpa());
	fake[0].dt_base[LVBS_DT_IDTR] = 0xfffffe0000000000ULL;
	fake[0].dt_limit[LVBS_DT_IDTR] = 0xfff;
	fake[0].dt_base[LVBS_DT_GDTR] = 0xfffffe0000001000ULL;
	fake[0].dt_limit[LVBS_DT_GDTR] = 0x7f;
	fake[0].ldtr_sel = 0;
	fake[0].tr_sel = 0x40;
	CHECK_EQ(call(LVBS_HC(LVBS_HC_PIN_DT), 0, 0, 0), LVBS_OK);
}

/* Run the instruction at CODE_GVA on CPU 0 through the VMX path. */
/* As the CPU reports it: the instruction that is at RIP. */
static u32 hw_op_of(const u8 *code, u32 n)
{
	struct insn in;

	if ((fake[0].compat ? insn_decode32(code, n, &in) : insn_decode(code, n, &in)))
		return INSN_SGDT;	/* a test of bytes that do not decode */
	return in.op;
}

/* The instruction length the CPU reports, if not 0 (VMX always does). */
static u32 dt_hw_len;

static void dt_exec_as(const u8 *code, u32 n, u32 cpl, u64 rbx, u32 hw_op)
{
	guest_code(0, code, n);
	if (dt_hw_len) {
		fake[0].has_nrip = true;
		fake[0].next_rip = CODE_GVA + dt_hw_len;
	}
	fake[0].cpl = cpl;
	cpu0()->regs[REG_RBX] = rbx;
	vcpu_handle_dt_access(cpu0(), hw_op);
}

static void dt_exec(const u8 *code, u32 n, u32 cpl, u64 rbx)
{
	dt_exec_as(code, n, cpl, rbx, hw_op_of(code, n));
}

TEST(dt_access_stores_what_the_cpu_would)
{
	static const u8 sgdt[] = { 0x0f, 0x01, 0x03 };		/* sgdt (%rbx) */
	static const u8 sidt[] = { 0x0f, 0x01, 0x0b };		/* sidt (%rbx) */
	static const u8 sldt_eax[] = { 0x0f, 0x00, 0xc0 };	/* sldt %eax */
	static const u8 sldt_ax[] = { 0x66, 0x0f, 0x00, 0xc0 };	/* sldt %ax */
	static const u8 str_rbx[] = { 0x0f, 0x00, 0x0b };	/* str (%rbx) */
	u8 *k = (u8 *)data_gpa(), *u = k + 0x1000;
	u64 base;
	u16 limit;

	dt_access_setup();
	/* The kernel's SGDT: 10 bytes, RIP past it, leaf accessed and dirty. */
	memset(k, 0xee, 16);
	*guest_pte(KDATA_GVA) &= ~0x60ULL;
	dt_exec(sgdt, sizeof(sgdt), 0, KDATA_GVA);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);
	memcpy(&limit, k, 2);
	memcpy(&base, k + 2, 8);
	CHECK_EQ(limit, 0x7f);
	CHECK_EQ(base, 0xfffffe0000001000ULL);
	CHECK_EQ(k[10], 0xee);
	CHECK_EQ(*guest_pte(KDATA_GVA) & 0x60, 0x60);
	CHECK_EQ(cpu0()->exits[LVBS_EXIT_DT_ACCESS], 1);

	/* A 64-bit process's SIDT into its own page. */
	guest_map_flags(UDATA_GVA, (u64)u, 0x7);
	dt_exec(sidt, sizeof(sidt), 3, UDATA_GVA + 8);
	CHECK_EQ(fake[0].injected, 0);
	memcpy(&base, u + 10, 8);
	CHECK_EQ(base, 0xfffffe0000000000ULL);

	/* SLDT into a 32-bit register zero-extends; into a 16-bit one it merges. */
	fake[0].ldtr_sel = 0x50;
	cpu0()->regs[REG_RAX] = ~0ULL;
	dt_exec(sldt_eax, sizeof(sldt_eax), 3, 0);
	CHECK_EQ(cpu0()->regs[REG_RAX], 0x50);
	cpu0()->regs[REG_RAX] = ~0ULL;
	dt_exec(sldt_ax, sizeof(sldt_ax), 3, 0);
	CHECK_EQ(cpu0()->regs[REG_RAX], 0xffffffffffff0050ULL);
	CHECK_EQ(fake[0].rip, CODE_GVA + 4);

	/* STR to memory: 2 bytes. */
	memset(u, 0xee, 4);
	dt_exec(str_rbx, sizeof(str_rbx), 3, UDATA_GVA);
	CHECK_EQ(u[0], 0x40);
	CHECK_EQ(u[1], 0);
	CHECK_EQ(u[2], 0xee);
	CHECK_EQ(fake[0].injected, 0);
}

TEST(dt_access_stores_fault_as_the_cpu_would)
{
	static const u8 sidt[] = { 0x0f, 0x01, 0x0b };		/* sidt (%rbx) */
	u8 *k = (u8 *)data_gpa(), *u = k + 0x1000;

	dt_access_setup();
	/* From user mode onto a kernel page: #PF P|W|U, CR2, nothing written, RIP kept. */
	memset(k, 0xee, 16);
	dt_exec(sidt, sizeof(sidt), 3, KDATA_GVA);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_PF);
	CHECK_EQ(fake[0].inj_err, 7);
	CHECK_EQ(fake[0].cr2, KDATA_GVA);
	CHECK_EQ(k[0], 0xee);
	CHECK_EQ(fake[0].rip, CODE_GVA);

	/* Onto a page not mapped yet: #PF W|U, the kernel faults it in. */
	dt_exec(sidt, sizeof(sidt), 3, UDATA_GVA + 0x5000);
	CHECK_EQ(fake[0].inj_err, 6);
	CHECK_EQ(fake[0].cr2, UDATA_GVA + 0x5000);

	/* A user page that is read-only (copy on write): #PF P|W|U. */
	guest_map_flags(UDATA_GVA, (u64)u, 0x5);
	dt_exec(sidt, sizeof(sidt), 3, UDATA_GVA);
	CHECK_EQ(fake[0].inj_err, 7);

	/* Across a page end into an unmapped page: the fault names that page, nothing written. */
	guest_map_flags(UDATA_GVA, (u64)u, 0x7);
	memset(u + 0xffc, 0xee, 4);
	dt_exec(sidt, sizeof(sidt), 3, UDATA_GVA + 0xffc);
	CHECK_EQ(fake[0].inj_err, 6);
	CHECK_EQ(fake[0].cr2, UDATA_GVA + 0x1000);
	CHECK_EQ(u[0xffc], 0xee);

	/* The kernel onto a user page under SMAP: #PF P|W without RFLAGS.AC, stored with it. */
	fake[0].cr4 |= BIT(21);
	dt_exec(sidt, sizeof(sidt), 0, UDATA_GVA);
	CHECK_EQ(fake[0].inj_err, 3);
	fake[0].rflags = X86_EFLAGS_AC;
	fake[0].injected = 0;
	dt_exec(sidt, sizeof(sidt), 0, UDATA_GVA);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(u[0], 0xff);

	/* Non-canonical: #GP. */
	dt_exec(sidt, sizeof(sidt), 3, 0x0000900000000000ULL);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);

	/* Onto hypervisor memory through a user mapping: the SLAT's fault handling refuses, logged. */
	guest_map_flags(UDATA_GVA + 0x2000, hv.hv_phys, 0x7);
	dt_exec(sidt, sizeof(sidt), 3, UDATA_GVA + 0x2000);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(last_event()->kind, LVBS_EV_HV_MEM_ACCESS);
	CHECK_EQ(cpu0()->exits[LVBS_EXIT_SLAT], 1);
	/* Onto something that is not RAM (a device BAR): not emulated, #GP, logged. */
	guest_map_flags(UDATA_GVA + 0x3000, 1ULL << 46, 0x7);
	dt_exec(sidt, sizeof(sidt), 3, UDATA_GVA + 0x3000);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(last_event()->kind, LVBS_EV_INSN_DECODE);
}

/* A 32-bit process: 32-bit addressing, segment bases, SGDT stores 6 bytes. */
TEST(dt_access_stores_from_32_bit_code)
{
	static const u8 sgdt_abs[] = { 0x0f, 0x01, 0x05, 0x00, 0x00, 0x01, 0x00 }; /* sgdt 0x10000 */
	static const u8 sidt_fs[] = { 0x64, 0x0f, 0x01, 0x0b };		/* sidt %fs:(%ebx) */
	static const u8 str_inc[] = { 0x40, 0x0f, 0x00, 0xc8 };		/* inc %eax; not REX */
	u8 *u = (u8 *)data_gpa() + 0x1000;
	u32 base32;
	u16 limit;

	dt_access_setup();
	guest_map_flags(0x10000, (u64)u, 0x7);
	fake[0].compat = true;
	memset(u, 0xee, 16);
	/* ModR/M 00/101 is an absolute address in 32-bit code, not RIP-relative. */
	dt_exec(sgdt_abs, sizeof(sgdt_abs), 3, 0);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].rip, CODE_GVA + sizeof(sgdt_abs));
	memcpy(&limit, u, 2);
	memcpy(&base32, u + 2, 4);
	CHECK_EQ(limit, 0x7f);
	CHECK_EQ(base32, 0x00001000);
	CHECK_EQ(u[6], 0xee);
	/* FS's base is added, the sum wraps at 4 GiB. */
	fake[0].seg_base[X86_SEG_FS] = 0xfffff000ULL;
	dt_exec(sidt_fs, sizeof(sidt_fs), 3, 0x100000011000ULL);	/* EBX = 0x11000 */
	CHECK_EQ(fake[0].injected, 0);
	memcpy(&limit, u, 2);
	CHECK_EQ(limit, 0xfff);
	/*
	 * 0x40 is INC in 32-bit code, not REX: these bytes are no DT
	 * instruction there (in 64-bit code they are STR). Not guessed at:
	 * #GP and an insn_decode entry.
	 */
	dt_exec(str_inc, sizeof(str_inc), 3, 0);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(last_event()->kind, LVBS_EV_INSN_DECODE);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	fake[0].compat = false;
}

TEST(dt_access_loads_and_refusals)
{
	static const u8 lldt_ax[] = { 0x0f, 0x00, 0xd0 };	/* lldt %ax */
	static const u8 lidt[] = { 0x0f, 0x01, 0x1b };		/* lidt (%rbx) */
	static const u8 ltr[] = { 0x0f, 0x00, 0xd8 };		/* ltr %ax */
	static const u8 sgdt[] = { 0x0f, 0x01, 0x03 };
	static const u8 cpuid[] = { 0x0f, 0xa2 };
	u8 *k = (u8 *)data_gpa();
	u64 idt = 0xfffffe0000000000ULL, forged = 0xffff888012345000ULL;
	u16 limit = 0xfff;

	dt_access_setup();
	/* LLDT of a good selector and of 0 (no LDT); a bad one gets #GP(selector). */
	fake[0].ldt_ok_sel = 0x60;
	cpu0()->regs[REG_RAX] = 0x60;
	dt_exec(lldt_ax, sizeof(lldt_ax), 0, 0);
	CHECK_EQ(fake[0].ldtr_sel, 0x60);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);
	cpu0()->regs[REG_RAX] = 0;
	dt_exec(lldt_ax, sizeof(lldt_ax), 0, 0);
	CHECK_EQ(fake[0].ldtr_sel, 0);
	CHECK_EQ(fake[0].injected, 0);
	cpu0()->regs[REG_RAX] = 0x68;
	dt_exec(lldt_ax, sizeof(lldt_ax), 0, 0);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake[0].inj_err, 0x68);
	CHECK_EQ(fake[0].ldtr_sel, 0);

	/* LIDT: the pinned table passes, a forged one is refused and logged, as on SVM. */
	memcpy(k, &limit, 2);
	memcpy(k + 2, &idt, 8);
	fake[0].injected = 0;
	dt_exec(lidt, sizeof(lidt), 0, KDATA_GVA);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].dt_writes, 1);
	memcpy(k + 2, &forged, 8);
	dt_exec(lidt, sizeof(lidt), 0, KDATA_GVA);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(last_event()->kind, LVBS_EV_DT_PIN);
	CHECK_EQ(last_event()->info1, forged);
	dt_exec(ltr, sizeof(ltr), 0, 0);
	CHECK_EQ(last_event()->info0, LVBS_DT_TR);

	/* 16-bit code, or 32-bit code with a based CS: not emulated, #GP, logged. */
	fake[0].compat = true;
	fake[0].code16 = true;
	fake[0].injected = 0;
	dt_exec(sgdt, sizeof(sgdt), 3, KDATA_GVA);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(last_event()->kind, LVBS_EV_INSN_DECODE);
	fake[0].code16 = false;
	fake[0].seg_base[X86_SEG_CS] = 0x10000;
	dt_exec(sgdt, sizeof(sgdt), 3, KDATA_GVA);
	CHECK_EQ(fake[0].injected, 2);
	fake[0].seg_base[X86_SEG_CS] = 0;
	/* LIDT in 32-bit code (only CPL 0 could): not emulated. */
	dt_exec(lidt, sizeof(lidt), 0, KDATA_GVA);
	CHECK_EQ(fake[0].injected, 3);
	fake[0].compat = false;

	/* Something else at RIP (the code changed): run again, nothing injected. */
	fake[0].injected = 0;
	dt_exec_as(cpuid, sizeof(cpuid), 3, 0, INSN_SGDT);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].rip, CODE_GVA);
}

/*
 * What the CPU exited on is what is carried out: another instruction at
 * RIP, another length, or a load from user mode (which the CPU refuses
 * before any exit: only a thread rewriting its code could get one here)
 * just runs again.
 */
TEST(dt_access_carries_out_only_what_exited)
{
	static const u8 sgdt[] = { 0x0f, 0x01, 0x03 };		/* sgdt (%rbx) */
	static const u8 lldt_ax[] = { 0x0f, 0x00, 0xd0 };	/* lldt %ax */
	static const u8 lidt[] = { 0x0f, 0x01, 0x1b };		/* lidt (%rbx) */
	u8 *k = (u8 *)data_gpa();

	dt_access_setup();
	memset(k, 0xee, 16);
	/* The CPU said SIDT; SGDT is there now. */
	dt_exec_as(sgdt, sizeof(sgdt), 0, KDATA_GVA, INSN_SIDT);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(k[0], 0xee);
	/* The CPU's length differs from the bytes': not the same instruction. */
	dt_hw_len = 4;
	dt_exec(sgdt, sizeof(sgdt), 0, KDATA_GVA);
	CHECK_EQ(k[0], 0xee);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	dt_hw_len = 3;
	dt_exec(sgdt, sizeof(sgdt), 0, KDATA_GVA);
	CHECK_EQ(k[0], 0x7f);
	CHECK_EQ(fake[0].rip, CODE_GVA + 3);
	dt_hw_len = 0;
	/* LLDT and LIDT from user mode: never carried out, nothing logged. */
	fake[0].ldt_ok_sel = 0x60;
	cpu0()->regs[REG_RAX] = 0x60;
	dt_exec(lldt_ax, sizeof(lldt_ax), 3, 0);
	CHECK_EQ(fake[0].ldtr_sel, 0);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	dt_exec(lidt, sizeof(lidt), 3, KDATA_GVA);
	CHECK_EQ(fake[0].dt_writes, 0);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(last_event() ? last_event()->kind : 0, 0);
}

/*
 * The accessed/dirty update of a paging-structure page the SLAT makes
 * read-only is a SLAT violation, as the CPU's walk would meet it: the
 * entry is not changed, and nothing is stored.
 */
TEST(dt_access_ad_update_meets_the_slat)
{
	static const u8 sgdt[] = { 0x0f, 0x01, 0x03 };
	u8 *k = (u8 *)data_gpa();
	u64 *pte, before;
	struct lvbs_mem_prot e = { .size = PAGE_SIZE, .perm = LVBS_PERM_R,
				   .owner = LVBS_OWNER_KERNEL };
	u32 applied;

	dt_access_setup();
	pte = guest_pte(KDATA_GVA);
	*pte &= ~0x60ULL;
	before = *pte;
	e.gpa = (u64)pte & ~(u64)(PAGE_SIZE - 1);
	CHECK_EQ(slat_protect(cpu0(), &e, 1, &applied), LVBS_OK);
	memset(k, 0xee, 16);
	dt_exec(sgdt, sizeof(sgdt), 0, KDATA_GVA);
	CHECK_EQ(*pte, before);
	CHECK_EQ(k[0], 0xee);
	CHECK_EQ(fake[0].rip, CODE_GVA);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(last_event()->kind, LVBS_EV_MEM_VIOLATION);
	CHECK_EQ(last_event()->access & LVBS_ACC_PTWALK, LVBS_ACC_PTWALK);
}

/* An outer hypervisor's MSRs: turned off (0) passes, anything else is refused. */
TEST(outer_hypervisor_msrs_are_not_written)
{
	stub_reset();
	fake_msr[0][0] = 0x4b564d01;		/* KVM's system-time MSR */
	fake_msr[0][1] = 0x1001;
	msr_write(0x4b564d01, hv.hv_phys | 1);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake_msr[0][1], 0x1001);
	CHECK_EQ(last_event()->kind, LVBS_EV_MSR_DENIED);
	CHECK_EQ(last_event()->info0, 0x4b564d01);
	fake[0].injected = 0;
	msr_write(0x4b564d01, 0);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake_msr[0][1], 0);
	msr_write(MSR_KVM_SYSTEM_TIME, 0x2001);	/* the old one, in the low range */
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
}

/*
 * Those of an outer hypervisor's MSRs that place no page and make it
 * write nothing pass: KVM's always, Hyper-V's only under Hyper-V's
 * interface; a synthetic timer only in direct mode, the crash control
 * only without a crash message; page-placing ones never.
 */
TEST(outer_hypervisor_msrs_without_pages_pass)
{
	static const struct { u32 msr; u64 v; } hyperv_ok[] = {
		{ 0x40000070, 1 }, { 0x40000071, 0x400000002 }, { 0x40000072, 1 },
		{ 0x40000080, 1 }, { 0x40000084, 1 }, { 0x40000090, 0x30 },
		{ 0x4000009f, 0x31 }, { 0x400000b0, BIT(12) | 1 },
		{ 0x400000b6, BIT(12) | BIT(16) | 1 }, { 0x40000100, 5 },
		{ 0x40000104, 0x1000 }, { 0x40000105, BIT(63) }, { 0x40000106, 1 },
		{ 0x40000108, 1 }, { 0x40000118, 1 },
	};
	static const struct { u32 msr; u64 v; } never[] = {
		{ 0x40000000, 1 }, { 0x40000001, 0x1001 }, { 0x40000003, 1 },
		{ 0x40000021, 0x2001 }, { 0x40000073, 0x3001 }, { 0x40000082, 0x4001 },
		{ 0x40000083, 0x5001 }, { 0x400000a0, 1 }, { 0x400000b8, 1 },
		{ 0x40000109, 1 }, { 0x40000200, 1 }, { 0x40001083, 0x5001 },
		{ 0x4b564d00, 0x6001 }, { 0x4b564d02, 0x7001 }, { 0x4b564d03, 0x8001 },
		{ 0x4b564d04, 0x9001 },
		{ 0x400000b0, 1 },				/* a timer that posts messages */
		{ 0x40000105, BIT(63) | BIT(62) },		/* a crash message */
	};

	stub_reset();
	hv.outer_hyperv = false;
	fake_msr[0][0] = 0x4b564d05;		/* KVM's poll control */
	msr_write(0x4b564d05, 1);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake_msr[0][1], 1);
	msr_write(0x400000b0, BIT(12) | 1);	/* STIMER0_CONFIG, not under Hyper-V */
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(last_event()->kind, LVBS_EV_MSR_DENIED);

	hv.outer_hyperv = true;
	for (u32 i = 0; i < ARRAY_SIZE(hyperv_ok); i++) {
		fake[0].injected = 0;
		fake_msr[0][0] = hyperv_ok[i].msr;
		fake_msr[0][1] = 0;
		msr_write(hyperv_ok[i].msr, hyperv_ok[i].v);
		CHECK_EQ(fake[0].injected, 0);
		CHECK_EQ(fake_msr[0][1], hyperv_ok[i].v);
	}
	for (u32 i = 0; i < ARRAY_SIZE(never); i++) {
		fake[0].injected = 0;
		fake_msr[0][0] = never[i].msr;
		fake_msr[0][1] = 7;
		msr_write(never[i].msr, never[i].v);
		CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
		CHECK_EQ(fake_msr[0][1], 7);
		CHECK_EQ(last_event()->info0, never[i].msr);
	}

	/* A timer's count only while its configuration is direct. */
	fake_msr[0][0] = 0x400000b2;		/* STIMER1_CONFIG */
	fake_msr[1][0] = 0x400000b3;		/* STIMER1_COUNT */
	fake_msr[0][1] = BIT(12) | 1;
	fake_msr[1][1] = 0;
	fake[0].injected = 0;
	msr_write(0x400000b3, 12345);
	CHECK_EQ(fake[0].injected, 0);
	CHECK_EQ(fake_msr[1][1], 12345);
	fake_msr[0][1] = 1;			/* message mode */
	msr_write(0x400000b3, 777);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(fake_msr[1][1], 12345);
	hv.outer_hyperv = false;
}

TEST(slat_violation_on_hypervisor_memory)
{
	stub_reset();
	slat_handle_npf(cpu0(), hv.hv_phys + 0x1000, LVBS_ACC_WRITE);
	CHECK_EQ(fake[0].inj_vec, X86_VEC_GP);
	CHECK_EQ(last_event()->kind, LVBS_EV_HV_MEM_ACCESS);
	CHECK_EQ(last_event()->gpa, hv.hv_phys + 0x1000);
	slat_handle_npf(cpu0(), 1ULL << 48, LVBS_ACC_READ);
	CHECK_EQ(last_event()->kind, LVBS_EV_SLAT_UNMAPPED);
	CHECK_EQ(cpu0()->exits[LVBS_EXIT_SLAT], 2);
}

/*
 * The way out of a failed or aborted launch: an NMI the hypervisor took
 * or queued for the guest is handed to the kernel once, a kick is not,
 * and a frame outside the per-CPU areas (entry_init's) owes nothing.
 */
TEST(owed_nmi_goes_to_the_kernel_once)
{
	const struct kframe *f1 = (const void *)(hv.percpu_base + HV_PERCPU_SIZE + 64);
	struct hv_cpu *c1;

	stub_reset();
	c1 = hv_cpu_of(1);
	CHECK_EQ(hv_take_owed_nmi(f1), 0);
	c1->nmi_root = 1;
	CHECK_EQ(hv_take_owed_nmi(f1), 1);
	CHECK_EQ(c1->nmi_root, 0);
	CHECK_EQ(hv_take_owed_nmi(f1), 0);
	c1->nmi_root = 1;		/* a shootdown kick: not the kernel's */
	c1->kick_pending = 1;
	CHECK_EQ(hv_take_owed_nmi(f1), 0);
	CHECK_EQ(c1->kick_pending, 0);
	c1->nmi_pending = 1;		/* queued for the guest, marked: kicks only */
	CHECK_EQ(hv_take_owed_nmi(f1), 0);
	c1->nmi_pending = 1;		/* a real one the guest never got */
	c1->nmi_real = 1;
	CHECK_EQ(hv_take_owed_nmi(f1), 1);
	CHECK_EQ(c1->nmi_pending, 0);
	CHECK_EQ(c1->nmi_real, 0);
	CHECK_EQ(hv_take_owed_nmi((const void *)(hv.percpu_base - 64)), 0);
	CHECK_EQ(hv_take_owed_nmi((const void *)(hv.percpu_base +
						 (u64)hv.nr_cpus * HV_PERCPU_SIZE)), 0);
	CHECK_EQ(cpu0()->nmi_root, 0);
}
