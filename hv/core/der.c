// SPDX-License-Identifier: GPL-2.0
/* Reading DER (der.h). */
#include "der.h"

int der_next(struct der *c, u8 *tag, struct der *val)
{
	size_t hdr = 2, len, nb, i;

	if (c->len < 2 || (c->p[0] & 0x1f) == 0x1f)
		return -1;
	len = c->p[1];
	if (len & 0x80) {
		nb = len & 0x7f;
		if (nb == 0 || nb > 4 || c->len - 2 < nb || c->p[2] == 0)
			return -1;
		len = 0;
		for (i = 0; i < nb; i++)
			len = (len << 8) | c->p[2 + i];
		if (len < 0x80)		/* the short form would have done */
			return -1;
		hdr += nb;
	}
	if (len > c->len - hdr)
		return -1;
	*tag = c->p[0];
	val->p = c->p + hdr;
	val->len = len;
	c->p += hdr + len;
	c->len -= hdr + len;
	return 0;
}

int der_expect(struct der *c, u8 tag, struct der *val)
{
	struct der save = *c;
	u8 t;

	if (der_next(c, &t, val))
		return -1;
	if (t != tag) {
		*c = save;
		return -1;
	}
	return 0;
}

int der_expect_whole(struct der *c, u8 tag, struct der *whole)
{
	const u8 *start = c->p;
	struct der val;

	if (der_expect(c, tag, &val))
		return -1;
	whole->p = start;
	whole->len = (size_t)(val.p - start) + val.len;
	return 0;
}

int der_optional(struct der *c, u8 tag, struct der *val)
{
	if (c->len == 0 || c->p[0] != tag)
		return 0;
	return der_expect(c, tag, val) ? -1 : 1;
}

bool der_oid_is(const struct der *val, const u8 *oid, size_t len)
{
	return val->len == len && !memcmp(val->p, oid, len);
}
