/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A verified module file, readable again later (docs/module-signatures.md,
 * "The file, readable again").
 *
 * The signature check reads the file once, page by page, from guest
 * memory; the file can be megabytes, more than the hypervisor's region,
 * so it is not kept. Comparing the laid-out module with the file later
 * needs the file again, and the guest could have changed it meanwhile.
 * So when a page is hashed for the signature, the hypervisor also gives
 * it a tag: a MAC, under a key only the hypervisor holds, of the file's
 * number, the page's index and length, and its bytes as hashed. The tags
 * live in guest memory with the page list; reading the file again copies
 * a page into the hypervisor, checks its tag, and only then uses a byte.
 * A page changed, moved, or taken from another file fails its tag. The
 * hypervisor keeps nothing per page, so any module size works.
 */
#ifndef HV_CORE_MODFILE_H
#define HV_CORE_MODFILE_H

#include <hv/types.h>

#define MODFILE_KEY_LEN		32
#define MODFILE_TAG_LEN		16	/* ChaCha20-Poly1305's tag (crypto.h) */
#define MODFILE_CACHE		64	/* pages a reader holds, checked */
#define MODFILE_HINTS		256	/* a page index's likely slot, by index mod this */

/*
 * The tagging key (MODFILE_KEY_LEN bytes; any other length sets none),
 * once, at launch, before any check. Where it comes from is the caller's
 * (docs/module-signatures.md); anyone who knows it can forge tags.
 */
void modfile_set_key(const u8 *key, u32 len);
bool modfile_key_set(void);

/*
 * The tag of page @index (its first @len bytes, 1..PAGE_SIZE) of file
 * @id. -1 if no key is set, or @id or @index is past what a nonce holds
 * (2^56 files, 2^32 pages: a check past them fails, never reuses one).
 */
int modfile_tag(u64 id, u64 index, const u8 *bytes, u32 len, u8 *tag);

/* One entry of the guest's page list, as copied in. */
struct modfile_page {
	u64 gpa;			/* page aligned */
	u8 tag[MODFILE_TAG_LEN];
};

/*
 * Reading file @id of @size bytes again. The caller supplies how to copy
 * in entry @index of the page list and how to copy a guest page; both
 * return 0 or nonzero. The reader holds MODFILE_CACHE checked pages
 * (32 KiB: the relocator reads relocations, symbols, names and section
 * bytes in turn, four streams at least): one reader is big, so the
 * caller keeps it, not the stack.
 */
struct modfile_reader {
	u64 id, size;
	int (*fetch)(void *ctx, u64 index, struct modfile_page *out);
	int (*read_page)(void *ctx, u64 gpa, u8 *dst);
	void *ctx;
	/* The reader's own. */
	u64 index[MODFILE_CACHE];
	bool valid[MODFILE_CACHE];
	u64 used[MODFILE_CACHE];	/* when each slot last served: the oldest goes */
	/*
	 * Slot + 1 of the page last cached at an index that is the same mod
	 * MODFILE_HINTS, or 0: a hint, checked against index[] and valid[].
	 * The relocator reads a few bytes at a time, millions of times for a
	 * large module, and a search of every slot per read was a sixth of
	 * the hypervisor's work at a module load.
	 */
	u8 hint[MODFILE_HINTS];
	u64 clock;
	u64 loads;			/* pages copied in and checked */
	u64 rejects;			/* pages whose tag did not match */
	u8 page[MODFILE_CACHE][PAGE_SIZE];
};

void modfile_reader_init(struct modfile_reader *r, u64 id, u64 size);

/*
 * Copy @len bytes at @off of the file to @dst: 0, or -1 if any of them is
 * past the end, or on a page that cannot be fetched or fails its tag.
 * The modreloc_file read callback (ctx = the reader).
 */
int modfile_read(void *ctx, u64 off, void *dst, u64 len);

#ifdef LVBS_HOST_TEST
void modfile_reset(void);
#endif

#endif
