# lvbs top-level build. See README.md for the two commands a newcomer runs.
#
#   make demo    install missing Debian packages, build, boot a protected VM
#   make test    unit tests (hypervisor core, lvbsctl) + VM tests (what CI runs)
#   make         build everything (hypervisor, lvbs.ko, lvbsctl, test programs)
#   make bench   benchmark: the same guest with and without lvbs

BUILD    := $(CURDIR)/build
KVER     ?= $(shell $(CURDIR)/scripts/kernel.sh kver 2>/dev/null)
KDIR     ?= /usr/src/linux-headers-$(KVER)
HV_BIN   := $(BUILD)/hv/lvbs-hv.bin
export BUILD KVER KDIR

.PHONY: all hv kmod tools testprogs deps kernel unit vmtest test demo bench clean

all: hv kmod tools testprogs

hv:
	$(MAKE) -C hv O=$(BUILD)/hv

kmod: hv
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod LVBS_HV_BIN=$(HV_BIN) modules

tools:
	$(MAKE) -C tools/lvbsctl

testprogs:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/modules modules
	$(MAKE) -C tests/vm/progs O=$(BUILD)/progs

deps:
	$(CURDIR)/scripts/install-deps.sh

kernel: deps
	$(CURDIR)/scripts/kernel.sh fetch

unit:
	$(MAKE) -C tests/unit run
	$(MAKE) -C tools/lvbsctl check

vmtest: all kernel
	$(CURDIR)/tests/vm/run-all.sh

test: deps
	$(MAKE) unit
	$(MAKE) vmtest

demo: deps
	$(MAKE) all kernel
	$(CURDIR)/tests/vm/demo.sh

bench: deps
	$(MAKE) all kernel
	$(CURDIR)/bench/run.sh

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/modules clean
	$(MAKE) -C tools/lvbsctl clean
	$(MAKE) -C tests/unit clean
