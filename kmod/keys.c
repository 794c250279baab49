// SPDX-License-Identifier: GPL-2.0
/*
 * Module-signing keys for the hypervisor (docs/module-signatures.md).
 *
 * At insmod, before the launch, the file named by the keys= parameter is
 * read: X.509 certificates in DER, one after the other (the kernel's own
 * signing certificate, which `lvbs-certs extract` takes from the installed
 * kernel image, and any others the administrator trusts). After the launch
 * and before SEAL each is handed to the hypervisor, which takes it as a
 * builtin key: the kernel is still trusted then. Later keys go through
 * /sys/kernel/security/lvbs/keys and need a trusted key's signature.
 *
 * The file is read with kernel_read_file_from_path() (exported), under the
 * caller's root: insmod from the initramfs reads the initramfs.
 */
#define pr_fmt(fmt) "lvbs: " fmt

#include <linux/kernel_read_file.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include "lvbs.h"

#define LVBS_KEYS_DEFAULT	"/etc/lvbs/keys.der"
#define LVBS_KEYS_FILE_MAX	(LVBS_MAX_KEYS * LVBS_KEY_CERT_MAX)

static char *keys = LVBS_KEYS_DEFAULT;
module_param(keys, charp, 0400);
MODULE_PARM_DESC(keys, "file of DER X.509 certificates whose keys sign modules, read before the launch (default " LVBS_KEYS_DEFAULT "; empty: none)");

static void *file;		/* the file, until the hypervisor has the keys */
static size_t file_len;

/*
 * The length of the DER element at @p (at most @left bytes): a SEQUENCE
 * with a definite length, as a certificate is. 0 if it is not one.
 */
static size_t der_cert_len(const u8 *p, size_t left)
{
	size_t len = 0, n, i;

	if (left < 2 || p[0] != 0x30)
		return 0;
	if (!(p[1] & 0x80))
		len = p[1];
	else {
		n = p[1] & 0x7f;
		if (n == 0 || n > 3 || left < 2 + n)
			return 0;
		for (i = 0; i < n; i++)
			len = len << 8 | p[2 + i];
		len += n;
	}
	len += 2;
	return len <= left ? len : 0;
}

/* Walk the file; each certificate to @fn, or the error of the first bad one. */
static int for_each_cert(int (*fn)(const u8 *cert, size_t len, unsigned int i))
{
	size_t off = 0, len;
	unsigned int i = 0;
	int r;

	while (off < file_len) {
		len = der_cert_len((const u8 *)file + off, file_len - off);
		if (!len || len > LVBS_KEY_CERT_MAX) {
			pr_err("%s: byte %zu does not start a DER certificate of at most %u bytes\n",
			       keys, off, LVBS_KEY_CERT_MAX);
			return -EINVAL;
		}
		if (i == LVBS_MAX_KEYS) {
			pr_err("%s: more than %d certificates\n", keys, LVBS_MAX_KEYS);
			return -E2BIG;
		}
		r = fn((const u8 *)file + off, len, i++);
		if (r)
			return r;
		off += len;
	}
	return 0;
}

static int count_cert(const u8 *cert, size_t len, unsigned int i)
{
	return 0;
}

/*
 * Before the launch: read and frame-check the file, so that a mistyped
 * parameter or a broken file stops insmod before anything is launched.
 * The default file missing is not an error: nothing to trust yet (status
 * shows 0 keys). A file given by name must be there.
 */
int lvbs_keys_read(void)
{
	ssize_t n;
	int r;

	if (!keys || !*keys) {
		pr_info("keys=\"\": no module-signing keys\n");
		return 0;
	}
	n = kernel_read_file_from_path(keys, 0, &file, LVBS_KEYS_FILE_MAX, NULL,
				       READING_X509_CERTIFICATE);
	if (n < 0) {
		file = NULL;
		if (n == -ENOENT && !strcmp(keys, LVBS_KEYS_DEFAULT)) {
			pr_warn("no %s: no module-signing keys (docs/module-signatures.md)\n", keys);
			return 0;
		}
		pr_err("cannot read keys=%s (%zd)\n", keys, n);
		return (int)n;
	}
	file_len = n;
	r = for_each_cert(count_cert);
	if (r) {
		vfree(file);
		file = NULL;
	}
	return r;
}

static int give_cert(const u8 *cert, size_t len, unsigned int i)
{
	u32 slot = 0;
	int r = lvbs.hv->add_key(cert, len, &slot);

	if (r)
		pr_err("%s: certificate %u (%zu bytes) refused by the hypervisor (%pe); lvbsctl log says why\n",
		       keys, i, len, ERR_PTR(r));
	return 0;	/* one bad certificate does not keep the others out */
}

void lvbs_keys_free(void)
{
	vfree(file);
	file = NULL;
}

/* After the launch, before SEAL: every certificate read to the hypervisor. */
void lvbs_keys_give(void)
{
	if (file)
		for_each_cert(give_cert);
	lvbs_keys_free();
}
