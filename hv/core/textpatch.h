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

#include "insn.h"

enum { TP_DONE = 0, TP_DROPPED = 1, TP_UNHANDLED = -1 };

struct hv_cpu;

/*
 * A CPL 0 write fault at gpa, which lies in patchable code. TP_DONE: the
 * store was performed for the guest and RIP advanced (in audit mode also
 * for an illegal patch, which is then logged); TP_DROPPED: not a legal
 * patch: logged as patch_denied, nothing written, and the instruction
 * retired as if it had (the kernel goes on with the old bytes);
 * TP_UNHANDLED: the instruction is not a store we emulate, or it also
 * writes memory that is not patchable: a plain violation.
 */
int textpatch_handle_write(struct hv_cpu *c, u64 gpa, bool audit);

/*
 * Dropping a denied kernel store (docs/architecture.md, "Reactions"): the
 * store at RIP is decoded and, if it is a plain store (MOV, REP MOVS, REP
 * STOS) whose destination is the page of gpa, retired without writing.
 * prepare: 0 if it can be dropped (nothing changed yet, so the caller can
 * log with the RIP of the store); retire: advance the guest past it.
 */
struct dropped_store {
	struct insn in;
	u64 gva;		/* first byte it would have written */
	u64 len;		/* bytes it would have written */
};

int store_drop_prepare(struct hv_cpu *c, u64 gpa, struct dropped_store *d);
void store_drop_retire(struct hv_cpu *c, const struct dropped_store *d);

/* Legal patch forms (exposed for the unit tests). */
bool textpatch_legal_form(const u8 *w, u32 len);

void textpatch_stats(u64 *allowed, u64 *denied);

/*
 * Scrub released code (RELEASE_MEMORY) with INT3, except every 5-byte
 * window that is a NOP5 or a CALL rel32: the kernel's function tracer may
 * still hold records for that code (it forgets a module's only after the
 * module notifiers have run, its init only after MODULE_STATE_LIVE), and
 * before it rewrites a call site it checks that the site holds what it
 * last wrote there, or it disables itself until reboot. A window cut by
 * the end of [p, p + len) is kept if what is there begins such a form, and
 * the first 4 bytes are kept, as they may end a window cut by its start.
 */
void textpatch_scrub(u8 *p, u64 len);

/*
 * [start, end) is no longer patchable code (RELEASE_MEMORY): forget the
 * INT3s remembered there, so that a page given back and later reused as
 * text starts with no record (a kprobe left armed on a module that is
 * unloaded leaves one). Takes the text-patch lock; may be called with the
 * SLAT lock held (the order is SLAT, then text patch).
 */
void textpatch_forget(u64 start, u64 end);

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
