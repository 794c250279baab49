/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Basic types for the hypervisor. hv/core also compiles on the host for the
 * unit tests (LVBS_HOST_TEST).
 */
#ifndef HV_TYPES_H
#define HV_TYPES_H

/*
 * <stddef.h>, <stdint.h> and <stdbool.h> are the compiler's own in the
 * freestanding build (C11 requires them of a freestanding implementation),
 * so the hypervisor, its unit tests and BearSSL (core/crypto.c) agree on
 * what size_t and uint64_t are.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef LVBS_HOST_TEST
#include <string.h>
#include <sys/types.h>
#else
typedef long ssize_t;
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memmove(void *d, const void *s, size_t n);
#endif

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef int32_t s32;

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ULL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define SZ_2M		(1ULL << 21)
#define SZ_1G		(1ULL << 30)
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((u64)(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((u64)(a) - 1)) == 0)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1ULL << (n))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier()	__asm__ __volatile__("" ::: "memory")

#endif
