/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux module signatures, checked by the hypervisor (docs/module-signatures.md).
 *
 * A signed module file is the module, then a PKCS#7 SignedData (detached,
 * over the module's bytes), then a struct module_signature and the magic
 * "~Module signature appended~\n": what the kernel's scripts/sign-file
 * writes and what Debian's modules carry. The signer is named by its
 * certificate's issuer and serial number (or by subjectKeyIdentifier); the
 * signature is RSA PKCS#1 v1.5 or ECDSA (Debian's 6.12 kernels sign with
 * a P-384 key) over SHA-256, SHA-384 or SHA-512 of the module's bytes,
 * with no signed attributes (sign-file never adds them).
 *
 * Everything here works on memory the hypervisor owns; the parsed
 * signature points into the file it was parsed from.
 */
#ifndef HV_CORE_MODSIG_H
#define HV_CORE_MODSIG_H

#include <hv/types.h>
#include "der.h"
#include "crypto.h"

#define MODSIG_MAGIC		"~Module signature appended~\n"
#define MODSIG_MAGIC_LEN	28
#define MODSIG_INFO_LEN		12	/* struct module_signature */

/* What a trusted key may be: bigger ones are refused when added. */
#define MODSIG_NAME_MAX		256	/* an issuer or subject Name, whole */
#define MODSIG_SERIAL_MAX	32
#define MODSIG_KEYID_MAX	32

/* Results: the reason a module is refused, in the log and in status. */
enum modsig_result {
	MODSIG_OK = 0,
	MODSIG_E_UNSIGNED,	/* no signature trailer */
	MODSIG_E_FORMAT,	/* malformed trailer, PKCS#7 or certificate */
	MODSIG_E_UNSUPPORTED,	/* well formed, but not a kind lvbs checks */
	MODSIG_E_UNKNOWN_KEY,	/* no trusted key is the signer */
	MODSIG_E_BAD_SIG,	/* the signature does not match the module */
	MODSIG_NR_RESULTS
};

/* A trusted key, from its X.509 certificate. */
struct modsig_key {
	u8 fpr[32];			/* SHA-256 of the certificate */
	u8 issuer[MODSIG_NAME_MAX];
	u8 subject[MODSIG_NAME_MAX];
	u8 serial[MODSIG_SERIAL_MAX];
	u8 keyid[MODSIG_KEYID_MAX];	/* subjectKeyIdentifier */
	u16 issuer_len, subject_len;
	u8 serial_len, keyid_len;
	struct crypto_pubkey key;
	char name[64];			/* the subject's commonName, printable, cut (status) */
};

/* A parsed signature; the der ranges point into the file. */
struct modsig {
	size_t content_len;		/* the module: the bytes signed */
	int hash;			/* CRYPTO_SHA* */
	int key_type;			/* CRYPTO_KEY_*: what the signer says it used */
	struct der issuer;		/* the signer's certificate's issuer, whole */
	struct der serial;		/* ... and serial number (contents) */
	struct der keyid;		/* or its subjectKeyIdentifier (len 0 if not) */
	struct der sig;			/* the RSA signature */
};

/* A certificate (DER) into @k: MODSIG_OK, or MODSIG_E_FORMAT/_UNSUPPORTED. */
int modsig_key_from_cert(struct crypto_x509_scratch *scratch, const u8 *der, size_t len,
			 struct modsig_key *k);

/* The signature of the module file @file: MODSIG_OK or an error. */
int modsig_parse(const u8 *file, size_t len, struct modsig *out);

/* The key among @keys that made @s, or NULL. */
const struct modsig_key *modsig_find_key(const struct modsig *s, const struct modsig_key *keys,
					 size_t nr);

/* Whether @s, made by @k, signs a module whose digest is @digest. */
int modsig_check(const struct modsig *s, const u8 *digest, const struct modsig_key *k);

/*
 * All of it, for a module file in one buffer: parse, find the key, hash,
 * check. *used (if not NULL) gets the key on MODSIG_OK.
 */
int modsig_verify(const u8 *file, size_t len, const struct modsig_key *keys, size_t nr,
		  const struct modsig_key **used);

/*
 * Whether the certificate @der is signed by one of @keys: a key whose
 * subject is the certificate's issuer, byte for byte, and whose signature
 * over the tbsCertificate verifies (sha256/384/512WithRSAEncryption or
 * ecdsa-with-SHA256/384/512). MODSIG_OK with *signer = that key's index;
 * MODSIG_E_FORMAT, _UNSUPPORTED (another signature algorithm),
 * _UNKNOWN_KEY (no trusted key is the issuer) or _BAD_SIG.
 */
int modsig_cert_signer(const u8 *der, size_t len, const struct modsig_key *keys, size_t nr,
		       size_t *signer);

/* A short name of a result, for logs ("unsigned", "bad signature"...). */
const char *modsig_result_name(int r);

#endif
