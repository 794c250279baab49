// SPDX-License-Identifier: GPL-2.0
/*
 * Runs every registered test. Prints one line per failing check, then
 * "N passed, N failed" (counted in tests). Exit status 1 if any failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "test.h"

#define MAX_TESTS 512

static struct {
	const char *name;
	test_fn fn;
} tests[MAX_TESTS];
static unsigned int nr_tests;
static const char *current;
static unsigned int current_failures;

void test_register(const char *name, test_fn fn)
{
	if (nr_tests >= MAX_TESTS) {
		fprintf(stderr, "too many tests (max %d)\n", MAX_TESTS);
		exit(2);
	}
	tests[nr_tests].name = name;
	tests[nr_tests].fn = fn;
	nr_tests++;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s:%d: %s: ", file, line, current ? current : "?");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	current_failures++;
}

int main(int argc, char **argv)
{
	unsigned int i, passed = 0, failed = 0;
	int verbose = argc > 1 && argv[1][0] == '-' && argv[1][1] == 'v';

	for (i = 0; i < nr_tests; i++) {
		current = tests[i].name;
		current_failures = 0;
		tests[i].fn();
		if (current_failures)
			failed++;
		else
			passed++;
		if (verbose)
			printf("%s %s\n", current_failures ? "FAIL" : "ok  ", current);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
