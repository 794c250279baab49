/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module as the kernel laid it out, against its verified file
 * (modcmp.c; ABI: MODULE_COMPARE; docs/module-signatures.md).
 */
#ifndef HV_CORE_MODCMP_H
#define HV_CORE_MODCMP_H

#include <hv/types.h>
#include <lvbs/abi.h>

struct hv_cpu;

void modcmp_reset(void);
/*
 * One MODULE_COMPARE call: @cont 0 starts with the request at @gpa, 1
 * goes on with this CPU's. *more_out is 1 while work is left; when done
 * the result is written to the request at @gpa.
 */
long modcmp_call(struct hv_cpu *c, u64 gpa, u64 size, u64 cont, u64 *more_out);
void modcmp_fill_info(struct lvbs_info *info);

#endif
