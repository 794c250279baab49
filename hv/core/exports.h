/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The export tables the hypervisor trusts (exports.c): where a module's
 * imports may get their values from (ABI: EXPORTS; MODULE_COMPARE;
 * docs/module-signatures.md, "Import values").
 */
#ifndef HV_CORE_EXPORTS_H
#define HV_CORE_EXPORTS_H

#include <hv/types.h>
#include <lvbs/abi.h>

struct hv_cpu;
struct gwalk_ctx;

void exports_reset(void);
/* EXPORTS: an owner's tables, before SEAL. */
long exports_call(struct hv_cpu *c, u64 gpa, u64 size);
/* The kernel's tables were given: imports are checked against them. */
bool exports_kernel_known(void);
/*
 * A compared module's tables (its file's __ksymtab and __ksymtab_gpl, at
 * the addresses the comparison bound), under its core owner.
 */
void exports_add_module(u32 owner, const u64 start[2], const u64 end[2]);
/* The owner's memory is released: its tables go. */
void exports_forget(u32 owner);
/*
 * @name's value from the trusted tables, read through @w: the kernel's
 * first, then each module's. KSYMTAB_FOUND (with *from: the owner whose
 * table holds it), KSYMTAB_ABSENT, or an error (ksymtab.h).
 */
int exports_resolve(const struct gwalk_ctx *w, const char *name, u64 *value, u32 *from);
void exports_fill_info(struct lvbs_info *info);

#endif
