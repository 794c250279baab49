/* SPDX-License-Identifier: GPL-2.0 */
/* Files made by mkmodsig.sh, in the directory LVBS_MODSIG_FIXTURES names. */
#ifndef LVBS_UNIT_FIXTURE_H
#define LVBS_UNIT_FIXTURE_H

#include <stddef.h>
#include <hv/types.h>

struct blob {
	u8 *p;
	size_t len;
};

/* The whole file, malloc'd (free p); a test failure and len 0 if missing. */
struct blob fixture_load(const char *name);

#endif
