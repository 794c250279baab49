# lvbs top-level build. See README.md for the two commands a newcomer runs.
#
#   make demo    install missing Debian packages, build, boot a protected VM
#   make test    unit tests (hypervisor core, lvbsctl), 2 min of fuzzing, the Debian
#                package, VM tests on every kernel series (what CI runs)
#   make         build everything (hypervisor, lvbs.ko, lvbsctl, test programs)
#   make bench   benchmark: the same guest with and without lvbs
#   make bench-modload  what a module load costs under lvbs, by module size
#                (time and instruction ratios, the hypervisor's part per hypercall)
#   make fuzz    libFuzzer over the hypervisor core for FUZZ_SECONDS (default 600)
#   make fuzz-modsig  the same over the module signature checker
#   make deb     the Debian package (debian/, docs/packaging.md) in build/deb/,
#                checked by lintian and built by DKMS for each installed kernel
#   make e2e     the package installed on a Debian system booted under QEMU, on 6.1
#                and after a kernel update on 6.12 (root; what CI runs after make test)
#   make e2e-allmods  the same image, every module of each kernel's package
#                loaded after SEAL, none refused (root; about 85 min per kernel)
#   make soak    long soak for false positives: SOAK_SECONDS per boot
#                (default 600), SOAK_BOOTS boots (default 3)
#
# KSERIES=6.12 (default 6.1) builds and tests against Debian's 6.12 kernel
# instead, in build/k6.12/ (docs/kernel-compatibility.md); `make test` runs
# the VM suite on every series.

KSERIES  ?= 6.1
BUILD    := $(shell KSERIES=$(KSERIES) $(CURDIR)/scripts/kernel.sh builddir)
ifeq ($(BUILD),)
$(error KSERIES=$(KSERIES) is not a series scripts/kernel.sh knows)
endif
KVER     ?= $(shell KSERIES=$(KSERIES) BUILD=$(BUILD) $(CURDIR)/scripts/kernel.sh kver 2>/dev/null)
KDIR     ?= /usr/src/linux-headers-$(KVER)
FUZZ_SECONDS ?= 600
HV_BIN   := $(BUILD)/hv/lvbs-hv.bin
export KSERIES BUILD KVER KDIR

# Kbuild writes its objects next to the sources, so each series builds the
# modules in its own directory of links to them: $(BUILD)/kmod and
# $(BUILD)/modules. $(1): source directory, $(2): that directory.
define link_sources
	@mkdir -p $(2)
	@find $(2) -maxdepth 1 -type l -delete
	@for f in $(1)/Kbuild $(1)/*.[chS]; do \
		case $$f in *.mod.c) ;; *) ln -s $$f $(2)/ ;; esac; \
	done
endef

.PHONY: all hv kmod tools testprogs deps kernel unit fuzz fuzz-short fuzz-modsig fuzz-modreloc vmtest vmtest-vmx test \
	demo bench bench-vmx bench-modload soak deb e2e e2e-allmods clean

all: hv kmod tools testprogs

hv:
	$(MAKE) -C hv O=$(BUILD)/hv

kmod: hv
	$(call link_sources,$(CURDIR)/kmod,$(BUILD)/kmod)
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod LVBS_HV_BIN=$(HV_BIN) \
		LVBS_INCLUDE=$(CURDIR)/include modules

tools:
	$(MAKE) -C tools/lvbsctl

testprogs:
	$(call link_sources,$(CURDIR)/tests/vm/modules,$(BUILD)/modules)
	$(MAKE) -C $(KDIR) M=$(BUILD)/modules LVBS_INCLUDE=$(CURDIR)/include modules
	$(MAKE) -C tests/vm/progs O=$(BUILD)/progs

deps:
	$(CURDIR)/scripts/install-deps.sh

kernel: deps
	$(CURDIR)/scripts/kernel.sh fetch

unit:
	$(MAKE) -C tests/unit run
	$(MAKE) -C tools/lvbsctl check

# Hypercall fuzzing (tests/fuzz): one process, prints the execution count.
fuzz:
	$(MAKE) -C tests/fuzz run SECONDS=$(FUZZ_SECONDS)

fuzz-short:
	$(MAKE) -C tests/fuzz run SECONDS=60
	$(MAKE) -C tests/fuzz run-modsig SECONDS=30
	$(MAKE) -C tests/fuzz run-modreloc SECONDS=30

# The module signature checker (tests/fuzz/fuzz_modsig.c), as long as asked.
fuzz-modsig:
	$(MAKE) -C tests/fuzz run-modsig SECONDS=$(FUZZ_SECONDS)

# The module relocator (tests/fuzz/fuzz_modreloc.c), as long as asked.
fuzz-modreloc:
	$(MAKE) -C tests/fuzz run-modreloc SECONDS=$(FUZZ_SECONDS)

vmtest: all kernel
	@t=$$(date +%s); $(CURDIR)/tests/vm/modsig-debian.sh; r=$$?; \
		echo "==== time: module signatures on Linux $(KSERIES) $$(( $$(date +%s) - t ))s"; exit $$r
	@t=$$(date +%s); $(CURDIR)/tests/vm/modreloc-debian.sh; r=$$?; \
		echo "==== time: module relocations on Linux $(KSERIES) $$(( $$(date +%s) - t ))s"; exit $$r
	$(CURDIR)/tests/vm/run-all.sh

# The Intel VMX scenarios under Bochs (tests/vm/scenarios with "platforms:
# bochs"; docs/testing.md), on the 6.1 series only: Linux 6.12 under Bochs
# is untested.
vmtest-vmx:
	@t=$$(date +%s); env -u KVER -u KDIR -u BUILD $(MAKE) all kernel KSERIES=6.1 && \
		env -u KVER -u KDIR -u BUILD LVBS_VM_PLATFORM=bochs KSERIES=6.1 \
		$(CURDIR)/tests/vm/run-all.sh; r=$$?; \
		echo "==== time: VMX suite (Bochs) $$(( $$(date +%s) - t ))s"; exit $$r

# The VM suite once per kernel series, each in its own build directory;
# both run even if the first fails. KVER, KDIR and BUILD are the series'
# own, so the ones this make exported are not passed down.
test: deps
	@t=$$(date +%s); $(MAKE) unit; r=$$?; \
		echo "==== time: unit tests $$(( $$(date +%s) - t ))s"; exit $$r
	@t=$$(date +%s); $(MAKE) fuzz-short; r=$$?; \
		echo "==== time: fuzzing $$(( $$(date +%s) - t ))s"; exit $$r
	@t=$$(date +%s); $(MAKE) deb; r=$$?; \
		echo "==== time: Debian package $$(( $$(date +%s) - t ))s"; exit $$r
	@fail=; for s in $$($(CURDIR)/scripts/kernel.sh series); do \
		echo "==== VM suite on Linux $$s (KSERIES=$$s)"; t=$$(date +%s); \
		env -u KVER -u KDIR -u BUILD $(MAKE) vmtest KSERIES=$$s || fail="$$fail $$s"; \
		echo "==== time: VM suite on Linux $$s $$(( $$(date +%s) - t ))s"; \
	done; \
	env -u KVER -u KDIR -u BUILD $(MAKE) vmtest-vmx || fail="$$fail VMX(Bochs)"; \
	if [ -n "$$fail" ]; then echo "VM suite failed on:$$fail"; exit 1; fi

deb: deps
	$(CURDIR)/scripts/mkdeb.sh

# lvbs installed from the package on a Debian 12 system with systemd,
# booted on 6.1 and, after a kernel update, on 6.12 (tests/e2e/run.sh).
e2e: deb kernel
	$(CURDIR)/tests/e2e/run.sh

# The same image, each kernel booted once loading every module of its
# package after SEAL: none may be refused (on demand, about 85 min per
# kernel under TCG; LVBS_E2E_ALLMODS_MAX=N tries the first N only).
e2e-allmods: deb kernel
	$(CURDIR)/tests/e2e/run.sh allmods

demo: deps
	$(MAKE) all kernel
	$(CURDIR)/tests/vm/demo.sh

bench: deps
	$(MAKE) all kernel
	$(MAKE) -C bench O=$(BUILD)/bench
	$(CURDIR)/bench/run.sh

# The same benchmark on Intel VMX under Bochs (6.1), on demand: one round
# of the three boots (about 15 minutes), fewer workload rounds, no
# instruction counts (a QEMU plugin). Ratios and exits by kind only.
BENCH_VMX_ROUNDS ?= 4
bench-vmx: deps
	env -u KVER -u KDIR -u BUILD $(MAKE) all kernel KSERIES=6.1
	env -u KVER -u KDIR -u BUILD LVBS_VM_PLATFORM=bochs KSERIES=6.1 BENCH_PAIRS=1 BENCH_INSN=0 \
		BENCH_ROUNDS=$(BENCH_VMX_ROUNDS) LVBS_VM_TIMEOUT=1800 $(CURDIR)/bench/run.sh

bench-modload: deps
	$(MAKE) all kernel
	$(MAKE) -C bench O=$(BUILD)/bench
	BUILD=$(BUILD) $(CURDIR)/bench/modload.sh

SOAK_SECONDS ?= 600
SOAK_BOOTS   ?= 3
soak: all kernel
	$(CURDIR)/tests/vm/soak.sh $(SOAK_SECONDS) $(SOAK_BOOTS)

clean:
	rm -rf $(BUILD)
	@# Objects of in-tree module builds from before build/kmod existed.
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/modules clean
	$(MAKE) -C tools/lvbsctl clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/fuzz clean
