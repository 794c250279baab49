// SPDX-License-Identifier: GPL-2.0
/*
 * The VM-execution controls lvbs runs with on VMX, from the capability
 * MSRs (caps.h). Each control field's MSR gives the allowed-0 settings
 * in its low half (a bit set there cannot be cleared) and the allowed-1
 * settings in its high half (a bit clear there cannot be set): SDM
 * vol. 3C, A.3-A.5. The TRUE MSRs are required, so only bits the CPU
 * really forces are forced.
 */
#include <hv/types.h>
#include "caps.h"

/*
 * Per field: the bits lvbs cannot run without, and the bits whose exits
 * or effects it does not handle (refused if the CPU forces them on).
 */
#define PIN_NEED	(PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)
#define PIN_FORBID	(PIN_EXT_INT_EXITING | PIN_PREEMPTION_TIMER | PIN_POSTED_INTERRUPTS)

#define PROC_NEED	(PROC_MSR_BITMAPS | PROC_SECONDARY)
#define PROC_FORBID	(PROC_INTR_WINDOW | PROC_HLT_EXITING | PROC_INVLPG_EXITING | \
			 PROC_MWAIT_EXITING | PROC_RDPMC_EXITING | PROC_RDTSC_EXITING | \
			 PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING | PROC_TERTIARY | \
			 PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | PROC_TPR_SHADOW | \
			 PROC_NMI_WINDOW | PROC_MOV_DR_EXITING | PROC_UNCOND_IO_EXITING | \
			 PROC_IO_BITMAPS | PROC_MTF | PROC_MONITOR_EXITING | PROC_PAUSE_EXITING)

#define PROC2_NEED	(PROC2_EPT)
/* Every secondary control lvbs may set; any other forced on is refused. */
#define PROC2_MAY	(PROC2_EPT | PROC2_DT_EXITING | PROC2_RDTSCP | PROC2_VPID | \
			 PROC2_INVPCID | PROC2_XSAVES | PROC2_MBEC | PROC2_USER_WAIT_PAUSE)

#define EXIT_NEED	(EXIT_SAVE_DEBUG | EXIT_HOST_64 | EXIT_SAVE_PAT | EXIT_LOAD_PAT | \
			 EXIT_SAVE_EFER | EXIT_LOAD_EFER)
#define EXIT_FORBID	(BIT(12) | EXIT_ACK_INTERRUPT | EXIT_PREEMPTION_SAVE | BIT(28) | BIT(29))

#define ENTRY_NEED	(ENTRY_LOAD_DEBUG | ENTRY_GUEST_64 | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER)
#define ENTRY_FORBID	(ENTRY_SMM | ENTRY_DUAL_MONITOR | BIT(13) | BIT(17) | BIT(22))

#define EPT_NEED	(EPTCAP_WALK_4 | EPTCAP_WB | EPTCAP_INVEPT | EPTCAP_INVEPT_ALL)

static const char *const refusal_text[VMX_REFUSAL_MAX] = {
	[VMX_OK] = "usable",
	[VMX_NO_FEATURE_CONTROL] = "IA32_FEATURE_CONTROL is not locked with VMX outside SMX enabled (firmware left VMX off)",
	[VMX_NO_TRUE_CTLS] = "no TRUE VMX capability MSRs (IA32_VMX_BASIC bit 55)",
	[VMX_VMCS_MEMTYPE] = "the VMCS cannot be write-back memory",
	[VMX_MISSING_CONTROL] = "a VM-execution control lvbs needs is not available",
	[VMX_FORCED_CONTROL] = "a VM-execution control lvbs does not handle cannot be turned off",
	[VMX_EPT_CAPS] = "EPT lacks 4-level walks, write-back memory or INVEPT all-context",
	[VMX_GUEST_INSN] = "the CPU offers RDTSCP, INVPCID, XSAVES or WAITPKG but not its control for a guest",
};

const char *vmx_refusal_text(enum vmx_refusal r)
{
	return (u32)r < VMX_REFUSAL_MAX ? refusal_text[r] : "unknown";
}

/*
 * One control field: @need set (each must be allowed-1), @may set where
 * allowed, bits the CPU forces kept; @forbid forced on is a refusal.
 */
static enum vmx_refusal field(u64 msr, u32 need, u32 may, u32 forbid, enum vmx_ctl_field f,
			      struct vmx_setup *s, u32 *out)
{
	u32 lo = (u32)msr, hi = (u32)(msr >> 32);

	s->ctl_field = f;
	if (need & ~hi) {
		s->ctl_bits = need & ~hi;
		return VMX_MISSING_CONTROL;
	}
	if (lo & forbid) {
		s->ctl_bits = lo & forbid;
		return VMX_FORCED_CONTROL;
	}
	if (lo & ~hi) {			/* forced on and not allowed: a broken report */
		s->ctl_bits = lo & ~hi;
		return VMX_FORCED_CONTROL;
	}
	*out = lo | need | (may & hi);
	s->ctl_bits = 0;
	return VMX_OK;
}

/*
 * An instruction the kernel may run must keep working in the guest: if
 * CPUID offers it, its enabling control must be allowed, and is set.
 */
static bool guest_insn(bool offered, u32 bit, u32 hi, u32 *want)
{
	if (!offered)
		return true;
	if (!(hi & bit))
		return false;
	*want |= bit;
	return true;
}

static enum vmx_refusal secondary(const struct vmx_msrs *m, bool want_mbec, struct vmx_setup *s)
{
	u32 hi = (u32)(m->proc2 >> 32), want = PROC2_NEED;
	enum vmx_refusal r;

	if ((m->ept_vpid & EPT_NEED) != EPT_NEED)
		return VMX_EPT_CAPS;
	if (!guest_insn(m->cpu_rdtscp, PROC2_RDTSCP, hi, &want) ||
	    !guest_insn(m->cpu_invpcid, PROC2_INVPCID, hi, &want) ||
	    !guest_insn(m->cpu_xsaves, PROC2_XSAVES, hi, &want) ||
	    !guest_insn(m->cpu_waitpkg, PROC2_USER_WAIT_PAUSE, hi, &want)) {
		s->ctl_field = VMX_CTL_PROC2;
		return VMX_GUEST_INSN;
	}
	s->vpid = (hi & PROC2_VPID) && (m->ept_vpid & EPTCAP_INVVPID) &&
		  (m->ept_vpid & EPTCAP_INVVPID_ALL);
	if (s->vpid)
		want |= PROC2_VPID;
	r = field(m->proc2, want, 0, (u32)~PROC2_MAY, VMX_CTL_PROC2, s, &s->proc2);
	if (r)
		return r;
	s->dt_exiting = hi & PROC2_DT_EXITING;
	s->mbec = want_mbec && (hi & PROC2_MBEC);
	s->ept_ad = m->ept_vpid & EPTCAP_AD;
	s->ept_2m = m->ept_vpid & EPTCAP_2M;
	s->ept_1g = m->ept_vpid & EPTCAP_1G;
	s->eptp_switching = (hi & PROC2_VMFUNC) && (m->vmfunc & VMFUNC_EPTP_SWITCHING);
	s->ept_ve = hi & PROC2_EPT_VE;
	return VMX_OK;
}

enum vmx_refusal vmx_caps_decide(const struct vmx_msrs *m, bool want_mbec, struct vmx_setup *s)
{
	enum vmx_refusal r;

	memset(s, 0, sizeof(*s));
	if ((m->feature_control & (FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX)) !=
	    (FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		return VMX_NO_FEATURE_CONTROL;
	if (!(m->basic & VMX_BASIC_TRUE_CTLS))
		return VMX_NO_TRUE_CTLS;
	if (VMX_BASIC_MEMTYPE(m->basic) != VMX_MEMTYPE_WB)
		return VMX_VMCS_MEMTYPE;
	s->revision = VMX_BASIC_REVISION(m->basic);
	r = field(m->pin, PIN_NEED, 0, PIN_FORBID, VMX_CTL_PIN, s, &s->pin);
	if (r)
		return r;
	r = field(m->proc, PROC_NEED, 0, PROC_FORBID, VMX_CTL_PROC, s, &s->proc);
	if (r)
		return r;
	/*
	 * NMI-window exiting is set only while an NMI waits to be injected
	 * (it is in PROC_FORBID, so it is not forced on), but it must exist:
	 * without it an NMI that arrives while the guest blocks NMIs is lost.
	 */
	if (!((m->proc >> 32) & PROC_NMI_WINDOW)) {
		s->ctl_field = VMX_CTL_PROC;
		s->ctl_bits = PROC_NMI_WINDOW;
		return VMX_MISSING_CONTROL;
	}
	r = secondary(m, want_mbec, s);
	if (r)
		return r;
	r = field(m->exit, EXIT_NEED, 0, EXIT_FORBID, VMX_CTL_EXIT, s, &s->exit);
	if (r)
		return r;
	return field(m->entry, ENTRY_NEED, 0, ENTRY_FORBID, VMX_CTL_ENTRY, s, &s->entry);
}
