// SPDX-License-Identifier: GPL-2.0
/* Linux module signatures (modsig.h). */
#include "modsig.h"

/* OIDs, contents only. */
static const u8 oid_signed_data[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const u8 oid_data[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01 };
static const u8 oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
static const u8 oid_ecdsa_sha[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03 };	/* .2-.4 */
static const u8 oid_skid[] = { 0x55, 0x1d, 0x0e };
static const u8 oid_cn[] = { 0x55, 0x04, 0x03 };

static const struct {
	u8 oid[9];		/* the hash alone */
	u8 rsa_last;		/* last byte of its sha*WithRSAEncryption OID */
	u8 ecdsa_last;		/* last byte of its ecdsa-with-SHA* OID */
	int alg;
} hashes[] = {
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 }, 0x0b, 0x02, CRYPTO_SHA256 },
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 }, 0x0c, 0x03, CRYPTO_SHA384 },
	{ { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 }, 0x0d, 0x04, CRYPTO_SHA512 },
};

#define PKEY_ID_PKCS7	2	/* struct module_signature.id_type */

static const char *const result_names[MODSIG_NR_RESULTS] = {
	[MODSIG_OK] = "ok",
	[MODSIG_E_UNSIGNED] = "unsigned",
	[MODSIG_E_FORMAT] = "malformed signature",
	[MODSIG_E_UNSUPPORTED] = "unsupported signature",
	[MODSIG_E_UNKNOWN_KEY] = "unknown key",
	[MODSIG_E_BAD_SIG] = "bad signature",
};

const char *modsig_result_name(int r)
{
	return r >= 0 && r < MODSIG_NR_RESULTS ? result_names[r] : "?";
}

/*
 * An AlgorithmIdentifier: its OID into *oid; parameters, if any, must be
 * NULL (as for every algorithm accepted here).
 */
static int read_alg(struct der *c, struct der *oid)
{
	struct der seq, param;

	if (der_expect(c, DER_SEQUENCE, &seq) || der_expect(&seq, DER_OID, oid))
		return -1;
	if (seq.len && (der_expect(&seq, DER_NULL, &param) || param.len))
		return -1;
	return seq.len ? -1 : 0;
}

static int hash_of_oid(const struct der *oid)
{
	size_t i;

	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (der_oid_is(oid, hashes[i].oid, sizeof(hashes[i].oid)))
			return hashes[i].alg;
	return 0;
}

/*
 * The key type a signature algorithm OID names, if it goes with hash
 * @alg: rsaEncryption or sha*WithRSAEncryption, or ecdsa-with-SHA*.
 * 0 for anything else.
 */
static int sig_key_type(const struct der *oid, int alg)
{
	size_t i;

	if (der_oid_is(oid, oid_rsa, sizeof(oid_rsa)))
		return CRYPTO_KEY_RSA;
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		u8 with_rsa[9], ecdsa[8];

		if (hashes[i].alg != alg)
			continue;
		memcpy(with_rsa, oid_rsa, sizeof(with_rsa));
		with_rsa[8] = hashes[i].rsa_last;
		if (der_oid_is(oid, with_rsa, sizeof(with_rsa)))
			return CRYPTO_KEY_RSA;
		memcpy(ecdsa, oid_ecdsa_sha, sizeof(oid_ecdsa_sha));
		ecdsa[7] = hashes[i].ecdsa_last;
		if (der_oid_is(oid, ecdsa, sizeof(ecdsa)))
			return CRYPTO_KEY_EC;
	}
	return 0;
}

/* ---------------------------------------------------------- certificates */

static int copy8(u8 *dst, size_t cap, const struct der *src, u8 *len)
{
	if (src->len > cap || src->len > 0xff)
		return -1;
	memcpy(dst, src->p, src->len);
	*len = (u8)src->len;
	return 0;
}

static int copy16(u8 *dst, size_t cap, const struct der *src, u16 *len)
{
	if (src->len > cap || src->len > 0xffff)
		return -1;
	memcpy(dst, src->p, src->len);
	*len = (u16)src->len;
	return 0;
}

/* The subjectKeyIdentifier among a certificate's extensions, if any. */
static int find_keyid(struct der exts, struct modsig_key *k)
{
	struct der seq, ext, oid, val, crit, keyid;

	if (der_expect(&exts, DER_SEQUENCE, &seq) || exts.len)
		return -1;
	while (seq.len) {
		if (der_expect(&seq, DER_SEQUENCE, &ext) || der_expect(&ext, DER_OID, &oid))
			return -1;
		if (der_optional(&ext, 0x01, &crit) < 0)	/* BOOLEAN critical */
			return -1;
		if (der_expect(&ext, DER_OCTET_STRING, &val) || ext.len)
			return -1;
		if (!der_oid_is(&oid, oid_skid, sizeof(oid_skid)))
			continue;
		if (k->keyid_len || der_expect(&val, DER_OCTET_STRING, &keyid) || val.len ||
		    !keyid.len || copy8(k->keyid, sizeof(k->keyid), &keyid, &k->keyid_len))
			return -1;
	}
	return 0;
}

/* A string tag an X.509 name may be written in: UTF8, Printable, T61, IA5. */
static bool string_tag(u8 tag)
{
	return tag == 0x0c || tag == 0x13 || tag == 0x14 || tag == 0x16;
}

/*
 * The first commonName of the Name @name (whole TLV) into @out, for people
 * to read: bytes outside printable ASCII become '?', and a long one is
 * cut. Empty if there is none; a malformed Name was refused before this.
 */
static void name_cn(const u8 *name, size_t len, char *out, size_t cap)
{
	struct der all = { name, len }, seq, set, atv, oid, val;
	size_t i;
	u8 tag;

	out[0] = 0;
	if (der_expect(&all, DER_SEQUENCE, &seq))
		return;
	while (seq.len && !der_expect(&seq, DER_SET, &set)) {
		while (set.len && !der_expect(&set, DER_SEQUENCE, &atv)) {
			if (der_expect(&atv, DER_OID, &oid) || der_next(&atv, &tag, &val) ||
			    !der_oid_is(&oid, oid_cn, sizeof(oid_cn)) || !string_tag(tag))
				continue;
			for (i = 0; i < val.len && i + 1 < cap; i++)
				out[i] = val.p[i] >= 0x20 && val.p[i] < 0x7f ? (char)val.p[i] : '?';
			out[i] = 0;
			return;
		}
	}
}

int modsig_key_from_cert(struct crypto_x509_scratch *scratch, const u8 *der, size_t len,
			 struct modsig_key *k)
{
	struct der all = { der, len }, cert, tbs, ver, serial, issuer, subject, skip, exts;
	struct crypto_hash h;
	int r;

	memset(k, 0, sizeof(*k));
	if (der_expect(&all, DER_SEQUENCE, &cert) || all.len ||
	    der_expect(&cert, DER_SEQUENCE, &tbs))
		return MODSIG_E_FORMAT;
	if (der_optional(&tbs, DER_CTX_CONS(0), &ver) < 0 ||
	    der_expect(&tbs, DER_INTEGER, &serial) ||
	    der_expect(&tbs, DER_SEQUENCE, &skip) ||		/* signature algorithm */
	    der_expect_whole(&tbs, DER_SEQUENCE, &issuer) ||
	    der_expect(&tbs, DER_SEQUENCE, &skip) ||		/* validity */
	    der_expect_whole(&tbs, DER_SEQUENCE, &subject) ||
	    der_expect(&tbs, DER_SEQUENCE, &skip))		/* subjectPublicKeyInfo */
		return MODSIG_E_FORMAT;
	if (der_optional(&tbs, DER_CTX(1), &skip) < 0 ||	/* issuerUniqueID */
	    der_optional(&tbs, DER_CTX(2), &skip) < 0)		/* subjectUniqueID */
		return MODSIG_E_FORMAT;
	r = der_optional(&tbs, DER_CTX_CONS(3), &exts);
	if (r < 0 || tbs.len || (r == 1 && find_keyid(exts, k)))
		return MODSIG_E_FORMAT;
	if (copy8(k->serial, sizeof(k->serial), &serial, &k->serial_len) ||
	    copy16(k->issuer, sizeof(k->issuer), &issuer, &k->issuer_len) ||
	    copy16(k->subject, sizeof(k->subject), &subject, &k->subject_len))
		return MODSIG_E_UNSUPPORTED;
	if (crypto_x509_pubkey(scratch, der, len, &k->key))
		return MODSIG_E_UNSUPPORTED;
	name_cn(k->subject, k->subject_len, k->name, sizeof(k->name));
	crypto_hash_init(&h, CRYPTO_SHA256);
	crypto_hash_update(&h, der, len);
	crypto_hash_final(&h, k->fpr);
	return MODSIG_OK;
}

/* ------------------------------------------------------------ signatures */

/* The signer: by issuer and serial (version 1) or by key id (version 3). */
static int read_sid(struct der *si, struct modsig *out)
{
	struct der ver, ias;

	if (der_expect(si, DER_INTEGER, &ver) || ver.len != 1)
		return MODSIG_E_FORMAT;
	if (ver.p[0] == 1) {
		if (der_expect(si, DER_SEQUENCE, &ias) ||
		    der_expect_whole(&ias, DER_SEQUENCE, &out->issuer) ||
		    der_expect(&ias, DER_INTEGER, &out->serial) || ias.len)
			return MODSIG_E_FORMAT;
		return MODSIG_OK;
	}
	if (ver.p[0] == 3) {
		if (der_expect(si, DER_CTX(0), &out->keyid) || !out->keyid.len)
			return MODSIG_E_FORMAT;
		return MODSIG_OK;
	}
	return MODSIG_E_UNSUPPORTED;
}

static int read_signer(struct der si, struct modsig *out)
{
	struct der oid, attrs;
	int r;

	r = read_sid(&si, out);
	if (r)
		return r;
	if (read_alg(&si, &oid))
		return MODSIG_E_FORMAT;
	out->hash = hash_of_oid(&oid);
	if (!out->hash)
		return MODSIG_E_UNSUPPORTED;
	/*
	 * Signed attributes would make the signature cover them rather than
	 * the module (with the module's digest inside). sign-file never adds
	 * them; refusing them keeps one thing to check.
	 */
	r = der_optional(&si, DER_CTX_CONS(0), &attrs);
	if (r)
		return r < 0 ? MODSIG_E_FORMAT : MODSIG_E_UNSUPPORTED;
	/* ECDSA's algorithm identifiers carry no parameters at all. */
	if (read_alg(&si, &oid))
		return MODSIG_E_FORMAT;
	out->key_type = sig_key_type(&oid, out->hash);
	if (!out->key_type)
		return MODSIG_E_UNSUPPORTED;
	if (der_expect(&si, DER_OCTET_STRING, &out->sig) || !out->sig.len)
		return MODSIG_E_FORMAT;
	/* Unsigned attributes ([1]) change nothing that is checked. */
	if (der_optional(&si, DER_CTX_CONS(1), &attrs) < 0 || si.len)
		return MODSIG_E_FORMAT;
	return MODSIG_OK;
}

/* digestAlgorithms: exactly the one the signer used. */
static int check_digest_algs(struct der algs, int hash)
{
	struct der oid;

	if (read_alg(&algs, &oid) || algs.len)
		return MODSIG_E_UNSUPPORTED;
	return hash_of_oid(&oid) == hash ? MODSIG_OK : MODSIG_E_FORMAT;
}

static int read_pkcs7(struct der p7, struct modsig *out)
{
	struct der ci, oid, body, sd, ver, algs, skip, inner, signers, si;
	int r;

	if (der_expect(&p7, DER_SEQUENCE, &ci) || p7.len ||
	    der_expect(&ci, DER_OID, &oid) ||
	    !der_oid_is(&oid, oid_signed_data, sizeof(oid_signed_data)) ||
	    der_expect(&ci, DER_CTX_CONS(0), &body) || ci.len ||
	    der_expect(&body, DER_SEQUENCE, &sd) || body.len)
		return MODSIG_E_FORMAT;
	/* Version 1 with a signer named by issuer and serial, 3 by key id. */
	if (der_expect(&sd, DER_INTEGER, &ver) || ver.len != 1 ||
	    (ver.p[0] != 1 && ver.p[0] != 3) ||
	    der_expect(&sd, DER_SET, &algs) ||
	    der_expect(&sd, DER_SEQUENCE, &inner))	/* encapContentInfo */
		return MODSIG_E_FORMAT;
	/* Detached: the content is the module, not inside the signature. */
	if (der_expect(&inner, DER_OID, &oid) || !der_oid_is(&oid, oid_data, sizeof(oid_data)))
		return MODSIG_E_FORMAT;
	if (inner.len)
		return MODSIG_E_UNSUPPORTED;
	if (der_optional(&sd, DER_CTX_CONS(0), &skip) < 0 ||	/* certificates */
	    der_optional(&sd, DER_CTX_CONS(1), &skip) < 0 ||	/* crls */
	    der_expect(&sd, DER_SET, &signers) || sd.len)
		return MODSIG_E_FORMAT;
	if (der_expect(&signers, DER_SEQUENCE, &si))
		return MODSIG_E_FORMAT;
	if (signers.len)		/* one signer, as sign-file makes */
		return MODSIG_E_UNSUPPORTED;
	r = read_signer(si, out);
	if (r)
		return r;
	if ((ver.p[0] == 3) != (out->keyid.len != 0))
		return MODSIG_E_FORMAT;
	return check_digest_algs(algs, out->hash);
}

int modsig_parse(const u8 *file, size_t len, struct modsig *out)
{
	const u8 *info;
	struct der p7;
	u32 sig_len;

	memset(out, 0, sizeof(*out));
	if (len < MODSIG_MAGIC_LEN ||
	    memcmp(file + len - MODSIG_MAGIC_LEN, MODSIG_MAGIC, MODSIG_MAGIC_LEN))
		return MODSIG_E_UNSIGNED;
	len -= MODSIG_MAGIC_LEN;
	if (len < MODSIG_INFO_LEN)
		return MODSIG_E_FORMAT;
	info = file + len - MODSIG_INFO_LEN;
	len -= MODSIG_INFO_LEN;
	/*
	 * algo, hash, id_type, signer_len, key_id_len, pad[3], be32 sig_len.
	 * The pad is not looked at, as the kernel does not.
	 */
	if (info[2] != PKEY_ID_PKCS7)
		return MODSIG_E_UNSUPPORTED;
	if (info[0] || info[1] || info[3] || info[4])
		return MODSIG_E_FORMAT;
	sig_len = (u32)info[8] << 24 | (u32)info[9] << 16 | (u32)info[10] << 8 | info[11];
	if (!sig_len || sig_len > len)
		return MODSIG_E_FORMAT;
	out->content_len = len - sig_len;
	p7.p = file + out->content_len;
	p7.len = sig_len;
	return read_pkcs7(p7, out);
}

static bool der_eq(const struct der *d, const u8 *b, size_t len)
{
	return d->len == len && !memcmp(d->p, b, len);
}

const struct modsig_key *modsig_find_key(const struct modsig *s, const struct modsig_key *keys,
					 size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		const struct modsig_key *k = &keys[i];

		if (s->keyid.len ? der_eq(&s->keyid, k->keyid, k->keyid_len) :
		    der_eq(&s->issuer, k->issuer, k->issuer_len) &&
		    der_eq(&s->serial, k->serial, k->serial_len))
			return k;
	}
	return NULL;
}

int modsig_check(const struct modsig *s, const u8 *digest, const struct modsig_key *k)
{
	if (s->key_type != k->key.type)
		return MODSIG_E_BAD_SIG;
	return crypto_verify(&k->key, s->hash, digest, s->sig.p, s->sig.len) ?
	       MODSIG_OK : MODSIG_E_BAD_SIG;
}

int modsig_verify(const u8 *file, size_t len, const struct modsig_key *keys, size_t nr,
		  const struct modsig_key **used)
{
	u8 digest[CRYPTO_MAX_DIGEST];
	const struct modsig_key *k;
	struct crypto_hash h;
	struct modsig s;
	int r;

	r = modsig_parse(file, len, &s);
	if (r)
		return r;
	k = modsig_find_key(&s, keys, nr);
	if (!k)
		return MODSIG_E_UNKNOWN_KEY;
	crypto_hash_init(&h, s.hash);
	crypto_hash_update(&h, file, s.content_len);
	crypto_hash_final(&h, digest);
	r = modsig_check(&s, digest, k);
	if (!r && used)
		*used = k;
	return r;
}

/* ---------------------------------------------- certificates signed by keys */

/*
 * The hash and key type of a certificate's signatureAlgorithm: one of the
 * sha*WithRSAEncryption or ecdsa-with-SHA* OIDs (bare rsaEncryption names
 * no hash, so it is not one). 0, or -1 for any other.
 */
static int cert_sig_alg(const struct der *oid, int *hash, int *key_type)
{
	size_t i;

	if (der_oid_is(oid, oid_rsa, sizeof(oid_rsa)))
		return -1;
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		*key_type = sig_key_type(oid, hashes[i].alg);
		if (*key_type) {
			*hash = hashes[i].alg;
			return 0;
		}
	}
	return -1;
}

int modsig_cert_signer(const u8 *der, size_t len, const struct modsig_key *keys, size_t nr,
		       size_t *signer)
{
	struct der all = { der, len }, cert, tbs_whole, outer, tbs, skip, alg_in, alg_out, oid, bits;
	struct der issuer;
	u8 digest[CRYPTO_MAX_DIGEST];
	int hash, key_type, r = MODSIG_E_UNKNOWN_KEY;
	struct crypto_hash h;
	size_t i;

	if (der_expect(&all, DER_SEQUENCE, &cert) || all.len ||
	    der_expect_whole(&cert, DER_SEQUENCE, &tbs_whole) ||
	    der_expect_whole(&cert, DER_SEQUENCE, &alg_out) ||
	    der_expect(&cert, DER_BIT_STRING, &bits) || cert.len)
		return MODSIG_E_FORMAT;
	/* The signature, in whole bytes: no unused bits. */
	if (bits.len < 2 || bits.p[0])
		return MODSIG_E_FORMAT;
	skip = alg_out;
	if (read_alg(&skip, &oid))
		return MODSIG_E_FORMAT;
	if (cert_sig_alg(&oid, &hash, &key_type))
		return MODSIG_E_UNSUPPORTED;
	outer = tbs_whole;
	if (der_expect(&outer, DER_SEQUENCE, &tbs) ||
	    der_optional(&tbs, DER_CTX_CONS(0), &skip) < 0 ||
	    der_expect(&tbs, DER_INTEGER, &skip) ||
	    der_expect_whole(&tbs, DER_SEQUENCE, &alg_in) ||
	    der_expect_whole(&tbs, DER_SEQUENCE, &issuer))
		return MODSIG_E_FORMAT;
	/* RFC 5280 4.1.1.2: the signed copy of the algorithm must be the same. */
	if (alg_in.len != alg_out.len || memcmp(alg_in.p, alg_out.p, alg_in.len))
		return MODSIG_E_FORMAT;
	crypto_hash_init(&h, hash);
	crypto_hash_update(&h, tbs_whole.p, tbs_whole.len);
	crypto_hash_final(&h, digest);
	for (i = 0; i < nr; i++) {
		const struct modsig_key *k = &keys[i];

		if (!der_eq(&issuer, k->subject, k->subject_len))
			continue;
		r = MODSIG_E_BAD_SIG;
		if (k->key.type == key_type &&
		    crypto_verify(&k->key, hash, digest, bits.p + 1, bits.len - 1)) {
			*signer = i;
			return MODSIG_OK;
		}
	}
	return r;
}
