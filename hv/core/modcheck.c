// SPDX-License-Identifier: GPL-2.0
/*
 * Checking a module file's signature against the trusted keys (keys.c), in
 * three hypercalls (ABI: MODULE_BEGIN, MODULE_HASH, MODULE_END;
 * docs/module-signatures.md).
 *
 * The signature trailer is small and is copied in. The module itself can
 * be megabytes, larger than the hypervisor's whole region, so it is not
 * kept: each MODULE_HASH call names the next pages, and each page is
 * copied into the hypervisor once, hashed and tagged from that copy
 * (modfile.h). Another CPU may change a page meanwhile; the digest is then
 * of the bytes as copied, and a signature over other bytes does not
 * verify. What was verified is "these bytes were signed"; the tags let
 * those same bytes be read again later, page by page, each one checked.
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
#include "modfile.h"
#include "modsig.h"

static struct {
	struct spinlock lock;		/* owner, counters */
	bool open;			/* a check is open ... */
	u32 owner;			/* ... owned by this CPU index */
	u32 verdict;			/* LVBS_MODCHECK_* so far */
	u64 content_len;		/* the module's signed bytes ... */
	u64 hashed;			/* ... and how many were hashed */
	u64 file;			/* the check's file number (tags) */
	u64 next_file;
	u32 key_slot;
	const struct modsig_key *key;
	struct modsig sig;		/* points into trailer[] */
	struct crypto_hash hash;
	u64 verified, failed;
	/* The last files verified: what MODULE_COMPARE may read back. */
	struct { u64 file, len; u32 core, init; } files[MODCHECK_FILES];
	u32 files_next;
	u8 trailer[LVBS_MODSIG_MAX];
	struct lvbs_module_page list[LVBS_MODULE_HASH_BATCH];
	u8 page[PAGE_SIZE];		/* the page being hashed, copied in */
} mc;				/* bss: 15 KiB the image need not carry */

_Static_assert(LVBS_MODULE_TAG_LEN == MODFILE_TAG_LEN, "tag lengths differ");

void modcheck_reset(void)
{
	mc.open = false;
	mc.verified = 0;
	mc.failed = 0;
	memset(mc.files, 0, sizeof(mc.files));
	mc.files_next = 0;
}

/* Under mc.lock: remember a verified file (its number and signed length). */
static void remember_file(u32 core, u32 init)
{
	mc.files[mc.files_next].file = mc.file;
	mc.files[mc.files_next].len = mc.content_len;
	mc.files[mc.files_next].core = core;
	mc.files[mc.files_next].init = init;
	mc.files_next = (mc.files_next + 1) % MODCHECK_FILES;
}

#ifdef LVBS_HOST_TEST
/* A file as if a check had verified it (test_modcmp.c). */
void modcheck_test_verified(u64 file, u64 len, u32 core, u32 init)
{
	spin_lock(&mc.lock);
	mc.file = file;
	mc.content_len = len;
	remember_file(core, init);
	spin_unlock(&mc.lock);
}
#endif

bool modcheck_verified_file(u64 file, u64 *len, u32 *core, u32 *init)
{
	bool found = false;

	spin_lock(&mc.lock);
	for (u32 i = 0; i < MODCHECK_FILES && !found; i++) {
		if (file && mc.files[i].file == file) {
			*len = mc.files[i].len;
			*core = mc.files[i].core;
			*init = mc.files[i].init;
			found = true;
		}
	}
	spin_unlock(&mc.lock);
	return found;
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
	if (mc.open && mc.owner == c->index)
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

long modcheck_begin(struct hv_cpu *c, u64 gpa, u64 len, u64 content_len, u64 *verdict_out,
		    u64 *file_out)
{
	long r;

	if (len == 0 || len > LVBS_MODSIG_MAX || content_len == 0 ||
	    content_len > LVBS_MODULE_MAX)
		return LVBS_E_TOOBIG;
	r = memmap_check_buffer(&hv.mem, gpa, len, 8);
	if (r)
		return r;
	spin_lock(&mc.lock);
	if (mc.open && mc.owner != c->index) {
		spin_unlock(&mc.lock);
		return LVBS_E_BUSY;
	}
	mc.open = true;
	mc.owner = c->index;
	memcpy(mc.trailer, gpa_ptr(gpa), len);
	mc.content_len = content_len;
	mc.hashed = 0;
	mc.file = ++mc.next_file;
	mc.key = NULL;
	mc.verdict = begin_parse(len);
	*verdict_out = mc.verdict;
	*file_out = mc.file;
	spin_unlock(&mc.lock);
	return LVBS_OK;
}

/* Every entry of mc.list[0..n) names a whole page of guest RAM: 0, or LVBS_E*. */
static long check_list(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		const struct lvbs_module_page *e = &mc.list[i];

		if (e->reserved)
			return LVBS_E_INVAL;
		if ((e->gpa & (PAGE_SIZE - 1)) || memmap_check_buffer(&hv.mem, e->gpa, PAGE_SIZE, 8))
			return LVBS_E_RANGE;
	}
	return LVBS_OK;
}

/* Copy in, hash and tag the pages of mc.list[0..n); false if a tag fails. */
static bool hash_pages(u64 n)
{
	for (u64 i = 0; i < n; i++) {
		struct lvbs_module_page *e = &mc.list[i];
		u64 left = mc.content_len - mc.hashed;
		u32 len = left < PAGE_SIZE ? (u32)left : PAGE_SIZE;

		memcpy(mc.page, gpa_ptr(e->gpa), len);
		crypto_hash_update(&mc.hash, mc.page, len);
		if (modfile_tag(mc.file, mc.hashed >> PAGE_SHIFT, mc.page, len, e->tag))
			return false;
		mc.hashed += len;
	}
	return true;
}

long modcheck_hash(struct hv_cpu *c, u64 gpa, u64 count)
{
	u64 size = count * sizeof(struct lvbs_module_page);
	long r = LVBS_OK;

	if (count == 0 || count > LVBS_MODULE_HASH_BATCH)
		return count ? LVBS_E_TOOBIG : LVBS_E_INVAL;
	r = memmap_check_buffer(&hv.mem, gpa, size, 8);
	if (r)
		return r;
	if (!own(c))
		return LVBS_E_PERM;
	/* The list is copied first: each address is read once. */
	memcpy(mc.list, gpa_ptr(gpa), size);
	if (mc.verdict != LVBS_MODCHECK_OK) {
		r = LVBS_E_PERM;		/* nothing left to hash for */
	} else if (count > (mc.content_len - mc.hashed + PAGE_SIZE - 1) / PAGE_SIZE) {
		r = LVBS_E_INVAL;
	} else {
		r = check_list(count);
		if (!r && !hash_pages(count))
			r = LVBS_E_PERM;	/* no key: nothing can be tagged */
		/* The tags go back where the guest may write, or nowhere. */
		if (!r && !slat_write_guest(gpa, size, mc.list, size))
			r = LVBS_E_RANGE;
		if (r)
			mc.verdict = LVBS_MODCHECK_INCOMPLETE;
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
	if (v == LVBS_MODCHECK_OK) {
		mc.verified++;
		remember_file((u32)core, (u32)init);
	} else
		mc.failed++;
	mc.open = false;
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
