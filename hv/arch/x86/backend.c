// SPDX-License-Identifier: GPL-2.0
/*
 * The backend interface of hv/core/hv.h, dispatched on the CPU vendor found
 * at init. A switch rather than a table of function pointers: the image is
 * position independent and carries no relocations.
 */
#include <hv/types.h>
#include "../../core/hv.h"
#include "svm/svm.h"
#include "vmx/vmx.h"
#include "seg.h"

#define BACKEND(svm_call, vmx_call) \
	do { \
		if (hv.caps.vendor == LVBS_VENDOR_SVM) \
			return svm_call; \
		return vmx_call; \
	} while (0)

#define BACKEND_VOID(svm_call, vmx_call) \
	do { \
		if (hv.caps.vendor == LVBS_VENDOR_SVM) \
			svm_call; \
		else if (hv.caps.vendor == LVBS_VENDOR_VMX) \
			vmx_call; \
	} while (0)

/* The vendor comes from CPUID: each probe refuses the other's CPUs. */
int arch_probe(struct hv_caps *caps)
{
	int r = svm_probe(caps);

	if (r == LVBS_E_NOSYS && !caps->vendor)
		r = vmx_probe(caps);
	return r;
}

int arch_init(void)			{ BACKEND(svm_init(), vmx_init()); }
int arch_launch(struct hv_cpu *c, struct kframe *f) { BACKEND(svm_launch(c, f), vmx_launch(c, f)); }
u64 arch_rip(struct hv_cpu *c)		{ BACKEND(svm_rip(c), vmx_rip(c)); }
u32 arch_cpl(struct hv_cpu *c)		{ BACKEND(svm_cpl(c), vmx_cpl(c)); }
u64 arch_guest_msr(struct hv_cpu *c, u32 msr) { BACKEND(svm_guest_msr(c, msr), vmx_guest_msr(c, msr)); }
bool arch_slat_fmt(struct pt_fmt *f, bool gb, bool xsplit) { BACKEND(svm_slat_fmt(f, gb, xsplit), vmx_slat_fmt(f, gb, xsplit)); }
u64 arch_read_cr(struct hv_cpu *c, u32 cr) { BACKEND(svm_read_cr(c, cr), vmx_read_cr(c, cr)); }
bool arch_next_rip(struct hv_cpu *c, u64 *next) { BACKEND(svm_next_rip(c, next), vmx_next_rip(c, next)); }

void arch_set_rip(struct hv_cpu *c, u64 rip)
{
	BACKEND_VOID(svm_set_rip(c, rip), vmx_set_rip(c, rip));
}

void arch_guest_ctl(struct hv_cpu *c, struct guest_ctl *g)
{
	BACKEND_VOID(svm_guest_ctl(c, g), vmx_guest_ctl(c, g));
}

void arch_inject(struct hv_cpu *c, u8 vector, bool has_err, u32 err)
{
	BACKEND_VOID(svm_inject(c, vector, has_err, err), vmx_inject(c, vector, has_err, err));
}

void arch_write_cr(struct hv_cpu *c, u32 cr, u64 v, bool flush_tlb)
{
	BACKEND_VOID(svm_write_cr(c, cr, v, flush_tlb), vmx_write_cr(c, cr, v, flush_tlb));
}

void arch_intercept_cr_write(struct hv_cpu *c, u32 cr)
{
	BACKEND_VOID(svm_intercept_cr_write(c, cr), vmx_intercept_cr_write(c, cr));
}

void arch_read_dt(struct hv_cpu *c, u32 which, u64 *base, u16 *limit)
{
	*base = 0;
	*limit = 0;
	BACKEND_VOID(svm_read_dt(c, which, base, limit), vmx_read_dt(c, which, base, limit));
}

void arch_write_dt(struct hv_cpu *c, u32 which, u64 base, u16 limit)
{
	BACKEND_VOID(svm_write_dt(c, which, base, limit), vmx_write_dt(c, which, base, limit));
}

int arch_intercept_dt_writes(struct hv_cpu *c)
{
	BACKEND(svm_intercept_dt_writes(c), vmx_intercept_dt_writes(c));
}

void arch_inject_pf(struct hv_cpu *c, u64 addr, u32 err)
{
	BACKEND_VOID(svm_inject_pf(c, addr, err), vmx_inject_pf(c, addr, err));
}

void arch_inject_db_step(struct hv_cpu *c)
{
	BACKEND_VOID(svm_inject_db_step(c), vmx_inject_db_step(c));
}

u16 arch_read_sel(struct hv_cpu *c, u32 which)
{
	BACKEND(svm_read_sel(c, which), vmx_read_sel(c, which));
}

u64 arch_seg_base(struct hv_cpu *c, u32 seg)
{
	BACKEND(svm_seg_base(c, seg), vmx_seg_base(c, seg));
}

/*
 * LLDT's checks (SDM vol. 2 "LLDT"): a GDT selector of an LDT descriptor
 * (#GP), present (#NP), with a canonical base: VM entry refuses a usable
 * LDTR whose base is not (SDM 27.3.1.2), and the GDT's contents are the
 * kernel's to write, so this is guest input the hypervisor must not
 * panic on.
 */
int arch_load_ldtr(struct hv_cpu *c, u16 sel)
{
	struct gwalk_ctx w;
	struct x86_seg s;
	struct dtr gdtr;
	u16 limit;
	u64 base;

	if (sel & 4)
		return -1;
	arch_read_dt(c, LVBS_DT_GDTR, &base, &limit);
	gdtr.base = base;
	gdtr.limit = limit;
	vcpu_guest_walker(c, &w);
	seg_read(&gdtr, &w, sel, &s);
	if (sel & ~3u) {
		if ((s.attr & (SEG_ATTR_S | 0xf)) != 2)
			return -1;	/* also a descriptor that could not be read */
		if (!gwalk_canonical(&w, s.base))
			return -1;
		if (!(s.attr & SEG_ATTR_P))
			return -2;
	}
	BACKEND_VOID(svm_write_ldtr(c, &s), vmx_write_ldtr(c, &s));
	return 0;
}

void arch_set_guest_msr(struct hv_cpu *c, u32 msr, u64 v)
{
	BACKEND_VOID(svm_set_guest_msr(c, msr, v), vmx_set_guest_msr(c, msr, v));
}

void arch_abort(struct hv_cpu *c)
{
	BACKEND_VOID(svm_abort(c), vmx_abort(c));
	hv_panic(c, "abort without a backend", 0, 0);
}

void arch_flush_guest_tlb(struct hv_cpu *c)
{
	BACKEND_VOID(svm_flush_guest_tlb(c), vmx_flush_guest_tlb(c));
}

void arch_inject_nmi(struct hv_cpu *c)
{
	BACKEND_VOID(svm_inject_nmi(c), vmx_inject_nmi(c));
}

/* SVM takes NMIs in the hypervisor only in its STGI window, and handles them there. */
void arch_nmi_root(u64 *rip)
{
	if (hv.caps.vendor == LVBS_VENDOR_VMX)
		vmx_nmi_root(rip);
}
