// SPDX-License-Identifier: GPL-2.0
/*
 * Module files to the hypervisor for a signature check
 * (docs/module-signatures.md). A verified check authorizes the owner
 * cookies the module will be protected under; with module_trust=signed
 * (the default) a module without one gets no code after SEAL, and its
 * load fails.
 *
 * Where the file is seen: the kernel's loader checks a module's signature
 * with verify_pkcs7_signature(data, len, pkcs7, pkcs7_len, keyring,
 * VERIFYING_MODULE_SIGNATURE, ...) (exported), with data the module as user
 * space gave it (decompressed on 6.12) and pkcs7 right after it, followed
 * by struct module_signature and the magic. Later, load_module() writes
 * into the same buffer (section headers, its temporary struct module), so
 * the file must be taken there and then. A kprobe handler cannot sleep,
 * so the kprobe only sends such a call on to verify_wrapper() (the
 * kprobes API's way: set regs->ip, return 1), which runs in the loading
 * task, preemptible: it copies the file into lvbs.ko's own memory, has
 * the hypervisor check the copy, then calls the real function. A module
 * without a signature never gets there, and counts as unchecked.
 *
 * What lvbs.ko says is only a claim: the hypervisor hashes the pages it is
 * named and checks the signature itself. Which module a check vouches for
 * is lvbs.ko's bookkeeping: the loading task's next MODULE_STATE_COMING,
 * and never past the start of its next load.
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/kernel_read_file.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/module_signature.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/verification.h>
#include <linux/vmalloc.h>
#include <asm/io.h>
#include "lvbs.h"

#define TRAILER_EXTRA	(sizeof(struct module_signature) + sizeof(MODULE_SIG_STRING) - 1)
/*
 * Checks waiting for their module's MODULE_STATE_COMING. Loads run in
 * parallel (udev's coldplug loads dozens of modules at once at boot), and
 * a large module's layout takes long after its check: a check must wait
 * as long as its load does. A slot is taken only from a load's check to
 * its COMING, or until the task's next load (a load that failed in
 * between); only when all are taken is the oldest dropped, loudly, and its
 * module then refused.
 */
#define PENDING		256

/*
 * One check at a time (the hypervisor holds one, owned by the CPU that
 * began it); these buffers are its. Held across the whole check, in the
 * loading task, which may sleep but not move to another CPU meanwhile.
 */
static DEFINE_MUTEX(check_mutex);
static u8 *trailer;		/* LVBS_MODSIG_MAX bytes, kmalloc: by physical address */
/* LVBS_MODULE_HASH_BATCH entries, likewise; the hypervisor writes their tags. */
static struct lvbs_module_page *pages;

/* The pending verdicts below; taken in kprobe handlers too. */
static DEFINE_SPINLOCK(pending_lock);

/* The verdicts waiting for their module, by loading task (NULL: free). */
static struct {
	struct task_struct *task;
	const u8 *data;
	size_t len;
	u64 seq;		/* order of the checks: the oldest is dropped first */
	char comm[TASK_COMM_LEN];	/* the task's name then (it may be gone since) */
	u32 verdict;
	u32 slot;
	u32 owner;		/* core owner cookie the check authorized (init: + 1) */
} pending[PENDING];
static u64 pending_seq;
static atomic64_t unchecked;	/* modules that came with no check */
static bool active;

static const char *const verdict_names[] = {
	[LVBS_MODCHECK_OK] = "ok", [LVBS_MODCHECK_UNSIGNED] = "unsigned",
	[LVBS_MODCHECK_FORMAT] = "malformed signature",
	[LVBS_MODCHECK_UNSUPPORTED] = "unsupported signature",
	[LVBS_MODCHECK_UNKNOWN_KEY] = "unknown key",
	[LVBS_MODCHECK_BAD_SIG] = "bad signature",
	[LVBS_MODCHECK_BLACKLISTED] = "blacklisted",
	[LVBS_MODCHECK_INCOMPLETE] = "incomplete",
};

static const char *verdict_name(u32 v)
{
	return v < ARRAY_SIZE(verdict_names) ? verdict_names[v] : "?";
}

/* Hash the module's pages, a batch at a time; the verdict so far. */
static u32 hash_module(const u8 *data, size_t len)
{
	size_t off = 0;
	u32 n;
	int r;

	while (off < len) {
		memset(pages, 0, LVBS_MODULE_HASH_BATCH * sizeof(*pages));
		for (n = 0; n < LVBS_MODULE_HASH_BATCH && off < len; n++, off += PAGE_SIZE)
			pages[n].gpa = page_to_phys(vmalloc_to_page(data + off));
		r = lvbs.hv->module_hash(pages, n);
		if (r)
			return LVBS_MODCHECK_INCOMPLETE;
	}
	return LVBS_MODCHECK_OK;
}

/*
 * Under check_mutex, migration off: one whole check of @copy, lvbs.ko's
 * own copy of the module; the verdict and the key's slot. A verified check
 * authorizes @owner and @owner + 1, the cookies the module will be
 * protected under (the hypervisor's MODULE_END).
 */
static u32 check(const u8 *copy, size_t len, const u8 *p7, size_t tlen, u32 owner, u32 *slot)
{
	u32 v = LVBS_MODCHECK_FORMAT;
	u64 file = 0;

	*slot = 0;
	if (tlen > LVBS_MODSIG_MAX)
		return LVBS_MODCHECK_FORMAT;
	memcpy(trailer, p7, tlen);
	/* The file's number and the page tags are not used yet (issue 9). */
	if (lvbs.hv->module_begin(trailer, tlen, len, &v, &file))
		return LVBS_MODCHECK_INCOMPLETE;
	if (v == LVBS_MODCHECK_OK)
		hash_module(copy, len);
	/* END gives the verdict whatever happened: the hypervisor's word. */
	if (lvbs.hv->module_end(owner, owner + 1, &v, slot))
		return LVBS_MODCHECK_INCOMPLETE;
	return v;
}

/* Under pending_lock: the current task's pending check of this file, or -1. */
static int find_pending(const u8 *data, size_t len)
{
	int i;

	for (i = 0; i < PENDING; i++)
		if (pending[i].task == current && pending[i].data == data && pending[i].len == len)
			return i;
	return -1;
}

/* Under pending_lock: a free slot, or the oldest one, dropped and said so. */
static int take_slot(void)
{
	int i, oldest = 0;

	for (i = 0; i < PENDING; i++) {
		if (!pending[i].task)
			return i;
		if (pending[i].seq < pending[oldest].seq)
			oldest = i;
	}
	pr_warn_ratelimited("%d module checks wait for their modules at once: the oldest (%s) is dropped, its module will be refused\n",
			    PENDING, pending[oldest].comm);
	return oldest;
}

/*
 * The check of one module file, in the loading task: copied (vmalloc: the
 * hypervisor reads whole pages), checked, its verdict left for the
 * module's COMING. Debian's kernels try the platform keyring when the
 * builtin and secondary ones give -ENOKEY: that second call on the file
 * just checked is the same module, checked once.
 */
static void check_file(const u8 *data, size_t len, const u8 *p7, size_t p7len,
		       struct key *keyring)
{
	u32 v = LVBS_MODCHECK_INCOMPLETE, slot = 0, owner;
	u8 *copy;
	int i;

	spin_lock(&pending_lock);
	i = keyring == VERIFY_USE_PLATFORM_KEYRING ? find_pending(data, len) : -1;
	spin_unlock(&pending_lock);
	if (i >= 0)
		return;
	owner = lvbs_memprot_new_owners();
	copy = len <= LVBS_MODULE_MAX ? vmalloc(len) : NULL;
	if (copy) {
		memcpy(copy, data, len);
		mutex_lock(&check_mutex);
		migrate_disable();
		v = check(copy, len, p7, p7len + TRAILER_EXTRA, owner, &slot);
		migrate_enable();
		mutex_unlock(&check_mutex);
		vfree(copy);
	} else {
		pr_warn_ratelimited("module file of %zu bytes: no memory for lvbs's copy, not checked\n",
				    len);
	}
	spin_lock(&pending_lock);
	i = take_slot();
	pending[i].task = current;
	pending[i].seq = ++pending_seq;
	memcpy(pending[i].comm, current->comm, sizeof(pending[i].comm));
	pending[i].owner = owner;
	pending[i].data = data;
	pending[i].len = len;
	pending[i].verdict = v;
	pending[i].slot = slot;
	spin_unlock(&pending_lock);
}

/*
 * Where verify_pre() sends the kernel's call: same arguments, same
 * caller. It checks, then calls the real function; that call comes from
 * lvbs.ko, which verify_pre() lets through. Not a tail call (a jump
 * would leave the kernel's return address, and loop).
 */
static int verify_wrapper(const void *data, size_t len, const void *raw_pkcs7,
			  size_t pkcs7_len, struct key *keyring,
			  enum key_being_used_for usage,
			  int (*view_content)(void *ctx, const void *data, size_t len,
					      size_t asn1hdrlen),
			  void *ctx)
{
	int r;

	check_file(data, len, raw_pkcs7, pkcs7_len, keyring);
	r = verify_pkcs7_signature(data, len, raw_pkcs7, pkcs7_len, keyring, usage,
				   view_content, ctx);
	OPTIMIZER_HIDE_VAR(r);
	return r;
}

/*
 * verify_pkcs7_signature(data, len, raw_pkcs7, pkcs7_len, trusted_keys,
 * usage, view_content, ctx): the first six arguments in RDI, RSI, RDX,
 * RCX, R8, R9 (x86-64 SysV). At its first instruction the return address
 * is at RSP. A module signature's call, unless it comes from lvbs.ko,
 * goes on at verify_wrapper() with the same registers and stack.
 */
static int verify_pre(struct kprobe *p, struct pt_regs *regs)
{
	const u8 *data = (const u8 *)regs->di, *p7 = (const u8 *)regs->dx;
	size_t len = regs->si;

	if (regs->r9 != VERIFYING_MODULE_SIGNATURE || p7 != data + len)
		return 0;
	if (within_module(*(unsigned long *)regs->sp, THIS_MODULE))
		return 0;
	instruction_pointer_set(regs, (unsigned long)verify_wrapper);
	return 1;
}

/*
 * Every module load starts by reading its file (finit_module():
 * security_kernel_read_file() with READING_MODULE) or by taking it from
 * user memory (init_module(): security_kernel_load_data() with
 * LOADING_MODULE), both exported, both before its signature check. A new
 * load forgets what the task's earlier checks said: a check whose module
 * never came (its load failed after the check: the name already loaded, a
 * missing symbol) must not vouch for the next module the same process
 * loads, signed or not.
 */
static void forget_current(void)
{
	int i;

	spin_lock(&pending_lock);
	for (i = 0; i < PENDING; i++)
		if (pending[i].task == current)
			pending[i].task = NULL;
	spin_unlock(&pending_lock);
}

/* security_kernel_read_file(file, id, contents): id in RSI. */
static int read_file_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (regs->si == READING_MODULE)
		forget_current();
	return 0;
}

/* security_kernel_load_data(id, contents): id in RDI. */
static int load_data_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (regs->di == LOADING_MODULE)
		forget_current();
	return 0;
}

static struct kprobe verify_kp = {
	.symbol_name = "verify_pkcs7_signature",
	.pre_handler = verify_pre,
};
static struct kprobe read_file_kp = {
	.symbol_name = "security_kernel_read_file",
	.pre_handler = read_file_pre,
};
static struct kprobe load_data_kp = {
	.symbol_name = "security_kernel_load_data",
	.pre_handler = load_data_pre,
};
static struct kprobe *kps[] = { &read_file_kp, &load_data_kp, &verify_kp };

/*
 * MODULE_STATE_COMING, in the loading task: the verdict its file got,
 * taken out of the list, named in dmesg when it is not ok. Returns the
 * owner cookie a verified check authorized, 0 otherwise: then, with
 * module_trust=signed, the hypervisor refuses the module's code and the
 * load fails.
 */
u32 lvbs_modcheck_coming(const struct module *mod)
{
	const char *what = lvbs_module_trust_signed() ? "refused" : "loaded, module_trust=tofu";
	bool found = false;
	u32 v = 0, slot = 0, owner = 0;
	int i, k = -1;

	if (!active)
		return 0;
	spin_lock(&pending_lock);
	/* The task's latest check is its module's; any other is stale. */
	for (i = 0; i < PENDING; i++) {
		if (pending[i].task != current)
			continue;
		if (k < 0 || pending[i].seq > pending[k].seq)
			k = i;
		pending[i].task = NULL;
	}
	if (k >= 0) {
		found = true;
		v = pending[k].verdict;
		slot = pending[k].slot;
		owner = pending[k].owner;
	}
	spin_unlock(&pending_lock);
	if (!found) {
		atomic64_inc(&unchecked);
		pr_notice_ratelimited("module %s: not authenticated (no signature checked): %s\n",
				      mod->name, what);
		return 0;
	}
	if (v != LVBS_MODCHECK_OK) {
		pr_notice_ratelimited("module %s: not authenticated (%s): %s\n", mod->name,
				      verdict_name(v), what);
		return 0;
	}
	pr_debug("module %s: signature ok (key %u)\n", mod->name, slot);
	return owner;
}

u64 lvbs_modcheck_unchecked(void)
{
	return atomic64_read(&unchecked);
}

bool lvbs_modcheck_active(void)
{
	return active;
}

/* After the launch: the buffers, then the kprobe. A failure only warns. */
int lvbs_modcheck_init(void)
{
	int r;

	trailer = kmalloc(LVBS_MODSIG_MAX, GFP_KERNEL);
	pages = kmalloc_array(LVBS_MODULE_HASH_BATCH, sizeof(*pages), GFP_KERNEL);
	if (!trailer || !pages) {
		r = -ENOMEM;
		goto fail;
	}
	/* All or none: register_kprobes() takes back what it did on failure. */
	r = register_kprobes(kps, ARRAY_SIZE(kps));
	if (r)
		goto fail;
	active = true;
	return 0;
fail:
	kfree(trailer);
	kfree(pages);
	trailer = NULL;
	pages = NULL;
	return r;
}
