// SPDX-License-Identifier: GPL-2.0
/*
 * Control-register pinning and the emulation of intercepted CR0/CR4 writes.
 *
 * The guest kernel pins security bits (CR0.WP/PE/PG, CR4.SMEP/SMAP/UMIP/CET)
 * to their current values with LVBS_HC_PIN_CR; from then on the backend
 * intercepts that CPU's CR0/CR4 writes and every write comes here: it is
 * decoded (MOV to CR, LMSW, CLTS), checked as the CPU would check it (a
 * value the CPU would refuse must not reach the VMCB, or VMRUN fails), then
 * checked against the pins. A violation gets #GP and a log entry; the
 * register keeps its value.
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "hv.h"
#include "insn.h"

#define CR0_MP		BIT(1)
#define CR0_EM		BIT(2)
#define CR0_TS		BIT(3)
#define CR0_ET		BIT(4)
#define CR0_NE		BIT(5)
#define CR0_AM		BIT(18)
#define CR0_VALID	(X86_CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | \
			 X86_CR0_WP | CR0_AM | X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
/* Changes that alter translations: the guest's TLB must be flushed. */
#define CR0_FLUSH	(X86_CR0_PG | X86_CR0_WP | X86_CR0_CD | X86_CR0_NW)
#define CR4_PSE		BIT(4)
#define CR4_FLUSH	(CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PCIDE | \
			 LVBS_CR4_SMEP | LVBS_CR4_SMAP | BIT(22) /* PKE */)

/*
 * CR4 bits this CPU accepts (AMD APM vol. 2 3.1.3, Intel SDM vol. 3 2.5),
 * plus whatever the kernel had set at launch.
 */
u64 crpin_cr4_valid(u64 launch_cr4)
{
	u32 a, b, c, d, b7 = 0, c7 = 0, c1;
	u64 v = 0x7ff & ~BIT(11);	/* VME..OSXMMEXCPT, not UMIP */

	cpuid_count(0, 0, &a, &b, &c, &d);
	if (a >= 7)
		cpuid_count(7, 0, &a, &b7, &c7, &d);
	cpuid_count(1, 0, &a, &b, &c1, &d);
	if (c7 & BIT(2))
		v |= LVBS_CR4_UMIP;
	if (b7 & BIT(0))
		v |= BIT(16);		/* FSGSBASE */
	if (c1 & BIT(17))
		v |= X86_CR4_PCIDE;
	if (c1 & BIT(26))
		v |= BIT(18);		/* OSXSAVE */
	if (b7 & BIT(7))
		v |= LVBS_CR4_SMEP;
	if (b7 & BIT(20))
		v |= LVBS_CR4_SMAP;
	if (c7 & BIT(3))
		v |= BIT(22);		/* PKE */
	if (c7 & BIT(7))
		v |= LVBS_CR4_CET;
	return v | launch_cr4;
}

/* Would the CPU accept this value? 0, or -1 (#GP). */
static int cr_architectural(struct hv_cpu *c, u32 cr, u64 cur, u64 *v)
{
	struct guest_ctl g;

	arch_guest_ctl(c, &g);
	if (cr == 0) {
		if (*v >> 32)
			return -1;
		*v &= CR0_VALID;	/* other low bits are ignored by the CPU */
		if ((*v & X86_CR0_NW) && !(*v & X86_CR0_CD))
			return -1;
		if ((*v & X86_CR0_PG) && !(*v & X86_CR0_PE))
			return -1;
		/* Leaving long mode is not something lvbs emulates. */
		if ((g.efer & EFER_LMA) && !(*v & X86_CR0_PG))
			return -1;
		return 0;
	}
	if (*v & ~hv.caps.cr4_valid)
		return -1;
	if ((*v ^ cur) & X86_CR4_LA57)
		return -1;	/* cannot change with paging on */
	if ((g.efer & EFER_LMA) && !(*v & X86_CR4_PAE))
		return -1;
	if ((*v & ~cur & X86_CR4_PCIDE) && (g.cr3 & 0xfff))
		return -1;
	return 0;
}

/*
 * The new value the instruction at RIP writes, and its length. gpr >= 0 is
 * the source register the CPU decoded for us (decode assists, MOV only).
 */
static int cr_new_value(struct hv_cpu *c, u32 cr, int gpr, u64 cur, u64 *v, u32 *len)
{
	struct insn in;

	if (gpr >= 0 && gpr < 16) {
		*v = c->regs[gpr];
		*len = 0;	/* next RIP comes from the CPU */
		return 0;
	}
	if (vcpu_decode_at_rip(c, &in))
		return -1;
	*len = in.len;
	if (in.op == INSN_MOV_TO_CR && in.reg == cr && !in.lock) {
		*v = c->regs[in.rm & 15];
		return 0;
	}
	if (cr == 0 && in.op == INSN_CLTS) {
		*v = cur & ~CR0_TS;
		return 0;
	}
	if (cr == 0 && in.op == INSN_LMSW && in.mod == 3) {
		/* LMSW loads PE, MP, EM, TS and cannot clear PE. */
		*v = (cur & ~0xfULL) | (c->regs[in.rm & 15] & 0xf) | (cur & X86_CR0_PE);
		return 0;
	}
	return -1;
}

void vcpu_handle_cr_write(struct hv_cpu *c, u32 cr, int gpr)
{
	u64 cur = arch_read_cr(c, cr), v, bad;
	u32 len;

	vcpu_count_exit(c, LVBS_EXIT_CR_ACCESS);
	if (cr_new_value(c, cr, gpr, cur, &v, &len)) {
		hv_log_event(c, LVBS_EV_INSN_DECODE, LVBS_ACC_WRITE, LVBS_ACT_INJECT_UD,
			     0, INSN_MOV_TO_CR, cr);
		arch_inject(c, X86_VEC_UD, false, 0);
		return;
	}
	if (cr_architectural(c, cr, cur, &v)) {
		hv_log_event(c, LVBS_EV_CR_INVALID, LVBS_ACC_WRITE, LVBS_ACT_INJECT_GP,
			     0, cr, v);
		arch_inject(c, X86_VEC_GP, true, 0);
		return;
	}
	bad = (v ^ READ_ONCE(hv.pins.val[cr])) & READ_ONCE(hv.pins.mask[cr]);
	if (bad) {
		hv_log_event(c, LVBS_EV_CR_PIN, LVBS_ACC_WRITE, LVBS_ACT_INJECT_GP,
			     0, cr, v);
		arch_inject(c, X86_VEC_GP, true, 0);
		return;
	}
	arch_write_cr(c, cr, v, ((v ^ cur) & (cr == 0 ? CR0_FLUSH : CR4_FLUSH)) != 0);
	if (len)
		vcpu_insn_done(c, arch_rip(c) + len);
	else
		vcpu_skip_insn(c, INSN_MOV_TO_CR);
}

/* LVBS_HC_PIN_CR on the calling CPU. */
long crpin_request(struct hv_cpu *c, u64 cr, u64 mask)
{
	u64 allowed = cr == 0 ? LVBS_PIN_CR0_ALLOWED : LVBS_PIN_CR4_ALLOWED;
	u64 cur, cur0, cur4, fresh;
	long r = LVBS_OK;

	if ((cr != 0 && cr != 4) || (mask & ~allowed))
		return LVBS_E_INVAL;
	cur = arch_read_cr(c, (u32)cr);
	spin_lock(&hv.pins.lock);
	/* Bits pinned already must hold the same value on this CPU. */
	if ((cur ^ hv.pins.val[cr]) & hv.pins.mask[cr] & mask) {
		r = LVBS_E_INVAL;
		goto out;
	}
	fresh = mask & ~hv.pins.mask[cr];
	if (fresh) {
		/*
		 * Other CPUs read the pins without the lock: the value must be
		 * in place before the mask bit that makes it count.
		 */
		WRITE_ONCE(hv.pins.val[cr], (hv.pins.val[cr] & ~fresh) | (cur & fresh));
		barrier();
		WRITE_ONCE(hv.pins.mask[cr], hv.pins.mask[cr] | fresh);
		hv.pins.gen++;
	}
	/* This CPU must satisfy every pin before it starts enforcing them. */
	cur0 = arch_read_cr(c, 0);
	cur4 = arch_read_cr(c, 4);
	if (((cur0 ^ hv.pins.val[0]) & hv.pins.mask[0]) ||
	    ((cur4 ^ hv.pins.val[4]) & hv.pins.mask[4])) {
		r = LVBS_E_INVAL;
		goto out;
	}
	if (hv.pins.mask[0])
		arch_intercept_cr_write(c, 0);
	if (hv.pins.mask[4])
		arch_intercept_cr_write(c, 4);
	c->pin_gen = hv.pins.gen;
out:
	spin_unlock(&hv.pins.lock);
	return r;
}

u32 crpin_enforcing_cpus(void)
{
	u32 n = 0, gen = READ_ONCE(hv.pins.gen);

	for (u32 i = 0; i < hv.nr_cpus; i++) {
		struct hv_cpu *c = hv_cpu_of(i);

		if (READ_ONCE(c->state) == CPU_RUNNING && READ_ONCE(c->pin_gen) == gen)
			n++;
	}
	return n;
}
