// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny module for tests/vm's module-lifecycle scenario: loaded and
 * unloaded many times under lvbs, and asked where its code lives so the
 * scenario can check that freed init code and unloaded core code are not
 * executable afterwards.
 *
 *   /sys/module/lvbs_dummy/parameters/init_pa   physical address of its init code
 *   /sys/module/lvbs_dummy/parameters/core_pa   ... of its core code
 *
 * With async_init_ms=N its init also schedules init code of its own to run
 * asynchronously, N ms later, as 6.1's battery driver does
 * (acpi_battery_init_async() is __init): the kernel waits for it after
 * the module goes live and before it frees init memory, so lvbs must not
 * take init's memory away before then. async_ran says it ran.
 *
 * With notify_delay_ms=N it stays loaded as a module notifier that runs
 * after lvbs.ko's (the same lowest priority, registered later) and sleeps
 * N ms whenever another module goes live or away: the kernel still holds
 * on to that module's code then (its function tracer records), while lvbs
 * has already released it (scenario ftracemod).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/jump_label.h>
#include <linux/async.h>
#include <linux/delay.h>

static unsigned long long init_pa;
module_param(init_pa, ullong, 0444);
MODULE_PARM_DESC(init_pa, "physical address of this module's init code (read only)");

static unsigned long long core_pa;
module_param(core_pa, ullong, 0444);
MODULE_PARM_DESC(core_pa, "physical address of this module's core code (read only)");

static unsigned int async_init_ms;
module_param(async_init_ms, uint, 0444);
MODULE_PARM_DESC(async_init_ms, "run init code asynchronously after this many ms (0: none)");

static int async_ran;
module_param(async_ran, int, 0444);
MODULE_PARM_DESC(async_ran, "1 once the asynchronous init code ran (read only)");

static unsigned int notify_delay_ms;
module_param(notify_delay_ms, uint, 0444);
MODULE_PARM_DESC(notify_delay_ms, "sleep this many ms after lvbs's module notifier when another module goes live or away (0: no notifier)");

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

static void __init dummy_async_init(void *unused, async_cookie_t cookie)
{
	msleep(async_init_ms);
	async_ran = 1;
	pr_info("lvbs_dummy: asynchronous init code ran after %u ms\n", async_init_ms);
}

static int dummy_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	if (data != THIS_MODULE && (state == MODULE_STATE_LIVE || state == MODULE_STATE_GOING))
		msleep(notify_delay_ms);
	return NOTIFY_DONE;
}

static struct notifier_block dummy_nb = {
	.notifier_call = dummy_notify,
	.priority = INT_MIN,
};

static int __init lvbs_dummy_init(void)
{
	if (notify_delay_ms && register_module_notifier(&dummy_nb))
		return -EINVAL;
	if (async_init_ms)
		async_schedule(dummy_async_init, NULL);
	init_pa = pa_of(lvbs_dummy_init);
	core_pa = pa_of(dummy_core);
	static_branch_enable(&dummy_key);
	if (dummy_core() == 2)
		return 0;
	if (notify_delay_ms)
		unregister_module_notifier(&dummy_nb);
	return -EINVAL;
}
module_init(lvbs_dummy_init);

static void __exit lvbs_dummy_exit(void)
{
	static_branch_disable(&dummy_key);
	if (notify_delay_ms)
		unregister_module_notifier(&dummy_nb);
}
module_exit(lvbs_dummy_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lvbs test: a module to load and unload (tests/vm only)");
