// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the hypervisor's module signature checker
 * (hv/core/modsig.c, der.c, crypto.c and BearSSL): a module file and the
 * certificates lvbs trusts are guest-controlled input once lvbs.ko hands
 * them over. The first byte picks what the rest is: even, a module file,
 * checked against the three fixture keys (tests/unit/mkmodsig.sh, small
 * body, directory in LVBS_MODSIG_FIXTURES); odd, a certificate, read as a
 * key (ADD_KEY) and checked as issued by one of the three keys (ADD_KEY
 * after SEAL). Invariants beyond "no crash, no read out of bounds": a
 * parsed signature lies inside the file, a certificate that is accepted
 * has a key of a size and kind the verifier takes and a printable,
 * terminated name, and an issuer found is one of the keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include "core/modsig.h"

static struct crypto_x509_scratch scratch;
static struct modsig_key keys[3];
static size_t nr_keys;

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_modsig: %s\n", why);
	abort();
}

static void load_key(const char *dir, const char *name)
{
	static u8 buf[8192];
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail("cannot open a fixture certificate (LVBS_MODSIG_FIXTURES)");
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (modsig_key_from_cert(&scratch, buf, n, &keys[nr_keys]) != MODSIG_OK)
		fail("a fixture certificate does not load");
	nr_keys++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("LVBS_MODSIG_FIXTURES");

	if (!dir)
		fail("LVBS_MODSIG_FIXTURES is not set");
	load_key(dir, "a.der");
	load_key(dir, "b.der");
	load_key(dir, "c.der");
	return 0;
}

static void check_module(const u8 *p, size_t n)
{
	struct modsig s;
	int r = modsig_parse(p, n, &s);

	if (r == MODSIG_OK) {
		if (s.content_len > n || s.sig.p < p + s.content_len ||
		    s.sig.p + s.sig.len > p + n || !s.sig.len)
			fail("a parsed signature lies outside the file");
		if (s.keyid.len && (s.keyid.p < p || s.keyid.p + s.keyid.len > p + n))
			fail("a parsed key id lies outside the file");
	}
	r = modsig_verify(p, n, keys, nr_keys, NULL);
	if (r < 0 || r >= MODSIG_NR_RESULTS)
		fail("modsig_verify returned an unknown result");
}

static void check_cert(const u8 *p, size_t n)
{
	size_t signer = (size_t)-1;
	struct modsig_key k;
	int r;

	/* As ADD_KEY after SEAL: was it issued by one of the keys? */
	r = modsig_cert_signer(p, n, keys, nr_keys, &signer);
	if (r < 0 || r >= MODSIG_NR_RESULTS)
		fail("modsig_cert_signer returned an unknown result");
	if (r == MODSIG_OK && signer >= nr_keys)
		fail("modsig_cert_signer named a signer that is not a key");
	if (modsig_key_from_cert(&scratch, p, n, &k) != MODSIG_OK)
		return;
	for (size_t i = 0; i < sizeof(k.name); i++) {
		if (!k.name[i])
			break;
		if (i == sizeof(k.name) - 1 || k.name[i] < 0x20 || k.name[i] > 0x7e)
			fail("a key's name is not printable or not terminated");
	}
	if (!k.key.len || k.key.len > sizeof(k.key.key) ||
	    (k.key.type != CRYPTO_KEY_RSA && k.key.type != CRYPTO_KEY_EC) ||
	    (k.key.type == CRYPTO_KEY_RSA && !k.key.e_len))
		fail("an accepted certificate has a key the verifier cannot take");
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 *copy;

	if (!size)
		return 0;
	/* An exact-size copy: AddressSanitizer sees any read past the end. */
	copy = malloc(size - 1 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 1)
		check_cert(copy, size - 1);
	else
		check_module(copy, size - 1);
	free(copy);
	return 0;
}
