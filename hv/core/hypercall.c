// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercall dispatch (ABI in include/lvbs/abi.h, docs/abi.md).
 *
 * Every guest buffer is checked against the memory map before it is
 * touched (memmap_check_buffer), results are built in hypervisor memory
 * and copied out once; nothing the guest wrote is read twice.
 */
#include <hv/types.h>
#include <hv/x86.h>
#include "hv.h"
#include "textpatch.h"
#include "keys.h"
#include "modcheck.h"
#include "modcmp.h"
#include "exports.h"

/*
 * The whole buffer the guest named, [gpa, gpa + size), is checked (ABI:
 * it must not touch the hypervisor or leave RAM), not only the len <= size
 * bytes written.
 */
long hv_copy_to_guest(u64 gpa, u64 size, const void *src, u64 len)
{
	int r = memmap_check_buffer(&hv.mem, gpa, size, 8);

	if (r)
		return r;
	/* Never write for the guest where it may not write itself. */
	if (!slat_write_guest(gpa, size, src, len))
		return LVBS_E_PERM;
	return LVBS_OK;
}

/* The caller's size must cover the structure; more is fine, less is not. */
static long check_size(u64 size, u64 need)
{
	if (size > LVBS_MAX_XFER)
		return LVBS_E_TOOBIG;
	if (size < need)
		return LVBS_E_INVAL;
	return LVBS_OK;
}

static long hc_get_info(u64 gpa, u64 size)
{
	struct lvbs_info info;
	long r = check_size(size, sizeof(info));

	if (r)
		return r;
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.abi_version = LVBS_ABI_VERSION;
	info.vendor = hv.caps.vendor;
	info.nr_cpus = READ_ONCE(hv.cpus_running);
	info.features_present = hv.caps.present;
	info.features_used = hv.caps.used;
	info.hv_phys_base = hv.hv_phys;
	info.hv_phys_size = hv.hv_size;
	info.guest_phys_limit = hv.mem.phys_limit;
	info.log_capacity = hv.log.capacity;
	info.log_next_seq = READ_ONCE(hv.log.next_seq);
	info.tsc_at_launch = hv.tsc_at_launch;
	spin_lock(&hv.pins.lock);
	info.pinned_cr0 = hv.pins.mask[0];
	info.pinned_cr0_val = hv.pins.val[0] & hv.pins.mask[0];
	info.pinned_cr4 = hv.pins.mask[4];
	info.pinned_cr4_val = hv.pins.val[4] & hv.pins.mask[4];
	spin_unlock(&hv.pins.lock);
	info.pinned_cpus = crpin_enforcing_cpus();
	info.pinned_msrs = msrpin_everywhere();
	info.pinned_dt_cpus = dtpin_cpus();
	slat_fill_info(&info);
	info.log_suppressed = READ_ONCE(hv.log.dropped);
	info.cpuid_intercepted = hv.cpuid_intercept;
	textpatch_stats(&info.patches_allowed, &info.patches_denied);
	keys_fill_info(&info);
	modcheck_fill_info(&info);
	modcmp_fill_info(&info);
	exports_fill_info(&info);
	return hv_copy_to_guest(gpa, size, &info, sizeof(info));
}

static long hc_get_key(u64 gpa, u64 size, u64 slot)
{
	struct lvbs_key_info ki;
	long r = check_size(size, sizeof(ki));

	if (r)
		return r;
	r = keys_info(slot, &ki);
	if (r)
		return r;
	return hv_copy_to_guest(gpa, size, &ki, sizeof(ki));
}

static long hc_get_stats(u64 gpa, u64 size, u64 index)
{
	struct lvbs_cpu_stats st;
	struct hv_cpu *c;
	long r = check_size(size, sizeof(st));

	if (r)
		return r;
	if (index >= hv.nr_cpus)
		return LVBS_E_RANGE;
	c = hv_cpu_of((u32)index);
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.cpu = (u32)index;
	st.apic_id = c->apic_id;
	st.nr_kinds = LVBS_EXIT_KIND_MAX;
	/* Another CPU's counters may move while we copy: each word is atomic. */
	st.exits_total = READ_ONCE(c->exits_total);
	for (u32 i = 0; i < LVBS_EXIT_KIND_SLOTS; i++)
		st.exits[i] = READ_ONCE(c->exits[i]);
	st.hypercalls_failed = READ_ONCE(c->hypercalls_failed);
	st.stores_dropped = READ_ONCE(c->stores_dropped);
	return hv_copy_to_guest(gpa, size, &st, sizeof(st));
}

/* Copied in chunks so the stack stays small whatever the buffer size. */
#define LOG_CHUNK 8

static long hc_read_log(u64 gpa, u64 size, u64 from, u64 *next_out, u64 *lost_out)
{
	struct lvbs_log_entry chunk[LOG_CHUNK];
	u64 max, done = 0, lost_total = 0;
	long r = check_size(size, sizeof(chunk[0]));

	if (r)
		return r;
	max = size / sizeof(chunk[0]);
	r = memmap_check_buffer(&hv.mem, gpa, size, 8);
	if (r)
		return r;
	if (!slat_guest_writable(gpa, size))
		return LVBS_E_PERM;
	*next_out = from;
	while (done < max) {
		u64 next, lost;
		u32 want = (u32)MIN((u64)LOG_CHUNK, max - done);
		u32 n = hv_log_read(&hv.log, *next_out, chunk, want, &next, &lost);

		if (done == 0)
			lost_total = lost;
		if (n == 0)
			break;
		if (!slat_write_guest(gpa + done * sizeof(chunk[0]), n * sizeof(chunk[0]),
				      chunk, n * sizeof(chunk[0])))
			return LVBS_E_PERM;
		done += n;
		*next_out = next;
	}
	*lost_out = lost_total;
	return (long)done;
}

/*
 * The batch is copied into hypervisor memory whole before any entry is
 * looked at: the guest cannot change an entry between check and use.
 */
static long hc_protect(struct hv_cpu *c, u64 gpa, u64 count, u64 *applied_out)
{
	struct lvbs_mem_prot batch[LVBS_PROT_BATCH];
	u32 applied = 0;
	long r;

	*applied_out = 0;
	if (count == 0)
		return LVBS_E_INVAL;
	if (count > LVBS_PROT_BATCH)
		return LVBS_E_TOOBIG;
	r = memmap_check_buffer(&hv.mem, gpa, count * sizeof(batch[0]), 8);
	if (r)
		return r;
	memcpy(batch, gpa_ptr(gpa), count * sizeof(batch[0]));
	r = slat_protect(c, batch, (u32)count, &applied);
	*applied_out = applied;
	return r;
}

long hypercall_dispatch(struct hv_cpu *c, u64 nr, u64 a1, u64 a2, u64 a3,
			u64 *out1, u64 *out2)
{
	if ((nr & LVBS_HC_MAGIC_MASK) != LVBS_HC_MAGIC)
		return LVBS_E_NOSYS;
	switch ((u32)nr) {
	case LVBS_HC_GET_INFO:
		return hc_get_info(a1, a2);
	case LVBS_HC_GET_STATS:
		return hc_get_stats(a1, a2, a3);
	case LVBS_HC_READ_LOG:
		return hc_read_log(a1, a2, a3, out1, out2);
	case LVBS_HC_PIN_CR:
		return crpin_request(c, a1, a2);
	case LVBS_HC_PIN_MSR:
		return msrpin_request(c, a1, a2);
	case LVBS_HC_PIN_DT:
		return dtpin_request(c);
	case LVBS_HC_PROTECT_MEMORY:
		return hc_protect(c, a1, a2, out1);
	case LVBS_HC_RELEASE_MEMORY:
		if (a1 > 0xffffffffu)
			return LVBS_E_INVAL;
		return slat_release(c, (u32)a1, out1);
	case LVBS_HC_SEAL:
		return slat_seal(c, a1, a2, a3);
	case LVBS_HC_SET_POLICY:
		return slat_set_policy(c, a1);
	case LVBS_HC_ADD_KEY:
		return keys_add(c, a1, a2, out1);
	case LVBS_HC_GET_KEY:
		return hc_get_key(a1, a2, a3);
	case LVBS_HC_ADD_BLACKLIST:
		return keys_add_blacklist(c, a1, a2, out1);
	case LVBS_HC_MODULE_BEGIN:
		return modcheck_begin(c, a1, a2, a3, out1, out2);
	case LVBS_HC_MODULE_HASH:
		return modcheck_hash(c, a1, a2);
	case LVBS_HC_MODULE_END:
		return modcheck_end(c, a1, a2, out1, out2);
	case LVBS_HC_MODULE_COMPARE:
		return modcmp_call(c, a1, a2, a3, out1);
	case LVBS_HC_EXPORTS:
		return exports_call(c, a1, a2);
	case LVBS_HC_LAUNCH_ABORT:
		/* Only while a launch is failing; never once all CPUs are in. */
		if (!READ_ONCE(hv.cpus_failed) || c->state != CPU_RUNNING)
			return LVBS_E_PERM;
		arch_abort(c);
	default:
		return LVBS_E_NOSYS;
	}
}
