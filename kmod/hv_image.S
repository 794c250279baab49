/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor image, embedded in lvbs.ko (one artifact: insmod is all it
 * takes). Built by hv/Makefile; its path comes from the top-level Makefile.
 */
	.section .rodata.lvbs_hv, "a"
	.balign 4096
	.globl lvbs_hv_image, lvbs_hv_image_end
lvbs_hv_image:
	.incbin LVBS_HV_BIN
lvbs_hv_image_end:
	.section .note.GNU-stack, "", @progbits
