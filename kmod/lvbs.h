/* SPDX-License-Identifier: GPL-2.0 */
/* State of lvbs.ko shared between its files. */
#ifndef LVBS_KMOD_LVBS_H
#define LVBS_KMOD_LVBS_H

#include <linux/types.h>
#include "hv_backend.h"

struct lvbs_state {
	const struct lvbs_hv_ops *hv;	/* the hypervisor we talk to */
	unsigned int nr_cpus;		/* CPUs under it */
	int cpu_of_index[LVBS_MAX_CPUS];	/* hypervisor CPU index -> Linux CPU */
};

extern struct lvbs_state lvbs;

/* A guest-physical range [start, end), page aligned. */
struct lvbs_prange {
	u64 start, end;
};

#define LVBS_MAX_VDSO	4

/* The running kernel's image, as layout.c finds it. */
struct lvbs_layout {
	struct lvbs_prange text, rodata, data, bss;
	u64 idt;			/* the IDT's page */
	u32 nr_vdso;
	struct lvbs_prange vdso[LVBS_MAX_VDSO];	/* inside rodata, ascending */
};

/* What the initial protection cost, and what memprot.c tracks. */
struct lvbs_memprot_stats {
	unsigned int hypercalls;	/* initial protection, SEAL included */
	bool init_done;			/* ... which ended: module loads no longer count */
	u64 ns;				/* ... and how long it took */
	unsigned int modules_tracked;
	bool sealed;			/* SEAL done: new module code is withheld until compared */
	u64 image_freed_pages;		/* data/bss pages the kernel freed at boot */
};

extern struct lvbs_memprot_stats lvbs_memprot;

/* The kinds of a module's memory, each with its own rights (memprot.c). */
enum lvbs_mod_kind {
	LVBS_MK_TEXT, LVBS_MK_RODATA, LVBS_MK_RO_AFTER_INIT, LVBS_MK_DATA, LVBS_MK_NR
};

struct module;
bool lvbs_module_piece_has(const struct module *mod, bool init, enum lvbs_mod_kind k,
			   const void *p, size_t len);
int lvbs_check_image(const struct lvbs_layout *l);
int lvbs_check_kernel(struct lvbs_layout *l);

int lvbs_securityfs_init(void);
/* Module-signing keys (keys.c): read the keys= file before the launch, give it after. */
int lvbs_keys_read(void);
void lvbs_keys_give(void);
void lvbs_keys_free(void);	/* a failed launch: nobody to give them to */
/* Module files to the hypervisor's signature check (modcheck.c). */
int lvbs_modcheck_init(void);
bool lvbs_modcheck_active(void);
/*
 * MODULE_STATE_COMING, in two steps around the module's registration:
 * lvbs_modcheck_coming() takes the load's check (the owners its verified
 * check authorized, 0 if none) and its kept file; lvbs_modcheck_compare()
 * has the hypervisor compare the module, registered under those owners,
 * with that file, frees the file, and says whether the module may run
 * (0) or its code stays without execute (-EPERM: fail the load).
 */
struct lvbs_coming {
	u32 owner;
	void *kept;
	const u8 *hdr;
};
u32 lvbs_modcheck_coming(const struct module *mod, struct lvbs_coming *cm);
int lvbs_modcheck_compare(const struct module *mod, struct lvbs_coming *cm,
			  const u64 text_va[2], const u64 text_size[2]);
void lvbs_modcheck_drop(struct lvbs_coming *cm);
u64 lvbs_modcheck_unchecked(void);
u64 lvbs_modcheck_not_compared(void);
/* Export tables to the hypervisor, before SEAL (exports.c). */
void lvbs_exports_kernel(const struct lvbs_layout *l);
int lvbs_exports_module(const struct module *mod, u32 owner);
/* Two fresh owner cookies (core, core + 1); any context. */
u32 lvbs_memprot_new_owners(void);
/* module_trust=signed (the default) rather than tofu. */
bool lvbs_module_trust_signed(void);
/* The die notifier that keeps a refused text_poke() from wedging (poke_guard.c). */
int lvbs_poke_guard_init(void);
unsigned int lvbs_poke_guard_skipped(void);
int lvbs_pin_control_registers(void);
/* The NMI handler that claims the hypervisor's kick NMIs (nmi.c). */
int lvbs_nmi_init(unsigned int nr_cpus);
void lvbs_nmi_exit(void);
u64 lvbs_nmi_mark_gpa(void);
void lvbs_nmi_counts(u64 *kick_nmis, u64 *leftover_nmis);
int lvbs_find_layout(struct lvbs_layout *l);
/* seal_flags: LVBS_SEAL_*, from lvbs_memprot_seal_flags() before the launch. */
int lvbs_protect_memory(const struct lvbs_layout *l, u64 seal_flags);
/* SEAL flags from the module parameters; -EINVAL (logged) if they make no sense. */
int lvbs_memprot_seal_flags(u64 *flags);

#endif
