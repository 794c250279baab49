// SPDX-License-Identifier: GPL-2.0
/*
 * The backend interface of hv/core/hv.h, dispatched on the CPU vendor found
 * at init. A switch rather than a table of function pointers: the image is
 * position independent and carries no relocations.
 */
#include <hv/types.h>
#include "../../core/hv.h"
#include "svm/svm.h"

#define BACKEND(svm_call, none) \
	do { \
		if (hv.caps.vendor == LVBS_VENDOR_SVM) \
			return svm_call; \
		return none; \
	} while (0)

int arch_probe(struct hv_caps *caps)
{
	int r = svm_probe(caps);

	/* The VMX backend (a later issue) will be probed here when SVM is absent. */
	return r;
}

int arch_init(void)			{ BACKEND(svm_init(), LVBS_E_NOSYS); }
int arch_launch(struct hv_cpu *c, struct kframe *f) { BACKEND(svm_launch(c, f), LVBS_E_NOSYS); }
u64 arch_rip(struct hv_cpu *c)		{ BACKEND(svm_rip(c), 0); }
u32 arch_cpl(struct hv_cpu *c)		{ BACKEND(svm_cpl(c), 3); }
u64 arch_guest_msr(struct hv_cpu *c, u32 msr) { BACKEND(svm_guest_msr(c, msr), 0); }
bool arch_slat_fmt(struct pt_fmt *f, bool gb, bool xsplit) { BACKEND(svm_slat_fmt(f, gb, xsplit), false); }
u64 arch_read_cr(struct hv_cpu *c, u32 cr) { BACKEND(svm_read_cr(c, cr), 0); }
bool arch_next_rip(struct hv_cpu *c, u64 *next) { BACKEND(svm_next_rip(c, next), false); }

void arch_set_rip(struct hv_cpu *c, u64 rip)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_set_rip(c, rip);
}

void arch_guest_ctl(struct hv_cpu *c, struct guest_ctl *g)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_guest_ctl(c, g);
}

void arch_inject(struct hv_cpu *c, u8 vector, bool has_err, u32 err)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_inject(c, vector, has_err, err);
}

void arch_write_cr(struct hv_cpu *c, u32 cr, u64 v, bool flush_tlb)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_write_cr(c, cr, v, flush_tlb);
}

void arch_intercept_cr_write(struct hv_cpu *c, u32 cr)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_intercept_cr_write(c, cr);
}

void arch_read_dt(struct hv_cpu *c, u32 which, u64 *base, u16 *limit)
{
	*base = 0;
	*limit = 0;
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_read_dt(c, which, base, limit);
}

void arch_write_dt(struct hv_cpu *c, u32 which, u64 base, u16 limit)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_write_dt(c, which, base, limit);
}

void arch_intercept_dt_writes(struct hv_cpu *c)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_intercept_dt_writes(c);
}

void arch_set_guest_msr(struct hv_cpu *c, u32 msr, u64 v)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_set_guest_msr(c, msr, v);
}

void arch_abort(struct hv_cpu *c)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_abort(c);
	hv_panic(c, "abort without a backend", 0, 0);
}

void arch_flush_guest_tlb(struct hv_cpu *c)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_flush_guest_tlb(c);
}

void arch_inject_nmi(struct hv_cpu *c)
{
	if (hv.caps.vendor == LVBS_VENDOR_SVM)
		svm_inject_nmi(c);
}
