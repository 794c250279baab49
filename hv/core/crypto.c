// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's cryptography over BearSSL (crypto.h): the SHA-2 family,
 * the constant-time i31 RSA and NIST-curve ECDSA code, the X.509 decoder,
 * ChaCha20-Poly1305 as a MAC.
 * No assembly and no SSE (hv/Makefile builds BearSSL with the hypervisor's
 * flags); BearSSL's tables of curve parameters and functions are
 * relocated by the image itself (core/reloc.c).
 */
#include <bearssl_hash.h>
#include <bearssl_block.h>
#include <bearssl_ec.h>
#include <bearssl_rsa.h>
#include <bearssl_x509.h>
#include "crypto.h"

_Static_assert(sizeof(br_sha256_context) <= sizeof(((struct crypto_hash *)0)->space),
	       "crypto_hash too small for SHA-256");
_Static_assert(sizeof(br_sha512_context) <= sizeof(((struct crypto_hash *)0)->space),
	       "crypto_hash too small for SHA-512");
_Static_assert(sizeof(br_x509_decoder_context) <= sizeof(struct crypto_x509_scratch),
	       "crypto_x509_scratch too small for BearSSL's X.509 decoder");

size_t crypto_digest_len(int alg)
{
	switch (alg) {
	case CRYPTO_SHA256:
		return br_sha256_SIZE;
	case CRYPTO_SHA384:
		return br_sha384_SIZE;
	case CRYPTO_SHA512:
		return br_sha512_SIZE;
	}
	return 0;
}

int crypto_hash_init(struct crypto_hash *h, int alg)
{
	h->alg = alg;
	switch (alg) {
	case CRYPTO_SHA256:
		br_sha256_init((br_sha256_context *)h->space);
		return 0;
	case CRYPTO_SHA384:
		br_sha384_init((br_sha384_context *)h->space);
		return 0;
	case CRYPTO_SHA512:
		br_sha512_init((br_sha512_context *)h->space);
		return 0;
	}
	return -1;
}

void crypto_hash_update(struct crypto_hash *h, const void *data, size_t len)
{
	switch (h->alg) {
	case CRYPTO_SHA256:
		br_sha256_update((br_sha256_context *)h->space, data, len);
		break;
	case CRYPTO_SHA384:
		br_sha384_update((br_sha384_context *)h->space, data, len);
		break;
	case CRYPTO_SHA512:
		br_sha512_update((br_sha512_context *)h->space, data, len);
		break;
	}
}

void crypto_mac(const u8 *key, const u8 *nonce, const void *msg, size_t len, u8 *tag)
{
	/* Poly1305 with 64-bit multiplies; ChaCha20 without SIMD (no SSE here). */
	br_poly1305_ctmulq_run(key, nonce, NULL, 0, msg, len, tag, br_chacha20_ct_run, 1);
}

void crypto_hash_final(struct crypto_hash *h, u8 *out)
{
	switch (h->alg) {
	case CRYPTO_SHA256:
		br_sha256_out((br_sha256_context *)h->space, out);
		break;
	case CRYPTO_SHA384:
		br_sha384_out((br_sha384_context *)h->space, out);
		break;
	case CRYPTO_SHA512:
		br_sha512_out((br_sha512_context *)h->space, out);
		break;
	}
}

/* The DigestInfo OIDs BearSSL's PKCS#1 check takes: a length byte first. */
static const unsigned char *hash_oid(int alg)
{
	switch (alg) {
	case CRYPTO_SHA256:
		return BR_HASH_OID_SHA256;
	case CRYPTO_SHA384:
		return BR_HASH_OID_SHA384;
	case CRYPTO_SHA512:
		return BR_HASH_OID_SHA512;
	}
	return NULL;
}

static int rsa_verify(const struct crypto_pubkey *k, int alg, const u8 *digest,
		      const u8 *sig, size_t sig_len)
{
	unsigned char got[CRYPTO_MAX_DIGEST];
	size_t dlen = crypto_digest_len(alg);
	br_rsa_public_key pk;

	if (!k->e_len)
		return 0;
	/* BearSSL's key structure is not const; nothing writes through it. */
	pk.n = (unsigned char *)k->key;
	pk.nlen = k->len;
	pk.e = (unsigned char *)k->e;
	pk.elen = k->e_len;
	if (!br_rsa_i31_pkcs1_vrfy(sig, sig_len, hash_oid(alg), dlen, &pk, got))
		return 0;
	return !memcmp(got, digest, dlen);
}

/* br_ec_prime_i31 does the NIST curves, all in constant time. */
static int ec_verify(const struct crypto_pubkey *k, int alg, const u8 *digest,
		     const u8 *sig, size_t sig_len)
{
	br_ec_public_key pk;

	if (k->curve > 31 || !(br_ec_prime_i31.supported_curves >> k->curve & 1))
		return 0;
	pk.curve = k->curve;
	pk.q = (unsigned char *)k->key;
	pk.qlen = k->len;
	return br_ecdsa_i31_vrfy_asn1(&br_ec_prime_i31, digest, crypto_digest_len(alg), &pk,
				      sig, sig_len) == 1;
}

int crypto_verify(const struct crypto_pubkey *pk, int alg, const u8 *digest,
		  const u8 *sig, size_t sig_len)
{
	if (!crypto_digest_len(alg) || !pk->len || pk->len > CRYPTO_MAX_RSA_BYTES)
		return 0;
	switch (pk->type) {
	case CRYPTO_KEY_RSA:
		return rsa_verify(pk, alg, digest, sig, sig_len);
	case CRYPTO_KEY_EC:
		return ec_verify(pk, alg, digest, sig, sig_len);
	}
	return 0;
}

/* The decoder hands over the subject name piece by piece: not needed here. */
static void ignore_dn(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

static int copy_key(const br_x509_pkey *in, struct crypto_pubkey *pk)
{
	memset(pk, 0, sizeof(*pk));
	switch (in->key_type) {
	case BR_KEYTYPE_RSA:
		if (in->key.rsa.nlen > sizeof(pk->key) || in->key.rsa.elen > sizeof(pk->e))
			return -1;
		pk->type = CRYPTO_KEY_RSA;
		pk->len = (u16)in->key.rsa.nlen;
		memcpy(pk->key, in->key.rsa.n, in->key.rsa.nlen);
		pk->e_len = (u8)in->key.rsa.elen;
		memcpy(pk->e, in->key.rsa.e, in->key.rsa.elen);
		return 0;
	case BR_KEYTYPE_EC:
		if (in->key.ec.qlen > sizeof(pk->key) || in->key.ec.curve > 31 ||
		    !(br_ec_prime_i31.supported_curves >> in->key.ec.curve & 1))
			return -1;
		pk->type = CRYPTO_KEY_EC;
		pk->curve = (u8)in->key.ec.curve;
		pk->len = (u16)in->key.ec.qlen;
		memcpy(pk->key, in->key.ec.q, in->key.ec.qlen);
		return 0;
	}
	return -1;
}

int crypto_x509_pubkey(struct crypto_x509_scratch *scratch, const u8 *der, size_t len,
		       struct crypto_pubkey *pk)
{
	br_x509_decoder_context *dc = (br_x509_decoder_context *)scratch->space;
	const br_x509_pkey *in;

	br_x509_decoder_init(dc, ignore_dn, NULL);
	br_x509_decoder_push(dc, der, len);
	in = br_x509_decoder_get_pkey(dc);
	if (!in || br_x509_decoder_last_error(dc))
		return -1;
	return copy_key(in, pk);
}
