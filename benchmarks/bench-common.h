/* bench-common.h — timing and reporting shared by the C benchmarks.
 *
 * Every benchmark measures a figure and its baseline side by side in one
 * run, interleaved over repeats, and reports the min and the median of each
 * figure; a target is judged on the median of the per-repeat ratios.
 */

#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static inline int
bench_cmp_double (const void *a,
                  const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Sorts @values in place. */
static inline double
bench_median (double *values,
              int     n)
{
  qsort (values, n, sizeof (double), bench_cmp_double);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* Prints "what  min X  median Y unit" and, with a target, whether the
 * median holds it. @higher_is_better flips the comparison (rates). Returns
 * TRUE when the target holds (or there is none). */
static inline gboolean
bench_report (const char *what,
              double     *values,
              int         n,
              const char *unit,
              double      target,
              gboolean    higher_is_better)
{
  double med = bench_median (values, n);
  double best = higher_is_better ? values[n - 1] : values[0];
  gboolean met = TRUE;

  printf ("%-46s %s %9.3f  median %9.3f %-4s", what,
          higher_is_better ? "max" : "min", best, med, unit);
  if (target > 0)
    {
      met = higher_is_better ? med >= target : med <= target;
      printf ("  target %s %.2f: %s", higher_is_better ? ">=" : "<=", target,
              met ? "MET" : "NOT MET");
    }
  printf ("\n");
  fflush (stdout);

  return met;
}

/* The process's peak resident set size so far, in bytes. */
static inline gint64
bench_peak_rss (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (gint64) ru.ru_maxrss * 1024;
}

/* Runs @func in a forked child and returns the value it computed (the
 * child's peak RSS, a time, ...), or -1 when the child failed. A fresh
 * process each time: the peak RSS of one measurement is not the high water
 * mark of everything before it. */
static inline double
bench_in_child (double (*func) (gpointer data),
                gpointer data)
{
  int fds[2];
  pid_t pid;
  double value = -1;
  int status = 0;

  if (pipe (fds) != 0)
    return -1;

  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      double v;

      close (fds[0]);
      v = func (data);
      if (write (fds[1], &v, sizeof v) != sizeof v)
        _exit (1);
      _exit (0);
    }

  close (fds[1]);
  if (read (fds[0], &value, sizeof value) != sizeof value)
    value = -1;
  close (fds[0]);
  waitpid (pid, &status, 0);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    value = -1;

  return value;
}

/* The options of the benchmarks that write files (bench-memory,
 * bench-write): --quick, --calls=N, --repeats=N, --dir=DIR. */
typedef struct
{
  guint64   calls;
  int       repeats;
  char     *dir;      /* where the files go */
  gboolean  own_dir;  /* made here (none was given): removed at the end */
} BenchOptions;

/* Fills @opts from the command line, starting from @calls and @repeats
 * (@quick_calls and @quick_repeats with --quick); without --dir, makes a
 * temporary directory from @dir_template. Exits on a usage error. */
static inline void
bench_parse_options (BenchOptions *opts,
                     int           argc,
                     char         *argv[],
                     guint64       calls,
                     int           repeats,
                     guint64       quick_calls,
                     int           quick_repeats,
                     const char   *dir_template)
{
  opts->calls = calls;
  opts->repeats = repeats;
  opts->dir = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--quick"))
        {
          opts->calls = quick_calls;
          opts->repeats = quick_repeats;
        }
      else if (g_str_has_prefix (argv[i], "--calls="))
        opts->calls = g_ascii_strtoull (argv[i] + strlen ("--calls="), NULL, 10);
      else if (g_str_has_prefix (argv[i], "--repeats="))
        opts->repeats = MAX (1, atoi (argv[i] + strlen ("--repeats=")));
      else if (g_str_has_prefix (argv[i], "--dir="))
        {
          g_free (opts->dir);
          opts->dir = g_strdup (argv[i] + strlen ("--dir="));
        }
      else
        {
          g_printerr ("usage: %s [--quick] [--calls=N] [--repeats=N] [--dir=DIR]\n", argv[0]);
          exit (2);
        }
    }

  opts->own_dir = opts->dir == NULL;
  if (opts->own_dir)
    opts->dir = g_dir_make_tmp (dir_template, NULL);
  if (opts->dir == NULL || g_mkdir_with_parents (opts->dir, 0755) != 0)
    {
      g_printerr ("%s: cannot use the directory %s\n", argv[0], opts->dir ? opts->dir : dir_template);
      exit (1);
    }
}

/* Removes the directory if it was made by bench_parse_options(): it is
 * empty by now. */
static inline void
bench_options_clear (BenchOptions *opts)
{
  if (opts->own_dir)
    g_rmdir (opts->dir);
  g_clear_pointer (&opts->dir, g_free);
}

/* A field of /proc/self/status in bytes ("VmRSS:", "RssAnon:", ...), or 0. */
static inline gint64
bench_status_field (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      !(line = strstr (status, field)))
    return 0;
  return g_ascii_strtoll (line + strlen (field), NULL, 10) * 1024;
}
