// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/security/lvbs/{status,stats,log,keys}: text for lvbsctl and
 * for people (formats in docs/operations.md). Every read asks the
 * hypervisor afresh through the backend interface. keys and blacklist
 * also take writes: a certificate, digests (ADD_KEY, ADD_BLACKLIST).
 *
 * Note what this is: the kernel's report of what the hypervisor said. Once
 * the kernel is compromised it could lie here; the hypervisor's own log is
 * the record (see docs/threat-model.md).
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/string.h>
#include "lvbs.h"

static const char *const feature_names[] = {
	[0] = "npt", [1] = "nrips", [2] = "decode_assists", [3] = "gmet",
	[4] = "flush_by_asid", [5] = "vgif", [6] = "1g_pages",
	[16] = "ept", [17] = "vpid", [18] = "mbec", [19] = "eptp_switching", [20] = "ve",
};

static void show_features(struct seq_file *m, const char *key, u64 bits)
{
	bool first = true;
	int i;

	seq_printf(m, "%s ", key);
	for (i = 0; i < ARRAY_SIZE(feature_names); i++) {
		if (!(bits & BIT_ULL(i)) || !feature_names[i])
			continue;
		seq_printf(m, "%s%s", first ? "" : ",", feature_names[i]);
		first = false;
	}
	seq_puts(m, first ? "-\n" : "\n");
}

static const char *const exec_control_names[] = {
	[LVBS_EXEC_NONE] = "none", [LVBS_EXEC_GMET] = "gmet",
	[LVBS_EXEC_NX_FALLBACK] = "nx_fallback", [LVBS_EXEC_STRICT] = "strict",
};

/* Memory protection (ABI v3 and later): the hypervisor's view, then ours. */
static void show_memprot(struct seq_file *m, const struct lvbs_info *info)
{
	u64 kick_nmis, leftover_nmis;

	seq_printf(m, "sealed %u\n", info->sealed);
	seq_printf(m, "policy %s\n", info->policy == LVBS_POLICY_AUDIT ? "audit" : "enforce");
	/* LVBS_EXEC_GMET is the split by mode: GMET on AMD, MBEC on Intel. */
	if (info->exec_control == LVBS_EXEC_GMET && info->vendor == LVBS_VENDOR_VMX)
		seq_puts(m, "exec_control mbec\n");
	else
		seq_printf(m, "exec_control %s\n", info->exec_control < ARRAY_SIZE(exec_control_names) ?
			   exec_control_names[info->exec_control] : "unknown");
	seq_printf(m, "cpuid %s\n", info->cpuid_intercepted ? "hide" : "pass");
	seq_printf(m, "perm_ranges %u\n", info->perm_ranges);
	seq_printf(m, "perm_capacity %u\n", info->perm_capacity);
	seq_printf(m, "protected_bytes %llu\n", info->protected_bytes);
	seq_printf(m, "kernel_x_bytes %llu\n", info->kernel_x_bytes);
	seq_printf(m, "violations %llu\n", info->violations);
	seq_printf(m, "stores_dropped %llu\n", info->stores_dropped);
	seq_printf(m, "text_poke_bugs_skipped %u\n", lvbs_poke_guard_skipped());
	lvbs_nmi_counts(&kick_nmis, &leftover_nmis);
	seq_printf(m, "nmi_marks %s\n", lvbs_nmi_mark_gpa() ? "on" : "off");
	seq_printf(m, "kick_nmis_claimed %llu\n", kick_nmis);
	seq_printf(m, "leftover_nmis_claimed %llu\n", leftover_nmis);
	seq_printf(m, "patches_allowed %llu\n", info->patches_allowed);
	seq_printf(m, "patches_denied %llu\n", info->patches_denied);
	seq_printf(m, "log_suppressed %llu\n", info->log_suppressed);
	seq_printf(m, "shootdowns %llu\n", info->shootdowns);
	seq_printf(m, "slat_pool_free %llu\n", info->slat_pool_free);
	seq_printf(m, "dyn_exec_pages %llu\n", info->dyn_exec_pages);
	seq_printf(m, "user_exec_pages %llu\n", info->user_exec_pages);
	seq_printf(m, "wx_flips %llu\n", info->wx_flips);
	seq_printf(m, "wx_mixed_pages %llu\n", info->wx_mixed_pages);
	seq_printf(m, "slat_pool_pages %llu\n", info->slat_pool_pages);
	seq_printf(m, "slat_pool_peak %llu\n", info->slat_pool_peak);
	seq_printf(m, "slat_merges %llu\n", info->slat_merges);
	seq_printf(m, "slat_coarse %llu\n", info->slat_coarse);
	seq_printf(m, "modules_tracked %u\n", lvbs_memprot.modules_tracked);
	seq_printf(m, "image_freed_pages %llu\n", lvbs_memprot.image_freed_pages);
	seq_printf(m, "module_trust %s\n", info->module_trust == LVBS_MODTRUST_SIGNED ? "signed" :
		   info->module_trust == LVBS_MODTRUST_TOFU ? "tofu" : "none");
	seq_printf(m, "keys_trusted %u\n", info->keys_trusted);
	seq_printf(m, "keys_refused %u\n", info->keys_refused);
	seq_printf(m, "blacklist_hashes %u\n", info->blacklist_hashes);
	seq_printf(m, "module_checks %s\n", lvbs_modcheck_active() ? "on" : "off");
	seq_printf(m, "modules_verified %llu\n", info->modules_verified);
	seq_printf(m, "modules_failed %llu\n", info->modules_failed);
	seq_printf(m, "modules_unchecked %llu\n", lvbs_modcheck_unchecked());
	seq_printf(m, "modules_compared %llu\n", info->modules_compared);
	seq_printf(m, "modules_differ %llu\n", info->modules_differ);
	seq_printf(m, "modules_compare_failed %llu\n", info->modules_compare_failed);
	seq_printf(m, "module_bytes_differ %llu\n", info->module_bytes_differ);
	seq_printf(m, "modules_not_compared %llu\n", lvbs_modcheck_not_compared());
	seq_printf(m, "exports_kernel %llu\n", info->exports_kernel);
	seq_printf(m, "exports_modules %llu\n", info->exports_modules);
	seq_printf(m, "imports_checked %llu\n", info->imports_checked);
	seq_printf(m, "init_protect_hypercalls %u\n", lvbs_memprot.hypercalls);
	seq_printf(m, "init_protect_ns %llu\n", lvbs_memprot.ns);
}

static int status_show(struct seq_file *m, void *v)
{
	struct lvbs_info info;
	int r = lvbs.hv->get_info(&info);

	if (r)
		return r;
	seq_puts(m, "active 1\n");
	seq_printf(m, "abi_version %u\n", info.abi_version);
	seq_printf(m, "vendor %s\n", info.vendor == LVBS_VENDOR_SVM ? "svm" :
		   info.vendor == LVBS_VENDOR_VMX ? "vmx" : "unknown");
	seq_printf(m, "cpus %u\n", info.nr_cpus);
	seq_printf(m, "cpus_online %u\n", num_online_cpus());
	show_features(m, "features_present", info.features_present);
	show_features(m, "features_used", info.features_used);
	seq_printf(m, "hv_phys_base 0x%llx\n", info.hv_phys_base);
	seq_printf(m, "hv_phys_size %llu\n", info.hv_phys_size);
	seq_printf(m, "guest_phys_limit 0x%llx\n", info.guest_phys_limit);
	seq_printf(m, "log_capacity %llu\n", info.log_capacity);
	seq_printf(m, "log_next_seq %llu\n", info.log_next_seq);
	seq_printf(m, "pinned_cr0 0x%llx\n", info.pinned_cr0);
	seq_printf(m, "pinned_cr4 0x%llx\n", info.pinned_cr4);
	seq_printf(m, "pinned_cpus %u\n", info.pinned_cpus);
	seq_printf(m, "pinned_msrs 0x%x\n", info.pinned_msrs);
	seq_printf(m, "pinned_dt_cpus %u\n", info.pinned_dt_cpus);
	show_memprot(m, &info);
	seq_puts(m, "unload refused\n");
	return 0;
}

static const char *const exit_names[LVBS_EXIT_KIND_MAX] = {
	[LVBS_EXIT_CPUID] = "cpuid", [LVBS_EXIT_HYPERCALL] = "hypercall",
	[LVBS_EXIT_MSR_READ] = "msr_read", [LVBS_EXIT_MSR_WRITE] = "msr_write",
	[LVBS_EXIT_SLAT] = "slat", [LVBS_EXIT_VIRT_INSN] = "virt_insn",
	[LVBS_EXIT_CR_ACCESS] = "cr_access", [LVBS_EXIT_DT_ACCESS] = "dt_access",
	[LVBS_EXIT_EXCEPTION] = "exception", [LVBS_EXIT_SHUTDOWN] = "shutdown",
	[LVBS_EXIT_XSETBV] = "xsetbv", [LVBS_EXIT_OTHER] = "other",
	[LVBS_EXIT_NMI] = "nmi",
};

static int stats_show(struct seq_file *m, void *v)
{
	struct lvbs_cpu_stats st;
	unsigned int i, k;
	int r;

	for (i = 0; i < lvbs.nr_cpus; i++) {
		r = lvbs.hv->get_stats(i, &st);
		if (r)
			return r;
		seq_printf(m, "cpu=%d apic_id=%u total=%llu", lvbs.cpu_of_index[i],
			   st.apic_id, st.exits_total);
		for (k = 0; k < LVBS_EXIT_KIND_MAX; k++)
			seq_printf(m, " %s=%llu", exit_names[k], st.exits[k]);
		seq_printf(m, " hypercalls_failed=%llu stores_dropped=%llu\n", st.hypercalls_failed,
			   st.stores_dropped);
	}
	return 0;
}

static const char *const hcall_names[LVBS_HC_MAX] = {
	[LVBS_HC_GET_INFO] = "get_info", [LVBS_HC_GET_STATS] = "get_stats",
	[LVBS_HC_READ_LOG] = "read_log", [LVBS_HC_LAUNCH_ABORT] = "launch_abort",
	[LVBS_HC_PIN_CR] = "pin_cr", [LVBS_HC_PIN_MSR] = "pin_msr",
	[LVBS_HC_PIN_DT] = "pin_dt", [LVBS_HC_PROTECT_MEMORY] = "protect_memory",
	[LVBS_HC_RELEASE_MEMORY] = "release_memory", [LVBS_HC_SEAL] = "seal",
	[LVBS_HC_SET_POLICY] = "set_policy", [LVBS_HC_ADD_KEY] = "add_key",
	[LVBS_HC_GET_KEY] = "get_key", [LVBS_HC_ADD_BLACKLIST] = "add_blacklist",
	[LVBS_HC_MODULE_BEGIN] = "module_begin", [LVBS_HC_MODULE_HASH] = "module_hash",
	[LVBS_HC_MODULE_END] = "module_end", [LVBS_HC_MODULE_COMPARE] = "module_compare",
	[LVBS_HC_EXPORTS] = "exports",
};

/* One line per hypercall made so far: how often, and the time it took. */
static int hypercalls_show(struct seq_file *m, void *v)
{
	u64 calls, usecs;
	unsigned int nr;

	for (nr = 1; nr < LVBS_HC_MAX; nr++) {
		lvbs.hv->call_time(nr, &calls, &usecs);
		if (calls)
			seq_printf(m, "hypercall=%s calls=%llu usecs=%llu\n",
				   hcall_names[nr] ? hcall_names[nr] : "unknown", calls, usecs);
	}
	return 0;
}

static const char *const event_names[LVBS_EV_MAX] = {
	[LVBS_EV_NONE] = "none", [LVBS_EV_LAUNCH] = "launch",
	[LVBS_EV_LAUNCH_FAIL] = "launch_fail", [LVBS_EV_LAUNCH_ABORT] = "launch_abort",
	[LVBS_EV_HV_MEM_ACCESS] = "hv_mem_access",
	[LVBS_EV_SLAT_UNMAPPED] = "slat_unmapped",
	[LVBS_EV_BAD_HYPERCALL] = "bad_hypercall",
	[LVBS_EV_USER_HYPERCALL] = "user_hypercall", [LVBS_EV_VIRT_INSN] = "virt_insn",
	[LVBS_EV_MSR_DENIED] = "msr_denied", [LVBS_EV_SHUTDOWN] = "shutdown",
	[LVBS_EV_UNHANDLED_EXIT] = "unhandled_exit",
	[LVBS_EV_INSN_DECODE] = "insn_decode",
	[LVBS_EV_CR_PIN] = "cr_pin", [LVBS_EV_CR_INVALID] = "cr_invalid",
	[LVBS_EV_MSR_PIN] = "msr_pin", [LVBS_EV_DT_PIN] = "dt_pin",
	[LVBS_EV_MEM_VIOLATION] = "mem_violation", [LVBS_EV_PROT_DENIED] = "prot_denied",
	[LVBS_EV_PATCH_DENIED] = "patch_denied", [LVBS_EV_SEAL] = "seal",
	[LVBS_EV_SLAT_COARSE] = "slat_coarse", [LVBS_EV_SLAT_FULL] = "slat_full",
	[LVBS_EV_RATE_LIMITED] = "rate_limited",
	[LVBS_EV_KEY_ADDED] = "key_added", [LVBS_EV_KEY_DENIED] = "key_denied",
	[LVBS_EV_BLACKLIST] = "blacklist", [LVBS_EV_MODULE_CHECKED] = "module_checked",
	[LVBS_EV_MODULE_COMPARED] = "module_compared",
};

static const char *const action_names[] = {
	"none", "inject_ud", "inject_gp", "inject_pf", "ignored", "halted", "error",
	"reset",
};

static void show_access(struct seq_file *m, u8 acc)
{
	static const char letters[] = "rwxup";
	char buf[8];
	int i, n = 0;

	for (i = 0; i < 5; i++)
		if (acc & BIT(i))
			buf[n++] = letters[i];
	if (!n)
		buf[n++] = '-';
	buf[n] = 0;
	seq_printf(m, " access=%s", buf);
}

static void show_entry(struct seq_file *m, const struct lvbs_log_entry *e)
{
	seq_printf(m, "seq=%llu tsc=%llu cpu=%d kind=%s", e->seq, e->tsc,
		   e->cpu < lvbs.nr_cpus ? lvbs.cpu_of_index[e->cpu] : -1,
		   e->kind < LVBS_EV_MAX ? event_names[e->kind] : "unknown");
	show_access(m, e->access);
	seq_printf(m, " action=%s count=%u rip=0x%llx gpa=0x%llx gva=0x%llx info0=0x%llx info1=0x%llx\n",
		   e->action < ARRAY_SIZE(action_names) ? action_names[e->action] : "unknown",
		   e->count, e->rip, e->gpa, e->gva, e->info0, e->info1);
}

#define LOG_BATCH 32

static int log_show(struct seq_file *m, void *v)
{
	struct lvbs_log_entry *buf = kcalloc(LOG_BATCH, sizeof(*buf), GFP_KERNEL);
	u64 from = 1, next;
	long n, i;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		n = lvbs.hv->read_log(from, buf, LOG_BATCH, &next);
		if (n <= 0 || next <= from)
			break;
		for (i = 0; i < n; i++)
			show_entry(m, &buf[i]);
		from = next;
	}
	kfree(buf);
	return n < 0 ? (int)n : 0;
}

/*
 * A key's name as one token of a key=value line: bytes other than letters,
 * digits and ._-:/ as %XX (docs/operations.md), so spaces do not split it.
 */
static void show_name(struct seq_file *m, const char *name)
{
	for (; *name; name++) {
		if (isalnum(*name) || strchr("._-:/", *name))
			seq_putc(m, *name);
		else
			seq_printf(m, "%%%02X", (u8)*name);
	}
}

static int keys_show(struct seq_file *m, void *v)
{
	struct lvbs_key_info ki;
	u32 slot;
	int r;

	for (slot = 0; slot < LVBS_MAX_KEYS; slot++) {
		r = lvbs.hv->get_key(slot, &ki);
		if (r == -ERANGE)
			break;
		if (r)
			return r;
		ki.name[sizeof(ki.name) - 1] = 0;
		seq_printf(m, "slot=%u source=%s signer=%u type=%s bits=%u fingerprint=%*phN name=",
			   ki.slot, ki.source == LVBS_KEY_BUILTIN ? "builtin" : "secondary",
			   ki.signer, ki.key_type == LVBS_KEYTYPE_EC ? "ecdsa" : "rsa", ki.key_bits,
			   (int)sizeof(ki.fingerprint), ki.fingerprint);
		show_name(m, ki.name);
		seq_putc(m, '\n');
	}
	return 0;
}

/*
 * One DER certificate per write(): ADD_KEY. After SEAL the hypervisor
 * takes it only if a trusted key issued it; the errno says how it went.
 */
static ssize_t keys_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	u32 slot;
	void *buf;
	int r;

	if (*pos || len == 0 || len > LVBS_KEY_CERT_MAX)
		return -E2BIG;
	buf = memdup_user(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	r = lvbs.hv->add_key(buf, len, &slot);
	kfree(buf);
	if (r) {
		pr_warn("certificate refused by the hypervisor (%pe); lvbsctl log says why\n",
			ERR_PTR(r));
		return r;
	}
	pr_info("module-signing key trusted, in slot %u\n", slot);
	return len;
}

static int hash_alg(const char *name, size_t *len)
{
	static const struct { const char *name; int alg; size_t len; } algs[] = {
		{ "sha256", LVBS_HASH_SHA256, 32 }, { "sha384", LVBS_HASH_SHA384, 48 },
		{ "sha512", LVBS_HASH_SHA512, 64 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(algs); i++) {
		if (!strcmp(name, algs[i].name)) {
			*len = algs[i].len;
			return algs[i].alg;
		}
	}
	return 0;
}

/* One "ALG:HEX" line into @e: 0, or -EINVAL. */
static int parse_hash(char *line, struct lvbs_blacklist_hash *e)
{
	char *hex = strchr(line, ':');
	size_t n;

	memset(e, 0, sizeof(*e));
	if (!hex)
		return -EINVAL;
	*hex++ = 0;
	e->alg = hash_alg(line, &n);
	if (!e->alg || strlen(hex) != 2 * n || hex2bin(e->digest, hex, n))
		return -EINVAL;
	return 0;
}

/*
 * Lines "sha256:HEX" (or sha384, sha512) in one write(): digests of module
 * contents that must never load. All of the write or none of it.
 */
static ssize_t blacklist_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	struct lvbs_blacklist_hash *v;
	char *text, *p, *line;
	u32 n = 0, added = 0;
	int r = 0;

	if (*pos || len == 0 || len > LVBS_BLACKLIST_BATCH * 140)
		return -E2BIG;
	text = memdup_user_nul(ubuf, len);
	if (IS_ERR(text))
		return PTR_ERR(text);
	v = kcalloc(LVBS_BLACKLIST_BATCH, sizeof(*v), GFP_KERNEL);
	if (!v) {
		kfree(text);
		return -ENOMEM;
	}
	p = text;
	while (!r && (line = strsep(&p, "\n"))) {
		if (!*line)
			continue;
		r = n == LVBS_BLACKLIST_BATCH ? -E2BIG : parse_hash(line, &v[n++]);
	}
	if (!r)
		r = n ? lvbs.hv->add_blacklist(v, n, &added) : -EINVAL;
	kfree(v);
	kfree(text);
	if (r)
		return r;
	pr_info("blacklist: %u module digests added (%u given)\n", added, n);
	return len;
}

#define LVBS_FOPS(name) \
static int name##_open(struct inode *inode, struct file *file) \
{ \
	return single_open(file, name##_show, NULL); \
} \
static const struct file_operations name##_fops = { \
	.owner = THIS_MODULE, \
	.open = name##_open, \
	.read = seq_read, \
	.llseek = seq_lseek, \
	.release = single_release, \
}

LVBS_FOPS(status);
LVBS_FOPS(stats);
LVBS_FOPS(log);
LVBS_FOPS(hypercalls);

static int keys_open(struct inode *inode, struct file *file)
{
	return single_open(file, keys_show, NULL);
}

static const struct file_operations keys_fops = {
	.owner = THIS_MODULE,
	.open = keys_open,
	.read = seq_read,
	.write = keys_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations blacklist_fops = {
	.owner = THIS_MODULE,
	.write = blacklist_write,
};

/* Created once; lvbs.ko is never unloaded once launched, so never removed. */
int lvbs_securityfs_init(void)
{
	struct dentry *dir = securityfs_create_dir("lvbs", NULL);
	struct dentry *f;

	if (IS_ERR(dir))
		return PTR_ERR(dir);
	/* Root only: status names the hypervisor's physical address. */
	f = securityfs_create_file("status", 0400, dir, NULL, &status_fops);
	if (IS_ERR(f))
		return PTR_ERR(f);
	f = securityfs_create_file("stats", 0400, dir, NULL, &stats_fops);
	if (IS_ERR(f))
		return PTR_ERR(f);
	f = securityfs_create_file("log", 0400, dir, NULL, &log_fops);
	if (IS_ERR(f))
		return PTR_ERR(f);
	f = securityfs_create_file("hypercalls", 0400, dir, NULL, &hypercalls_fops);
	if (IS_ERR(f))
		return PTR_ERR(f);
	f = securityfs_create_file("keys", 0600, dir, NULL, &keys_fops);
	if (IS_ERR(f))
		return PTR_ERR(f);
	f = securityfs_create_file("blacklist", 0200, dir, NULL, &blacklist_fops);
	return PTR_ERR_OR_ZERO(f);
}
