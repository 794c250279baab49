// SPDX-License-Identifier: GPL-2.0
/*
 * The lvbs backend of the guest-side interface: lvbs hypercalls. Buffers go
 * to the hypervisor by physical address, so they come from kmalloc
 * (physically contiguous, 8-byte aligned), never from the stack (which is
 * vmalloc'd and may span non-contiguous pages).
 */
#include <linux/slab.h>
#include <linux/errno.h>
#include <linux/atomic.h>
#include <linux/math64.h>
#include <asm/io.h>
#include <asm/tsc.h>
#include "hv_backend.h"
#include "hcall.h"

/*
 * Calls and time of each hypercall as this kernel sees them: the world
 * switch both ways and the hypervisor's work. Read through the
 * securityfs file "hypercalls" (docs/operations.md), so a cost is
 * measured where it is spent, not guessed.
 */
static atomic64_t hc_calls[LVBS_HC_MAX], hc_tsc[LVBS_HC_MAX];

static long hcall(u64 nr, u64 a1, u64 a2, u64 a3, u64 *o1, u64 *o2)
{
	u64 t0 = rdtsc_ordered();
	long r = lvbs_vmmcall(nr, a1, a2, a3, o1, o2);

	if (nr < LVBS_HC_MAX) {
		atomic64_inc(&hc_calls[nr]);
		atomic64_add(rdtsc_ordered() - t0, &hc_tsc[nr]);
	}
	return r;
}

static void lvbs_call_time(u32 nr, u64 *calls, u64 *usecs)
{
	*calls = 0;
	*usecs = 0;
	if (nr >= LVBS_HC_MAX)
		return;
	*calls = atomic64_read(&hc_calls[nr]);
	if (tsc_khz)
		*usecs = mul_u64_u32_div(atomic64_read(&hc_tsc[nr]), 1000, tsc_khz);
}

int lvbs_status_to_errno(long status)
{
	switch (status) {
	case LVBS_OK:		return 0;
	case LVBS_E_NOSYS:	return -ENOSYS;
	case LVBS_E_INVAL:	return -EINVAL;
	case LVBS_E_RANGE:	return -ERANGE;
	case LVBS_E_ALIGN:	return -EINVAL;
	case LVBS_E_TOOBIG:	return -E2BIG;
	case LVBS_E_PERM:	return -EPERM;
	case LVBS_E_FAULT:	return -EFAULT;
	case LVBS_E_BUSY:	return -EBUSY;
	default:		return status < 0 ? -EIO : 0;
	}
}

static int lvbs_get_info(struct lvbs_info *info)
{
	struct lvbs_info *buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	long r;

	if (!buf)
		return -ENOMEM;
	r = hcall(LVBS_HC_GET_INFO, virt_to_phys(buf), sizeof(*buf), 0, NULL, NULL);
	if (r == LVBS_OK)
		*info = *buf;
	kfree(buf);
	return lvbs_status_to_errno(r);
}

static int lvbs_get_stats(u32 cpu, struct lvbs_cpu_stats *st)
{
	struct lvbs_cpu_stats *buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	long r;

	if (!buf)
		return -ENOMEM;
	r = hcall(LVBS_HC_GET_STATS, virt_to_phys(buf), sizeof(*buf), cpu, NULL, NULL);
	if (r == LVBS_OK)
		*st = *buf;
	kfree(buf);
	return lvbs_status_to_errno(r);
}

static int lvbs_get_stats_into(u32 cpu, struct lvbs_cpu_stats *buf)
{
	return lvbs_status_to_errno(hcall(LVBS_HC_GET_STATS, virt_to_phys(buf),
					  sizeof(*buf), cpu, NULL, NULL));
}

static long lvbs_read_log(u64 from, struct lvbs_log_entry *out, u32 max, u64 *next)
{
	size_t len = (size_t)max * sizeof(*out);
	struct lvbs_log_entry *buf;
	long r;

	if (max == 0 || len > LVBS_MAX_XFER)
		return -EINVAL;
	buf = kzalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	r = hcall(LVBS_HC_READ_LOG, virt_to_phys(buf), len, from, next, NULL);
	if (r > 0) {
		if (r > max)
			r = -EIO;	/* the hypervisor overran our count */
		else
			memcpy(out, buf, r * sizeof(*out));
	} else if (r < 0) {
		r = lvbs_status_to_errno(r);
	}
	kfree(buf);
	return r;
}

/* No buffer: safe in atomic context (it runs from on_each_cpu()). */
static int lvbs_pin_cr(u32 cr, u64 mask)
{
	return lvbs_status_to_errno(hcall(LVBS_HC_PIN_CR, cr, mask, 0, NULL, NULL));
}

static int lvbs_pin_msr(u32 slot, u64 mask)
{
	return lvbs_status_to_errno(hcall(LVBS_HC_PIN_MSR, slot, mask, 0, NULL, NULL));
}

static int lvbs_pin_dt(void)
{
	return lvbs_status_to_errno(hcall(LVBS_HC_PIN_DT, 0, 0, 0, NULL, NULL));
}

/*
 * The batch goes to the hypervisor by physical address: a kmalloc'd copy.
 * GFP_KERNEL: the callers (module load, unload, insmod) may sleep.
 */
/*
 * Call @nr with RBX = the physical address of a kmalloc'd copy of @v (@len
 * bytes) and RCX = @count; RBX comes back in *out. Returns errno.
 */
static int call_with_copy(u64 nr, const void *v, size_t len, u64 count, u64 *out)
{
	void *buf = kmemdup(v, len, GFP_KERNEL);
	long r;

	*out = 0;
	if (!buf)
		return -ENOMEM;
	r = hcall(nr, virt_to_phys(buf), count, 0, out, NULL);
	kfree(buf);
	return lvbs_status_to_errno(r);
}

static int lvbs_protect(const struct lvbs_mem_prot *v, u32 n, u32 *applied)
{
	u64 done;
	int r;

	*applied = 0;
	if (n == 0 || n > LVBS_PROT_BATCH)
		return -EINVAL;
	r = call_with_copy(LVBS_HC_PROTECT_MEMORY, v, n * sizeof(*v), n, &done);
	*applied = (u32)min_t(u64, done, n);
	return r;
}

static int lvbs_release(u32 owner, u64 *pages)
{
	u64 out = 0;
	long r = hcall(LVBS_HC_RELEASE_MEMORY, owner, 0, 0, &out, NULL);

	*pages = r == LVBS_OK ? out : 0;
	return lvbs_status_to_errno(r);
}

static int lvbs_seal(u64 flags, u64 mod_start, u64 mod_end)
{
	return lvbs_status_to_errno(hcall(LVBS_HC_SEAL, flags, mod_start, mod_end, NULL, NULL));
}

static int lvbs_set_policy(u32 policy)
{
	return lvbs_status_to_errno(hcall(LVBS_HC_SET_POLICY, policy, 0, 0, NULL, NULL));
}

/* The certificate goes by physical address: a kmalloc'd copy. */
static int lvbs_add_key(const void *cert, size_t len, u32 *slot)
{
	u64 out;
	int r;

	if (len == 0 || len > LVBS_KEY_CERT_MAX)
		return -E2BIG;
	r = call_with_copy(LVBS_HC_ADD_KEY, cert, len, len, &out);
	*slot = (u32)out;
	return r;
}

static int lvbs_get_key(u32 slot, struct lvbs_key_info *ki)
{
	struct lvbs_key_info *buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	long r;

	if (!buf)
		return -ENOMEM;
	r = hcall(LVBS_HC_GET_KEY, virt_to_phys(buf), sizeof(*buf), slot, NULL, NULL);
	if (r == LVBS_OK)
		*ki = *buf;
	kfree(buf);
	return lvbs_status_to_errno(r);
}

static int lvbs_add_blacklist(const struct lvbs_blacklist_hash *v, u32 n, u32 *added)
{
	u64 out;
	int r;

	*added = 0;
	if (n == 0 || n > LVBS_BLACKLIST_BATCH)
		return -EINVAL;
	r = call_with_copy(LVBS_HC_ADD_BLACKLIST, v, n * sizeof(*v), n, &out);
	*added = (u32)min_t(u64, out, n);
	return r;
}

static int lvbs_module_begin(void *trailer, size_t len, u64 content_len, u32 *verdict,
			     u64 *file)
{
	u64 v = LVBS_MODCHECK_INCOMPLETE;
	long r = hcall(LVBS_HC_MODULE_BEGIN, virt_to_phys(trailer), len, content_len, &v, file);

	*verdict = (u32)v;
	return lvbs_status_to_errno(r);
}

static int lvbs_module_hash(struct lvbs_module_page *pages, u32 n)
{
	return lvbs_status_to_errno(hcall(LVBS_HC_MODULE_HASH, virt_to_phys(pages), n, 0,
					  NULL, NULL));
}

static int lvbs_module_end(u32 core, u32 init, u32 *verdict, u32 *slot)
{
	u64 v = LVBS_MODCHECK_INCOMPLETE, k = 0;
	long r = hcall(LVBS_HC_MODULE_END, core, init, 0, &v, &k);

	*verdict = (u32)v;
	*slot = (u32)k;
	return lvbs_status_to_errno(r);
}

static int lvbs_module_compare(struct lvbs_module_compare *req, bool cont, bool *more)
{
	u64 m = 0;
	long r = hcall(LVBS_HC_MODULE_COMPARE, virt_to_phys(req), sizeof(*req), cont, &m, NULL);

	*more = m != 0;
	return lvbs_status_to_errno(r);
}

static int lvbs_exports(struct lvbs_exports *e)
{
	return lvbs_status_to_errno(hcall(LVBS_HC_EXPORTS, virt_to_phys(e), sizeof(*e), 0,
					  NULL, NULL));
}

const struct lvbs_hv_ops lvbs_hv_ops_lvbs = {
	.name = "lvbs",
	.get_info = lvbs_get_info,
	.get_stats = lvbs_get_stats,
	.get_stats_into = lvbs_get_stats_into,
	.read_log = lvbs_read_log,
	.pin_cr = lvbs_pin_cr,
	.pin_msr = lvbs_pin_msr,
	.pin_dt = lvbs_pin_dt,
	.protect = lvbs_protect,
	.release = lvbs_release,
	.seal = lvbs_seal,
	.set_policy = lvbs_set_policy,
	.add_key = lvbs_add_key,
	.get_key = lvbs_get_key,
	.add_blacklist = lvbs_add_blacklist,
	.module_begin = lvbs_module_begin,
	.module_hash = lvbs_module_hash,
	.module_end = lvbs_module_end,
	.module_compare = lvbs_module_compare,
	.exports = lvbs_exports,
	.call_time = lvbs_call_time,
};
