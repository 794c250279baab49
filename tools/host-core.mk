# Shared by the host tools that build part of hv/core for the host
# (lvbs-certs, lvbs-modreloc): where objects go, the flags, and the
# rules that compile the tool's own source and the core's.
# The including Makefile sets TOOL (its source is $(TOOL).c) and, if it
# needs more, EXTRA_CFLAGS.
O ?= $(abspath $(CURDIR)/../../build/tools)
CC := gcc
HV := ../../hv

CFLAGS := -std=gnu11 -O2 -g -DLVBS_HOST_TEST -I$(HV)/include -I$(HV) -I../../include \
	-Wall -Wextra -Werror $(EXTRA_CFLAGS)
BIN := $(O)/$(TOOL)

all: $(BIN)

$(O)/$(TOOL).o: $(TOOL).c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -c -o $@ $<

$(O)/core/%.o: $(HV)/core/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -c -o $@ $<

.PHONY: all clean
