/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's cryptography: hashes, RSA signature checks and reading
 * an X.509 certificate's public key, all BearSSL's (Debian's bearssl
 * source, compiled freestanding by hv/Makefile; scripts/bearssl.sh).
 * crypto.c is the only file that includes BearSSL: its headers bring the
 * compiler's <stdint.h>, which the hypervisor's own types do not mix with,
 * and one file is one place to change if the library ever changes.
 */
#ifndef HV_CORE_CRYPTO_H
#define HV_CORE_CRYPTO_H

#include <hv/types.h>

enum crypto_hash_alg {
	CRYPTO_SHA256 = 1,
	CRYPTO_SHA384,
	CRYPTO_SHA512,
};

#define CRYPTO_MAX_DIGEST	64
#define CRYPTO_MAX_RSA_BYTES	512	/* 4096-bit keys: BearSSL's BR_MAX_RSA_SIZE */

/* Room for BearSSL's largest hash context (checked in crypto.c). */
struct crypto_hash {
	u64 space[30];
	int alg;
};

/* Digest length of @alg, 0 if unknown. */
size_t crypto_digest_len(int alg);

/* Start a hash; -1 for an unknown algorithm. */
int crypto_hash_init(struct crypto_hash *h, int alg);
void crypto_hash_update(struct crypto_hash *h, const void *data, size_t len);
/* The digest (crypto_digest_len() bytes) into @out. */
void crypto_hash_final(struct crypto_hash *h, u8 *out);

/*
 * A message authentication code for the hypervisor's own tags
 * (modfile.c): ChaCha20-Poly1305 (RFC 8439) with the message as the
 * associated data and nothing to encrypt, which leaves Poly1305 under a
 * one-time key that ChaCha20 derives from the key and the nonce. A
 * Poly1305 key must never tag two different messages: the caller gives
 * every message its own nonce under one key. Checking a tag (computing
 * it for a message offered again under the same nonce) is safe any
 * number of times, as decryption in the AEAD is. Under a third of the
 * cost of HMAC-SHA256 per byte where it matters (a module file's pages;
 * docs/module-signatures.md).
 */
#define CRYPTO_MAC_KEY_LEN	32
#define CRYPTO_MAC_NONCE_LEN	12
#define CRYPTO_MAC_LEN		16

void crypto_mac(const u8 *key, const u8 *nonce, const void *msg, size_t len, u8 *tag);

/* A public key: RSA, or ECDSA over NIST P-256, P-384 or P-521. */
enum crypto_key_type {
	CRYPTO_KEY_RSA = 1,
	CRYPTO_KEY_EC,
};

#define CRYPTO_MAX_EXP		8

struct crypto_pubkey {
	u8 type;			/* CRYPTO_KEY_* */
	u8 curve;			/* EC: BearSSL's curve number (24 = P-384) */
	u16 len;			/* bytes of @key */
	u8 key[CRYPTO_MAX_RSA_BYTES];	/* RSA modulus, or EC point (uncompressed) */
	u8 e_len;
	u8 e[CRYPTO_MAX_EXP];		/* RSA public exponent */
};

/*
 * Whether @sig is a valid signature of @digest (hash @alg) under @pk:
 * RSA PKCS#1 v1.5, or ECDSA with the signature in its ASN.1 form, as
 * PKCS#7 carries it. 1 valid, 0 not (including a wrong length or key).
 */
int crypto_verify(const struct crypto_pubkey *pk, int alg, const u8 *digest,
		  const u8 *sig, size_t sig_len);

/* Room for BearSSL's X.509 decoder (checked in crypto.c): too big for a stack. */
struct crypto_x509_scratch {
	u64 space[160];
};

/*
 * The public key of the X.509 certificate @der into *pk. 0, or -1 if the
 * certificate does not decode, or its key is of another kind or too
 * large. @scratch is the decoder's state, the caller's so that two CPUs
 * never share one.
 */
int crypto_x509_pubkey(struct crypto_x509_scratch *scratch, const u8 *der, size_t len,
		       struct crypto_pubkey *pk);

#endif
