/* bench-memory.c — peak resident memory of a long run in the default mode.
 *
 * Target (bounded memory): 100 million calls on 10 regions, default
 * mode (buffers flushed to the spill file as they fill), finalize
 * included, keep the process's peak RSS within
 *     buffer-limit x 16 bytes x regions x threads + 20 MiB.
 *
 * Each repeat runs in a fresh child process, so its high water mark
 * (getrusage ru_maxrss, the kernel's VmHWM) is its own. The child reports
 * its RSS before recording (libraries loaded, session set up), its peak
 * while recording and its peak after finalize.
 */

#include <scope-profiler.h>
#include <fcntl.h>
#include <glib/gstdio.h>

#include "bench-common.h"

#define N_REGIONS 10

static guint64 n_calls;
static guint buffer_limit;
static const char *dir;

typedef struct { double base, recording, finalized, seconds, max_anon, max_file; } Peaks;

static gint64
current_rss (void)
{
  return bench_status_field ("VmRSS:");
}

/* Samples the anonymous and the file-backed parts of the RSS during
 * finalize, to tell where a peak comes from (heap or mapped spill file). */
static volatile gboolean sampling;

static gpointer
sampler (gpointer data)
{
  Peaks *out = data;

  while (sampling)
    {
      out->max_anon = MAX (out->max_anon, (double) bench_status_field ("RssAnon:"));
      out->max_file = MAX (out->max_file, (double) bench_status_field ("RssFile:"));
      g_usleep (2000);
    }
  return NULL;
}

static double
child (gpointer data)
{
  Peaks *out = data;
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  g_autoptr(SpConfig) config = sp_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "memory.h5", NULL);
  SpRegion *regions[N_REGIONS];
  guint64 iterations = n_calls / N_REGIONS;
  gint64 t0;
  int fd;

  sp_config_set_file_path (config, path);
  sp_config_set_verbose (config, FALSE);
  sp_profile_manager_setup (manager, config);
  for (guint k = 0; k < N_REGIONS; k++)
    {
      char name[16];

      g_snprintf (name, sizeof name, "region-%u", k);
      regions[k] = sp_profile_manager_profile_region (manager, name);
    }
  out->base = (double) current_rss ();

  t0 = bench_now_ns ();
  for (guint64 i = 0; i < iterations; i++)
    for (guint k = 0; k < N_REGIONS; k++)
      {
        sp_region_enter (regions[k]);
        sp_region_exit (regions[k]);
      }
  out->recording = (double) bench_peak_rss ();

  {
    GThread *thread;

    sampling = TRUE;
    thread = g_thread_new ("sampler", sampler, out);
    if (!sp_profile_manager_finalize (manager, &error))
      g_error ("%s", error->message);
    sampling = FALSE;
    g_thread_join (thread);
  }
  out->finalized = (double) bench_peak_rss ();
  out->seconds = (bench_now_ns () - t0) / 1e9;

  g_unlink (path);

  /* The four figures go back through a file: bench_in_child() carries one. */
  {
    g_autofree char *result = g_build_filename (dir, "peaks", NULL);

    fd = open (result, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write (fd, out, sizeof *out) != sizeof *out)
      return -1;
    close (fd);
  }

  return out->finalized;
}

int
main (int argc, char *argv[])
{
  g_autoptr(SpConfig) defaults = sp_config_new ();
  g_autofree double *base = NULL, *recording = NULL, *finalized = NULL, *ratio = NULL;
  g_autofree double *seconds = NULL, *anon = NULL, *file = NULL;
  g_autofree char *peaks_path = NULL;
  BenchOptions opts;
  int repeats;
  double budget;
  gboolean ok;

  bench_parse_options (&opts, argc, argv, 100000000, 3, 2000000, 1, "sp-bench-memory-XXXXXX");
  n_calls = opts.calls;
  repeats = opts.repeats;
  dir = opts.dir;
  peaks_path = g_build_filename (dir, "peaks", NULL);

  buffer_limit = sp_config_get_buffer_limit (defaults);
  budget = (double) buffer_limit * 16 * N_REGIONS * 1 + 20 * 1048576.0;

  base = g_new (double, repeats);
  recording = g_new (double, repeats);
  finalized = g_new (double, repeats);
  ratio = g_new (double, repeats);
  seconds = g_new (double, repeats);
  anon = g_new (double, repeats);
  file = g_new (double, repeats);

  for (int r = 0; r < repeats; r++)
    {
      Peaks peaks = { 0 };
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (bench_in_child (child, &peaks) < 0 ||
          !g_file_get_contents (peaks_path, &contents, &len, NULL) || len != sizeof peaks)
        g_error ("the measuring child failed");
      memcpy (&peaks, contents, sizeof peaks);

      base[r] = peaks.base / 1048576.0;
      recording[r] = peaks.recording / 1048576.0;
      finalized[r] = peaks.finalized / 1048576.0;
      ratio[r] = peaks.finalized / budget;
      seconds[r] = peaks.seconds;
      anon[r] = peaks.max_anon / 1048576.0;
      file[r] = peaks.max_file / 1048576.0;
    }

  g_unlink (peaks_path);

  printf ("scope-profiler peak memory, %" G_GUINT64_FORMAT " calls on %d regions, 1 thread, "
          "buffer-limit %u, %d repeats (fresh process each)\n",
          n_calls, N_REGIONS, buffer_limit, repeats);
  printf ("budget: %u x 16 B x %d regions x 1 thread + 20 MiB = %.1f MiB\n",
          buffer_limit, N_REGIONS, budget / 1048576.0);
  bench_report ("RSS before recording (MiB)", base, repeats, "MiB", 0, FALSE);
  bench_report ("peak RSS while recording (MiB)", recording, repeats, "MiB", 0, FALSE);
  bench_report ("peak RSS including finalize (MiB)", finalized, repeats, "MiB", 0, FALSE);
  bench_report ("  sampled in finalize: max RssAnon (MiB)", anon, repeats, "MiB", 0, FALSE);
  bench_report ("  sampled in finalize: max RssFile (MiB)", file, repeats, "MiB", 0, FALSE);
  bench_report ("recording + finalize time (s)", seconds, repeats, "s", 0, FALSE);
  ok = bench_report ("peak RSS / budget", ratio, repeats, "x", 1.0, FALSE);

  printf ("\nbench-memory: %s\n", ok ? "all targets MET" : "some targets NOT MET");
  bench_options_clear (&opts);
  return 0;
}
