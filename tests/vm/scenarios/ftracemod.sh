#!/bin/sh
# ftracemod: the function tracer switched on and off, again and again,
# while a module (Debian's dummy.ko) loads and unloads with its functions
# in the tracer's filter (":mod:", which ftrace applies to the module each
# time it comes).
#
# The kernel's function tracer keeps records of a module's call sites
# until after the module notifiers have run (its init sites until after
# MODULE_STATE_LIVE), and before it rewrites a site it checks that the
# site holds what it last wrote there; if not, it reports an "ftrace bug"
# and disables itself until reboot. lvbs releases a module's code in those
# notifiers and scrubs it: when it scrubbed the sites too, a tracer switch
# that came in between found INT3s and ftrace was gone for good (found by
# the soak: "ftrace: cannot set filter"). lvbs_dummy.ko notify_delay_ms=
# widens that moment to 300 ms after each of lvbs's release, so that the
# switches land in it. Passes if no ftrace bug or warning came, ftrace
# still traces afterwards, and lvbs saw nothing to refuse.
# vm-timeout: 300
# shellcheck shell=dash source-path=SCRIPTDIR
# shellcheck source=../guest/lib.sh
. /lvbs/lib.sh

T=/sys/kernel/tracing
SECS=40
DM=/lvbs/debmods

load_lvbs
"$INSMOD" /lvbs/lvbs_dummy.ko notify_delay_ms=300 >/tmp/ftm.insmod 2>&1 ||
	fail "insmod lvbs_dummy notify_delay_ms=300: $(cat /tmp/ftm.insmod)"
mount -t tracefs tracefs "$T" 2>/dev/null || fail "cannot mount tracefs"
echo ':mod:dummy' >"$T/set_ftrace_filter" || fail "cannot set the filter :mod:dummy"
echo 'vfs_read' >>"$T/set_ftrace_filter" || fail "cannot add vfs_read to the filter"
dmesg_mark
end=$(($(date +%s) + SECS))
(
	n=0
	while [ "$(date +%s)" -lt "$end" ]; do
		"$INSMOD" "$DM/dummy.ko" >/tmp/ftm.insmod 2>&1 ||
			{ echo "insmod dummy failed after $n: $(cat /tmp/ftm.insmod)" >/tmp/ftm.fail; break; }
		rmmod dummy || { echo "rmmod dummy failed after $n" >/tmp/ftm.fail; break; }
		n=$((n + 1))
	done
	echo "$n" >/tmp/ftm.loads
) &
loader=$!
n=0
while [ "$(date +%s)" -lt "$end" ]; do
	echo function >"$T/current_tracer" || fail "function tracer: cannot start after $n switches"
	echo nop >"$T/current_tracer" || fail "function tracer: cannot stop after $n switches"
	n=$((n + 1))
done
wait "$loader"
[ -s /tmp/ftm.fail ] && fail "$(cat /tmp/ftm.fail)"
say "$n tracer switches, $(cat /tmp/ftm.loads) loads and unloads of dummy"
[ "$(cat /tmp/ftm.loads)" -gt 0 ] || fail "dummy never loaded"
bad=$(dmesg_since | grep -m1 -E 'ftrace bug|ftrace failed|WARNING:|BUG:|Oops')
[ -z "$bad" ] || fail "kernel log: $bad: $(dmesg_since | grep -A3 'ftrace bug' | head -n 8 | tr '\n' '|')"
# ftrace still works: a filter on a core function, the tracer on and off.
echo vfs_read >"$T/set_ftrace_filter" || fail "ftrace: cannot set a filter afterwards"
echo function >"$T/current_tracer" || fail "ftrace: cannot start afterwards"
cat /proc/version >/dev/null
# (Read before the tracer stops: switching the tracer empties the buffer.)
grep -q vfs_read "$T/trace" || fail "ftrace: traced nothing afterwards"
echo nop >"$T/current_tracer" || fail "ftrace: cannot stop afterwards"
[ "$(status_get violations)" = 0 ] || fail "status: violations is $(status_get violations)"
[ "$(status_get patches_denied)" = 0 ] || fail "status: patches_denied is $(status_get patches_denied)"
[ "$(status_get modules_failed)" = 0 ] || fail "status: modules_failed is $(status_get modules_failed)"
rmmod lvbs_dummy || fail "rmmod lvbs_dummy"
check_active
say "ok"
