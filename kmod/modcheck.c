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
 *
 * The copy and its page list, with the tags the hypervisor wrote into it,
 * are kept until that COMING: there the hypervisor reads the file back
 * through the tags, relocates it itself and compares it with the module
 * the kernel laid out (MODULE_COMPARE). Under module_trust=signed, after
 * SEAL, a module that is not the same is refused.
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/elf.h>
#include <asm/alternative.h>
#include <linux/kernel_read_file.h>
#include <linux/llist.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/module_signature.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/verification.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
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
 * Bytes of verified files kept for their module's COMING at once. A load
 * that fails after its check (the module already loaded, as when udev
 * asks twice at boot) leaves its copy until the task's next load, until
 * the task has exited (then the copy is reclaimed when room is needed),
 * or until its slot is taken. A new file that does not fit waits up to
 * KEPT_WAIT for loads in flight to reach their COMING; past that it is
 * not kept, its module is not compared (counted) and, with
 * module_trust=signed after SEAL, refused.
 */
#define KEPT_MAX	(256UL << 20)
#define KEPT_WAIT	(30 * HZ)

/* A verified file kept for its comparison: lvbs.ko's copy and the tagged list. */
struct kept {
	u8 *copy;			/* vmalloc: the file as checked */
	size_t len;
	struct lvbs_module_page *list;	/* vmalloc: one entry per page, tags in */
	size_t npages;
	u64 file;			/* the hypervisor's number for it */
	struct llist_node reap;		/* dropped where vfree() cannot run */
};

/*
 * One check at a time (the hypervisor holds one, owned by the CPU that
 * began it); these buffers are its. Held across the whole check, in the
 * loading task, which may sleep but not move to another CPU meanwhile.
 */
static DEFINE_MUTEX(check_mutex);
static u8 *trailer;		/* LVBS_MODSIG_MAX bytes, kmalloc: by physical address */
/* LVBS_MODULE_HASH_BATCH entries, likewise; the hypervisor writes their tags. */
static struct lvbs_module_page *pages;
static struct lvbs_module_compare *cmp_req;	/* kmalloc: by physical address */

/* The pending verdicts below; taken in kprobe handlers too. */
static DEFINE_SPINLOCK(pending_lock);

/* The verdicts waiting for their module, by loading task (NULL: free). */
static struct {
	struct task_struct *task;	/* not referenced: compared, and checked by pid */
	pid_t pid;			/* the task's, in the initial namespace ... */
	u64 start;			/* ... and its start_time: the same task still? */
	const u8 *data;
	size_t len;
	u64 seq;		/* order of the checks: the oldest is dropped first */
	char comm[TASK_COMM_LEN];	/* the task's name then (it may be gone since) */
	u32 verdict;
	u32 slot;
	u32 owner;		/* core owner cookie the check authorized (init: + 1) */
	struct kept *kept;	/* the verified file, for its comparison; or NULL */
} pending[PENDING];
static u64 pending_seq;
static atomic64_t unchecked;	/* modules that came with no check */
static atomic64_t not_compared;	/* verified modules whose file was not kept */
static atomic_long_t kept_bytes;
static DECLARE_WAIT_QUEUE_HEAD(kept_wq);	/* woken when kept bytes are freed */
static LLIST_HEAD(reap_list);
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

/*
 * Hash the module's pages, a batch at a time; the verdict so far. The
 * tags the hypervisor writes into each batch go to @list, if any.
 */
static u32 hash_module(const u8 *data, size_t len, struct lvbs_module_page *list)
{
	size_t off = 0, done = 0;
	u32 n;
	int r;

	while (off < len) {
		memset(pages, 0, LVBS_MODULE_HASH_BATCH * sizeof(*pages));
		for (n = 0; n < LVBS_MODULE_HASH_BATCH && off < len; n++, off += PAGE_SIZE)
			pages[n].gpa = page_to_phys(vmalloc_to_page(data + off));
		r = lvbs.hv->module_hash(pages, n);
		if (r)
			return LVBS_MODCHECK_INCOMPLETE;
		if (list)
			memcpy(list + done, pages, n * sizeof(*pages));
		done += n;
	}
	return LVBS_MODCHECK_OK;
}

/*
 * Under check_mutex, migration off: one whole check of @copy, lvbs.ko's
 * own copy of the module; the verdict and the key's slot. A verified check
 * authorizes @owner and @owner + 1, the cookies the module will be
 * protected under (the hypervisor's MODULE_END).
 */
static u32 check(struct kept *k, const u8 *p7, size_t tlen, u32 owner, u32 *slot)
{
	u32 v = LVBS_MODCHECK_FORMAT;

	*slot = 0;
	if (tlen > LVBS_MODSIG_MAX)
		return LVBS_MODCHECK_FORMAT;
	memcpy(trailer, p7, tlen);
	if (lvbs.hv->module_begin(trailer, tlen, k->len, &v, &k->file))
		return LVBS_MODCHECK_INCOMPLETE;
	if (v == LVBS_MODCHECK_OK)
		hash_module(k->copy, k->len, k->list);
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

static void kept_free(struct kept *k)
{
	if (!k)
		return;
	atomic_long_sub(k->len, &kept_bytes);
	vfree(k->copy);
	vfree(k->list);
	kfree(k);
	wake_up_all(&kept_wq);
}

static void reap_work_fn(struct work_struct *w)
{
	struct llist_node *n = llist_del_all(&reap_list);
	struct kept *k, *t;

	llist_for_each_entry_safe(k, t, n, reap)
		kept_free(k);
}
static DECLARE_WORK(reap_work, reap_work_fn);

/*
 * Under pending_lock (a spinlock, also taken in kprobe handlers, where
 * vfree() cannot run): slot @i's kept file goes to the reaper.
 */
static void drop_kept(int i)
{
	if (!pending[i].kept)
		return;
	llist_add(&pending[i].kept->reap, &reap_list);
	pending[i].kept = NULL;
	schedule_work(&reap_work);
}

/* Under pending_lock: a free slot, or the oldest one, dropped and said so. */
static int take_slot(void)
{
	int i, oldest = 0;

	for (i = 0; i < PENDING; i++) {
		if (!pending[i].task) {
			drop_kept(i);
			return i;
		}
		if (pending[i].seq < pending[oldest].seq)
			oldest = i;
	}
	pr_warn_ratelimited("%d module checks wait for their modules at once: the oldest (%s) is dropped, its module will be refused\n",
			    PENDING, pending[oldest].comm);
	drop_kept(oldest);
	return oldest;
}

/* Under pending_lock: has slot @i's task exited (so its load is over)? */
static bool task_gone(int i)
{
	struct task_struct *t;
	bool gone;

	rcu_read_lock();
	t = pid_task(find_pid_ns(pending[i].pid, &init_pid_ns), PIDTYPE_PID);
	gone = t != pending[i].task || !t || t->start_time != pending[i].start ||
	       (t->flags & PF_EXITING);
	rcu_read_unlock();
	return gone;
}

/*
 * The copies kept for tasks that have exited: their loads failed after
 * the check (a module that reached COMING took its copy), so nothing will
 * compare them. Freed here, in the calling task. How many bytes.
 */
static size_t reclaim_gone(void)
{
	struct kept *list[16];
	size_t bytes = 0;
	int i, n = 0;

	spin_lock(&pending_lock);
	for (i = 0; i < PENDING && n < ARRAY_SIZE(list); i++) {
		if (!pending[i].task || !pending[i].kept || !task_gone(i))
			continue;
		list[n++] = pending[i].kept;
		pending[i].kept = NULL;
		pending[i].task = NULL;
	}
	spin_unlock(&pending_lock);
	while (n--) {
		bytes += list[n]->len;
		kept_free(list[n]);
	}
	return bytes;
}

/*
 * Room for @len more kept bytes: reclaimed from exited tasks, or waited
 * for (up to KEPT_WAIT) while loads in flight reach their COMING. True
 * when there is room; the bytes are counted in kept_bytes either way.
 */
static bool kept_reserve(size_t len)
{
	unsigned long deadline = jiffies + KEPT_WAIT;

	for (;;) {
		if (atomic_long_add_return(len, &kept_bytes) <= KEPT_MAX)
			return true;
		atomic_long_sub(len, &kept_bytes);
		if (len > KEPT_MAX || time_after(jiffies, deadline))
			break;
		if (reclaim_gone())
			continue;
		wait_event_timeout(kept_wq, atomic_long_read(&kept_bytes) + len <= KEPT_MAX, HZ);
	}
	atomic_long_add(len, &kept_bytes);
	pr_warn_ratelimited("module file of %zu bytes: more than %lu MiB of files wait for their modules; not kept for its comparison\n",
			    len, KEPT_MAX >> 20);
	return false;
}

/*
 * The copy of a file about to be checked, with room for its tags; NULL
 * if the memory is not there. Past KEPT_MAX kept at once (after waiting,
 * kept_reserve()), the list is not allocated: the file is checked, not
 * kept.
 */
static struct kept *kept_alloc(const u8 *data, size_t len)
{
	struct kept *k = kzalloc(sizeof(*k), GFP_KERNEL);

	if (!k)
		return NULL;
	k->len = len;
	k->npages = DIV_ROUND_UP(len, PAGE_SIZE);
	k->copy = vmalloc(len);
	if (!k->copy) {
		kfree(k);
		return NULL;
	}
	memcpy(k->copy, data, len);
	if (kept_reserve(len))
		k->list = vmalloc(array_size(k->npages, sizeof(*k->list)));
	return k;
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
	struct kept *k;
	int i;

	spin_lock(&pending_lock);
	i = keyring == VERIFY_USE_PLATFORM_KEYRING ? find_pending(data, len) : -1;
	spin_unlock(&pending_lock);
	if (i >= 0)
		return;
	owner = lvbs_memprot_new_owners();
	k = len <= LVBS_MODULE_MAX ? kept_alloc(data, len) : NULL;
	if (k) {
		mutex_lock(&check_mutex);
		migrate_disable();
		v = check(k, p7, p7len + TRAILER_EXTRA, owner, &slot);
		migrate_enable();
		mutex_unlock(&check_mutex);
		/* Kept only to be compared: a verified file with its tags. */
		if (v != LVBS_MODCHECK_OK || !k->list) {
			if (v == LVBS_MODCHECK_OK)
				atomic64_inc(&not_compared);
			kept_free(k);
			k = NULL;
		}
	} else {
		pr_warn_ratelimited("module file of %zu bytes: no memory for lvbs's copy, not checked\n",
				    len);
	}
	spin_lock(&pending_lock);
	i = take_slot();
	pending[i].task = current;
	pending[i].pid = task_pid_nr(current);
	pending[i].start = current->start_time;
	pending[i].seq = ++pending_seq;
	memcpy(pending[i].comm, current->comm, sizeof(pending[i].comm));
	pending[i].owner = owner;
	pending[i].data = data;
	pending[i].len = len;
	pending[i].verdict = v;
	pending[i].slot = slot;
	pending[i].kept = k;
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
	for (i = 0; i < PENDING; i++) {
		if (pending[i].task == current) {
			pending[i].task = NULL;
			drop_kept(i);
		}
	}
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

static const char *const compare_names[] = {
	[LVBS_MODCMP_SAME] = "same", [LVBS_MODCMP_DIFFER] = "differs",
	[LVBS_MODCMP_NO_FILE] = "file unknown", [LVBS_MODCMP_BAD_PAGE] = "file changed",
	[LVBS_MODCMP_MALFORMED] = "malformed", [LVBS_MODCMP_UNMAPPED] = "unmapped",
	[LVBS_MODCMP_CLAIM] = "layout claim refused",
	[LVBS_MODCMP_UNRESOLVED] = "an import no export table holds",
};

/* What dmesg says of a comparison; @what: "refused", or why it loads anyway. */
static void report(const struct module *mod, int r, const struct lvbs_module_compare *q,
		   const char *what)
{
	if (r)
		pr_warn("module %s: comparison with its signed file failed (%d): %s\n",
			mod->name, r, what);
	else if (q->result > LVBS_MODCMP_DIFFER)
		pr_warn("module %s: not compared with its signed file: %s (section %u, offset %llu, detail %u): %s\n",
			mod->name, q->result < ARRAY_SIZE(compare_names) ? compare_names[q->result] : "?",
			q->where_section, q->where_offset, q->detail, what);
	else if (q->result == LVBS_MODCMP_DIFFER)
		pr_notice("module %s: differs from its signed file: %llu bytes in %llu ranges at no patch site or in a form its site does not allow, %llu non-zero bytes between code sections, the first at section %u + %llu (memory %*phN, file %*phN): %s\n",
			  mod->name, q->unexplained_bytes, q->unexplained_ranges, q->fill_bytes,
			  q->where_section, q->where_offset, (int)min_t(u32, q->where_len, 16),
			  q->where_have, (int)min_t(u32, q->where_len, 16), q->where_want, what);
	else
		pr_info("module %s: same as its signed file (file %llu, owner %u): %llu sections, %llu bytes, %llu relocations, %llu imports (%llu from the kernel's exports, %llu from modules', %llu the loader's word), %llu file pages read, %llu code pages (%llu given execute); patched: ftrace %llu, return %llu, retpoline %llu, call %llu, endbr %llu, static call %llu, jump label %llu, alternative %llu, lock %llu, paravirt %llu; calls and jumps there: %llu to registered code, %llu elsewhere\n",
			mod->name, q->file, q->owner, q->sections, q->bytes, q->relocations,
			q->imports, q->imports_kernel, q->imports_module, q->imports_loader,
			q->page_loads, q->code_pages, q->granted_pages,
			q->patched[LVBS_MODCMP_KIND_FTRACE], q->patched[LVBS_MODCMP_KIND_RETURN],
			q->patched[LVBS_MODCMP_KIND_RETPOLINE], q->patched[LVBS_MODCMP_KIND_CALL],
			q->patched[LVBS_MODCMP_KIND_ENDBR], q->patched[LVBS_MODCMP_KIND_STATIC_CALL],
			q->patched[LVBS_MODCMP_KIND_JUMP], q->patched[LVBS_MODCMP_KIND_ALT],
			q->patched[LVBS_MODCMP_KIND_LOCK], q->patched[LVBS_MODCMP_KIND_PARAVIRT],
			q->checked_targets, q->unchecked_targets);
}

/*
 * The module the kernel laid out against @k, the file it came from, in
 * the hypervisor (MODULE_COMPARE). @hdr is the kernel's own buffer of the
 * file, whose section headers the loader rewrote with each section's
 * address; it lives until after COMING (free_copy()). The laid-out symbol
 * table holds each import's value (simplify_symbols()), with the file's
 * indices, until the module's init is done. All three are the kernel's
 * word, for the hypervisor to check against the file. The module's
 * memory is registered under @owner (and @owner + 1) already, its text
 * pieces at @va/@size: the hypervisor binds the comparison to them.
 * Reported in dmesg (@what: why it loads anyway); -EPERM if the module's
 * code is left without execute (or, @enforced, could not be compared).
 */
static int compare(const struct module *mod, const struct kept *k, const u8 *hdr, u32 owner,
		   const u64 va[2], const u64 size[2], bool enforced, const char *what)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)k->copy;
	struct lvbs_module_compare *q = cmp_req;
	const struct mod_kallsyms *ks;
	bool more = false, refuse;
	int r = 0;

	/* The loading task, at COMING: nothing replaces mod->kallsyms meanwhile. */
	ks = rcu_dereference_raw(mod->kallsyms);
	mutex_lock(&check_mutex);
	migrate_disable();
	memset(q, 0, sizeof(*q));
	if (k->len < sizeof(*eh)) {
		r = -EINVAL;
		goto out;
	}
	q->size = sizeof(*q);
	q->file = k->file;
	q->pages = (unsigned long)k->list;
	q->shdrs = (unsigned long)hdr + eh->e_shoff;
	q->shnum = eh->e_shnum;
	q->symtab = (unsigned long)ks->symtab;
	q->nsyms = ks->num_symtab;
	q->percpu = (unsigned long)mod->percpu;
	q->alt_entsize = sizeof(struct alt_instr);
	q->owner = owner;
	q->text_va[0] = va[0];
	q->text_size[0] = size[0];
	q->text_va[1] = va[1];
	q->text_size[1] = size[1];
	r = lvbs.hv->module_compare(q, false, &more);
	while (!r && more) {
		cond_resched();
		r = lvbs.hv->module_compare(q, true, &more);
	}
out:
	migrate_enable();
	/* A failed call wrote no result: only the policy decides. */
	refuse = r ? enforced : q->withheld_pages != 0;
	report(mod, r, q, refuse ? "refused" : what);
	mutex_unlock(&check_mutex);
	return refuse ? -EPERM : 0;
}

/*
 * MODULE_STATE_COMING, in the loading task, before the module's memory
 * is registered: the verdict its file got, taken out of the list, named
 * in dmesg when it is not ok; and the file kept for its comparison.
 * cm->owner is the owner cookie a verified check authorized, 0 otherwise:
 * then, with module_trust=signed, the hypervisor refuses the module's
 * code and the load fails.
 */
u32 lvbs_modcheck_coming(const struct module *mod, struct lvbs_coming *cm)
{
	const char *what = lvbs_module_trust_signed() ? "refused" : "loaded, module_trust=tofu";
	bool found = false;
	u32 v = 0, slot = 0, owner = 0;
	struct kept *kept = NULL;
	const u8 *hdr = NULL;
	int i, k = -1;

	memset(cm, 0, sizeof(*cm));
	if (!active)
		return 0;
	spin_lock(&pending_lock);
	/* The task's latest check is its module's; any other is stale. */
	for (i = 0; i < PENDING; i++) {
		if (pending[i].task != current)
			continue;
		if (k < 0 || pending[i].seq > pending[k].seq)
			k = i;
	}
	for (i = 0; i < PENDING; i++) {
		if (pending[i].task != current || i == k)
			continue;
		pending[i].task = NULL;
		drop_kept(i);
	}
	if (k >= 0) {
		found = true;
		pending[k].task = NULL;
		v = pending[k].verdict;
		slot = pending[k].slot;
		owner = pending[k].owner;
		kept = pending[k].kept;
		hdr = pending[k].data;
		pending[k].kept = NULL;
	}
	spin_unlock(&pending_lock);
	if (!found) {
		atomic64_inc(&unchecked);
		pr_notice_ratelimited("module %s: not authenticated (no signature checked): %s\n",
				      mod->name, what);
		return 0;
	}
	if (v != LVBS_MODCHECK_OK) {
		if (kept)
			kept_free(kept);
		pr_notice_ratelimited("module %s: not authenticated (%s): %s\n", mod->name,
				      verdict_name(v), what);
		return 0;
	}
	pr_debug("module %s: signature ok (key %u)\n", mod->name, slot);
	cm->owner = owner;
	cm->kept = kept;
	cm->hdr = hdr;
	return owner;
}

void lvbs_modcheck_drop(struct lvbs_coming *cm)
{
	if (cm->kept)
		kept_free(cm->kept);
	cm->kept = NULL;
}

/*
 * The module, registered under cm->owner, compared with its signed file.
 * After SEAL with module_trust=signed the hypervisor registered its code
 * without execute and gives it execute only if the comparison finds the
 * file's code; anything else leaves the module unable to run: -EPERM, and
 * the load fails. Otherwise the result is only reported.
 */
int lvbs_modcheck_compare(const struct module *mod, struct lvbs_coming *cm,
			  const u64 text_va[2], const u64 text_size[2])
{
	bool enforced = lvbs_module_trust_signed() && lvbs_memprot.sealed;
	const char *what = enforced ? "refused" :
			   lvbs_memprot.sealed ? "loaded, module_trust=tofu" : "loaded, before SEAL";
	int r;

	if (!cm->owner)
		return 0;	/* not verified: refused at registration, or tofu */
	if (!cm->kept) {
		/* Counted when the file was not kept (check_file()). */
		pr_warn("module %s: not compared with its signed file (the file was not kept): %s\n",
			mod->name, what);
		return enforced ? -EPERM : 0;
	}
	r = compare(mod, cm->kept, cm->hdr, cm->owner, text_va, text_size, enforced, what);
	lvbs_modcheck_drop(cm);
	return r;
}

u64 lvbs_modcheck_not_compared(void)
{
	return atomic64_read(&not_compared);
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
	cmp_req = kmalloc(sizeof(*cmp_req), GFP_KERNEL);
	if (!trailer || !pages || !cmp_req) {
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
	kfree(cmp_req);
	trailer = NULL;
	pages = NULL;
	cmp_req = NULL;
	return r;
}
