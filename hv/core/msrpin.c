// SPDX-License-Identifier: GPL-2.0
/*
 * MSR pinning. The MSRs that steer kernel entry (SYSCALL: STAR, LSTAR,
 * CSTAR, SFMASK; SYSENTER: CS, ESP, EIP) and the protection bits of EFER
 * (NXE, SCE, LME) are pinned by the kernel on each CPU to that CPU's values
 * (SYSENTER_ESP differs per CPU). Their writes are intercepted from launch
 * on (the kernel writes them only while bringing a CPU up); a write that
 * would change a pinned bit gets #GP and a msr_pin log entry.
 *
 * These MSRs are not switched by VMRUN (only VMLOAD would, which lvbs never
 * executes), so an allowed write is done by the hypervisor with a plain
 * WRMSR: the guest's value is the CPU's value.
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "hv.h"

static const u32 slot_msr[LVBS_MSR_SLOTS] = {
	[LVBS_MSR_SLOT_EFER]		= MSR_EFER,
	[LVBS_MSR_SLOT_STAR]		= MSR_STAR,
	[LVBS_MSR_SLOT_LSTAR]		= MSR_LSTAR,
	[LVBS_MSR_SLOT_CSTAR]		= MSR_CSTAR,
	[LVBS_MSR_SLOT_SFMASK]		= MSR_SFMASK,
	[LVBS_MSR_SLOT_SYSENTER_CS]	= MSR_SYSENTER_CS,
	[LVBS_MSR_SLOT_SYSENTER_ESP]	= MSR_SYSENTER_ESP,
	[LVBS_MSR_SLOT_SYSENTER_EIP]	= MSR_SYSENTER_EIP,
};

int msrpin_slot(u32 msr)
{
	for (u32 i = 0; i < LVBS_MSR_SLOTS; i++)
		if (slot_msr[i] == msr)
			return (int)i;
	return -1;
}

u32 msrpin_msr(u32 slot)
{
	return slot < LVBS_MSR_SLOTS ? slot_msr[slot] : 0;
}

static bool canonical(u64 v)
{
	return (u64)((s64)(v << 16) >> 16) == v;
}

/*
 * Would the CPU accept v for this entry MSR (no WRMSR in the hypervisor may
 * fault)? Addresses must be canonical; the upper halves of SFMASK and
 * SYSENTER_CS are reserved (AMD APM vol. 2 6.1.1, Intel SDM vol. 3 5.8.7).
 */
bool msrpin_value_ok(u32 msr, u64 v)
{
	switch (msr) {
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SYSENTER_ESP:
	case MSR_SYSENTER_EIP:
		return canonical(v);
	case MSR_SFMASK:
	case MSR_SYSENTER_CS:
		return (v >> 32) == 0;
	default:
		return true;
	}
}

/* May this CPU write v? Logs the refusal. */
bool msrpin_allows(struct hv_cpu *c, u32 slot, u64 v)
{
	if (!((v ^ c->msr_pin_val[slot]) & c->msr_pin_mask[slot]))
		return true;
	hv_log_event(c, LVBS_EV_MSR_PIN, LVBS_ACC_WRITE, LVBS_ACT_INJECT_GP, 0,
		     slot_msr[slot], v);
	return false;
}

/* LVBS_HC_PIN_MSR on the calling CPU. */
long msrpin_request(struct hv_cpu *c, u64 slot, u64 mask)
{
	u64 cur, fresh;

	if (slot >= LVBS_MSR_SLOTS || mask == 0)
		return LVBS_E_INVAL;
	if (slot == LVBS_MSR_SLOT_EFER && (mask & ~LVBS_PIN_EFER_ALLOWED))
		return LVBS_E_INVAL;
	cur = arch_guest_msr(c, slot_msr[slot]);
	fresh = mask & ~c->msr_pin_mask[slot];
	c->msr_pin_val[slot] = (c->msr_pin_val[slot] & ~fresh) | (cur & fresh);
	c->msr_pin_mask[slot] |= mask;
	return LVBS_OK;
}

/* Bit n set: slot n has a pin on every running CPU. */
u32 msrpin_everywhere(void)
{
	u32 all = (1u << LVBS_MSR_SLOTS) - 1;

	for (u32 i = 0; i < hv.nr_cpus; i++) {
		struct hv_cpu *c = hv_cpu_of(i);
		u32 mine = 0;

		if (READ_ONCE(c->state) != CPU_RUNNING)
			continue;
		for (u32 s = 0; s < LVBS_MSR_SLOTS; s++)
			if (READ_ONCE(c->msr_pin_mask[s]))
				mine |= 1u << s;
		all &= mine;
	}
	return all;
}
