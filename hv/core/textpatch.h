/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validated text patching (docs/text-patching.md): a guest write to code
 * the permission database marks PATCHABLE faults into the hypervisor,
 * which decodes the storing instruction, checks that the result is a legal
 * patch, and performs it for the guest.
 */
#ifndef HV_CORE_TEXTPATCH_H
#define HV_CORE_TEXTPATCH_H

#include <hv/types.h>

enum { TP_DONE = 0, TP_DENIED = 1, TP_UNHANDLED = -1 };

struct hv_cpu;

/*
 * A CPL 0 write fault at gpa, which lies in patchable code. TP_DONE: the
 * store was performed for the guest and RIP advanced (in audit mode also
 * for an illegal patch, which is then logged); TP_DENIED: logged as
 * patch_denied, nothing written, the caller injects #GP; TP_UNHANDLED: the
 * instruction is not a store we emulate, or it also writes memory that is
 * not patchable: a plain violation.
 */
int textpatch_handle_write(struct hv_cpu *c, u64 gpa, bool audit);

/* Legal patch forms (exposed for the unit tests). */
bool textpatch_legal_form(const u8 *w, u32 len);

void textpatch_stats(u64 *allowed, u64 *denied);

#ifdef LVBS_HOST_TEST
/*
 * Forget every remembered INT3 and the counters. The hypervisor starts
 * with them zeroed (bss) once; host tests and the fuzzer start a fresh
 * hypervisor per case, and a record left by the previous one would make
 * the outcome depend on what ran before.
 */
void textpatch_reset(void);
#endif

/* Most bytes one emulated store may write (REP MOVS included). */
#define TP_MAX_WRITE	64

/* INT3s in flight (text_poke_bp batches, kprobes) the hypervisor remembers. */
#define TP_MAX_INT3	1024

#endif
