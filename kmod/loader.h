/* SPDX-License-Identifier: GPL-2.0 */
/* Loading and late-launching the lvbs hypervisor (kmod/loader.c). */
#ifndef LVBS_KMOD_LOADER_H
#define LVBS_KMOD_LOADER_H

#include <linux/types.h>

struct lvbs_launch_result {
	phys_addr_t hv_phys;
	size_t hv_size;
	unsigned int nr_cpus;
	int failed_cpu;		/* Linux CPU number whose launch failed, or -1 */
	long hv_status;		/* the hypervisor's LVBS_E* code for it */
};

/* Check that this CPU can run the hypervisor at all; errno + message. */
int lvbs_loader_params(void);
struct lvbs_info;
void lvbs_loader_report_exec_split(const struct lvbs_info *info);
int lvbs_loader_check_cpu(void);

/*
 * Launch on every online CPU at once. CPU hotplug must already be disabled
 * by the caller. On failure every CPU is back outside the hypervisor and
 * its memory is freed.
 */
/* nmi_mark_gpa: lvbs_boot_params.nmi_mark_gpa (0: none). */
int lvbs_loader_launch(int fail_cpu, bool debug_serial, u64 nmi_mark_gpa,
		       struct lvbs_launch_result *res);

#endif
