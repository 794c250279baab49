// SPDX-License-Identifier: GPL-2.0
/*
 * insmod for the test initramfs: one finit_module() call, like kmod's
 * insmod, installed as /sbin/insmod in place of busybox's applet.
 *
 * busybox's insmod retries every failed finit_module() with init_module(),
 * so a module whose init fails runs its init twice: "insmod lvbs.ko
 * fail_cpu=1" would attempt two launches, and every lvbs_test.ko action
 * (which always fails on purpose) would run twice.
 *
 *   insmod FILE [PARAM=VALUE...] [-- FILE [PARAM=VALUE...]]...
 * Exit status 0 if the module was loaded, 1 otherwise (with the error).
 * A FILE ending in .xz is handed over compressed, for the kernel to
 * decompress (MODULE_INIT_COMPRESSED_FILE), as kmod 31 and later do.
 * Modules after "--" are loaded by the same process, one after the other
 * (as modprobe loads a module's dependencies); the exit status is 1 if any
 * failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4	/* include/uapi/linux/module.h, Linux 5.17 */
#endif

/* One finit_module() of argv[0] with the parameters argv[1..n-1]; 0 or 1. */
static int load(char **argv, int n)
{
	size_t len = 1, flen;
	int fd, flags = 0;
	char *params;

	for (int i = 1; i < n; i++)
		len += strlen(argv[i]) + 1;
	params = calloc(1, len);
	if (!params)
		return 1;
	for (int i = 1; i < n; i++) {
		if (i > 1)
			strcat(params, " ");
		strcat(params, argv[i]);
	}
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "insmod: cannot open %s: %s\n", argv[0], strerror(errno));
		free(params);
		return 1;
	}
	flen = strlen(argv[0]);
	if (flen > 3 && !strcmp(argv[0] + flen - 3, ".xz"))
		flags = MODULE_INIT_COMPRESSED_FILE;
	if (syscall(SYS_finit_module, fd, params, flags)) {
		fprintf(stderr, "insmod: ERROR: could not insert module %s: %s\n",
			argv[0], strerror(errno));
		close(fd);
		free(params);
		return 1;
	}
	close(fd);
	free(params);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0, start = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: insmod FILE [PARAM=VALUE...] [-- FILE [PARAM=VALUE...]]...\n");
		return 2;
	}
	/* Each "--" starts another module, loaded by this same process. */
	for (int i = 1; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], "--"))
			continue;
		if (i > start)
			rc |= load(argv + start, i - start);
		start = i + 1;
	}
	return rc;
}
