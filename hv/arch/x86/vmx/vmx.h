/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HV_VMX_H
#define HV_VMX_H

#include "../../../core/hv.h"

int vmx_probe(struct hv_caps *caps);
int vmx_init(void);
int vmx_launch(struct hv_cpu *c, struct kframe *f);
__attribute__((noreturn)) void vmx_run(struct hv_cpu *c);
__attribute__((noreturn)) void vmx_entry_failed(struct hv_cpu *c, u64 rflags);
__attribute__((noreturn)) void vmx_abort(struct hv_cpu *c);
void vmx_handle_exit(struct hv_cpu *c);
void vmx_pre_entry(struct hv_cpu *c);
void vmx_nmi_root(u64 *rip);
u64 vmx_rip(struct hv_cpu *c);
void vmx_set_rip(struct hv_cpu *c, u64 rip);
u32 vmx_cpl(struct hv_cpu *c);
void vmx_guest_ctl(struct hv_cpu *c, struct guest_ctl *g);
bool vmx_next_rip(struct hv_cpu *c, u64 *next);
void vmx_inject(struct hv_cpu *c, u8 vector, bool has_err, u32 err);
u64 vmx_guest_msr(struct hv_cpu *c, u32 msr);
bool vmx_slat_fmt(struct pt_fmt *f, bool gb_pages, bool want_xsplit);
void vmx_set_guest_msr(struct hv_cpu *c, u32 msr, u64 v);
u64 vmx_read_cr(struct hv_cpu *c, u32 cr);
void vmx_write_cr(struct hv_cpu *c, u32 cr, u64 val, bool flush_tlb);
void vmx_intercept_cr_write(struct hv_cpu *c, u32 cr);
void vmx_read_dt(struct hv_cpu *c, u32 which, u64 *base, u16 *limit);
void vmx_write_dt(struct hv_cpu *c, u32 which, u64 base, u16 limit);
int vmx_intercept_dt_writes(struct hv_cpu *c);
u16 vmx_read_sel(struct hv_cpu *c, u32 which);
u64 vmx_seg_base(struct hv_cpu *c, u32 seg);
struct x86_seg;
void vmx_write_ldtr(struct hv_cpu *c, const struct x86_seg *s);
void vmx_inject_pf(struct hv_cpu *c, u64 addr, u32 err);
void vmx_inject_db_step(struct hv_cpu *c);
void vmx_inject_nmi(struct hv_cpu *c);
void vmx_flush_guest_tlb(struct hv_cpu *c);

#endif
