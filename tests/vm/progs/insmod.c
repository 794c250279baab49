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
 *   insmod FILE [PARAM=VALUE...]
 * Exit status 0 if the module was loaded, 1 otherwise (with the error).
 * A FILE ending in .xz is handed over compressed, for the kernel to
 * decompress (MODULE_INIT_COMPRESSED_FILE), as kmod 31 and later do.
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

int main(int argc, char **argv)
{
	size_t len = 1, flen;
	int fd, flags = 0;
	char *params;

	if (argc < 2) {
		fprintf(stderr, "usage: insmod FILE [PARAM=VALUE...]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		len += strlen(argv[i]) + 1;
	params = calloc(1, len);
	if (!params)
		return 1;
	for (int i = 2; i < argc; i++) {
		if (i > 2)
			strcat(params, " ");
		strcat(params, argv[i]);
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "insmod: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	flen = strlen(argv[1]);
	if (flen > 3 && !strcmp(argv[1] + flen - 3, ".xz"))
		flags = MODULE_INIT_COMPRESSED_FILE;
	if (syscall(SYS_finit_module, fd, params, flags)) {
		fprintf(stderr, "insmod: ERROR: could not insert module %s: %s\n",
			argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
