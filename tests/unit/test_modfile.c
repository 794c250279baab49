// SPDX-License-Identifier: GPL-2.0
/*
 * Tags of a verified module file's pages and reading the file again
 * through them (hv/core/modfile.c): a page changed, moved or taken from
 * another file is refused, bytes are served only from the checked copy,
 * and nothing past the file's end is served. Plus HMAC-SHA256 itself
 * (hv/core/crypto.c over BearSSL) against RFC 4231.
 */
#include <string.h>
#include <hv/types.h>
#include "core/crypto.h"
#include "core/modfile.h"
#include "test.h"

TEST(crypto_hmac_sha256_rfc4231_case2)
{
	static const u8 want[32] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26,
		0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83,
		0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
	};
	static const char msg[] = "what do ya want for nothing?";
	struct crypto_hmac_key k;
	struct crypto_hmac h;
	u8 out[32];

	crypto_hmac_key_sha256(&k, "Jefe", 4);
	crypto_hmac_init(&h, &k);
	crypto_hmac_update(&h, msg, 10);	/* in two pieces */
	crypto_hmac_update(&h, msg + 10, sizeof(msg) - 1 - 10);
	crypto_hmac_out(&h, out);
	CHECK(!memcmp(out, want, 32));
}

/* ---- a fake guest: a file of NPAGES pages, its page list and tags ---- */

#define NPAGES		(MODFILE_CACHE + 2)
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
