// SPDX-License-Identifier: GPL-2.0
/*
 * Checking a module file's signature against the trusted keys (keys.c), in
 * three hypercalls (ABI: MODULE_BEGIN, MODULE_HASH, MODULE_END;
 * docs/module-signatures.md).
 *
 * The signature trailer is small and is copied in. The module itself can
 * be megabytes, larger than the hypervisor's whole region, so it is not
 * copied: each MODULE_HASH call names the next pages and the hypervisor
 * hashes them where they are, reading every byte once. Another CPU may
 * change a page while it is read; the digest is then of the bytes as read,
 * and a signature over other bytes does not verify. What was verified is
 * "these bytes were signed", never a claim about memory read again later.
 *
 * One check at a time, machine-wide, owned by the CPU that began it: the
 * state (the trailer copy and a hash context) is a few KiB, and module
 * loads are rare. A verified check authorizes the owner cookies the guest
 * names at MODULE_END: only they may then be given supervisor-execute
 * memory after SEAL (slat.c, sealed_change_ok()).
 */
#include <hv/types.h>
#include <hv/spinlock.h>
#include "hv.h"
#include "keys.h"
#include "modcheck.h"
#include "modsig.h"

#define NO_OWNER	0xffffffffu

static struct {
	struct spinlock lock;		/* owner, counters */
	u32 owner;			/* CPU index with the open check, or NO_OWNER */
	u32 verdict;			/* LVBS_MODCHECK_* so far */
	u64 content_len;		/* the module's signed bytes ... */
	u64 hashed;			/* ... and how many were hashed */
	u32 key_slot;
	const struct modsig_key *key;
	struct modsig sig;		/* points into trailer[] */
	struct crypto_hash hash;
	u64 verified, failed;
	u8 trailer[LVBS_MODSIG_MAX];
	u64 pages[LVBS_MODULE_HASH_BATCH];
} mc = { .owner = NO_OWNER };

void modcheck_reset(void)
{
	mc.owner = NO_OWNER;
	mc.verified = 0;
	mc.failed = 0;
}

static u32 verdict_of(int modsig_result)
{
	switch (modsig_result) {
	case MODSIG_OK:			return LVBS_MODCHECK_OK;
	case MODSIG_E_UNSIGNED:		return LVBS_MODCHECK_UNSIGNED;
	case MODSIG_E_UNSUPPORTED:	return LVBS_MODCHECK_UNSUPPORTED;
	case MODSIG_E_UNKNOWN_KEY:	return LVBS_MODCHECK_UNKNOWN_KEY;
	case MODSIG_E_BAD_SIG:		return LVBS_MODCHECK_BAD_SIG;
	default:			return LVBS_MODCHECK_FORMAT;
	}
}

/* Does this CPU own the open check? Takes the lock; drops it if not. */
static bool own(struct hv_cpu *c)
{
	spin_lock(&mc.lock);
	if (mc.owner == c->index)
		return true;
	spin_unlock(&mc.lock);
	return false;
}

/*
 * The trailer was copied to mc.trailer: parse it as a whole file whose
 * module part is empty (the module is hashed separately), find the key.
 */
static u32 begin_parse(u64 len)
{
	int r = modsig_parse(mc.trailer, len, &mc.sig);

	if (r)
		return verdict_of(r);
	if (mc.sig.content_len != 0)	/* the trailer must be exactly the signature */
		return LVBS_MODCHECK_FORMAT;
	mc.key = keys_find(&mc.sig, &mc.key_slot);
	if (!mc.key)
		return LVBS_MODCHECK_UNKNOWN_KEY;
	crypto_hash_init(&mc.hash, mc.sig.hash);
	return LVBS_MODCHECK_OK;
}

long modcheck_begin(struct hv_cpu *c, u64 gpa, u64 len, u64 content_len, u64 *verdict_out)
{
	long r;

	if (len == 0 || len > LVBS_MODSIG_MAX || content_len == 0 ||
	    content_len > LVBS_MODULE_MAX)
		return LVBS_E_TOOBIG;
	r = memmap_check_buffer(&hv.mem, gpa, len, 8);
	if (r)
		return r;
	spin_lock(&mc.lock);
	if (mc.owner != NO_OWNER && mc.owner != c->index) {
		spin_unlock(&mc.lock);
		return LVBS_E_BUSY;
	}
	mc.owner = c->index;
	memcpy(mc.trailer, gpa_ptr(gpa), len);
	mc.content_len = content_len;
	mc.hashed = 0;
	mc.key = NULL;
	mc.verdict = begin_parse(len);
	*verdict_out = mc.verdict;
	spin_unlock(&mc.lock);
	return LVBS_OK;
}

/* Hash mc.pages[0..n) straight from guest memory; false on a bad page. */
static bool hash_pages(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u64 left = mc.content_len - mc.hashed;
		u64 len = left < PAGE_SIZE ? left : PAGE_SIZE;
		u64 gpa = mc.pages[i];

		if ((gpa & (PAGE_SIZE - 1)) || memmap_check_buffer(&hv.mem, gpa, PAGE_SIZE, 8))
			return false;
		crypto_hash_update(&mc.hash, gpa_ptr(gpa), len);
		mc.hashed += len;
	}
	return true;
}

long modcheck_hash(struct hv_cpu *c, u64 gpa, u64 count)
{
	long r = LVBS_OK;

	if (count == 0 || count > LVBS_MODULE_HASH_BATCH)
		return count ? LVBS_E_TOOBIG : LVBS_E_INVAL;
	r = memmap_check_buffer(&hv.mem, gpa, count * sizeof(u64), 8);
	if (r)
		return r;
	if (!own(c))
		return LVBS_E_PERM;
	/* The page list is copied first: each address is read once. */
	memcpy(mc.pages, gpa_ptr(gpa), count * sizeof(u64));
	if (mc.verdict != LVBS_MODCHECK_OK) {
		r = LVBS_E_PERM;		/* nothing left to hash for */
	} else if (count > (mc.content_len - mc.hashed + PAGE_SIZE - 1) / PAGE_SIZE) {
		r = LVBS_E_INVAL;
	} else if (!hash_pages(count)) {
		mc.verdict = LVBS_MODCHECK_INCOMPLETE;
		r = LVBS_E_RANGE;
	}
	spin_unlock(&mc.lock);
	return r;
}

/* The verdict once every byte is hashed: digest, blacklist, signature. */
static u32 finish(void)
{
	u8 digest[CRYPTO_MAX_DIGEST];

	if (mc.verdict != LVBS_MODCHECK_OK)
		return mc.verdict;
	if (mc.hashed != mc.content_len)
		return LVBS_MODCHECK_INCOMPLETE;
	crypto_hash_final(&mc.hash, digest);
	if (keys_blacklisted(mc.sig.hash, digest))
		return LVBS_MODCHECK_BLACKLISTED;
	return verdict_of(modsig_check(&mc.sig, digest, mc.key));
}

static bool owner_ok(u64 owner)
{
	return owner == 0 || (owner >= LVBS_OWNER_MODULE_MIN && owner <= 0xffffffffu);
}

long modcheck_end(struct hv_cpu *c, u64 core, u64 init, u64 *verdict_out, u64 *slot_out)
{
	u32 v;
	u64 len;

	if (!owner_ok(core) || !owner_ok(init))
		return LVBS_E_INVAL;
	if (!own(c))
		return LVBS_E_PERM;
	v = finish();
	len = mc.content_len;
	*verdict_out = v;
	*slot_out = v == LVBS_MODCHECK_OK ? mc.key_slot : 0;
	if (v == LVBS_MODCHECK_OK)
		mc.verified++;
	else
		mc.failed++;
	mc.owner = NO_OWNER;
	spin_unlock(&mc.lock);
	if (v == LVBS_MODCHECK_OK) {
		slat_authorize_owner((u32)core);
		slat_authorize_owner((u32)init);
	}
	hv_log_event(c, LVBS_EV_MODULE_CHECKED, 0, LVBS_ACT_NONE, 0, v, len);
	return LVBS_OK;
}

/* Without the lock, which a check holds while it hashes: each word is atomic. */
void modcheck_fill_info(struct lvbs_info *info)
{
	info->modules_verified = READ_ONCE(mc.verified);
	info->modules_failed = READ_ONCE(mc.failed);
}
