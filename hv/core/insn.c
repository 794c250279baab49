// SPDX-License-Identifier: GPL-2.0
/*
 * Length and operand decoder for the instructions lvbs intercepts, 64-bit
 * mode only (see insn.h). Encodings: Intel SDM vol. 2 ch. 2 "Instruction
 * Format" (prefixes, REX, ModR/M, SIB, displacement, RIP-relative
 * addressing in sec. 2.2.1.6) and the opcode maps of appendix A; AMD APM
 * vol. 3 ch. 1 and the SVM instruction pages.
 */
#include <hv/types.h>
#include "insn.h"

/* Cursor over the bytes we may look at: never past n, never past 15. */
struct insn_cur {
	const u8 *buf;
	u32 n;
	u32 pos;
};

static int next_byte(struct insn_cur *c, u8 *b)
{
	if (c->pos >= c->n || c->pos >= INSN_MAX_LEN)
		return -1;
	*b = c->buf[c->pos++];
	return 0;
}

static int skip_bytes(struct insn_cur *c, u32 k)
{
	/* pos <= 15 and k <= 4, so no overflow. */
	if (c->pos + k > c->n || c->pos + k > INSN_MAX_LEN)
		return -1;
	c->pos += k;
	return 0;
}

/*
 * Legacy prefixes (SDM vol. 2 sec. 2.1.1), any order and count; the limit
 * of 15 bytes bounds the loop. Returns the first non-prefix byte.
 */
static int read_prefixes(struct insn_cur *c, struct insn *out, u8 *b)
{
	for (;;) {
		if (next_byte(c, b))
			return -1;
		switch (*b) {
		case 0xf0:
			out->lock = 1;
			break;
		case 0xf2:
		case 0xf3:
			out->rep = *b;
			break;
		case 0x66:
			out->opsize = 1;
			break;
		case 0x67:
			out->addrsize = 1;
			break;
		case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65:
			out->seg = *b;	/* only FS / GS matter in 64-bit mode */
			break;
		default:
			return 0;
		}
	}
}

/* A little-endian value of k (1, 2 or 4) bytes, sign-extended. */
static int read_signed(struct insn_cur *c, u32 k, s64 *out)
{
	u32 v = 0;

	if (skip_bytes(c, k))
		return -1;
	for (u32 i = 0; i < k; i++)
		v |= (u32)c->buf[c->pos - k + i] << (8 * i);
	*out = k == 1 ? (signed char)v : k == 2 ? (short)v : (s32)v;
	return 0;
}

static int read_disp(struct insn_cur *c, u32 k, s32 *disp)
{
	s64 v;

	if (read_signed(c, k, &v))
		return -1;
	*disp = (s32)v;
	return 0;
}

/*
 * Decode the SIB and displacement of a memory ModR/M (mod != 3). The
 * special cases look at the three low bits only: REX.B does not change
 * them (SDM vol. 2 table 2-5). 32-bit addressing (0x67) has the same
 * layout in long mode.
 */
static int parse_mem_operand(struct insn_cur *c, struct insn *out, u8 mod, u8 rm3)
{
	u8 sib, rexb = (out->rex & 1) ? 8 : 0;

	out->mem_base = (u8)(rm3 | rexb);
	out->mem_index = INSN_NO_REG;
	out->mem_scale = 1;
	out->disp = 0;
	if (rm3 == 4) {
		u8 idx;

		if (next_byte(c, &sib))
			return -1;
		idx = ((sib >> 3) & 7) | ((out->rex & 2) ? 8 : 0);	/* REX.X */
		out->mem_index = idx == 4 ? INSN_NO_REG : idx;		/* no index */
		out->mem_scale = (u8)(1u << (sib >> 6));
		out->mem_base = (u8)((sib & 7) | rexb);
		if (mod == 0 && (sib & 7) == 5) {
			out->mem_base = INSN_NO_REG;	/* no base: disp32 */
			return read_disp(c, 4, &out->disp);
		}
	} else if (mod == 0 && rm3 == 5) {
		out->mem_base = INSN_NO_REG;
		out->rip_rel = !out->compat;		/* RIP + disp32; absolute in 32-bit code */
		return read_disp(c, 4, &out->disp);
	}
	if (mod == 1)
		return read_disp(c, 1, &out->disp);
	if (mod == 2)
		return read_disp(c, 4, &out->disp);
	return 0;
}

u64 insn_mem_addr(const struct insn *in, const u64 regs[16], u64 next_rip,
		  u64 fs_base, u64 gs_base)
{
	u64 a = (u64)(s64)in->disp;

	if (in->rip_rel)
		a += next_rip;
	if (in->mem_base < 16)
		a += regs[in->mem_base];
	if (in->mem_index < 16)
		a += regs[in->mem_index] * in->mem_scale;
	if (in->addrsize || in->compat)
		a = (u32)a;
	if (in->seg == 0x64)
		a += fs_base;
	else if (in->seg == 0x65)
		a += gs_base;
	return a;
}

static void set_modrm(struct insn *out, u8 modrm)
{
	out->has_modrm = 1;
	out->mod = modrm >> 6;
	out->reg = ((modrm >> 3) & 7) | ((out->rex & 0x4) ? 8 : 0);	/* REX.R */
	out->rm = (modrm & 7) | ((out->rex & 0x1) ? 8 : 0);		/* REX.B */
}

/* 0F 01 with mod == 3: the SVM, VMX and XSETBV opcodes are whole ModR/M bytes. */
static u8 grp7_reg_op(u8 modrm)
{
	switch (modrm) {
	case 0xc1: return INSN_VMCALL;
	case 0xd1: return INSN_XSETBV;
	case 0xd8: return INSN_VMRUN;
	case 0xd9: return INSN_VMMCALL;
	case 0xda: return INSN_VMLOAD;
	case 0xdb: return INSN_VMSAVE;
	case 0xdc: return INSN_STGI;
	case 0xdd: return INSN_CLGI;
	case 0xde: return INSN_SKINIT;
	case 0xdf: return INSN_INVLPGA;
	}
	if (((modrm >> 3) & 7) == 6)
		return INSN_LMSW;		/* 0F 01 F0+r: LMSW r16 */
	return INSN_UNKNOWN;
}

static u8 store_width(const struct insn *in, bool byte_form);

/* 0F 01 (group 7) and 0F 00 (group 6). */
static int decode_group(struct insn_cur *c, struct insn *out, u8 op2)
{
	u8 modrm, reg3;

	if (next_byte(c, &modrm))
		return -1;
	set_modrm(out, modrm);
	reg3 = (modrm >> 3) & 7;
	if (op2 == 0x00) {
		static const u8 grp6[4] = { INSN_SLDT, INSN_STR, INSN_LLDT, INSN_LTR };

		if (reg3 < 4)
			out->op = grp6[reg3];
		/* SLDT/STR to a register: its operand size (SDM vol. 2 "SLDT"). */
		out->width = out->mod == 3 ? store_width(out, false) : 2;
	} else if (out->mod == 3) {
		out->op = grp7_reg_op(modrm);
	} else if (reg3 == 0) {
		out->op = INSN_SGDT;
	} else if (reg3 == 1) {
		out->op = INSN_SIDT;
	} else if (reg3 == 2) {
		out->op = INSN_LGDT;
	} else if (reg3 == 3) {
		out->op = INSN_LIDT;
	} else if (reg3 == 6) {
		out->op = INSN_LMSW;
	}
	if (out->op == INSN_UNKNOWN)
		return -1;
	if (out->mod != 3)
		return parse_mem_operand(c, out, out->mod, modrm & 7);
	return 0;
}

/* Operand width of an instruction whose byte form is op8 (SDM vol. 2 3.1.1.1). */
static u8 store_width(const struct insn *in, bool byte_form)
{
	if (byte_form)
		return 1;
	if (in->rex & 0x8)	/* REX.W */
		return 8;
	return in->opsize ? 2 : 4;
}

/*
 * The one-byte stores text patching uses (memcpy and friends): MOV to
 * memory from a register or an immediate, and MOVS; and STOS (memset),
 * which a denied store may be (slat.c drops those). Register forms
 * (mod == 3) are not stores and are refused.
 */
static int decode_store(struct insn_cur *c, struct insn *out, u8 b)
{
	u8 modrm;

	switch (b) {
	case 0xa4:
	case 0xa5:
		out->op = INSN_MOVS;
		out->width = store_width(out, b == 0xa4);
		return 0;
	case 0xaa:
	case 0xab:
		out->op = INSN_STOS;
		out->width = store_width(out, b == 0xaa);
		return 0;
	case 0x88:
	case 0x89:
	case 0xc6:
	case 0xc7:
		break;
	default:
		return -1;
	}
	if (next_byte(c, &modrm))
		return -1;
	set_modrm(out, modrm);
	if (out->mod == 3)
		return -1;
	out->width = store_width(out, b == 0x88 || b == 0xc6);
	if (parse_mem_operand(c, out, out->mod, modrm & 7))
		return -1;
	if (b == 0x88 || b == 0x89) {
		out->op = INSN_MOV_STORE;
		return 0;
	}
	if ((modrm >> 3) & 7)		/* C6 /0, C7 /0 only */
		return -1;
	out->op = INSN_MOV_STORE_IMM;
	return read_signed(c, out->width == 1 ? 1 : out->width == 2 ? 2 : 4, &out->imm);
}

static int decode(const u8 *buf, u32 n, bool compat, struct insn *out)
{
	struct insn_cur c = { .buf = buf, .n = n, .pos = 0 };
	struct insn in = { .compat = compat };
	u8 b, modrm;

	if (!buf || !out)
		return -1;
	if (read_prefixes(&c, &in, &b))
		return -1;
	/*
	 * REX must be the last byte before the opcode (SDM vol. 2 sec.
	 * 2.2.1). In 32-bit code 40-4F are INC/DEC, not REX.
	 */
	if (!compat && (b & 0xf0) == 0x40) {
		in.rex = b;
		if (next_byte(&c, &b))
			return -1;
	}
	if (b != 0x0f) {
		if (decode_store(&c, &in, b))
			return -1;
		goto done;
	}
	if (next_byte(&c, &b))
		return -1;
	switch (b) {
	case 0xa2:
		in.op = INSN_CPUID;
		break;
	case 0x32:
		in.op = INSN_RDMSR;
		break;
	case 0x30:
		in.op = INSN_WRMSR;
		break;
	case 0x06:
		in.op = INSN_CLTS;
		break;
	case 0x08:
		in.op = INSN_INVD;
		break;
	case 0x20:
	case 0x22:
		/*
		 * MOV from/to CRn: the CPU ignores mod and always uses the
		 * register form (SDM vol. 2 "MOV - Move to/from Control
		 * Registers"). On AMD, LOCK selects CR8 for CR0 (APM vol. 3);
		 * lock is reported for the caller to decide.
		 */
		if (next_byte(&c, &modrm))
			return -1;
		set_modrm(&in, modrm | 0xc0);
		in.op = b == 0x22 ? INSN_MOV_TO_CR : INSN_MOV_FROM_CR;
		break;
	case 0x00:
	case 0x01:
		if (decode_group(&c, &in, b))
			return -1;
		break;
	default:
		return -1;
	}
done:
	/* 16-bit addressing in 32-bit code: not handled. */
	if (compat && in.addrsize && in.has_modrm && in.mod != 3)
		return -1;
	in.len = (u8)c.pos;
	*out = in;
	return 0;
}

int insn_decode(const u8 *buf, u32 n, struct insn *out)
{
	return decode(buf, n, false, out);
}

int insn_decode32(const u8 *buf, u32 n, struct insn *out)
{
	return decode(buf, n, true, out);
}

/*
 * Names live in a fixed-width character table, not an array of pointers:
 * the image is linked without relocations, and pointer tables (including
 * the ones GCC makes from a switch) would need them.
 */
static const char insn_names[INSN_OP_MAX][16] = {
	[INSN_UNKNOWN]		= "unknown",
	[INSN_CPUID]		= "cpuid",
	[INSN_RDMSR]		= "rdmsr",
	[INSN_WRMSR]		= "wrmsr",
	[INSN_VMMCALL]		= "vmmcall",
	[INSN_VMCALL]		= "vmcall",
	[INSN_VMRUN]		= "vmrun",
	[INSN_VMLOAD]		= "vmload",
	[INSN_VMSAVE]		= "vmsave",
	[INSN_STGI]		= "stgi",
	[INSN_CLGI]		= "clgi",
	[INSN_SKINIT]		= "skinit",
	[INSN_INVLPGA]		= "invlpga",
	[INSN_XSETBV]		= "xsetbv",
	[INSN_MOV_TO_CR]	= "mov_to_cr",
	[INSN_MOV_FROM_CR]	= "mov_from_cr",
	[INSN_MOV_STORE]	= "mov_store",
	[INSN_MOV_STORE_IMM]	= "mov_store_imm",
	[INSN_MOVS]		= "movs",
	[INSN_STOS]		= "stos",
	[INSN_CLTS]		= "clts",
	[INSN_INVD]		= "invd",
	[INSN_LMSW]		= "lmsw",
	[INSN_LGDT]		= "lgdt",
	[INSN_LIDT]		= "lidt",
	[INSN_LLDT]		= "lldt",
	[INSN_LTR]		= "ltr",
	[INSN_SGDT]		= "sgdt",
	[INSN_SIDT]		= "sidt",
	[INSN_SLDT]		= "sldt",
	[INSN_STR]		= "str",
};

const char *insn_op_name(u32 op)
{
	if (op >= INSN_OP_MAX)
		op = INSN_UNKNOWN;
	return insn_names[op];
}
