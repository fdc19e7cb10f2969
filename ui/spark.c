/* spark.c: sparklines (spark.h). */
#include "spark.h"

#include <string.h>

static const char ascii_steps[8] = { '_', '.', ',', '-', '=', '+', '*', '#' };

int
spark_level(int64_t v, int64_t max)
{
	if (max <= 0 || v <= 0)
		return 0;
	if (v >= max)
		return 7;
	/* a value that is there is never drawn as none: a quiet hour's one call is not the
	 * empty hour beside it */
	int l = (int)((v * 7 + max / 2) / max);
	return l > 0 ? l : 1;
}

size_t
spark_render(char *out, size_t outsz, const int64_t *v, const bool *has, size_t n,
    int64_t max, bool utf8)
{
	size_t used = 0, i;
	size_t each = utf8 ? 3 : 1;

	if (outsz == 0)
		return 0;
	for (i = 0; i < n && used + each < outsz; i++) {
		bool missing = has != NULL ? !has[i] : v[i] < 0;
		if (missing) {
			out[used++] = ' ';
			continue;
		}
		int l = spark_level(v[i], max);
		if (utf8) {
			/* U+2581 + l: E2 96 81..88 */
			out[used++] = (char)0xe2;
			out[used++] = (char)0x96;
			out[used++] = (char)(0x81 + l);
		} else {
			out[used++] = ascii_steps[l];
		}
	}
	out[used] = '\0';
	return i;
}
