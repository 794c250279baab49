/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HV_SVM_H
#define HV_SVM_H

#include "../../../core/hv.h"

int svm_probe(struct hv_caps *caps);
int svm_init(void);
int svm_launch(struct hv_cpu *c, struct kframe *f);
__attribute__((noreturn)) void svm_run(struct hv_cpu *c);
__attribute__((noreturn)) void svm_abort(struct hv_cpu *c);
void svm_handle_exit(struct hv_cpu *c);
u64 svm_rip(struct hv_cpu *c);
void svm_set_rip(struct hv_cpu *c, u64 rip);
u32 svm_cpl(struct hv_cpu *c);
void svm_guest_ctl(struct hv_cpu *c, struct guest_ctl *g);
bool svm_next_rip(struct hv_cpu *c, u64 *next);
void svm_inject(struct hv_cpu *c, u8 vector, bool has_err, u32 err);
u64 svm_guest_msr(struct hv_cpu *c, u32 msr);
bool svm_slat_fmt(struct pt_fmt *f, bool gb_pages, bool want_xsplit);
void svm_set_guest_msr(struct hv_cpu *c, u32 msr, u64 v);
u64 svm_read_cr(struct hv_cpu *c, u32 cr);
void svm_write_cr(struct hv_cpu *c, u32 cr, u64 val, bool flush_tlb);
void svm_intercept_cr_write(struct hv_cpu *c, u32 cr);
void svm_read_dt(struct hv_cpu *c, u32 which, u64 *base, u16 *limit);
void svm_write_dt(struct hv_cpu *c, u32 which, u64 base, u16 limit);
int svm_intercept_dt_writes(struct hv_cpu *c);
u16 svm_read_sel(struct hv_cpu *c, u32 which);
u64 svm_seg_base(struct hv_cpu *c, u32 seg);
struct x86_seg;
void svm_write_ldtr(struct hv_cpu *c, const struct x86_seg *s);
void svm_inject_pf(struct hv_cpu *c, u64 addr, u32 err);
void svm_inject_db_step(struct hv_cpu *c);
void svm_take_nmi(void);
void svm_inject_nmi(struct hv_cpu *c);
void svm_flush_guest_tlb(struct hv_cpu *c);

#endif
