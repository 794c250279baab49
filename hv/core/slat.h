/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory protection: the permission database (perm.h) wired to the
 * SLAT, the protection hypercalls' rules, nested-page-fault policy and the
 * cross-CPU TLB shootdown. Vendor-neutral: the backend only builds the
 * SLAT format, flushes a CPU's guest TLB and sends an NMI.
 */
#ifndef HV_CORE_SLAT_H
#define HV_CORE_SLAT_H

#include <hv/types.h>
#include <hv/spinlock.h>
#include <lvbs/abi.h>
#include "perm.h"

/* Ranges the permission database can hold (each 12 bytes of hypervisor bss). */
#define HV_PERM_RANGES		16384

/* Internal owner of the hypervisor's own region (owners 2..15 are reserved). */
#define OWNER_HV		2u

struct hv_slat {
	struct spinlock lock;		/* database and SLAT writes */
	struct perm_db db;
	u64 gen;			/* bumped after every tightening */
	u32 sealed;
	u32 policy;			/* LVBS_POLICY_* */
	bool gmet;			/* SLAT built in the GMET format */
	u32 exec;			/* LVBS_EXEC_*: set by SEAL */
	u64 mod_start, mod_end;		/* kernel module area (guest-virtual) */
	bool module_tofu;		/* SEAL said LVBS_SEAL_MODULE_TOFU */
	u32 auth[LVBS_AUTH_OWNERS];	/* owners a verified module check authorized */
	u32 auth_next;			/* ... the oldest is replaced first */
	u64 violations;
	u64 stores_dropped;		/* denied kernel stores retired unwritten */
	u64 shootdowns;
	u64 dyn_exec_pages;
	u64 user_exec_pages;
	u64 wx_flips;
	u64 wx_mixed_pages;
	u64 merges;
	u64 coarse;
};

struct hv_cpu;
struct lvbs_mem_prot;
struct lvbs_info;

int slat_init(bool gmet);
long slat_protect(struct hv_cpu *c, const struct lvbs_mem_prot *v, u32 n, u32 *applied);
long slat_release(struct hv_cpu *c, u32 owner, u64 *pages);
long slat_seal(struct hv_cpu *c, u64 flags, u64 mod_start, u64 mod_end);
/* A verified module check: @owner may get supervisor-execute memory (modcheck.c). */
void slat_authorize_owner(u32 owner);
long slat_set_policy(struct hv_cpu *c, u64 policy);
void slat_fill_info(struct lvbs_info *info);
bool slat_registered_code(u64 gpa);
bool slat_store_as_guest(const u64 *gpa, const u32 *len, u32 n, const u8 *src, u64 *refused);
int slat_cmpxchg_as_guest(u64 gpa, u64 old, u64 new);		/* kernel or module code, not writable */
bool slat_module_page(u64 gpa, u32 a, u32 b, bool code);	/* modcmp.c: the owners' memory */
u64 slat_module_code_pages(u32 a, u32 b, u64 *withheld);
bool slat_owned_readonly(u64 gpa, u32 owner, bool immutable);	/* exports.c */
long slat_grant_code(u64 gpa, u64 n, u32 a, u32 b, u64 *granted);
bool slat_guest_writable(u64 gpa, u64 len);	/* may the hypervisor write there for the guest? */
bool slat_write_guest(u64 gpa, u64 span, const void *src, u64 len);	/* checked under the lock */
void slat_handle_npf(struct hv_cpu *c, u64 gpa, u32 access);

/*
 * The core's access kind from what a backend decoded of a SLAT fault:
 * a fetch, else a write, else a read; from CPL 3; during the guest's own
 * page walk (or its A/D update).
 */
static inline u32 slat_access(bool write, bool fetch, bool user, bool ptwalk)
{
	u32 acc = fetch ? LVBS_ACC_EXEC : write ? LVBS_ACC_WRITE : LVBS_ACC_READ;

	return acc | (user ? LVBS_ACC_USER : 0) | (ptwalk ? LVBS_ACC_PTWALK : 0);
}
void slat_tlb_sync(struct hv_cpu *c);		/* ack the SLAT generation: flush on next entry */
void slat_nmi_exit(struct hv_cpu *c);		/* an NMI made this CPU exit */

/* For the text-patching emulator (hv/core/textpatch.c). */
bool textpatch_gpa_patchable(u64 gpa);

#endif
