/* fuzz-draft.c: libFuzzer target for the intake form's draft (ui/view-intake.c,
 * view_intake_restore), the text the console keeps in the user's directory and reads back at
 * the next start, whatever a crash or an editor left in it: it fills a new form with the
 * shipped reference data or is skipped line by line; the form draws at 80x24 in both
 * languages; its draft restored into another new form gives the same draft again. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "i18n.h"
#include "model.h"
#include "util.h"
#include "view-intake.h"
#include "view.h"
#include "vscreen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct model m;
static struct data *ref;
static struct vscreen *vs;

static void
done(void)
{
	vscreen_destroy(vs);
	model_finish(&m);
	data_free(ref);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const langs[] = { "en", "zh_CN" };
	static const char *loaded;
	char once[8192], twice[8192], *cause = NULL;

	if (vs == NULL) {
		model_init(&m);
		if ((m.data = ref = data_load(SOURCE_DATA_DIR, &cause)) == NULL) {
			fprintf(stderr, "%s\n", cause);
			abort();
		}
		vs = vscreen_create(80, 24);
		atexit(done);
	}
	if (size == 0)
		return 0;
	char *text = xstrndup((const char *)data + 1, size - 1);
	const char *lang = langs[data[0] % 2];
	if (lang != loaded && i18n_load(SOURCE_DATA_DIR, lang, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		abort();
	}
	loaded = lang;
	struct view *v = view_intake_create(&m), *w = view_intake_create(&m);
	view_intake_restore(v, &m, text);
	view_draw(v, &m, vs, NULL);
	view_intake_draft(v, once, sizeof once);
	view_intake_restore(w, &m, once);
	view_intake_draft(w, twice, sizeof twice);
	if (strcmp(once, twice) != 0)
		abort();
	view_destroy(w);
	view_destroy(v);
	free(text);
	return 0;
}
