/* kinds.c: the name tables of kinds.h. */
#include "kinds.h"

#include <stddef.h>
#include <string.h>

static const struct {
	const char *name, *key;
} levels[] = {
#define X(e, s, key) { s, key },
	WARN_LEVELS(X)
#undef X
};

static const struct {
	const char *name, *key;
	enum warn_level level;
} warns[] = {
#define X(e, s, lvl, key) { s, key, WARN_LEVEL_##lvl },
	WARN_KINDS(X)
#undef X
};

static const struct {
	const char *name, *key;
	unsigned on;
} events[] = {
#define X(e, s, on, key) { s, key, on },
	EVENT_KINDS(X)
#undef X
};

const char *
warn_level_name(enum warn_level l)
{
	return (unsigned)l < WARN_LEVEL_COUNT ? levels[l].name : "";
}

const char *
warn_kind_name(enum warn_kind k)
{
	return (unsigned)k < WARN_KIND_COUNT ? warns[k].name : "";
}

const char *
event_kind_name(enum event_kind k)
{
	return (unsigned)k < EVENT_KIND_COUNT ? events[k].name : "";
}

enum warn_level
warn_kind_level(enum warn_kind k)
{
	return (unsigned)k < WARN_KIND_COUNT ? warns[k].level : WARN_LEVEL_NONE;
}

const char *
warn_level_key(enum warn_level l)
{
	return (unsigned)l < WARN_LEVEL_COUNT ? levels[l].key : "";
}

const char *
warn_kind_key(enum warn_kind k)
{
	return (unsigned)k < WARN_KIND_COUNT ? warns[k].key : "";
}

const char *
event_kind_key(enum event_kind k)
{
	return (unsigned)k < EVENT_KIND_COUNT ? events[k].key : "";
}

unsigned
event_kind_streams(enum event_kind k)
{
	return (unsigned)k < EVENT_KIND_COUNT ? events[k].on : 0;
}

int
warn_level_parse(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return -1;
	for (int i = 0; i < WARN_LEVEL_COUNT; i++)
		if (strcmp(levels[i].name, s) == 0)
			return i;
	return -1;
}

int
warn_kind_parse(const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < WARN_KIND_COUNT; i++)
		if (strcmp(warns[i].name, s) == 0)
			return i;
	return -1;
}

int
event_kind_parse(const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < EVENT_KIND_COUNT; i++)
		if (strcmp(events[i].name, s) == 0)
			return i;
	return -1;
}
