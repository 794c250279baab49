/* SPDX-License-Identifier: GPL-2.0 */
/* Polled output on COM1, used only on a hypervisor panic. */
#ifndef HV_CORE_SERIAL_H
#define HV_CORE_SERIAL_H

#include <hv/types.h>

void serial_puts(const char *s);
void serial_put_hex(u64 v);

#endif
