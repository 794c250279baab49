// SPDX-License-Identifier: GPL-2.0
/*
 * Sending an NMI to another CPU through the local APIC, for TLB shootdowns
 * (hv/core/slat.c). Not vendor-specific: SVM and VMX both use it.
 *
 * The guest owns the APIC and programs it as it likes; we only ever write
 * the interrupt command register, in whichever mode the guest put the APIC
 * (Intel SDM vol. 3A 11.6.1 and 11.12.9; AMD APM vol. 2 16.5):
 *  - x2APIC: one WRMSR to 0x830, atomic;
 *  - xAPIC: the MMIO page, mapped uncacheable in our own tables at init.
 *    The guest may have been interrupted between writing ICR high and ICR
 *    low, so ICR high is saved and restored around our write; this CPU's
 *    guest cannot run meanwhile.
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "../../core/hv.h"

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_X2APIC	BIT(10)
#define APIC_BASE_ENABLE	BIT(11)
#define APIC_BASE_ADDR		0x000ffffffffff000ULL
#define MSR_X2APIC_ICR		0x830
#define APIC_ICR_LO		0x300
#define APIC_ICR_HI		0x310
#define ICR_NMI			(4u << 8)	/* delivery mode NMI, physical destination */
#define ICR_ASSERT		BIT(14)
#define ICR_BUSY		BIT(12)

static u64 apic_mmio;		/* physical (= our virtual) base of the xAPIC page */

/* At init, while the kernel is trusted: map the xAPIC page for later. */
int apic_init(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	apic_mmio = base & APIC_BASE_ADDR;
	if (!apic_mmio || pt_map(&hv.host_pt, apic_mmio, apic_mmio, PAGE_SIZE,
				 PT_R | PT_W | PT_UC))
		return LVBS_E_INVAL;
	return LVBS_OK;
}

static inline u32 mmio_read(u32 reg)
{
	return *(volatile u32 *)(apic_mmio + reg);
}

static inline void mmio_write(u32 reg, u32 v)
{
	*(volatile u32 *)(apic_mmio + reg) = v;
}

void arch_send_nmi(u32 apic_id)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	u32 hi;

	if (!(base & APIC_BASE_ENABLE))
		return;
	if (base & APIC_BASE_X2APIC) {
		wrmsr(MSR_X2APIC_ICR, ((u64)apic_id << 32) | ICR_NMI | ICR_ASSERT);
		return;
	}
	/* The guest moved the APIC page: we have no mapping for it. */
	if ((base & APIC_BASE_ADDR) != apic_mmio)
		return;
	for (u32 i = 0; i < 1000000 && (mmio_read(APIC_ICR_LO) & ICR_BUSY); i++)
		cpu_relax();
	hi = mmio_read(APIC_ICR_HI);
	mmio_write(APIC_ICR_HI, (apic_id & 0xff) << 24);
	mmio_write(APIC_ICR_LO, ICR_NMI | ICR_ASSERT);
	mmio_write(APIC_ICR_HI, hi);
}

/*
 * This CPU's APIC ID, for shootdown NMIs: the 32-bit x2APIC ID from leaf
 * 0xB where the CPU has it (its low 8 bits are the xAPIC ID), else the
 * 8-bit initial APIC ID of leaf 1.
 */
u32 read_apic_id(void)
{
	u32 a, b, cx, d, max;

	cpuid_count(0, 0, &max, &b, &cx, &d);
	if (max >= 0xb) {
		cpuid_count(0xb, 0, &a, &b, &cx, &d);
		if (b)		/* leaf 0xB is valid: logical processors at level 0 */
			return d;
	}
	cpuid_count(1, 0, &a, &b, &cx, &d);
	return b >> 24;
}
