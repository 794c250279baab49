// SPDX-License-Identifier: GPL-2.0
/* Module-signing keys and the blacklist (keys.h). */
#include <hv/types.h>
#include <hv/spinlock.h>
#include "hv.h"
#include "keys.h"
#include "modsig.h"

/*
 * One lock for all of it: keys are added a handful of times per boot, and
 * the copy-in buffer and the X.509 decoder's state are shared.
 */
static struct {
	struct spinlock lock;
	u32 nr;
	u32 nr_hashes;
	u32 refused;
	struct modsig_key key[LVBS_MAX_KEYS];
	u8 source[LVBS_MAX_KEYS];
	u8 signer[LVBS_MAX_KEYS];
	struct lvbs_blacklist_hash hash[LVBS_MAX_BLACKLIST];
	/* Guest data is copied here before it is looked at. */
	u8 cert[LVBS_KEY_CERT_MAX];
	struct lvbs_blacklist_hash batch[LVBS_BLACKLIST_BATCH];
	struct modsig_key tmp;
	struct crypto_x509_scratch scratch;
} ks;

void keys_reset(void)
{
	ks.nr = 0;
	ks.nr_hashes = 0;
	ks.refused = 0;
}

/* Why ADD_KEY was refused, in key_denied's info0 (docs/abi.md). */
enum {
	KEY_DENIED_LENGTH = 1,	/* 0 or over LVBS_KEY_CERT_MAX bytes */
	KEY_DENIED_FULL,	/* LVBS_MAX_KEYS held */
	KEY_DENIED_CERT,	/* not a certificate with a key lvbs can use */
	KEY_DENIED_UNSIGNED,	/* sealed: no trusted key is its issuer */
	KEY_DENIED_BAD_SIG,	/* sealed: its issuer's signature does not verify */
	KEY_DENIED_SIG_ALG,	/* sealed: signed with an algorithm lvbs does not check */
	KEY_DENIED_BUFFER,	/* the buffer is not guest RAM lvbs may read */
};

static long key_denied(struct hv_cpu *c, u64 gpa, u32 why, long status)
{
	ks.refused++;
	hv_log_event(c, LVBS_EV_KEY_DENIED, 0, LVBS_ACT_ERROR, gpa, why, (u64)status);
	return status;
}

static int find_fpr(const u8 *fpr)
{
	for (u32 i = 0; i < ks.nr; i++)
		if (!memcmp(ks.key[i].fpr, fpr, sizeof(ks.key[i].fpr)))
			return (int)i;
	return -1;
}

/* After SEAL: the key among those held that signed ks.cert, or a refusal. */
static long check_signed(struct hv_cpu *c, u64 gpa, size_t len, u32 *signer)
{
	size_t k;

	switch (modsig_cert_signer(ks.cert, len, ks.key, ks.nr, &k)) {
	case MODSIG_OK:
		*signer = (u32)k;
		return LVBS_OK;
	case MODSIG_E_UNKNOWN_KEY:
		return key_denied(c, gpa, KEY_DENIED_UNSIGNED, LVBS_E_PERM);
	case MODSIG_E_BAD_SIG:
		return key_denied(c, gpa, KEY_DENIED_BAD_SIG, LVBS_E_PERM);
	case MODSIG_E_UNSUPPORTED:
		return key_denied(c, gpa, KEY_DENIED_SIG_ALG, LVBS_E_PERM);
	default:
		return key_denied(c, gpa, KEY_DENIED_CERT, LVBS_E_INVAL);
	}
}

static long add_locked(struct hv_cpu *c, u64 gpa, u64 len, u64 *slot_out)
{
	bool sealed = __atomic_load_n(&hv.slat_state.sealed, __ATOMIC_ACQUIRE);
	u32 signer;
	int dup;
	long r;

	if (len == 0 || len > LVBS_KEY_CERT_MAX)
		return key_denied(c, gpa, KEY_DENIED_LENGTH, LVBS_E_TOOBIG);
	r = memmap_check_buffer(&hv.mem, gpa, len, 8);
	if (r)
		return key_denied(c, gpa, KEY_DENIED_BUFFER, r);
	memcpy(ks.cert, gpa_ptr(gpa), len);
	if (modsig_key_from_cert(&ks.scratch, ks.cert, len, &ks.tmp))
		return key_denied(c, gpa, KEY_DENIED_CERT, LVBS_E_INVAL);
	dup = find_fpr(ks.tmp.fpr);
	if (dup >= 0) {
		*slot_out = (u64)dup;
		return LVBS_OK;
	}
	if (ks.nr == LVBS_MAX_KEYS)
		return key_denied(c, gpa, KEY_DENIED_FULL, LVBS_E_TOOBIG);
	signer = ks.nr;
	if (sealed) {
		r = check_signed(c, gpa, len, &signer);
		if (r)
			return r;
	}
	ks.key[ks.nr] = ks.tmp;
	ks.source[ks.nr] = sealed ? LVBS_KEY_SECONDARY : LVBS_KEY_BUILTIN;
	ks.signer[ks.nr] = (u8)signer;
	*slot_out = ks.nr;
	hv_log_event(c, LVBS_EV_KEY_ADDED, 0, LVBS_ACT_NONE, gpa, ks.nr, ks.source[ks.nr]);
	ks.nr++;
	return LVBS_OK;
}

long keys_add(struct hv_cpu *c, u64 gpa, u64 len, u64 *slot_out)
{
	long r;

	spin_lock(&ks.lock);
	r = add_locked(c, gpa, len, slot_out);
	spin_unlock(&ks.lock);
	return r;
}

static u32 key_bits(const struct crypto_pubkey *k)
{
	static const u16 curve_bits[] = { [23] = 256, [24] = 384, [25] = 521 };
	u32 bits, i = 0;

	if (k->type == CRYPTO_KEY_EC)
		return k->curve < ARRAY_SIZE(curve_bits) ? curve_bits[k->curve] : 0;
	/* RSA: the modulus, big-endian, may carry leading zero bytes. */
	while (i < k->len && !k->key[i])
		i++;
	if (i == k->len)
		return 0;
	bits = (k->len - i) * 8;
	for (u8 top = k->key[i]; !(top & 0x80); top <<= 1)
		bits--;
	return bits;
}

int keys_info(u64 slot, struct lvbs_key_info *out)
{
	const struct modsig_key *k;

	memset(out, 0, sizeof(*out));
	spin_lock(&ks.lock);
	if (slot >= ks.nr) {
		spin_unlock(&ks.lock);
		return LVBS_E_RANGE;
	}
	k = &ks.key[slot];
	out->size = sizeof(*out);
	out->slot = (u32)slot;
	out->source = ks.source[slot];
	out->signer = ks.signer[slot];
	out->key_type = k->key.type == CRYPTO_KEY_EC ? LVBS_KEYTYPE_EC : LVBS_KEYTYPE_RSA;
	out->key_bits = key_bits(&k->key);
	memcpy(out->fingerprint, k->fpr, sizeof(out->fingerprint));
	_Static_assert(sizeof(out->name) == sizeof(k->name), "key name sizes");
	memcpy(out->name, k->name, sizeof(out->name));
	out->name[sizeof(out->name) - 1] = 0;
	spin_unlock(&ks.lock);
	return LVBS_OK;
}

static int hash_alg(u32 abi_alg)
{
	switch (abi_alg) {
	case LVBS_HASH_SHA256:
		return CRYPTO_SHA256;
	case LVBS_HASH_SHA384:
		return CRYPTO_SHA384;
	case LVBS_HASH_SHA512:
		return CRYPTO_SHA512;
	}
	return 0;
}

/* A well-formed entry: a known algorithm, nothing set past its digest. */
static bool entry_ok(const struct lvbs_blacklist_hash *e)
{
	size_t n = crypto_digest_len(hash_alg(e->alg));

	if (!n || e->reserved)
		return false;
	for (size_t i = n; i < sizeof(e->digest); i++)
		if (e->digest[i])
			return false;
	return true;
}

static bool held(const struct lvbs_blacklist_hash *e)
{
	for (u32 i = 0; i < ks.nr_hashes; i++)
		if (ks.hash[i].alg == e->alg && !memcmp(ks.hash[i].digest, e->digest, sizeof(e->digest)))
			return true;
	return false;
}

static long blacklist_locked(u64 gpa, u64 count, u64 *added_out)
{
	u32 fresh = 0, i, j;
	long r;

	if (count == 0)
		return LVBS_E_INVAL;
	if (count > LVBS_BLACKLIST_BATCH)
		return LVBS_E_TOOBIG;
	r = memmap_check_buffer(&hv.mem, gpa, count * sizeof(ks.batch[0]), 8);
	if (r)
		return r;
	memcpy(ks.batch, gpa_ptr(gpa), count * sizeof(ks.batch[0]));
	/* Check all, count the new ones (a batch may repeat itself), then add. */
	for (i = 0; i < count; i++) {
		bool again = held(&ks.batch[i]);

		if (!entry_ok(&ks.batch[i]))
			return LVBS_E_INVAL;
		for (j = 0; j < i && !again; j++)
			again = !memcmp(&ks.batch[j], &ks.batch[i], sizeof(ks.batch[i]));
		if (!again)
			ks.batch[fresh++] = ks.batch[i];
	}
	if (ks.nr_hashes + fresh > LVBS_MAX_BLACKLIST)
		return LVBS_E_TOOBIG;
	memcpy(&ks.hash[ks.nr_hashes], ks.batch, fresh * sizeof(ks.batch[0]));
	ks.nr_hashes += fresh;
	*added_out = fresh;
	return LVBS_OK;
}

long keys_add_blacklist(struct hv_cpu *c, u64 gpa, u64 count, u64 *added_out)
{
	long r;

	*added_out = 0;
	spin_lock(&ks.lock);
	r = blacklist_locked(gpa, count, added_out);
	if (!r)
		hv_log_event(c, LVBS_EV_BLACKLIST, 0, LVBS_ACT_NONE, 0, *added_out, ks.nr_hashes);
	spin_unlock(&ks.lock);
	return r;
}

const struct modsig_key *keys_find(const struct modsig *s, u32 *slot)
{
	const struct modsig_key *k;

	spin_lock(&ks.lock);
	k = modsig_find_key(s, ks.key, ks.nr);
	if (k)
		*slot = (u32)(k - ks.key);
	spin_unlock(&ks.lock);
	return k;
}

bool keys_blacklisted(int alg, const u8 *digest)
{
	size_t n = crypto_digest_len(alg);
	bool found = false;

	spin_lock(&ks.lock);
	for (u32 i = 0; i < ks.nr_hashes && !found; i++)
		found = hash_alg(ks.hash[i].alg) == alg && !memcmp(ks.hash[i].digest, digest, n);
	spin_unlock(&ks.lock);
	return found;
}

void keys_fill_info(struct lvbs_info *info)
{
	spin_lock(&ks.lock);
	info->keys_trusted = ks.nr;
	info->blacklist_hashes = ks.nr_hashes;
	info->keys_refused = ks.refused;
	spin_unlock(&ks.lock);
}
