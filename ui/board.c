/* board.c: filtering, ordering and selection of the ticket board. */
#include "board.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "ticket.h"
#include "util.h"

static const char *sort_names[] = {
#define X(e, s) s,
	BOARD_SORTS(X)
#undef X
};

const char *
board_sort_name(enum board_sort s)
{
	return (unsigned)s < BOARD_SORT_COUNT ? sort_names[s] : "";
}

void
board_init(struct board *b)
{
	memset(b, 0, sizeof *b);
	b->sort = BOARD_SORT_URGENCY;
}

void
board_finish(struct board *b)
{
	board_forget(b);
	free(b->rows);
	b->rows = NULL;
	b->n = b->cap = 0;
}

static bool
is_open(const struct proto_ticket *t)
{
	int s = ticket_state_parse(t->state);
	return s >= 0 && !ticket_state_final((enum ticket_state)s);
}

/* The urgency key's fields, most significant first: the level (bit 44 up), seconds of
 * slack (4096 a second, room for 130 years either way), being new, priority. */
#define URGENCY_LEVEL ((int64_t)1 << 44)
#define URGENCY_SECOND ((int64_t)4096)
#define URGENCY_PRIO_MAX 2047

/* Case-insensitive (ASCII) substring search. */
static bool
contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return true;
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] &&
		    tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

static bool
prefix(const char *s, const char *p)
{
	for (; *p; s++, p++)
		if (tolower((unsigned char)*s) != tolower((unsigned char)*p))
			return false;
	return true;
}

/* Whether w, 4 or more digits, appears in the digits of phone. Phones come masked from the
 * broker (138****5678, PROTOCOL.md 8.1): only the first 3 and last 4 digits are there to
 * match, so the last four find a caller and a hidden digit finds nothing (ticket.search
 * matches the raw number at the broker). */
static bool
digits_match(const char *phone, const char *w)
{
	char d[32];
	size_t n = 0, wl = strlen(w);
	if (wl < 4)
		return false;
	for (size_t i = 0; i < wl; i++)
		if (!isdigit((unsigned char)w[i]))
			return false;
	for (; *phone && n + 1 < sizeof d; phone++)
		if (isdigit((unsigned char)*phone))
			d[n++] = *phone;
	d[n] = '\0';
	return strstr(d, w) != NULL;
}

static const char *is_names[] = {
#define X(e, s) s,
	BOARD_IS(X)
#undef X
};

/* The BOARD_IS_MASK bit of an is: word, or 0 if unknown. */
static unsigned
is_bit(const char *v)
{
	for (int i = 0; i < BOARD_IS_COUNT; i++)
		if (strcmp(v, is_names[i]) == 0)
			return 1u << i;
	return 0;
}

/* The label shown for code, or "" if the lookup has none. */
static const char *
label(const struct board *b, enum board_field f, const char *code)
{
	const char *l = b->look.label != NULL ? b->look.label(b->look.ctx, f, code) : NULL;
	return l != NULL ? l : "";
}

/* Field f of t starts with v as its code or as its displayed label. */
static bool
field_prefix(const struct board *b, enum board_field f, const char *code, const char *v)
{
	const char *l = label(b, f, code);
	return prefix(code, v) || (*l && prefix(l, v));
}

/* "#59" or "id:59": the id in *id. */
static bool
id_word(const char *w, int64_t *id)
{
	const char *v = w[0] == '#' ? w + 1 : strncmp(w, "id:", 3) == 0 ? w + 3 : NULL;
	char *end;
	long long x;

	if (v == NULL || !isdigit((unsigned char)*v))
		return false;
	x = strtoll(v, &end, 10);
	if (*end != '\0')
		return false;
	*id = x;
	return true;
}

static bool
word_match(const struct board *b, const char *w, const struct proto_ticket *t)
{
	char id[24];
	int64_t want;
	if (id_word(w, &want))
		return t->id == want;
	if (strncmp(w, "is:", 3) == 0) {
		unsigned bit = is_bit(w + 3);
		return bit != 0 && b->look.is != NULL && (b->look.is(b->look.ctx, t) & bit) != 0;
	}
	if (strncmp(w, "state:", 6) == 0) {
		const char *v = w + 6;
		if (strcmp(v, "open") == 0)
			return is_open(t);
		if (strcmp(v, "closed") == 0)
			return !is_open(t);
		return field_prefix(b, BOARD_FIELD_STATE, t->state, v);
	}
	if (strncmp(w, "region:", 7) == 0)
		return field_prefix(b, BOARD_FIELD_REGION, t->region, w + 7);
	if (strncmp(w, "fault:", 6) == 0)
		return field_prefix(b, BOARD_FIELD_FAULT, t->fault, w + 6);
	if (strncmp(w, "truck:", 6) == 0)
		return prefix(t->truck, w + 6);
	snprintf(id, sizeof id, "%lld", (long long)t->id);
	if (digits_match(t->phone, w))
		return true; /* a caller ringing again is found by the number they call from */
	return contains(id, w) || contains(t->customer, w) || contains(t->plate, w) ||
	    contains(t->address, w) || contains(t->landmark, w) || contains(t->truck, w) ||
	    contains(t->fault, w) || contains(t->region, w) || contains(t->model, w) ||
	    /* what the screen shows: an agent types the label, not the code */
	    contains(label(b, BOARD_FIELD_STATE, t->state), w) ||
	    contains(label(b, BOARD_FIELD_FAULT, t->fault), w) ||
	    contains(label(b, BOARD_FIELD_REGION, t->region), w);
}

bool
board_match(const struct board *b, const char *filter, const struct proto_ticket *t)
{
	char buf[BOARD_FILTER_MAX + 1];
	char *save = NULL, *w;

	rd_strlcpy(buf, filter, sizeof buf);
	for (w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save))
		if (!word_match(b, w, t))
			return false;
	return true;
}

/* Why word w alone would be refused, or NULL. */
static const char *
word_refused(const struct board *b, const char *w)
{
	if (strncmp(w, "state:", 6) == 0) {
		const char *v = w + 6;
		bool ok = strcmp(v, "open") == 0 || strcmp(v, "closed") == 0;
		for (int s = 0; s < TICKET_STATE_COUNT && !ok; s++) {
			const char *code = ticket_state_name((enum ticket_state)s);
			ok = *v && (prefix(code, v) || (*label(b, BOARD_FIELD_STATE, code) &&
			    prefix(label(b, BOARD_FIELD_STATE, code), v)));
		}
		return ok ? NULL : BOARD_BAD_STATE;
	}
	if (strncmp(w, "region:", 7) == 0 && b->look.region_known != NULL &&
	    !b->look.region_known(b->look.ctx, w + 7))
		return BOARD_BAD_REGION;
	if (strncmp(w, "is:", 3) == 0 && is_bit(w + 3) == 0)
		return BOARD_BAD_IS;
	return NULL;
}

/* Why text would be refused as a filter or a find, or NULL. */
static const char *
refused(const struct board *b, const char *text)
{
	char buf[BOARD_FILTER_MAX + 1];
	char *save = NULL, *w;
	const char *why;

	rd_strlcpy(buf, text, sizeof buf);
	for (w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save))
		if ((why = word_refused(b, w)) != NULL)
			return why;
	return NULL;
}

const char *
board_set_filter(struct board *b, const char *text)
{
	const char *why = refused(b, text);

	if (why == NULL)
		rd_strlcpy(b->filter, text, sizeof b->filter);
	return why;
}

const char *
board_set_find(struct board *b, const char *text)
{
	const char *why = refused(b, text);

	if (why == NULL)
		rd_strlcpy(b->find, text, sizeof b->find);
	return why;
}

bool
board_found(const struct board *b, const struct proto_ticket *t)
{
	const char *p = b->find;

	while (*p == ' ')
		p++;
	return *p != '\0' && board_match(b, b->find, t);
}

enum board_find_result
board_find(struct board *b, int dir)
{
	size_t i, k, step;

	if (b->n == 0)
		return BOARD_FIND_NONE;
	for (k = 0; k < b->n; k++) {
		/* k-th row from the selection, the selection itself first only for dir 0 */
		step = dir == 0 ? k : k + 1;
		if (dir < 0)
			i = (b->sel_index + b->n - step % b->n) % b->n;
		else
			i = (b->sel_index + step) % b->n;
		if (!board_found(b, b->rows[i]))
			continue;
		bool wrapped = dir < 0 ? i > b->sel_index : i < b->sel_index;
		b->sel_index = i;
		b->selected = b->rows[i]->id;
		return wrapped ? BOARD_FIND_WRAPPED : BOARD_FIND_MOVED;
	}
	return BOARD_FIND_NONE;
}

struct sort_item {
	const struct proto_ticket *t;
	int64_t key;
	int64_t id;	/* t->id: ties are broken without a trip to the ticket */
};

static enum board_sort cur_sort;

static int
cmp_items(const void *va, const void *vb)
{
	const struct sort_item *a = va, *b = vb;
	int c = 0;
	switch (cur_sort) {
	case BOARD_SORT_URGENCY:
	case BOARD_SORT_AGE:
		c = (a->key < b->key) - (a->key > b->key); /* descending */
		break;
	case BOARD_SORT_ID:
		break;
	case BOARD_SORT_REGION:
		c = strcmp(a->t->region, b->t->region);
		break;
	case BOARD_SORT_STATE:
		c = (a->key > b->key) - (a->key < b->key);
		break;
	case BOARD_SORT_COUNT:
		break;
	}
	if (c == 0)
		c = (a->id > b->id) - (a->id < b->id);
	return c;
}

/* One ticket of the last rebuild: its state as parsed, checked against the ticket's state
 * name at the next rebuild (a ticket changed in place or anew is parsed again only when
 * its state name changed). */
struct entry {
	const struct proto_ticket *t;	/* this rebuild's; not read after it */
	int64_t id;
	int64_t key;
	int code;			/* ticket_state_parse(state) */
	bool matched;			/* on the board */
	bool placed;			/* already in this rebuild's order */
	char state[sizeof ((struct proto_ticket *)0)->state];
};

struct board_cache {
	struct entry *ent, *old;	/* this rebuild's (in the order of all), the last one's */
	size_t n, n_old, cap, cap_old;
	uint32_t *slot;			/* by ticket id: index + 1 into ent (or, for ids gone
					 * since, into an older array: checked by id) */
	size_t slot_cap;
	int64_t *order;			/* the ids of the last board, in its order */
	size_t n_order, order_cap;
	enum board_sort sort;		/* the order's */
	struct sort_item *items;
	size_t items_cap;
};

/* Ids past this have no slot (4 bytes an id up to the largest held): they are parsed each
 * rebuild and sorted as new ones, so a board of them is rebuilt in full. */
#define SLOT_ID_MAX ((int64_t)1 << 24)

void
board_forget(struct board *b)
{
	struct board_cache *c = b->cache;

	if (c == NULL)
		return;
	free(c->ent);
	free(c->old);
	free(c->slot);
	free(c->order);
	free(c->items);
	free(c);
	b->cache = NULL;
}

/* The urgency of t whose state parses to s (board_urgency without the parse). */
static int64_t
urgency_of(const struct proto_ticket *t, int s, const struct data_sla *sla, int64_t now,
    int warn_level, struct monitor_standing *stp)
{
	struct monitor_ticket mt;
	struct monitor_standing st = { MONITOR_NONE, 0 };

	*stp = st;
	if (!(s >= 0 && !ticket_state_final((enum ticket_state)s)))
		return INT64_MIN / 2 + t->t_closed / 1000; /* recently closed first among closed */
	if (s == TICKET_ON_SCENE || s == TICKET_TOWING)
		return INT64_MIN / 4 + t->created / 1000 * -1;
	/* monitor_ticket_from_wire, its parse done */
	mt = (struct monitor_ticket){
		.state = (enum ticket_state)s,
		.created = t->created,
		.promised = t->promised,
		.eta = PROTO_HAS(t, ticket, eta) && t->eta > 0 ? t->eta : 0,
		.offers = t->offers,
		.on_scene = PROTO_HAS(t, ticket, t_on_scene) ? t->t_on_scene : 0,
	};
	st = monitor_classify(&mt, sla != NULL ? sla : monitor_sla_default(), now);
	*stp = st;
	/* The standing counts as the warning the broker raises for it (eta_late, overdue),
	 * so a ticket is not counted twice once that warning arrives. */
	int level = st.cls == MONITOR_LATE ? 2 : st.cls == MONITOR_AT_RISK ? 1 : 0;
	if (warn_level > level)
		level = warn_level;
	/* Late before at risk before on time, whatever the flags: then the least slack; the
	 * priority flags and being new (nobody on the way yet) only break ties of a second. */
	int64_t prio = t->priority < 0 ? 0 : t->priority > URGENCY_PRIO_MAX ?
	    URGENCY_PRIO_MAX : t->priority;
	int64_t score = (int64_t)level * URGENCY_LEVEL;
	score += -(st.slack_ms / 1000) * URGENCY_SECOND;
	if (s == TICKET_NEW)
		score += URGENCY_PRIO_MAX + 1;
	score += prio;
	return score;
}

int64_t
board_urgency(const struct proto_ticket *t, const struct data_sla *sla, int64_t now,
    int warn_level)
{
	struct monitor_standing st;

	return urgency_of(t, ticket_state_parse(t->state), sla, now, warn_level, &st);
}

/* Sort a[0..n) when it is nearly sorted already: binary insertion of each row out of
 * place, moving at most budget rows in all. false when the budget ran out (a[] is then
 * still a permutation of what it was). */
static bool
settle(struct sort_item *a, size_t n, size_t budget)
{
	for (size_t i = 1; i < n; i++) {
		if (cmp_items(&a[i - 1], &a[i]) <= 0)
			continue;
		struct sort_item x = a[i];
		size_t lo = 0, hi = i - 1;	/* the first row after x lies in [lo, i - 1] */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (cmp_items(&a[mid], &x) > 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (i - lo > budget)
			return false;
		budget -= i - lo;
		memmove(&a[lo + 1], &a[lo], (i - lo) * sizeof *a);
		a[lo] = x;
	}
	return true;
}

/* What present_due (ui/present.c) says of a ticket not yet on scene, from its standing:
 * 2 late, 1 soon (at risk), 0 neither. */
static int
due_of(enum monitor_class cls, int warn)
{
	if (warn >= 2 || cls == MONITOR_LATE)
		return 2;
	return cls == MONITOR_AT_RISK || warn == 1 ? 1 : 0;
}

/* The tickets are the caller's, each on its own in the heap, and a rebuild reads a few
 * fields of each from several cache lines: it waits on memory, not on work, unless the
 * lines of the tickets a few ahead are asked for early. */
#define PREFETCH_AHEAD 6

static void
prefetch_ticket(const struct proto_ticket *t)
{
	__builtin_prefetch(&t->id);		/* and the state */
	__builtin_prefetch(&t->priority);
	__builtin_prefetch(&t->created);
	__builtin_prefetch(&t->eta);		/* the promise too */
	__builtin_prefetch(&t->t_closed);
	__builtin_prefetch(&t->present);
}

/* Parse, count and key every ticket; the cache's entries for this rebuild. Returns how
 * many are on the board. */
static size_t
derive(struct board *b, struct board_cache *c, const struct proto_ticket *const *all,
    size_t n, int64_t now, board_warn_fn warn, void *ctx)
{
	size_t m = 0;

	/* the last rebuild's entries become the old ones */
	struct entry *e = c->old;
	size_t cap = c->cap_old;
	c->old = c->ent;
	c->n_old = c->n;
	c->cap_old = c->cap;
	if (n > cap) {
		cap = n + n / 4 + 16;
		e = xreallocarray(e, cap, sizeof *e);
	}
	c->ent = e;
	c->cap = cap;
	c->n = n;

	b->n_open = b->n_late = b->n_risk = 0;
	for (size_t i = 0; i < n; i++) {
		const struct proto_ticket *t = all[i];
		if (i + PREFETCH_AHEAD < n)
			prefetch_ticket(all[i + PREFETCH_AHEAD]);
		struct entry *x = &e[i];
		const struct entry *o = NULL;
		int64_t id = t->id;
		bool slotted = id > 0 && id < SLOT_ID_MAX;

		if (slotted && (size_t)id >= c->slot_cap) {
			size_t grown = (size_t)id + 1024;
			c->slot = xreallocarray(c->slot, grown, sizeof *c->slot);
			memset(c->slot + c->slot_cap, 0, (grown - c->slot_cap) * sizeof *c->slot);
			c->slot_cap = grown;
		}
		if (slotted && c->slot[id] > 0 && c->slot[id] <= c->n_old &&
		    c->old[c->slot[id] - 1].id == id)
			o = &c->old[c->slot[id] - 1];
		x->t = t;
		x->id = id;
		x->placed = false;
		if (o != NULL && strcmp(o->state, t->state) == 0) {
			x->code = o->code;
			memcpy(x->state, o->state, sizeof x->state);
		} else {
			x->code = ticket_state_parse(t->state);
			rd_strlcpy(x->state, t->state, sizeof x->state);
		}
		if (slotted)
			c->slot[id] = (uint32_t)i + 1;

		int s = x->code, wl = warn != NULL ? warn(ctx, id) : 0;
		struct monitor_standing st;
		int64_t urgency = urgency_of(t, s, b->sla, now, wl, &st);
		bool open = s >= 0 && !ticket_state_final((enum ticket_state)s);
		b->n_open += open;
		if (s >= 0 && monitor_before_scene((enum ticket_state)s)) {
			int d = due_of(st.cls, wl);
			b->n_late += d == 2;
			b->n_risk += d == 1;
		}

		x->matched = !b->filter[0] || board_match(b, b->filter, t);
		if (!x->matched)
			continue;
		m++;
		switch (b->sort) {
		case BOARD_SORT_URGENCY:
			x->key = urgency;
			break;
		case BOARD_SORT_AGE:
			x->key = -t->created;	/* the oldest first: negated, sorted descending */
			break;
		case BOARD_SORT_STATE:
			x->key = s;
			break;
		default:
			x->key = 0;
			break;
		}
	}
	return m;
}

/* The board's rows in order: the last order settled where it moved, or sorted afresh. */
static void
order(struct board *b, struct board_cache *c, size_t m)
{
	struct sort_item *items;
	size_t k = 0, fresh;

	if (m > c->items_cap) {
		c->items_cap = m + m / 4 + 16;
		c->items = xreallocarray(c->items, c->items_cap, sizeof *c->items);
	}
	items = c->items;
	cur_sort = b->sort;
	if (c->sort == b->sort) {
		/* the last order first, with this rebuild's keys */
		for (size_t i = 0; i < c->n_order; i++) {
			int64_t id = c->order[i];
			struct entry *x;
			if (id <= 0 || id >= SLOT_ID_MAX || (size_t)id >= c->slot_cap ||
			    c->slot[id] == 0 || c->slot[id] > c->n)
				continue;
			x = &c->ent[c->slot[id] - 1];
			if (x->id != id || !x->matched || x->placed)
				continue;
			x->placed = true;
			items[k++] = (struct sort_item){ x->t, x->key, x->id };
		}
	}
	fresh = m - k;
	for (size_t i = 0; i < c->n; i++) {
		struct entry *x = &c->ent[i];
		if (x->matched && !x->placed)
			items[k++] = (struct sort_item){ x->t, x->key, x->id };
	}
	/* a few new or moved rows are inserted; many (a resync, another sort, a burst) or a
	 * budget run out are sorted afresh */
	if (fresh > 64 + m / 32 || !settle(items, m, 4 * m + 1024))
		qsort(items, m, sizeof *items, cmp_items);
	c->sort = b->sort;
	if (m > c->order_cap) {
		c->order_cap = m + m / 4 + 16;
		c->order = xreallocarray(c->order, c->order_cap, sizeof *c->order);
	}
	c->n_order = m;
	for (size_t i = 0; i < m; i++)
		c->order[i] = items[i].id;
}

void
board_rebuild(struct board *b, const struct proto_ticket *const *all, size_t n, int64_t now,
    board_warn_fn warn, void *ctx)
{
	struct board_cache *c = b->cache;
	size_t m;

	if (c == NULL) {
		c = b->cache = xcalloc(1, sizeof *c);
		c->sort = BOARD_SORT_COUNT;	/* no order yet */
	}
	b->total = n;
	m = derive(b, c, all, n, now, warn, ctx);
	order(b, c, m);
	if (m > b->cap) {
		b->cap = m;
		b->rows = xreallocarray(b->rows, b->cap, sizeof *b->rows);
	}
	size_t old_index = b->sel_index;
	b->n = m;
	bool found = false;
	for (size_t i = 0; i < m; i++) {
		b->rows[i] = c->items[i].t;
		if (c->items[i].id == b->selected) {
			b->sel_index = i;
			found = true;
		}
	}
	if (!found) {
		if (m == 0) {
			b->sel_index = 0;
			b->selected = 0;
		} else {
			b->sel_index = old_index < m ? old_index : m - 1;
			b->selected = b->rows[b->sel_index]->id;
		}
	}
}

void
board_move(struct board *b, long delta)
{
	if (b->n == 0)
		return;
	long i = (long)b->sel_index + delta;
	if (i < 0)
		i = 0;
	if (i >= (long)b->n)
		i = (long)b->n - 1;
	b->sel_index = (size_t)i;
	b->selected = b->rows[i]->id;
}

void
board_home(struct board *b)
{
	board_move(b, -(long)b->n);
}

void
board_end(struct board *b)
{
	board_move(b, (long)b->n);
}

void
board_scroll(struct board *b, size_t visible)
{
	if (visible == 0)
		return;
	if (b->sel_index < b->top)
		b->top = b->sel_index;
	if (b->sel_index >= b->top + visible)
		b->top = b->sel_index - visible + 1;
	if (b->n <= visible)
		b->top = 0;
	else if (b->top > b->n - visible)
		b->top = b->n - visible;
}

const struct proto_ticket *
board_selected(const struct board *b)
{
	return b->n ? b->rows[b->sel_index] : NULL;
}
