// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny module for tests/vm's module-lifecycle scenario: loaded and
 * unloaded many times under lvbs, and asked where its code lives so the
 * scenario can check that freed init code and unloaded core code are not
 * executable afterwards.
 *
 *   /sys/module/lvbs_dummy/parameters/init_pa   physical address of its init code
 *   /sys/module/lvbs_dummy/parameters/core_pa   ... of its core code
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/jump_label.h>

static unsigned long long init_pa;
module_param(init_pa, ullong, 0444);
MODULE_PARM_DESC(init_pa, "physical address of this module's init code (read only)");

static unsigned long long core_pa;
module_param(core_pa, ullong, 0444);
MODULE_PARM_DESC(core_pa, "physical address of this module's core code (read only)");

/* A jump label in module text, so every load patches module text too. */
static DEFINE_STATIC_KEY_FALSE(dummy_key);

static noinline int dummy_core(void)
{
	return static_branch_unlikely(&dummy_key) ? 2 : 1;
}

static u64 pa_of(void *va)
{
	return ((u64)vmalloc_to_pfn(va) << PAGE_SHIFT) | offset_in_page(va);
}

static int __init lvbs_dummy_init(void)
{
	init_pa = pa_of(lvbs_dummy_init);
	core_pa = pa_of(dummy_core);
	static_branch_enable(&dummy_key);
	return dummy_core() == 2 ? 0 : -EINVAL;
}
module_init(lvbs_dummy_init);

static void __exit lvbs_dummy_exit(void)
{
	static_branch_disable(&dummy_key);
}
module_exit(lvbs_dummy_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lvbs test: a module to load and unload (tests/vm only)");
