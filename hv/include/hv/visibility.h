/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every hypervisor object: all symbols are local to the
 * image, so the compiler addresses them RIP-relative and the link needs no
 * GOT and no relocations.
 */
#pragma GCC visibility push(hidden)
