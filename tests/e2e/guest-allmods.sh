#!/bin/sh
# The false-positive hunt of `make e2e-allmods` (tests/e2e/run.sh allmods):
# run by guest-test.sh, after SEAL, when the kernel command line has
# lvbs_e2e.allmods=1. Loads every module of the running kernel's package
# that QEMU can load, one at a time with modprobe (dependencies, Debian's
# own files and modprobe.d), and unloads it again.
#
# lvbs checks and compares a module at COMING, before its init runs, so a
# driver whose init fails for want of its hardware has been checked all
# the same. Every refusal here is a false positive: these are Debian's own
# signed modules, unmodified. The host asserts on the totals; each
# refusal is also named on its own line with lvbs's reason from the log.
#
# Left out: modules that are tests or benchmarks by design and run for
# minutes or forever in their init (torture, scale, dmatest...), and the
# ones the boot already loaded (compared then; unloading virtio_pci took
# the root disk away). The list is printed. After each load, what that
# load brought in (the module and the dependencies modprobe loaded for
# it, as /proc/modules newly lists them) is unloaded again, newest first:
# keeping them (some thousand modules live) filled lvbs's permission
# database after some 2,000 loads on 6.12 (docs/operations.md). Any lvbs
# message that a load failed (a refusal, or memory it could not protect)
# is a failure.
say() {
	echo "LVBS-E2E: $*"
}

sfs=/sys/kernel/security/lvbs/status
# The refusal counters: signature check failed, compared and differ,
# comparison failed, not compared.
refusals() {
	awk '$1 == "modules_failed" || $1 == "modules_differ" ||
	     $1 == "modules_compare_failed" || $1 == "modules_not_compared" { n += $2 }
	     END { print n + 0 }' $sfs
}
counter() {
	awk -v k="$1" '$1 == k { print $2 }' $sfs
}
# lvbs's messages of a load it failed: refused, or not protected.
LVBS_FAILED='lvbs: (module [^ ]+: (comparison|not compared|differs|not authenticated|unexpected|releasing)|protecting [^ ]+ failed)'
CRASH='kernel BUG at|Oops:|general protection fault|WARNING: CPU:'
# The kernel's log since load $1's mark. Each load is judged on its own
# lines: over thousands of loads the ring buffer wraps, and a count over
# the whole log at the end lost lines (the boot's own refusal, counted
# at the start, was gone by the end: "-2 load failures").
MARK=LVBS-ALLMODS-MARK
since_mark() {
	dmesg | sed -n "/$MARK $1\$/,\$p"
}
# Append this load's ($m's) lines matching $1 (with grep options $3) from
# /run/allmods.log to $2; print how many lines matched.
collect() {
	grep -E ${3:+"$3"} "$1" /run/allmods.log | sed "s/^/$m: /" >>"$2"
	grep -cE "$1" /run/allmods.log
}

skip='^(rcutorture|locktorture|rcuscale|refscale|scftorture|torture|rcuperf|dmatest|test_.*|.*_test|.*-test|kunit|.*_kunit|.*-kunit|lkdtm|atomic64_test|bpf_testmod|trace_printk|pktgen|ib_.*test|dm-.*-test|kfence_test)$'

kv=$(uname -r)
find /lib/modules/"$kv"/kernel -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' |
	sed 's,.*/,,; s,\.ko\(\.xz\|\.zst\)\?$,,' | sort -u >/run/allmods.all
# lvbs_e2e.allmods_max=N: the first N only (a quick try of the test
# itself); lvbs_e2e.allmods_skip=N: from the N+1st on.
arg() {
	tr ' ' '\n' </proc/cmdline | sed -n "s/^lvbs_e2e\\.$1=\\([0-9]*\\)\$/\\1/p"
}
max=$(arg allmods_max)
first=$(($(arg allmods_skip) + 1))
# The boot's modules, as modprobe names them ('-' and '_' alike).
cut -d' ' -f1 /proc/modules | sort >/run/allmods.boot
sed 's/-/_/g' /run/allmods.all | paste -d' ' - /run/allmods.all |
	sort -k1,1 | join -v1 - /run/allmods.boot | cut -d' ' -f2 | sort >/run/allmods.notboot
grep -Ev "$skip" /run/allmods.notboot | tail -n "+$first" | head -n "${max:-100000}" >/run/allmods.list
total=$(wc -l </run/allmods.list)
say "allmods: $(wc -l </run/allmods.all) modules in the package, $(wc -l </run/allmods.boot) loaded by the boot, $total to load, from number $first of the list; left out: $(grep -E "$skip" /run/allmods.all | tr '\n' ' ')"
# Deltas from here: the boot's own attack (an unsigned module) is a
# refusal that must stay one.
c0=$(counter modules_compared)
f0=$(counter modules_failed)
d0=$(counter modules_differ)
x0=$(counter modules_compare_failed)
n0=$(counter modules_not_compared)
# The console is for the test's lines, not for every driver's probe; each
# load's crashes are looked for in its own lines of the log.
dmesg -n 1
i=0
loaded=0
fails=0
crashes=0
: >/run/allmods.failed
: >/run/allmods.crash
before=$(refusals)
while read -r m; do
	i=$((i + 1))
	# Straight to the console, so that a load that hangs the guest is
	# named there (the host keeps these lines out of what it asserts on).
	echo "LVBS-LOAD: $i $m" >/dev/console
	echo "$MARK $i" >/dev/kmsg
	cut -d' ' -f1 /proc/modules >/run/allmods.before
	if timeout -s KILL 120 modprobe -q "$m" 2>/dev/null; then
		loaded=$((loaded + 1))
	fi
	cut -d' ' -f1 /proc/modules | grep -vxF -f /run/allmods.before >/run/allmods.new
	while read -r n; do
		rmmod "$n" 2>/dev/null
	done </run/allmods.new
	since_mark "$i" >/run/allmods.log
	if ! [ -s /run/allmods.log ]; then
		# One load logged more than the whole buffer: not judged.
		echo "$m: the kernel log wrapped during this load; its lines were not checked" >>/run/allmods.failed
		fails=$((fails + 1))
	fi
	fails=$((fails + $(collect "$LVBS_FAILED" /run/allmods.failed)))
	crashes=$((crashes + $(collect "$CRASH" /run/allmods.crash -A2)))
	now=$(refusals)
	if [ "$now" != "$before" ]; then
		why=$(grep -E "$LVBS_FAILED" /run/allmods.log | tail -n 2 | tr '\n' ' ')
		say "allmods: REFUSED $m: $why"
		before=$now
	fi
	if [ $((i % 250)) -eq 0 ]; then
		say "allmods: $i/$total tried, $loaded loaded, compared $(($(counter modules_compared) - c0)), $(wc -l </proc/modules) modules loaded now, $(counter perm_ranges) ranges in the permission database"
	fi
done </run/allmods.list
say "allmods: done: $i tried, $loaded loaded and unloaded, compared $(($(counter modules_compared) - c0)), signature failed $(($(counter modules_failed) - f0)), differ $(($(counter modules_differ) - d0)), failed $(($(counter modules_compare_failed) - x0)), not compared $(($(counter modules_not_compared) - n0))"
say "allmods: lvbs load failures: $fails"
head -n 20 /run/allmods.failed | sed 's/^/LVBS-E2E: allmods: lvbs: /'
say "allmods: kernel crashes: $crashes"
head -n 30 /run/allmods.crash | sed 's/^/LVBS-E2E: allmods: crash: /'
