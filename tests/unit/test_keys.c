// SPDX-License-Identifier: GPL-2.0
/*
 * Module-signing keys and the blacklist (hv/core/keys.c) through the
 * hypercalls ADD_KEY, GET_KEY, ADD_BLACKLIST and GET_INFO, over the fake
 * backend; and modsig_cert_signer(), which decides whether a certificate
 * given after SEAL was issued by a trusted key. Fixtures: mkmodsig.sh.
 */
#include <stdlib.h>
#include <string.h>
#include <hv/types.h>
#include <hv/x86.h>
#include "core/hv.h"
#include "core/keys.h"
#include "core/modsig.h"
#include "core/modfile.h"
#include "core/slat.h"
#include "stub_arch.h"
#include "test.h"
#include "fixture.h"

#define AK	LVBS_HC(LVBS_HC_ADD_KEY)
#define GK	LVBS_HC(LVBS_HC_GET_KEY)
#define AB	LVBS_HC(LVBS_HC_ADD_BLACKLIST)
#define GI	LVBS_HC(LVBS_HC_GET_INFO)

static u8 *data(void)
{
	return guest.ram + DATA_PAGE_OFF;
}

/*
 * A hypercall from CPU @cpu, each at a new RIP so that repeated failures
 * are not folded into one log entry; RAX back, RBX and RCX in *o1, *o2.
 */
static long hc_cpu(u32 cpu, u64 nr, u64 a1, u64 a2, u64 a3, u64 *o1, u64 *o2)
{
	static u64 rip = 0x200000;
	long r = stub_hypercall(cpu, rip += 0x10, nr, a1, a2, a3);

	if (o1)
		*o1 = hv_cpu_of(cpu)->regs[REG_RBX];
	if (o2)
		*o2 = hv_cpu_of(cpu)->regs[REG_RCX];
	return r;
}

static long hc(u64 nr, u64 a1, u64 a2, u64 a3, u64 *out1)
{
	return hc_cpu(0, nr, a1, a2, a3, out1, NULL);
}

/* The certificate @name, placed in guest RAM; returns its GPA, *len its size. */
static u64 put_cert(const char *name, u64 off, u64 *len)
{
	struct blob b = fixture_load(name);

	memcpy(data() + off, b.p, b.len);
	*len = b.len;
	free(b.p);
	return (u64)data() + off;
}

static long add_key(const char *name, u64 *slot)
{
	u64 len, gpa = put_cert(name, 0, &len);

	return hc(AK, gpa, len, 0, slot);
}

static struct lvbs_info info(void)
{
	struct lvbs_info i;

	memset(&i, 0, sizeof(i));
	CHECK_EQ(hc(GI, (u64)data() + 0x40000, sizeof(i), 0, NULL), LVBS_OK);
	memcpy(&i, data() + 0x40000, sizeof(i));
	return i;
}

static struct lvbs_key_info key_info(u64 slot)
{
	struct lvbs_key_info k;

	memset(&k, 0, sizeof(k));
	CHECK_EQ(hc(GK, (u64)data() + 0x40000, sizeof(k), slot, NULL), LVBS_OK);
	memcpy(&k, data() + 0x40000, sizeof(k));
	return k;
}

/*
 * The newest event of @kind: a refused call logs its reason, and then the
 * dispatcher logs bad_hypercall for its status.
 */
static const struct lvbs_log_entry *newest(u32 kind)
{
	for (u64 seq = hv.log.next_seq; seq > 1 && seq + hv.log.capacity > hv.log.next_seq; seq--) {
		const struct lvbs_log_entry *e = &hv.log.ring[(seq - 1) & (hv.log.capacity - 1)];

		if (e->kind == kind)
			return e;
	}
	test_fail(__FILE__, __LINE__, "no event of kind %u", kind);
	return last_event();
}

static void seal(void)
{
	CHECK_EQ(slat_seal(hv_cpu_of(0), LVBS_SEAL_EXEC_NX, 0, 0), LVBS_OK);
}

TEST(keys_builtin_before_seal)
{
	struct blob fpr = fixture_load("a.fpr");
	struct lvbs_key_info k;
	struct lvbs_info i;
	char hex[65];
	u64 slot = 99;

	stub_reset();
	CHECK_EQ(info().keys_trusted, 0);
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	CHECK_EQ(slot, 0);
	CHECK_EQ(last_event()->kind, LVBS_EV_KEY_ADDED);
	CHECK_EQ(last_event()->info1, LVBS_KEY_BUILTIN);
	CHECK_EQ(add_key("c.der", &slot), LVBS_OK);
	CHECK_EQ(slot, 1);
	/* The same certificate again: nothing added, its slot. */
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	CHECK_EQ(slot, 0);
	i = info();
	CHECK_EQ(i.keys_trusted, 2);
	CHECK_EQ(i.keys_refused, 0);
	k = key_info(0);
	CHECK_EQ(k.size, sizeof(k));
	CHECK_EQ(sizeof(k), 120);
	CHECK_EQ(sizeof(struct lvbs_blacklist_hash), 72);
	CHECK_EQ(k.slot, 0);
	CHECK_EQ(k.source, LVBS_KEY_BUILTIN);
	CHECK_EQ(k.signer, 0);
	CHECK_EQ(k.key_type, LVBS_KEYTYPE_RSA);
	CHECK_EQ(k.key_bits, 2048);
	CHECK_STR(k.name, "lvbs unit test key a");
	for (int j = 0; j < 32; j++)
		sprintf(hex + 2 * j, "%02X", k.fingerprint[j]);
	CHECK(fpr.len >= 64 && !memcmp(hex, fpr.p, 64));
	k = key_info(1);
	CHECK_EQ(k.key_type, LVBS_KEYTYPE_EC);
	CHECK_EQ(k.key_bits, 384);
	CHECK_EQ(hc(GK, (u64)data() + 0x40000, sizeof(k), 2, NULL), LVBS_E_RANGE);
	CHECK_EQ(hc(GK, (u64)data() + 0x40000, sizeof(k) - 1, 0, NULL), LVBS_E_INVAL);
	free(fpr.p);
}

TEST(keys_bad_certificates_refused_and_counted)
{
	u64 len, gpa = put_cert("a.der", 0, &len), slot = 77;

	stub_reset();
	CHECK_EQ(hc(AK, gpa, 0, 0, &slot), LVBS_E_TOOBIG);
	CHECK_EQ(hc(AK, gpa, LVBS_KEY_CERT_MAX + 1, 0, NULL), LVBS_E_TOOBIG);
	CHECK_EQ(hc(AK, gpa + 4, len, 0, NULL), LVBS_E_ALIGN);
	CHECK_EQ(hc(AK, hv.hv_phys, len, 0, NULL), LVBS_E_RANGE);
	CHECK_EQ(newest(LVBS_EV_KEY_DENIED)->info1, (u64)LVBS_E_RANGE);
	CHECK_EQ(newest(LVBS_EV_BAD_HYPERCALL)->info1, (u64)LVBS_E_RANGE);
	/* Every truncation, and one flipped byte in the key's DER, is not a key. */
	for (u64 n = 1; n < len; n += 7)
		CHECK_EQ(hc(AK, gpa, n, 0, NULL), LVBS_E_INVAL);
	data()[1] ^= 0x01;	/* the outer SEQUENCE's length */
	CHECK_EQ(hc(AK, gpa, len, 0, NULL), LVBS_E_INVAL);
	CHECK_EQ(info().keys_trusted, 0);
	CHECK(info().keys_refused >= 5);
	CHECK_EQ(newest(LVBS_EV_KEY_DENIED)->info0, 3);	/* KEY_DENIED_CERT */
}

TEST(keys_after_seal_only_issued_by_a_trusted_key)
{
	struct lvbs_key_info k;
	u64 slot = 0, len, gpa;

	stub_reset();
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	seal();
	/* Self-signed, by nobody trusted. */
	CHECK_EQ(add_key("b.der", &slot), LVBS_E_PERM);
	CHECK_EQ(newest(LVBS_EV_KEY_DENIED)->info1, (u64)LVBS_E_PERM);
	CHECK_EQ(newest(LVBS_EV_KEY_DENIED)->info0, 4);	/* KEY_DENIED_UNSIGNED */
	/* Issued by c, which is not trusted. */
	CHECK_EQ(add_key("e.der", &slot), LVBS_E_PERM);
	/* Issued by a: a secondary key. */
	gpa = put_cert("d.der", 0, &len);
	data()[len - 5] ^= 0x40;	/* in the signature */
	CHECK_EQ(hc(AK, gpa, len, 0, &slot), LVBS_E_PERM);
	CHECK_EQ(newest(LVBS_EV_KEY_DENIED)->info0, 5);	/* KEY_DENIED_BAD_SIG */
	data()[len - 5] ^= 0x40;
	CHECK_EQ(hc(AK, gpa, len, 0, &slot), LVBS_OK);
	CHECK_EQ(slot, 1);
	CHECK_EQ(last_event()->kind, LVBS_EV_KEY_ADDED);
	CHECK_EQ(last_event()->info1, LVBS_KEY_SECONDARY);
	k = key_info(1);
	CHECK_EQ(k.source, LVBS_KEY_SECONDARY);
	CHECK_EQ(k.signer, 0);
	CHECK_STR(k.name, "lvbs unit test key d");
	CHECK_EQ(info().keys_trusted, 2);
	CHECK_EQ(info().keys_refused, 3);
}

TEST(keys_ecdsa_issuer_after_seal)
{
	u64 slot = 0;

	stub_reset();
	CHECK_EQ(add_key("c.der", &slot), LVBS_OK);
	seal();
	CHECK_EQ(add_key("e.der", &slot), LVBS_OK);
	CHECK_EQ(key_info(1).signer, 0);
	CHECK_EQ(key_info(1).key_bits, 256);
}

TEST(keys_store_full)
{
	char name[24];
	u64 slot = 0;

	stub_reset();
	for (int i = 0; i < LVBS_MAX_KEYS; i++) {
		snprintf(name, sizeof(name), "n%d.der", i);
		CHECK_EQ(add_key(name, &slot), LVBS_OK);
		CHECK_EQ(slot, (u64)i);
	}
	CHECK_EQ(add_key("a.der", &slot), LVBS_E_TOOBIG);
	CHECK_EQ(newest(LVBS_EV_KEY_DENIED)->info0, 2);	/* KEY_DENIED_FULL */
	/* A key already held is still found. */
	CHECK_EQ(add_key("n3.der", &slot), LVBS_OK);
	CHECK_EQ(slot, 3);
	CHECK_EQ(info().keys_trusted, LVBS_MAX_KEYS);
}

TEST(modsig_cert_signer_checks)
{
	struct crypto_x509_scratch *scratch = malloc(sizeof(*scratch));
	struct blob a = fixture_load("a.der"), b = fixture_load("b.der"), d = fixture_load("d.der");
	struct modsig_key keys[2];
	size_t signer = 9;

	CHECK_EQ(modsig_key_from_cert(scratch, b.p, b.len, &keys[0]), MODSIG_OK);
	CHECK_EQ(modsig_key_from_cert(scratch, a.p, a.len, &keys[1]), MODSIG_OK);
	CHECK_EQ(modsig_cert_signer(d.p, d.len, keys, 2, &signer), MODSIG_OK);
	CHECK_EQ(signer, 1);
	CHECK_EQ(modsig_cert_signer(d.p, d.len, keys, 1, &signer), MODSIG_E_UNKNOWN_KEY);
	/* Self-signed a verifies with a. */
	CHECK_EQ(modsig_cert_signer(a.p, a.len, &keys[1], 1, &signer), MODSIG_OK);
	/* Every bit of the signed part and of the signature matters. */
	for (size_t i = 4; i < d.len; i++) {
		d.p[i] ^= 0x10;
		CHECK(modsig_cert_signer(d.p, d.len, keys, 2, &signer) != MODSIG_OK);
		d.p[i] ^= 0x10;
	}
	/* No read past the end of any truncation (AddressSanitizer). */
	for (size_t n = 0; n < d.len; n++) {
		u8 *cut = malloc(n ? n : 1);

		memcpy(cut, d.p, n);
		CHECK(modsig_cert_signer(cut, n, keys, 2, &signer) != MODSIG_OK);
		free(cut);
	}
	free(a.p);
	free(b.p);
	free(d.p);
	free(scratch);
}

static struct lvbs_blacklist_hash *bl(u32 i)
{
	return (struct lvbs_blacklist_hash *)(data() + i * sizeof(struct lvbs_blacklist_hash));
}

static void fill_entry(u32 i, u32 alg, u32 seed)
{
	size_t n = alg == LVBS_HASH_SHA256 ? 32 : alg == LVBS_HASH_SHA384 ? 48 : 64;

	memset(bl(i), 0, sizeof(*bl(i)));
	bl(i)->alg = alg;
	for (size_t j = 0; j < n; j++)
		bl(i)->digest[j] = (u8)(seed * 31 + j);
	bl(i)->digest[0] = (u8)seed;
	bl(i)->digest[1] = (u8)(seed >> 8);
}

TEST(keys_blacklist)
{
	u8 want[32];
	u64 added = 99;

	stub_reset();
	fill_entry(0, LVBS_HASH_SHA256, 1);
	fill_entry(1, LVBS_HASH_SHA512, 2);
	fill_entry(2, LVBS_HASH_SHA256, 1);	/* the first again */
	memcpy(want, bl(0)->digest, 32);
	CHECK_EQ(hc(AB, (u64)data(), 3, 0, &added), LVBS_OK);
	CHECK_EQ(added, 2);
	CHECK_EQ(last_event()->kind, LVBS_EV_BLACKLIST);
	CHECK_EQ(last_event()->info1, 2);
	CHECK_EQ(info().blacklist_hashes, 2);
	CHECK(keys_blacklisted(CRYPTO_SHA256, want));
	CHECK(!keys_blacklisted(CRYPTO_SHA384, want));
	want[31] ^= 1;
	CHECK(!keys_blacklisted(CRYPTO_SHA256, want));
	/* Held already: nothing added. After SEAL too: it only refuses more. */
	seal();
	CHECK_EQ(hc(AB, (u64)data(), 2, 0, &added), LVBS_OK);
	CHECK_EQ(added, 0);
	/* Malformed entries refuse the whole batch. */
	fill_entry(0, LVBS_HASH_SHA384, 5);
	fill_entry(1, 7, 6);
	CHECK_EQ(hc(AB, (u64)data(), 2, 0, &added), LVBS_E_INVAL);
	fill_entry(1, LVBS_HASH_SHA256, 6);
	bl(1)->digest[40] = 1;			/* past a SHA-256 digest */
	CHECK_EQ(hc(AB, (u64)data(), 2, 0, &added), LVBS_E_INVAL);
	fill_entry(1, LVBS_HASH_SHA256, 6);
	bl(1)->reserved = 1;
	CHECK_EQ(hc(AB, (u64)data(), 2, 0, &added), LVBS_E_INVAL);
	CHECK_EQ(info().blacklist_hashes, 2);
	CHECK_EQ(hc(AB, (u64)data(), 0, 0, &added), LVBS_E_INVAL);
	CHECK_EQ(hc(AB, (u64)data(), LVBS_BLACKLIST_BATCH + 1, 0, &added), LVBS_E_TOOBIG);
	CHECK_EQ(hc(AB, (u64)data() + 4, 1, 0, &added), LVBS_E_ALIGN);
}

TEST(keys_blacklist_full_is_all_or_nothing)
{
	u64 added = 0;
	u32 seed = 100;

	stub_reset();
	for (u32 b = 0; b < LVBS_MAX_BLACKLIST / LVBS_BLACKLIST_BATCH; b++) {
		for (u32 i = 0; i < LVBS_BLACKLIST_BATCH; i++)
			fill_entry(i, LVBS_HASH_SHA256, seed++);
		CHECK_EQ(hc(AB, (u64)data(), LVBS_BLACKLIST_BATCH, 0, &added), LVBS_OK);
		CHECK_EQ(added, LVBS_BLACKLIST_BATCH);
	}
	fill_entry(0, LVBS_HASH_SHA256, 100);	/* held */
	fill_entry(1, LVBS_HASH_SHA256, seed);	/* new: no room */
	CHECK_EQ(hc(AB, (u64)data(), 2, 0, &added), LVBS_E_TOOBIG);
	CHECK_EQ(info().blacklist_hashes, LVBS_MAX_BLACKLIST);
	CHECK_EQ(hc(AB, (u64)data(), 1, 0, &added), LVBS_OK);
	CHECK_EQ(added, 0);
}

/* ---- module checks: MODULE_BEGIN, MODULE_HASH, MODULE_END ---- */

#define MB	LVBS_HC(LVBS_HC_MODULE_BEGIN)
#define MH	LVBS_HC(LVBS_HC_MODULE_HASH)
#define ME	LVBS_HC(LVBS_HC_MODULE_END)
#define MOD_OFF		0x10000		/* the module's pages, page aligned */
#define TRAILER_OFF	0x8000		/* its signature trailer */
#define LIST_OFF	0x4000		/* page lists */

struct signed_mod {
	u64 content_len, trailer_len;
};

/* A signed module file: its body to MOD_OFF, its trailer to TRAILER_OFF. */
static struct signed_mod place_module(const char *name)
{
	struct blob m = fixture_load(name);
	struct signed_mod sm = { 0, 0 };
	const u8 *info = m.p + m.len - 28 - 12;	/* struct module_signature */
	u32 sig_len = (u32)info[8] << 24 | (u32)info[9] << 16 | (u32)info[10] << 8 | info[11];

	sm.trailer_len = sig_len + 12 + 28;
	sm.content_len = m.len - sm.trailer_len;
	memcpy(data() + MOD_OFF, m.p, sm.content_len);
	memcpy(data() + TRAILER_OFF, m.p + sm.content_len, sm.trailer_len);
	free(m.p);
	return sm;
}

static u64 mod_pages(const struct signed_mod *sm)
{
	return (sm->content_len + PAGE_SIZE - 1) / PAGE_SIZE;
}

static struct lvbs_module_page *page_list(void)
{
	return (struct lvbs_module_page *)(data() + LIST_OFF);
}

/* Page @first .. @first + n of the module into the list; MODULE_HASH. */
static long hash_range(u32 cpu, u64 first, u64 n)
{
	struct lvbs_module_page *list = page_list();

	memset(list, 0, n * sizeof(*list));
	for (u64 i = 0; i < n; i++)
		list[i].gpa = (u64)data() + MOD_OFF + (first + i) * PAGE_SIZE;
	return hc_cpu(cpu, MH, (u64)list, n, 0, NULL, NULL);
}

static u64 last_file;

static long begin(u32 cpu, const struct signed_mod *sm, u64 *verdict)
{
	return hc_cpu(cpu, MB, (u64)data() + TRAILER_OFF, sm->trailer_len, sm->content_len,
		      verdict, &last_file);
}

/* A whole check from CPU 0: the verdict (and *slot). */
static u64 check_module(const struct signed_mod *sm, u64 *slot)
{
	u64 v = 99, n = mod_pages(sm), done = 0;

	CHECK_EQ(begin(0, sm, &v), LVBS_OK);
	while (v == LVBS_MODCHECK_OK && done < n) {
		u64 k = n - done < 7 ? n - done : 7;

		CHECK_EQ(hash_range(0, done, k), LVBS_OK);
		done += k;
	}
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, slot), LVBS_OK);
	return v;
}

TEST(modcheck_verdicts)
{
	struct signed_mod sm;
	u64 slot = 99, v;

	stub_reset();
	sm = place_module("a_sha256.ko");
	CHECK_EQ(sm.content_len, 70000);
	/* No key yet. */
	CHECK_EQ(check_module(&sm, &slot), LVBS_MODCHECK_UNKNOWN_KEY);
	CHECK_EQ(info().modules_failed, 1);
	CHECK_EQ(add_key("b.der", &slot), LVBS_OK);
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	v = check_module(&sm, &slot);
	CHECK_EQ(v, LVBS_MODCHECK_OK);
	CHECK_EQ(slot, 1);
	CHECK_EQ(info().modules_verified, 1);
	CHECK_EQ(last_event()->kind, LVBS_EV_MODULE_CHECKED);
	CHECK_EQ(last_event()->info0, LVBS_MODCHECK_OK);
	CHECK_EQ(last_event()->info1, 70000);
	/* One changed byte of the module, anywhere. */
	data()[MOD_OFF + 69999] ^= 1;
	CHECK_EQ(check_module(&sm, &slot), LVBS_MODCHECK_BAD_SIG);
	data()[MOD_OFF + 69999] ^= 1;
	data()[MOD_OFF] ^= 0x80;
	CHECK_EQ(check_module(&sm, &slot), LVBS_MODCHECK_BAD_SIG);
	data()[MOD_OFF] ^= 0x80;
	/* The content length is part of what was signed. */
	sm.content_len--;
	CHECK_EQ(check_module(&sm, &slot), LVBS_MODCHECK_BAD_SIG);
	sm.content_len++;
	/* ECDSA P-384, as Debian 6.12 signs. */
	CHECK_EQ(add_key("c.der", &slot), LVBS_OK);
	sm = place_module("c_sha256.ko");
	CHECK_EQ(check_module(&sm, &slot), LVBS_MODCHECK_OK);
	CHECK_EQ(slot, 2);
	CHECK_EQ(info().modules_verified, 2);
	CHECK_EQ(info().modules_failed, 4);
}

TEST(modcheck_blacklisted_whoever_signed)
{
	struct signed_mod sm;
	struct crypto_hash h;
	u64 slot, added;
	u8 want[32];

	stub_reset();
	sm = place_module("a_sha256.ko");
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	memset(bl(0), 0, sizeof(*bl(0)));
	bl(0)->alg = LVBS_HASH_SHA256;
	crypto_hash_init(&h, CRYPTO_SHA256);
	crypto_hash_update(&h, data() + MOD_OFF, sm.content_len);
	crypto_hash_final(&h, bl(0)->digest);
	CHECK_EQ(hc(AB, (u64)data(), 1, 0, &added), LVBS_OK);
	CHECK_EQ(check_module(&sm, &slot), LVBS_MODCHECK_BLACKLISTED);
	/* The same digest under another algorithm does not match. */
	memcpy(want, bl(0)->digest, sizeof(want));
	stub_reset();
	sm = place_module("a_sha256.ko");
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	memset(bl(0), 0, sizeof(*bl(0)));
	bl(0)->alg = LVBS_HASH_SHA512;
	memcpy(bl(0)->digest, want, sizeof(want));
	CHECK_EQ(hc(AB, (u64)data(), 1, 0, &added), LVBS_OK);
	CHECK_EQ(check_module(&sm, &slot), LVBS_MODCHECK_OK);
}

TEST(modcheck_malformed_trailers)
{
	struct signed_mod sm;
	u64 slot, v = 99;

	stub_reset();
	sm = place_module("a_sha256.ko");
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	/* The last byte of the magic. */
	data()[TRAILER_OFF + sm.trailer_len - 1] ^= 1;
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_UNSIGNED);
	CHECK_EQ(hash_range(0, 0, 1), LVBS_E_PERM);	/* nothing to hash for */
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, &slot), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_UNSIGNED);
	CHECK_EQ(slot, 0);
	data()[TRAILER_OFF + sm.trailer_len - 1] ^= 1;
	/* A trailer with bytes of the module before it: not a trailer. */
	memmove(data() + TRAILER_OFF + 8, data() + TRAILER_OFF, sm.trailer_len);
	sm.trailer_len += 8;
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_FORMAT);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	/* Signed attributes: well formed, not checked. */
	sm = place_module("a_attrs_sha256.ko");
	CHECK_EQ(check_module(&sm, &slot), LVBS_MODCHECK_UNSUPPORTED);
	/* Lengths. */
	CHECK_EQ(hc_cpu(0, MB, (u64)data() + TRAILER_OFF, 0, 100, &v, NULL), LVBS_E_TOOBIG);
	CHECK_EQ(hc_cpu(0, MB, (u64)data() + TRAILER_OFF, LVBS_MODSIG_MAX + 1, 100, &v, NULL),
		 LVBS_E_TOOBIG);
	CHECK_EQ(hc_cpu(0, MB, (u64)data() + TRAILER_OFF, 100, 0, &v, NULL), LVBS_E_TOOBIG);
	CHECK_EQ(hc_cpu(0, MB, (u64)data() + TRAILER_OFF, 100, (u64)LVBS_MODULE_MAX + 1, &v, NULL),
		 LVBS_E_TOOBIG);
	CHECK_EQ(hc_cpu(0, MB, hv.hv_phys, 100, 100, &v, NULL), LVBS_E_RANGE);
}

TEST(modcheck_pages_and_order)
{
	struct lvbs_module_page *list = page_list();
	struct signed_mod sm;
	u64 slot, v = 99;

	stub_reset();
	sm = place_module("a_sha256.ko");
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	/* Not every byte hashed. */
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	CHECK_EQ(hash_range(0, 0, mod_pages(&sm) - 1), LVBS_OK);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_INCOMPLETE);
	/* More pages than the module has: refused, the check goes on. */
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	CHECK_EQ(hash_range(0, 0, mod_pages(&sm) + 1), LVBS_E_INVAL);
	CHECK_EQ(hash_range(0, 0, mod_pages(&sm)), LVBS_OK);
	CHECK_EQ(hash_range(0, mod_pages(&sm), 1), LVBS_E_INVAL);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_OK);
	/* Pages out of order: another file, whose signature does not verify. */
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	CHECK_EQ(hash_range(0, 1, 1), LVBS_OK);
	CHECK_EQ(hash_range(0, 0, 1), LVBS_OK);
	CHECK_EQ(hash_range(0, 2, mod_pages(&sm) - 2), LVBS_OK);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_BAD_SIG);
	/* A misaligned page, and one of the hypervisor's: the check fails. */
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	memset(list, 0, sizeof(*list));
	list[0].gpa = (u64)data() + MOD_OFF + 8;
	CHECK_EQ(hc_cpu(0, MH, (u64)list, 1, 0, NULL, NULL), LVBS_E_RANGE);
	CHECK_EQ(hash_range(0, 0, 1), LVBS_E_PERM);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_INCOMPLETE);
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	list[0].gpa = hv.hv_phys;
	CHECK_EQ(hc_cpu(0, MH, (u64)list, 1, 0, NULL, NULL), LVBS_E_RANGE);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_INCOMPLETE);
	/* Batch bounds; no check open. */
	CHECK_EQ(hc_cpu(0, MH, (u64)list, 0, 0, NULL, NULL), LVBS_E_INVAL);
	CHECK_EQ(hc_cpu(0, MH, (u64)list, LVBS_MODULE_HASH_BATCH + 1, 0, NULL, NULL), LVBS_E_TOOBIG);
	CHECK_EQ(hash_range(0, 0, 1), LVBS_E_PERM);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_E_PERM);
}

/* ---- the tags MODULE_HASH writes back (modfile.h) ---- */

static int tag_fetch(void *ctx, u64 index, struct modfile_page *out)
{
	const struct lvbs_module_page *e = page_list() + index;

	(void)ctx;
	out->gpa = e->gpa;
	memcpy(out->tag, e->tag, MODFILE_TAG_LEN);
	return 0;
}

static int tag_read_page(void *ctx, u64 gpa, u8 *dst)
{
	(void)ctx;
	memcpy(dst, (const void *)gpa, PAGE_SIZE);
	return 0;
}

static struct modfile_reader tag_rd;

TEST(modcheck_tags_read_the_file_again)
{
	static u8 file[70000];
	struct signed_mod sm;
	u64 v = 99, first, slot;

	stub_reset();
	sm = place_module("a_sha256.ko");
	CHECK_EQ(sm.content_len, sizeof(file));
	memcpy(file, data() + MOD_OFF, sizeof(file));
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	first = last_file;
	CHECK_EQ(hash_range(0, 0, mod_pages(&sm)), LVBS_OK);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_OK);
	/* The whole file, back through its tags. */
	modfile_reader_init(&tag_rd, first, sm.content_len);
	tag_rd.fetch = tag_fetch;
	tag_rd.read_page = tag_read_page;
	{
		static u8 back[70000];

		CHECK_EQ(modfile_read(&tag_rd, 0, back, sizeof(back)), 0);
		CHECK(!memcmp(back, file, sizeof(back)));
	}
	/* A byte changed since: its page is refused. */
	data()[MOD_OFF + 3 * PAGE_SIZE + 5] ^= 1;
	modfile_reader_init(&tag_rd, first, sm.content_len);
	tag_rd.fetch = tag_fetch;
	tag_rd.read_page = tag_read_page;
	CHECK_EQ(modfile_read(&tag_rd, 2 * PAGE_SIZE, &v, 1), 0);
	CHECK_EQ(modfile_read(&tag_rd, 3 * PAGE_SIZE, &v, 1), -1);
	data()[MOD_OFF + 3 * PAGE_SIZE + 5] ^= 1;
	/* The next check is another file: the old tags do not fit it. */
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	CHECK(last_file != first);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
}

TEST(modcheck_hash_refuses_bad_lists)
{
	struct lvbs_module_page *list = page_list();
	struct lvbs_mem_prot e = {
		.gpa = (u64)data() + LIST_OFF, .size = PAGE_SIZE,
		.perm = LVBS_PERM_R, .owner = LVBS_OWNER_KERNEL,
	};
	struct signed_mod sm;
	u32 applied;
	u64 v = 99, slot;

	stub_reset();
	sm = place_module("a_sha256.ko");
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	/* Reserved bits: the call and the check fail. */
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	memset(list, 0, sizeof(*list));
	list[0].gpa = (u64)data() + MOD_OFF;
	list[0].reserved = 1;
	CHECK_EQ(hc_cpu(0, MH, (u64)list, 1, 0, NULL, NULL), LVBS_E_INVAL);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_INCOMPLETE);
	/* A list the guest cannot write: no tags written there, check failed. */
	CHECK_EQ(slat_protect(hv_cpu_of(0), &e, 1, &applied), LVBS_OK);
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	memset(list, 0, sizeof(*list));
	list[0].gpa = (u64)data() + MOD_OFF;
	CHECK_EQ(hc_cpu(0, MH, (u64)list, 1, 0, NULL, NULL), LVBS_E_RANGE);
	for (u32 i = 0; i < LVBS_MODULE_TAG_LEN; i++)
		CHECK_EQ(list[0].tag[i], 0);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_INCOMPLETE);
}

TEST(modcheck_one_cpu_at_a_time)
{
	struct signed_mod sm;
	u64 slot, v = 99;

	stub_reset();
	sm = place_module("a_sha256.ko");
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	CHECK_EQ(hash_range(0, 0, 3), LVBS_OK);
	CHECK_EQ(begin(1, &sm, &v), LVBS_E_BUSY);
	CHECK_EQ(hash_range(1, 3, 1), LVBS_E_PERM);
	CHECK_EQ(hc_cpu(1, ME, 0, 0, 0, &v, NULL), LVBS_E_PERM);
	/* CPU 0 begins again: its old check is dropped, not counted. */
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	CHECK_EQ(hash_range(0, 0, mod_pages(&sm)), LVBS_OK);
	CHECK_EQ(hc_cpu(0, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_OK);
	CHECK_EQ(info().modules_verified + info().modules_failed, 1);
	CHECK_EQ(begin(1, &sm, &v), LVBS_OK);
	CHECK_EQ(hc_cpu(1, ME, 0, 0, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_INCOMPLETE);
}

/* A page of module text for @owner after SEAL: PROTECT_MEMORY's status. */
static long module_text(u64 page_off, u32 owner)
{
	struct lvbs_mem_prot e = {
		.gpa = (u64)data() + page_off, .size = PAGE_SIZE,
		.perm = LVBS_PERM_R | LVBS_PERM_XS, .owner = owner,
	};
	u32 applied;

	return slat_protect(hv_cpu_of(0), &e, 1, &applied);
}

TEST(modcheck_verified_owners_may_run_code)
{
	const u32 mod = LVBS_OWNER_MODULE_MIN + 40;
	struct signed_mod sm;
	u64 slot, v = 99, n;

	stub_reset();
	sm = place_module("a_sha256.ko");
	n = mod_pages(&sm);
	CHECK_EQ(add_key("a.der", &slot), LVBS_OK);
	seal();
	/* Owners must be module cookies (or 0); the check stays open. */
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	CHECK_EQ(hash_range(0, 0, n), LVBS_OK);
	CHECK_EQ(hc_cpu(0, ME, LVBS_OWNER_KERNEL, 0, 0, &v, NULL), LVBS_E_INVAL);
	CHECK_EQ(hc_cpu(0, ME, mod, 1ULL << 32, 0, &v, NULL), LVBS_E_INVAL);
	CHECK_EQ(module_text(0x80000, mod), LVBS_E_PERM);
	CHECK_EQ(hc_cpu(0, ME, mod, mod + 1, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_OK);
	CHECK_EQ(module_text(0x80000, mod), LVBS_OK);
	CHECK_EQ(module_text(0x81000, mod + 1), LVBS_OK);
	/* A check that failed authorizes nothing. */
	data()[MOD_OFF + 100] ^= 1;
	CHECK_EQ(begin(0, &sm, &v), LVBS_OK);
	CHECK_EQ(hash_range(0, 0, n), LVBS_OK);
	CHECK_EQ(hc_cpu(0, ME, mod + 2, mod + 3, 0, &v, NULL), LVBS_OK);
	CHECK_EQ(v, LVBS_MODCHECK_BAD_SIG);
	CHECK_EQ(module_text(0x82000, mod + 2), LVBS_E_PERM);
	CHECK_EQ(module_text(0x82000, mod + 3), LVBS_E_PERM);
}
