/* SPDX-License-Identifier: GPL-2.0 */
/* State of lvbs.ko shared between its files. */
#ifndef LVBS_KMOD_LVBS_H
#define LVBS_KMOD_LVBS_H

#include <linux/types.h>
#include "hv_backend.h"

struct lvbs_state {
	const struct lvbs_hv_ops *hv;	/* the hypervisor we talk to */
	unsigned int nr_cpus;		/* CPUs under it */
	int cpu_of_index[LVBS_MAX_CPUS];	/* hypervisor CPU index -> Linux CPU */
};

extern struct lvbs_state lvbs;

int lvbs_securityfs_init(void);
int lvbs_pin_control_registers(void);

#endif
