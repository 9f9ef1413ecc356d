/* sp-fuzz-util.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sp-fuzz-util.h"

static char *tmpdir;
static guint n_criticals;
static gboolean fatal_criticals;

static void
remove_tmpdir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (tmpdir == NULL)
    return;

  dir = g_dir_open (tmpdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      if (fatal_criticals)
        {
          /* A fuzzed file or name reached a programmer-error check: ours. */
          g_printerr ("FATAL %s: %s\n", domain ? domain : "", message);
          abort ();
        }
      n_criticals++;
      if (g_getenv ("SP_FUZZ_VERBOSE") != NULL)
        g_printerr ("counted %s: %s\n", domain ? domain : "", message);
    }
}

void
sp_fuzz_init (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;

  /* Fuzzed files are never shared; locks only cost time. */
  g_setenv ("HDF5_USE_FILE_LOCKING", "FALSE", TRUE);
  H5open ();
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);

  /* G_DEBUG=fatal-criticals from the environment must not bypass the
   * handler: criticals are what the region-name target counts. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_default_handler (log_handler, NULL);

  tmpdir = g_dir_make_tmp ("sp-fuzz-XXXXXX", NULL);
  if (tmpdir == NULL)
    g_error ("cannot create a scratch directory");
  atexit (remove_tmpdir);
}

const char *
sp_fuzz_tmpdir (void)
{
  return tmpdir;
}

void
sp_fuzz_write_file (const char    *path,
                    const uint8_t *data,
                    size_t         size)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t done = 0;

  if (fd < 0)
    g_error ("cannot create %s: %s", path, g_strerror (errno));

  while (done < size)
    {
      ssize_t r = write (fd, data + done, size - done);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        g_error ("cannot write %s: %s", path, g_strerror (errno));
      done += r;
    }

  close (fd);
}

void
sp_fuzz_set_fatal_criticals (gboolean fatal)
{
  fatal_criticals = fatal;
}

guint
sp_fuzz_get_n_criticals (void)
{
  return n_criticals;
}

void
sp_fuzz_reset_criticals (void)
{
  n_criticals = 0;
}

static void
walk_stats (SpRegionStats *stats)
{
  if (stats == NULL)
    return;

  (void) sp_region_stats_get_count (stats);
  (void) sp_region_stats_get_total (stats);
  (void) sp_region_stats_get_self_time (stats);
  (void) sp_region_stats_get_mean (stats);
  (void) sp_region_stats_get_min (stats);
  (void) sp_region_stats_get_max (stats);
  (void) sp_region_stats_get_stddev (stats);
  (void) sp_region_stats_get_median (stats);
  (void) sp_region_stats_get_p90 (stats);
  (void) sp_region_stats_get_p99 (stats);
  sp_region_stats_unref (stats);
}

/* Reads every element of a column, so ASan sees a too-short array. */
static gint64
sum_i64 (const gint64 *values,
         gsize         n)
{
  guint64 sum = 0;

  for (gsize i = 0; i < n; i++)
    sum += (guint64) values[i];

  return (gint64) sum;
}

static void
walk_bytes (GBytes *bytes)
{
  gsize size = 0;
  const guint8 *data;
  guint sum = 0;

  if (bytes == NULL)
    return;

  data = g_bytes_get_data (bytes, &size);
  for (gsize i = 0; i < size; i++)
    sum += data[i];
  (void) sum;
  g_bytes_unref (bytes);
}

void
sp_fuzz_walk_session (SpSession *session)
{
  g_auto(GStrv) keys = NULL;
  const guint *ranks;
  guint n_ranks = 0;
  guint n_regions;
  guint n_lanes;

  (void) sp_session_get_schema (session);
  (void) sp_session_get_start_time (session);
  (void) sp_session_get_end_time (session);
  (void) sp_session_get_n_overlaps (session);

  keys = sp_session_list_metadata_keys (session);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = sp_session_get_metadata (session, keys[i]);
      gint64 integer;
      double real;

      g_assert (value != NULL);
      g_assert (g_utf8_validate (keys[i], -1, NULL));
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        g_assert (g_utf8_validate (g_variant_get_string (value, NULL), -1, NULL));
      (void) sp_session_get_metadata_string (session, keys[i]);
      (void) sp_session_get_metadata_int (session, keys[i], &integer);
      (void) sp_session_get_metadata_double (session, keys[i], &real);
    }

  ranks = sp_session_get_ranks (session, &n_ranks);
  n_regions = sp_session_get_n_regions (session);

  for (guint r = 0; r < n_regions; r++)
    {
      const char *name = sp_session_get_region_name (session, r);
      const char * const *tags = sp_session_get_region_tags (session, r);
      const char *text;
      guint found = G_MAXUINT;

      g_assert (name != NULL);
      g_assert (g_utf8_validate (name, -1, NULL));
      g_assert (sp_session_lookup_region (session, name, &found));
      g_assert_cmpuint (found, ==, r);

      for (guint t = 0; tags != NULL && tags[t] != NULL; t++)
        g_assert (g_utf8_validate (tags[t], -1, NULL));
      text = sp_session_get_region_source_file (session, r);
      g_assert (text == NULL || g_utf8_validate (text, -1, NULL));
      text = sp_session_get_region_source_text (session, r);
      g_assert (text == NULL || g_utf8_validate (text, -1, NULL));
      (void) sp_session_get_region_source_line (session, r);

      walk_stats (sp_session_get_region_stats (session, r));

      for (guint k = 0; k < n_ranks; k++)
        {
          const gint64 *threads;
          guint n_threads = 0;

          walk_stats (sp_session_get_region_stats_for_rank (session, r, ranks[k]));

          threads = sp_session_get_threads (session, ranks[k], &n_threads);
          for (guint t = 0; t < n_threads; t++)
            {
              const gint64 *starts = NULL, *ends = NULL;
              gsize n = 0;

              if (sp_session_peek_intervals (session, r, ranks[k], threads[t], &starts, &ends, &n))
                {
                  (void) sum_i64 (starts, n);
                  (void) sum_i64 (ends, n);
                }
              walk_bytes (sp_session_get_start_times (session, r, ranks[k], threads[t]));
              walk_bytes (sp_session_get_end_times (session, r, ranks[k], threads[t]));

              if (r == 0)
                {
                  const char *tname = sp_session_get_thread_name (session, ranks[k], threads[t]);

                  g_assert (tname == NULL || g_utf8_validate (tname, -1, NULL));
                  (void) sp_session_get_thread_native_id (session, ranks[k], threads[t]);
                }
            }
        }
    }

  n_lanes = sp_session_get_n_lanes (session);
  for (guint l = 0; l < n_lanes; l++)
    {
      const guint32 *regions = NULL, *depths = NULL;
      const gint64 *starts = NULL, *ends = NULL, *parents = NULL;
      guint rank = sp_session_get_lane_rank (session, l);
      gint64 thread = sp_session_get_lane_thread (session, l);
      guint lane = G_MAXUINT;
      gsize n;

      g_assert (sp_session_lookup_lane (session, rank, thread, &lane));
      g_assert_cmpuint (lane, ==, l);

      n = sp_session_peek_lane (session, l, &regions, &starts, &ends, &depths, &parents);
      for (gsize i = 0; i < n; i++)
        {
          g_assert_cmpuint (regions[i], <, n_regions);
          g_assert (parents[i] >= -1 && parents[i] < (gint64) n);
          (void) depths[i];
        }
      (void) sum_i64 (starts, n);
      (void) sum_i64 (ends, n);

      walk_bytes (sp_session_get_lane_regions (session, l));
      walk_bytes (sp_session_get_lane_start_times (session, l));
      walk_bytes (sp_session_get_lane_end_times (session, l));
      walk_bytes (sp_session_get_lane_depths (session, l));
      walk_bytes (sp_session_get_lane_parents (session, l));
      (void) sp_session_get_lane_n_overlaps (session, l);
    }

  /* Filtering builds a second session from the first. */
  if (n_regions > 0)
    {
      const char *include[] = { sp_session_get_region_name (session, 0), NULL };
      guint64 begin = (guint64) sp_session_get_start_time (session);
      guint64 end = (guint64) sp_session_get_end_time (session);
      guint64 quarter = (end - begin) / 4;
      g_autoptr(SpSession) filtered = NULL;
      g_autoptr(SpSession) windowed = NULL;

      filtered = sp_session_filter (session, include, NULL, ranks, n_ranks > 1 ? 1 : n_ranks, G_MININT64, G_MAXINT64);
      if (filtered != NULL)
        (void) sp_session_get_n_lanes (filtered);

      windowed = sp_session_filter (session, NULL, include, NULL, 0, (gint64) (begin + quarter), (gint64) (end - quarter));
      if (windowed != NULL)
        (void) sp_session_get_n_overlaps (windowed);
    }
}

/* Structure-keeping mutation */

typedef struct
{
  guint64 offset;
  guint64 size;
  guint   element;
} Range;

typedef struct
{
  GArray  *ranges;
  guint64  file_size;
} Collect;

static void
add_range (Collect *c,
           haddr_t  offset,
           hsize_t  size,
           size_t   element)
{
  Range range = { offset, size, (guint) MAX (element, 1) };

  if (offset == HADDR_UNDEF || size == 0 || offset > c->file_size || size > c->file_size - offset)
    return;
  g_array_append_val (c->ranges, range);
}

static herr_t
collect_dataset (hid_t             group,
                 const char       *name,
                 const H5L_info_t *info,
                 void             *user_data)
{
  Collect *c = user_data;
  hid_t dset, type, dcpl;
  H5T_class_t klass;

  if (info->type != H5L_TYPE_HARD)
    return 0;

  dset = H5Dopen2 (group, name, H5P_DEFAULT);
  if (dset < 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return 0;  /* a group */
    }

  type = H5Dget_type (dset);
  klass = H5Tget_class (type);
  dcpl = H5Dget_create_plist (dset);

  /* Values only: variable-length data are global heap references, and
   * filtered chunks are compressed structure of their own. */
  if (klass != H5T_VLEN && klass != H5T_REFERENCE && H5Tis_variable_str (type) <= 0 &&
      dcpl >= 0 && H5Pget_nfilters (dcpl) == 0)
    {
      size_t element = H5Tget_size (type);
      hsize_t n_chunks = 0;

      if (H5Dget_offset (dset) != HADDR_UNDEF)
        add_range (c, H5Dget_offset (dset), H5Dget_storage_size (dset), element);
      else if (H5Pget_layout (dcpl) == H5D_CHUNKED)
        {
          hid_t space = H5Dget_space (dset);

          if (H5Dget_num_chunks (dset, space, &n_chunks) >= 0)
            for (hsize_t i = 0; i < n_chunks && i < 64; i++)
              {
                haddr_t addr = HADDR_UNDEF;
                hsize_t size = 0;
                unsigned mask = 0;

                if (H5Dget_chunk_info (dset, space, i, NULL, &mask, &addr, &size) >= 0)
                  add_range (c, addr, size, element);
              }
          H5Sclose (space);
        }
    }

  if (dcpl >= 0)
    H5Pclose (dcpl);
  H5Tclose (type);
  H5Dclose (dset);
  H5Eclear2 (H5E_DEFAULT);

  return 0;
}

static const gint64 interesting[] = {
  0, 1, -1, 2, 7, 8, 64, 1024, 4096, 65535, 65536,
  G_MAXINT32, (gint64) G_MAXINT32 + 1, G_MININT32, G_MAXUINT32,
  G_MAXINT64, G_MININT64, G_MAXINT64 - 1, G_MININT64 + 1,
  (gint64) 1 << 36, (gint64) 1 << 53, -((gint64) 1 << 53),
};

size_t
sp_fuzz_mutate_values (uint8_t      *data,
                       size_t        size,
                       size_t        max_size,
                       unsigned int  seed)
{
  static char *path;
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  Collect c = { ranges, size };
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  hid_t fapl, file;
  const Range *range;
  guint64 n_elements, at, pos;
  guint n_mutations;

  if (path == NULL)
    path = g_build_filename (tmpdir, "mutate.h5", NULL);

  sp_fuzz_write_file (path, data, size);

  fapl = H5Pcreate (H5P_FILE_ACCESS);
  H5Pset_fclose_degree (fapl, H5F_CLOSE_STRONG);
  file = H5Fopen (path, H5F_ACC_RDONLY, fapl);
  H5Pclose (fapl);
  if (file < 0)
    {
      /* Not a file HDF5 accepts: leave it alone rather than corrupt it
       * further (the corpus of this target holds valid files only). */
      H5Eclear2 (H5E_DEFAULT);
      return size;
    }

  H5Lvisit (file, H5_INDEX_NAME, H5_ITER_NATIVE, collect_dataset, &c);
  H5Fclose (file);
  H5Eclear2 (H5E_DEFAULT);

  if (ranges->len == 0)
    return size;

  n_mutations = 1 + g_rand_int_range (rand, 0, 4);
  for (guint m = 0; m < n_mutations; m++)
    {
      range = &g_array_index (ranges, Range, g_rand_int_range (rand, 0, ranges->len));
      n_elements = range->size / range->element;

      if (n_elements == 0)
        continue;

      at = (guint64) g_rand_double_range (rand, 0, (double) n_elements);
      at = MIN (at, n_elements - 1);
      pos = range->offset + at * range->element;

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          /* A boundary value, as wide as the element allows. */
          {
            gint64 value = interesting[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting))];
            memcpy (data + pos, &value, MIN (range->element, sizeof value));
          }
          break;

        case 1:
          /* A small step from what is there: ordering, off-by-one. */
          if (range->element == sizeof (gint64))
            {
              gint64 value;

              memcpy (&value, data + pos, sizeof value);
              value = (gint64) ((guint64) value + (guint64) g_rand_int_range (rand, -3, 4));
              memcpy (data + pos, &value, sizeof value);
            }
          else
            data[pos] ^= 1u << g_rand_int_range (rand, 0, 8);
          break;

        case 2:
          /* Another element's value: duplicates, swapped order. */
          {
            guint64 other = (guint64) g_rand_double_range (rand, 0, (double) n_elements);

            other = MIN (other, n_elements - 1);
            memmove (data + pos, data + range->offset + other * range->element, range->element);
          }
          break;

        default:
          /* libFuzzer's own byte mutations, inside the element. */
          LLVMFuzzerMutate (data + pos, range->element, range->element);
          break;
        }
    }

  return size;
}
