// SPDX-License-Identifier: GPL-2.0
/*
 * Tags of a verified module file's pages and reading the file again
 * through them (hv/core/modfile.c): a page changed, moved or taken from
 * another file is refused, bytes are served only from the checked copy,
 * and nothing past the file's end is served. Plus the MAC itself
 * (ChaCha20-Poly1305 in hv/core/crypto.c over BearSSL) against another
 * implementation.
 */
#include <string.h>
#include <hv/types.h>
#include "core/crypto.h"
#include "core/modfile.h"
#include "test.h"

/*
 * ChaCha20-Poly1305 with only associated data: RFC 8439 section 2.8.2's
 * key, nonce and associated data, no plaintext. The tag was computed by
 * another implementation (OpenSSL, through Python's cryptography:
 * ChaCha20Poly1305(key).encrypt(nonce, b"", aad)).
 */
TEST(crypto_mac_chacha20_poly1305_aad_only)
{
	static const u8 nonce[12] = {
		0x07, 0x00, 0x00, 0x00, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
	};
	static const u8 aad[12] = {
		0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
	};
	static const u8 want[16] = {
		0xe6, 0x22, 0xe5, 0x64, 0x7a, 0x38, 0xd9, 0x67,
		0xa7, 0xec, 0xbc, 0xb4, 0x6c, 0x7f, 0x67, 0x5c,
	};
	u8 key[32], out[16];

	for (u32 i = 0; i < 32; i++)
		key[i] = (u8)(0x80 + i);
	crypto_mac(key, nonce, aad, sizeof(aad), out);
	CHECK(!memcmp(out, want, 16));
	/* The associated data is read, not changed; one byte less tags differently. */
	crypto_mac(key, nonce, aad, sizeof(aad) - 1, out);
	CHECK(memcmp(out, want, 16) != 0);
}

/* ---- a fake guest: a file of NPAGES pages, its page list and tags ---- */

#define NPAGES		(MODFILE_HINTS + 8)	/* indices that share a hint */
#define FILE_SIZE	((NPAGES - 1) * PAGE_SIZE + 123)	/* the last page partial */
#define FILE_ID		42
#define GPA_BASE	0x100000ULL

static u8 gmem[NPAGES + 2][PAGE_SIZE];		/* guest pages, by gpa index */
static struct modfile_page list[NPAGES];
static u64 fetches, page_reads;
static struct modfile_reader rd;

static int fetch(void *ctx, u64 index, struct modfile_page *out)
{
	(void)ctx;
	fetches++;
	if (index >= NPAGES)
		return -1;
	*out = list[index];
	return 0;
}

static int read_page(void *ctx, u64 gpa, u8 *dst)
{
	u64 i = (gpa - GPA_BASE) >> PAGE_SHIFT;

	(void)ctx;
	page_reads++;
	if (gpa < GPA_BASE || i >= NPAGES + 2)
		return -1;
	memcpy(dst, gmem[i], PAGE_SIZE);
	return 0;
}

/* The file's pages laid out in reverse in guest memory, tagged as hashed. */
static void setup(void)
{
	static const u8 key[MODFILE_KEY_LEN] = { 1, 2, 3 };

	modfile_reset();
	modfile_set_key(key, sizeof(key));
	for (u32 i = 0; i < NPAGES; i++) {
		u32 at = NPAGES - 1 - i, len = i == NPAGES - 1 ? FILE_SIZE % PAGE_SIZE : PAGE_SIZE;

		for (u32 b = 0; b < PAGE_SIZE; b++)
			gmem[at][b] = (u8)(i * 31 + b * 7);
		list[i].gpa = GPA_BASE + (u64)at * PAGE_SIZE;
		CHECK_EQ(modfile_tag(FILE_ID, i, gmem[at], len, list[i].tag), 0);
	}
	modfile_reader_init(&rd, FILE_ID, FILE_SIZE);
	rd.fetch = fetch;
	rd.read_page = read_page;
	rd.ctx = NULL;
	fetches = page_reads = 0;
}

static u8 file_byte(u64 off)
{
	return (u8)((off >> PAGE_SHIFT) * 31 + (off & (PAGE_SIZE - 1)) * 7);
}

TEST(modfile_reads_the_file_across_pages)
{
	static u8 buf[3 * PAGE_SIZE];
	bool same = true;

	setup();
	CHECK_EQ(modfile_read(&rd, PAGE_SIZE - 10, buf, 2 * PAGE_SIZE + 20), 0);
	for (u64 i = 0; i < 2 * PAGE_SIZE + 20; i++)
		same &= buf[i] == file_byte(PAGE_SIZE - 10 + i);
	CHECK(same);
	CHECK_EQ(rd.loads, 4);			/* pages 0 to 3 */
	/* The end of the file, and nothing past it. */
	CHECK_EQ(modfile_read(&rd, FILE_SIZE - 3, buf, 3), 0);
	CHECK_EQ(buf[2], file_byte(FILE_SIZE - 1));
	CHECK_EQ(modfile_read(&rd, FILE_SIZE - 3, buf, 4), -1);
	CHECK_EQ(modfile_read(&rd, FILE_SIZE + 1, buf, 0), -1);
	CHECK_EQ(modfile_read(&rd, 0, buf, (u64)-1), -1);
	CHECK_EQ(rd.rejects, 0);
}

TEST(modfile_cache_holds_checked_pages)
{
	u8 b;

	setup();
	for (u32 round = 0; round < 3; round++)
		for (u32 i = 0; i < MODFILE_CACHE; i++)
			CHECK_EQ(modfile_read(&rd, (u64)i * PAGE_SIZE, &b, 1), 0);
	CHECK_EQ(rd.loads, MODFILE_CACHE);
	CHECK_EQ(page_reads, MODFILE_CACHE);
	/* One more page evicts one; reading it again costs one load. */
	CHECK_EQ(modfile_read(&rd, (u64)MODFILE_CACHE * PAGE_SIZE, &b, 1), 0);
	CHECK_EQ(rd.loads, MODFILE_CACHE + 1);
}

/*
 * A hint names a slot, not a page: pages whose indices share one, and a
 * hint left pointing at a slot that now holds another page, are served
 * right, and a page cached under a displaced hint is still found.
 */
TEST(modfile_hints_are_only_hints)
{
	u64 a = 3, b = 3 + MODFILE_HINTS;
	bool same = true;
	u8 v;

	setup();
	for (u32 round = 0; round < 4; round++) {
		CHECK_EQ(modfile_read(&rd, a * PAGE_SIZE + round, &v, 1), 0);
		same &= v == file_byte(a * PAGE_SIZE + round);
		CHECK_EQ(modfile_read(&rd, b * PAGE_SIZE + round, &v, 1), 0);
		same &= v == file_byte(b * PAGE_SIZE + round);
	}
	CHECK(same);
	CHECK_EQ(rd.loads, 2);		/* both stay cached, one hint or not */
	/* Every slot taken by other pages: a's hint names a slot holding another. */
	for (u64 i = 0; i < MODFILE_CACHE; i++)
		CHECK_EQ(modfile_read(&rd, (10 + i) * PAGE_SIZE, &v, 1), 0);
	CHECK_EQ(modfile_read(&rd, a * PAGE_SIZE + 5, &v, 1), 0);
	CHECK_EQ(v, file_byte(a * PAGE_SIZE + 5));
	CHECK_EQ(rd.loads, 2 + MODFILE_CACHE + 1);
	CHECK_EQ(rd.rejects, 0);
}

TEST(modfile_refuses_a_changed_page)
{
	u8 b;

	setup();
	gmem[NPAGES - 1 - 2][100] ^= 1;		/* file page 2 */
	CHECK_EQ(modfile_read(&rd, 0, &b, 1), 0);
	CHECK_EQ(modfile_read(&rd, 2 * PAGE_SIZE + 4000, &b, 1), -1);
	CHECK_EQ(rd.rejects, 1);
	/* Refused each time, never cached. */
	CHECK_EQ(modfile_read(&rd, 2 * PAGE_SIZE, &b, 1), -1);
	CHECK_EQ(rd.rejects, 2);
}

TEST(modfile_refuses_moved_or_foreign_pages)
{
	struct modfile_page t;
	u8 b;

	/* Two entries swapped: each page is right, at the wrong index. */
	setup();
	t = list[0];
	list[0] = list[1];
	list[1] = t;
	CHECK_EQ(modfile_read(&rd, 0, &b, 1), -1);
	CHECK_EQ(modfile_read(&rd, PAGE_SIZE, &b, 1), -1);
	/* The same file under another number. */
	setup();
	modfile_reader_init(&rd, FILE_ID + 1, FILE_SIZE);
	rd.fetch = fetch;
	rd.read_page = read_page;
	CHECK_EQ(modfile_read(&rd, 0, &b, 1), -1);
	/* A shorter claim of the size: the last page's length is bound too. */
	setup();
	modfile_reader_init(&rd, FILE_ID, FILE_SIZE - 1);
	rd.fetch = fetch;
	rd.read_page = read_page;
	CHECK_EQ(modfile_read(&rd, 0, &b, 1), 0);
	CHECK_EQ(modfile_read(&rd, (u64)(NPAGES - 1) * PAGE_SIZE, &b, 1), -1);
	/* An entry that is not page aligned, or not guest memory. */
	setup();
	list[3].gpa += 8;
	CHECK_EQ(modfile_read(&rd, 3 * PAGE_SIZE + 8, &b, 1), -1);
	list[4].gpa = 0x10;
	CHECK_EQ(modfile_read(&rd, 4 * PAGE_SIZE, &b, 1), -1);
}

/*
 * Bytes past the file's end on its last page are not covered, and never
 * served; the bytes served are the checked copy's, whatever the guest
 * writes afterwards.
 */
TEST(modfile_serves_only_the_checked_copy)
{
	u8 b;

	setup();
	gmem[0][FILE_SIZE % PAGE_SIZE + 5] ^= 0xff;	/* the last page, past the end */
	CHECK_EQ(modfile_read(&rd, FILE_SIZE - 1, &b, 1), 0);
	CHECK_EQ(modfile_read(&rd, 3 * PAGE_SIZE + 9, &b, 1), 0);
	gmem[NPAGES - 1 - 3][9] ^= 0xff;		/* changed after the check */
	CHECK_EQ(modfile_read(&rd, 3 * PAGE_SIZE + 9, &b, 1), 0);
	CHECK_EQ(b, file_byte(3 * PAGE_SIZE + 9));
}

TEST(modfile_without_a_key_tags_nothing)
{
	u8 tag[MODFILE_TAG_LEN], b = 0;

	modfile_reset();
	CHECK(!modfile_key_set());
	CHECK_EQ(modfile_tag(1, 0, &b, 1, tag), -1);
	setup();
	CHECK_EQ(modfile_tag(1, 0, &b, 0, tag), -1);
	CHECK_EQ(modfile_tag(1, 0, &b, PAGE_SIZE + 1, tag), -1);
}

/* A nonce holds 7 bytes of file number and 4 of page index: never wrapped. */
TEST(modfile_tag_refuses_what_a_nonce_cannot_hold)
{
	u8 tag[MODFILE_TAG_LEN], other[MODFILE_TAG_LEN], b = 0;
	static const u8 short_key[16];

	setup();
	CHECK_EQ(modfile_tag((1ull << 56) - 1, 0, &b, 1, tag), 0);
	CHECK_EQ(modfile_tag(1ull << 56, 0, &b, 1, tag), -1);
	CHECK_EQ(modfile_tag(1, 0xffffffffull, &b, 1, tag), 0);
	CHECK_EQ(modfile_tag(1, 1ull << 32, &b, 1, tag), -1);
	/* File 1 and file 2^48 + 1 must not share a nonce, nor pages 0 and 2^24. */
	CHECK_EQ(modfile_tag(1, 0, &b, 1, tag), 0);
	CHECK_EQ(modfile_tag(1 + (1ull << 48), 0, &b, 1, other), 0);
	CHECK(memcmp(tag, other, sizeof(tag)) != 0);
	CHECK_EQ(modfile_tag(1, 1u << 24, &b, 1, other), 0);
	CHECK(memcmp(tag, other, sizeof(tag)) != 0);
	/* A key of the wrong length sets none. */
	modfile_reset();
	modfile_set_key(short_key, sizeof(short_key));
	CHECK(!modfile_key_set());
	CHECK_EQ(modfile_tag(1, 0, &b, 1, tag), -1);
}
