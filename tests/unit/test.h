/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny host-side test framework. TEST(name) defines a test and registers
 * it in a table (through a constructor) that test_main.c runs in order of
 * registration. CHECK / CHECK_EQ record a failure with file:line and go on,
 * so one run shows every broken check.
 */
#ifndef LVBS_UNIT_TEST_H
#define LVBS_UNIT_TEST_H

#include <stdint.h>
#include <stdio.h>

typedef void (*test_fn)(void);

void test_register(const char *name, test_fn fn);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)							\
	static void test_##name(void);					\
	__attribute__((constructor)) static void test_reg_##name(void)	\
	{								\
		test_register(#name, test_##name);			\
	}								\
	static void test_##name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long _a = (unsigned long long)(a);	\
		unsigned long long _b = (unsigned long long)(b);	\
		if (_a != _b)						\
			test_fail(__FILE__, __LINE__,			\
				  "CHECK_EQ(%s, %s): 0x%llx != 0x%llx",	\
				  #a, #b, _a, _b);			\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *_a = (a), *_b = (b);			\
		if (!_a || !_b || strcmp(_a, _b))			\
			test_fail(__FILE__, __LINE__,			\
				  "CHECK_STR(%s, %s): \"%s\" != \"%s\"",	\
				  #a, #b, _a ? _a : "(null)",		\
				  _b ? _b : "(null)");			\
	} while (0)

#endif
