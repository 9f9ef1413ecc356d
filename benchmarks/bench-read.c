/* bench-read.c — loading a session with SpSession, side by side with
 * reading the same datasets with bare HDF5 calls.
 *
 * Targets (reading and viewing):
 *   SpSession load rate           >= 0.5 x bare HDF5 reads of the same datasets
 *   statistics + nesting          <= 3 x the load time
 *
 * "Load" is the file reader: every dataset read, checked and grouped into
 * per (region, rank, thread) series. "Statistics + nesting" is the rest of
 * sp_session_load(): series sorted, lanes nested, statistics computed.
 * Both files of the issue are measured: the native layout this library
 * writes (schema 1, groups per region) and the Python package's columnar
 * schema 3 (start deltas and durations), made from the same intervals.
 *
 * The peak RSS of one load in a fresh process is reported too, against the
 * bare reads' (on these VMs touching fresh memory costs ~30 us per page,
 * so memory touched is time spent).
 */

#include <scope-profiler.h>
#include <glib/gstdio.h>
#include <hdf5.h>

#include "bench-common.h"
#include "sp-h5-reader-private.h"
#include "sp-session-private.h"

static gsize n_total = 10000000;
static int repeats = 5;

#define N_REGIONS 10
#define N_THREADS 2

typedef struct { SpProfileManager *manager; SpRegion *regions[N_REGIONS]; gsize iterations; } GenArg;

static gpointer
gen_thread (gpointer data)
{
  GenArg *arg = data;

  /* r0 holds nine nested calls, one per other region: depth 2. */
  for (gsize i = 0; i < arg->iterations; i++)
    {
      sp_region_enter (arg->regions[0]);
      for (guint k = 1; k < N_REGIONS; k++)
        {
          sp_region_enter (arg->regions[k]);
          sp_region_exit (arg->regions[k]);
        }
      sp_region_exit (arg->regions[0]);
    }

  return NULL;
}

static void
generate_native (const char *path)
{
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  g_autoptr(SpConfig) config = sp_config_new ();
  g_autoptr(GError) error = NULL;
  GenArg arg;
  GThread *threads[N_THREADS];

  sp_config_set_file_path (config, path);
  sp_config_set_verbose (config, FALSE);
  sp_profile_manager_setup (manager, config);

  arg.manager = manager;
  arg.iterations = n_total / N_REGIONS / N_THREADS;
  for (guint k = 0; k < N_REGIONS; k++)
    {
      char name[16];

      g_snprintf (name, sizeof name, "region-%u", k);
      arg.regions[k] = sp_profile_manager_profile_region (manager, name);
    }

  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("gen", gen_thread, &arg);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);

  if (!sp_profile_manager_finalize (manager, &error))
    g_error ("%s", error->message);
}

/* Bare HDF5: every column of every region read whole into memory. */

typedef struct { GPtrArray *buffers; gsize n_values; } BareRead;

static void
bare_read_dataset (hid_t loc, const char *name, BareRead *out)
{
  hid_t dset = H5Dopen2 (loc, name, H5P_DEFAULT);
  hid_t space = H5Dget_space (dset);
  hsize_t n = H5Sget_simple_extent_npoints (space);
  gint64 *buf = g_malloc (MAX (n, 1) * sizeof (gint64));

  if (H5Dread (dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
    g_error ("H5Dread %s", name);
  g_ptr_array_add (out->buffers, buf);
  out->n_values += n;
  H5Sclose (space);
  H5Dclose (dset);
}

static herr_t
bare_region_cb (hid_t group, const char *name, const H5L_info_t *info, void *data)
{
  hid_t region = H5Gopen2 (group, name, H5P_DEFAULT);

  bare_read_dataset (region, "start_times", data);
  bare_read_dataset (region, "end_times", data);
  bare_read_dataset (region, "thread_ids", data);
  H5Gclose (region);

  return 0;
}

static double
bare_read (const char *path, int schema)
{
  BareRead out = { g_ptr_array_new_with_free_func (g_free), 0 };
  gint64 t0 = bench_now_ns ();
  hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  double elapsed;

  if (schema == 1)
    {
      hid_t regions = H5Gopen2 (file, "/rank0/regions", H5P_DEFAULT);

      H5Literate (regions, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, bare_region_cb, &out);
      H5Gclose (regions);
    }
  else
    {
      hid_t events = H5Gopen2 (file, "/events", H5P_DEFAULT);

      bare_read_dataset (events, "start_deltas", &out);
      bare_read_dataset (events, "durations", &out);
      bare_read_dataset (events, "thread_ids", &out);
      H5Gclose (events);
    }
  H5Fclose (file);
  elapsed = (bench_now_ns () - t0) / 1e9;

  if (out.n_values != 3 * n_total)
    g_error ("bare read found %" G_GSIZE_FORMAT " values, expected %" G_GSIZE_FORMAT,
             out.n_values, 3 * n_total);
  g_ptr_array_unref (out.buffers);

  return elapsed;
}

/* The Python package's columnar schema 3, from the native file's
 * intervals: one row per region, start deltas restarting on each row. */

static void
write_column (hid_t group, const char *name, hid_t type, const void *data, gsize n)
{
  hsize_t dims[1] = { n };
  hsize_t chunk[1] = { MIN (MAX (n, 1), 1 << 16) };
  hid_t space = H5Screate_simple (1, dims, NULL);
  hid_t dcpl = H5Pcreate (H5P_DATASET_CREATE);
  hid_t dset;

  if (n > 0)
    H5Pset_chunk (dcpl, 1, chunk);
  dset = H5Dcreate2 (group, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (n > 0)
    H5Dwrite (dset, type == H5T_STD_U64LE ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64,
              H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose (dset);
  H5Pclose (dcpl);
  H5Sclose (space);
}

static void
generate_schema3 (const char *native, const char *path)
{
  g_autoptr(SpSession) session = sp_session_new_from_file (native, NULL, NULL);
  g_autofree gint64 *deltas = g_new (gint64, n_total);
  g_autofree gint64 *durations = g_new (gint64, n_total);
  g_autofree gint64 *tids = g_new (gint64, n_total);
  guint64 region_ids[N_REGIONS], ranks[N_REGIONS], offsets[N_REGIONS], counts[N_REGIONS];
  const char *names[N_REGIONS];
  guint n_regions = sp_session_get_n_regions (session);
  gsize at = 0;
  hid_t file, group, str_type, space, dset;
  hsize_t dims[1];
  gint64 one = 3;

  g_assert (n_regions == N_REGIONS);
  for (guint r = 0; r < n_regions; r++)
    {
      gint64 prev = 0;
      gsize row_start = at;

      names[r] = sp_session_get_region_name (session, r);
      for (gint64 t = 0; t < N_THREADS; t++)
        {
          const gint64 *s, *e;
          gsize n;

          if (!sp_session_peek_intervals (session, r, 0, t, &s, &e, &n))
            continue;
          for (gsize i = 0; i < n; i++, at++)
            {
              deltas[at] = at == row_start ? s[i] : s[i] - prev;
              prev = s[i];
              durations[at] = e[i] - s[i];
              tids[at] = t;
            }
        }
      region_ids[r] = r;
      ranks[r] = 0;
      offsets[r] = row_start;
      counts[r] = at - row_start;
    }
  g_assert (at == n_total);

  file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  space = H5Screate (H5S_SCALAR);
  dset = H5Acreate2 (file, "scope_profiler_schema", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite (dset, H5T_NATIVE_INT64, &one);
  H5Aclose (dset);
  H5Sclose (space);

  group = H5Gcreate2 (file, "region_table", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  str_type = H5Tcopy (H5T_C_S1);
  H5Tset_size (str_type, H5T_VARIABLE);
  H5Tset_cset (str_type, H5T_CSET_UTF8);
  dims[0] = n_regions;
  space = H5Screate_simple (1, dims, NULL);
  dset = H5Dcreate2 (group, "names", str_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite (dset, str_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, names);
  H5Dclose (dset);
  H5Sclose (space);
  H5Tclose (str_type);
  H5Gclose (group);

  group = H5Gcreate2 (file, "rank_region_index", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  write_column (group, "region_ids", H5T_STD_U64LE, region_ids, n_regions);
  write_column (group, "ranks", H5T_STD_U64LE, ranks, n_regions);
  write_column (group, "event_offsets", H5T_STD_U64LE, offsets, n_regions);
  write_column (group, "event_counts", H5T_STD_U64LE, counts, n_regions);
  H5Gclose (group);

  group = H5Gcreate2 (file, "events", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  write_column (group, "start_deltas", H5T_STD_I64LE, deltas, n_total);
  write_column (group, "durations", H5T_STD_I64LE, durations, n_total);
  write_column (group, "thread_ids", H5T_STD_I64LE, tids, n_total);
  H5Gclose (group);
  H5Fclose (file);
}

typedef struct { const char *path; double read_s; double model_s; } Load;

static void
session_load (Load *load)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new ();
  gint64 t0 = bench_now_ns (), t1;
  SpSessionRaw *raw = sp_h5_read_session (load->path, NULL, NULL, NULL, &error);

  if (raw == NULL)
    g_error ("%s", error->message);
  t1 = bench_now_ns ();
  sp_session_load_raw (session, load->path, raw);
  load->read_s = (t1 - t0) / 1e9;
  load->model_s = (bench_now_ns () - t1) / 1e9;

  if (sp_region_stats_get_count (sp_session_get_region_stats (session, 0)) == 0)
    g_error ("empty session");
}

static double
child_session_rss (gpointer data)
{
  Load load = { data, 0, 0 };

  session_load (&load);
  return (double) bench_peak_rss ();
}

static const char *child_bare_path;
static int child_bare_schema;

static double
child_bare_rss (gpointer data)
{
  bare_read (child_bare_path, child_bare_schema);
  return (double) bench_peak_rss ();
}

static gboolean
bench_file (const char *label, const char *path, int schema)
{
  g_autofree double *bare = g_new (double, repeats);
  g_autofree double *read = g_new (double, repeats);
  g_autofree double *model = g_new (double, repeats);
  g_autofree double *rate = g_new (double, repeats);
  g_autofree double *model_ratio = g_new (double, repeats);
  g_autofree double *total_ratio = g_new (double, repeats);
  g_autofree char *title = NULL;
  double rss_session, rss_bare;
  gboolean ok = TRUE;

  for (int r = 0; r < repeats; r++)
    {
      Load load = { path, 0, 0 };

      bare[r] = bare_read (path, schema);
      session_load (&load);
      read[r] = load.read_s;
      model[r] = load.model_s;
      rate[r] = bare[r] / read[r];              /* load rate / bare rate */
      model_ratio[r] = model[r] / read[r];
      total_ratio[r] = (read[r] + model[r]) / bare[r];
    }

  child_bare_path = path;
  child_bare_schema = schema;
  rss_bare = bench_in_child (child_bare_rss, NULL);
  rss_session = bench_in_child (child_session_rss, (gpointer) path);

  title = g_strdup_printf ("%s, %" G_GSIZE_FORMAT " intervals", label, n_total);
  printf ("\n%s\n", title);
  bench_report ("bare HDF5 reads (s)", bare, repeats, "s", 0, FALSE);
  bench_report ("SpSession load: read + checks + grouping (s)", read, repeats, "s", 0, FALSE);
  bench_report ("SpSession statistics + nesting (s)", model, repeats, "s", 0, FALSE);
  ok &= bench_report ("load rate / bare HDF5 rate", rate, repeats, "x", 0.5, TRUE);
  ok &= bench_report ("statistics + nesting / load", model_ratio, repeats, "x", 3.0, FALSE);
  bench_report ("whole sp_session_load / bare HDF5 (info)", total_ratio, repeats, "x", 0, FALSE);
  printf ("%-46s bare %7.1f MiB  SpSession %7.1f MiB (%.1f bytes/interval)\n",
          "peak RSS of one load in a fresh process", rss_bare / 1048576.0,
          rss_session / 1048576.0, rss_session / n_total);

  return ok;
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *native = NULL;
  g_autofree char *columnar = NULL;
  gboolean ok = TRUE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--quick"))
        {
          n_total = 200000;
          repeats = 2;
        }
      else if (g_str_has_prefix (argv[i], "--intervals="))
        n_total = g_ascii_strtoull (argv[i] + strlen ("--intervals="), NULL, 10) / (N_REGIONS * N_THREADS) * (N_REGIONS * N_THREADS);
      else if (g_str_has_prefix (argv[i], "--repeats="))
        repeats = MAX (1, atoi (argv[i] + strlen ("--repeats=")));
      else if (g_str_has_prefix (argv[i], "--dir="))
        dir = g_strdup (argv[i] + strlen ("--dir="));
      else
        {
          g_printerr ("usage: %s [--quick] [--intervals=N] [--repeats=N] [--dir=DIR]\n", argv[0]);
          return 2;
        }
    }

  if (dir == NULL)
    dir = g_dir_make_tmp ("sp-bench-read-XXXXXX", NULL);
  native = g_build_filename (dir, "native.h5", NULL);
  columnar = g_build_filename (dir, "schema3.h5", NULL);

  printf ("scope-profiler session loading, %" G_GSIZE_FORMAT " intervals (%d regions, %d threads, depth 2), %d repeats\n",
          n_total, N_REGIONS, N_THREADS, repeats);
  generate_native (native);
  generate_schema3 (native, columnar);

  ok &= bench_file ("native file (schema 1, this library's writer)", native, 1);
  ok &= bench_file ("Python package's columnar schema 3", columnar, 3);

  g_unlink (native);
  g_unlink (columnar);
  g_rmdir (dir);

  printf ("\nbench-read: %s\n", ok ? "all targets MET" : "some targets NOT MET");
  return 0;
}
