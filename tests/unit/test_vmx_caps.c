// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX controls lvbs asks for, from the capability MSRs
 * (hv/arch/x86/vmx/caps.c): what it sets on two CPUs, what is optional,
 * and each refusal with the field and bits it names.
 *
 * Fixtures. Bochs 2.7's corei7_skylake_x: the MSRs as the hypervisor
 * read them on Bochs (the LVBS-HV-VMXCAPS line that scenario vmxlaunch
 * prints with debug_serial=1; they match what its source, cpu/vmcs.cc
 * init_vmx_capabilities(), gives). A real Skylake-X differs in its
 * secondary controls and EPT capabilities (from the comment in Bochs's
 * corei7_skylake-x.cc); the rest of it is taken to be Bochs's.
 */
#include <string.h>
#include <hv/types.h>
#include "arch/x86/vmx/caps.h"
#include "test.h"

#define BASIC(rev, memtype, true_ctls) \
	(((u64)(true_ctls) << 55) | BIT(54) | ((u64)(memtype) << 50) | (0x1000ull << 32) | (rev))

static struct vmx_msrs bochs(void)
{
	struct vmx_msrs m = {
		.feature_control = FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX,
		.basic = BASIC(0x2b, VMX_MEMTYPE_WB, 1),
		.pin = 0x0000007f00000016ull,
		.proc = 0xf7f9fffe04006172ull,
		.proc2 = 0x02177fff00000000ull,
		.exit = 0x007fffff00036dfbull,
		.entry = 0x0000ffff000011fbull,
		.ept_vpid = 0x00000f0106334141ull,
		.vmfunc = VMFUNC_EPTP_SWITCHING,
		.cpu_rdtscp = true, .cpu_invpcid = true, .cpu_xsaves = true,
	};

	return m;
}

TEST(vmx_caps_bochs_skylake_x)
{
	struct vmx_msrs m = bochs();
	struct vmx_setup s;

	CHECK_EQ(vmx_caps_decide(&m, true, &s), VMX_OK);
	CHECK_EQ(s.revision, 0x2b);
	/* Forced default-1 bits kept; NMI exiting and virtual NMIs. */
	CHECK_EQ(s.pin, 0x3e);
	/* MSR bitmaps, secondary controls; no I/O, HLT, CR3 or MTF exits. */
	CHECK_EQ(s.proc, 0x94006172);
	/* EPT, VPID, and RDTSCP, INVPCID, XSAVES because CPUID offers them. */
	CHECK_EQ(s.proc2, PROC2_EPT | PROC2_VPID | PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES);
	CHECK_EQ(s.exit, 0x3f6fff);
	CHECK_EQ(s.entry, 0xd3ff);
	CHECK(s.vpid);
	CHECK(s.dt_exiting);
	CHECK(!s.mbec);			/* wanted, but Bochs 2.7 has none */
	CHECK(s.ept_ad && s.ept_2m && s.ept_1g);
	CHECK(s.eptp_switching && s.ept_ve);
	CHECK(!(s.proc2 & (PROC2_VMFUNC | PROC2_EPT_VE)));	/* detected, not used */
}

TEST(vmx_caps_real_skylake_x_has_mbec)
{
	struct vmx_msrs m = bochs();
	struct vmx_setup s;

	m.proc2 = 0x025d3fff00000000ull;
	m.ept_vpid = 0x00000f0106734141ull;
	CHECK_EQ(vmx_caps_decide(&m, true, &s), VMX_OK);
	CHECK(s.mbec);
	CHECK(!(s.proc2 & PROC2_MBEC));	/* set by the backend when it builds MBEC tables */
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_OK);
	CHECK(!s.mbec);
}

TEST(vmx_caps_optional_features_absent)
{
	struct vmx_msrs m = bochs();
	struct vmx_setup s;

	m.ept_vpid &= ~(EPTCAP_INVVPID | EPTCAP_AD | EPTCAP_1G);
	m.proc2 &= ~((u64)(PROC2_VMFUNC | PROC2_EPT_VE | PROC2_DT_EXITING) << 32);
	m.cpu_rdtscp = m.cpu_invpcid = m.cpu_xsaves = false;
	CHECK_EQ(vmx_caps_decide(&m, true, &s), VMX_OK);
	CHECK(!s.vpid && !s.ept_ad && !s.ept_1g && s.ept_2m);
	CHECK(!s.eptp_switching && !s.ept_ve && !s.dt_exiting);
	CHECK_EQ(s.proc2, PROC2_EPT);
}

TEST(vmx_caps_refusals_name_their_cause)
{
	struct vmx_msrs m;
	struct vmx_setup s;

	m = bochs();
	m.feature_control = FEATURE_CONTROL_LOCKED;		/* locked, VMX off */
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_NO_FEATURE_CONTROL);
	m.feature_control = FEATURE_CONTROL_VMX_OUTSIDE_SMX;	/* not locked */
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_NO_FEATURE_CONTROL);

	m = bochs();
	m.basic = BASIC(0x2b, VMX_MEMTYPE_WB, 0);
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_NO_TRUE_CTLS);
	m.basic = BASIC(0x2b, 0, 1);
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_VMCS_MEMTYPE);

	m = bochs();
	m.pin &= ~((u64)PIN_VIRTUAL_NMIS << 32);
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_MISSING_CONTROL);
	CHECK_EQ(s.ctl_field, VMX_CTL_PIN);
	CHECK_EQ(s.ctl_bits, PIN_VIRTUAL_NMIS);

	m = bochs();
	m.proc |= PROC_HLT_EXITING;			/* forced on */
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_FORCED_CONTROL);
	CHECK_EQ(s.ctl_field, VMX_CTL_PROC);
	CHECK_EQ(s.ctl_bits, PROC_HLT_EXITING);

	m = bochs();
	m.proc &= ~((u64)PROC_NMI_WINDOW << 32);
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_MISSING_CONTROL);
	CHECK_EQ(s.ctl_bits, PROC_NMI_WINDOW);

	m = bochs();
	m.proc2 &= ~((u64)PROC2_EPT << 32);
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_MISSING_CONTROL);
	CHECK_EQ(s.ctl_field, VMX_CTL_PROC2);
	CHECK_EQ(s.ctl_bits, PROC2_EPT);

	m = bochs();
	m.ept_vpid &= ~EPTCAP_INVEPT_ALL;
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_EPT_CAPS);

	/* CPUID offers INVPCID; a guest without its control would get #UD. */
	m = bochs();
	m.proc2 &= ~((u64)PROC2_INVPCID << 32);
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_GUEST_INSN);

	m = bochs();
	m.proc2 |= PROC2_PML;				/* a secondary control forced on */
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_FORCED_CONTROL);
	CHECK_EQ(s.ctl_field, VMX_CTL_PROC2);

	m = bochs();
	m.exit &= ~((u64)EXIT_LOAD_EFER << 32);
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_MISSING_CONTROL);
	CHECK_EQ(s.ctl_field, VMX_CTL_EXIT);

	m = bochs();
	m.entry |= ENTRY_SMM;
	CHECK_EQ(vmx_caps_decide(&m, false, &s), VMX_FORCED_CONTROL);
	CHECK_EQ(s.ctl_field, VMX_CTL_ENTRY);

	for (u32 r = 0; r < VMX_REFUSAL_MAX; r++)
		CHECK(strlen(vmx_refusal_text((enum vmx_refusal)r)) > 5);
	CHECK(!strcmp(vmx_refusal_text(VMX_REFUSAL_MAX), "unknown"));
}
