// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptor-table pinning. Once a CPU has called LVBS_HC_PIN_DT, its
 * LIDT, LGDT and LTR exit to the hypervisor. LIDT/LGDT are decoded, their
 * 10-byte operand is read once through the guest's page tables, and the
 * load is done for the guest only if it names the pinned table (base and
 * limit) again; otherwise #GP and a dt_pin log entry. LTR is always
 * refused: Linux loads TR once per CPU, at bring-up.
 *
 * This pins which tables the CPU uses. It does not stop writes to the
 * tables' contents; that needs their pages read-only in the SLAT (the
 * permission database, issue 3).
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "hv.h"
#include "gwalk.h"
#include "insn.h"


long dtpin_request(struct hv_cpu *c)
{
	int r;

	arch_read_dt(c, LVBS_DT_IDTR, &c->dt_base[LVBS_DT_IDTR], &c->dt_limit[LVBS_DT_IDTR]);
	arch_read_dt(c, LVBS_DT_GDTR, &c->dt_base[LVBS_DT_GDTR], &c->dt_limit[LVBS_DT_GDTR]);
	/* A backend that cannot intercept them refuses: nothing pinned. */
	r = arch_intercept_dt_writes(c);
	if (r)
		return r;
	c->dt_pinned = 1;
	return LVBS_OK;
}

u32 dtpin_cpus(void)
{
	u32 n = 0;

	for (u32 i = 0; i < hv.nr_cpus; i++) {
		struct hv_cpu *c = hv_cpu_of(i);

		if (READ_ONCE(c->state) == CPU_RUNNING && READ_ONCE(c->dt_pinned))
			n++;
	}
	return n;
}

static void refuse(struct hv_cpu *c, u32 which, u64 base)
{
	hv_log_event(c, LVBS_EV_DT_PIN, LVBS_ACC_WRITE, LVBS_ACT_INJECT_GP, 0, which, base);
	arch_inject(c, X86_VEC_GP, true, 0);
}

/* The operand of the LIDT/LGDT at RIP: limit and base, read once. */
static int dt_operand(struct hv_cpu *c, u32 which, u16 *limit, u64 *base, u32 *len)
{
	u8 raw[10];
	struct gwalk_ctx w;
	struct insn in;
	u64 rip = arch_rip(c), addr;

	if (vcpu_decode_at_rip(c, &in) || in.lock || in.mod == 3 ||
	    in.op != (which == LVBS_DT_IDTR ? INSN_LIDT : INSN_LGDT))
		return -1;
	addr = insn_mem_addr(&in, c->regs, rip + in.len, arch_guest_msr(c, MSR_FS_BASE),
			     arch_guest_msr(c, MSR_GS_BASE));
	vcpu_guest_walker(c, &w);
	if (gwalk_read(&w, addr, raw, sizeof(raw)))
		return -1;
	memcpy(limit, raw, 2);
	memcpy(base, raw + 2, 8);
	*len = in.len;
	return 0;
}

void vcpu_handle_dt_write(struct hv_cpu *c, u32 which)
{
	u16 limit;
	u64 base;
	u32 len;

	vcpu_count_exit(c, LVBS_EXIT_DT_ACCESS);
	if (which == LVBS_DT_TR) {
		refuse(c, which, 0);
		return;
	}
	if (dt_operand(c, which, &limit, &base, &len)) {
		/* Operand not readable (the CPU would fault) or not decodable. */
		hv_log_event(c, LVBS_EV_INSN_DECODE, LVBS_ACC_WRITE, LVBS_ACT_INJECT_GP,
			     0, which == LVBS_DT_IDTR ? INSN_LIDT : INSN_LGDT, 0);
		arch_inject(c, X86_VEC_GP, true, 0);
		return;
	}
	if (base != c->dt_base[which] || limit != c->dt_limit[which]) {
		refuse(c, which, base);
		return;
	}
	arch_write_dt(c, which, base, limit);
	arch_set_rip(c, arch_rip(c) + len);
}
