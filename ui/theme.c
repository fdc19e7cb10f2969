/* theme.c: role table lookups and the colour/monochrome decision. */
#include "theme.h"

#include <stdlib.h>
#include <string.h>

struct role_info {
	const char *name;
	char letter;
	struct theme_style color;
	unsigned mono;
};

static const struct role_info roles[ROLE_COUNT] = {
#define X(e, n, l, fg, bg, ca, ma) { n, l, { fg, bg, ca }, ma },
	THEME_ROLES(X)
#undef X
};

static const struct {
	enum theme_role role;
	struct theme_style style;
} light[] = {
#define X(e, fg, bg, ca) { ROLE_##e, { fg, bg, ca } },
	THEME_LIGHT(X)
#undef X
};

bool
theme_want_color(bool mono, bool term_has_colors)
{
	const char *no_color = getenv("NO_COLOR");

	if (mono || !term_has_colors)
		return false;
	/* no-color.org: present and not empty, whatever the value. */
	return no_color == NULL || no_color[0] == '\0';
}

void
theme_init(struct theme *t, bool color)
{
	int i;

	t->color = color;
	for (i = 0; i < ROLE_COUNT; i++) {
		if (color)
			t->style[i] = roles[i].color;
		else {
			t->style[i].fg = THEME_DEFAULT;
			t->style[i].bg = THEME_DEFAULT;
			t->style[i].attr = roles[i].mono;
		}
	}
}

void
theme_init_variant(struct theme *t, bool color, enum theme_variant v)
{
	size_t i;

	theme_init(t, color);
	if (!color || v != THEME_LIGHT)
		return;
	for (i = 0; i < sizeof light / sizeof light[0]; i++)
		t->style[light[i].role] = light[i].style;
}

int
theme_variant_parse(const char *name)
{
	if (strcmp(name, "dark") == 0)
		return THEME_DARK;
	if (strcmp(name, "light") == 0)
		return THEME_LIGHT;
	return -1;
}

const struct theme_style *
theme_style(const struct theme *t, enum theme_role r)
{
	if ((int)r < 0 || r >= ROLE_COUNT)
		r = ROLE_NORMAL;
	return &t->style[r];
}

const char *
theme_role_name(enum theme_role r)
{
	if ((int)r < 0 || r >= ROLE_COUNT)
		return "?";
	return roles[r].name;
}

char
theme_role_letter(enum theme_role r)
{
	if ((int)r < 0 || r >= ROLE_COUNT)
		return '?';
	return roles[r].letter;
}

int
theme_role_from_name(const char *name)
{
	int i;

	for (i = 0; i < ROLE_COUNT; i++) {
		if (strcmp(roles[i].name, name) == 0)
			return i;
	}
	return -1;
}
