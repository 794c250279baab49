// SPDX-License-Identifier: GPL-2.0
/*
 * lvbsctl: show what lvbs reports through /sys/kernel/security/lvbs.
 *
 *   lvbsctl status [--json]   is lvbs active, on how many CPUs, with which
 *                             CPU features, and which protections are weaker
 *   lvbsctl stats  [--json]   VM exits per CPU and kind
 *   lvbsctl log    [--json]   the hypervisor's event and violation log
 *
 * The file formats are in docs/operations.md. Exit status: 0 ok, 1 usage,
 * 2 lvbs not active, 3 malformed or unreadable data.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_DIR	"/sys/kernel/security/lvbs"
#define MAX_LINE	1024
#define MAX_FIELDS	48
#define MAX_LINES	4096

enum { EXIT_USAGE = 1, EXIT_INACTIVE = 2, EXIT_DATA = 3 };

struct field {
	char key[48];
	char val[256];
};

struct record {
	int nr;
	struct field f[MAX_FIELDS];
};

static const char *dir;
static bool json;

static void die_data(const char *file, int line, const char *why)
{
	if (line)
		fprintf(stderr, "lvbsctl: %s/%s line %d: %s\n", dir, file, line, why);
	else
		fprintf(stderr, "lvbsctl: %s/%s: %s\n", dir, file, why);
	exit(EXIT_DATA);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static bool is_decimal(const char *s)
{
	if (!*s || strlen(s) > 19)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A value as JSON: decimal numbers as numbers, everything else a string. */
static void json_val(const char *v)
{
	if (is_decimal(v))
		fputs(v, stdout);
	else
		json_str(v);
}

static bool check_active(void)
{
	struct stat st;

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	if (json) {
		printf("{\"active\": false, \"error\": ");
		json_str("lvbs is not active (no securityfs directory; is lvbs.ko loaded?)");
		printf("}\n");
	}
	fprintf(stderr, "lvbsctl: lvbs is not active (no %s; is lvbs.ko loaded?)\n", dir);
	return false;
}

static void copy_bounded(char *dst, size_t size, const char *src, size_t len,
			 const char *file, int line)
{
	if (len == 0 || len >= size)
		die_data(file, line, len ? "field too long" : "empty field");
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* "key value" per line (status). */
static int read_kv(const char *file, struct record *r)
{
	char path[4096], buf[MAX_LINE];
	int line = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		die_data(file, 0, strerror(errno));
	r->nr = 0;
	while (fgets(buf, sizeof(buf), f)) {
		char *sp, *end = buf + strcspn(buf, "\n");

		line++;
		*end = 0;
		sp = strchr(buf, ' ');
		if (!sp)
			die_data(file, line, "expected 'key value'");
		if (r->nr == MAX_FIELDS)
			die_data(file, line, "too many keys");
		copy_bounded(r->f[r->nr].key, sizeof(r->f[0].key), buf, sp - buf, file, line);
		copy_bounded(r->f[r->nr].val, sizeof(r->f[0].val), sp + 1, strlen(sp + 1),
			     file, line);
		r->nr++;
	}
	fclose(f);
	if (r->nr == 0)
		die_data(file, 0, "empty");
	return r->nr;
}

/* "k=v k=v ..." per line (stats, log). Returns the number of lines. */
static int read_records(const char *file, struct record **out)
{
	char path[4096], buf[MAX_LINE];
	struct record *recs = NULL;
	int n = 0, line = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		die_data(file, 0, strerror(errno));
	while (fgets(buf, sizeof(buf), f)) {
		struct record *r;
		char *tok, *save = NULL;

		line++;
		buf[strcspn(buf, "\n")] = 0;
		if (n == MAX_LINES)
			die_data(file, line, "too many lines");
		recs = realloc(recs, sizeof(*recs) * (n + 1));
		if (!recs)
			die_data(file, line, "out of memory");
		r = &recs[n++];
		r->nr = 0;
		for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(tok, '=');

			if (!eq)
				die_data(file, line, "expected key=value");
			if (r->nr == MAX_FIELDS)
				die_data(file, line, "too many fields");
			copy_bounded(r->f[r->nr].key, sizeof(r->f[0].key), tok, eq - tok,
				     file, line);
			copy_bounded(r->f[r->nr].val, sizeof(r->f[0].val), eq + 1,
				     strlen(eq + 1), file, line);
			r->nr++;
		}
		if (r->nr == 0)
			die_data(file, line, "empty line");
	}
	fclose(f);
	*out = recs;
	return n;
}

static const char *get(const struct record *r, const char *key)
{
	for (int i = 0; i < r->nr; i++)
		if (!strcmp(r->f[i].key, key))
			return r->f[i].val;
	return NULL;
}

static const char *need(const struct record *r, const char *key, const char *file)
{
	const char *v = get(r, key);

	if (!v) {
		char why[128];

		snprintf(why, sizeof(why), "missing '%s'", key);
		die_data(file, 0, why);
	}
	return v;
}

static bool has_feature(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return true;
	return false;
}

/* ---- status ---- */

struct weakness {
	const char *vendor, *feature, *text;
};

static const struct weakness weaknesses[] = {
	{ "svm", "nrips", "no nRIP save: the hypervisor decodes each intercepted instruction itself (slower exits, same protection)" },
	{ "svm", "decode_assists", "no decode assists: operands of intercepted instructions are decoded in software (slower exits, same protection)" },
	{ "svm", "gmet", "no GMET: nested paging cannot tell kernel-mode from user-mode execution; kernel execute control (not enforced yet) will use the weaker fallback in docs/threat-model.md" },
	{ "svm", "flush_by_asid", "no flush-by-ASID: TLB flushes after permission changes flush every ASID (slower, same protection)" },
	{ "vmx", "mbec", "no MBEC: EPT cannot tell kernel-mode from user-mode execution; kernel execute control falls back to the weaker mode in docs/threat-model.md" },
	{ "vmx", "vpid", "no VPID: every exit flushes the TLB (slower, same protection)" },
};

static void status_json(const struct record *r)
{
	printf("{\"active\": true");
	for (int i = 0; i < r->nr; i++) {
		const char *k = r->f[i].key, *v = r->f[i].val;

		if (!strcmp(k, "active"))
			continue;
		printf(", ");
		json_str(k);
		printf(": ");
		if (!strncmp(k, "features_", 9)) {
			char tmp[256], *tok, *save = NULL;
			bool first = true;

			snprintf(tmp, sizeof(tmp), "%s", strcmp(v, "-") ? v : "");
			putchar('[');
			for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				printf("%s", first ? "" : ", ");
				json_str(tok);
				first = false;
			}
			putchar(']');
		} else {
			json_val(v);
		}
	}
	printf("}\n");
}

struct bit_name {
	int cr, bit;
	const char *name;
};

static const struct bit_name cr_bits[] = {
	{ 0, 0, "PE" }, { 0, 16, "WP" }, { 0, 31, "PG" },
	{ 4, 11, "UMIP" }, { 4, 20, "SMEP" }, { 4, 21, "SMAP" }, { 4, 23, "CET" },
};

/* Slot order of enum lvbs_msr_slot (include/lvbs/abi.h). */
static const char *const msr_slot_names[] = {
	"EFER", "STAR", "LSTAR", "CSTAR", "SFMASK", "SYSENTER_CS",
	"SYSENTER_ESP", "SYSENTER_EIP",
};

static void show_msr_pins(const struct record *r)
{
	const char *v = get(r, "pinned_msrs");
	unsigned long m;
	bool first = true;

	if (!v)
		return;
	m = strtoul(v, NULL, 16);
	printf("pinned MSRs:     ");
	for (size_t i = 0; i < sizeof(msr_slot_names) / sizeof(msr_slot_names[0]); i++) {
		if (!(m & (1ul << i)))
			continue;
		printf("%s%s", first ? "" : ",", msr_slot_names[i]);
		first = false;
	}
	printf("%s (on every CPU)\n", first ? "none" : "");
	if (get(r, "pinned_dt_cpus"))
		printf("pinned tables:   IDTR,GDTR,TR (on %s CPUs)\n", get(r, "pinned_dt_cpus"));
	if (m != (1ul << (sizeof(msr_slot_names) / sizeof(msr_slot_names[0]))) - 1)
		printf("WARNING:         not every kernel-entry MSR is pinned on every CPU\n");
}

/* "CR0 WP,PE,PG; CR4 SMEP,SMAP" from the pinned masks; "" if absent. */
static void show_pins(const struct record *r)
{
	const char *k[2] = { "pinned_cr0", "pinned_cr4" };
	const char *cpus = get(r, "pinned_cpus");
	bool any = false;

	if (!get(r, k[0]) || !get(r, k[1]) || !cpus)
		return;
	printf("pinned:          ");
	for (int i = 0; i < 2; i++) {
		unsigned long long m = strtoull(get(r, k[i]), NULL, 16);
		bool first = true;

		printf("%sCR%d ", i ? "; " : "", i ? 4 : 0);
		for (size_t b = 0; b < sizeof(cr_bits) / sizeof(cr_bits[0]); b++) {
			if (cr_bits[b].cr != (i ? 4 : 0) || !(m & (1ULL << cr_bits[b].bit)))
				continue;
			printf("%s%s", first ? "" : ",", cr_bits[b].name);
			first = false;
			any = true;
		}
		if (first)
			printf("-");
	}
	printf(" (enforced on %s CPUs)\n", cpus);
	if (!any)
		printf("WARNING:         no control-register bit is pinned\n");
	show_msr_pins(r);
}

static void status_human(const struct record *r)
{
	const char *vendor = need(r, "vendor", "status");
	const char *present = need(r, "features_present", "status");
	const char *used = need(r, "features_used", "status");
	long cpus = atol(need(r, "cpus", "status"));
	long online = atol(need(r, "cpus_online", "status"));
	bool weak = false;

	printf("lvbs:            active\n");
	printf("backend:         %s, ABI %s\n", vendor, need(r, "abi_version", "status"));
	printf("CPUs:            %ld virtualized, %ld online\n", cpus, online);
	if (cpus != online)
		printf("WARNING:         %ld online CPU(s) run OUTSIDE the hypervisor and are not protected\n",
		       online - cpus);
	printf("hypervisor:      %llu KiB at physical %s (absent from the guest's memory)\n",
	       strtoull(need(r, "hv_phys_size", "status"), NULL, 10) / 1024,
	       need(r, "hv_phys_base", "status"));
	printf("features found:  %s\n", present);
	printf("features used:   %s\n", used);
	show_pins(r);
	printf("unload:          %s\n", need(r, "unload", "status"));
	printf("log:             next event #%s, ring of %s entries\n",
	       need(r, "log_next_seq", "status"), need(r, "log_capacity", "status"));
	for (size_t i = 0; i < sizeof(weaknesses) / sizeof(weaknesses[0]); i++) {
		const struct weakness *w = &weaknesses[i];

		if (strcmp(w->vendor, vendor) || has_feature(present, w->feature))
			continue;
		if (!weak)
			printf("weaker protections (missing CPU features):\n");
		printf("  - %s\n", w->text);
		weak = true;
	}
	if (!weak)
		printf("weaker protections: none\n");
	printf("not enforced yet: kernel code/rodata protection (and so the IDT/GDT contents), module authentication (see README)\n");
	for (int i = 0; i < r->nr; i++) {
		static const char *const known[] = {
			"active", "abi_version", "vendor", "cpus", "cpus_online",
			"features_present", "features_used", "hv_phys_base",
			"hv_phys_size", "guest_phys_limit", "log_capacity",
			"log_next_seq", "unload", "pinned_cr0", "pinned_cr4",
			"pinned_cpus", "pinned_msrs", "pinned_dt_cpus",
		};
		bool is_known = false;

		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			is_known |= !strcmp(r->f[i].key, known[k]);
		if (!is_known)
			printf("%-16s %s\n", r->f[i].key, r->f[i].val);
	}
}

static int cmd_status(void)
{
	struct record r;

	read_kv("status", &r);
	if (strcmp(need(&r, "active", "status"), "1"))
		die_data("status", 0, "'active' is not 1");
	if (json)
		status_json(&r);
	else
		status_human(&r);
	return 0;
}

/* ---- stats and log ---- */

static void records_json(const struct record *recs, int n)
{
	printf("[");
	for (int i = 0; i < n; i++) {
		printf("%s\n  {", i ? "," : "");
		for (int k = 0; k < recs[i].nr; k++) {
			printf("%s", k ? ", " : "");
			json_str(recs[i].f[k].key);
			printf(": ");
			json_val(recs[i].f[k].val);
		}
		printf("}");
	}
	printf("%s]\n", n ? "\n" : "");
}

static int cmd_stats(void)
{
	struct record *recs, total = { 0 };
	int n = read_records("stats", &recs);

	if (n == 0)
		die_data("stats", 0, "no CPU lines");
	if (json) {
		printf("{\"active\": true, \"cpus\": ");
		records_json(recs, n);
		printf("}\n");
		free(recs);
		return 0;
	}
	/* One column per counter, in the order the first line gives them. */
	total.nr = recs[0].nr;
	for (int k = 0; k < recs[0].nr; k++) {
		unsigned long long sum = 0;

		for (int i = 0; i < n; i++)
			sum += strtoull(need(&recs[i], recs[0].f[k].key, "stats"), NULL, 10);
		snprintf(total.f[k].val, sizeof(total.f[k].val), "%llu", sum);
	}
	printf("VM exits by kind (cumulative since launch)\n");
	printf("%-18s", "kind");
	for (int i = 0; i < n; i++)
		printf(" %12s%s", "cpu", need(&recs[i], "cpu", "stats"));
	printf(" %13s\n", "all");
	for (int k = 0; k < recs[0].nr; k++) {
		const char *key = recs[0].f[k].key;

		if (!strcmp(key, "cpu") || !strcmp(key, "apic_id"))
			continue;
		printf("%-18s", key);
		for (int i = 0; i < n; i++)
			printf(" %13s", need(&recs[i], key, "stats"));
		printf(" %13s\n", total.f[k].val);
	}
	free(recs);
	return 0;
}

static int cmd_log(void)
{
	struct record *recs;
	int n = read_records("log", &recs);

	if (json) {
		printf("{\"active\": true, \"entries\": ");
		records_json(recs, n);
		printf("}\n");
		free(recs);
		return 0;
	}
	if (n == 0)
		printf("(no events)\n");
	for (int i = 0; i < n; i++) {
		const struct record *e = &recs[i];

		printf("#%-5s cpu%-3s %-16s %-10s rip=%s gpa=%s access=%s count=%s info=%s,%s\n",
		       need(e, "seq", "log"), need(e, "cpu", "log"), need(e, "kind", "log"),
		       need(e, "action", "log"), need(e, "rip", "log"), need(e, "gpa", "log"),
		       need(e, "access", "log"), need(e, "count", "log"),
		       need(e, "info0", "log"), need(e, "info1", "log"));
	}
	free(recs);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lvbsctl status|stats|log [--json]\n"
		"       lvbsctl version | --help\n"
		"  status   is lvbs active, on which CPUs, with which CPU features\n"
		"  stats    VM exits per CPU and kind\n"
		"  log      the hypervisor's event and violation log\n"
		"Reads %s (override with LVBS_SECURITYFS).\n"
		"Exit status: 0 ok, 1 usage, 2 lvbs not active, 3 bad data.\n",
		DEFAULT_DIR);
}

int main(int argc, char **argv)
{
	const char *cmd = NULL;

	dir = getenv("LVBS_SECURITYFS");
	if (!dir || !*dir)
		dir = DEFAULT_DIR;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!cmd && argv[i][0] != '-') {
			cmd = argv[i];
		} else {
			fprintf(stderr, "lvbsctl: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "version")) {
		printf("lvbsctl for lvbs ABI 1\n");
		return 0;
	}
	if (strcmp(cmd, "status") && strcmp(cmd, "stats") && strcmp(cmd, "log")) {
		fprintf(stderr, "lvbsctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!check_active())
		return EXIT_INACTIVE;
	if (!strcmp(cmd, "status"))
		return cmd_status();
	if (!strcmp(cmd, "stats"))
		return cmd_stats();
	return cmd_log();
}
