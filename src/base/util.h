/* util.h: allocation that aborts on OOM, bounded string copy, removing a directory tree,
 * clocks, logging.
 *
 * Ownership: every x* allocator returns memory the caller frees with free().
 * Logging goes to the file set by log_open() (stderr by default for the daemons; the console
 * opens a file or nothing, never the terminal while curses runs). Logs never carry PII: log
 * ticket ids and truck ids, never names or phone numbers. */
#ifndef RD_UTIL_H
#define RD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RD_NAME "rescuedesk"
#ifndef RD_VERSION
#define RD_VERSION "0.1.0"
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define RD_UNUSED __attribute__((unused))
#define RD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define RD_NORETURN __attribute__((noreturn))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **out, const char *fmt, ...) RD_PRINTF(2, 3);

/* Copy at most dstsz-1 bytes and NUL-terminate; returns strlen(src) like strlcpy. */
size_t rd_strlcpy(char *dst, const char *src, size_t dstsz);

/* Remove dir and everything below it (symbolic links are removed, not followed): for the
 * temporary directories of tests and benchmarks. 0, or -1 with errno set when something
 * could not be removed. */
int rd_remove_tree(const char *dir);

/* Wall clock in ms since the Unix epoch, and a monotonic clock in ms / ns. */
int64_t rd_now_ms(void);
int64_t rd_mono_ms(void);
int64_t rd_mono_ns(void);

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Where logs go: a borrowed FILE (NULL turns logging off). Level filters below `level`. */
void log_set(FILE *f, enum log_level level);
void log_msg(enum log_level l, const char *func, const char *fmt, ...) RD_PRINTF(3, 4);
#define log_error(...) log_msg(LOG_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __func__, __VA_ARGS__)

/* Print to stderr and exit(1). */
RD_NORETURN void fatal(const char *fmt, ...) RD_PRINTF(1, 2);

#endif
