// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: feature probe, a VMCS built from the running kernel's
 * state (the same late launch as SVM: the kernel resumes where it called
 * us, now in VMX non-root operation), the exit dispatcher, and the arch_*
 * accessors core code uses. References are to the Intel SDM vol. 3C as
 * numbered in current editions (docs/vmx-plan.md); every protection is the
 * core's, reached through the same calls as on SVM.
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "../../../core/hv.h"
#include "../../../core/gwalk.h"
#include "../../../core/insn.h"
#include "../../../core/serial.h"
#include "../../../core/slat.h"
#include "../seg.h"
#include "caps.h"
#include "vmcs.h"
#include "vmx.h"

#define GUEST_VPID 1

/* Per-CPU backend state, in struct hv_cpu's opaque arch area. */
struct vmx_cpu {
	u32 insn_len;		/* of the exiting instruction; 0 if none */
	u32 vmcs_current;	/* VMREAD works: in VMX operation, our VMCS loaded */
	u64 rip_left;		/* the guest's RIP when this CPU left VMX */
};
_Static_assert(sizeof(struct vmx_cpu) <= sizeof(((struct hv_cpu *)0)->arch), "arch area");

static inline struct vmx_cpu *vcpu_of(struct hv_cpu *c)
{
	return (struct vmx_cpu *)c->arch;
}

static struct vmx_msrs vmx_m;
static struct vmx_setup vmx_s;
static u64 cr0_fixed0, cr4_fixed0;
static u64 vmx_eptp;

static bool is_intel(void)
{
	u32 a, b, c, d;

	cpuid_count(0, 0, &a, &b, &c, &d);
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;	/* GenuineIntel */
}

static void read_caps(struct vmx_msrs *m)
{
	u32 a, b, c, d, max;

	m->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	m->basic = rdmsr(MSR_IA32_VMX_BASIC);
	/* The TRUE MSRs exist only if BASIC says so: read nothing else before. */
	if (!(m->basic & VMX_BASIC_TRUE_CTLS))
		return;
	m->pin = rdmsr(MSR_IA32_VMX_TRUE_PINBASED);
	m->proc = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED);
	m->exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT);
	m->entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY);
	if ((m->proc >> 32) & PROC_SECONDARY)
		m->proc2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	if ((m->proc2 >> 32) & (PROC2_EPT | PROC2_VPID))
		m->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if ((m->proc2 >> 32) & PROC2_VMFUNC)
		m->vmfunc = rdmsr(MSR_IA32_VMX_VMFUNC);
	cpuid_count(0, 0, &max, &b, &c, &d);
	if (max >= 7) {
		cpuid_count(7, 0, &a, &b, &c, &d);
		m->cpu_invpcid = b & BIT(10);
		m->cpu_waitpkg = c & BIT(5);
	}
	if (max >= 0xd) {
		cpuid_count(0xd, 1, &a, &b, &c, &d);
		m->cpu_xsaves = a & BIT(3);
	}
	cpuid_count(0x80000001u, 0, &a, &b, &c, &d);
	m->cpu_rdtscp = d & BIT(27);
}

/* With debug_serial: what this CPU offers, to compare with what we decided. */
static void print_caps(const struct vmx_msrs *m, enum vmx_refusal r)
{
	static const char *const names[] = {
		" basic=", " pin=", " proc=", " proc2=", " exit=", " entry=", " ept_vpid=",
		" vmfunc=", " feature_control=",
	};
	const u64 vals[] = {
		m->basic, m->pin, m->proc, m->proc2, m->exit, m->entry, m->ept_vpid,
		m->vmfunc, m->feature_control,
	};

	if (!(hv.params.flags & LVBS_BOOT_DEBUG_SERIAL))
		return;
	serial_puts("LVBS-HV-VMXCAPS:");
	for (u32 i = 0; i < ARRAY_SIZE(vals); i++) {
		serial_puts(names[i]);
		serial_put_hex(vals[i]);
	}
	serial_puts(" decision=");
	serial_puts(vmx_refusal_text(r));
	if (r == VMX_MISSING_CONTROL || r == VMX_FORCED_CONTROL || r == VMX_GUEST_INSN) {
		serial_puts(" field=");
		serial_put_hex(vmx_s.ctl_field);
		serial_puts(" bits=");
		serial_put_hex(vmx_s.ctl_bits);
	}
	serial_puts("\n");
}

int vmx_probe(struct hv_caps *caps)
{
	u32 a, b, c, d;
	enum vmx_refusal r;

	if (!is_intel())
		return LVBS_E_NOSYS;
	cpuid_count(1, 0, &a, &b, &c, &d);
	if (!(c & BIT(5)))
		return LVBS_E_NOSYS;
	read_caps(&vmx_m);
	r = vmx_caps_decide(&vmx_m, false, &vmx_s);
	/* The page-table code maps guest RAM with 2 MiB leaves at least. */
	if (r == VMX_OK && !vmx_s.ept_2m)
		r = VMX_EPT_CAPS;
	print_caps(&vmx_m, r);
	if (r != VMX_OK)
		return r == VMX_NO_FEATURE_CONTROL ? LVBS_E_PERM : LVBS_E_NOSYS;
	cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);

	caps->vendor = LVBS_VENDOR_VMX;
	/* CPUID always exits in VMX non-root operation (SDM 26.1.2). */
	caps->cpuid_optional = false;
	caps->efer_valid = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	/*
	 * VMXE is set in VMX operation and the guest reads it set (its
	 * shadow); lvbs.ko sets it after this probe, at launch. A guest write
	 * that clears it changes only the shadow (vmx_write_cr).
	 */
	caps->cr4_valid = X86_CR4_VMXE;
	cpuid_count(0x80000001u, 0, &a, &b, &c, &d);
	/* 1 GiB pages: the host tables need the CPU's, the EPT its own. */
	if ((d & BIT(26)) && vmx_s.ept_1g)
		caps->present |= LVBS_FEAT_1G_PAGES;
	caps->present |= LVBS_FEAT_EPT;
	if (vmx_s.vpid)
		caps->present |= LVBS_FEAT_VPID;
	if ((vmx_m.proc2 >> 32) & PROC2_MBEC)
		caps->present |= LVBS_FEAT_MBEC;
	/* Detected for driver isolation (a later issue); not used. */
	if (vmx_s.eptp_switching)
		caps->present |= LVBS_FEAT_EPTP_SWITCH;
	if (vmx_s.ept_ve)
		caps->present |= LVBS_FEAT_VE;
	caps->used = caps->present & (LVBS_FEAT_EPT | LVBS_FEAT_VPID | LVBS_FEAT_1G_PAGES);
	return LVBS_OK;
}

/* MSR bitmap (SDM 25.6.9): read-low, read-high, write-low, write-high, 1 KiB each. */
static void msr_bitmap_intercept_write(u8 *bm, u32 msr)
{
	if (msr <= 0x1fff)
		bm[0x800 + msr / 8] |= (u8)(1u << (msr % 8));
	else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
		bm[0xc00 + (msr - 0xc0000000u) / 8] |= (u8)(1u << (msr % 8));
}

int vmx_init(void)
{
	u8 *bm = (u8 *)(hv.fixed_base + HV_FIXED_MSRPM);

	memset(bm, 0, 0x1000);
	/*
	 * EFER: the core validates and pins it. The kernel-entry MSRs: pins
	 * (hv/core/msrpin.c). KVM's two paravirtual MSRs in the low range
	 * (vcpu.c msr_write()). Reads pass through; MSRs outside the bitmap's
	 * two ranges always exit, and the core passes them to the CPU.
	 */
	msr_bitmap_intercept_write(bm, MSR_EFER);
	msr_bitmap_intercept_write(bm, MSR_KVM_WALL_CLOCK);
	msr_bitmap_intercept_write(bm, MSR_KVM_SYSTEM_TIME);
	for (u32 s = LVBS_MSR_SLOT_STAR; s < LVBS_MSR_SLOTS; s++)
		msr_bitmap_intercept_write(bm, msrpin_msr(s));
	/* 4-level walk (bits 5:3 = 3), write-back structures (bits 2:0 = 6). */
	vmx_eptp = hv.slat.root_pa | (3u << 3) | VMX_MEMTYPE_WB;
	return LVBS_OK;
}

static void vmw(struct hv_cpu *c, u64 field, u64 v)
{
	if (!vmwrite(field, v))
		hv_panic(c, "VMWRITE failed: field, error", field, vmread(VMCS_INSN_ERROR));
}

static void write_guest_seg(struct hv_cpu *c, u32 n, const struct x86_seg *s)
{
	vmw(c, VMCS_GUEST_ES_SEL + 2 * n, s->sel);
	vmw(c, VMCS_GUEST_ES_LIMIT + 2 * n, s->limit);
	vmw(c, VMCS_GUEST_ES_AR + 2 * n, seg_vmx_ar(s));
	vmw(c, VMCS_GUEST_ES_BASE + 2 * n, s->base);
}

static u16 read_sel(u32 n)
{
	u16 v = 0;

	switch (n) {
	case VSEG_FS: __asm__ __volatile__("mov %%fs, %0" : "=r"(v)); break;
	case VSEG_GS: __asm__ __volatile__("mov %%gs, %0" : "=r"(v)); break;
	case VSEG_LDTR: __asm__ __volatile__("sldt %0" : "=r"(v)); break;
	case VSEG_TR: __asm__ __volatile__("str %0" : "=r"(v)); break;
	}
	return v;
}

/* The kernel's segment registers, as it left them when it called us. */
static void guest_segments(struct hv_cpu *c, const struct kframe *f, const struct dtr *gdtr,
			   const struct gwalk_ctx *w, struct x86_seg *tr)
{
	const u16 sel[4] = { f->es, f->cs, f->ss, f->ds };
	struct x86_seg s;

	for (u32 n = VSEG_ES; n <= VSEG_DS; n++) {
		seg_read(gdtr, w, sel[n], &s);
		s.base = 0;		/* flat in long mode */
		/* The CPU sets "accessed" on load; VM entry checks it (SDM 27.3.1.2). */
		if (s.usable)
			s.attr |= 1;
		write_guest_seg(c, n, &s);
	}
	/* FS and GS: their bases are the MSRs, whatever the selector. */
	for (u32 n = VSEG_FS; n <= VSEG_GS; n++) {
		seg_read(gdtr, w, read_sel(n), &s);
		if (s.usable)
			s.attr |= 1;
		s.base = rdmsr(n == VSEG_FS ? MSR_FS_BASE : MSR_GS_BASE);
		write_guest_seg(c, n, &s);
	}
	seg_read(gdtr, w, read_sel(VSEG_LDTR), &s);
	write_guest_seg(c, VSEG_LDTR, &s);
	seg_read(gdtr, w, read_sel(VSEG_TR), tr);
	/* TR holds a busy 64-bit TSS (type 11), which is what LTR leaves. */
	tr->attr = (tr->attr & ~0xfu) | 11;
	write_guest_seg(c, VSEG_TR, tr);
}

static void build_guest(struct hv_cpu *c, const struct kframe *f, struct x86_seg *tr)
{
	struct dtr gdtr, idtr;
	struct gwalk_ctx w;
	u64 cr0 = read_cr0(), cr4 = read_cr4();

	memcpy(&gdtr, f->gdtr, sizeof(gdtr));
	memcpy(&idtr, f->idtr, sizeof(idtr));
	vmw(c, VMCS_GUEST_CR0, cr0);
	vmw(c, VMCS_GUEST_CR3, f->cr3);
	vmw(c, VMCS_GUEST_CR4, cr4);
	/*
	 * The guest owns every CR0/CR4 bit except those VMX forces (PE, NE,
	 * PG; VMXE): writes that leave those alone do not exit, and reads of
	 * them come from the shadows, which hold what the kernel set. Pins
	 * widen the masks (vmx_intercept_cr_write).
	 */
	vmw(c, VMCS_CR0_MASK, cr0_fixed0);
	vmw(c, VMCS_CR4_MASK, cr4_fixed0);
	vmw(c, VMCS_CR0_SHADOW, cr0);
	vmw(c, VMCS_CR4_SHADOW, cr4);
	vmw(c, VMCS_GUEST_DR7, read_dr7());
	vmw(c, VMCS_GUEST_DEBUGCTL, rdmsr(MSR_IA32_DEBUGCTL));
	vmw(c, VMCS_GUEST_PAT, rdmsr(MSR_IA32_PAT));
	vmw(c, VMCS_GUEST_EFER, rdmsr(MSR_EFER));
	vmw(c, VMCS_GUEST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	vmw(c, VMCS_GUEST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
	vmw(c, VMCS_GUEST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	vmw(c, VMCS_GUEST_RSP, f->rsp);
	vmw(c, VMCS_GUEST_RIP, f->rip);
	vmw(c, VMCS_GUEST_RFLAGS, f->rflags);
	vmw(c, VMCS_GUEST_GDTR_BASE, gdtr.base);
	vmw(c, VMCS_GUEST_GDTR_LIMIT, gdtr.limit);
	vmw(c, VMCS_GUEST_IDTR_BASE, idtr.base);
	vmw(c, VMCS_GUEST_IDTR_LIMIT, idtr.limit);
	w = (struct gwalk_ctx){
		.cr0 = cr0, .cr3 = f->cr3, .cr4 = cr4,
		.efer = rdmsr(MSR_EFER), .read_gpa = guest_read_phys,
	};
	guest_segments(c, f, &gdtr, &w, tr);
	vmw(c, VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmw(c, VMCS_GUEST_ACTIVITY, 0);
	vmw(c, VMCS_GUEST_PENDING_DBG, 0);
	vmw(c, VMCS_LINK_POINTER, ~0ull);

	/* Callee-saved registers as the caller left them; RAX = LVBS_OK. */
	hv_regs_from_kframe(c, f);
}

/*
 * What a VM exit loads (SDM 28.5): our CR3 and descriptor tables, the
 * kernel's own CR0/CR4/EFER/PAT (the hypervisor's page tables rely on its
 * NX and PAT), and the kernel's FS/GS bases and SYSENTER MSRs, so that the
 * CPU's values stay the kernel's whenever we return to it. TR keeps the
 * kernel's selector and base (the exit reads no GDT; the hypervisor takes
 * no privilege change, so the TSS is never used); its limit becomes 0x67,
 * which lvbs.ko repairs after an abort.
 */
static void build_host(struct hv_cpu *c, const struct x86_seg *tr)
{
	struct dtr gdtr, idtr;

	__asm__ __volatile__("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	vmw(c, VMCS_HOST_CR0, read_cr0());
	vmw(c, VMCS_HOST_CR3, hv.host_pt.root_pa);
	vmw(c, VMCS_HOST_CR4, read_cr4());
	vmw(c, VMCS_HOST_CS_SEL, HV_CS);
	vmw(c, VMCS_HOST_SS_SEL, HV_DS);
	vmw(c, VMCS_HOST_DS_SEL, HV_DS);
	vmw(c, VMCS_HOST_ES_SEL, HV_DS);
	vmw(c, VMCS_HOST_FS_SEL, 0);
	vmw(c, VMCS_HOST_GS_SEL, 0);
	vmw(c, VMCS_HOST_TR_SEL, tr->sel & ~7u);
	vmw(c, VMCS_HOST_TR_BASE, tr->base);
	vmw(c, VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmw(c, VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmw(c, VMCS_HOST_GDTR_BASE, gdtr.base);
	vmw(c, VMCS_HOST_IDTR_BASE, idtr.base);
	vmw(c, VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	vmw(c, VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
	vmw(c, VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	vmw(c, VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmw(c, VMCS_HOST_EFER, rdmsr(MSR_EFER));
	/* HOST_RSP and HOST_RIP: vmx_run.S. */
}

static void build_controls(struct hv_cpu *c)
{
	vmw(c, VMCS_PIN_CTLS, vmx_s.pin);
	vmw(c, VMCS_PROC_CTLS, vmx_s.proc);
	vmw(c, VMCS_PROC2_CTLS, vmx_s.proc2);
	vmw(c, VMCS_EXIT_CTLS, vmx_s.exit);
	vmw(c, VMCS_ENTRY_CTLS, vmx_s.entry);
	/* VMCLEAR does not zero a VMCS: every field we rely on is written. */
	vmw(c, VMCS_EXCEPTION_BITMAP, 0);
	vmw(c, VMCS_PF_ERR_MASK, 0);
	vmw(c, VMCS_PF_ERR_MATCH, 0);
	vmw(c, VMCS_CR3_TARGET_COUNT, 0);
	vmw(c, VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmw(c, VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmw(c, VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmw(c, VMCS_ENTRY_INTR_INFO, 0);
	if (vmx_s.proc2 & PROC2_XSAVES)
		vmw(c, VMCS_XSS_EXIT_BITMAP, 0);
	if (vmx_s.vpid)
		vmw(c, VMCS_VPID, GUEST_VPID);
	vmw(c, VMCS_MSR_BITMAP, hv_va_to_pa((void *)(hv.fixed_base + HV_FIXED_MSRPM)));
	vmw(c, VMCS_EPTP, vmx_eptp);
}

/*
 * Leave VMX operation on this CPU (after a failed launch or an abort).
 * The log still asks for the guest's RIP afterwards (hv_log_event).
 */
static void vmx_off(struct hv_cpu *c)
{
	vcpu_of(c)->rip_left = vmread(VMCS_GUEST_RIP);
	vcpu_of(c)->vmcs_current = 0;
	invept(INVEPT_ALL, 0);
	if (vmx_s.vpid)
		invvpid(INVVPID_ALL, 0, 0);
	vmclear(c->vmcb_pa);
	vmxoff();
}

int vmx_launch(struct hv_cpu *c, struct kframe *f)
{
	struct x86_seg tr;

	/* lvbs.ko sets CR4.VMXE through the kernel (its CR4 shadow agrees). */
	if (!(read_cr4() & X86_CR4_VMXE))
		return LVBS_E_PERM;
	c->apic_id = read_apic_id();
	/* The VMXON region is the per-CPU page SVM uses as its host save area. */
	*(u32 *)((u64)c - HV_PERCPU_CPU + HV_PERCPU_HSAVE) = vmx_s.revision;
	*(u32 *)c->vmcb = vmx_s.revision;
	if (!vmxon(c->hsave_pa))
		return LVBS_E_PERM;
	if (!vmclear(c->vmcb_pa) || !vmptrld(c->vmcb_pa)) {
		vmxoff();
		return LVBS_E_INVAL;
	}
	vcpu_of(c)->vmcs_current = 1;
	build_controls(c);
	build_guest(c, f, &tr);
	build_host(c, &tr);
	/* A previous launch may have left entries tagged with this EPTP and VPID. */
	invept(INVEPT_ALL, 0);
	if (vmx_s.vpid)
		invvpid(INVVPID_ALL, 0, 0);
	if (c->pending_fail) {
		/*
		 * Test hook (lvbs.ko fail_cpu=): RFLAGS bit 1 is reserved 1, one
		 * of VM entry's guest-state checks (SDM 27.3.1.4): the real entry
		 * fails with an exit, and the real failure path runs.
		 */
		vmw(c, VMCS_GUEST_RFLAGS, f->rflags & ~X86_EFLAGS_FIXED);
	}
	c->state = CPU_LAUNCHING;
	c->launch_tsc = rdtsc();
	hv_log_event(c, LVBS_EV_LAUNCH, 0, LVBS_ACT_NONE, 0, vmx_s.vpid ? GUEST_VPID : 0,
		     c->apic_id);
	__atomic_fetch_add(&hv.cpus_running, 1, __ATOMIC_SEQ_CST);
	/* An NMI taken in the bridge goes to the guest with the first entry. */
	vmx_pre_entry(c);
	vmx_run(c);	/* does not return */
}

/*
 * A VM exit loaded our host state over the kernel's: put back what the
 * kernel needs from the guest fields before it runs outside VMX again
 * (SDM 28.5). GDTR/IDTR and the callee-saved registers go through the
 * kframe (hv_return_to_kernel); TR's limit is lvbs.ko's to repair.
 */
static void restore_kernel(struct hv_cpu *c)
{
	struct kframe *f = c->kframe;
	u64 dr7 = vmread(VMCS_GUEST_DR7);

	wrmsr(MSR_FS_BASE, vmread(VMCS_GUEST_FS_BASE));
	wrmsr(MSR_GS_BASE, vmread(VMCS_GUEST_GS_BASE));
	wrmsr(MSR_SYSENTER_CS, vmread(VMCS_GUEST_SYSENTER_CS));
	wrmsr(MSR_SYSENTER_ESP, vmread(VMCS_GUEST_SYSENTER_ESP));
	wrmsr(MSR_SYSENTER_EIP, vmread(VMCS_GUEST_SYSENTER_EIP));
	wrmsr(MSR_IA32_DEBUGCTL, vmread(VMCS_GUEST_DEBUGCTL));
	wrmsr(MSR_IA32_PAT, vmread(VMCS_GUEST_PAT));
	__asm__ __volatile__("mov %0, %%dr7" :: "r"(dr7));
	f->cr3 = vmread(VMCS_GUEST_CR3);
	hv_kframe_from_regs(f, c);
	f->rip = vmread(VMCS_GUEST_RIP);
	f->cs = (u16)vmread(VMCS_GUEST_ES_SEL + 2 * VSEG_CS);
	f->ss = (u16)vmread(VMCS_GUEST_ES_SEL + 2 * VSEG_SS);
	f->ds = (u16)vmread(VMCS_GUEST_ES_SEL + 2 * VSEG_DS);
	f->es = (u16)vmread(VMCS_GUEST_ES_SEL + 2 * VSEG_ES);
	memcpy(f->gdtr, &(struct dtr){ (u16)vmread(VMCS_GUEST_GDTR_LIMIT),
				       vmread(VMCS_GUEST_GDTR_BASE) }, 10);
	memcpy(f->idtr, &(struct dtr){ (u16)vmread(VMCS_GUEST_IDTR_LIMIT),
				       vmread(VMCS_GUEST_IDTR_BASE) }, 10);
}

/*
 * The first VM entry failed with an NMI injected for the guest (one taken
 * in the bridge: arch_nmi_root): no guest got it, so it is still owed to
 * the kernel, which hv_take_owed_nmi() hands it on the way out.
 */
static void keep_undelivered_nmi(struct hv_cpu *c)
{
	u64 info = vmread(VMCS_ENTRY_INTR_INFO);

	if ((info & INTR_INFO_VALID) && INTR_TYPE(info) == INTR_TYPE_NMI) {
		c->nmi_pending = 1;
		c->nmi_real = 1;
	}
}

/*
 * VMLAUNCH or VMRESUME fell through (SDM 31.4): CF set is VMfailInvalid,
 * ZF set is VMfailValid with the error number in the VMCS. No state was
 * loaded, so at the first launch the kernel's is intact.
 */
void vmx_entry_failed(struct hv_cpu *c, u64 rflags)
{
	u64 err = (rflags & BIT(6)) ? vmread(VMCS_INSN_ERROR) : 0;
	u64 detail = ((rflags & BIT(6)) ? 1ull << 32 : 2ull << 32) | err;

	if (c->state != CPU_LAUNCHING)
		hv_panic(c, "VMRESUME failed: kind<<32|VM-instruction error", detail, 0);
	keep_undelivered_nmi(c);
	vmx_off(c);
	__atomic_fetch_sub(&hv.cpus_running, 1, __ATOMIC_SEQ_CST);
	hv_launch_failed(c, LVBS_E_INVAL, detail);
}

/* The first VM entry failed after loading guest state: an exit with bit 31. */
static void launch_failed_exit(struct hv_cpu *c, u32 reason)
{
	u64 qual = vmread(VMCS_EXIT_QUAL);

	/* No guest ran: c->regs still hold what build_guest put there. */
	c->regs[REG_RSP] = vmread(VMCS_GUEST_RSP);
	restore_kernel(c);
	keep_undelivered_nmi(c);
	vmx_off(c);
	__atomic_fetch_sub(&hv.cpus_running, 1, __ATOMIC_SEQ_CST);
	hv_launch_failed(c, LVBS_E_INVAL, (3ull << 32) | (reason & 0xffff) | (qual << 16));
}

/* Leave VMX on this CPU during a failed launch: back into the kernel. */
void vmx_abort(struct hv_cpu *c)
{
	restore_kernel(c);
	/* The kernel's EFER; the host value is the same, loaded at each exit. */
	wrmsr(MSR_EFER, vmread(VMCS_GUEST_EFER));
	vmx_off(c);
	c->state = CPU_ABORTED;
	__atomic_fetch_sub(&hv.cpus_running, 1, __ATOMIC_SEQ_CST);
	hv_log_event(c, LVBS_EV_LAUNCH_ABORT, 0, LVBS_ACT_NONE, 0, 0, 0);
	hv_return_to_kernel(c->kframe, LVBS_OK);
}

/*
 * EPT-violation qualification to the core's access kinds. A linear
 * address that is not the final one of its translation: the fault was in
 * the guest's paging structures.
 */
static u32 ept_access(u64 qual, u32 cpl)
{
	return slat_access(qual & EPT_QUAL_WRITE, qual & EPT_QUAL_FETCH, cpl == 3,
			   (qual & EPT_QUAL_LINEAR_VALID) && !(qual & EPT_QUAL_FINAL));
}

static void ept_violation(struct hv_cpu *c)
{
	u64 qual = vmread(VMCS_EXIT_QUAL);

	/*
	 * A fault in the guest's IRET from an NMI handler: the IRET had
	 * unblocked NMIs, and must find them unblocked when it runs again
	 * (SDM 28.2.1, EPT-violation qualification bit 12).
	 */
	if ((qual & EPT_QUAL_NMI_UNBLOCK) && !(vmread(VMCS_IDT_VEC_INFO) & INTR_INFO_VALID))
		vmw(c, VMCS_GUEST_INTERRUPTIBILITY,
		    vmread(VMCS_GUEST_INTERRUPTIBILITY) | INTERRUPTIBILITY_NMI);
	slat_handle_npf(c, vmread(VMCS_GUEST_PHYS_ADDR), ept_access(qual, vmx_cpl(c)));
}

/*
 * An event whose delivery the exit interrupted is delivered again: the
 * same rule as SVM's. External interrupts, NMIs and hardware exceptions
 * go back in; software interrupts and exceptions (INT n, INT3, INTO) do
 * not: the guest runs the instruction again and raises them itself.
 */
static void reinject_interrupted_event(struct hv_cpu *c)
{
	u32 info = (u32)vmread(VMCS_IDT_VEC_INFO);
	u32 type = INTR_TYPE(info);

	if (!(info & INTR_INFO_VALID))
		return;
	if (type != INTR_TYPE_EXT && type != INTR_TYPE_NMI && type != INTR_TYPE_HW_EXC)
		return;
	if (type == INTR_TYPE_NMI)	/* NMI injection needs no virtual-NMI blocking */
		vmw(c, VMCS_GUEST_INTERRUPTIBILITY,
		    vmread(VMCS_GUEST_INTERRUPTIBILITY) & ~INTERRUPTIBILITY_NMI);
	vmw(c, VMCS_ENTRY_INTR_INFO, info & ~INTR_INFO_NMI_UNBLOCK);
	if (info & INTR_INFO_HAS_ERR)
		vmw(c, VMCS_ENTRY_EXC_ERR, vmread(VMCS_IDT_VEC_ERR));
}

static void nmi_window(struct hv_cpu *c, bool open)
{
	u64 proc = vmread(VMCS_PROC_CTLS);

	vmw(c, VMCS_PROC_CTLS, open ? proc | PROC_NMI_WINDOW : proc & ~PROC_NMI_WINDOW);
}

/*
 * A guest NMI goes in when the injection slot is free and the guest does
 * not block NMIs: the CPU tracks the guest's NMI blocking itself (virtual
 * NMIs: blocked from injection to the guest's IRET), and the NMI window
 * brings us back when it ends.
 */
static void inject_pending_nmi(struct hv_cpu *c)
{
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if (!c->nmi_pending) {
		nmi_window(c, false);
		return;
	}
	if ((vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) ||
	    (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI))) {
		nmi_window(c, true);
		return;
	}
	nmi_window(c, false);
	if (!vcpu_nmi_prepare(c)) {
		c->nmi_pending = 0;
		return;
	}
	vmw(c, VMCS_ENTRY_INTR_INFO, X86_VEC_NMI | (INTR_TYPE_NMI << 8) | INTR_INFO_VALID);
	c->nmi_pending = 0;
}

/*
 * An NMI that causes a VM exit leaves NMIs blocked in the hypervisor
 * (SDM 28.1: "an NMI causes subsequent NMIs to be blocked, but only after
 * the VM exit completes"); an IRET ends that blocking, as it would have
 * in the NMI handler the exit replaced. A kick sent meanwhile then comes
 * in at once, through arch_nmi_root().
 */
static void nmi_unblock(void)
{
	__asm__ __volatile__("mov %%rsp, %%rax\n\t"
			     "pushq %0\n\t"
			     "pushq %%rax\n\t"
			     "pushfq\n\t"
			     "pushq %1\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "iretq\n"
			     "1:" :: "i"(HV_DS), "i"(HV_CS) : "rax", "memory", "cc");
}

static void exception_or_nmi(struct hv_cpu *c)
{
	u32 info = (u32)vmread(VMCS_EXIT_INTR_INFO);

	if (INTR_TYPE(info) == INTR_TYPE_NMI) {
		vcpu_count_exit(c, LVBS_EXIT_NMI);
		slat_nmi_exit(c);
		nmi_unblock();
		return;
	}
	/* The exception bitmap is 0: no exception should exit. */
	vcpu_count_exit(c, LVBS_EXIT_EXCEPTION);
	hv_panic(c, "unexpected exception exit: interruption info", info, vmread(VMCS_GUEST_RIP));
}

static void cr_access(struct hv_cpu *c)
{
	u64 q = vmread(VMCS_EXIT_QUAL);

	/* MOV to CR0/CR4 names its register; CLTS and LMSW the core decodes. */
	if (CR_QUAL_TYPE(q) == CR_TYPE_MOV_TO)
		vcpu_handle_cr_write(c, CR_QUAL_CR(q), (int)CR_QUAL_GPR(q));
	else
		vcpu_handle_cr_write(c, 0, -1);
}

/*
 * Which descriptor-table instruction exited: the VM-exit instruction
 * information's bits 29:28 (SDM 28.2.5, the tables for exit reasons 46
 * and 47), so that the core carries out only that one.
 */
static u32 dt_exit_op(u32 reason)
{
	static const u8 gdtr_idtr[4] = { INSN_SGDT, INSN_SIDT, INSN_LGDT, INSN_LIDT };
	static const u8 ldtr_tr[4] = { INSN_SLDT, INSN_STR, INSN_LLDT, INSN_LTR };
	u32 id = (vmread(VMCS_EXIT_INSN_INFO) >> 28) & 3;

	return reason == EXIT_GDTR_IDTR ? gdtr_idtr[id] : ldtr_tr[id];
}

static void dispatch(struct hv_cpu *c, u32 reason)
{
	switch (reason) {
	case EXIT_EXCEPTION_NMI:
		exception_or_nmi(c);
		break;
	case EXIT_NMI_WINDOW:
		/* inject_pending_nmi() below does the rest. */
		vcpu_count_exit(c, LVBS_EXIT_NMI);
		break;
	case EXIT_CPUID:
		vcpu_handle_cpuid(c);
		break;
	case EXIT_VMCALL:
		vcpu_handle_hypercall(c);
		break;
	case EXIT_CR_ACCESS:
		cr_access(c);
		break;
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		vcpu_handle_msr(c, reason == EXIT_WRMSR);
		break;
	case EXIT_EPT_VIOLATION:
		ept_violation(c);
		break;
	case EXIT_XSETBV:
		vcpu_handle_xsetbv(c);
		break;
	case EXIT_INVD:
		vcpu_handle_invd(c);
		break;
	case EXIT_GDTR_IDTR:
	case EXIT_LDTR_TR:
		vcpu_handle_dt_access(c, dt_exit_op(reason));
		break;
	case EXIT_VMCLEAR: case EXIT_VMLAUNCH: case EXIT_VMPTRLD: case EXIT_VMPTRST:
	case EXIT_VMREAD: case EXIT_VMRESUME: case EXIT_VMWRITE: case EXIT_VMXOFF:
	case EXIT_VMXON: case EXIT_INVEPT: case EXIT_INVVPID: case EXIT_VMFUNC:
		vcpu_handle_virt_insn(c, reason);
		break;
	case EXIT_TRIPLE_FAULT:
		vcpu_handle_shutdown(c);
	case EXIT_EPT_MISCONFIG:
		hv_panic(c, "EPT misconfiguration: gpa", vmread(VMCS_GUEST_PHYS_ADDR), 0);
	default:
		vcpu_count_exit(c, LVBS_EXIT_OTHER);
		hv_log_event(c, LVBS_EV_UNHANDLED_EXIT, 0, LVBS_ACT_HALTED, 0, reason,
			     vmread(VMCS_EXIT_QUAL));
		hv_panic(c, "unexpected VM exit: reason, qualification", reason,
			 vmread(VMCS_EXIT_QUAL));
	}
}

/* Exits caused by an instruction: VMCS_EXIT_INSN_LEN is valid (SDM 28.2.5). */
static bool insn_exit(u32 reason)
{
	switch (reason) {
	case EXIT_CPUID: case EXIT_INVD: case EXIT_VMCALL: case EXIT_CR_ACCESS:
	case EXIT_RDMSR: case EXIT_WRMSR: case EXIT_GDTR_IDTR: case EXIT_LDTR_TR:
	case EXIT_XSETBV:
		return true;
	default:
		return reason >= EXIT_VMCLEAR && reason <= EXIT_VMXON;
	}
}

/* Called by vmx_run.S after every VM exit, guest GPRs saved in c->regs. */
void vmx_handle_exit(struct hv_cpu *c)
{
	struct vmx_cpu *v = vcpu_of(c);
	u32 reason = (u32)vmread(VMCS_EXIT_REASON);

	if (unlikely(c->state == CPU_LAUNCHING)) {
		if (reason & EXIT_REASON_ENTRY_FAIL)
			launch_failed_exit(c, reason);
		hv_cpu_entered(c);
	}
	if (reason & EXIT_REASON_ENTRY_FAIL)
		hv_panic(c, "VM entry failed on a running guest: reason, qualification", reason,
			 vmread(VMCS_EXIT_QUAL));
	reason &= 0xffff;
	v->insn_len = insn_exit(reason) ? (u32)vmread(VMCS_EXIT_INSN_LEN) : 0;
	c->regs[REG_RSP] = vmread(VMCS_GUEST_RSP);
	/* A handler below may replace the reinjected event with its own. */
	reinject_interrupted_event(c);
	dispatch(c, reason);
	vmw(c, VMCS_GUEST_RSP, c->regs[REG_RSP]);
	vmx_pre_entry(c);
}

/*
 * Last before every VM entry (vmx_run.S runs it again if an NMI came
 * after it): NMIs taken in the hypervisor, the guest's pending NMI, and
 * the flush for a shootdown that started while we were out.
 */
void vmx_pre_entry(struct hv_cpu *c)
{
	if (__atomic_exchange_n(&c->nmi_root, 0, __ATOMIC_SEQ_CST))
		slat_nmi_exit(c);
	inject_pending_nmi(c);
	slat_tlb_sync(c);
}

extern char vmx_entry_window[], vmx_entry_window_end[];
extern char vmx_launch_window[], vmx_launch_window_end[];

/*
 * An NMI in VMX root operation (head.S). This CPU is found from the
 * stack the NMI was taken on, which lies in its per-CPU area.
 */
void vmx_nmi_root(u64 *rip)
{
	struct hv_cpu *c = hv_cpu_at(rip);

	if (!c)
		return;		/* during initialisation: nothing to do yet */
	__atomic_store_n(&c->nmi_root, 1, __ATOMIC_SEQ_CST);
	if (*rip >= (u64)vmx_entry_window && *rip < (u64)vmx_entry_window_end)
		*rip = (u64)vmx_entry_window;
	else if (*rip >= (u64)vmx_launch_window && *rip < (u64)vmx_launch_window_end)
		*rip = (u64)vmx_launch_window;
}

/* ---- accessors for core code ---- */

u64 vmx_rip(struct hv_cpu *c)
{
	struct vmx_cpu *v = vcpu_of(c);

	return v->vmcs_current ? vmread(VMCS_GUEST_RIP) : v->rip_left;
}

void vmx_set_rip(struct hv_cpu *c, u64 rip)
{
	u64 rflags = vmread(VMCS_GUEST_RFLAGS);

	vmw(c, VMCS_GUEST_RIP, rip);
	/*
	 * The instruction is done: no STI or MOV SS shadow after it, and RF
	 * clear (an EPT violation exit may have saved it set, SDM 27.3.3),
	 * or an instruction breakpoint on the next one would not fire.
	 */
	vmw(c, VMCS_GUEST_INTERRUPTIBILITY, vmread(VMCS_GUEST_INTERRUPTIBILITY) &
	    ~(u64)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
	if (rflags & X86_EFLAGS_RF)
		vmw(c, VMCS_GUEST_RFLAGS, rflags & ~X86_EFLAGS_RF);
}

/* SS.DPL is the CPL (SDM 25.4.1). */
u32 vmx_cpl(struct hv_cpu *c)
{
	return (vmread(VMCS_GUEST_ES_AR + 2 * VSEG_SS) >> 5) & 3;
}

void vmx_guest_ctl(struct hv_cpu *c, struct guest_ctl *g)
{
	g->cr0 = vmread(VMCS_GUEST_CR0);
	g->cr3 = vmread(VMCS_GUEST_CR3);
	g->cr4 = vmread(VMCS_GUEST_CR4);
	g->efer = vmread(VMCS_GUEST_EFER);
	g->rflags = vmread(VMCS_GUEST_RFLAGS);
	/* Access rights bit 13 is the descriptor's L (SDM 25.4.1). */
	g->cs_long = vmread(VMCS_GUEST_ES_AR + 2 * VSEG_CS) & BIT(13);
	g->cs_db = vmread(VMCS_GUEST_ES_AR + 2 * VSEG_CS) & BIT(14);
}

bool vmx_next_rip(struct hv_cpu *c, u64 *next)
{
	struct vmx_cpu *v = vcpu_of(c);

	if (!v->insn_len)
		return false;
	*next = vmread(VMCS_GUEST_RIP) + v->insn_len;
	return true;
}

void vmx_inject(struct hv_cpu *c, u8 vector, bool has_err, u32 err)
{
	vmw(c, VMCS_ENTRY_INTR_INFO, vector | (INTR_TYPE_HW_EXC << 8) | INTR_INFO_VALID |
	    (has_err ? INTR_INFO_HAS_ERR : 0));
	if (has_err)
		vmw(c, VMCS_ENTRY_EXC_ERR, err);
}

/* VMX leaves CR2 alone: the guest's is the CPU's while we run. */
void vmx_inject_pf(struct hv_cpu *c, u64 addr, u32 err)
{
	__asm__ __volatile__("mov %0, %%cr2" : : "r"(addr) : "memory");
	vmx_inject(c, X86_VEC_PF, true, err);
}

/*
 * VM entry and exit leave DR6 alone, so the CPU's is the guest's; the
 * hypervisor never uses the debug registers.
 */
void vmx_inject_db_step(struct hv_cpu *c)
{
	u64 dr6;

	__asm__ __volatile__("mov %%dr6, %0" : "=r"(dr6));
	__asm__ __volatile__("mov %0, %%dr6" : : "r"(dr6 | DR6_BS));
	vmx_inject(c, X86_VEC_DB, false, 0);
}

/*
 * EPT, with MBEC when it is wanted and the CPU allows it (SDM 29.3.3.2:
 * bit 2 executes for supervisor-mode linear addresses, bit 10 for user
 * mode). The control goes into every CPU's VMCS at launch
 * (build_controls). Built to the SDM and unit-tested at the level of EPT
 * entries; no emulator lvbs is tested on has MBEC (docs/architecture.md).
 */
bool vmx_slat_fmt(struct pt_fmt *f, bool gb_pages, bool want_xsplit)
{
	bool mbec = want_xsplit && ((vmx_m.proc2 >> 32) & PROC2_MBEC);

	pt_fmt_make_ept(f, gb_pages, mbec);
	if (!mbec)
		return false;
	vmx_s.mbec = true;
	vmx_s.proc2 |= PROC2_MBEC;
	hv.caps.used |= LVBS_FEAT_MBEC;
	return true;
}

/* The guest MSRs a VM entry loads live in the VMCS; the rest stay in the CPU. */
static u64 msr_field(u32 msr)
{
	switch (msr) {
	case MSR_EFER: return VMCS_GUEST_EFER;
	case MSR_IA32_PAT: return VMCS_GUEST_PAT;
	case MSR_IA32_DEBUGCTL: return VMCS_GUEST_DEBUGCTL;
	case MSR_SYSENTER_CS: return VMCS_GUEST_SYSENTER_CS;
	case MSR_SYSENTER_ESP: return VMCS_GUEST_SYSENTER_ESP;
	case MSR_SYSENTER_EIP: return VMCS_GUEST_SYSENTER_EIP;
	case MSR_FS_BASE: return VMCS_GUEST_FS_BASE;
	case MSR_GS_BASE: return VMCS_GUEST_GS_BASE;
	default: return 0;
	}
}

u64 vmx_guest_msr(struct hv_cpu *c, u32 msr)
{
	u64 f = msr_field(msr);

	return f ? vmread(f) : rdmsr(msr);
}

void vmx_set_guest_msr(struct hv_cpu *c, u32 msr, u64 val)
{
	u64 f = msr_field(msr);

	if (!f) {
		wrmsr(msr, val);
		return;
	}
	/* LMA is the CPU's: it follows the "IA-32e mode guest" entry control. */
	if (msr == MSR_EFER)
		val = (val & ~EFER_LMA) | (vmread(VMCS_GUEST_EFER) & EFER_LMA);
	vmw(c, f, val);
}

static u64 cr_fixed0(u32 cr)
{
	return cr == 0 ? cr0_fixed0 : cr4_fixed0;
}

/* What the guest sees: its own bits, and the shadow's where we own them. */
u64 vmx_read_cr(struct hv_cpu *c, u32 cr)
{
	u64 mask = vmread(cr == 0 ? VMCS_CR0_MASK : VMCS_CR4_MASK);
	u64 real = vmread(cr == 0 ? VMCS_GUEST_CR0 : VMCS_GUEST_CR4);
	u64 shadow = vmread(cr == 0 ? VMCS_CR0_SHADOW : VMCS_CR4_SHADOW);

	return (real & ~mask) | (shadow & mask);
}

void vmx_write_cr(struct hv_cpu *c, u32 cr, u64 val, bool flush_tlb)
{
	vmw(c, cr == 0 ? VMCS_CR0_SHADOW : VMCS_CR4_SHADOW, val);
	/* The bits VMX forces stay set in the real register (PE, NE, PG; VMXE). */
	vmw(c, cr == 0 ? VMCS_GUEST_CR0 : VMCS_GUEST_CR4, val | cr_fixed0(cr));
	if (flush_tlb)
		vmx_flush_guest_tlb(c);
}

/*
 * Pinned bits join the owned ones: a write that would change any of them
 * exits (SDM 26.1.3), one that leaves them alone does not. The shadow
 * must hold the guest-visible value of every owned bit before the mask
 * widens.
 */
void vmx_intercept_cr_write(struct hv_cpu *c, u32 cr)
{
	u64 cur = vmx_read_cr(c, cr);

	vmw(c, cr == 0 ? VMCS_CR0_SHADOW : VMCS_CR4_SHADOW, cur);
	vmw(c, cr == 0 ? VMCS_CR0_MASK : VMCS_CR4_MASK, cr_fixed0(cr) | hv.pins.mask[cr]);
}

void vmx_read_dt(struct hv_cpu *c, u32 which, u64 *base, u16 *limit)
{
	bool idt = which == LVBS_DT_IDTR;

	*base = vmread(idt ? VMCS_GUEST_IDTR_BASE : VMCS_GUEST_GDTR_BASE);
	*limit = (u16)vmread(idt ? VMCS_GUEST_IDTR_LIMIT : VMCS_GUEST_GDTR_LIMIT);
}

void vmx_write_dt(struct hv_cpu *c, u32 which, u64 base, u16 limit)
{
	bool idt = which == LVBS_DT_IDTR;

	vmw(c, idt ? VMCS_GUEST_IDTR_BASE : VMCS_GUEST_GDTR_BASE, base);
	vmw(c, idt ? VMCS_GUEST_IDTR_LIMIT : VMCS_GUEST_GDTR_LIMIT, limit);
}

/*
 * VMX's descriptor-table exiting is all or nothing: LLDT and the stores
 * SGDT, SIDT, SLDT and STR exit as well, at any CPL, and the core
 * carries them out (dtpin.c:vcpu_handle_dt_access). On this CPU only.
 */
int vmx_intercept_dt_writes(struct hv_cpu *c)
{
	if (!vmx_s.dt_exiting)
		return LVBS_E_NOSYS;
	vmw(c, VMCS_PROC2_CTLS, vmread(VMCS_PROC2_CTLS) | PROC2_DT_EXITING);
	return LVBS_OK;
}

u16 vmx_read_sel(struct hv_cpu *c, u32 which)
{
	return (u16)vmread(VMCS_GUEST_ES_SEL + 2 * (which == X86_SEL_LDTR ? VSEG_LDTR : VSEG_TR));
}

/* X86_SEG_* and VSEG_* share VMX's order. */
u64 vmx_seg_base(struct hv_cpu *c, u32 seg)
{
	return vmread(VMCS_GUEST_ES_BASE + 2 * seg);
}

void vmx_write_ldtr(struct hv_cpu *c, const struct x86_seg *s)
{
	write_guest_seg(c, VSEG_LDTR, s);
}

void vmx_inject_nmi(struct hv_cpu *c)
{
	c->nmi_pending = 1;
}

/*
 * Guest-physical mappings, and the combined ones built from them, survive
 * VM entries and exits with or without VPID (SDM 29.4): after a SLAT
 * change or an emulated CR write, INVEPT for our EPTP, now (this runs on
 * the CPU that owns c, before its next entry).
 */
void vmx_flush_guest_tlb(struct hv_cpu *c)
{
	if (vmx_m.ept_vpid & BIT(25))
		invept(INVEPT_SINGLE, vmx_eptp);
	else
		invept(INVEPT_ALL, 0);
}
