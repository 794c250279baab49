// SPDX-License-Identifier: GPL-2.0
/*
 * What the guest sees of CPUID. The CPU's own answer, except:
 *  - SVM and VMX are hidden: the guest cannot use them (their instructions
 *    get #UD), so it must not be told they exist;
 *  - the hypervisor-present bit is set and leaves 0x40000000.. announce lvbs
 *    (this replaces the leaves of an outer hypervisor, see docs/abi.md).
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "hv.h"

#define CPUID1_ECX_VMX		BIT(5)
#define CPUID1_ECX_HYPERVISOR	BIT(31)
#define CPUID_80000001_ECX_SVM	BIT(2)

void cpuid_policy(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	if (leaf >= 0x40000000u && leaf <= 0x400000ffu) {
		*a = *b = *c = *d = 0;
		if (leaf == LVBS_CPUID_SIGNATURE) {
			*a = LVBS_CPUID_INFO;
			*b = *c = *d = LVBS_CPUID_SIG_EBX;
		} else if (leaf == LVBS_CPUID_INFO) {
			*a = LVBS_ABI_VERSION;
			*b = hv.caps.vendor;
			*c = (u32)hv.caps.used;
		}
		return;
	}
	cpuid_count(leaf, sub, a, b, c, d);
	switch (leaf) {
	case 1:
		*c &= ~(u32)CPUID1_ECX_VMX;
		*c |= (u32)CPUID1_ECX_HYPERVISOR;
		break;
	case 0x80000001u:
		*c &= ~(u32)CPUID_80000001_ECX_SVM;
		break;
	case 0x8000000au:	/* SVM revision and features */
		*a = *b = *c = *d = 0;
		break;
	}
}
