/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading DER: the subset X.509 certificates and the PKCS#7 signatures on
 * Linux modules use. BearSSL has no general DER reader (its X.509 decoder
 * yields a certificate's key and subject, not its issuer and serial, which
 * a PKCS#7 signer is named by), so this small one walks the structures;
 * the cryptography is BearSSL's (crypto.h).
 *
 * A cursor is a byte range in memory the hypervisor owns: callers copy
 * guest data in first. Every read checks its length against what is left;
 * nothing here allocates or recurses.
 */
#ifndef HV_CORE_DER_H
#define HV_CORE_DER_H

#include <hv/types.h>

#define DER_INTEGER	0x02
#define DER_BIT_STRING	0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL	0x05
#define DER_OID		0x06
#define DER_SEQUENCE	0x30
#define DER_SET		0x31
#define DER_CTX(n)	(0x80 | (n))	/* [n] IMPLICIT, primitive */
#define DER_CTX_CONS(n)	(0xa0 | (n))	/* [n], constructed */

struct der {
	const u8 *p;
	size_t len;
};

/*
 * The element at the cursor: its tag in *tag, its contents in *val, and
 * the cursor moves past it. One-byte tags, definite lengths in DER's
 * shortest form, at most 4 length bytes; anything else, or a length past
 * the end, is -1 and leaves the cursor where it was.
 */
int der_next(struct der *c, u8 *tag, struct der *val);

/* der_next() that also wants tag @tag. */
int der_expect(struct der *c, u8 tag, struct der *val);

/* der_expect(), with *whole covering the element's tag and length too. */
int der_expect_whole(struct der *c, u8 tag, struct der *whole);

/* If the next element has tag @tag, read it into *val and return 1; else 0. */
int der_optional(struct der *c, u8 tag, struct der *val);

/* Whether @val (an OID's contents) is the OID encoded in @oid/@len. */
bool der_oid_is(const struct der *val, const u8 *oid, size_t len);

#endif
