// SPDX-License-Identifier: GPL-2.0
/* Tests of hv/core/insn.c: every op, prefixes, REX, memory forms, limits. */
#include <stdlib.h>
#include <string.h>
#include <hv/types.h>
#include "core/insn.h"
#include "test.h"

/* x86 register numbers (hv/include/hv/x86.h is not included here). */
enum { REG_RAX_T = 0, REG_RCX_T = 1, REG_RSP_T = 4, REG_R8_T = 8 };

struct icase {
	const char *what;
	u8 bytes[20];
	u32 n;		/* bytes offered to the decoder */
	int ret;
	u8 len, op, mod, reg, rm;
};

#define OK(w, l, o, md, rg, r, n_, ...) \
	{ w, { __VA_ARGS__ }, n_, 0, l, o, md, rg, r }
#define BAD(w, n_, ...) \
	{ w, { __VA_ARGS__ }, n_, -1, 0, 0, 0, 0, 0 }

static const struct icase cases[] = {
	OK("cpuid", 2, INSN_CPUID, 0, 0, 0, 15, 0x0f, 0xa2),
	OK("rdmsr", 2, INSN_RDMSR, 0, 0, 0, 2, 0x0f, 0x32),
	OK("wrmsr", 2, INSN_WRMSR, 0, 0, 0, 2, 0x0f, 0x30),
	OK("clts", 2, INSN_CLTS, 0, 0, 0, 2, 0x0f, 0x06),
	OK("vmmcall", 3, INSN_VMMCALL, 3, 3, 1, 3, 0x0f, 0x01, 0xd9),
	OK("vmcall", 3, INSN_VMCALL, 3, 0, 1, 3, 0x0f, 0x01, 0xc1),
	OK("vmrun", 3, INSN_VMRUN, 3, 3, 0, 3, 0x0f, 0x01, 0xd8),
	OK("vmload", 3, INSN_VMLOAD, 3, 3, 2, 3, 0x0f, 0x01, 0xda),
	OK("vmsave", 3, INSN_VMSAVE, 3, 3, 3, 3, 0x0f, 0x01, 0xdb),
	OK("stgi", 3, INSN_STGI, 3, 3, 4, 3, 0x0f, 0x01, 0xdc),
	OK("clgi", 3, INSN_CLGI, 3, 3, 5, 3, 0x0f, 0x01, 0xdd),
	OK("skinit", 3, INSN_SKINIT, 3, 3, 6, 3, 0x0f, 0x01, 0xde),
	OK("invlpga", 3, INSN_INVLPGA, 3, 3, 7, 3, 0x0f, 0x01, 0xdf),
	OK("xsetbv", 3, INSN_XSETBV, 3, 2, 1, 3, 0x0f, 0x01, 0xd1),
	/* MOV CR: always register form, whatever mod says. */
	OK("mov cr0,rax", 3, INSN_MOV_TO_CR, 3, 0, 0, 3, 0x0f, 0x22, 0xc0),
	OK("mov cr4,rbx", 3, INSN_MOV_TO_CR, 3, 4, 3, 3, 0x0f, 0x22, 0xe3),
	OK("mov cr3,r11", 4, INSN_MOV_TO_CR, 3, 3, 11, 4, 0x41, 0x0f, 0x22, 0xdb),
	OK("mov cr8,rax", 4, INSN_MOV_TO_CR, 3, 8, 0, 4, 0x44, 0x0f, 0x22, 0xc0),
	OK("mov rax,cr3", 3, INSN_MOV_FROM_CR, 3, 3, 0, 3, 0x0f, 0x20, 0xd8),
	OK("mov r15,cr4 (REX.WB)", 4, INSN_MOV_FROM_CR, 3, 4, 15, 4, 0x49, 0x0f, 0x20, 0xe7),
	OK("mov cr mod=0 rm=5", 3, INSN_MOV_TO_CR, 3, 0, 5, 15, 0x0f, 0x22, 0x05, 1, 2, 3, 4),
	OK("mov cr mod=0 rm=4", 3, INSN_MOV_TO_CR, 3, 0, 4, 3, 0x0f, 0x22, 0x04),
	OK("mov cr mod=1", 3, INSN_MOV_TO_CR, 3, 0, 0, 3, 0x0f, 0x22, 0x40),
	/* LMSW register and memory. */
	OK("lmsw ax", 3, INSN_LMSW, 3, 6, 0, 3, 0x0f, 0x01, 0xf0),
	OK("lmsw r9w", 4, INSN_LMSW, 3, 6, 9, 4, 0x41, 0x0f, 0x01, 0xf1),
	OK("lmsw [rax]", 3, INSN_LMSW, 0, 6, 0, 3, 0x0f, 0x01, 0x30),
	OK("lmsw [rip+d32]", 7, INSN_LMSW, 0, 6, 5, 7, 0x0f, 0x01, 0x35, 1, 2, 3, 4),
	/* LGDT / LIDT memory forms. */
	OK("lgdt [rax]", 3, INSN_LGDT, 0, 2, 0, 3, 0x0f, 0x01, 0x10),
	OK("lgdt [rip+d32]", 7, INSN_LGDT, 0, 2, 5, 7, 0x0f, 0x01, 0x15, 0x10, 0, 0, 0),
	OK("lgdt [rbp+d32]", 7, INSN_LGDT, 2, 2, 5, 7, 0x0f, 0x01, 0x95, 0, 1, 0, 0),
	OK("lgdt [rbp+d8]", 4, INSN_LGDT, 1, 2, 5, 4, 0x0f, 0x01, 0x55, 0x08),
	OK("lgdt [d32] (SIB no base)", 8, INSN_LGDT, 0, 2, 4, 8,
	   0x0f, 0x01, 0x14, 0x25, 0, 0x10, 0, 0),
	OK("lgdt [rbp+rax+d8] (SIB base 5, mod 1)", 5, INSN_LGDT, 1, 2, 4, 5,
	   0x0f, 0x01, 0x54, 0x05, 0x08),
	OK("lgdt [rax+rcx*4]", 4, INSN_LGDT, 0, 2, 4, 4, 0x0f, 0x01, 0x14, 0x88),
	OK("lgdt [r12] (REX.B, SIB)", 5, INSN_LGDT, 0, 2, 12, 5, 0x41, 0x0f, 0x01, 0x14, 0x24),
	OK("lgdt [rip+d32] with REX.B", 8, INSN_LGDT, 0, 2, 13, 8,
	   0x41, 0x0f, 0x01, 0x15, 1, 2, 3, 4),
	OK("lidt [rsp+8]", 5, INSN_LIDT, 1, 3, 4, 5, 0x0f, 0x01, 0x5c, 0x24, 0x08),
	OK("lidt [rsp+d32]", 8, INSN_LIDT, 2, 3, 4, 8, 0x0f, 0x01, 0x9c, 0x24, 0, 1, 0, 0),
	OK("lidt [rdi+d32]", 7, INSN_LIDT, 2, 3, 7, 7, 0x0f, 0x01, 0x9f, 0, 1, 0, 0),
	OK("lidt [r8] (REX.R ignored for op)", 4, INSN_LIDT, 0, 11, 8, 4, 0x45, 0x0f, 0x01, 0x18),
	/* LLDT / LTR, register and memory. */
	OK("lldt ax", 3, INSN_LLDT, 3, 2, 0, 3, 0x0f, 0x00, 0xd0),
	OK("lldt [rax]", 3, INSN_LLDT, 0, 2, 0, 3, 0x0f, 0x00, 0x10),
	OK("ltr ax", 3, INSN_LTR, 3, 3, 0, 3, 0x0f, 0x00, 0xd8),
	OK("ltr [rbp+0x10]", 4, INSN_LTR, 1, 3, 5, 4, 0x0f, 0x00, 0x5d, 0x10),
	OK("ltr [rip+d32]", 7, INSN_LTR, 0, 3, 5, 7, 0x0f, 0x00, 0x1d, 1, 2, 3, 4),
	/* The stores VMX's descriptor-table exiting traps too. */
	OK("sgdt [rax]", 3, INSN_SGDT, 0, 0, 0, 15, 0x0f, 0x01, 0x00),
	OK("sidt [r9+8]", 5, INSN_SIDT, 1, 1, 9, 15, 0x41, 0x0f, 0x01, 0x49, 0x08),
	OK("sldt [rax]", 3, INSN_SLDT, 0, 0, 0, 15, 0x0f, 0x00, 0x00),
	OK("sldt r10", 4, INSN_SLDT, 3, 0, 10, 15, 0x49, 0x0f, 0x00, 0xc2),
	OK("str eax", 3, INSN_STR, 3, 1, 0, 15, 0x0f, 0x00, 0xc8),
	/* Prefixes. */
	OK("66 vmmcall", 4, INSN_VMMCALL, 3, 3, 1, 4, 0x66, 0x0f, 0x01, 0xd9),
	OK("segs cpuid", 8, INSN_CPUID, 0, 0, 0, 8, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x0f, 0xa2),
	OK("67 lgdt [eax]", 4, INSN_LGDT, 0, 2, 0, 4, 0x67, 0x0f, 0x01, 0x10),
	OK("rex.w cpuid", 3, INSN_CPUID, 0, 0, 0, 3, 0x48, 0x0f, 0xa2),
	OK("prefixes + rex", 5, INSN_WRMSR, 0, 0, 0, 5, 0x66, 0xf3, 0x4f, 0x0f, 0x30),
	OK("15 bytes exactly", 15, INSN_CPUID, 0, 0, 0, 15,
	   0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	   0x0f, 0xa2),
	OK("lgdt 15 bytes", 15, INSN_LGDT, 0, 2, 5, 15,
	   0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x0f, 0x01, 0x15, 1, 2, 3, 4),
	/* Too long. */
	BAD("16 bytes", 16, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	    0x66, 0x66, 0x66, 0x66, 0x0f, 0xa2),
	BAD("16 bytes vmmcall", 16, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	    0x66, 0x66, 0x66, 0x66, 0x0f, 0x01, 0xd9),
	BAD("lgdt 16 bytes", 16, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	    0x0f, 0x01, 0x15, 1, 2, 3, 4),
	BAD("all prefixes", 20, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66),
	/* Truncated. */
	BAD("empty", 0, 0x0f, 0xa2),
	BAD("0f only", 1, 0x0f, 0xa2),
	BAD("prefix only", 1, 0x66, 0x0f, 0xa2),
	BAD("rex only", 1, 0x48, 0x0f, 0xa2),
	BAD("0f 01 no modrm", 2, 0x0f, 0x01, 0xd9),
	BAD("0f 22 no modrm", 2, 0x0f, 0x22, 0xc0),
	BAD("0f 00 no modrm", 2, 0x0f, 0x00, 0xd8),
	BAD("lgdt rip short disp", 6, 0x0f, 0x01, 0x15, 1, 2, 3, 4),
	BAD("lidt no SIB", 3, 0x0f, 0x01, 0x5c, 0x24, 0x08),
	BAD("lidt no disp8", 4, 0x0f, 0x01, 0x5c, 0x24, 0x08),
	BAD("lgdt SIB no-base short", 7, 0x0f, 0x01, 0x14, 0x25, 0, 0x10, 0, 0),
	/* Unknown. */
	BAD("nop", 15, 0x90),
	BAD("syscall", 15, 0x0f, 0x05),
	BAD("xgetbv", 15, 0x0f, 0x01, 0xd0),
	BAD("monitor", 15, 0x0f, 0x01, 0xc8),
	BAD("swapgs", 15, 0x0f, 0x01, 0xf8),
	BAD("smsw", 15, 0x0f, 0x01, 0xe0),
	BAD("invlpg [rax]", 15, 0x0f, 0x01, 0x38),
	BAD("0f 01 c7 (SGDT has no register form)", 15, 0x0f, 0x01, 0xc7),
	BAD("verr ax", 15, 0x0f, 0x00, 0xe0),
	BAD("mov dr", 15, 0x0f, 0x23, 0xc0),
	BAD("rex before prefix", 15, 0x48, 0x66, 0x0f, 0xa2),
	BAD("two rex", 15, 0x48, 0x41, 0x0f, 0xa2),
	BAD("vex", 15, 0xc5, 0xf8, 0x77),
};

TEST(insn_table)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct icase *c = &cases[i];
		struct insn in;
		int r;

		memset(&in, 0xee, sizeof(in));
		r = insn_decode(c->bytes, c->n, &in);
		if (r != c->ret) {
			test_fail(__FILE__, __LINE__, "%s: returned %d, want %d",
				  c->what, r, c->ret);
			continue;
		}
		if (r)
			continue;
		if (in.len != c->len || in.op != c->op)
			test_fail(__FILE__, __LINE__, "%s: len %u op %s, want len %u op %s",
				  c->what, in.len, insn_op_name(in.op), c->len,
				  insn_op_name(c->op));
		if (in.has_modrm && (in.mod != c->mod || in.reg != c->reg || in.rm != c->rm))
			test_fail(__FILE__, __LINE__, "%s: mod %u reg %u rm %u, want %u %u %u",
				  c->what, in.mod, in.reg, in.rm, c->mod, c->reg, c->rm);
		if (!in.has_modrm && (c->mod || c->reg || c->rm))
			test_fail(__FILE__, __LINE__, "%s: no modrm reported", c->what);
	}
}

TEST(insn_prefix_flags)
{
	static const u8 a[] = { 0xf0, 0x66, 0x67, 0xf2, 0xf3, 0x4c, 0x0f, 0x22, 0xc0 };
	static const u8 b[] = { 0xf3, 0xf2, 0x0f, 0xa2 };
	static const u8 c[] = { 0x0f, 0x01, 0xd9 };
	struct insn in;

	CHECK_EQ(insn_decode(a, sizeof(a), &in), 0);
	CHECK_EQ(in.len, 9);
	CHECK_EQ(in.op, INSN_MOV_TO_CR);
	CHECK_EQ(in.lock, 1);
	CHECK_EQ(in.opsize, 1);
	CHECK_EQ(in.addrsize, 1);
	CHECK_EQ(in.rep, 0xf3);
	CHECK_EQ(in.rex, 0x4c);
	CHECK_EQ(in.reg, 8);
	CHECK_EQ(in.rm, 0);
	CHECK_EQ(insn_decode(b, sizeof(b), &in), 0);
	CHECK_EQ(in.rep, 0xf2);
	CHECK_EQ(in.has_modrm, 0);
	CHECK_EQ(in.lock | in.opsize | in.addrsize | in.rex, 0);
	CHECK_EQ(insn_decode(c, sizeof(c), &in), 0);
	CHECK_EQ(in.has_modrm, 1);
	CHECK_EQ(in.lock | in.opsize | in.addrsize | in.rex | in.rep, 0);
	CHECK_EQ(insn_decode(NULL, 3, &in), -1);
	CHECK_EQ(insn_decode(c, 3, NULL), -1);
}

TEST(insn_buffer_not_overread)
{
	/* Ends exactly at the buffer end: nothing past it may be touched (ASan). */
	u8 *p = malloc(7);
	struct insn in;

	memcpy(p, (u8[]){ 0x0f, 0x01, 0x15, 1, 2, 3, 4 }, 7);
	CHECK_EQ(insn_decode(p, 7, &in), 0);
	CHECK_EQ(in.len, 7);
	CHECK_EQ(insn_decode(p, 6, &in), -1);
	free(p);
}

TEST(insn_names)
{
	u32 op;

	CHECK_STR(insn_op_name(INSN_VMMCALL), "vmmcall");
	CHECK_STR(insn_op_name(INSN_MOV_FROM_CR), "mov_from_cr");
	CHECK_STR(insn_op_name(INSN_LTR), "ltr");
	CHECK_STR(insn_op_name(INSN_UNKNOWN), "unknown");
	CHECK_STR(insn_op_name(INSN_OP_MAX), "unknown");
	CHECK_STR(insn_op_name(0xffffffffu), "unknown");
	for (op = 1; op < INSN_OP_MAX; op++) {
		const char *n = insn_op_name(op);

		CHECK(n && n[0] && strcmp(n, "unknown"));
	}
}

/* Memory operands of LIDT / LGDT: addressing decoded, address computed. */
TEST(insn_mem_operand_address)
{
	u64 regs[16] = { 0 };
	struct insn in;

	regs[REG_RSP_T] = 0xffffc90000123f00ULL;
	regs[REG_RCX_T] = 3;
	regs[REG_R8_T] = 0xffff888000010000ULL;
	regs[REG_RAX_T] = 0x1234567800000100ULL;

	/* lidt 0x10(%rip) */
	static const u8 rip_rel[] = { 0x0f, 0x01, 0x1d, 0x10, 0x00, 0x00, 0x00 };
	CHECK_EQ(insn_decode(rip_rel, sizeof(rip_rel), &in), 0);
	CHECK_EQ(in.op, INSN_LIDT);
	CHECK_EQ(in.rip_rel, 1);
	CHECK_EQ(insn_mem_addr(&in, regs, 0xffffffff81000007ULL, 0, 0),
		 0xffffffff81000017ULL);

	/* lidt 8(%rsp): SIB without index */
	static const u8 rsp8[] = { 0x0f, 0x01, 0x5c, 0x24, 0x08 };
	CHECK_EQ(insn_decode(rsp8, sizeof(rsp8), &in), 0);
	CHECK_EQ(in.mem_base, REG_RSP_T);
	CHECK_EQ(in.mem_index, INSN_NO_REG);
	CHECK_EQ(insn_mem_addr(&in, regs, 0, 0, 0), 0xffffc90000123f08ULL);

	/* lgdt (%r8,%rcx,4): REX.B extends the SIB base */
	static const u8 r8[] = { 0x41, 0x0f, 0x01, 0x14, 0x88 };
	CHECK_EQ(insn_decode(r8, sizeof(r8), &in), 0);
	CHECK_EQ(in.op, INSN_LGDT);
	CHECK_EQ(in.mem_base, REG_R8_T);
	CHECK_EQ(in.mem_index, REG_RCX_T);
	CHECK_EQ(in.mem_scale, 4);
	CHECK_EQ(insn_mem_addr(&in, regs, 0, 0, 0), 0xffff88800001000cULL);

	/* lidt %gs:0x1000: no base, no index, GS base added */
	static const u8 gs[] = { 0x65, 0x0f, 0x01, 0x1c, 0x25, 0x00, 0x10, 0x00, 0x00 };
	CHECK_EQ(insn_decode(gs, sizeof(gs), &in), 0);
	CHECK_EQ(in.len, 9);
	CHECK_EQ(in.mem_base, INSN_NO_REG);
	CHECK_EQ(insn_mem_addr(&in, regs, 0, 0x1111, 0xffff888077c00000ULL),
		 0xffff888077c01000ULL);

	/* lidt -16(%eax): 32-bit addressing truncates, disp8 sign-extends */
	static const u8 a32[] = { 0x67, 0x0f, 0x01, 0x58, 0xf0 };
	CHECK_EQ(insn_decode(a32, sizeof(a32), &in), 0);
	CHECK_EQ(in.disp, -16);
	CHECK_EQ(insn_mem_addr(&in, regs, 0, 0, 0), 0xf0ULL);
}

/* The stores text patching emulates (memcpy's REP MOVS, MOV to memory). */
TEST(insn_stores)
{
	static const u8 rep_movsb[] = { 0xf3, 0xa4 };
	static const u8 rep_movsq[] = { 0xf3, 0x48, 0xa5 };
	static const u8 rep_stosb[] = { 0xf3, 0xaa };			/* memset */
	static const u8 stosq[] = { 0x48, 0xab };
	static const u8 mov_m8_al[] = { 0x88, 0x07 };			/* mov %al,(%rdi) */
	static const u8 mov_m64[] = { 0x48, 0x89, 0x47, 0x08 };		/* mov %rax,8(%rdi) */
	static const u8 mov_m16[] = { 0x66, 0x89, 0x07 };		/* mov %ax,(%rdi) */
	static const u8 mov_imm8[] = { 0xc6, 0x07, 0xcc };		/* movb $0xcc,(%rdi) */
	static const u8 mov_imm64[] = { 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff };
	static const u8 mov_reg_reg[] = { 0x89, 0xc7 };			/* mov %eax,%edi: no store */
	static const u8 mov_c7_r1[] = { 0xc7, 0x4f, 0x08, 0, 0, 0, 0 };	/* C7 /1: invalid */
	struct insn in;

	CHECK_EQ(insn_decode(rep_movsb, sizeof(rep_movsb), &in), 0);
	CHECK_EQ(in.op, INSN_MOVS);
	CHECK_EQ(in.width, 1);
	CHECK_EQ(in.rep, 0xf3);
	CHECK_EQ(in.len, 2);
	CHECK_EQ(insn_decode(rep_movsq, sizeof(rep_movsq), &in), 0);
	CHECK_EQ(in.width, 8);
	CHECK_EQ(in.len, 3);
	CHECK_EQ(insn_decode(rep_stosb, sizeof(rep_stosb), &in), 0);
	CHECK_EQ(in.op, INSN_STOS);
	CHECK_EQ(in.width, 1);
	CHECK_EQ(in.rep, 0xf3);
	CHECK_EQ(insn_decode(stosq, sizeof(stosq), &in), 0);
	CHECK_EQ(in.op, INSN_STOS);
	CHECK_EQ(in.width, 8);
	CHECK_EQ(in.rep, 0);
	CHECK_EQ(in.len, 2);
	CHECK_EQ(insn_decode(mov_m8_al, sizeof(mov_m8_al), &in), 0);
	CHECK_EQ(in.op, INSN_MOV_STORE);
	CHECK_EQ(in.width, 1);
	CHECK_EQ(in.mem_base, 7);
	CHECK_EQ(insn_decode(mov_m64, sizeof(mov_m64), &in), 0);
	CHECK_EQ(in.width, 8);
	CHECK_EQ(in.disp, 8);
	CHECK_EQ(in.len, 4);
	CHECK_EQ(insn_decode(mov_m16, sizeof(mov_m16), &in), 0);
	CHECK_EQ(in.width, 2);
	CHECK_EQ(insn_decode(mov_imm8, sizeof(mov_imm8), &in), 0);
	CHECK_EQ(in.op, INSN_MOV_STORE_IMM);
	CHECK_EQ(in.imm, (s64)(signed char)0xcc);
	CHECK_EQ(in.len, 3);
	CHECK_EQ(insn_decode(mov_imm64, sizeof(mov_imm64), &in), 0);
	CHECK_EQ(in.width, 8);
	CHECK_EQ(in.imm, -1);
	CHECK_EQ(in.len, 7);
	CHECK_EQ(insn_decode(mov_reg_reg, sizeof(mov_reg_reg), &in), -1);
	CHECK_EQ(insn_decode(mov_c7_r1, sizeof(mov_c7_r1), &in), -1);
	CHECK_EQ(insn_decode(mov_imm64, 5, &in), -1);		/* truncated */
}

/* Compatibility-mode code: no REX, absolute disp32, no 16-bit addressing. */
TEST(insn_decode32_compat_mode)
{
	static const u8 sgdt_abs[] = { 0x0f, 0x01, 0x05, 0x78, 0x56, 0x34, 0x12 };
	static const u8 sidt_a16[] = { 0x67, 0x0f, 0x01, 0x0f };
	static const u8 rex_str[] = { 0x41, 0x0f, 0x00, 0xc8 };
	static const u8 sldt_ax[] = { 0x66, 0x0f, 0x00, 0xc0 };
	struct insn in;

	CHECK_EQ(insn_decode32(sgdt_abs, sizeof(sgdt_abs), &in), 0);
	CHECK_EQ(in.op, INSN_SGDT);
	CHECK_EQ(in.len, 7);
	CHECK_EQ(in.rip_rel, 0);
	CHECK_EQ(in.mem_base, INSN_NO_REG);
	CHECK_EQ(insn_mem_addr(&in, (u64[16]){ 0 }, 0, 0, 0), 0x12345678);
	/* The same bytes in 64-bit code are RIP-relative. */
	CHECK_EQ(insn_decode(sgdt_abs, sizeof(sgdt_abs), &in), 0);
	CHECK_EQ(in.rip_rel, 1);
	CHECK_EQ(insn_decode32(sidt_a16, sizeof(sidt_a16), &in), -1);
	CHECK_EQ(insn_decode32(rex_str, sizeof(rex_str), &in), -1);
	CHECK_EQ(insn_decode(rex_str, sizeof(rex_str), &in), 0);
	CHECK_EQ(in.op, INSN_STR);
	CHECK_EQ(in.rm, 8);
	CHECK_EQ(insn_decode32(sldt_ax, sizeof(sldt_ax), &in), 0);
	CHECK_EQ(in.op, INSN_SLDT);
	CHECK_EQ(in.width, 2);
}
