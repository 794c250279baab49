// SPDX-License-Identifier: GPL-2.0
/*
 * Tags for the pages of a verified module file, and reading the file
 * again through them (modfile.h; docs/module-signatures.md).
 */
#include <hv/types.h>
#include "crypto.h"
#include "modfile.h"

/* Domain of the MAC: a page of a module file (other uses get others). */
#define MODFILE_DOMAIN_PAGE	0x50

/* A file's number goes into the nonce in 7 bytes, a page's index in 4. */
#define MODFILE_ID_LIMIT	(1ull << 56)
#define MODFILE_INDEX_LIMIT	(1ull << 32)

_Static_assert(MODFILE_KEY_LEN == CRYPTO_MAC_KEY_LEN, "the tag key is the MAC's key");
_Static_assert(MODFILE_TAG_LEN == CRYPTO_MAC_LEN, "a tag is the whole MAC");
_Static_assert(MODFILE_CACHE < 256, "a hint holds slot + 1 in a byte");
_Static_assert((MODFILE_HINTS & (MODFILE_HINTS - 1)) == 0, "hints are indexed by a mask");

static struct {
	u8 key[MODFILE_KEY_LEN];
	bool set;
} mf;

void modfile_set_key(const u8 *key, u32 len)
{
	if (len != MODFILE_KEY_LEN)
		return;		/* no key: every tag fails, every check with it */
	memcpy(mf.key, key, len);
	mf.set = true;
}

bool modfile_key_set(void)
{
	return mf.set;
}

#ifdef LVBS_HOST_TEST
void modfile_reset(void)
{
	memset(&mf, 0, sizeof(mf));
}
#endif

static void put_le(u8 *p, u64 v, u32 n)
{
	for (u32 i = 0; i < n; i++)
		p[i] = (u8)(v >> (8 * i));
}

/*
 * The nonce names the page: the domain, the file's number (unique per
 * check, never reused while the key lives) and the page's index. The
 * length is the MAC's own (RFC 8439 puts it in the last block), so a
 * page cut short reads differently from its prefix.
 */
int modfile_tag(u64 id, u64 index, const u8 *bytes, u32 len, u8 *tag)
{
	u8 nonce[CRYPTO_MAC_NONCE_LEN];

	if (!mf.set || len == 0 || len > PAGE_SIZE || id >= MODFILE_ID_LIMIT ||
	    index >= MODFILE_INDEX_LIMIT)
		return -1;
	nonce[0] = MODFILE_DOMAIN_PAGE;
	put_le(nonce + 1, id, 7);
	put_le(nonce + 8, index, 4);
	crypto_mac(mf.key, nonce, bytes, len, tag);
	return 0;
}

/* Compared in time that does not depend on where they differ. */
static bool tags_equal(const u8 *a, const u8 *b)
{
	u8 d = 0;

	for (u32 i = 0; i < MODFILE_TAG_LEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

void modfile_reader_init(struct modfile_reader *r, u64 id, u64 size)
{
	r->id = id;
	r->size = size;
	for (u32 i = 0; i < MODFILE_CACHE; i++) {
		r->valid[i] = false;
		r->used[i] = 0;
	}
	memset(r->hint, 0, sizeof(r->hint));
	r->clock = 0;
	r->loads = 0;
	r->rejects = 0;
}

/* Page @index, copied in and checked, in a slot of the cache; NULL if not. */
static const u8 *load(struct modfile_reader *r, u64 index)
{
	u64 left = r->size - index * PAGE_SIZE;
	u32 len = left < PAGE_SIZE ? (u32)left : PAGE_SIZE;
	u8 *hint = &r->hint[index & (MODFILE_HINTS - 1)];
	u8 tag[MODFILE_TAG_LEN];
	struct modfile_page e;
	u32 s, oldest = 0;

	r->clock++;
	s = *hint;
	if (s && r->valid[s - 1] && r->index[s - 1] == index) {
		r->used[s - 1] = r->clock;
		return r->page[s - 1];
	}
	for (s = 0; s < MODFILE_CACHE; s++) {
		if (r->valid[s] && r->index[s] == index) {
			r->used[s] = r->clock;
			*hint = (u8)(s + 1);
			return r->page[s];
		}
		if (r->used[s] < r->used[oldest])	/* an empty slot's is 0 */
			oldest = s;
	}
	/*
	 * The least recently used slot: the relocator reads several streams
	 * at once (section bytes, relocations, symbols, each table of patch
	 * sites), and round robin evicted the hot ones.
	 */
	s = oldest;
	r->valid[s] = false;
	r->used[s] = 0;
	/* The entry is copied once; its page is copied once, then checked. */
	if (r->fetch(r->ctx, index, &e) || (e.gpa & (PAGE_SIZE - 1)) ||
	    r->read_page(r->ctx, e.gpa, r->page[s]))
		return NULL;
	r->loads++;
	if (modfile_tag(r->id, index, r->page[s], len, tag) || !tags_equal(tag, e.tag)) {
		r->rejects++;
		return NULL;
	}
	r->index[s] = index;
	r->valid[s] = true;
	r->used[s] = r->clock;
	*hint = (u8)(s + 1);
	return r->page[s];
}

int modfile_read(void *ctx, u64 off, void *dst, u64 len)
{
	struct modfile_reader *r = ctx;
	u8 *out = dst;

	if (!r->size || off > r->size || len > r->size - off)
		return -1;
	while (len) {
		u64 index = off >> PAGE_SHIFT, in = off & (PAGE_SIZE - 1);
		u64 n = MIN(len, PAGE_SIZE - in);
		const u8 *p = load(r, index);

		if (!p)
			return -1;
		memcpy(out, p + in, n);
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}
