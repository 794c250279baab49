// SPDX-License-Identifier: GPL-2.0
/*
 * lvbs_test.ko: probes the lvbs hypervisor from guest ring 0 for the VM
 * scenarios in tests/vm/scenarios. It talks to the hypervisor with raw
 * VMMCALLs (not through lvbs.ko), so it tests the ABI of include/lvbs/abi.h
 * itself, including what lvbs.ko would never send.
 *
 *   insmod lvbs_test.ko action=roundtrip
 *	GET_INFO, GET_STATS for every CPU, READ_LOG from seq 1; all must
 *	succeed with consistent results.
 *   insmod lvbs_test.ko action=garbage hv_phys=0x... hv_size=N
 *	malformed hypercalls, each of which must fail with its documented
 *	status code; then a valid GET_INFO must still work.
 *   insmod lvbs_test.ko action=touch_hv_read|touch_hv_write hv_phys=0x...
 *       (kernel code reads/writes the hypervisor's memory)
 *   insmod lvbs_test.ko action=cr4_clear_smep|cr0_clear_wp
 *       (a raw MOV to CR4/CR0 that clears a pinned bit, skipping the
 *       kernel's own CR pinning as an attacker with code execution would)
 *   insmod lvbs_test.ko action=msr_lstar|efer_clear_nxe
 *       (a raw WRMSR redirecting the SYSCALL entry, or clearing EFER.NXE;
 *       raw, so no kernel exception fixup hides the #GP)
 *   insmod lvbs_test.ko action=msr_rewrite
 *       (benign twin: rewrite LSTAR and EFER with their current values)
 *   insmod lvbs_test.ko action=lidt_forged
 *       (LIDT to a forged copy of the IDT, as a rootkit hooking interrupts)
 *   insmod lvbs_test.ko action=lidt_same
 *       (benign twin: reload the IDT and GDT the CPU already uses)
 *   insmod lvbs_test.ko action=text_pte_write|rodata_alias_write|roai_alias_write
 *       (write kernel text through a PTE made writable, rodata and
 *       ro_after_init through a writable vmap alias: lvbs must stop them,
 *       by dropping the store: the writing thread goes on)
 *   insmod lvbs_test.ko action=violation_storm
 *       (every CPU writes rodata as fast as it can for 2 s: all dropped,
 *       rodata unchanged, the log rate-limited)
 *   insmod lvbs_test.ko action=text_poke_locked
 *       (text_poke() kernel text under text_mutex: refused, and the
 *       thread goes on and unlocks)
 *   insmod lvbs_test.ko action=exec_kmalloc|exec_vmalloc [expect_blocked=0]|exec_moddata
 *       (RET written into a kmalloc / vmalloc page / module data, NX cleared,
 *       called)
 *   insmod lvbs_test.ko action=exec_freed exec_pa=0x...
 *       (call freed module code through the direct map)
 *   insmod lvbs_test.ko action=loosen_immutable|protect_benign
 *       (PROTECT_MEMORY making kernel text writable must fail; the module
 *       lifecycle path — take, tighten, release — must work)
 *   insmod lvbs_test.ko action=image_freed
 *       (pages the kernel freed from its own image at boot can be taken
 *       as module memory, like any other free page)
 *   insmod lvbs_test.ko action=bpf_jit
 *       (a JIT-compiled BPF program runs after SEAL)
 *   insmod lvbs_test.ko action=pte_write_benign|static_key
 *       (benign twins: the write methods on ordinary memory; a static key
 *       in this module's text toggled after SEAL)
 *   insmod lvbs_test.ko action=nmi_storm
 *       (NMIs sent back to back at another CPU whose NMI handler is busy:
 *       none may enter the handler while it runs, as on bare metal, and
 *       the system goes on)
 *   insmod lvbs_test.ko action=nmi_irqoff
 *       (an NMI held while the guest's NMI handler runs goes in right
 *       after its IRET, even into code that runs with interrupts off)
 *   insmod lvbs_test.ko action=nmi_shootdown
 *       (NMIs a CPU sends itself one at a time while the other CPU
 *       changes the SLAT and kicks it: every one must arrive)
 *   insmod lvbs_test.ko action=forged_code forge_owner=N forge_file=F
 *       unverified code claimed as a live verified module's text, through
 *       PROTECT_MEMORY and MODULE_COMPARE, then called: must not run
 *   insmod lvbs_test.ko action=tamper_coming tamper=NAME [tamper_write=1]
 *       (stays loaded: at each MODULE_STATE_COMING of module NAME, before
 *       lvbs's own notifier compares it with its signed file, change one
 *       byte of its exit function through a writable alias of its page,
 *       as kernel code with write access would; tamper_write=0, writable
 *       in sysfs, is the benign twin that only looks)
 *   insmod lvbs_test.ko action=cr4_toggle_pge|cr_check
 *       (benign twins: a raw CR4 write that keeps the pinned bits, as the
 *       kernel's global TLB flush does; and a check that every CPU still
 *       runs with CR0.WP and CR4.SMEP set)
 *	read or write the hypervisor's memory through a kernel mapping, in
 *	a kernel thread. lvbs must stop it (it injects #GP: that thread
 *	oopses, the system lives). Reaching the line after the access is
 *	"FAIL hv memory readable".
 *
 * Every result is a kernel log line starting with "lvbs_test: "; the verdict
 * is "lvbs_test: PASS <action>" or "lvbs_test: FAIL <action>: <why>".
 *
 * The module never stays loaded: init returns -ECANCELED after the action
 * (insmod then reports "Operation canceled"), so the scenarios can run it
 * again with another action without an rmmod. Scenarios judge the verdict
 * line in the kernel log, never insmod's exit status. Load it with an insmod
 * that tries once (tests/vm/progs/insmod.c): busybox's insmod retries a
 * failed load, which would run every action twice.
 */
#define pr_fmt(fmt) "lvbs_test: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <linux/cpumask.h>
#include <linux/string.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/smp.h>
#include <linux/atomic.h>
#include <asm/special_insns.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/desc.h>
#include <asm/pgtable.h>
#include <asm/tlbflush.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/jump_label.h>
#include <linux/ctype.h>
#include <linux/filter.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <asm/apic.h>
#include <asm/nmi.h>
#include <linux/ioport.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <lvbs/abi.h>
#include "lvbs_hc.h"

static char *action = "roundtrip";
module_param(action, charp, 0400);
MODULE_PARM_DESC(action, "roundtrip | garbage | touch_hv_read | touch_hv_write | cr4_clear_smep | cr0_clear_wp | cr4_toggle_pge | cr_check | msr_lstar | efer_clear_nxe | msr_rewrite | msr_absent | lidt_forged | lidt_same | nmi_storm | nmi_irqoff | nmi_shootdown | text_pte_write | text_poke_locked | violation_storm | rodata_alias_write | roai_alias_write | pte_write_benign | exec_kmalloc | exec_vmalloc | exec_moddata | exec_freed | loosen_immutable | protect_benign | image_freed | static_key | bpf_jit");

static unsigned long long exec_pa;
module_param(exec_pa, ullong, 0400);
MODULE_PARM_DESC(exec_pa, "exec_freed: physical address of freed module code to run");

static bool expect_blocked = true;
module_param(expect_blocked, bool, 0400);
MODULE_PARM_DESC(expect_blocked, "exec_kmalloc/exec_vmalloc: whether lvbs should stop it (exec_control gmet or strict) or not (nx_fallback)");

static unsigned long long hv_phys;
module_param(hv_phys, ullong, 0400);
MODULE_PARM_DESC(hv_phys, "physical base of the hypervisor (status: hv_phys_base)");

static unsigned long long hv_size;
module_param(hv_size, ullong, 0400);
MODULE_PARM_DESC(hv_size, "bytes of hypervisor memory (status: hv_phys_size)");

/* ---------------------------------------------------------------- roundtrip */

static const char *check_info(const struct lvbs_info *info)
{
	if (info->size < sizeof(*info))
		return "GET_INFO: size too small";
	if (info->abi_version != LVBS_ABI_VERSION)
		return "GET_INFO: abi_version mismatch";
	if (info->nr_cpus != num_online_cpus())
		return "GET_INFO: nr_cpus != num_online_cpus()";
	if (info->vendor != LVBS_VENDOR_SVM && info->vendor != LVBS_VENDOR_VMX)
		return "GET_INFO: unknown vendor";
	if (!info->hv_phys_size)
		return "GET_INFO: hv_phys_size is 0";
	if (!info->log_capacity)
		return "GET_INFO: log_capacity is 0";
	return NULL;
}

#define LOG_ENTRIES 16

static const char *roundtrip(void)
{
	struct lvbs_info *info;
	struct lvbs_cpu_stats *st;
	struct lvbs_log_entry *log;
	struct hc_regs out;
	const char *why = NULL;
	u64 prev;
	long r;
	u32 i;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	log = kcalloc(LOG_ENTRIES, sizeof(*log), GFP_KERNEL);
	if (!info || !st || !log) {
		why = "out of memory";
		goto out;
	}

	r = hc(LVBS_HC(LVBS_HC_GET_INFO), virt_to_phys(info), sizeof(*info), 0, NULL);
	pr_info("GET_INFO status=%ld size=%u abi=%u vendor=%u cpus=%u (online %u) present=0x%llx used=0x%llx hv=0x%llx+0x%llx limit=0x%llx log_capacity=%llu log_next_seq=%llu\n",
		r, info->size, info->abi_version, info->vendor, info->nr_cpus,
		num_online_cpus(), info->features_present, info->features_used,
		info->hv_phys_base, info->hv_phys_size, info->guest_phys_limit,
		info->log_capacity, info->log_next_seq);
	if (r != LVBS_OK) {
		why = "GET_INFO failed";
		goto out;
	}
	why = check_info(info);
	if (why)
		goto out;

	for (i = 0; i < info->nr_cpus; i++) {
		memset(st, 0, sizeof(*st));
		r = hc(LVBS_HC(LVBS_HC_GET_STATS), virt_to_phys(st), sizeof(*st), i, NULL);
		pr_info("GET_STATS cpu %u status=%ld size=%u cpu=%u apic_id=%u kinds=%u total=%llu hypercall=%llu cpuid=%llu failed=%llu\n",
			i, r, st->size, st->cpu, st->apic_id, st->nr_kinds,
			st->exits_total, st->exits[LVBS_EXIT_HYPERCALL],
			st->exits[LVBS_EXIT_CPUID], st->hypercalls_failed);
		if (r != LVBS_OK) {
			why = "GET_STATS failed";
			goto out;
		}
		if (st->cpu != i || st->size < sizeof(*st)) {
			why = "GET_STATS: wrong cpu index or size in the result";
			goto out;
		}
	}

	r = hc(LVBS_HC(LVBS_HC_READ_LOG), virt_to_phys(log),
	       LOG_ENTRIES * sizeof(*log), 1, &out);
	pr_info("READ_LOG from 1: status=%ld next=%llu lost=%llu\n", r, out.rbx, out.rcx);
	if (r < 0) {
		why = "READ_LOG failed";
		goto out;
	}
	if (r == 0 || r > LOG_ENTRIES) {
		/* At least one launch event per CPU must be there. */
		why = "READ_LOG: no entries (or more than asked for)";
		goto out;
	}
	prev = 0;
	for (i = 0; i < r; i++) {
		pr_info("log seq=%llu kind=%u cpu=%u action=%u count=%u rip=0x%llx gpa=0x%llx info0=0x%llx\n",
			log[i].seq, log[i].kind, log[i].cpu, log[i].action,
			log[i].count, log[i].rip, log[i].gpa, log[i].info0);
		if (log[i].seq <= prev) {
			why = "READ_LOG: sequence numbers not increasing";
			goto out;
		}
		prev = log[i].seq;
	}
	if (out.rbx <= prev) {
		why = "READ_LOG: next sequence number not after the last entry";
		goto out;
	}
out:
	kfree(log);
	kfree(st);
	kfree(info);
	return why;
}

/* ------------------------------------------------------------------ garbage */

struct garbage_case {
	const char *name;
	u64 rax, rbx, rcx, rdx;
	long expect;
};

static const char *status_name(long s)
{
	switch (s) {
	case LVBS_OK:		return "OK";
	case LVBS_E_NOSYS:	return "E_NOSYS";
	case LVBS_E_INVAL:	return "E_INVAL";
	case LVBS_E_RANGE:	return "E_RANGE";
	case LVBS_E_ALIGN:	return "E_ALIGN";
	case LVBS_E_TOOBIG:	return "E_TOOBIG";
	case LVBS_E_PERM:	return "E_PERM";
	case LVBS_E_FAULT:	return "E_FAULT";
	case LVBS_E_BUSY:	return "E_BUSY";
	default:		return s >= 0 ? "non-negative" : "unknown";
	}
}

/* Runs the malformed calls; returns how many got the wrong status. */
static unsigned int garbage_cases(u64 pinfo, u64 pstats, u64 plog)
{
	const u64 info_sz = sizeof(struct lvbs_info);
	const u64 stats_sz = sizeof(struct lvbs_cpu_stats);
	const u64 gi = LVBS_HC(LVBS_HC_GET_INFO);
	const struct garbage_case cases[] = {
		{ "unknown call number", LVBS_HC(0x7777), pinfo, info_sz, 0, LVBS_E_NOSYS },
		{ "call number 0", LVBS_HC(0), pinfo, info_sz, 0, LVBS_E_NOSYS },
		{ "RAX without magic", 0x1234, pinfo, info_sz, 0, LVBS_E_NOSYS },
		{ "RAX with magic in low half", LVBS_HC_MAGIC >> 32, pinfo, info_sz, 0, LVBS_E_NOSYS },
		{ "GET_INFO misaligned GPA", gi, pinfo + 1, info_sz, 0, LVBS_E_ALIGN },
		{ "GET_INFO GPA = hypervisor base", gi, hv_phys, info_sz, 0, LVBS_E_RANGE },
		{ "GET_INFO GPA inside hypervisor", gi, (hv_phys + hv_size / 2) & ~7ULL,
		  info_sz, 0, LVBS_E_RANGE },
		{ "GET_INFO GPA straddling hypervisor end", gi, hv_phys + hv_size - 8,
		  info_sz, 0, LVBS_E_RANGE },
		{ "GET_INFO GPA straddling hypervisor start", gi, hv_phys - 8,
		  info_sz, 0, LVBS_E_RANGE },
		{ "GET_INFO GPA beyond RAM", gi, 1ULL << 50, info_sz, 0, LVBS_E_RANGE },
		{ "GET_INFO GPA wrapping 2^64", gi, 0xfffffffffffff000ULL, info_sz, 0, LVBS_E_RANGE },
		{ "GET_INFO GPA + size wrapping 2^64", gi, 0xfffffffffffffff8ULL, info_sz, 0,
		  LVBS_E_RANGE },
		{ "GET_INFO huge length", gi, pinfo, 1ULL << 30, 0, LVBS_E_TOOBIG },
		{ "GET_INFO length 2^64-1", gi, pinfo, ~0ULL, 0, LVBS_E_TOOBIG },
		{ "GET_INFO size too small", gi, pinfo, 4, 0, LVBS_E_INVAL },
		{ "GET_INFO size 0", gi, pinfo, 0, 0, LVBS_E_INVAL },
		{ "GET_STATS cpu 9999", LVBS_HC(LVBS_HC_GET_STATS), pstats, stats_sz, 9999,
		  LVBS_E_RANGE },
		{ "GET_STATS cpu 2^32", LVBS_HC(LVBS_HC_GET_STATS), pstats, stats_sz, 1ULL << 32,
		  LVBS_E_RANGE },
		{ "READ_LOG size 0", LVBS_HC(LVBS_HC_READ_LOG), plog, 0, 1, LVBS_E_INVAL },
		{ "READ_LOG into hypervisor", LVBS_HC(LVBS_HC_READ_LOG), hv_phys,
		  4 * sizeof(struct lvbs_log_entry), 1, LVBS_E_RANGE },
		{ "LAUNCH_ABORT after launch", LVBS_HC(LVBS_HC_LAUNCH_ABORT), 0, 0, 0, LVBS_E_PERM },
		{ "PIN_CR of CR3", LVBS_HC(LVBS_HC_PIN_CR), 3, LVBS_CR4_SMEP, 0, LVBS_E_INVAL },
		{ "PIN_CR of CR4.PGE (not pinnable)", LVBS_HC(LVBS_HC_PIN_CR), 4, 1ULL << 7, 0,
		  LVBS_E_INVAL },
		{ "PIN_MSR slot 99", LVBS_HC(LVBS_HC_PIN_MSR), 99, ~0ULL, 0, LVBS_E_INVAL },
		{ "call number LVBS_HC_MAX (unassigned)", LVBS_HC(LVBS_HC_MAX), 0, 0, 0, LVBS_E_NOSYS },
		{ "PIN_MSR EFER.SVME (not pinnable)", LVBS_HC(LVBS_HC_PIN_MSR),
		  LVBS_MSR_SLOT_EFER, 1ULL << 12, 0, LVBS_E_INVAL },
		{ "PROTECT_MEMORY count 0", LVBS_HC(LVBS_HC_PROTECT_MEMORY), pinfo, 0, 0,
		  LVBS_E_INVAL },
		{ "PROTECT_MEMORY count 65", LVBS_HC(LVBS_HC_PROTECT_MEMORY), pinfo,
		  LVBS_PROT_BATCH + 1, 0, LVBS_E_TOOBIG },
		{ "PROTECT_MEMORY count 2^63", LVBS_HC(LVBS_HC_PROTECT_MEMORY), pinfo,
		  1ULL << 63, 0, LVBS_E_TOOBIG },
		{ "PROTECT_MEMORY batch in hypervisor", LVBS_HC(LVBS_HC_PROTECT_MEMORY),
		  hv_phys, 1, 0, LVBS_E_RANGE },
		{ "PROTECT_MEMORY batch misaligned", LVBS_HC(LVBS_HC_PROTECT_MEMORY),
		  pinfo + 4, 1, 0, LVBS_E_ALIGN },
		{ "RELEASE_MEMORY of the kernel", LVBS_HC(LVBS_HC_RELEASE_MEMORY),
		  LVBS_OWNER_KERNEL, 0, 0, LVBS_E_INVAL },
		{ "RELEASE_MEMORY owner 2^32", LVBS_HC(LVBS_HC_RELEASE_MEMORY),
		  1ULL << 32, 0, 0, LVBS_E_INVAL },
		{ "SEAL with an undefined flag", LVBS_HC(LVBS_HC_SEAL), (u64)LVBS_SEAL_FLAGS + 1, 0, 0,
		  LVBS_E_INVAL },
		{ "SEAL with every high flag", LVBS_HC(LVBS_HC_SEAL), ~(u64)LVBS_SEAL_FLAGS, 0, 0,
		  LVBS_E_INVAL },
		{ "SEAL module area reversed", LVBS_HC(LVBS_HC_SEAL), 0, 2, 1, LVBS_E_INVAL },
		{ "SET_POLICY 7", LVBS_HC(LVBS_HC_SET_POLICY), 7, 0, 0, LVBS_E_INVAL },
	};
	unsigned int i, bad = 0;
	long r;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct garbage_case *c = &cases[i];

		r = hc(c->rax, c->rbx, c->rcx, c->rdx, NULL);
		if (r == c->expect) {
			pr_info("ok: %s -> %s (%ld)\n", c->name, status_name(r), r);
		} else {
			pr_err("FAIL garbage: %s: expected %s (%ld), got %s (%ld)\n",
			       c->name, status_name(c->expect), c->expect,
			       status_name(r), r);
			bad++;
		}
	}
	return bad;
}

static const char *garbage(void)
{
	struct lvbs_info *info;
	struct lvbs_cpu_stats *st;
	struct lvbs_log_entry *log;
	unsigned int bad;
	long r;

	if (!hv_phys || !hv_size)
		return "needs hv_phys= and hv_size= (from /sys/kernel/security/lvbs/status)";
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	log = kcalloc(4, sizeof(*log), GFP_KERNEL);
	if (!info || !st || !log) {
		kfree(info);
		kfree(st);
		kfree(log);
		return "out of memory";
	}
	bad = garbage_cases(virt_to_phys(info), virt_to_phys(st), virt_to_phys(log));

	/* The hypervisor must still answer a valid call afterwards. */
	memset(info, 0, sizeof(*info));
	r = hc(LVBS_HC(LVBS_HC_GET_INFO), virt_to_phys(info), sizeof(*info), 0, NULL);
	if (r != LVBS_OK || check_info(info)) {
		pr_err("FAIL garbage: valid GET_INFO afterwards: status %s (%ld), %s\n",
		       status_name(r), r, check_info(info) ?: "contents ok");
		bad++;
	} else {
		pr_info("ok: valid GET_INFO afterwards\n");
	}
	kfree(log);
	kfree(st);
	kfree(info);
	return bad ? "see the FAIL lines above" : NULL;
}

/* --------------------------------------------------------------- touch_hv */

/*
 * The access runs in a kernel thread of its own, not in insmod's context:
 * when lvbs injects #GP, that thread oopses and dies ("general protection
 * fault ... Comm: lvbs_test_touch"), while insmod returns normally. Had
 * insmod itself oopsed, this module would stay half-loaded for good, and
 * every later insmod of it would wait forever for it to finish loading.
 */
enum attack {
	TOUCH_HV_READ,
	TOUCH_HV_WRITE,
	CR4_CLEAR_SMEP,
	CR0_CLEAR_WP,
	MSR_LSTAR_REDIRECT,
	EFER_CLEAR_NXE,
	LIDT_FORGED,
	MEM_STORE_ATTACK,		/* write one byte of ctx->target (its own value) */
	MEM_CALL_ATTACK,		/* call ctx->target */
	TEXT_POKE_ATTACK,		/* text_poke() ctx->target under text_mutex */
};

static inline void raw_wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" :: "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 raw_rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

struct touch_ctx {
	enum attack kind;
	u64 pa;
	bool write;
	u64 value;
	bool map_failed;
	u8 *target;		/* MEM_STORE_ATTACK / MEM_CALL_ATTACK / TEXT_POKE_ATTACK */
	int byte;		/* the byte to write, or -1 for its own value */
	/* Stores: what the hypervisor counted as dropped, and the byte, around the write. */
	u64 dropped_before, dropped_after;
	u8 before, after;
	struct completion done;
};

/* Kernel stores the hypervisor has dropped (all CPUs), or ~0 if it cannot say. */
static u64 stores_dropped(void)
{
	struct lvbs_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	u64 n = ~0ULL;

	if (info && hc(LVBS_HC(LVBS_HC_GET_INFO), virt_to_phys(info), sizeof(*info), 0,
		       NULL) == LVBS_OK)
		n = info->stores_dropped;
	kfree(info);
	return n;
}

/*
 * What an attacker with kernel write does to find what is not exported:
 * a kprobe on the name tells its address (ENDBR skipped by kprobes is
 * added back, so the address can be called).
 */
static unsigned long find_symbol(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	static const u8 endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	unsigned long a;

	if (register_kprobe(&kp))
		return 0;
	a = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	if (a && !memcmp((void *)(a - 4), endbr64, 4))
		a -= 4;
	return a;
}

/*
 * Raw MOVs: native_write_cr4() would put the kernel's own pinned bits back
 * (and warn), which is the protection an attacker skips.
 */
static int cr_attack(struct touch_ctx *t)
{
	unsigned long v;

	if (t->kind == LIDT_FORGED) {
		struct desc_ptr cur, forged;
		void *copy = (void *)get_zeroed_page(GFP_KERNEL);

		if (!copy) {
			pr_err("FAIL no memory for the forged IDT\n");
			complete(&t->done);
			return 0;
		}
		store_idt(&cur);
		memcpy(copy, (void *)cur.address, min_t(size_t, cur.size + 1, PAGE_SIZE));
		forged.address = (unsigned long)copy;
		forged.size = cur.size;
		pr_info("loading a forged IDT at 0x%lx with a raw lidt (IDT at 0x%lx)\n",
			forged.address, cur.address);
		asm volatile("lidt %0" :: "m"(forged) : "memory");
		store_idt(&forged);
		asm volatile("lidt %0" :: "m"(cur) : "memory");
		pr_err("FAIL forged IDT loaded: IDTR was 0x%lx\n", forged.address);
	} else if (t->kind == MSR_LSTAR_REDIRECT) {
		v = raw_rdmsr(MSR_LSTAR);
		pr_info("redirecting LSTAR with a raw wrmsr (LSTAR 0x%lx)\n", v);
		raw_wrmsr(MSR_LSTAR, v + 0x40);
		pr_err("FAIL LSTAR redirected: now 0x%llx\n", raw_rdmsr(MSR_LSTAR));
		raw_wrmsr(MSR_LSTAR, v);
	} else if (t->kind == EFER_CLEAR_NXE) {
		v = raw_rdmsr(MSR_EFER);
		pr_info("clearing EFER.NXE with a raw wrmsr (EFER 0x%lx)\n", v);
		raw_wrmsr(MSR_EFER, v & ~EFER_NX);
		pr_err("FAIL EFER.NXE cleared: EFER now 0x%llx\n", raw_rdmsr(MSR_EFER));
		raw_wrmsr(MSR_EFER, v);
	} else if (t->kind == CR4_CLEAR_SMEP) {
		v = __read_cr4();
		pr_info("clearing CR4.SMEP with a raw mov (CR4 0x%lx)\n", v);
		asm volatile("mov %0, %%cr4" :: "r"(v & ~X86_CR4_SMEP) : "memory");
		pr_err("FAIL CR4.SMEP cleared: CR4 is now 0x%lx\n", __read_cr4());
		asm volatile("mov %0, %%cr4" :: "r"(v) : "memory");
	} else {
		v = read_cr0();
		pr_info("clearing CR0.WP with a raw mov (CR0 0x%lx)\n", v);
		asm volatile("mov %0, %%cr0" :: "r"(v & ~X86_CR0_WP) : "memory");
		pr_err("FAIL CR0.WP cleared: CR0 is now 0x%lx\n", read_cr0());
		asm volatile("mov %0, %%cr0" :: "r"(v) : "memory");
	}
	complete(&t->done);
	return 0;
}

/*
 * (7) The attack that used to wedge the kernel: take text_mutex and
 * text_poke() one byte of kernel text. __text_poke() holds the poking PTE
 * lock with interrupts off while it writes and checks.
 */
static void text_poke_attack(struct touch_ctx *t)
{
	typedef void *(*text_poke_fn)(void *addr, const void *opcode, size_t len);
	unsigned long (*lookup)(const char *name);
	text_poke_fn poke = (text_poke_fn)find_symbol("text_poke");
	struct mutex *tm;
	u8 v = (u8)t->byte;

	lookup = (void *)find_symbol("kallsyms_lookup_name");
	tm = lookup ? (struct mutex *)lookup("text_mutex") : NULL;
	if (!poke || !tm) {
		pr_err("FAIL cannot find text_poke (%px) or text_mutex (%px)\n", poke, tm);
		t->map_failed = true;
		return;
	}
	pr_info("text_poke(%px, 0x%02x) under text_mutex (%px)\n", t->target, v, tm);
	mutex_lock(tm);
	poke(t->target, &v, 1);
	mutex_unlock(tm);
}

/* Kernel memory lvbs protects, attacked through a mapping the kernel allows. */
static int mem_attack(struct touch_ctx *t)
{
	if (t->kind == MEM_STORE_ATTACK || t->kind == TEXT_POKE_ATTACK) {
		u8 v;

		t->dropped_before = stores_dropped();
		t->before = READ_ONCE(*t->target);
		v = t->byte >= 0 ? (u8)t->byte : t->before;
		t->byte = v;
		if (t->kind == TEXT_POKE_ATTACK) {
			text_poke_attack(t);
		} else {
			pr_info("writing 0x%02x to %px (holds 0x%02x)\n", v, t->target, t->before);
			WRITE_ONCE(*(volatile u8 *)t->target, v);
		}
		t->after = READ_ONCE(*t->target);
		t->dropped_after = stores_dropped();
		pr_info("after the write: 0x%02x at %px; the hypervisor dropped %lld stores meanwhile\n",
			t->after, t->target, (long long)(t->dropped_after - t->dropped_before));
	} else {
		pr_info("calling %px\n", t->target);
		((void (*)(void))t->target)();
		pr_err("FAIL the code at %px ran\n", t->target);
	}
	complete(&t->done);
	return 0;
}

static int touch_thread(void *arg)
{
	struct touch_ctx *t = arg;
	volatile u64 *p;

	if (t->kind == MEM_STORE_ATTACK || t->kind == MEM_CALL_ATTACK ||
	    t->kind == TEXT_POKE_ATTACK)
		return mem_attack(t);
	if (t->kind != TOUCH_HV_READ && t->kind != TOUCH_HV_WRITE)
		return cr_attack(t);
	/*
	 * The hypervisor's memory is ordinary RAM to the kernel (it came from
	 * the page allocator), so a cached kernel mapping of it is easy to
	 * make: the point is that lvbs's nested page tables do not map it.
	 */
	p = memremap(t->pa, PAGE_SIZE, MEMREMAP_WB);
	if (!p) {
		pr_err("memremap(0x%llx) failed\n", t->pa);
		t->map_failed = true;
		complete(&t->done);
		return 0;
	}
	pr_info("touching hypervisor memory at 0x%llx (%s)\n", t->pa,
		t->write ? "write" : "read");
	if (t->write)
		WRITE_ONCE(*p, 0x4c56425354455354ULL);	/* "LVBSTEST" */
	t->value = READ_ONCE(*p);
	/* Only reached if lvbs did not stop the access. */
	pr_err("FAIL hv memory readable: value 0x%llx at 0x%llx (%s went through)\n",
	       t->value, t->pa, t->write ? "write" : "read");
	memunmap((void *)p);
	complete(&t->done);
	return 0;
}

#define TOUCH_WAIT_MS	10000
#define TOUCH_POLL_MS	20

static bool task_dying(struct task_struct *task)
{
	return READ_ONCE(task->exit_state) || (READ_ONCE(task->flags) & PF_EXITING);
}

static const char *attack_value(enum attack kind, u8 *target, int value, bool *keep);

/*
 * A store attack is stopped when the writing thread goes on (the
 * hypervisor dropped the store rather than faulting it, so no lock it held
 * stays held), the byte is what it was, and the hypervisor counted the
 * store as dropped.
 */
static const char *store_verdict(const struct touch_ctx *t)
{
	if (t->map_failed)
		return "the attack could not be set up";
	if (t->dropped_before == ~0ULL || t->dropped_after == ~0ULL)
		return "GET_INFO failed";
	/* Neither dropped nor faulted: it went through (even if it wrote its own value). */
	if (t->after != t->before || t->dropped_after <= t->dropped_before)
		return "protected memory could be written";
	pr_info("the store was stopped: dropped by the hypervisor, 0x%02x still at %px, the thread went on\n",
		t->after, t->target);
	return NULL;
}

/* Returns NULL if the attack was stopped; *keep set if we must stay loaded. */
static const char *attack(enum attack kind, bool *keep)
{
	return attack_value(kind, NULL, -1, keep);
}

static const char *attack_on(enum attack kind, u8 *target, bool *keep)
{
	return attack_value(kind, target, -1, keep);
}

static const char *attack_value(enum attack kind, u8 *target, int value, bool *keep)
{
	struct touch_ctx *t;
	struct task_struct *task;
	const char *why;
	unsigned int waited;
	bool finished = false;

	if (!hv_phys && (kind == TOUCH_HV_READ || kind == TOUCH_HV_WRITE))
		return "needs hv_phys= (from /sys/kernel/security/lvbs/status)";
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return "out of memory";
	t->kind = kind;
	t->target = target;
	t->byte = value;
	t->pa = hv_phys;
	t->write = kind == TOUCH_HV_WRITE;
	init_completion(&t->done);
	task = kthread_create(touch_thread, t, "lvbs_test_touch");
	if (IS_ERR(task)) {
		kfree(t);
		return "kthread_create failed";
	}
	get_task_struct(task);
	wake_up_process(task);
	/* Either the thread finishes (access went through) or it dies. */
	for (waited = 0; waited < TOUCH_WAIT_MS; waited += TOUCH_POLL_MS) {
		/* A successful wait consumes the completion: remember it. */
		if (wait_for_completion_timeout(&t->done, msecs_to_jiffies(TOUCH_POLL_MS))) {
			finished = true;
			break;
		}
		if (task_dying(task))
			break;
	}
	if ((finished || completion_done(&t->done)) &&
	    (kind == MEM_STORE_ATTACK || kind == TEXT_POKE_ATTACK)) {
		why = store_verdict(t);
		kthread_stop(task);
		put_task_struct(task);
		kfree(t);
		return why;
	}
	if (finished || completion_done(&t->done)) {
		why = t->map_failed ? "memremap failed" :
		      kind == CR4_CLEAR_SMEP ? "CR4.SMEP could be cleared" :
		      kind == CR0_CLEAR_WP ? "CR0.WP could be cleared" :
		      kind == MSR_LSTAR_REDIRECT ? "LSTAR could be redirected" :
		      kind == EFER_CLEAR_NXE ? "EFER.NXE could be cleared" :
		      kind == LIDT_FORGED ? "a forged IDT could be loaded" :
		      kind == MEM_STORE_ATTACK ? "protected memory could be written" :
		      kind == MEM_CALL_ATTACK ? "the code ran" :
		      "hypervisor memory was accessible";
		kthread_stop(task);	/* returns at once: the thread has finished */
		put_task_struct(task);
		kfree(t);
		return why;
	}
	if (!task_dying(task)) {
		put_task_struct(task);
		/*
		 * Stuck somewhere in this module's code: unloading would free
		 * the code under it. Stay loaded (and leak t) instead.
		 */
		*keep = true;
		return "the access neither completed nor faulted within 10 s";
	}
	put_task_struct(task);
	/* The thread is gone (it never returns from the oops) and no longer uses t. */
	kfree(t);
	if (kind == MEM_STORE_ATTACK || kind == TEXT_POKE_ATTACK)
		return "the writing thread was killed: a denied store must be dropped, not faulted";
	pr_info("the access was stopped: the touching thread died (see the oops above)\n");
	return NULL;
}

/* Benign twin: toggle CR4.PGE and back (a global TLB flush), pins kept. */
static const char *cr4_toggle_pge(void)
{
	unsigned long flags, v;

	local_irq_save(flags);
	v = __read_cr4();
	asm volatile("mov %0, %%cr4" :: "r"(v ^ X86_CR4_PGE) : "memory");
	asm volatile("mov %0, %%cr4" :: "r"(v) : "memory");
	local_irq_restore(flags);
	pr_info("toggled CR4.PGE and back: CR4 0x%lx\n", __read_cr4());
	return __read_cr4() == v ? NULL : "CR4 did not come back to its value";
}

/* Benign twin: the kernel may rewrite pinned MSRs with the same values. */
static const char *msr_rewrite(void)
{
	unsigned long flags;
	u64 lstar, efer;

	local_irq_save(flags);
	lstar = raw_rdmsr(MSR_LSTAR);
	efer = raw_rdmsr(MSR_EFER);
	raw_wrmsr(MSR_LSTAR, lstar);
	raw_wrmsr(MSR_EFER, efer);
	local_irq_restore(flags);
	pr_info("rewrote LSTAR 0x%llx and EFER 0x%llx unchanged\n", lstar, efer);
	return raw_rdmsr(MSR_LSTAR) == lstar ? NULL : "LSTAR changed";
}

/*
 * MSRs outside the MSR bitmap's ranges always exit; lvbs passes them to
 * the CPU and gives the guest what the CPU gave: on hardware (msr_gp=1)
 * #GP for an MSR it does not have, which the hypervisor takes itself and
 * must live through. QEMU's TCG and Bochs (ignore_bad_msrs=1) answer 0
 * and ignore writes for MSRs they do not model, and so must the guest see
 * it then (lvbs used to give #GP whatever the CPU had).
 */
static bool msr_gp;
module_param(msr_gp, bool, 0400);
MODULE_PARM_DESC(msr_gp, "msr_absent: the CPU raises #GP for MSRs it does not have");

static const char *msr_absent(void)
{
	static const u32 msrs[] = { 0x2fc0, 0x4000f000, 0xc0012000 };
	int i, rr, wr;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(msrs); i++) {
		v = 0xdead;
		rr = rdmsrl_safe(msrs[i], &v);
		wr = wrmsrl_safe(msrs[i], 0);
		pr_info("MSR 0x%x: read %s 0x%llx, write %s\n", msrs[i], rr ? "#GP" : "ok", v,
			wr ? "#GP" : "ok");
		if (msr_gp && (!rr || !wr))
			return "an MSR the CPU does not have did not fault";
		if (!msr_gp && (rr || wr || v))
			return "an MSR the emulator answers for did not read 0 or was not written";
	}
	return NULL;
}

/* Benign twin: reload the IDT and GDT this CPU uses (as resume code does). */
static const char *lidt_same(void)
{
	struct desc_ptr idt, gdt, after;
	unsigned long flags;

	local_irq_save(flags);
	store_idt(&idt);
	native_store_gdt(&gdt);
	asm volatile("lidt %0" :: "m"(idt) : "memory");
	asm volatile("lgdt %0" :: "m"(gdt) : "memory");
	store_idt(&after);
	local_irq_restore(flags);
	pr_info("reloaded IDT 0x%lx and GDT 0x%lx\n", idt.address, gdt.address);
	return after.address == idt.address ? NULL : "the IDT changed";
}

static u64 entry_lstar;

static void cr_check_cpu(void *arg)
{
	atomic_t *bad = arg;
	unsigned long cr0 = read_cr0(), cr4 = __read_cr4();

	u64 efer = raw_rdmsr(MSR_EFER);

	pr_info("CPU %d: CR0 0x%lx CR4 0x%lx EFER 0x%llx LSTAR 0x%llx\n",
		smp_processor_id(), cr0, cr4, efer, raw_rdmsr(MSR_LSTAR));
	if (!(cr0 & X86_CR0_WP) || ((boot_cpu_has(X86_FEATURE_SMEP)) && !(cr4 & X86_CR4_SMEP)) ||
	    !(efer & EFER_NX) || raw_rdmsr(MSR_LSTAR) != (u64)entry_lstar)
		atomic_inc(bad);
}

/*
 * Every CPU still has CR0.WP, CR4.SMEP (where the CPU has it), EFER.NXE,
 * and the LSTAR this CPU has (the same on every CPU).
 */
static const char *cr_check(void)
{
	atomic_t bad = ATOMIC_INIT(0);

	entry_lstar = raw_rdmsr(MSR_LSTAR);
	on_each_cpu(cr_check_cpu, &bad, 1);
	return atomic_read(&bad) ?
	       "a CPU runs without CR0.WP, CR4.SMEP or EFER.NXE, or with another LSTAR" : NULL;
}

/* ------------------------------------------------------- memory attacks */

/*
 * The kernel's own protection is page-table bits; an attacker with kernel
 * write flips them. These helpers do, and put them back afterwards.
 */
struct pte_patch {
	pte_t *pte;
	pteval_t old;
};

static int pte_set(struct pte_patch *pp, void *va, pteval_t set, pteval_t clear)
{
	unsigned int level;

	pp->pte = lookup_address((unsigned long)va, &level);
	if (!pp->pte || !pte_present(*pp->pte))
		return -EFAULT;
	pp->old = pte_val(*pp->pte);
	WRITE_ONCE(pp->pte->pte, (pp->old | set) & ~clear);
	__flush_tlb_all();
	return 0;
}

static void pte_restore(struct pte_patch *pp)
{
	if (!pp->pte)
		return;
	WRITE_ONCE(pp->pte->pte, pp->old);
	__flush_tlb_all();
}

/*
 * Aim at padding: a byte that is never executed, so that a write that
 * is not stopped is detected without breaking the kernel. Writing its
 * own value back would be a store that changes nothing, and an INT3
 * is allowed anywhere, which validated patching both allows; any
 * other byte over padding is not a patch.
 *
 * With CONFIG_CALL_PADDING (Debian's 6.12) every function has 16
 * NOPs in front of it, which only call-depth tracking and FineIBT
 * (Intel, chosen at boot) ever rewrite and run; functions are then
 * padded with NOPs, not INT3. Without it (6.1) aim at the INT3
 * padding after a function.
 */
static const char *text_padding(u8 **where, int *value)
{
	static const u8 nop16[16] = { [0 ... 15] = 0x90 };
	u8 *text = (u8 *)schedule;	/* any kernel function */
	unsigned int i;

	if (IS_ENABLED(CONFIG_CALL_PADDING) && !memcmp(text - 16, nop16, 16)) {
		*where = text - 8;
		*value = 0xcc + 1;	/* neither INT3 nor its own value */
		return NULL;
	}
	for (i = 0; i < 4096 && !(text[i] == 0xcc && text[i + 1] == 0xcc); i++)
		;
	if (i == 4096)
		return "no padding found around schedule()";
	*where = text + i + 1;
	*value = 0x90;
	return NULL;
}

/*
 * (2) make a kernel text PTE writable, flush, write: MEM_STORE_ATTACK.
 * (7) text_poke() under text_mutex, as the kernel patches its text:
 * TEXT_POKE_ATTACK. The write is refused, and the kernel must not be left
 * with text_mutex (or the poking PTE lock) held - scenarios then load a
 * module, toggle a static key and run the function tracer.
 */
static const char *text_attack(enum attack kind, bool *keep)
{
	struct pte_patch pp = { 0 };
	const char *why;
	u8 *text;
	int value;

	why = text_padding(&text, &value);
	if (why)
		return why;
	if (kind == MEM_STORE_ATTACK) {
		if (pte_set(&pp, text, _PAGE_RW, 0))
			return "no PTE for kernel text";
		pr_info("kernel text at %px (phys 0x%llx) is now writable in the kernel's page tables\n",
			text, (u64)__pa_symbol(text));
	}
	why = attack_value(kind, text, value, keep);
	pte_restore(&pp);
	return why;
}

/* Benign twin of (2) and (3): the same methods on ordinary memory work. */
static const char *pte_write_benign(void)
{
	struct pte_patch pp = { 0 };
	u8 *page = (u8 *)get_zeroed_page(GFP_KERNEL);
	struct page *pg;
	u8 *alias;
	const char *why = NULL;

	if (!page)
		return "no memory";
	if (pte_set(&pp, page, _PAGE_RW, 0)) {
		why = "no PTE";
		goto out;
	}
	WRITE_ONCE(page[7], 0x5a);
	pte_restore(&pp);
	pg = virt_to_page(page);
	alias = vmap(&pg, 1, VM_MAP, PAGE_KERNEL);
	if (!alias) {
		why = "vmap failed";
		goto out;
	}
	WRITE_ONCE(alias[9], 0xa5);
	vunmap(alias);
	if (page[7] != 0x5a || page[9] != 0xa5)
		why = "the writes did not land";
	else
		pr_info("wrote a kmalloc page through its PTE and through a vmap alias\n");
out:
	free_page((unsigned long)page);
	return why;
}

/* (3) a writable vmap alias of read-only kernel data's physical page. */
static const char *alias_write(const void *obj, const char *what, bool *keep)
{
	u64 pa = __pa_symbol(obj);
	struct page *pg = pfn_to_page(pa >> PAGE_SHIFT);
	u8 *alias = vmap(&pg, 1, VM_MAP, PAGE_KERNEL);
	const char *why;

	if (!alias)
		return "vmap failed";
	pr_info("%s at %px (phys 0x%llx): writable alias at %px\n", what, obj, pa, alias);
	why = attack_on(MEM_STORE_ATTACK, alias + offset_in_page(pa), keep);
	if (!*keep)
		vunmap(alias);
	return why;
}

/*
 * (9) A violation storm: a thread on every CPU writes protected rodata
 * (its own value, through a writable alias) as fast as it can for
 * STORM_MS. Every store must be dropped (the hypervisor's count rises by
 * at least the writes made), the byte must keep its value, the log must
 * stay rate-limited (far fewer entries than violations), and the system
 * must go on (the scenario then runs still_works and another attack).
 */
#define STORM_MS	2000
#define STORM_MAX_LOG	400	/* 64 entries per ~second and a window's slack */

struct storm {
	u8 *target;
	unsigned long end;
	atomic64_t writes;
};

static int storm_thread(void *arg)
{
	struct storm *st = arg;
	bool counted = false;
	u64 n = 0;

	while (!kthread_should_stop()) {
		if (time_before(jiffies, st->end)) {
			WRITE_ONCE(*(volatile u8 *)st->target, READ_ONCE(*st->target));
			if (!(++n & 255))
				cond_resched();
		} else {
			if (!counted)
				atomic64_add(n, &st->writes);
			counted = true;
			schedule_timeout_interruptible(HZ / 50);
		}
	}
	return 0;
}

static int read_info(struct lvbs_info *out)
{
	struct lvbs_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	long r = -ENOMEM;

	if (info)
		r = hc(LVBS_HC(LVBS_HC_GET_INFO), virt_to_phys(info), sizeof(*info), 0, NULL);
	if (r == LVBS_OK)
		*out = *info;
	kfree(info);
	return r == LVBS_OK ? 0 : -EIO;
}

static const char *violation_storm(void)
{
	static struct task_struct *tasks[NR_CPUS];
	u64 pa = __pa_symbol(_ctype);
	struct page *pg = pfn_to_page(pa >> PAGE_SHIFT);
	u8 *alias = vmap(&pg, 1, VM_MAP, PAGE_KERNEL), old = _ctype[0];
	struct lvbs_info a, b;
	struct storm st = { 0 };
	const char *why = NULL;
	u64 writes, dropped, logged;
	int cpu, n = 0;

	if (!alias)
		return "vmap failed";
	if (read_info(&a)) {
		vunmap(alias);
		return "GET_INFO failed";
	}
	st.target = alias + offset_in_page(pa);
	st.end = jiffies + msecs_to_jiffies(STORM_MS);
	for_each_online_cpu(cpu) {
		struct task_struct *t = kthread_create(storm_thread, &st, "lvbs_storm/%d", cpu);

		if (IS_ERR(t))
			continue;
		kthread_bind(t, cpu);
		tasks[n++] = t;
		wake_up_process(t);
	}
	msleep(STORM_MS + 200);
	for (cpu = 0; cpu < n; cpu++)
		kthread_stop(tasks[cpu]);
	vunmap(alias);
	if (n != num_online_cpus())
		return "could not start a storm thread on every CPU";
	if (read_info(&b))
		return "GET_INFO failed after the storm";
	writes = atomic64_read(&st.writes);
	dropped = b.stores_dropped - a.stores_dropped;
	logged = b.log_next_seq - a.log_next_seq;
	pr_info("storm: %d CPUs wrote rodata %llu times in %d ms; %llu stores dropped, %llu violations counted, %llu log entries, %llu suppressed\n",
		n, writes, STORM_MS, dropped, b.violations - a.violations, logged,
		b.log_suppressed - a.log_suppressed);
	if (writes < 100)
		why = "the storm made fewer than 100 writes";
	else if (dropped < writes)
		why = "some storm writes were not dropped: they went through";
	else if (_ctype[0] != old)
		why = "rodata changed";
	else if (logged > STORM_MAX_LOG)
		why = "the log was not rate-limited";
	return why;
}

/* A page that lives as long as the module: code to run, in module data. */
static u8 data_code[PAGE_SIZE] __aligned(PAGE_SIZE) = { 1 };

enum code_home { IN_MODDATA, IN_KMALLOC, IN_VMALLOC };

/*
 * (4) code written into data memory, made executable in the kernel's page
 * tables, and called: module data, a kmalloc'd page or a vmalloc'd one.
 * Blocked with GMET and with strict W^X; with exec=nx ordinary RAM stays
 * executable (its documented weakness), module data is blocked anyway.
 */
static const char *exec_written(enum code_home home, bool *keep)
{
	static const char *const names[] = { "module data", "a kmalloc page", "a vmalloc page" };
	struct pte_patch pp = { 0 };
	u8 *code = home == IN_MODDATA ? data_code :
		   home == IN_KMALLOC ? (u8 *)get_zeroed_page(GFP_KERNEL) : vzalloc(PAGE_SIZE);
	u64 pa;
	const char *why;

	if (!code)
		return "no memory";
	code[0] = 0xc3;		/* RET */
	if (pte_set(&pp, code, 0, _PAGE_NX)) {
		why = "no PTE";
		goto out;
	}
	pa = home == IN_KMALLOC ? (u64)virt_to_phys(code) : (u64)vmalloc_to_pfn(code) << PAGE_SHIFT;
	pr_info("wrote RET into %s at %px (phys 0x%llx), cleared NX\n", names[home], code, pa);
	if (home != IN_MODDATA && !expect_blocked) {
		/* The weakness of exec=nx, stated by status: it runs. */
		((void (*)(void))code)();
		pr_info("the code ran, as exec_control nx_fallback says it would\n");
		why = NULL;
	} else {
		why = attack_on(MEM_CALL_ATTACK, code, keep);
	}
	pte_restore(&pp);
out:
	if (home == IN_KMALLOC && !*keep)
		free_page((unsigned long)code);
	if (home == IN_VMALLOC && !*keep)
		vfree(code);
	return why;
}

/* (9) freed module code, run through the direct map: never executable again. */
static const char *exec_freed(bool *keep)
{
	struct pte_patch pp = { 0 };
	u8 *va;
	const char *why;

	if (!exec_pa || !pfn_valid(exec_pa >> PAGE_SHIFT))
		return "needs exec_pa=";
	va = (u8 *)page_address(pfn_to_page(exec_pa >> PAGE_SHIFT)) + offset_in_page(exec_pa);
	if (pte_set(&pp, va, 0, _PAGE_NX))
		return "no PTE";
	pr_info("calling freed module code at phys 0x%llx through %px (not written to)\n",
		exec_pa, va);
	why = attack_on(MEM_CALL_ATTACK, va, keep);
	pte_restore(&pp);
	return why;
}

/* (8) loosening an immutable range by hypercall is refused. */
static const char *loosen_immutable(void)
{
	struct lvbs_mem_prot *e = kzalloc(sizeof(*e), GFP_KERNEL);
	struct hc_regs out;
	long r;

	if (!e)
		return "no memory";
	e->gpa = __pa_symbol(schedule) & PAGE_MASK;
	e->size = PAGE_SIZE;
	e->perm = LVBS_PERM_R | LVBS_PERM_W | LVBS_PERM_XS;
	e->owner = LVBS_OWNER_KERNEL;
	r = hc(LVBS_HC(LVBS_HC_PROTECT_MEMORY), virt_to_phys(e), 1, 0, &out);
	kfree(e);
	pr_info("PROTECT_MEMORY making kernel text at 0x%llx writable: %s (%ld), %llu applied\n",
		(u64)__pa_symbol(schedule) & PAGE_MASK, status_name(r), r, out.rbx);
	return r == LVBS_E_PERM && out.rbx == 0 ? NULL : "not refused with E_PERM";
}

/* Benign twin of (8): the module lifecycle path still works after SEAL. */
static const char *protect_benign(void)
{
	struct lvbs_mem_prot *e = kzalloc(sizeof(*e), GFP_KERNEL);
	void *page = (void *)get_zeroed_page(GFP_KERNEL);
	const u32 cookie = 0x7e57;
	struct hc_regs out;
	long r1 = -1, r2 = -1, r3 = -1;

	if (e && page) {
		e->gpa = virt_to_phys(page);
		e->size = PAGE_SIZE;
		e->perm = LVBS_PERM_R | LVBS_PERM_W;
		e->owner = cookie;
		r1 = hc(LVBS_HC(LVBS_HC_PROTECT_MEMORY), virt_to_phys(e), 1, 0, NULL);
		e->perm = LVBS_PERM_R;
		r2 = hc(LVBS_HC(LVBS_HC_PROTECT_MEMORY), virt_to_phys(e), 1, 0, NULL);
		r3 = hc(LVBS_HC(LVBS_HC_RELEASE_MEMORY), cookie, 0, 0, &out);
		pr_info("module-style data page: take %ld, tighten %ld, release %ld (%llu pages)\n",
			r1, r2, r3, out.rbx);
	}
	kfree(e);
	free_page((unsigned long)page);
	return !r1 && !r2 && !r3 && out.rbx == 1 ? NULL : "the module lifecycle path failed";
}

/*
 * Benign: memory the kernel freed from its own image at boot (the unused
 * part of .bss..decrypted, about 2 MiB on Debian's kernels) is ordinary
 * memory again, which a module may take like any page the allocator hands
 * it (docs/page-lifecycle.md). Every such page inside the kernel image's
 * iomem resources that is free right now (no reference) is taken as
 * module data by a test owner, then given back. Before lvbs.ko left these
 * pages out of the image it protects, PROTECT refused them (E_PERM), and
 * so did a real module load or a trampoline that got one.
 */
static const char *const image_names[] = {
	"Kernel code", "Kernel rodata", "Kernel data", "Kernel bss",
};

static bool image_resource(const struct resource *r)
{
	for (u32 i = 0; i < ARRAY_SIZE(image_names); i++)
		if (r->name && !strcmp(r->name, image_names[i]))
			return true;
	return false;
}

struct take {
	struct lvbs_mem_prot v[LVBS_PROT_BATCH];
	u32 n;
	u64 freed, taken;
	long err;
};

static void take_flush(struct take *t)
{
	struct hc_regs out;
	long r;

	if (!t->n || t->err)
		return;
	r = hc(LVBS_HC(LVBS_HC_PROTECT_MEMORY), virt_to_phys(t->v), t->n, 0, &out);
	if (r) {
		pr_err("PROTECT of freed image memory at 0x%llx refused: %s (%ld)\n",
		       t->v[min_t(u64, out.rbx, t->n - 1)].gpa, status_name(r), r);
		t->err = r;
	}
	t->n = 0;
}

static void take_page(struct take *t, u64 pa, u32 cookie)
{
	struct lvbs_mem_prot *last = t->n ? &t->v[t->n - 1] : NULL;

	t->taken++;
	if (last && last->gpa + last->size == pa) {
		last->size += PAGE_SIZE;
		return;
	}
	if (t->n == LVBS_PROT_BATCH)
		take_flush(t);
	t->v[t->n++] = (struct lvbs_mem_prot){
		.gpa = pa, .size = PAGE_SIZE, .perm = LVBS_PERM_R | LVBS_PERM_W, .owner = cookie,
	};
}

static void take_freed(struct take *t, const struct resource *r, u32 cookie)
{
	u64 pa;

	for (pa = r->start & PAGE_MASK; pa <= r->end && !t->err; pa += PAGE_SIZE) {
		struct page *pg;

		if (!pfn_valid(pa >> PAGE_SHIFT))
			continue;
		pg = pfn_to_page(pa >> PAGE_SHIFT);
		if (PageReserved(pg))
			continue;
		t->freed++;
		if (!page_count(pg))	/* free now: nobody, lvbs included, may own it */
			take_page(t, pa, cookie);
	}
}

static const char *image_freed(void)
{
	const u32 cookie = 0x7e58;
	struct take *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct resource *top, *r;
	struct hc_regs out;
	const char *why = NULL;
	long rel;

	if (!t)
		return "no memory";
	for (top = iomem_resource.child; top; top = top->sibling)
		for (r = top->child; r; r = r->sibling)
			if (image_resource(r))
				take_freed(t, r, cookie);
	take_flush(t);
	rel = hc(LVBS_HC(LVBS_HC_RELEASE_MEMORY), cookie, 0, 0, &out);
	pr_info("kernel image: %llu pages freed by the kernel, %llu of them free now and taken as module data: %s; released %llu pages (%s)\n",
		t->freed, t->taken, t->err ? status_name(t->err) : "ok", out.rbx, status_name(rel));
	if (t->err)
		why = "a page the kernel freed from its image is still owned";
	else if (!t->taken)
		why = "no free page of the freed image found: the test proves nothing on this kernel";
	else if (rel || out.rbx != t->taken)
		why = "releasing the taken pages failed";
	kfree(t);
	return why;
}

/* (10) a static key in this module's own text, toggled after SEAL. */
static DEFINE_STATIC_KEY_FALSE(lvbs_test_key);

static noinline int key_probe(void)
{
	return static_branch_unlikely(&lvbs_test_key) ? 1 : 0;
}

static const char *static_key_toggle(void)
{
	int off = key_probe(), on, again;

	static_branch_enable(&lvbs_test_key);
	on = key_probe();
	static_branch_disable(&lvbs_test_key);
	again = key_probe();
	pr_info("static key in module text: %d -> %d -> %d\n", off, on, again);
	return off == 0 && on == 1 && again == 0 ? NULL : "the branch did not follow the key";
}

/*
 * eBPF JIT under lvbs: a classic filter is translated to eBPF and JIT
 * compiled into module-area memory (bpf_prog_pack, written through
 * text_poke_copy), then run. The policy (docs/threat-model.md): JIT images
 * are ordinary memory without GMET, and granted execute on first use from
 * the module area with GMET.
 */
static const char *bpf_jit(void)
{
	struct sock_filter insns[] = { BPF_STMT(BPF_RET | BPF_K, 42) };
	struct sock_fprog_kern fprog = { .len = ARRAY_SIZE(insns), .filter = insns };
	struct bpf_prog *prog;
	struct sk_buff *skb;
	unsigned int ret;
	bool jited;
	int r;

	r = bpf_prog_create(&prog, &fprog);
	if (r)
		return "bpf_prog_create failed";
	skb = alloc_skb(64, GFP_KERNEL);
	if (!skb) {
		bpf_prog_destroy(prog);
		return "no memory";
	}
	jited = prog->jited;
	ret = bpf_prog_run(prog, skb);
	pr_info("BPF program %s at %px returned %u\n", jited ? "JIT-compiled" : "interpreted",
		prog->bpf_func, ret);
	kfree_skb(skb);
	bpf_prog_destroy(prog);
	if (!jited)
		return "the program was not JIT-compiled (bpf_jit_enable=0?)";
	return ret == 42 ? NULL : "the JIT-compiled program returned the wrong value";
}

/*
 * NMI blocking under lvbs. On bare metal an NMI blocks the next one until
 * the handler's IRET; Linux's NMI entry code relies on it (a second NMI
 * before the entry has marked itself running would overwrite the first
 * one's frame on the NMI stack). lvbs intercepts every NMI and hands
 * guest NMIs back by injection, so it has to keep that blocking itself.
 * One CPU fires NMIs at another whose handler stays busy for a while; the
 * handler counts how often it is entered while already running.
 */
static atomic_t storm_inside, storm_nested, storm_hits;
static int storm_target = -1;

static int storm_nmi(unsigned int type, struct pt_regs *regs)
{
	if (smp_processor_id() != READ_ONCE(storm_target))
		return NMI_DONE;
	if (atomic_xchg(&storm_inside, 1))
		atomic_inc(&storm_nested);
	atomic_inc(&storm_hits);
	mdelay(1);	/* long enough for the next NMIs to arrive meanwhile */
	atomic_set(&storm_inside, 0);
	return NMI_HANDLED;
}

static void noop_ipi(void *unused)
{
}

/*
 * Return once every NMI sent to @cpu so far has been handled there: an
 * ordinary IPI whose function we wait for. A pending NMI is taken before
 * any interrupt and its handler runs with interrupts off, so the function
 * runs after it. A sleep instead would be a guess that a loaded host can
 * make wrong: a descheduled vCPU takes its NMI late, after the test's
 * handler has gone, and Linux reports an NMI "for unknown reason".
 */
static void drain_nmis(int cpu)
{
	smp_call_function_single(cpu, noop_ipi, NULL, 1);
}

static const char *nmi_storm(void)
{
	unsigned long end;
	int me, target, sent = 0, r;

	me = get_cpu();
	target = cpumask_any_but(cpu_online_mask, me);
	put_cpu();
	if (target >= nr_cpu_ids)
		return "needs two online CPUs";
	r = register_nmi_handler(NMI_LOCAL, storm_nmi, 0, "lvbs_test_storm");
	if (r)
		return "register_nmi_handler failed";
	WRITE_ONCE(storm_target, target);
	end = jiffies + 2 * HZ;
	while (time_before(jiffies, end)) {
		apic->send_IPI(target, NMI_VECTOR);
		sent++;
		udelay(100);
		if (!(sent % 64))
			cond_resched();
	}
	/* Let the last one finish before the handler goes away. */
	drain_nmis(target);
	WRITE_ONCE(storm_target, -1);
	unregister_nmi_handler(NMI_LOCAL, "lvbs_test_storm");
	pr_info("NMI storm: %d sent to CPU %d, handler entered %d times, %d while running\n",
		sent, target, atomic_read(&storm_hits), atomic_read(&storm_nested));
	if (atomic_read(&storm_nested))
		return "an NMI entered the handler while it was running";
	return atomic_read(&storm_hits) ? NULL : "no NMI reached the handler";
}

/*
 * Time from this CPU's TSC: with the guest's TSCs unsynchronized (QEMU
 * TCG), Linux falls back to clocks that stand still while interrupts are
 * off; and a secondary CPU's delay loop is calibrated wrong there
 * (loops_per_jiffy 1023 on CPU 1, with or without lvbs), so its udelay()
 * and mdelay() are over far too soon. Every interval in the NMI tests is
 * measured on one CPU's TSC.
 */
static u64 tsc_us(void)
{
	return div_u64(rdtsc_ordered(), tsc_khz / 1000);
}

/*
 * A bound on waiting for an NMI this CPU sent itself, which host
 * scheduling cannot cut short. Under QEMU TCG the TSC follows the host's
 * clock, and a vCPU thread can be descheduled for tens of milliseconds on
 * a loaded host: a bound in time alone would call an NMI lost that the
 * guest never had the chance to take. The bound is over only when the
 * time has passed and this CPU has itself run WAIT_MIN_SPINS rounds of
 * the wait; a pending NMI is taken within a few instructions.
 */
#define WAIT_MIN_SPINS	100000

struct spin_bound {
	u64 end;
	unsigned long spins;
};

static void bound_start(struct spin_bound *b, u64 us)
{
	b->end = tsc_us() + us;
	b->spins = 0;
}

static bool bound_over(struct spin_bound *b)
{
	return ++b->spins > WAIT_MIN_SPINS && tsc_us() >= b->end;
}

/*
 * NMIs arriving during shootdowns. lvbs kicks a CPU with an NMI when it
 * changed the SLAT; a guest NMI that reaches that CPU while the kick is
 * still pending merges with it in the CPU's one NMI latch, as two NMIs do
 * on bare metal. Bare metal then delivers the merged NMI once and Linux
 * polls every source; lvbs must not take it for a kick alone, or the
 * guest's NMI (a perf overflow, a backtrace request) is gone. One thread
 * changes the SLAT as fast as it can (take a page, tighten it, release it:
 * each tightening kicks the other CPU); on the other CPU this thread sends
 * itself NMIs one at a time and waits for each to arrive. Like every Linux
 * NMI handler, ours claims an NMI only when its source has work pending;
 * the NMIs lvbs gives the guest for kicks are lvbs.ko's to claim, and an
 * NMI nobody claims shows up as "NMI received for unknown reason" in the
 * log, which the scenario looks for.
 */
/*
 * Ping for PING_MS and for at least PING_MIN_ROUNDS rounds of the shooter,
 * PING_MAX_MS at most: on a loaded host the shooter's vCPU may get little
 * time, and a test that stopped on time alone would prove nothing there.
 */
#define PING_MS		3000
#define PING_MAX_MS	60000
#define PING_MIN_ROUNDS	100
#define PING_WAIT_US	20000

static bool ping_shoot = true;
module_param(ping_shoot, bool, 0);
static atomic_t ping_hits, shooter_rounds;
static int ping_cpu = -1;
static bool ping_armed;

static int ping_nmi(unsigned int type, struct pt_regs *regs)
{
	if (smp_processor_id() != READ_ONCE(ping_cpu) || !xchg(&ping_armed, false))
		return NMI_DONE;
	atomic_inc(&ping_hits);
	return NMI_HANDLED;
}

static int shooter_thread(void *arg)
{
	struct lvbs_mem_prot *e = kzalloc(sizeof(*e), GFP_KERNEL);
	void *page = (void *)get_zeroed_page(GFP_KERNEL);
	atomic64_t *failed = arg;
	const u32 cookie = 0x7e58;
	u64 n = 0;

	while (!kthread_should_stop()) {
		if (!ping_shoot) {
			schedule_timeout_interruptible(HZ / 50);
			continue;
		}
		if (!e || !page) {
			atomic64_inc(failed);
			schedule_timeout_interruptible(HZ / 50);
			continue;
		}
		e->gpa = virt_to_phys(page);
		e->size = PAGE_SIZE;
		e->owner = cookie;
		e->perm = LVBS_PERM_R | LVBS_PERM_W;
		if (hc(LVBS_HC(LVBS_HC_PROTECT_MEMORY), virt_to_phys(e), 1, 0, NULL))
			atomic64_inc(failed);
		e->perm = LVBS_PERM_R;
		if (hc(LVBS_HC(LVBS_HC_PROTECT_MEMORY), virt_to_phys(e), 1, 0, NULL))
			atomic64_inc(failed);
		if (hc(LVBS_HC(LVBS_HC_RELEASE_MEMORY), cookie, 0, 0, NULL))
			atomic64_inc(failed);
		atomic_inc(&shooter_rounds);
		if (!(++n & 15))
			cond_resched();
	}
	kfree(e);
	free_page((unsigned long)page);
	return 0;
}

/*
 * Send this CPU an NMI and wait for it: false if it never came. The wait
 * is measured on this CPU's TSC and its own progress (struct spin_bound),
 * not with udelay() (see tsc_us()).
 */
static bool ping_self(void)
{
	int before = atomic_read(&ping_hits);
	struct spin_bound b;

	WRITE_ONCE(ping_armed, true);
	apic->send_IPI(smp_processor_id(), NMI_VECTOR);
	bound_start(&b, PING_WAIT_US);
	while (!bound_over(&b)) {
		if (atomic_read(&ping_hits) != before)
			return true;
		cpu_relax();
	}
	WRITE_ONCE(ping_armed, false);
	return false;
}

static const char *nmi_shootdown(void)
{
	struct task_struct *t;
	atomic64_t failed = ATOMIC64_INIT(0);
	struct lvbs_info a, b;
	unsigned long end, cap;
	int me, other, sent = 0, lost = 0, r;

	if (read_info(&a))
		return "GET_INFO failed";
	me = get_cpu();
	other = cpumask_any_but(cpu_online_mask, me);
	put_cpu();
	if (other >= nr_cpu_ids)
		return "needs two online CPUs";
	t = kthread_create(shooter_thread, &failed, "lvbs_shooter");
	if (IS_ERR(t))
		return "kthread_create failed";
	kthread_bind(t, other);
	r = register_nmi_handler(NMI_LOCAL, ping_nmi, 0, "lvbs_test_ping");
	if (r) {
		kthread_stop(t);
		return "register_nmi_handler failed";
	}
	wake_up_process(t);
	end = jiffies + msecs_to_jiffies(PING_MS);
	cap = jiffies + msecs_to_jiffies(PING_MAX_MS);
	while (time_before(jiffies, end) ||
	       (ping_shoot && atomic_read(&shooter_rounds) < PING_MIN_ROUNDS &&
		time_before(jiffies, cap))) {
		preempt_disable();
		WRITE_ONCE(ping_cpu, smp_processor_id());
		if (!ping_self())
			lost++;
		WRITE_ONCE(ping_cpu, -1);
		preempt_enable();
		if (!(++sent % 32))
			cond_resched();
	}
	kthread_stop(t);
	msleep(50);
	unregister_nmi_handler(NMI_LOCAL, "lvbs_test_ping");
	if (read_info(&b))
		return "GET_INFO failed after the pings";
	pr_info("NMIs during shootdowns: %d sent, %d lost; %llu shootdowns, %lld hypercalls failed\n",
		sent, lost, b.shootdowns - a.shootdowns,
		(long long)atomic64_read(&failed));
	if (atomic64_read(&failed))
		return "a take/tighten/release hypercall failed";
	if (ping_shoot && b.shootdowns - a.shootdowns < 100)
		return "fewer than 100 shootdowns happened: the test proves nothing";
	return lost ? "a guest NMI was lost" : NULL;
}

/*
 * An NMI held back while the guest's NMI handler runs must go in as soon
 * as that handler's IRET is done, as on bare metal, even if the code the
 * IRET returns to runs with interrupts disabled. A kthread on the other
 * CPU spins with interrupts off; NMI A interrupts it and its handler stays
 * busy until NMI B has been sent; B must then interrupt that same spin,
 * with interrupts still off. Had lvbs waited for the guest to enable
 * interrupts (an interrupt window), B would come after the spin. This is
 * what B interrupted, not how long it took: a time bound would depend on
 * how busy the host is.
 */
#define IRQOFF_SPIN_MS	300

static int irqoff_cpu = -1;
static atomic_t irqoff_hits, irqoff_ready;
static bool irqoff_b_sent, irqoff_b_if, irqoff_b_in_spin;
static struct task_struct *irqoff_task;
static u64 irqoff_a_exit, irqoff_b_entry, irqoff_spin_end;

static int irqoff_nmi(unsigned int type, struct pt_regs *regs)
{
	u64 until;

	if (smp_processor_id() != READ_ONCE(irqoff_cpu))
		return NMI_DONE;
	if (atomic_inc_return(&irqoff_hits) == 2) {
		irqoff_b_entry = tsc_us();
		irqoff_b_if = regs->flags & X86_EFLAGS_IF;
		irqoff_b_in_spin = current == READ_ONCE(irqoff_task) &&
				   !READ_ONCE(irqoff_spin_end);
		return NMI_HANDLED;
	}
	/* A: stay until B has been sent (it is then held), 1 s at most. */
	until = tsc_us() + USEC_PER_SEC;
	while (!READ_ONCE(irqoff_b_sent) && tsc_us() < until)
		cpu_relax();
	irqoff_a_exit = tsc_us();
	return NMI_HANDLED;
}

static int irqoff_thread(void *arg)
{
	u64 end;

	local_irq_disable();
	atomic_set(&irqoff_ready, 1);
	end = tsc_us() + IRQOFF_SPIN_MS * USEC_PER_MSEC;
	while (tsc_us() < end)
		cpu_relax();
	WRITE_ONCE(irqoff_spin_end, tsc_us());
	local_irq_enable();
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 50);
	return 0;
}

static bool wait_hits(atomic_t *hits, int n, u64 us)
{
	u64 end;
	bool ok = true;

	preempt_disable();
	end = tsc_us() + us;
	while (atomic_read(hits) < n)
		if (tsc_us() > end) {
			ok = false;
			break;
		}
	preempt_enable();
	return ok;
}

static const char *nmi_irqoff(void)
{
	struct task_struct *t;
	const char *why = NULL;
	int me, target;
	s64 gap;

	me = get_cpu();
	target = cpumask_any_but(cpu_online_mask, me);
	put_cpu();
	if (target >= nr_cpu_ids)
		return "needs two online CPUs";
	/* Stay off the target, whose kthread must run while we wait. */
	set_cpus_allowed_ptr(current, cpumask_of(me));
	if (register_nmi_handler(NMI_LOCAL, irqoff_nmi, 0, "lvbs_test_irqoff")) {
		set_cpus_allowed_ptr(current, cpu_possible_mask);
		return "register_nmi_handler failed";
	}
	t = kthread_create(irqoff_thread, NULL, "lvbs_irqoff");
	if (IS_ERR(t)) {
		unregister_nmi_handler(NMI_LOCAL, "lvbs_test_irqoff");
		set_cpus_allowed_ptr(current, cpu_possible_mask);
		return "kthread_create failed";
	}
	kthread_bind(t, target);
	WRITE_ONCE(irqoff_task, t);
	WRITE_ONCE(irqoff_cpu, target);
	wake_up_process(t);
	while (!atomic_read(&irqoff_ready))
		cond_resched();
	apic->send_IPI(target, NMI_VECTOR);
	if (!wait_hits(&irqoff_hits, 1, USEC_PER_SEC)) {
		why = "NMI A never arrived";
	} else {
		apic->send_IPI(target, NMI_VECTOR);
		WRITE_ONCE(irqoff_b_sent, true);
		if (!wait_hits(&irqoff_hits, 2, 2 * USEC_PER_SEC))
			why = "NMI B never arrived";
	}
	kthread_stop(t);
	drain_nmis(target);
	WRITE_ONCE(irqoff_cpu, -1);
	WRITE_ONCE(irqoff_task, NULL);
	unregister_nmi_handler(NMI_LOCAL, "lvbs_test_irqoff");
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	if (why)
		return why;
	gap = (s64)(irqoff_b_entry - irqoff_a_exit);
	pr_info("NMI after an IRET into code with interrupts off: B came %lld us after A's handler returned; the interrupts-off spin ended %lld us after A's return\n",
		gap, (s64)(irqoff_spin_end - irqoff_a_exit));
	if (!irqoff_b_in_spin || irqoff_b_if)
		return "the held NMI waited for the guest to enable interrupts";
	return NULL;
}

/*
 * The content-mismatch attack of issue 9: a signed module whose laid-out
 * code kernel code changes after the loader relocated it and before it
 * goes live. lvbs's notifier comes last (INT_MIN); this one runs before.
 * The byte is in the module's exit function, which runs only at rmmod
 * (the scenario never unloads the target after this).
 */
static uint forge_owner;
module_param(forge_owner, uint, 0400);
MODULE_PARM_DESC(forge_owner, "forged_code: the core owner of a live, verified module");
static unsigned long long forge_file;
module_param(forge_file, ullong, 0400);
MODULE_PARM_DESC(forge_file, "forged_code: the number of that module's verified file");

/*
 * (forged_code) The module path as a way to new kernel code, tried by an
 * attacker with kernel write who knows a live verified module's owner and
 * file number (both are in lvbs.ko's memory, and in dmesg): RET written
 * into a vmalloc'd page, claimed as module text by PROTECT_MEMORY, first
 * under a fresh owner (refused: no verified check), then under the
 * verified module's owner (registered, execute withheld), then a
 * MODULE_COMPARE naming that page as the module's text; the page is
 * called. Only the call running would be a failure. The page is left
 * registered under the module's owner on purpose (never freed: it is not
 * writable); the module's unload gives it back.
 */
static const char *forged_code(bool *keep)
{
	struct lvbs_mem_prot *e = kzalloc(sizeof(*e), GFP_KERNEL);
	struct lvbs_module_compare *q = kzalloc(sizeof(*q), GFP_KERNEL);
	struct pte_patch pp = { 0 };
	u8 *code = vzalloc(PAGE_SIZE), *page;
	struct hc_regs out;
	const char *why = NULL;
	long r;

	if (!e || !q || !code) {
		why = "no memory";
		goto out;
	}
	if (!forge_owner || !forge_file) {
		why = "needs forge_owner= and forge_file=";
		goto out;
	}
	code[0] = 0xc3;		/* RET */
	e->gpa = (u64)vmalloc_to_pfn(code) << PAGE_SHIFT;
	e->size = PAGE_SIZE;
	e->perm = LVBS_PERM_R | LVBS_PERM_XS | LVBS_PERM_PATCHABLE;
	e->owner = 0x7ffffff0;
	r = hc(LVBS_HC(LVBS_HC_PROTECT_MEMORY), virt_to_phys(e), 1, 0, &out);
	pr_info("forged_code: RET at %px (phys 0x%llx) as module text of a fresh owner: %s (%ld)\n",
		code, e->gpa, status_name(r), r);
	if (r != LVBS_E_PERM) {
		why = "PROTECT_MEMORY gave unverified code to an owner no check authorized";
		goto out;
	}
	e->owner = forge_owner;
	r = hc(LVBS_HC(LVBS_HC_PROTECT_MEMORY), virt_to_phys(e), 1, 0, &out);
	pr_info("forged_code: the same page as text of verified owner %u: %s (%ld)\n",
		forge_owner, status_name(r), r);
	if (r) {
		why = "PROTECT_MEMORY under the verified owner failed: nothing to forge";
		goto out;
	}
	/* The owner's now: not writable, and never to be freed here. */
	page = code;
	code = NULL;
	q->size = sizeof(*q);
	q->file = forge_file;
	q->owner = forge_owner;
	q->text_va[0] = (unsigned long)page;
	q->text_size[0] = PAGE_SIZE;
	q->shdrs = (unsigned long)page;
	q->symtab = (unsigned long)page;
	r = hc(LVBS_HC(LVBS_HC_MODULE_COMPARE), virt_to_phys(q), sizeof(*q), 0, &out);
	while (!r && out.rbx == 1)
		r = hc(LVBS_HC(LVBS_HC_MODULE_COMPARE), virt_to_phys(q), sizeof(*q), 1, &out);
	pr_info("forged_code: MODULE_COMPARE claiming it as file %llu's text: %s (%ld), result %u detail %u, %llu pages given execute, %llu withheld\n",
		forge_file, status_name(r), r, q->result, q->detail, q->granted_pages,
		q->withheld_pages);
	if (!r && (q->result == LVBS_MODCMP_SAME || q->granted_pages)) {
		why = "MODULE_COMPARE gave the forged page execute";
		goto out;
	}
	if (pte_set(&pp, page, 0, _PAGE_NX)) {
		why = "no PTE";
		goto out;
	}
	why = attack_on(MEM_CALL_ATTACK, page, keep);
	pte_restore(&pp);
out:
	kfree(e);
	kfree(q);
	if (code && !*keep)
		vfree(code);
	return why;
}

static char *tamper;
module_param(tamper, charp, 0400);
MODULE_PARM_DESC(tamper, "tamper_coming: the module whose code to change at COMING");
static bool tamper_write = true;
module_param(tamper_write, bool, 0600);
MODULE_PARM_DESC(tamper_write, "tamper_coming: change the byte (0: only look)");

static int tamper_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;
	struct page *pg;
	u8 *p, *w, was;

	if (state != MODULE_STATE_COMING || !tamper || strcmp(mod->name, tamper))
		return NOTIFY_DONE;
	if (!mod->exit) {
		pr_err("FAIL tamper_coming: %s has no exit function\n", mod->name);
		return NOTIFY_DONE;
	}
	p = (u8 *)mod->exit + 1;	/* inside its first instruction */
	if (!READ_ONCE(tamper_write)) {
		pr_info("tamper_coming: %s left as laid out (benign twin)\n", mod->name);
		return NOTIFY_DONE;
	}
	pg = vmalloc_to_page(p);
	w = pg ? vmap(&pg, 1, VM_MAP, PAGE_KERNEL) : NULL;
	if (!w) {
		pr_err("FAIL tamper_coming: no writable alias of %px\n", p);
		return NOTIFY_DONE;
	}
	was = w[offset_in_page(p)];
	w[offset_in_page(p)] = was == 0xcc ? 0x90 : 0xcc;
	vunmap(w);
	pr_info("tamper_coming: %s: byte at %pS changed from %02x to %02x before lvbs compares it\n",
		mod->name, p, was, *p);
	return NOTIFY_DONE;
}

static struct notifier_block tamper_nb = {
	.notifier_call = tamper_notify,
	.priority = 0,
};

static bool tamper_armed;

static const char *tamper_coming(bool *keep)
{
	if (!tamper || !*tamper)
		return "tamper=NAME is missing";
	if (register_module_notifier(&tamper_nb))
		return "register_module_notifier failed";
	tamper_armed = true;
	*keep = true;	/* the notifier must outlive init, until rmmod */
	return NULL;
}

static int __init lvbs_test_init(void)
{
	const char *why;
	bool keep = false;

	if (!strcmp(action, "roundtrip")) {
		why = roundtrip();
	} else if (!strcmp(action, "garbage")) {
		why = garbage();
	} else if (!strcmp(action, "touch_hv_read")) {
		why = attack(TOUCH_HV_READ, &keep);
	} else if (!strcmp(action, "touch_hv_write")) {
		why = attack(TOUCH_HV_WRITE, &keep);
	} else if (!strcmp(action, "cr4_clear_smep")) {
		why = attack(CR4_CLEAR_SMEP, &keep);
	} else if (!strcmp(action, "cr0_clear_wp")) {
		why = attack(CR0_CLEAR_WP, &keep);
	} else if (!strcmp(action, "msr_lstar")) {
		why = attack(MSR_LSTAR_REDIRECT, &keep);
	} else if (!strcmp(action, "efer_clear_nxe")) {
		why = attack(EFER_CLEAR_NXE, &keep);
	} else if (!strcmp(action, "lidt_forged")) {
		why = attack(LIDT_FORGED, &keep);
	} else if (!strcmp(action, "lidt_same")) {
		why = lidt_same();
	} else if (!strcmp(action, "msr_absent")) {
		why = msr_absent();
	} else if (!strcmp(action, "msr_rewrite")) {
		why = msr_rewrite();
	} else if (!strcmp(action, "cr4_toggle_pge")) {
		why = cr4_toggle_pge();
	} else if (!strcmp(action, "cr_check")) {
		why = cr_check();
	} else if (!strcmp(action, "text_pte_write")) {
		why = text_attack(MEM_STORE_ATTACK, &keep);
	} else if (!strcmp(action, "text_poke_locked")) {
		why = text_attack(TEXT_POKE_ATTACK, &keep);
	} else if (!strcmp(action, "violation_storm")) {
		why = violation_storm();
	} else if (!strcmp(action, "rodata_alias_write")) {
		why = alias_write(_ctype, "rodata (_ctype)", &keep);
	} else if (!strcmp(action, "roai_alias_write")) {
		why = alias_write(&page_offset_base, "ro_after_init (page_offset_base)", &keep);
	} else if (!strcmp(action, "pte_write_benign")) {
		why = pte_write_benign();
	} else if (!strcmp(action, "exec_kmalloc")) {
		why = exec_written(IN_KMALLOC, &keep);
	} else if (!strcmp(action, "exec_vmalloc")) {
		why = exec_written(IN_VMALLOC, &keep);
	} else if (!strcmp(action, "exec_moddata")) {
		why = exec_written(IN_MODDATA, &keep);
	} else if (!strcmp(action, "exec_freed")) {
		why = exec_freed(&keep);
	} else if (!strcmp(action, "loosen_immutable")) {
		why = loosen_immutable();
	} else if (!strcmp(action, "protect_benign")) {
		why = protect_benign();
	} else if (!strcmp(action, "image_freed")) {
		why = image_freed();
	} else if (!strcmp(action, "static_key")) {
		why = static_key_toggle();
	} else if (!strcmp(action, "nmi_storm")) {
		why = nmi_storm();
	} else if (!strcmp(action, "nmi_irqoff")) {
		why = nmi_irqoff();
	} else if (!strcmp(action, "nmi_shootdown")) {
		why = nmi_shootdown();
	} else if (!strcmp(action, "bpf_jit")) {
		why = bpf_jit();
	} else if (!strcmp(action, "tamper_coming")) {
		why = tamper_coming(&keep);
	} else if (!strcmp(action, "forged_code")) {
		why = forged_code(&keep);
	} else {
		pr_err("FAIL %s: unknown action\n", action);
		return -EINVAL;
	}
	if (why)
		pr_err("FAIL %s: %s\n", action, why);
	else
		pr_info("PASS %s\n", action);
	/* Never stay loaded (see the comment at the top), unless unsafe. */
	return keep ? 0 : -ECANCELED;
}
module_init(lvbs_test_init);

/*
 * Only tamper_coming stays loaded on purpose and can go (rmmod); the other
 * actions that stay do so because something may still point into us.
 */
static void __exit lvbs_test_exit(void)
{
	if (tamper_armed)
		unregister_module_notifier(&tamper_nb);
}
module_exit(lvbs_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lvbs test probes (tests/vm only)");
