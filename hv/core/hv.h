/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypervisor-wide state and the vendor-neutral view of a virtual CPU.
 *
 * Core code (hv/core) never touches a VMCB or VMCS: it reads and changes
 * guest state through the backend interface at the end of this file, which
 * each vendor (hv/arch/x86/svm, later vmx) implements once.
 */
#ifndef HV_CORE_HV_H
#define HV_CORE_HV_H

#include <hv/types.h>
#include <hv/layout.h>
#include <hv/spinlock.h>
#include <lvbs/abi.h>
#include "log.h"
#include "memmap.h"
#include "pt.h"
#include "slat.h"

/* Caller (kernel) state saved by the entry stub; offsets in hv/layout.h. */
struct kframe {
	u64 cr3, rsp, rip;
	u64 rbx, rbp, r12, r13, r14, r15;
	u64 rflags;
	u16 cs, ss, ds, es;
	u8 gdtr[10];
	u8 pad0[6];
	u8 idtr[10];
	u8 pad1[6];
	u64 pad2;
};

enum hv_cpu_state {
	CPU_OFF = 0,		/* not launched */
	CPU_LAUNCHING,		/* first VMRUN under way */
	CPU_RUNNING,		/* guest ran at least once */
	CPU_FAILED,		/* launch failed, returned to the kernel */
	CPU_ABORTED,		/* left the hypervisor by LAUNCH_ABORT */
};

struct hv_cpu {
	u64 regs[16];		/* guest GPRs (RSP and RAX synced with the VMCB) */
	u64 vmcb_pa;		/* CPU_VMCB_PA: physical address of VMCB / VMCS */
	void *vmcb;
	u64 hsave_pa;
	u32 nmi_root;		/* CPU_NMI_ROOT: an NMI came while in the hypervisor (VMX) */
	u32 index;
	u32 apic_id;
	u32 state;		/* enum hv_cpu_state */
	u32 pending_fail;	/* test hook: make the first VMRUN fail */
	struct kframe *kframe;	/* caller state, for a failed or aborted launch */
	u64 exits_total;
	u64 exits[LVBS_EXIT_KIND_SLOTS];
	u64 hypercalls_failed;
	u64 stores_dropped;	/* denied kernel stores retired unwritten here */
	u64 launch_tsc;
	u32 pin_gen;		/* hv.pins.gen this CPU enforces */
	u64 msr_pin_mask[LVBS_MSR_SLOTS];	/* this CPU's pinned MSR bits ... */
	u64 msr_pin_val[LVBS_MSR_SLOTS];	/* ... and their values */
	u64 dt_base[2];		/* pinned IDTR / GDTR (LVBS_DT_IDTR/GDTR) */
	u16 dt_limit[2];
	u32 dt_pinned;
	u64 slat_ack;		/* SLAT generation whose flush this CPU has scheduled */
	u32 kick_pending;	/* a shootdown NMI is on its way to this CPU */
	u32 halted;		/* stopped by hv_panic: excluded from shootdowns */
	u32 nmi_pending;	/* a guest NMI waits for a free injection slot */
	u32 nmi_real;		/* ... and it stands for a guest NMI, not kicks only */
	u64 wx_page;		/* last user-mode execute grant on this CPU: page ... */
	u64 wx_rip;		/* ... and RIP (slat.c: one instruction needing W and X) */
	/*
	 * SVM has no NMI blocking of its own for an injected NMI: the backend
	 * tracks it, blocked from injection to the guest's next IRET.
	 */
	u32 nmi_blocked;	/* the guest is in its NMI handler */
	u32 nmi_iret_seen;	/* ... and has reached its IRET at nmi_iret_rip */
	u64 nmi_iret_rip;
	u32 nmi_singlestep;	/* single-stepping that IRET: #DB intercepted */
	u64 nmi_ss_rflags;	/* the guest's own TF and RF before we set them */
	/* The backend's own per-CPU state, opaque to the core (VMX: vmx.c). */
	u64 arch[8];
};

_Static_assert(__builtin_offsetof(struct hv_cpu, vmcb_pa) == CPU_VMCB_PA, "asm offset");
_Static_assert(__builtin_offsetof(struct hv_cpu, nmi_root) == CPU_NMI_ROOT, "asm offset");
_Static_assert(sizeof(struct hv_cpu) <= 0x1000, "hv_cpu fits its page");
_Static_assert(sizeof(struct kframe) == KF_SIZE, "kframe size");
_Static_assert(HV_FIXED_LOG + HV_LOG_ENTRIES * sizeof(struct lvbs_log_entry) <=
	       HV_FIXED_SIZE, "log ring fits the fixed area");
_Static_assert(HV_FIXED_MSRPM + 0x2000 <= HV_FIXED_IOPM &&
	       HV_FIXED_IOPM + 0x3000 <= HV_FIXED_LOG, "fixed area layout");

struct hv_caps {
	u32 vendor;		/* LVBS_VENDOR_* */
	u64 present;		/* LVBS_FEAT_* */
	u64 used;
	u64 efer_valid;		/* EFER bits this CPU accepts */
	u64 cr4_valid;		/* CR4 bits this CPU accepts */
	bool cpuid_optional;	/* the vendor can run the guest without CPUID exits */
};

/* Pinned control-register bits (hv/core/crpin.c), indexed by CR number. */
struct hv_pins {
	struct spinlock lock;
	u64 mask[5];
	u64 val[5];
	u32 gen;		/* bumped whenever a bit is pinned */
};

struct hv {
	struct lvbs_boot_params params;	/* copied in at init, then trusted */
	bool outer_hyperv;		/* we run under a hypervisor with Hyper-V's MSRs */
	struct hv_caps caps;
	struct hv_pins pins;
	struct hv_memmap mem;
	struct hv_log log;
	struct pt_pool pool;
	struct pt host_pt;		/* the hypervisor's own address space */
	struct pt slat;			/* NPT / EPT: what the guest may touch */
	struct hv_slat slat_state;	/* permission database and its rules */
	struct pt_fmt host_fmt, slat_fmt;
	u64 hv_virt, hv_phys, hv_size;
	u64 percpu_base;		/* virtual address of per-CPU area 0 */
	u64 fixed_base;
	u32 nr_cpus;
	u32 cpus_running;		/* CPUs that are guests now */
	u32 cpus_failed;		/* CPUs whose launch failed (allows abort) */
	u32 cpus_entered;		/* CPUs whose first VM entry worked */
	u32 initialized;
	bool cpuid_intercept;		/* CPUID exits: hide SVM/VMX, announce lvbs */
	u64 tsc_at_launch;
	u64 tramp_exit;
};

extern struct hv hv;

/* Addresses inside the region. */
static inline u64 hv_va_to_pa(const void *va)
{
	return hv.hv_phys + ((u64)va - hv.hv_virt);
}

static inline struct hv_cpu *hv_cpu_of(u32 index)
{
	return (struct hv_cpu *)(hv.percpu_base + (u64)index * HV_PERCPU_SIZE +
				 HV_PERCPU_CPU);
}

/* The CPU whose per-CPU area holds p (its stack, its kframe), or NULL. */
static inline struct hv_cpu *hv_cpu_at(const void *p)
{
	u64 off = (u64)p - hv.percpu_base;

	if (!hv.percpu_base || off >= (u64)hv.nr_cpus * HV_PERCPU_SIZE)
		return NULL;
	return hv_cpu_of((u32)(off / HV_PERCPU_SIZE));
}

/* Guest-physical memory is identity-mapped in the hypervisor's tables. */
static inline void *gpa_ptr(u64 gpa)
{
	return (void *)gpa;
}

/* hv/core/hypercall.c: @len bytes of @src to the guest buffer [gpa, gpa + size) */
long hv_copy_to_guest(u64 gpa, u64 size, const void *src, u64 len);

/* hv/core/main.c */
void hv_log_event(struct hv_cpu *c, u32 kind, u32 access, u32 action,
		  u64 gpa, u64 info0, u64 info1);
void hv_log_mem(struct hv_cpu *c, u32 kind, u32 access, u32 action,
		u64 gpa, u64 gva, u64 info0, u64 info1);
__attribute__((noreturn)) void hv_panic(struct hv_cpu *c, const char *why, u64 a, u64 b);
void hv_report(struct hv_cpu *c, const char *why, u64 a, u64 b);
int hv_relocate(void);
__attribute__((noreturn)) void hv_platform_reset(void);
__attribute__((noreturn)) void hv_return_to_kernel(struct kframe *f, long status);
long hv_take_owed_nmi(const struct kframe *f);	/* head.S, on the way out */
__attribute__((noreturn)) void hv_launch_failed(struct hv_cpu *c, long status, u64 detail);
void hv_cpu_entered(struct hv_cpu *c);
void hv_regs_from_kframe(struct hv_cpu *c, const struct kframe *f);
void hv_kframe_from_regs(struct kframe *f, const struct hv_cpu *c);

/* hv/core/vcpu.c: vendor-neutral exit handling */
void vcpu_count_exit(struct hv_cpu *c, u32 kind);
void vcpu_count_dropped_store(struct hv_cpu *c);
void vcpu_queue_nmi(struct hv_cpu *c, bool guest);
bool vcpu_nmi_prepare(struct hv_cpu *c);
int vcpu_skip_insn(struct hv_cpu *c, u32 expected_op);
void vcpu_insn_done(struct hv_cpu *c, u64 next);
struct insn;
int vcpu_decode_at_rip(struct hv_cpu *c, struct insn *in);
struct gwalk_ctx;
void vcpu_guest_walker(struct hv_cpu *c, struct gwalk_ctx *w);
void vcpu_handle_cr_write(struct hv_cpu *c, u32 cr, int gpr);
void vcpu_handle_cpuid(struct hv_cpu *c);
void vcpu_handle_hypercall(struct hv_cpu *c);
void vcpu_handle_msr(struct hv_cpu *c, bool write);
void vcpu_handle_virt_insn(struct hv_cpu *c, u64 vendor_code);
void vcpu_handle_xsetbv(struct hv_cpu *c);
void vcpu_handle_invd(struct hv_cpu *c);
__attribute__((noreturn)) void vcpu_handle_shutdown(struct hv_cpu *c);
int guest_read_phys(void *opaque, u64 gpa, void *buf, u32 len);

/* hv/core/hypercall.c */
long hypercall_dispatch(struct hv_cpu *c, u64 nr, u64 a1, u64 a2, u64 a3,
			u64 *out1, u64 *out2);

/* hv/core/crpin.c */
long crpin_request(struct hv_cpu *c, u64 cr, u64 mask);
u32 crpin_enforcing_cpus(void);
u64 crpin_cr4_valid(u64 launch_cr4);

/* hv/core/msrpin.c */
int msrpin_slot(u32 msr);
u32 msrpin_msr(u32 slot);
bool msrpin_value_ok(u32 msr, u64 v);
bool msrpin_allows(struct hv_cpu *c, u32 slot, u64 v);
long msrpin_request(struct hv_cpu *c, u64 slot, u64 mask);
u32 msrpin_everywhere(void);

/* hv/core/dtpin.c */
long dtpin_request(struct hv_cpu *c);
u32 dtpin_cpus(void);
void vcpu_handle_dt_write(struct hv_cpu *c, u32 which);
void vcpu_handle_dt_access(struct hv_cpu *c, u32 hw_op);

/* hv/core/cpuid.c */
void cpuid_policy(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d);

/*
 * The backend interface: one small set of calls per vendor. Dispatched on
 * hv.caps.vendor in hv/arch/x86/backend.c (a switch, not function
 * pointers: the image has no relocations).
 */
struct guest_ctl {
	u64 cr0, cr3, cr4, efer;
	u64 rflags;
	bool cs_long;		/* CS.L: 64-bit mode (not compatibility mode) */
	bool cs_db;		/* CS.D: 32-bit (not 16-bit) code, in compatibility mode */
};

int arch_probe(struct hv_caps *caps);			/* fill caps; LVBS_E* if unusable */
int arch_init(void);					/* global structures (MSR maps) */
int arch_launch(struct hv_cpu *c, struct kframe *f);	/* returns only on failure */
u64 arch_rip(struct hv_cpu *c);
void arch_set_rip(struct hv_cpu *c, u64 rip);
u32 arch_cpl(struct hv_cpu *c);
void arch_guest_ctl(struct hv_cpu *c, struct guest_ctl *g);
bool arch_next_rip(struct hv_cpu *c, u64 *next);	/* hardware-provided next RIP */
void arch_inject(struct hv_cpu *c, u8 vector, bool has_err, u32 err);
void arch_inject_pf(struct hv_cpu *c, u64 addr, u32 err);	/* #PF with CR2 = addr */
void arch_inject_db_step(struct hv_cpu *c);	/* single-step #DB trap, DR6.BS set */
/*
 * A guest MSR the core reads or writes, as the guest sees it: EFER, the
 * kernel-entry MSRs (msrpin.c), FS and GS base (operand addresses). Where
 * each lives is the backend's: SVM keeps EFER in the VMCB and leaves the
 * others in the CPU (the hypervisor never runs VMLOAD); VMX keeps EFER,
 * SYSENTER and FS/GS base in the VMCS (docs/vmx-plan.md). A write is
 * already validated.
 */
u64 arch_guest_msr(struct hv_cpu *c, u32 msr);
/*
 * The SLAT's page-table format. With @want_xsplit, one that tells
 * supervisor from user execute where the CPU can (AMD GMET; Intel MBEC,
 * docs/vmx-plan.md); true if it does, and the feature is then marked
 * used in hv.caps.
 */
bool arch_slat_fmt(struct pt_fmt *f, bool gb_pages, bool want_xsplit);
void arch_set_guest_msr(struct hv_cpu *c, u32 msr, u64 v);
u64 arch_read_cr(struct hv_cpu *c, u32 cr);		/* CR0 or CR4 */
void arch_write_cr(struct hv_cpu *c, u32 cr, u64 v, bool flush_tlb); /* validated */
void arch_intercept_cr_write(struct hv_cpu *c, u32 cr);
void arch_read_dt(struct hv_cpu *c, u32 which, u64 *base, u16 *limit);	/* IDTR, GDTR */
void arch_write_dt(struct hv_cpu *c, u32 which, u64 base, u16 limit);
int arch_intercept_dt_writes(struct hv_cpu *c);	/* LIDT, LGDT, LTR; LVBS_E_* if not */
u16 arch_read_sel(struct hv_cpu *c, u32 which);		/* X86_SEL_LDTR or X86_SEL_TR */
u64 arch_seg_base(struct hv_cpu *c, u32 seg);		/* X86_SEG_*: the hidden base */
/*
 * LLDT for the guest: selector 0 makes LDTR unusable; anything else must
 * name an LDT descriptor with a canonical base in the guest's GDT, else
 * -1 (the CPU's #GP), and a present one, else -2 (#NP). Shared x86 code
 * (hv/arch/x86/backend.c) reads the descriptor.
 */
int arch_load_ldtr(struct hv_cpu *c, u16 sel);
__attribute__((noreturn)) void arch_abort(struct hv_cpu *c);	/* leave VMX/SVM, back to kernel */
void arch_flush_guest_tlb(struct hv_cpu *c);		/* by the next VM entry */
void arch_inject_nmi(struct hv_cpu *c);			/* now, or as soon as the slot is free */
void arch_send_nmi(u32 apic_id);			/* through the local APIC (hv/arch/x86/apic.c) */
int apic_init(void);
u32 read_apic_id(void);					/* this CPU's, from CPUID (apic.c) */
/*
 * An NMI taken in the hypervisor (head.S); @rip points at the interrupted
 * RIP, which the backend may rewind (VMX's entry window).
 */
void arch_nmi_root(u64 *rip);

#endif
