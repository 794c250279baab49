/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding one of the kernel's export tables (__ksymtab, __ksymtab_gpl) in
 * its read-only data, without the unexported __start___ksymtab symbols:
 * used by lvbs.ko before SEAL (kmod/exports.c), and by the host tests on
 * Debian's own kernel images (tests/unit/test_ksymscan.c). Plain C over a
 * byte buffer, for both.
 *
 * On x86-64 (CONFIG_HAVE_ARCH_PREL32_RELOCATIONS, 6.1 and 6.12) a table
 * is an array of 12-byte struct kernel_symbol { int value_offset,
 * name_offset, namespace_offset; }, each offset relative to its own
 * field, sorted by name (strcmp order: the linker's SORT()). The search:
 * find the entry whose value is the address of an export the caller knows
 * (an "anchor") and whose name is that export's, then extend it both ways
 * while the entries still decode to names in the buffer and the names
 * still rise. In both kernels __ksymtab follows .pci_fixup and is
 * followed by __ksymtab_gpl, which is followed by __kcrctab: the names'
 * order breaks at each end (docs/module-signatures.md, "Import values").
 */
#ifndef LVBS_KSYMSCAN_H
#define LVBS_KSYMSCAN_H

#define KSYMSCAN_ENTRY		12
#define KSYMSCAN_NAME_MAX	128	/* longer is not a name of ours */

static inline long long ksymscan_rel(const unsigned char *p)
{
	return (int)((unsigned int)p[0] | (unsigned int)p[1] << 8 |
		     (unsigned int)p[2] << 16 | (unsigned int)p[3] << 24);
}

/*
 * The name the entry at @off names, as an offset into @buf, if it is an
 * identifier (letters, digits, '_', '.') ending with a NUL inside @buf;
 * -1 otherwise. @buf holds @len bytes from address @base.
 */
static inline long long ksymscan_name(const unsigned char *buf, unsigned long long base,
				      unsigned long long len, unsigned long long off)
{
	unsigned long long va, n;

	if (off + KSYMSCAN_ENTRY > len)
		return -1;
	va = base + off + 4 + (unsigned long long)ksymscan_rel(buf + off + 4);
	if (va < base || va >= base + len)
		return -1;
	n = va - base;
	for (unsigned long long i = 0; i < KSYMSCAN_NAME_MAX && n + i < len; i++) {
		unsigned char ch = buf[n + i];

		if (!ch)
			return i ? (long long)n : -1;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.'))
			return -1;
	}
	return -1;
}

static inline int ksymscan_strcmp(const unsigned char *a, const unsigned char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a < *b ? -1 : *a > *b ? 1 : 0;
}

/* Do entries @a then @b (offsets) both decode, names strictly rising? */
static inline int ksymscan_ordered(const unsigned char *buf, unsigned long long base,
				   unsigned long long len, unsigned long long a,
				   unsigned long long b)
{
	long long na = ksymscan_name(buf, base, len, a), nb = ksymscan_name(buf, base, len, b);

	return na >= 0 && nb >= 0 && ksymscan_strcmp(buf + na, buf + nb) < 0;
}

/*
 * The table holding the export @name at @value: *start, *end (addresses).
 * 0, or -1 if no entry in @buf is that export.
 */
static inline int ksymscan_find(const unsigned char *buf, unsigned long long base,
				unsigned long long len, unsigned long long value,
				const char *name, unsigned long long *start,
				unsigned long long *end)
{
	for (unsigned long long off = 0; off + KSYMSCAN_ENTRY <= len; off += 4) {
		unsigned long long lo, hi;
		long long n;

		if (base + off + (unsigned long long)ksymscan_rel(buf + off) != value)
			continue;
		n = ksymscan_name(buf, base, len, off);
		if (n < 0 || ksymscan_strcmp(buf + n, (const unsigned char *)name))
			continue;
		lo = off;
		while (lo >= KSYMSCAN_ENTRY && ksymscan_ordered(buf, base, len, lo - KSYMSCAN_ENTRY, lo))
			lo -= KSYMSCAN_ENTRY;
		hi = off + KSYMSCAN_ENTRY;
		while (ksymscan_ordered(buf, base, len, hi - KSYMSCAN_ENTRY, hi))
			hi += KSYMSCAN_ENTRY;
		*start = base + lo;
		*end = base + hi;
		return 0;
	}
	return -1;
}

#endif
