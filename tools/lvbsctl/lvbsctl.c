// SPDX-License-Identifier: GPL-2.0
/*
 * lvbsctl: show what lvbs reports through /sys/kernel/security/lvbs.
 *
 *   lvbsctl status [--json]   is lvbs active, on how many CPUs, with which
 *                             CPU features, and which protections are weaker
 *   lvbsctl stats  [--json]   VM exits per CPU and kind
 *   lvbsctl log    [--json]   the hypervisor's event and violation log
 *   lvbsctl keys   [--json]   the keys module signatures are checked against
 *   lvbsctl check  [--json]   the verdict (protected, degraded, not protected)
 *                             in one line, with Nagios plugin exit codes
 *   lvbsctl metrics           the Prometheus text format, for node_exporter
 *   lvbsctl journal [--follow]  the log's new entries into systemd's journal
 *   lvbsctl add-key FILE      trust one more key (a DER certificate); after
 *                             SEAL only one a trusted key issued
 *
 * The file formats are in docs/operations.md. Every line is checked against
 * them: a line that does not parse is an error naming the file and line,
 * never skipped, because a tool that shows "all is well" over data it did
 * not understand would be lying. Keys this version does not know are kept
 * and shown (a newer lvbs.ko may add some).
 *
 * Exit status: 0 ok, 1 usage, 2 lvbs not active, 3 malformed or unreadable
 * data, 4 refused by lvbs (add-key); check has its own (cmd_check()).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <lvbs/abi.h>

#define DEFAULT_DIR	"/sys/kernel/security/lvbs"
#define MAX_LINE_LEN	4096	/* a stats line with 16 kinds is ~300 bytes */
#define MAX_FIELDS	128
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum { EXIT_USAGE = 1, EXIT_INACTIVE = 2, EXIT_DATA = 3, EXIT_REFUSED = 4 };

/* One field of a line; key and val point into the line's own buffer. */
struct field {
	const char *key;
	const char *val;
};

struct line {
	int lineno;
	char *buf;
	int nr;
	struct field f[MAX_FIELDS];
};

struct file {
	const char *name;	/* "status", "stats" or "log" */
	int nr;
	struct line *lines;
};

static const char *dir;
static bool json, follow;

/* ---- errors ---- */

static void __attribute__((noreturn, format(printf, 3, 4)))
die_data(const struct file *f, int lineno, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lvbsctl: %s/%s", dir, f->name);
	if (lineno)
		fprintf(stderr, " line %d", lineno);
	fputs(": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_DATA);
}

static void __attribute__((noreturn)) die_oom(void)
{
	fprintf(stderr, "lvbsctl: out of memory\n");
	exit(EXIT_DATA);
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p)
		die_oom();
	return p;
}

/* ---- value syntax ---- */

/* Unsigned decimal as JSON allows it: "0" or no leading zero, fits u64. */
static bool is_u64(const char *s)
{
	char *end;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1]))
		return false;
	errno = 0;
	strtoull(s, &end, 10);
	return !*end && !errno;
}

static bool is_s64(const char *s)
{
	return is_u64(s[0] == '-' && s[1] != '0' ? s + 1 : s);
}

/* "0x" and 1..16 lower-case hex digits, as the kernel's %llx prints. */
static bool is_hex(const char *s)
{
	size_t n;

	if (strncmp(s, "0x", 2))
		return false;
	n = strspn(s + 2, "0123456789abcdef");
	return n >= 1 && n <= 16 && !s[2 + n];
}

/* A name: kinds, actions, vendors, features, keys. */
static bool is_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");

	return n && !s[n];
}

/* Memory access letters in the order the kernel prints them, or "-". */
static bool is_access(const char *s)
{
	const char *order = "rwxup";

	if (!strcmp(s, "-"))
		return true;
	if (!*s)
		return false;
	for (; *s; s++) {
		const char *p = strchr(order, *s);

		if (!p)
			return false;
		order = p + 1;
	}
	return true;
}

/* "-" or comma-separated names, none repeated or empty. */
static bool is_name_list(const char *s)
{
	char tmp[MAX_LINE_LEN], *tok, *save = NULL;

	if (!strcmp(s, "-"))
		return true;
	if (!*s || *s == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,") ||
	    strlen(s) >= sizeof(tmp))
		return false;
	strcpy(tmp, s);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!is_name(tok))
			return false;
	return true;
}

static bool has_name(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return true;
	return false;
}

/* ---- reading ---- */

static const char *get(const struct line *l, const char *key)
{
	for (int i = 0; i < l->nr; i++)
		if (!strcmp(l->f[i].key, key))
			return l->f[i].val;
	return NULL;
}

static void add_field(const struct file *f, struct line *l, char *key, char *val)
{
	if (!is_name(key))
		die_data(f, l->lineno, "bad key '%s'", key);
	if (!*val)
		die_data(f, l->lineno, "no value for '%s'", key);
	if (get(l, key))
		die_data(f, l->lineno, "'%s' given twice", key);
	if (l->nr == MAX_FIELDS)
		die_data(f, l->lineno, "more than %d fields", MAX_FIELDS);
	l->f[l->nr].key = key;
	l->f[l->nr].val = val;
	l->nr++;
}

/* "key value": the value is the rest of the line and may hold spaces. */
static void split_kv(const struct file *f, struct line *l)
{
	char *sp = strchr(l->buf, ' ');

	if (!sp)
		die_data(f, l->lineno, "expected 'key value', got '%s'", l->buf);
	*sp = 0;
	add_field(f, l, l->buf, sp + 1);
}

/* "k=v k=v ...", one space apart. */
static void split_pairs(const struct file *f, struct line *l)
{
	char *tok, *save = NULL;

	if (strstr(l->buf, "  ") || l->buf[0] == ' ')
		die_data(f, l->lineno, "fields must be one space apart");
	for (tok = strtok_r(l->buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			die_data(f, l->lineno, "expected key=value, got '%s'", tok);
		*eq = 0;
		add_field(f, l, tok, eq + 1);
	}
}

static FILE *open_data(const struct file *f)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	fp = fopen(path, "r");
	if (!fp)
		die_data(f, 0, "%s%s", strerror(errno),
			 errno == EACCES ? " (the files are readable by root only)" : "");
	return fp;
}

/* Read every line of dir/name, split by @split. */
static void read_file(struct file *f, const char *name,
		      void (*split)(const struct file *, struct line *))
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *fp;
	int lineno = 0;

	f->name = name;
	f->nr = 0;
	f->lines = NULL;
	fp = open_data(f);
	while ((len = getline(&buf, &cap, fp)) >= 0) {
		struct line *l;

		lineno++;
		if (len && buf[len - 1] == '\n')
			buf[--len] = 0;
		if ((size_t)len != strlen(buf))
			die_data(f, lineno, "NUL byte in line");
		if (len > MAX_LINE_LEN)
			die_data(f, lineno, "line longer than %d bytes", MAX_LINE_LEN);
		if (!len)
			die_data(f, lineno, "empty line");
		f->lines = xrealloc(f->lines, sizeof(*f->lines) * (f->nr + 1));
		l = &f->lines[f->nr++];
		l->lineno = lineno;
		l->nr = 0;
		l->buf = strdup(buf);
		if (!l->buf)
			die_oom();
		split(f, l);
	}
	if (ferror(fp))
		die_data(f, 0, "read error: %s", strerror(errno));
	free(buf);
	fclose(fp);
}

static void free_file(struct file *f)
{
	for (int i = 0; i < f->nr; i++)
		free(f->lines[i].buf);
	free(f->lines);
}

/* ---- typed checks ---- */

enum vtype { T_U64, T_S64, T_HEX, T_NAME, T_LIST, T_ACCESS, T_TEXT };

struct key_type {
	const char *key;
	enum vtype type;
};

static bool type_ok(enum vtype t, const char *v)
{
	switch (t) {
	case T_U64:	return is_u64(v);
	case T_S64:	return is_s64(v);
	case T_HEX:	return is_hex(v);
	case T_NAME:	return is_name(v);
	case T_LIST:	return is_name_list(v);
	case T_ACCESS:	return is_access(v);
	default:	return true;
	}
}

static const char *const type_desc[] = {
	[T_U64] = "an unsigned decimal number", [T_S64] = "a decimal number",
	[T_HEX] = "a 0x hex number", [T_NAME] = "a name",
	[T_LIST] = "'-' or a comma-separated list of names",
	[T_ACCESS] = "'-' or access letters from 'rwxup'", [T_TEXT] = "text",
};

/*
 * Check that @l has every key of @types (when @required) and that each
 * known key's value has its type. Unknown keys pass as they are.
 */
static void check_line(const struct file *f, const struct line *l,
		       const struct key_type *types, size_t n, bool required)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = get(l, types[i].key);

		if (!v) {
			if (required)
				die_data(f, l->lineno, "missing '%s'", types[i].key);
			continue;
		}
		if (!type_ok(types[i].type, v))
			die_data(f, l->lineno, "'%s' is '%s', expected %s",
				 types[i].key, v, type_desc[types[i].type]);
	}
}

/* ---- JSON ---- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Decimal numbers as JSON numbers, "-" lists as [], the rest as strings. */
static void json_val(enum vtype t, const char *v)
{
	if (t == T_LIST) {
		char tmp[MAX_LINE_LEN], *tok, *save = NULL;
		bool first = true;

		snprintf(tmp, sizeof(tmp), "%s", strcmp(v, "-") ? v : "");
		putchar('[');
		for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			fputs(first ? "" : ", ", stdout);
			json_str(tok);
			first = false;
		}
		putchar(']');
	} else if (t != T_TEXT && is_s64(v)) {
		fputs(v, stdout);
	} else {
		json_str(v);
	}
}

static enum vtype type_of(const struct key_type *types, size_t n, const char *key,
			  const char *val)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(types[i].key, key))
			return types[i].type;
	/* An unknown key: a number if it looks like one, else text. */
	return is_s64(val) ? T_S64 : T_TEXT;
}

static void json_object(const struct line *l, const struct key_type *types, size_t n,
			const char *skip)
{
	bool first = true;

	putchar('{');
	for (int i = 0; i < l->nr; i++) {
		const char *k = l->f[i].key, *v = l->f[i].val;

		if (skip && !strcmp(k, skip))
			continue;
		fputs(first ? "" : ", ", stdout);
		json_str(k);
		fputs(": ", stdout);
		json_val(type_of(types, n, k, v), v);
		first = false;
	}
	putchar('}');
}

static void json_lines(const struct file *f, const struct key_type *types, size_t n)
{
	putchar('[');
	for (int i = 0; i < f->nr; i++) {
		fputs(i ? ",\n  " : "\n  ", stdout);
		json_object(&f->lines[i], types, n, NULL);
	}
	fputs(f->nr ? "\n]" : "]", stdout);
}

/* ---- status ---- */

static const struct key_type status_keys[] = {
	{ "active", T_U64 }, { "abi_version", T_U64 }, { "vendor", T_NAME },
	{ "cpus", T_U64 }, { "cpus_online", T_U64 },
	{ "features_present", T_LIST }, { "features_used", T_LIST },
	{ "hv_phys_base", T_HEX }, { "hv_phys_size", T_U64 },
	{ "guest_phys_limit", T_HEX }, { "log_capacity", T_U64 },
	{ "log_next_seq", T_U64 }, { "unload", T_NAME },
};

/* Added by later protections; typed when present, not required. */
static const struct key_type status_opt_keys[] = {
	{ "pinned_cr0", T_HEX }, { "pinned_cr4", T_HEX }, { "pinned_cpus", T_U64 },
	{ "pinned_msrs", T_HEX }, { "pinned_dt_cpus", T_U64 },
	/* Memory protection (ABI 3 and later). */
	{ "sealed", T_U64 }, { "policy", T_NAME }, { "exec_control", T_NAME },
	{ "perm_ranges", T_U64 }, { "perm_capacity", T_U64 },
	{ "protected_bytes", T_U64 }, { "kernel_x_bytes", T_U64 },
	{ "violations", T_U64 }, { "patches_allowed", T_U64 },
	{ "patches_denied", T_U64 }, { "log_suppressed", T_U64 },
	{ "shootdowns", T_U64 }, { "slat_pool_free", T_U64 },
	{ "dyn_exec_pages", T_U64 }, { "user_exec_pages", T_U64 },
	{ "wx_flips", T_U64 }, { "wx_mixed_pages", T_U64 }, { "slat_pool_pages", T_U64 },
	{ "slat_pool_peak", T_U64 }, { "slat_merges", T_U64 }, { "slat_coarse", T_U64 },
	{ "modules_tracked", T_U64 }, { "module_trust", T_NAME },
	{ "init_protect_hypercalls", T_U64 }, { "init_protect_ns", T_U64 },
	{ "image_freed_pages", T_U64 },
	/* ABI 5. */
	{ "stores_dropped", T_U64 }, { "text_poke_bugs_skipped", T_U64 },
	{ "nmi_marks", T_NAME }, { "kick_nmis_claimed", T_U64 },
	{ "leftover_nmis_claimed", T_U64 },
	/* ABI 6. */
	{ "cpuid", T_NAME },
	/* ABI 7. */
	{ "keys_trusted", T_U64 }, { "keys_refused", T_U64 }, { "blacklist_hashes", T_U64 },
	{ "module_checks", T_NAME }, { "modules_verified", T_U64 }, { "modules_failed", T_U64 },
	{ "modules_unchecked", T_U64 },
	/* ABI 9. */
	{ "modules_compared", T_U64 }, { "modules_differ", T_U64 },
	{ "modules_compare_failed", T_U64 }, { "module_bytes_differ", T_U64 },
	{ "modules_not_compared", T_U64 },
	/* ABI 10. */
	{ "exports_kernel", T_U64 }, { "exports_modules", T_U64 }, { "imports_checked", T_U64 },
};

/* status is one record spread over many lines: gather it into one line. */
static void status_gather(const struct file *f, struct line *all)
{
	all->lineno = 0;
	all->nr = 0;
	for (int i = 0; i < f->nr; i++) {
		const struct field *fl = &f->lines[i].f[0];

		if (get(all, fl->key))
			die_data(f, f->lines[i].lineno, "'%s' given twice", fl->key);
		if (all->nr == MAX_FIELDS)
			die_data(f, f->lines[i].lineno, "more than %d keys", MAX_FIELDS);
		all->f[all->nr++] = *fl;
	}
	check_line(f, all, status_keys, ARRAY_SIZE(status_keys), true);
	check_line(f, all, status_opt_keys, ARRAY_SIZE(status_opt_keys), false);
	if (strcmp(get(all, "active"), "1"))
		die_data(f, 0, "'active' is '%s', expected 1", get(all, "active"));
}

static enum vtype status_type(const char *key, const char *val)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_opt_keys); i++)
		if (!strcmp(status_opt_keys[i].key, key))
			return status_opt_keys[i].type;
	return type_of(status_keys, ARRAY_SIZE(status_keys), key, val);
}

struct weakness {
	const char *vendor, *feature, *text;
};

/*
 * What a missing CPU feature costs. Most cost only speed; say so, so that
 * nobody reads "missing" as "unprotected". Without GMET/MBEC kernel
 * execute control is the NX fallback (docs/architecture.md).
 */
static const struct weakness weaknesses[] = {
	{ "svm", "nrips", "no nRIP save: the hypervisor decodes each intercepted instruction itself (slower exits, same protection)" },
	{ "svm", "decode_assists", "no decode assists: operands of intercepted MOV CR / descriptor-table instructions are decoded in software (slower exits, same protection)" },
	{ "svm", "gmet", "no GMET: nested paging cannot separate kernel-mode from user-mode execution, so kernel execute control is strict W^X in the SLAT with user-mode execute granted per page, or the NX fallback with exec=nx (see exec control below)" },
	{ "svm", "flush_by_asid", "no flush-by-ASID: TLB flushes after permission changes flush all ASIDs (slower, same protection)" },
	{ "vmx", "mbec", "no MBEC: EPT cannot separate kernel-mode from user-mode execution, so kernel execute control is strict W^X in the SLAT, where a page user mode has run is executable in kernel mode too (see exec control below)" },
	{ "vmx", "vpid", "no VPID: every VM exit and entry flushes the TLB (slower, same protection)" },
};

/* [{"feature": "nrips", "text": "..."}, ...]: the missing features and their cost. */
static void weaknesses_json(const char *vendor, const char *present)
{
	bool first = true;

	putchar('[');
	for (size_t i = 0; i < ARRAY_SIZE(weaknesses); i++) {
		const struct weakness *w = &weaknesses[i];

		if (strcmp(w->vendor, vendor) || has_name(present, w->feature))
			continue;
		fputs(first ? "{\"feature\": " : ", {\"feature\": ", stdout);
		json_str(w->feature);
		fputs(", \"text\": ", stdout);
		json_str(w->text);
		putchar('}');
		first = false;
	}
	putchar(']');
}

static unsigned int assess(const struct line *r);
static void findings_json(unsigned int f);

static void status_json(const struct line *r)
{
	fputs("{\"active\": true", stdout);
	for (int i = 0; i < r->nr; i++) {
		const char *k = r->f[i].key, *v = r->f[i].val;

		if (!strcmp(k, "active"))
			continue;
		fputs(", ", stdout);
		json_str(k);
		fputs(": ", stdout);
		json_val(status_type(k, v), v);
	}
	fputs(", \"weaker_protections\": ", stdout);
	weaknesses_json(get(r, "vendor"), get(r, "features_present"));
	fputs(", ", stdout);
	findings_json(assess(r));
	fputs("}\n", stdout);
}

static void show_weaknesses(const char *vendor, const char *present)
{
	bool weak = false, known = false;

	for (size_t i = 0; i < ARRAY_SIZE(weaknesses); i++) {
		const struct weakness *w = &weaknesses[i];

		if (strcmp(w->vendor, vendor))
			continue;
		known = true;
		if (has_name(present, w->feature))
			continue;
		if (!weak)
			printf("weaker protections (CPU features missing):\n");
		printf("  - %s\n", w->text);
		weak = true;
	}
	if (!known)
		printf("weaker protections: unknown for vendor '%s' (lvbsctl too old?)\n", vendor);
	else if (!weak)
		printf("weaker protections: none\n");
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
static const char *const msr_slot_names[LVBS_MSR_SLOTS] = {
	"EFER", "STAR", "LSTAR", "CSTAR", "SFMASK", "SYSENTER_CS",
	"SYSENTER_ESP", "SYSENTER_EIP",
};

/* "CR0 PE,WP,PG; CR4 SMEP,SMAP" ("-" for a register with none). */
static void show_cr_bits(const struct line *r)
{
	for (int i = 0; i < 2; i++) {
		int cr = i ? 4 : 0;
		unsigned long long m = strtoull(get(r, i ? "pinned_cr4" : "pinned_cr0"),
						NULL, 16);
		bool first = true;

		printf("%sCR%d ", i ? "; " : "", cr);
		for (size_t b = 0; b < ARRAY_SIZE(cr_bits); b++) {
			if (cr_bits[b].cr != cr || !(m & (1ULL << cr_bits[b].bit)))
				continue;
			printf("%s%s", first ? "" : ",", cr_bits[b].name);
			first = false;
		}
		if (first)
			putchar('-');
	}
}

static unsigned long long num(const struct line *r, const char *key)
{
	const char *v = get(r, key);

	return v ? strtoull(v, NULL, 0) : 0;
}

static bool is(const struct line *r, const char *key, const char *val)
{
	const char *v = get(r, key);

	return v && !strcmp(v, val);
}

/* How many of the CR bits lvbsctl names are pinned. */
static int pinned_cr_bits(const struct line *r)
{
	int n = 0;

	for (size_t b = 0; b < ARRAY_SIZE(cr_bits); b++)
		n += !!(num(r, cr_bits[b].cr ? "pinned_cr4" : "pinned_cr0") &
			(1ULL << cr_bits[b].bit));
	return n;
}

/* ---- the verdict: protected, degraded or not protected ---- */

enum level { PROTECTED, DEGRADED, NOT_PROTECTED };

enum finding_id {
	F_CPUS_OUTSIDE, F_NOT_SEALED, F_NO_MEMORY, F_AUDIT, F_NO_CR_PINS, F_CR_PINS_PARTIAL,
	F_MSR_PINS_PARTIAL, F_EXEC_NX, F_NO_GMET, F_SLAT_COARSE, F_TOFU, F_MODCHECK_OFF,
	F_NMI_OFF, F_CPUID_PASS, F_DT_PINS_PARTIAL, NR_FINDINGS
};

/*
 * Everything that makes lvbs protect less than it can, in one place: the
 * WARNING and weaker lines of status, the verdict, `lvbsctl check` and
 * the metrics all come from assess(). A CPU feature whose absence costs
 * only speed (nRIP save, decode assists, flush-by-ASID) is not here.
 */
static const struct {
	const char *id;
	enum level level;
	const char *text;
} findings[NR_FINDINGS] = {
	[F_CPUS_OUTSIDE] = { "cpus_outside", NOT_PROTECTED, "online CPUs run outside the hypervisor" },
	[F_NOT_SEALED] = { "not_sealed", NOT_PROTECTED, "not sealed: the kernel can still change every memory protection" },
	[F_NO_MEMORY] = { "no_memory_protection", DEGRADED, "this lvbs.ko predates memory protection" },
	[F_AUDIT] = { "audit_policy", DEGRADED, "memory violations are logged and let through" },
	[F_NO_CR_PINS] = { "no_cr_pins", DEGRADED, "no control-register bit is pinned" },
	[F_CR_PINS_PARTIAL] = { "cr_pins_partial", DEGRADED, "control-register pins are not enforced on every CPU" },
	[F_MSR_PINS_PARTIAL] = { "msr_pins_partial", DEGRADED, "not every kernel-entry MSR is pinned" },
	[F_EXEC_NX] = { "exec_nx", DEGRADED, "exec=nx: ordinary RAM stays executable in kernel mode" },
	[F_NO_GMET] = { "no_gmet", DEGRADED, "no GMET (AMD) or MBEC (Intel): a page user mode has run is executable in kernel mode too" },
	[F_SLAT_COARSE] = { "slat_coarse", DEGRADED, "the SLAT ran out of table pages and changed whole 2 MiB blocks" },
	[F_TOFU] = { "module_trust_tofu", DEGRADED, "module_trust tofu: every module is trusted on first use" },
	[F_MODCHECK_OFF] = { "module_checks_off", DEGRADED, "module signatures are not checked" },
	[F_NMI_OFF] = { "no_nmi_handler", DEGRADED, "a guest NMI that meets a TLB shootdown kick can be lost" },
	[F_CPUID_PASS] = { "cpuid_pass", DEGRADED, "CPUID passed through: the guest sees SVM, not lvbs" },
	[F_DT_PINS_PARTIAL] = { "dt_pins_partial", DEGRADED, "IDTR, GDTR and TR are not pinned on every CPU" },
};

#define FOUND(set, id)	(((set) >> (id)) & 1u)

static unsigned int assess(const struct line *r)
{
	const char *msrs = get(r, "pinned_msrs"), *ec = get(r, "exec_control");
	unsigned int f = 0;

	f |= (num(r, "cpus") < num(r, "cpus_online")) << F_CPUS_OUTSIDE;
	if (get(r, "pinned_cr0") && get(r, "pinned_cr4") && get(r, "pinned_cpus")) {
		f |= !pinned_cr_bits(r) << F_NO_CR_PINS;
		f |= !!strcmp(get(r, "pinned_cpus"), get(r, "cpus")) << F_CR_PINS_PARTIAL;
	}
	if (msrs)
		f |= (strtoul(msrs, NULL, 16) != (1ul << LVBS_MSR_SLOTS) - 1) << F_MSR_PINS_PARTIAL;
	if (!get(r, "sealed"))
		return f | 1u << F_NO_MEMORY;
	f |= !num(r, "sealed") << F_NOT_SEALED;
	f |= is(r, "policy", "audit") << F_AUDIT;
	f |= (ec && !strcmp(ec, "nx_fallback")) << F_EXEC_NX;
	f |= (ec && !strcmp(ec, "strict")) << F_NO_GMET;
	f |= !!num(r, "slat_coarse") << F_SLAT_COARSE;
	f |= is(r, "module_trust", "tofu") << F_TOFU;
	f |= is(r, "module_checks", "off") << F_MODCHECK_OFF;
	f |= is(r, "nmi_marks", "off") << F_NMI_OFF;
	f |= is(r, "cpuid", "pass") << F_CPUID_PASS;
	if (get(r, "pinned_dt_cpus"))
		f |= (num(r, "pinned_dt_cpus") < num(r, "cpus")) << F_DT_PINS_PARTIAL;
	return f;
}

static enum level verdict_of(unsigned int f)
{
	enum level v = PROTECTED;

	for (int i = 0; i < NR_FINDINGS; i++)
		if (FOUND(f, i) && findings[i].level > v)
			v = findings[i].level;
	return v;
}

static const char *const verdict_names[] = {
	[PROTECTED] = "protected", [DEGRADED] = "degraded", [NOT_PROTECTED] = "not_protected",
};

/* "id, id, ..." of the findings at level l. */
static void print_ids(unsigned int f, enum level l)
{
	bool first = true;

	for (int i = 0; i < NR_FINDINGS; i++) {
		if (!FOUND(f, i) || findings[i].level != l)
			continue;
		printf("%s%s", first ? "" : ", ", findings[i].id);
		first = false;
	}
}

/* "verdict": "...", "findings": [{"id": ..., "level": ..., "text": ...}] */
static void findings_json(unsigned int f)
{
	bool first = true;

	printf("\"verdict\": \"%s\", \"findings\": [", verdict_names[verdict_of(f)]);
	for (int i = 0; i < NR_FINDINGS; i++) {
		if (!FOUND(f, i))
			continue;
		printf("%s{\"id\": \"%s\", \"level\": \"%s\", \"text\": ", first ? "" : ", ",
		       findings[i].id, verdict_names[findings[i].level]);
		json_str(findings[i].text);
		putchar('}');
		first = false;
	}
	putchar(']');
}

static void show_verdict(unsigned int f)
{
	switch (verdict_of(f)) {
	case PROTECTED:
		printf("verdict:         protected\n");
		break;
	case DEGRADED:
		printf("verdict:         degraded: ");
		print_ids(f, DEGRADED);
		printf(" (each is explained below)\n");
		break;
	case NOT_PROTECTED:
		printf("verdict:         NOT PROTECTED: ");
		print_ids(f, NOT_PROTECTED);
		printf("\n");
		break;
	}
}

static void show_msr_pins(const struct line *r)
{
	unsigned long m = strtoul(get(r, "pinned_msrs"), NULL, 16);
	bool first = true;

	printf("pinned MSRs:     ");
	for (int i = 0; i < LVBS_MSR_SLOTS; i++) {
		if (!(m & (1ul << i)))
			continue;
		printf("%s%s", first ? "" : ",", msr_slot_names[i]);
		first = false;
	}
	printf("%s (on every CPU)\n", first ? "none" : "");
	if (FOUND(assess(r), F_MSR_PINS_PARTIAL))
		printf("WARNING:         not every kernel-entry MSR is pinned on every CPU\n");
}

static void show_pins(const struct line *r)
{
	const char *cpus = get(r, "pinned_cpus");
	unsigned int f = assess(r);

	if (!get(r, "pinned_cr0") || !get(r, "pinned_cr4") || !cpus)
		return;
	printf("pinned CRs:      ");
	show_cr_bits(r);
	printf(" (enforced on %s CPUs)\n", cpus);
	if (FOUND(f, F_NO_CR_PINS))
		printf("WARNING:         no control-register bit is pinned\n");
	if (FOUND(f, F_CR_PINS_PARTIAL))
		printf("WARNING:         CR pins enforced on %s CPUs, not on all %s\n",
		       cpus, get(r, "cpus"));
	if (get(r, "pinned_msrs"))
		show_msr_pins(r);
	if (get(r, "pinned_dt_cpus"))
		printf("pinned tables:   IDTR,GDTR,TR (on %s CPUs)\n", get(r, "pinned_dt_cpus"));
	if (FOUND(f, F_DT_PINS_PARTIAL))
		printf("WARNING:         IDTR, GDTR and TR are pinned on %s of %s CPUs%s\n",
		       get(r, "pinned_dt_cpus"), get(r, "cpus"),
		       is(r, "vendor", "vmx") ? " (this CPU's VMX has no descriptor-table exiting)" : "");
}

static void show_cpus(const struct line *r)
{
	unsigned long long cpus = strtoull(get(r, "cpus"), NULL, 10);
	unsigned long long online = strtoull(get(r, "cpus_online"), NULL, 10);

	printf("CPUs:            %llu virtualized, %llu online\n", cpus, online);
	if (FOUND(assess(r), F_CPUS_OUTSIDE)) {
		printf("WARNING: *** %llu online CPU(s) run OUTSIDE the hypervisor and are NOT protected ***\n",
		       online - cpus);
		printf("WARNING: *** this should be impossible; treat this machine as unprotected (docs/operations.md) ***\n");
	}
}

static void show_unknown(const struct line *r)
{
	bool first = true;

	for (int i = 0; i < r->nr; i++) {
		const char *k = r->f[i].key;
		bool known = false;

		for (size_t j = 0; j < ARRAY_SIZE(status_keys); j++)
			known |= !strcmp(k, status_keys[j].key);
		for (size_t j = 0; j < ARRAY_SIZE(status_opt_keys); j++)
			known |= !strcmp(k, status_opt_keys[j].key);
		if (known)
			continue;
		if (first)
			printf("other (reported by lvbs.ko, not known to this lvbsctl):\n");
		printf("  %-16s %s\n", k, r->f[i].val);
		first = false;
	}
}

/* Memory protection, and what it does not cover, in plain words. */
static void show_memory(const struct line *r)
{
	const char *ec = get(r, "exec_control");
	unsigned int f = assess(r);

	if (FOUND(f, F_NO_MEMORY)) {
		printf("memory:          not protected (this lvbs.ko predates memory protection)\n");
		return;
	}
	printf("memory:          %s, policy %s, %llu KiB protected in %llu of %llu ranges\n",
	       num(r, "sealed") ? "sealed" : "NOT SEALED", get(r, "policy"),
	       num(r, "protected_bytes") / 1024, num(r, "perm_ranges"), num(r, "perm_capacity"));
	printf("initial protection: %llu hypercalls, %llu us; %llu modules tracked\n",
	       num(r, "init_protect_hypercalls"), num(r, "init_protect_ns") / 1000,
	       num(r, "modules_tracked"));
	if (num(r, "image_freed_pages"))
		printf("kernel image:    %llu KiB of data/bss the kernel freed at boot are ordinary memory again\n",
		       num(r, "image_freed_pages") * 4);
	printf("exec control:    %s, %llu KiB of registered kernel code\n", ec,
	       num(r, "kernel_x_bytes") / 1024);
	if (!strcmp(ec, "gmet") || !strcmp(ec, "mbec"))
		printf("note:            %s (asked for with %s=1) has not run on hardware or on any emulator lvbs is tested on: unproven (docs/threat-model.md)\n",
		       !strcmp(ec, "mbec") ? "MBEC" : "GMET", !strcmp(ec, "mbec") ? "mbec" : "gmet");
	printf("events:          %llu violations, %llu patches allowed, %llu denied, %llu shootdowns, %llu log events suppressed\n",
	       num(r, "violations"), num(r, "patches_allowed"), num(r, "patches_denied"),
	       num(r, "shootdowns"), num(r, "log_suppressed"));
	if (get(r, "stores_dropped"))
		printf("reaction:        a denied kernel store is dropped, the kernel goes on with the old bytes (%llu so far, %llu refused text_poke() BUGs skipped); denied execution and user-mode access get #GP\n",
		       num(r, "stores_dropped"), num(r, "text_poke_bugs_skipped"));
	if (get(r, "nmi_marks") && !strcmp(get(r, "nmi_marks"), "on"))
		printf("NMIs:            each TLB shootdown kick also gives the guest an NMI, claimed by lvbs.ko (%llu so far, %llu leftovers), so a guest NMI that meets a kick is not lost\n",
		       num(r, "kick_nmis_claimed"), num(r, "leftover_nmis_claimed"));
	else if (FOUND(f, F_NMI_OFF))
		printf("NMIs:            WEAKER: lvbs.ko has no NMI handler (see dmesg); a guest NMI that meets a TLB shootdown kick can be lost\n");
	if (FOUND(f, F_CPUID_PASS))
		printf("CPUID:           WEAKER: passed through (cpuid=pass): no CPUID exits, but the guest sees SVM and no hypervisor leaves, so tools that look for lvbs in CPUID do not find it\n");
	else if (get(r, "cpuid") && is(r, "vendor", "vmx"))
		printf("CPUID:           intercepted: VMX hidden from the guest, lvbs announced in leaf 0x40000000 (one exit per CPUID, which VMX cannot turn off; glibc runs about 30 per exec)\n");
	else if (get(r, "cpuid"))
		printf("CPUID:           intercepted: SVM hidden from the guest, lvbs announced in leaf 0x40000000 (one exit per CPUID; glibc runs about 30 per exec; cpuid=pass turns them off)\n");
	printf("SLAT tables:     %llu pages free of %llu, at most %llu in use; %llu blocks merged back, %llu coarse grants\n",
	       num(r, "slat_pool_free"), num(r, "slat_pool_pages"), num(r, "slat_pool_peak"),
	       num(r, "slat_merges"), num(r, "slat_coarse"));
	if (!strcmp(ec, "strict"))
		printf("W^X:             %llu user-execute grants, %llu module-area execute grants, %llu writes that took execute away, %llu pages both written and run by one instruction (W+X)\n",
		       num(r, "user_exec_pages"), num(r, "dyn_exec_pages"), num(r, "wx_flips"),
		       num(r, "wx_mixed_pages"));
	if (FOUND(f, F_NOT_SEALED))
		printf("WARNING:         not sealed: the kernel can still change every memory protection\n");
	if (FOUND(f, F_AUDIT))
		printf("WARNING:         audit policy: memory violations are logged and let through\n");
	if (FOUND(f, F_EXEC_NX))
		printf("weaker:          exec=nx: ordinary RAM (kmalloc, page cache) stays executable in kernel mode; only the kernel image's data/rodata, module data and released module memory are non-executable\n");
	if (FOUND(f, F_NO_GMET))
		printf("weaker:          no %s: strict W^X in the SLAT, but one execute bit serves both modes, so a page user mode has run is executable in kernel mode too: code written into a page that a process then runs once can be run by the kernel (%s closes this; docs/threat-model.md)\n",
		       is(r, "vendor", "vmx") ? "MBEC" : "GMET", is(r, "vendor", "vmx") ? "MBEC" : "GMET");
	if (FOUND(f, F_SLAT_COARSE))
		printf("WARNING:         the SLAT ran out of table pages: %llu grants changed a whole 2 MiB block\n",
		       num(r, "slat_coarse"));
	if (num(r, "dyn_exec_pages"))
		printf("note:            %llu module-area pages (BPF JIT, trampolines) were made executable on first use; that trust goes by address, so any page the kernel maps in the module area and runs gets it (docs/threat-model.md)\n",
		       num(r, "dyn_exec_pages"));
	if (FOUND(f, F_TOFU))
		printf("weaker:          module_trust tofu: every module the kernel loads is trusted on first use and protected, whatever its signature\n");
	if (get(r, "keys_trusted"))
		printf("module keys:     %llu trusted (lvbsctl keys), %llu refused, %llu blacklisted digests\n",
		       num(r, "keys_trusted"), num(r, "keys_refused"), num(r, "blacklist_hashes"));
	if (FOUND(f, F_MODCHECK_OFF))
		printf("module signatures: WEAKER: not checked at all (lvbs.ko could not watch the kernel's signature checks; see dmesg)%s\n",
		       get(r, "module_trust") && !strcmp(get(r, "module_trust"), "signed") ?
		       "; with module_trust signed no module can load" : "");
	else if (get(r, "module_trust") && !strcmp(get(r, "module_trust"), "signed"))
		printf("module signatures: enforced: only modules whose file the hypervisor verified run code; %llu verified, %llu failed, %llu came with no signature (lvbsctl log: module_checked)\n",
		       num(r, "modules_verified"), num(r, "modules_failed"), num(r, "modules_unchecked"));
	else if (get(r, "module_checks"))
		printf("module signatures: checked by the hypervisor, not enforced (module_trust tofu): %llu verified, %llu failed, %llu loaded with no signature checked (lvbsctl log: module_checked)\n",
		       num(r, "modules_verified"), num(r, "modules_failed"), num(r, "modules_unchecked"));
	if (get(r, "modules_compared") && get(r, "module_trust") &&
	    !strcmp(get(r, "module_trust"), "signed"))
		printf("module code:     enforced: a module's code gets execute only if the hypervisor, relocating its signed file itself, finds the same bytes (the kernel's own patches allowed by kind): %llu compared, %llu differ (%llu bytes no patch explains), %llu could not be compared, %llu verified modules not compared, all refused; weaker: a call the kernel patched in is checked to land in registered code, not at its site's one function (lvbsctl log: module_compared; docs/module-signatures.md)\n",
		       num(r, "modules_compared"), num(r, "modules_differ"),
		       num(r, "module_bytes_differ"), num(r, "modules_compare_failed"),
		       num(r, "modules_not_compared"));
	else if (get(r, "modules_compared"))
		printf("module code:     NOT enforced (module_trust %s): compared with the signed file (the kernel's own patches allowed by kind), measured only: %llu compared, %llu differ (%llu bytes no patch explains), %llu could not be compared, %llu verified modules not compared (lvbsctl log: module_compared; docs/module-signatures.md)\n",
		       get(r, "module_trust") ? get(r, "module_trust") : "unknown",
		       num(r, "modules_compared"), num(r, "modules_differ"),
		       num(r, "module_bytes_differ"), num(r, "modules_compare_failed"),
		       num(r, "modules_not_compared"));
	if (get(r, "exports_kernel") && num(r, "exports_kernel"))
		printf("module imports:  each import's value taken from the kernel's export tables (%llu entries, given before SEAL) or a compared module's (%llu modules), not from the loader: %llu imports so taken\n",
		       num(r, "exports_kernel"), num(r, "exports_modules"), num(r, "imports_checked"));
	else if (get(r, "exports_kernel"))
		printf("module imports:  WEAKER: the kernel's export tables were not found (see dmesg): import values are the loader's word, checked only through the code they produce\n");
	printf("not covered:     GDT contents, TSS, page tables and kernel data stay writable; text patch sites are validated by form, not by a list (docs/text-patching.md)\n");
}

static const char *none_if_dash(const char *v)
{
	return strcmp(v, "-") ? v : "none";
}

static void status_human(const struct line *r)
{
	const char *abi = get(r, "abi_version");

	printf("lvbs:            active\n");
	show_verdict(assess(r));
	printf("backend:         %s, hypercall ABI %s\n", get(r, "vendor"), abi);
	if (strtoul(abi, NULL, 10) != LVBS_ABI_VERSION)
		printf("note:            this lvbsctl was built for ABI %d\n", LVBS_ABI_VERSION);
	show_cpus(r);
	printf("hypervisor:      %llu KiB at physical %s (absent from the guest's memory)\n",
	       strtoull(get(r, "hv_phys_size"), NULL, 10) / 1024, get(r, "hv_phys_base"));
	printf("guest memory:    nested page tables map [0, %s)\n", get(r, "guest_phys_limit"));
	printf("features found:  %s\n", none_if_dash(get(r, "features_present")));
	printf("features used:   %s\n", none_if_dash(get(r, "features_used")));
	show_pins(r);
	printf("unload:          %s%s\n", get(r, "unload"),
	       strcmp(get(r, "unload"), "refused") ? "" :
	       " (lvbs stays until reboot; see docs/operations.md)");
	printf("log:             next event #%s, ring of %s entries\n",
	       get(r, "log_next_seq"), get(r, "log_capacity"));
	show_weaknesses(get(r, "vendor"), get(r, "features_present"));
	show_memory(r);
	show_unknown(r);
}

/* The status file, checked, as one record in *r (which points into *f). */
static void read_status(struct file *f, struct line *r)
{
	read_file(f, "status", split_kv);
	if (!f->nr)
		die_data(f, 0, "empty file");
	status_gather(f, r);
}

static int cmd_status(void)
{
	struct file f;
	struct line r;

	read_status(&f, &r);
	if (json)
		status_json(&r);
	else
		status_human(&r);
	free_file(&f);
	return 0;
}

/* ---- stats ---- */

static const struct key_type stats_keys[] = {
	{ "cpu", T_U64 }, { "apic_id", T_U64 }, { "total", T_U64 },
};

/* Every field of a stats line is a counter or an ID: all unsigned. */
static void stats_check(const struct file *f)
{
	const struct line *first;

	if (!f->nr)
		die_data(f, 0, "no CPU lines");
	first = &f->lines[0];
	for (int i = 0; i < f->nr; i++) {
		const struct line *l = &f->lines[i];

		check_line(f, l, stats_keys, ARRAY_SIZE(stats_keys), true);
		for (int k = 0; k < l->nr; k++)
			if (!is_u64(l->f[k].val))
				die_data(f, l->lineno, "'%s' is '%s', expected %s",
					 l->f[k].key, l->f[k].val, type_desc[T_U64]);
		/* Same columns on every line, or the table would be wrong. */
		for (int k = 0; k < first->nr; k++)
			if (!get(l, first->f[k].key))
				die_data(f, l->lineno, "missing '%s' (line %d has it)",
					 first->f[k].key, first->lineno);
		if (l->nr != first->nr)
			die_data(f, l->lineno, "%d fields, line %d has %d",
				 l->nr, first->lineno, first->nr);
	}
}

static unsigned long long col_sum(const struct file *f, const char *key)
{
	unsigned long long sum = 0;

	for (int i = 0; i < f->nr; i++)
		sum += strtoull(get(&f->lines[i], key), NULL, 10);
	return sum;
}

static void stats_json(const struct file *f)
{
	const struct line *first = &f->lines[0];
	bool comma = false;

	fputs("{\"active\": true, \"cpus\": ", stdout);
	json_lines(f, stats_keys, ARRAY_SIZE(stats_keys));
	fputs(",\n \"all\": {", stdout);
	for (int k = 0; k < first->nr; k++) {
		const char *key = first->f[k].key;

		if (!strcmp(key, "cpu") || !strcmp(key, "apic_id"))
			continue;
		fputs(comma ? ", " : "", stdout);
		json_str(key);
		printf(": %llu", col_sum(f, key));
		comma = true;
	}
	fputs("}}\n", stdout);
}

/* A column is shown if it is an ID or the total, or nonzero somewhere. */
static bool stats_col_shown(const struct file *f, const char *key)
{
	return !strcmp(key, "cpu") || !strcmp(key, "apic_id") ||
	       !strcmp(key, "total") || col_sum(f, key);
}

static int stats_col_width(const struct file *f, const char *key)
{
	char num[32];
	int w = strlen(key);

	snprintf(num, sizeof(num), "%llu", col_sum(f, key));
	if ((int)strlen(num) > w)
		w = strlen(num);
	return w;
}

static void stats_cell(bool *first, int w, const char *text)
{
	printf("%s%*s", *first ? "" : "  ", w, text);
	*first = false;
}

/* One row of the table: a CPU's line, or the totals when @l is NULL. */
static void stats_row(const struct file *f, const struct line *l)
{
	const struct line *first = &f->lines[0];
	bool start = true;

	for (int k = 0; k < first->nr; k++) {
		const char *key = first->f[k].key;
		char num[32];

		if (!stats_col_shown(f, key))
			continue;
		snprintf(num, sizeof(num), "%llu", col_sum(f, key));
		if (l)
			stats_cell(&start, stats_col_width(f, key), get(l, key));
		else if (!strcmp(key, "cpu"))
			stats_cell(&start, stats_col_width(f, key), "all");
		else if (!strcmp(key, "apic_id"))
			stats_cell(&start, stats_col_width(f, key), "");
		else
			stats_cell(&start, stats_col_width(f, key), num);
	}
	putchar('\n');
}

static void stats_human(const struct file *f)
{
	const struct line *first = &f->lines[0];
	bool none = true;

	bool start = true;

	printf("VM exits since launch, per CPU and kind\n");
	for (int k = 0; k < first->nr; k++)
		if (stats_col_shown(f, first->f[k].key))
			stats_cell(&start, stats_col_width(f, first->f[k].key),
				   first->f[k].key);
	putchar('\n');
	for (int i = 0; i < f->nr; i++)
		stats_row(f, &f->lines[i]);
	stats_row(f, NULL);
	for (int k = 0; k < first->nr; k++) {
		if (stats_col_shown(f, first->f[k].key))
			continue;
		printf("%s%s", none ? "zero on every CPU: " : ", ", first->f[k].key);
		none = false;
	}
	if (!none)
		putchar('\n');
}

static int cmd_stats(void)
{
	struct file f;

	read_file(&f, "stats", split_pairs);
	stats_check(&f);
	if (json)
		stats_json(&f);
	else
		stats_human(&f);
	free_file(&f);
	return 0;
}

/* ---- log ---- */

static const struct key_type log_keys[] = {
	{ "seq", T_U64 }, { "tsc", T_U64 }, { "cpu", T_S64 }, { "kind", T_NAME },
	{ "access", T_ACCESS }, { "action", T_NAME }, { "count", T_U64 },
	{ "rip", T_HEX }, { "gpa", T_HEX }, { "gva", T_HEX },
	{ "info0", T_HEX }, { "info1", T_HEX },
};

static void log_check(const struct file *f)
{
	unsigned long long prev = 0;

	for (int i = 0; i < f->nr; i++) {
		const struct line *l = &f->lines[i];
		unsigned long long seq;

		check_line(f, l, log_keys, ARRAY_SIZE(log_keys), true);
		seq = strtoull(get(l, "seq"), NULL, 10);
		if (seq <= prev)
			die_data(f, l->lineno, "seq %llu after %llu: not increasing", seq, prev);
		prev = seq;
	}
}

static void log_entry_human(const struct line *e)
{
	const char *gva = get(e, "gva");

	printf("#%-5s cpu%-3s %-16s %-10s rip=%s gpa=%s", get(e, "seq"), get(e, "cpu"),
	       get(e, "kind"), get(e, "action"), get(e, "rip"), get(e, "gpa"));
	if (strcmp(gva, "0x0"))
		printf(" gva=%s", gva);
	printf(" access=%s count=%s info=%s,%s", get(e, "access"), get(e, "count"),
	       get(e, "info0"), get(e, "info1"));
	/* Fields a newer lvbs.ko adds. */
	for (int k = 0; k < e->nr; k++)
		if (type_of(log_keys, ARRAY_SIZE(log_keys), e->f[k].key, "") == T_TEXT)
			printf(" %s=%s", e->f[k].key, e->f[k].val);
	putchar('\n');
}

static void log_human(const struct file *f)
{
	unsigned long long expect = 0;

	if (!f->nr)
		printf("(no events)\n");
	for (int i = 0; i < f->nr; i++) {
		unsigned long long seq = strtoull(get(&f->lines[i], "seq"), NULL, 10);

		/* Sequence numbers start at 1 and are never reused. */
		if (i == 0)
			expect = seq > 1 ? 1 : seq;
		if (seq != expect)
			printf("(%llu entr%s lost: overwritten in the ring before being read)\n",
			       seq - expect, seq - expect == 1 ? "y" : "ies");
		log_entry_human(&f->lines[i]);
		expect = seq + 1;
	}
}

static int cmd_log(void)
{
	struct file f;

	read_file(&f, "log", split_pairs);
	log_check(&f);
	if (json) {
		fputs("{\"active\": true, \"entries\": ", stdout);
		json_lines(&f, log_keys, ARRAY_SIZE(log_keys));
		fputs("}\n", stdout);
	} else {
		log_human(&f);
	}
	free_file(&f);
	return 0;
}

/* ---- journal: the hypervisor's log into systemd's journal ---- */

#define JOURNAL_SOCKET	"/run/systemd/journal/socket"
#define JOURNAL_STATE	"/run/lvbs/journal-seq"
#define JOURNAL_PERIOD	2	/* seconds between two reads of the log with --follow */

static int journal_fd = -1;
static struct sockaddr_un journal_addr;

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static bool journal_open(void)
{
	const char *path = env_or("LVBS_JOURNAL_SOCKET", JOURNAL_SOCKET);

	if (strlen(path) >= sizeof(journal_addr.sun_path)) {
		fprintf(stderr, "lvbsctl: journal socket path too long: %s\n", path);
		return false;
	}
	journal_addr.sun_family = AF_UNIX;
	strcpy(journal_addr.sun_path, path);
	journal_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (journal_fd < 0)
		fprintf(stderr, "lvbsctl: socket: %s\n", strerror(errno));
	return journal_fd >= 0;
}

/*
 * One entry in the journal's native protocol: one datagram of FIELD=value
 * lines (no value here holds a newline, so none needs the binary form).
 */
struct jmsg {
	char buf[4096];
	size_t len;
};

static void __attribute__((format(printf, 3, 4)))
jfield(struct jmsg *m, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(m->buf + m->len, sizeof(m->buf) - m->len, "%s=", name);
	if (n > 0 && (size_t)n < sizeof(m->buf) - m->len)
		m->len += n;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->len, sizeof(m->buf) - m->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(m->buf) - m->len)
		m->len += n;
	if (m->len < sizeof(m->buf) - 1)
		m->buf[m->len++] = '\n';
}

static bool jsend(const struct jmsg *m)
{
	if (sendto(journal_fd, m->buf, m->len, 0, (const struct sockaddr *)&journal_addr,
		   sizeof(journal_addr)) == (ssize_t)m->len)
		return true;
	fprintf(stderr, "lvbsctl: %s: %s\n", journal_addr.sun_path, strerror(errno));
	return false;
}

/* syslog priorities: 3 err, 4 warning, 6 info (what happened, not an attempt). */
static int entry_priority(const struct line *e)
{
	static const char *const info[] = { "launch", "seal", "key_added", "blacklist" };
	static const char *const err[] = { "launch_fail", "launch_abort", "shutdown", "unhandled_exit" };
	const char *k = get(e, "kind");

	if (!strcmp(k, "module_checked"))
		return strcmp(get(e, "info0"), "0x0") ? 4 : 6;	/* verdict 0: verified */
	if (!strcmp(k, "module_compared"))	/* result 0 same; else refused under signed */
		return (strtoull(get(e, "info0"), NULL, 16) & 0xffffffffu) == 0 ? 6 : 4;
	for (size_t i = 0; i < ARRAY_SIZE(info); i++)
		if (!strcmp(k, info[i]))
			return 6;
	for (size_t i = 0; i < ARRAY_SIZE(err); i++)
		if (!strcmp(k, err[i]))
			return 3;
	return 4;
}

/* MESSAGE as `lvbsctl log` prints the entry, and every field as LVBS_<KEY>. */
static bool journal_entry(const struct line *e)
{
	struct jmsg m = { .len = 0 };

	jfield(&m, "MESSAGE", "lvbs: #%s cpu%s %s %s rip=%s gpa=%s access=%s count=%s info=%s,%s",
	       get(e, "seq"), get(e, "cpu"), get(e, "kind"), get(e, "action"), get(e, "rip"),
	       get(e, "gpa"), get(e, "access"), get(e, "count"), get(e, "info0"), get(e, "info1"));
	jfield(&m, "PRIORITY", "%d", entry_priority(e));
	jfield(&m, "SYSLOG_IDENTIFIER", "lvbs");
	for (int i = 0; i < e->nr; i++) {
		char name[64] = "LVBS_";
		size_t k;

		for (k = 0; e->f[i].key[k] && k < sizeof(name) - 6; k++)
			name[5 + k] = (char)toupper((unsigned char)e->f[i].key[k]);
		name[5 + k] = '\0';
		jfield(&m, name, "%s", e->f[i].val);
	}
	return jsend(&m);
}

static bool journal_lost(unsigned long long n, unsigned long long after)
{
	struct jmsg m = { .len = 0 };

	jfield(&m, "MESSAGE", "lvbs: %llu log entries after #%llu were overwritten before they were forwarded (the ring holds %s)",
	       n, after, "256");
	jfield(&m, "PRIORITY", "4");
	jfield(&m, "SYSLOG_IDENTIFIER", "lvbs");
	jfield(&m, "LVBS_LOST", "%llu", n);
	return jsend(&m);
}

static unsigned long long read_seq_state(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static bool write_seq_state(const char *path, unsigned long long seq)
{
	char tmp[4200], dirbuf[4200], *slash;
	FILE *f;

	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	slash = strrchr(dirbuf, '/');
	if (slash && slash != dirbuf) {
		*slash = '\0';
		mkdir(dirbuf, 0700);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%llu\n", seq) < 0 || fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "lvbsctl: %s: %s\n", path, strerror(errno));
		return false;
	}
	return true;
}

/*
 * Forward the entries after *last; *last moves past each one sent. A
 * failed send stops the pass (the entry is tried again next time).
 */
static bool journal_pass(unsigned long long *last)
{
	struct file f;
	bool ok = true;

	read_file(&f, "log", split_pairs);
	log_check(&f);
	for (int i = 0; ok && i < f.nr; i++) {
		unsigned long long seq = strtoull(get(&f.lines[i], "seq"), NULL, 10);

		if (seq <= *last)
			continue;
		if (seq > *last + 1)
			ok = journal_lost(seq - *last - 1, *last);
		if (ok)
			ok = journal_entry(&f.lines[i]);
		if (ok)
			*last = seq;
	}
	free_file(&f);
	return ok;
}

/*
 * lvbsctl journal [--follow]: the log's new entries into the journal,
 * one structured entry each. Where it got to is kept in a file on /run
 * (LVBS_JOURNAL_STATE), so a restart sends nothing twice and a reboot,
 * which empties /run, starts again from the launch.
 */
static int cmd_journal(bool follow)
{
	const char *state = env_or("LVBS_JOURNAL_STATE", JOURNAL_STATE);
	unsigned long long last = read_seq_state(state), before;
	bool ok;

	if (!journal_open())
		return EXIT_DATA;
	for (;;) {
		before = last;
		ok = journal_pass(&last);
		if (last != before && !write_seq_state(state, last))
			return EXIT_DATA;
		if (!follow)
			return ok ? 0 : EXIT_DATA;
		sleep(JOURNAL_PERIOD);
	}
}

/* ---- keys ---- */

static const struct key_type keys_keys[] = {
	{ "slot", T_U64 }, { "source", T_NAME }, { "signer", T_U64 }, { "type", T_NAME },
	{ "bits", T_U64 }, { "fingerprint", T_TEXT }, { "name", T_TEXT },
};

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A key's name comes %XX-encoded (docs/operations.md): decoded in place. */
static void decode_name(const struct file *f, const struct line *l, char *v)
{
	char *out = v;

	for (; *v; v++) {
		if (*v != '%') {
			*out++ = *v;
			continue;
		}
		if (hexval(v[1]) < 0 || hexval(v[2]) < 0)
			die_data(f, l->lineno, "bad %%XX escape in name");
		*out++ = (char)(hexval(v[1]) << 4 | hexval(v[2]));
		v += 2;
	}
	*out = 0;
}

static void keys_check(const struct file *f)
{
	for (int i = 0; i < f->nr; i++) {
		struct line *l = &f->lines[i];
		const char *fpr;

		check_line(f, l, keys_keys, ARRAY_SIZE(keys_keys), true);
		fpr = get(l, "fingerprint");
		if (strlen(fpr) != 64 || strspn(fpr, "0123456789abcdef") != 64)
			die_data(f, l->lineno, "'fingerprint' is '%s', expected 64 hex digits", fpr);
		for (int k = 0; k < l->nr; k++)
			if (!strcmp(l->f[k].key, "name"))
				decode_name(f, l, (char *)l->f[k].val);
	}
}

static int cmd_keys(void)
{
	struct file f;

	read_file(&f, "keys", split_pairs);
	keys_check(&f);
	if (json) {
		fputs("{\"active\": true, \"keys\": ", stdout);
		json_lines(&f, keys_keys, ARRAY_SIZE(keys_keys));
		fputs("}\n", stdout);
	} else if (!f.nr) {
		printf("(no module-signing keys: see docs/module-signatures.md)\n");
	}
	for (int i = 0; !json && i < f.nr; i++) {
		const struct line *l = &f.lines[i];

		char kind[64];

		snprintf(kind, sizeof(kind), "%s-%s", get(l, "type"), get(l, "bits"));
		printf("%-3s %-9s %-10s sha256:%s %s", get(l, "slot"), get(l, "source"), kind,
		       get(l, "fingerprint"), get(l, "name"));
		if (!strcmp(get(l, "source"), "secondary"))
			printf(" (issued by key %s)", get(l, "signer"));
		putchar('\n');
	}
	free_file(&f);
	return 0;
}

/*
 * lvbsctl add-key FILE: one DER certificate to the hypervisor, in one
 * write() (lvbs.ko takes a whole certificate per write).
 */
static int cmd_add_key(const char *file)
{
	char path[4096], buf[LVBS_KEY_CERT_MAX + 1];
	size_t len;
	ssize_t w;
	FILE *in;
	int fd;

	in = fopen(file, "rb");
	if (!in) {
		fprintf(stderr, "lvbsctl: %s: %s\n", file, strerror(errno));
		return EXIT_USAGE;
	}
	len = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	if (len == 0 || len > LVBS_KEY_CERT_MAX || buf[0] != 0x30) {
		fprintf(stderr, "lvbsctl: %s: not a DER certificate of at most %u bytes\n",
			file, LVBS_KEY_CERT_MAX);
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s/keys", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "lvbsctl: %s: %s\n", path, strerror(errno));
		return EXIT_DATA;
	}
	w = write(fd, buf, len);
	close(fd);
	if (w != (ssize_t)len) {
		fprintf(stderr, "lvbsctl: %s refused: %s%s\n", file,
			w < 0 ? strerror(errno) : "short write",
			w < 0 && errno == EPERM ?
			" (after SEAL a certificate must be issued by a key lvbs trusts; lvbsctl log shows key_denied)" :
			" (lvbsctl log shows key_denied and why)");
		return EXIT_REFUSED;
	}
	printf("%s: trusted\n", file);
	return 0;
}

/* ---- check and metrics: for monitoring ---- */

/*
 * lvbsctl check: one line and an exit status in the convention of Nagios
 * plugins (which Icinga, Zabbix's and others' checks follow): 0 OK
 * (protected), 1 WARNING (degraded), 2 CRITICAL (not protected, or lvbs
 * not active), 3 UNKNOWN (data unreadable or malformed, or a usage error).
 */
enum { CHECK_OK, CHECK_WARNING, CHECK_CRITICAL, CHECK_UNKNOWN };

static int cmd_check(void)
{
	static const char *const words[] = { "OK: lvbs protected", "WARNING: lvbs degraded: ",
					     "CRITICAL: lvbs NOT protected: " };
	struct file f;
	struct line r;
	unsigned int found;
	enum level v;

	read_status(&f, &r);
	found = assess(&r);
	v = verdict_of(found);
	if (json) {
		fputs("{\"active\": true, ", stdout);
		findings_json(found);
		fputs("}\n", stdout);
	} else {
		fputs(words[v], stdout);
		if (v != PROTECTED)
			print_ids(found, v);
		putchar('\n');
	}
	free_file(&f);
	return v == PROTECTED ? CHECK_OK : v == DEGRADED ? CHECK_WARNING : CHECK_CRITICAL;
}

/*
 * lvbsctl metrics: the Prometheus text exposition format (version 0.0.4),
 * for node_exporter's textfile collector. Exits 0 whenever it printed a
 * valid exposition, lvbs not active included (lvbs_active 0), so that
 * "lvbsctl metrics > F.tmp && mv F.tmp F" always leaves current metrics.
 */
static const struct {
	const char *key, *name, *type, *help;
} metric_keys[] = {
	{ "cpus", "lvbs_cpus_virtualized", "gauge", "CPUs running under the hypervisor." },
	{ "cpus_online", "lvbs_cpus_online", "gauge", "Online CPUs." },
	{ "protected_bytes", "lvbs_protected_bytes", "gauge", "Bytes of guest memory with a protection." },
	{ "kernel_x_bytes", "lvbs_kernel_code_bytes", "gauge", "Bytes of registered kernel code." },
	{ "perm_ranges", "lvbs_protected_ranges", "gauge", "Ranges in the permission database." },
	{ "modules_tracked", "lvbs_modules_tracked", "gauge", "Modules whose memory lvbs tracks." },
	{ "violations", "lvbs_violations_total", "counter", "Memory accesses refused (or, under the audit policy, logged)." },
	{ "patches_allowed", "lvbs_text_patches_allowed_total", "counter", "Kernel text patches validated and allowed." },
	{ "patches_denied", "lvbs_text_patches_denied_total", "counter", "Kernel text patches refused." },
	{ "stores_dropped", "lvbs_stores_dropped_total", "counter", "Denied kernel stores dropped." },
	{ "shootdowns", "lvbs_tlb_shootdowns_total", "counter", "TLB shootdowns after permission changes." },
	{ "log_suppressed", "lvbs_log_events_suppressed_total", "counter", "Log events folded into an earlier entry." },
	{ "log_next_seq", "lvbs_log_next_sequence", "gauge", "Sequence number the next log event gets." },
	{ "slat_pool_free", "lvbs_slat_table_pages_free", "gauge", "Free pages for nested page tables." },
	{ "slat_coarse", "lvbs_slat_coarse_grants_total", "counter", "Grants that changed a whole 2 MiB block." },
	{ "keys_trusted", "lvbs_keys_trusted", "gauge", "Module-signing keys the hypervisor trusts." },
	{ "keys_refused", "lvbs_keys_refused_total", "counter", "Keys offered and refused." },
	{ "blacklist_hashes", "lvbs_blacklist_hashes", "gauge", "Module digests on the blacklist." },
	{ "modules_verified", "lvbs_modules_verified_total", "counter", "Module files whose signature the hypervisor verified." },
	{ "modules_failed", "lvbs_module_checks_failed_total", "counter", "Module files whose check failed." },
	{ "modules_unchecked", "lvbs_modules_unchecked_total", "counter", "Modules that came with no signature to check." },
	{ "modules_compared", "lvbs_modules_compared_total", "counter", "Verified modules compared, as laid out, with their signed file." },
	{ "modules_differ", "lvbs_modules_differ_total", "counter", "Compared modules with bytes no allowed patch explains (refused with module_trust signed)." },
	{ "modules_compare_failed", "lvbs_module_compares_failed_total", "counter", "Comparisons that could not run." },
	{ "module_bytes_differ", "lvbs_module_bytes_differ_total", "counter", "Bytes no allowed patch explained, in all comparisons." },
	{ "exports_kernel", "lvbs_exports_kernel", "gauge", "Entries of the kernel's export tables module imports are taken from (0: imports are the loader's word)." },
	{ "exports_modules", "lvbs_exports_modules", "gauge", "Modules whose export tables the hypervisor holds." },
	{ "imports_checked", "lvbs_imports_checked_total", "counter", "Module imports whose value came from a trusted export table." },
};

static void metric_head(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void metrics_status(const struct line *r)
{
	unsigned int found = assess(r);

	metric_head("lvbs_protection_state", "gauge",
		    "0 protected, 1 degraded, 2 not protected (lvbsctl check).");
	printf("lvbs_protection_state %d\n", verdict_of(found));
	metric_head("lvbs_finding", "gauge", "What makes lvbs protect less than it can (docs/operations.md).");
	for (int i = 0; i < NR_FINDINGS; i++)
		if (FOUND(found, i))
			printf("lvbs_finding{id=\"%s\",level=\"%s\"} 1\n", findings[i].id,
			       verdict_names[findings[i].level]);
	metric_head("lvbs_info", "gauge", "Backend, ABI and policies of the running lvbs.");
	printf("lvbs_info{vendor=\"%s\",abi=\"%s\",exec_control=\"%s\",module_trust=\"%s\"} 1\n",
	       get(r, "vendor"), get(r, "abi_version"),
	       get(r, "exec_control") ? get(r, "exec_control") : "",
	       get(r, "module_trust") ? get(r, "module_trust") : "");
	for (size_t i = 0; i < ARRAY_SIZE(metric_keys); i++) {
		if (!get(r, metric_keys[i].key))
			continue;
		metric_head(metric_keys[i].name, metric_keys[i].type, metric_keys[i].help);
		printf("%s %s\n", metric_keys[i].name, get(r, metric_keys[i].key));
	}
}

/* Fields of a stats line that are not an exit kind (docs/operations.md). */
static bool exit_kind(const char *key)
{
	static const char *const not_kinds[] = {
		"cpu", "apic_id", "total", "hypercalls_failed", "stores_dropped",
	};

	for (size_t i = 0; i < ARRAY_SIZE(not_kinds); i++)
		if (!strcmp(key, not_kinds[i]))
			return false;
	return true;
}

/* VM exits by CPU and kind, and failed hypercalls by CPU, from stats. */
static void metrics_exits(const struct file *f)
{
	metric_head("lvbs_vm_exits_total", "counter", "VM exits since launch, by CPU and kind.");
	for (int i = 0; i < f->nr; i++) {
		const struct line *l = &f->lines[i];

		for (int k = 0; k < l->nr; k++)
			if (exit_kind(l->f[k].key))
				printf("lvbs_vm_exits_total{cpu=\"%s\",kind=\"%s\"} %s\n",
				       get(l, "cpu"), l->f[k].key, l->f[k].val);
	}
	metric_head("lvbs_hypercalls_failed_total", "counter",
		    "Hypercalls answered with an error, by CPU.");
	for (int i = 0; i < f->nr; i++)
		if (get(&f->lines[i], "hypercalls_failed"))
			printf("lvbs_hypercalls_failed_total{cpu=\"%s\"} %s\n",
			       get(&f->lines[i], "cpu"), get(&f->lines[i], "hypercalls_failed"));
}

static int cmd_metrics(bool active)
{
	struct file f, st;
	struct line r;

	metric_head("lvbs_active", "gauge", "1 if lvbs is active, 0 if not.");
	printf("lvbs_active %d\n", active);
	if (!active) {
		metric_head("lvbs_protection_state", "gauge",
			    "0 protected, 1 degraded, 2 not protected (lvbsctl check).");
		printf("lvbs_protection_state %d\n", NOT_PROTECTED);
		return 0;
	}
	read_status(&f, &r);
	read_file(&st, "stats", split_pairs);
	stats_check(&st);
	metrics_status(&r);
	metrics_exits(&st);
	free_file(&st);
	free_file(&f);
	return 0;
}

/* ---- main ---- */

static bool is_active(void)
{
	struct stat st;

	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool check_active(void)
{
	char msg[4200];

	if (is_active())
		return true;
	snprintf(msg, sizeof(msg), "lvbs is not active (no %s; is lvbs.ko loaded?)", dir);
	if (json) {
		fputs("{\"active\": false, \"verdict\": \"not_protected\", \"error\": ", stdout);
		json_str(msg);
		fputs("}\n", stdout);
	}
	fprintf(stderr, "lvbsctl: %s\n", msg);
	return false;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lvbsctl status|check|stats|log|keys [--json]\n"
		"       lvbsctl metrics | journal [--follow]\n"
		"       lvbsctl add-key CERT.der\n"
		"       lvbsctl version | --help\n"
		"  status   is lvbs active, on which CPUs, with which CPU features,\n"
		"           which protections are weaker on this CPU, and the verdict\n"
		"  check    the verdict in one line, for monitoring: exit 0 protected,\n"
		"           1 degraded, 2 not protected, 3 unknown (Nagios plugin codes)\n"
		"  metrics  counters and the verdict in the Prometheus text format\n"
		"  journal  the log's new entries into systemd's journal, one structured\n"
		"           entry each; --follow: keep doing it (lvbs-journal.service)\n"
		"  stats    VM exits per CPU and kind since launch\n"
		"  log      the hypervisor's event and violation log\n"
		"  keys     the keys module signatures are checked against\n"
		"  add-key  trust one more key (after SEAL only one a trusted key issued)\n"
		"  --json   machine-readable output\n"
		"Reads %s (override with LVBS_SECURITYFS=DIR).\n"
		"Exit status (but check): 0 ok, 1 usage, 2 lvbs not active, 3 malformed or\n"
		"unreadable data, 4 refused by lvbs.\n",
		DEFAULT_DIR);
}

static bool usage_error;

static int bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "lvbsctl: %s '%s'\n", what, arg);
	usage(stderr);
	usage_error = true;
	return EXIT_USAGE;
}

static int run(int argc, char **argv, const char **cmdp);

/* A usage error is UNKNOWN to a monitoring system running "check". */
int main(int argc, char **argv)
{
	const char *cmd = NULL;
	int rc = run(argc, argv, &cmd);

	return usage_error && cmd && !strcmp(cmd, "check") ? CHECK_UNKNOWN : rc;
}

static int run(int argc, char **argv, const char **cmdp)
{
	const char *cmd = NULL, *arg = NULL;

	dir = getenv("LVBS_SECURITYFS");
	if (!dir || !*dir)
		dir = DEFAULT_DIR;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--follow"))
			follow = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return usage(stdout), 0;
		else if (!cmd && argv[i][0] != '-')
			*cmdp = cmd = argv[i];
		else if (cmd && !strcmp(cmd, "add-key") && !arg)
			arg = argv[i];
		else
			return bad_usage("unexpected argument", argv[i]);
	}
	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "version")) {
		if (json)
			printf("{\"lvbsctl_abi_version\": %d}\n", LVBS_ABI_VERSION);
		else
			printf("lvbsctl for lvbs hypercall ABI %d\n", LVBS_ABI_VERSION);
		return 0;
	}
	if (strcmp(cmd, "status") && strcmp(cmd, "stats") && strcmp(cmd, "log") &&
	    strcmp(cmd, "keys") && strcmp(cmd, "add-key") && strcmp(cmd, "check") &&
	    strcmp(cmd, "metrics") && strcmp(cmd, "journal"))
		return bad_usage("unknown command", cmd);
	if (follow && strcmp(cmd, "journal"))
		return bad_usage("--follow is only for", "journal");
	if (json && !strcmp(cmd, "journal"))
		return bad_usage("no --json for", cmd);
	if (!strcmp(cmd, "add-key") && (!arg || json))
		return bad_usage(json ? "no --json for" : "a certificate file is needed for", cmd);
	if (!strcmp(cmd, "metrics")) {
		if (json)
			return bad_usage("no --json for", cmd);
		return cmd_metrics(is_active());
	}
	if (!check_active()) {
		if (!strcmp(cmd, "check") && !json)
			printf("CRITICAL: lvbs NOT protected: not active\n");
		return !strcmp(cmd, "check") ? CHECK_CRITICAL : EXIT_INACTIVE;
	}
	if (!strcmp(cmd, "check"))
		return cmd_check();
	if (!strcmp(cmd, "journal"))
		return cmd_journal(follow);
	if (!strcmp(cmd, "status"))
		return cmd_status();
	if (!strcmp(cmd, "stats"))
		return cmd_stats();
	if (!strcmp(cmd, "keys"))
		return cmd_keys();
	if (!strcmp(cmd, "add-key"))
		return cmd_add_key(arg);
	return cmd_log();
}
