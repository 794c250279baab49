// SPDX-License-Identifier: GPL-2.0
/*
 * lvbs-certs: the module-signing certificates built into a kernel image,
 * and a check of module files against them, with the hypervisor's own
 * checker (hv/core/modsig.c, der.c, crypto.c and BearSSL, built for the
 * host). docs/module-signatures.md.
 *
 *   lvbs-certs extract VMLINUZ DIR     write DIR/cert-N.der (DIR made if
 *                                      missing) for every X.509
 *                                      certificate in the kernel, print one
 *                                      line each (fingerprint, key, name)
 *   lvbs-certs verify DIR MODULE...    check each module's signature against
 *                                      DIR/cert-*.der: "MODULE: ok" or the
 *                                      reason; exit 1 if any is not ok
 *   lvbs-certs exports VMLINUZ         check lvbs.ko's search for the
 *                                      kernel's export tables
 *                                      (include/lvbs/ksymscan.h) against the
 *                                      image's section headers, from anchors
 *                                      all over each table; exit 1 if any
 *                                      search finds other bounds
 *
 * Why from the image: the running kernel's copy of its certificate list
 * (system_certificate_list) is init data, freed after boot, and the keys it
 * loaded into the builtin keyring are not reachable through exported
 * interfaces. The image on disk is what the kernel was built with.
 *
 * The image is a bzImage: its payload (boot protocol 2.08+: payload_offset,
 * payload_length) is the kernel compressed with gzip, xz or zstd (Debian:
 * xz for 6.1, zstd for 6.12). The certificates are found by scanning the
 * decompressed kernel for DER SEQUENCEs that decode as certificates with a
 * key the checker accepts; the kernel stores its list as plain DER.
 */
#include <errno.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>
#include <elf.h>
#include "core/modsig.h"
#include "lvbs/ksymscan.h"

#define MAX_KERNEL	(512u << 20)	/* decompressed: far above any kernel */
#define MAX_CERTS	16

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("lvbs-certs: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static u8 *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	u8 *buf;
	long n;

	if (!f)
		die("%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("%s: cannot size it", path);
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("%s: cannot read it", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static u32 le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* The compressed kernel inside a bzImage (Documentation/x86/boot.rst). */
static void payload(const u8 *img, size_t len, const u8 **p, size_t *n)
{
	size_t setup, off, plen;

	if (len < 0x250 || memcmp(img + 0x202, "HdrS", 4) || (img[0x206] | img[0x207] << 8) < 0x208)
		die("not a bzImage with boot protocol 2.08 or later");
	setup = (size_t)(img[0x1f1] ? img[0x1f1] : 4) + 1;
	off = setup * 512 + le32(img + 0x248);
	plen = le32(img + 0x24c);
	if (off > len || plen > len - off)
		die("the payload lies outside the image");
	*p = img + off;
	*n = plen;
}

static u8 *unxz(const u8 *in, size_t n, size_t *out_len)
{
	lzma_stream s = LZMA_STREAM_INIT;
	u8 *out = malloc(MAX_KERNEL);
	lzma_ret r;

	if (!out || lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK)
		die("xz: cannot start the decoder");
	s.next_in = in;
	s.avail_in = n;
	s.next_out = out;
	s.avail_out = MAX_KERNEL;
	r = lzma_code(&s, LZMA_FINISH);
	/* The payload may carry padding after the stream: only the stream counts. */
	if (r != LZMA_STREAM_END && r != LZMA_DATA_ERROR)
		die("xz: decompression failed (%d)", (int)r);
	*out_len = MAX_KERNEL - s.avail_out;
	lzma_end(&s);
	return out;
}

static u8 *unzstd(const u8 *in, size_t n, size_t *out_len)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, n, 0 };
	ZSTD_outBuffer ob;
	u8 *out = malloc(MAX_KERNEL);
	size_t r;

	if (!out || !z)
		die("zstd: cannot start the decoder");
	ob = (ZSTD_outBuffer){ out, MAX_KERNEL, 0 };
	do {
		r = ZSTD_decompressStream(z, &ob, &ib);
		if (ZSTD_isError(r))
			die("zstd: %s", ZSTD_getErrorName(r));
	} while (r && ib.pos < ib.size && ob.pos < ob.size);
	ZSTD_freeDStream(z);
	*out_len = ob.pos;
	return out;
}

static u8 *ungzip(const u8 *in, size_t n, size_t *out_len)
{
	z_stream s = { 0 };
	u8 *out = malloc(MAX_KERNEL);
	int r;

	if (!out || inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		die("gzip: cannot start the decoder");
	s.next_in = (Bytef *)in;
	s.avail_in = (uInt)n;
	s.next_out = out;
	s.avail_out = MAX_KERNEL;
	r = inflate(&s, Z_FINISH);
	if (r != Z_STREAM_END)
		die("gzip: decompression failed (%d)", r);
	*out_len = s.total_out;
	inflateEnd(&s);
	return out;
}

static u8 *decompress(const u8 *p, size_t n, size_t *out_len)
{
	if (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return unxz(p, n, out_len);
	if (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return unzstd(p, n, out_len);
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return ungzip(p, n, out_len);
	die("the kernel is compressed with something other than xz, zstd or gzip");
	return NULL;
}

static struct crypto_x509_scratch scratch;

static const char *key_name(const struct crypto_pubkey *k, char *buf, size_t n)
{
	static const char *const curves[] = { [23] = "P-256", [24] = "P-384", [25] = "P-521" };

	if (k->type == CRYPTO_KEY_RSA)
		snprintf(buf, n, "RSA-%u", k->len * 8);
	else
		snprintf(buf, n, "ECDSA %s", k->curve < 26 && curves[k->curve] ? curves[k->curve] : "?");
	return buf;
}

/* The subject's commonName, or "?": for people, not for matching. */
static void print_cn(const struct modsig_key *k)
{
	static const u8 cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
	const u8 *p = k->subject, *end = k->subject + k->subject_len;

	for (; p + sizeof(cn) + 2 <= end; p++) {
		if (memcmp(p, cn, sizeof(cn)))
			continue;
		p += sizeof(cn);
		if (p[1] < 0x80 && p + 2 + p[1] <= end) {
			printf("\"%.*s\"", p[1], (const char *)p + 2);
			return;
		}
	}
	printf("?");
}

static int cmd_extract(const char *image, const char *dir)
{
	size_t len, plen, klen, i, n = 0;
	const u8 *pay;
	u8 *img, *kern;

	img = read_all(image, &len);
	payload(img, len, &pay, &plen);
	kern = decompress(pay, plen, &klen);
	if (mkdir(dir, 0755) && errno != EEXIST)	/* DIR is made if missing */
		die("%s: %s", dir, strerror(errno));
	for (i = 0; i + 4 <= klen && n < MAX_CERTS; i++) {
		size_t clen;
		struct modsig_key k;
		char path[4096], kn[32];
		FILE *f;
		int j;

		if (kern[i] != 0x30 || kern[i + 1] != 0x82)
			continue;
		clen = 4 + ((size_t)kern[i + 2] << 8 | kern[i + 3]);
		if (clen < 256 || clen > klen - i ||
		    modsig_key_from_cert(&scratch, kern + i, clen, &k) != MODSIG_OK)
			continue;
		snprintf(path, sizeof(path), "%s/cert-%zu.der", dir, n);
		f = fopen(path, "wb");
		if (!f || fwrite(kern + i, 1, clen, f) != clen || fclose(f))
			die("%s: cannot write it", path);
		printf("%s: ", path);
		for (j = 0; j < 32; j++)
			printf("%02x", k.fpr[j]);
		printf(" %s ", key_name(&k.key, kn, sizeof(kn)));
		print_cn(&k);
		printf("\n");
		n++;
		i += clen - 1;
	}
	free(kern);
	free(img);
	if (!n)
		die("%s: no certificate found in the kernel", image);
	return 0;
}

static int cmd_verify(const char *dir, int nmod, char **mods)
{
	static struct modsig_key keys[MAX_CERTS];
	size_t nk = 0, len;
	int i, bad = 0;

	for (i = 0; i < MAX_CERTS; i++) {
		char path[4096];
		FILE *f;
		u8 *der;

		snprintf(path, sizeof(path), "%s/cert-%d.der", dir, i);
		f = fopen(path, "rb");
		if (!f)
			break;
		fclose(f);
		der = read_all(path, &len);
		if (modsig_key_from_cert(&scratch, der, len, &keys[nk]) != MODSIG_OK)
			die("%s: not a certificate lvbs can use", path);
		nk++;
		free(der);
	}
	if (!nk)
		die("%s: no cert-0.der", dir);
	for (i = 0; i < nmod; i++) {
		u8 *m = read_all(mods[i], &len);
		int r = modsig_verify(m, len, keys, nk, NULL);

		printf("%s: %s\n", mods[i], modsig_result_name(r));
		bad |= r != MODSIG_OK;
		free(m);
	}
	return bad;
}

/* A section of the decompressed kernel (an ELF with section headers). */
static const Elf64_Shdr *section(const u8 *k, size_t n, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)k;
	const Elf64_Shdr *sh;
	const char *names;

	if (n < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || !eh->e_shoff ||
	    eh->e_shoff + (u64)eh->e_shnum * sizeof(*sh) > n || eh->e_shstrndx >= eh->e_shnum)
		die("the decompressed kernel is not an ELF image with section headers");
	sh = (const Elf64_Shdr *)(k + eh->e_shoff);
	names = (const char *)k + sh[eh->e_shstrndx].sh_offset;
	for (u32 i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	die("no section %s in the kernel", name);
	return NULL;
}

/*
 * lvbs.ko searches the kernel's read-only data for the entry of an export
 * it knows and extends it to the whole table. Here the same search runs on
 * the image, from 64 anchors spread over each table, and every search must
 * find exactly the table the section headers give. The read-only data
 * searched is .rodata up to the end of __ksymtab_strings (lvbs.ko searches
 * the whole "Kernel rodata" resource, which holds these and more).
 */
static int cmd_exports(const char *image)
{
	static const char *const tables[] = { "__ksymtab", "__ksymtab_gpl" };
	size_t len, plen, klen;
	const Elf64_Shdr *ro, *str;
	const u8 *pay, *buf;
	u64 base, blen;
	u8 *img, *kern;
	int bad = 0;

	img = read_all(image, &len);
	payload(img, len, &pay, &plen);
	kern = decompress(pay, plen, &klen);
	ro = section(kern, klen, ".rodata");
	str = section(kern, klen, "__ksymtab_strings");
	base = ro->sh_addr;
	blen = str->sh_addr + str->sh_size - base;
	if (str->sh_addr < base || ro->sh_offset + blen > klen ||
	    str->sh_offset - ro->sh_offset != str->sh_addr - base)
		die("the kernel's read-only data is not one run in the file");
	buf = kern + ro->sh_offset;
	for (u32 t = 0; t < 2; t++) {
		const Elf64_Shdr *tab = section(kern, klen, tables[t]);
		u64 n = tab->sh_size / KSYMSCAN_ENTRY, tried = 0, ok = 0;

		for (u64 k = 0; k < n; k += n / 64 + 1, tried++) {
			u64 off = tab->sh_addr + k * KSYMSCAN_ENTRY - base;
			long long nm = ksymscan_name(buf, base, blen, off);
			unsigned long long s, e;

			if (nm < 0 || ksymscan_find(buf, base, blen,
						    base + off + (u64)ksymscan_rel(buf + off),
						    (const char *)buf + nm, &s, &e)) {
				printf("%s entry %llu: not found\n", tables[t], (unsigned long long)k);
				continue;
			}
			if (s != tab->sh_addr || e != tab->sh_addr + tab->sh_size) {
				printf("%s from %s: [0x%llx, 0x%llx), the image has [0x%llx, 0x%llx)\n",
				       tables[t], buf + nm, s, e, (unsigned long long)tab->sh_addr,
				       (unsigned long long)(tab->sh_addr + tab->sh_size));
				continue;
			}
			ok++;
		}
		printf("%s: %llu entries at 0x%llx; %llu of %llu searches found exactly it\n",
		       tables[t], (unsigned long long)n, (unsigned long long)tab->sh_addr,
		       (unsigned long long)ok, (unsigned long long)tried);
		bad |= ok != tried || !tried;
	}
	free(kern);
	free(img);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "exports"))
		return cmd_exports(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "extract"))
		return cmd_extract(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "verify"))
		return cmd_verify(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: lvbs-certs extract VMLINUZ DIR\n"
			"       lvbs-certs verify DIR MODULE...\n"
			"       lvbs-certs exports VMLINUZ\n");
	return 2;
}
