/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest side's view of "a hypervisor that enforces integrity". The
 * common layer (securityfs, and later protection requests) talks only to
 * this interface, so another hypervisor (a Heki-enabled KVM, Hyper-V VSM)
 * can plug in behind it; backend_lvbs.c implements it with lvbs hypercalls.
 */
#ifndef LVBS_KMOD_HV_BACKEND_H
#define LVBS_KMOD_HV_BACKEND_H

#include <lvbs/abi.h>

struct lvbs_hv_ops {
	const char *name;
	int (*get_info)(struct lvbs_info *info);
	int (*get_stats)(u32 cpu, struct lvbs_cpu_stats *st);
	/*
	 * The same into buf, which must be directly mapped kernel memory; no
	 * allocation, so it may run in exception context (poke_guard.c).
	 */
	int (*get_stats_into)(u32 cpu, struct lvbs_cpu_stats *buf);
	/* Entries with seq >= from into buf (max entries); returns count or errno. */
	long (*read_log)(u64 from, struct lvbs_log_entry *buf, u32 max, u64 *next);
	/* Pin bits of CR0 or CR4 to their current values; this CPU enforces. */
	int (*pin_cr)(u32 cr, u64 mask);
	/* Pin bits of an MSR (LVBS_MSR_SLOT_*) to this CPU's current value. */
	int (*pin_msr)(u32 slot, u64 mask);
	/* Pin this CPU's IDTR, GDTR and TR. */
	int (*pin_dt)(void);
	/*
	 * Give guest-physical ranges rights (n <= LVBS_PROT_BATCH; v may be
	 * anywhere, it is copied). *applied: entries that took effect.
	 */
	int (*protect)(const struct lvbs_mem_prot *v, u32 n, u32 *applied);
	/* Give back everything owner holds; *pages released. */
	int (*release)(u32 owner, u64 *pages);
	/* End of trusted boot; the module area is [mod_start, mod_end). */
	int (*seal)(u64 flags, u64 mod_start, u64 mod_end);	/* LVBS_SEAL_* */
	int (*set_policy)(u32 policy);
	/*
	 * Trust the key of an X.509 certificate (DER, any memory: it is
	 * copied); before SEAL as given, after SEAL only if a trusted key
	 * issued it. *slot: where it is held.
	 */
	int (*add_key)(const void *cert, size_t len, u32 *slot);
	/* The key in @slot; -ERANGE past the last. */
	int (*get_key)(u32 slot, struct lvbs_key_info *ki);
	/* Blacklist module digests (n <= LVBS_BLACKLIST_BATCH); *added new ones. */
	int (*add_blacklist)(const struct lvbs_blacklist_hash *v, u32 n, u32 *added);
	/*
	 * A module signature check (docs/module-signatures.md). No
	 * allocation: trailer and pages must be kmalloc'd (physically
	 * contiguous), so these run in atomic context (a kprobe handler).
	 * begin: the signature trailer and the length of the module before
	 * it; *verdict so far (LVBS_MODCHECK_*). hash: the physical
	 * addresses of the module's next n pages. end: the verdict and the
	 * signer's key slot; a verified check authorizes the owners core and
	 * init (0: none) to get code after SEAL.
	 */
	int (*module_begin)(void *trailer, size_t len, u64 content_len, u32 *verdict, u64 *file);
	int (*module_hash)(struct lvbs_module_page *pages, u32 n);	/* tags written back */
	int (*module_end)(u32 core, u32 init, u32 *verdict, u32 *slot);
	/*
	 * The laid-out module against its verified file (MODULE_COMPARE):
	 * @req kmalloc'd; @cont false to start, true to go on; *more while
	 * work is left. When done, the hypervisor has written the result
	 * into @req.
	 */
	int (*module_compare)(struct lvbs_module_compare *req, bool cont, bool *more);
	/* An owner's export tables (EXPORTS), before SEAL; @e kmalloc'd. */
	int (*exports)(struct lvbs_exports *e);
	/* Calls of request @nr so far and their microseconds, world switch included. */
	void (*call_time)(u32 nr, u64 *calls, u64 *usecs);
};

extern const struct lvbs_hv_ops lvbs_hv_ops_lvbs;

/* lvbs status codes to errno. */
int lvbs_status_to_errno(long status);

#endif
