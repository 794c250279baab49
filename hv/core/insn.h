/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoder for the few instructions lvbs intercepts, 64-bit mode only.
 * Needed because CPUs without AMD nRIP save / decode assists (and QEMU TCG)
 * give no next RIP or operands: the hypervisor reads the bytes at guest RIP
 * and finds the length and the operands itself.
 */
#ifndef HV_CORE_INSN_H
#define HV_CORE_INSN_H

#include <hv/types.h>

#define INSN_MAX_LEN 15

enum insn_op {
	INSN_UNKNOWN = 0,
	INSN_CPUID,		/* 0F A2 */
	INSN_RDMSR,		/* 0F 32 */
	INSN_WRMSR,		/* 0F 30 */
	INSN_VMMCALL,		/* 0F 01 D9 */
	INSN_VMCALL,		/* 0F 01 C1 */
	INSN_VMRUN,		/* 0F 01 D8 */
	INSN_VMLOAD,		/* 0F 01 DA */
	INSN_VMSAVE,		/* 0F 01 DB */
	INSN_STGI,		/* 0F 01 DC */
	INSN_CLGI,		/* 0F 01 DD */
	INSN_SKINIT,		/* 0F 01 DE */
	INSN_INVLPGA,		/* 0F 01 DF */
	INSN_XSETBV,		/* 0F 01 D1 */
	INSN_MOV_TO_CR,		/* 0F 22 /r: reg = CR number, rm = GPR */
	INSN_MOV_FROM_CR,	/* 0F 20 /r */
	INSN_CLTS,		/* 0F 06 */
	INSN_INVD,		/* 0F 08 */
	INSN_LMSW,		/* 0F 01 /6 */
	INSN_LGDT,		/* 0F 01 /2, memory operand */
	INSN_LIDT,		/* 0F 01 /3, memory operand */
	INSN_LLDT,		/* 0F 00 /2 */
	INSN_LTR,		/* 0F 00 /3 */
	INSN_SGDT,		/* 0F 01 /0, memory operand */
	INSN_SIDT,		/* 0F 01 /1, memory operand */
	INSN_SLDT,		/* 0F 00 /0: register or 16-bit memory operand */
	INSN_STR,		/* 0F 00 /1: register or 16-bit memory operand */
	INSN_MOV_STORE,		/* 88 /r, 89 /r: store a register to memory */
	INSN_MOV_STORE_IMM,	/* C6 /0 ib, C7 /0 iz: store an immediate to memory */
	INSN_MOVS,		/* A4 / A5 (REP allowed): copy [RSI] to [RDI] */
	INSN_STOS,		/* AA / AB (REP allowed): store AL/AX/EAX/RAX to [RDI] */
	INSN_OP_MAX
};

struct insn {
	u8 len;		/* total bytes, prefixes included */
	u8 op;		/* enum insn_op */
	u8 has_modrm;
	u8 mod;		/* ModRM.mod */
	u8 reg;		/* ModRM.reg, extended by REX.R */
	u8 rm;		/* ModRM.rm, extended by REX.B (register operand when mod == 3) */
	u8 rex;		/* REX byte, or 0 */
	u8 opsize;	/* 0x66 prefix seen */
	u8 addrsize;	/* 0x67 prefix seen */
	u8 compat;	/* decoded as compatibility-mode code (insn_decode32) */
	u8 lock;	/* 0xF0 prefix seen */
	u8 rep;		/* 0xF2 / 0xF3 prefix seen (last one) */
	/* Memory operand (has_modrm && mod != 3), SDM vol. 2 2.1.5 / 2.2.1: */
	u8 seg;		/* segment override prefix byte (0x64 FS, 0x65 GS...) or 0 */
	u8 rip_rel;	/* RIP-relative: address = next RIP + disp */
	u8 mem_base;	/* base register (REX.B applied), or INSN_NO_REG */
	u8 mem_index;	/* index register (REX.X applied), or INSN_NO_REG */
	u8 mem_scale;	/* 1, 2, 4 or 8 */
	s32 disp;	/* sign-extended displacement */
	/*
	 * Stores (INSN_MOV_STORE, _IMM, INSN_MOVS, INSN_STOS), and the
	 * register form of SLDT/STR: operand bytes, 1, 2, 4 or 8.
	 */
	u8 width;
	s64 imm;	/* INSN_MOV_STORE_IMM: the immediate, sign-extended */
};

#define INSN_NO_REG 0xff

/*
 * Decode the instruction at buf (n bytes available, n <= 15 is fine when the
 * instruction is shorter). Returns 0 and fills *out for the instructions in
 * enum insn_op; -1 for anything else, a truncated buffer, or more than 15
 * bytes. A LOCK prefix on these instructions is accepted and reported (the
 * CPU would raise #UD; the caller decides).
 */
int insn_decode(const u8 *buf, u32 n, struct insn *out);

/*
 * The same for 32-bit code in compatibility mode (a 32-bit process: CS.L
 * clear, CS.D set): no REX, 32-bit addressing by default (a 0x67 prefix,
 * 16-bit addressing, is refused for memory operands), and ModR/M 00/101
 * is an absolute disp32, not RIP-relative.
 */
int insn_decode32(const u8 *buf, u32 n, struct insn *out);

const char *insn_op_name(u32 op);

/*
 * The linear address of a decoded memory operand, given the guest's GPRs,
 * the address of the next instruction (for RIP-relative operands) and the
 * FS / GS bases (the only segment bases that count in 64-bit mode).
 * 32-bit addressing (0x67) truncates to 32 bits before the segment base.
 * For compatibility-mode code the caller adds the segment base itself
 * (pass 0 for both), since every segment's counts there.
 */
u64 insn_mem_addr(const struct insn *in, const u64 regs[16], u64 next_rip,
		  u64 fs_base, u64 gs_base);

#endif
