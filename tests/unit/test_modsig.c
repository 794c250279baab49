// SPDX-License-Identifier: GPL-2.0
/*
 * Module signatures (hv/core/modsig.c, der.c, crypto.c over BearSSL),
 * against modules signed by the kernel's own sign-file and by openssl cms
 * (fixtures: mkmodsig.sh, directory in LVBS_MODSIG_FIXTURES).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "fixture.h"
#include "core/der.h"
#include "core/modsig.h"

/* A fixture file, read whole (fixture.h). */
struct blob fixture_load(const char *name)
{
	const char *dir = getenv("LVBS_MODSIG_FIXTURES");
	struct blob b = { NULL, 0 };
	char path[512];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", name);
	f = fopen(path, "rb");
	if (!f) {
		test_fail(__FILE__, __LINE__, "cannot open fixture %s", path);
		return b;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b.p = malloc(n ? n : 1);
	b.len = fread(b.p, 1, n, f);
	fclose(f);
	return b;
}

static struct crypto_x509_scratch scratch;
static struct modsig_key keys[3];	/* a, b, c */

static void load_keys(void)
{
	static const char *const names[] = { "a.der", "b.der", "c.der" };
	int i;

	for (i = 0; i < 3; i++) {
		struct blob c = fixture_load(names[i]);

		CHECK_EQ(modsig_key_from_cert(&scratch, c.p, c.len, &keys[i]), MODSIG_OK);
		free(c.p);
	}
}

static int verify(const struct blob *m, const struct modsig_key *k, size_t nr,
		  const struct modsig_key **used)
{
	return modsig_verify(m->p, m->len, k, nr, used);
}

TEST(modsig_certificate_fields)
{
	struct blob fpr = fixture_load("a.fpr");
	char hex[65];
	int i;

	load_keys();
	CHECK_EQ(keys[0].key.type, CRYPTO_KEY_RSA);
	CHECK_EQ(keys[0].key.len, 256);
	CHECK_EQ(keys[1].key.len, 512);
	CHECK_EQ(keys[0].key.e_len, 3);		/* 65537 */
	CHECK_EQ(keys[2].key.type, CRYPTO_KEY_EC);
	CHECK_EQ(keys[2].key.curve, 24);	/* BR_EC_secp384r1 */
	CHECK_EQ(keys[2].key.len, 97);		/* 04 || x || y */
	CHECK(keys[0].keyid_len == 20);		/* subjectKeyIdentifier=hash */
	CHECK(keys[0].serial_len > 0 && keys[0].issuer_len > 0);
	/* Self-signed: issuer and subject are the same Name. */
	CHECK(keys[0].issuer_len == keys[0].subject_len &&
	      !memcmp(keys[0].issuer, keys[0].subject, keys[0].issuer_len));
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02X", keys[0].fpr[i]);
	CHECK(fpr.len >= 64 && !memcmp(hex, fpr.p, 64));
	free(fpr.p);
}

TEST(modsig_sign_file_signatures_verify)
{
	struct blob a = fixture_load("a_sha256.ko"), b = fixture_load("b_sha512.ko");
	const struct modsig_key *used = NULL;
	struct modsig s;

	load_keys();
	CHECK_EQ(modsig_parse(a.p, a.len, &s), MODSIG_OK);
	CHECK_EQ(s.hash, CRYPTO_SHA256);
	CHECK_EQ(s.content_len, 70000);
	CHECK_EQ(s.sig.len, 256);
	CHECK_EQ(verify(&a, keys, 2, &used), MODSIG_OK);
	CHECK(used == &keys[0]);
	CHECK_EQ(verify(&b, keys, 2, &used), MODSIG_OK);
	CHECK(used == &keys[1]);
	CHECK_EQ(modsig_parse(b.p, b.len, &s), MODSIG_OK);
	CHECK_EQ(s.hash, CRYPTO_SHA512);
	free(a.p);
	free(b.p);
}

/* As Debian's 6.12 kernels sign their modules: ECDSA P-384 over SHA-256. */
TEST(modsig_ecdsa_p384_signature_verifies)
{
	struct blob c = fixture_load("c_sha256.ko");
	const struct modsig_key *used = NULL;
	struct modsig s;

	load_keys();
	CHECK_EQ(modsig_parse(c.p, c.len, &s), MODSIG_OK);
	CHECK_EQ(s.key_type, CRYPTO_KEY_EC);
	CHECK_EQ(verify(&c, keys, 3, &used), MODSIG_OK);
	CHECK(used == &keys[2]);
	free(c.p);
}

TEST(modsig_signer_by_key_id_verifies)
{
	struct blob m = fixture_load("a_keyid_sha384.ko");
	const struct modsig_key *used = NULL;
	struct modsig s;

	load_keys();
	CHECK_EQ(modsig_parse(m.p, m.len, &s), MODSIG_OK);
	CHECK_EQ(s.hash, CRYPTO_SHA384);
	CHECK_EQ(s.keyid.len, 20);
	CHECK_EQ(verify(&m, keys, 2, &used), MODSIG_OK);
	CHECK(used == &keys[0]);
	free(m.p);
}

TEST(modsig_refuses_unsigned_unknown_key_and_signed_attributes)
{
	struct blob u = fixture_load("unsigned.ko"), a = fixture_load("a_sha256.ko"), t = fixture_load("a_attrs_sha256.ko");

	load_keys();
	CHECK_EQ(verify(&u, keys, 2, NULL), MODSIG_E_UNSIGNED);
	CHECK_EQ(verify(&a, &keys[1], 1, NULL), MODSIG_E_UNKNOWN_KEY);
	CHECK_EQ(verify(&a, keys, 0, NULL), MODSIG_E_UNKNOWN_KEY);
	CHECK_EQ(verify(&t, keys, 2, NULL), MODSIG_E_UNSUPPORTED);
	free(u.p);
	free(a.p);
	free(t.p);
}

/* A key whose fields were never what a certificate gives is refused, not trusted. */
TEST(modsig_verify_refuses_impossible_keys)
{
	struct blob c = fixture_load("c_sha256.ko");
	struct modsig_key k;

	load_keys();
	k = keys[2];
	k.key.curve = 200;		/* a shift past 31 would be undefined */
	CHECK_EQ(verify(&c, &k, 1, NULL), MODSIG_E_BAD_SIG);
	k = keys[2];
	k.key.curve = 23;		/* P-256: the point is P-384's */
	CHECK_EQ(verify(&c, &k, 1, NULL), MODSIG_E_BAD_SIG);
	k = keys[0];
	k.key.len = CRYPTO_MAX_RSA_BYTES + 1;
	CHECK_EQ(crypto_verify(&k.key, CRYPTO_SHA256, k.fpr, k.fpr, 32), 0);
	k.key.len = 256;
	k.key.type = 7;
	CHECK_EQ(crypto_verify(&k.key, CRYPTO_SHA256, k.fpr, k.fpr, 32), 0);
	free(c.p);
}

/* The same key's numbers under another name must not be taken for it. */
TEST(modsig_key_is_matched_by_issuer_and_serial)
{
	struct blob a = fixture_load("a_sha256.ko");
	struct modsig_key k;

	load_keys();
	k = keys[0];
	k.serial[k.serial_len - 1] ^= 1;
	CHECK_EQ(verify(&a, &k, 1, NULL), MODSIG_E_UNKNOWN_KEY);
	k = keys[0];
	k.issuer[k.issuer_len - 1] ^= 1;
	CHECK_EQ(verify(&a, &k, 1, NULL), MODSIG_E_UNKNOWN_KEY);
	/* The right name with another key's numbers: a bad signature. */
	k = keys[2];
	memcpy(k.issuer, keys[0].issuer, keys[0].issuer_len);
	k.issuer_len = keys[0].issuer_len;
	memcpy(k.serial, keys[0].serial, keys[0].serial_len);
	k.serial_len = keys[0].serial_len;
	CHECK_EQ(verify(&a, &k, 1, NULL), MODSIG_E_BAD_SIG);
	k = keys[1];
	memcpy(k.issuer, keys[0].issuer, keys[0].issuer_len);
	k.issuer_len = keys[0].issuer_len;
	memcpy(k.serial, keys[0].serial, keys[0].serial_len);
	k.serial_len = keys[0].serial_len;
	CHECK_EQ(verify(&a, &k, 1, NULL), MODSIG_E_BAD_SIG);
	free(a.p);
}

/*
 * Every one-bit change of the signature, its trailer, or the module must
 * be refused; none may crash (ASan). 64 places in the module are enough:
 * the whole of it is hashed. The exception is struct module_signature's
 * three pad bytes, which mean nothing and which the kernel ignores too.
 */
static void flip_everywhere(const char *name, size_t nr_keys)
{
	struct blob m = fixture_load(name);
	size_t i, tail, bad = 0;
	struct modsig s;

	load_keys();
	CHECK_EQ(modsig_parse(m.p, m.len, &s), MODSIG_OK);
	tail = m.len - s.content_len;
	for (i = 0; i < tail + 64; i++) {
		size_t pos = i < tail ? s.content_len + i : (i - tail) * (s.content_len / 64);
		int bit;

		if (pos >= m.len - MODSIG_MAGIC_LEN - 7 && pos < m.len - MODSIG_MAGIC_LEN - 4)
			continue;	/* the pad */
		for (bit = 0; bit < 8; bit += (i < tail ? 1 : 8)) {
			m.p[pos] ^= 1u << bit;
			if (verify(&m, keys, nr_keys, NULL) == MODSIG_OK) {
				if (!bad++)
					test_fail(__FILE__, __LINE__, "%s: flipping bit %d at %zu still verifies",
						  name, bit, pos);
			}
			m.p[pos] ^= 1u << bit;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(verify(&m, keys, nr_keys, NULL), MODSIG_OK);
	free(m.p);
}

TEST(modsig_every_flipped_bit_is_refused)
{
	flip_everywhere("a_sha256.ko", 3);
	flip_everywhere("a_keyid_sha384.ko", 3);
	flip_everywhere("c_sha256.ko", 3);
}

TEST(modsig_every_truncation_is_refused)
{
	struct blob m = fixture_load("b_sha512.ko");
	size_t len;

	load_keys();
	for (len = 0; len < m.len; len += (len + 2000 < m.len ? 997 : 1)) {
		u8 *copy = malloc(len ? len : 1);

		/* A fresh buffer of exactly len bytes: ASan sees any overread. */
		memcpy(copy, m.p, len);
		CHECK(modsig_verify(copy, len, keys, 2, NULL) != MODSIG_OK);
		free(copy);
	}
	free(m.p);
}

TEST(modsig_trailer_lengths_are_bounded)
{
	struct blob a = fixture_load("a_sha256.ko");
	u8 *info;
	struct modsig s;

	info = a.p + a.len - MODSIG_MAGIC_LEN - MODSIG_INFO_LEN;
	info[8] = 0xff;		/* sig_len far beyond the file */
	CHECK_EQ(modsig_parse(a.p, a.len, &s), MODSIG_E_FORMAT);
	memset(info + 8, 0, 4);
	CHECK_EQ(modsig_parse(a.p, a.len, &s), MODSIG_E_FORMAT);
	CHECK_EQ(modsig_parse(a.p, MODSIG_MAGIC_LEN, &s), MODSIG_E_UNSIGNED);
	free(a.p);
}

TEST(modsig_certificate_garbage_is_refused)
{
	struct blob a = fixture_load("a.der");
	struct modsig_key k;
	size_t len;
	u8 *copy;

	for (len = 0; len < a.len; len++) {
		copy = malloc(len ? len : 1);
		memcpy(copy, a.p, len);
		CHECK(modsig_key_from_cert(&scratch, copy, len, &k) != MODSIG_OK);
		free(copy);
	}
	copy = malloc(a.len + 1);
	memcpy(copy, a.p, a.len);
	copy[a.len] = 0;
	CHECK(modsig_key_from_cert(&scratch, copy, a.len + 1, &k) != MODSIG_OK);
	free(copy);
	free(a.p);
}

TEST(der_lengths_must_be_shortest_and_in_bounds)
{
	static const u8 ok[] = { 0x04, 0x81, 0x80 };
	static const u8 long_short[] = { 0x04, 0x81, 0x05, 1, 2, 3, 4, 5 };
	static const u8 zero_lead[] = { 0x04, 0x82, 0x00, 0x85 };
	static const u8 past_end[] = { 0x04, 0x05, 1, 2 };
	static const u8 high_tag[] = { 0x1f, 0x01, 0x00 };
	static const u8 indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
	static const u8 five_bytes[] = { 0x04, 0x85, 1, 0, 0, 0, 0 };
	u8 buf[3 + 0x80] = { 0 };
	struct der c, v;
	u8 tag;

	memcpy(buf, ok, sizeof(ok));
	c = (struct der){ buf, sizeof(buf) };
	CHECK_EQ(der_next(&c, &tag, &v), 0);
	CHECK_EQ(v.len, 0x80);
	CHECK_EQ(c.len, 0);
#define BAD(x) do { c = (struct der){ x, sizeof(x) }; CHECK_EQ(der_next(&c, &tag, &v), -1); \
		    CHECK(c.p == x && c.len == sizeof(x)); } while (0)
	BAD(long_short);
	BAD(zero_lead);
	BAD(past_end);
	BAD(high_tag);
	BAD(indefinite);
	BAD(five_bytes);
#undef BAD
}
