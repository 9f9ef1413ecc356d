/* test-write-in-place.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * At finalize the spill file itself becomes the session file: its header
 * is the HDF5 user block, and its full blocks are the start_times and
 * end_times chunks where they lie (sp_h5_write_session_in_spill() and the
 * file driver of sp-h5-adopt.c). These tests check what a user of the file
 * relies on: every call is there, exactly as recorded and in the order each
 * thread recorded it; nothing is left beside the file; a failed finalize
 * leaves the spill file as it was, so finalizing again writes everything;
 * and a process that died while converting leaves a spill file that
 * sp_profile_manager_recover() still reads.
 *
 * Each call is timed from outside (the clock before sp_region_enter() and
 * after sp_region_exit()), so the file's start and end times of call i must
 * lie in window i: a chunk adopted from the wrong place, or shifted by a
 * call, does not. The flushed calls are also read from the spill file
 * before finalize and compared exactly, and the chunks' addresses in the
 * file are compared with where the blocks were in the spill file.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sp-h5-adopt-private.h"
#include "sp-profile-manager-private.h"
#include "sp-region-private.h"
#include "sp-spill-private.h"
#include "sp-running-stats-private.h"
#include "sp-test-util.h"

#define LIMIT 2000
/* Where the header's sealed end is (sp-spill-private.h). */
#define SEALED_END_OFFSET 40

static gint64
file_size (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static guint64
read_sealed_end (const char *spill)
{
  guint64 sealed = G_MAXUINT64;
  int fd = g_open (spill, O_RDONLY, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pread (fd, &sealed, sizeof sealed, SEALED_END_OFFSET), ==, sizeof sealed);
  close (fd);

  return sealed;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* The names in @dir, sorted, as one string. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (char **) names->pdata);
}

/* ---------------------------------------------------------------------- */
/* Calls timed from outside */

typedef struct
{
  GArray *before;  /* gint64: the clock before enter */
  GArray *after;   /* gint64: the clock after exit */
} Windows;

static void
windows_init (Windows *w)
{
  w->before = g_array_new (FALSE, FALSE, sizeof (gint64));
  w->after = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
windows_clear (Windows *w)
{
  g_clear_pointer (&w->before, g_array_unref);
  g_clear_pointer (&w->after, g_array_unref);
}

static void
timed_call (SpRegion *region,
            Windows  *w)
{
  gint64 before = sp_get_current_time ();
  gint64 after;

  sp_region_enter (region);
  sp_region_exit (region);
  after = sp_get_current_time ();

  g_array_append_val (w->before, before);
  g_array_append_val (w->after, after);
}

/* Call @i (start and end) lies in window @k of @w. */
static void
assert_in_window (const Windows *w,
                  guint          k,
                  gint64         start,
                  gint64         end,
                  const char    *what,
                  guint          i)
{
  gint64 before = g_array_index (w->before, gint64, k);
  gint64 after = g_array_index (w->after, gint64, k);

  if (!(before <= start && start <= end && end <= after))
    g_error ("%s: call %u [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "] is not in its window "
             "[%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]", what, i, start, end, before, after);
}

/* ---------------------------------------------------------------------- */
/* The spill file before finalize */

typedef struct
{
  guint32  region;
  gint64   thread;
  goffset  offset;  /* of the start times; the end times follow */
  guint32  n;
  gint64  *starts;
  gint64  *ends;
} Block;

typedef struct
{
  GPtrArray *names;   /* by region index */
  GPtrArray *blocks;  /* Block, in file order */
  gint64     size;    /* of the file */
} SpillMap;

static void
block_free (Block *b)
{
  g_free (b->starts);
  g_free (b->ends);
  g_free (b);
}

static void
spill_map_free (SpillMap *map)
{
  g_ptr_array_unref (map->names);
  g_ptr_array_unref (map->blocks);
  g_free (map);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpillMap, spill_map_free)

static void
map_region (guint32     index,
            const char *name,
            gsize       name_len,
            gpointer    user_data)
{
  SpillMap *map = user_data;

  if (index >= map->names->len)
    g_ptr_array_set_size (map->names, index + 1);
  g_free (g_ptr_array_index (map->names, index));
  g_ptr_array_index (map->names, index) = g_strndup (name, name_len);
}

static gboolean
map_block (guint32         region,
           gint64          thread,
           SpSpillReader  *reader,
           goffset         offset,
           guint32         n,
           gpointer        user_data,
           GError        **error)
{
  SpillMap *map = user_data;
  Block *b = g_new0 (Block, 1);

  b->region = region;
  b->thread = thread;
  b->offset = offset;
  b->n = n;
  b->starts = g_new (gint64, MAX (n, 1));
  b->ends = g_new (gint64, MAX (n, 1));
  g_ptr_array_add (map->blocks, b);

  return sp_spill_reader_read_calls (reader, offset, n, 0, n, b->starts, b->ends, error);
}

static const SpSpillVisitor map_visitor = {
  .region = map_region,
  .block = map_block,
};

static SpillMap *
spill_map_read (const char *spill)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSpillReader) reader = sp_spill_reader_open (spill, &error);
  SpillMap *map = g_new0 (SpillMap, 1);

  g_assert_no_error (error);
  map->names = g_ptr_array_new_with_free_func (g_free);
  map->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  map->size = file_size (spill);

  g_assert_true (sp_spill_reader_visit (reader, &map_visitor, map, &error));
  g_assert_no_error (error);

  return map;
}

/* The blocks of region @name, in file order (borrowed). */
static GPtrArray *
spill_map_blocks (SpillMap   *map,
                  const char *name)
{
  GPtrArray *blocks = g_ptr_array_new ();

  for (guint i = 0; i < map->blocks->len; i++)
    {
      Block *b = g_ptr_array_index (map->blocks, i);

      if (b->region < map->names->len &&
          g_strcmp0 (g_ptr_array_index (map->names, b->region), name) == 0)
        g_ptr_array_add (blocks, b);
    }

  return blocks;
}

static guint64
spill_map_count (SpillMap   *map,
                 const char *name)
{
  g_autoptr(GPtrArray) blocks = spill_map_blocks (map, name);
  guint64 n = 0;

  for (guint i = 0; i < blocks->len; i++)
    n += ((Block *) g_ptr_array_index (blocks, i))->n;

  return n;
}

/* The two spill files hold the same records. */
static void
assert_same_spill (SpillMap *a,
                   SpillMap *b)
{
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpuint (a->names->len, ==, b->names->len);
  for (guint i = 0; i < a->names->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a->names, i), ==, g_ptr_array_index (b->names, i));
  g_assert_cmpuint (a->blocks->len, ==, b->blocks->len);
  for (guint i = 0; i < a->blocks->len; i++)
    {
      Block *x = g_ptr_array_index (a->blocks, i);
      Block *y = g_ptr_array_index (b->blocks, i);

      g_assert_cmpuint (x->region, ==, y->region);
      g_assert_cmpint (x->thread, ==, y->thread);
      g_assert_cmpint (x->offset, ==, y->offset);
      g_assert_cmpuint (x->n, ==, y->n);
      g_assert_cmpmem (x->starts, x->n * 8, y->starts, y->n * 8);
      g_assert_cmpmem (x->ends, x->n * 8, y->ends, y->n * 8);
    }
}

/* ---------------------------------------------------------------------- */
/* The session file */

typedef struct
{
  GArray *starts;
  GArray *ends;
  GArray *threads;
} Columns;

static void
columns_clear (Columns *c)
{
  g_clear_pointer (&c->starts, g_array_unref);
  g_clear_pointer (&c->ends, g_array_unref);
  g_clear_pointer (&c->threads, g_array_unref);
}

static void
read_columns (const char *path,
              const char *group,
              Columns    *c)
{
  g_autofree char *starts = g_strdup_printf ("/rank0/regions/%s/start_times", group);
  g_autofree char *ends = g_strdup_printf ("/rank0/regions/%s/end_times", group);
  g_autofree char *threads = g_strdup_printf ("/rank0/regions/%s/thread_ids", group);

  c->starts = sp_test_read_i64 (path, starts);
  c->ends = sp_test_read_i64 (path, ends);
  c->threads = sp_test_read_i64 (path, threads);
  g_assert_nonnull (c->starts);
  g_assert_nonnull (c->ends);
  g_assert_nonnull (c->threads);
  g_assert_cmpuint (c->starts->len, ==, c->ends->len);
  g_assert_cmpuint (c->starts->len, ==, c->threads->len);
}

/* The flushed calls of region @name come first in the file, exactly as
 * the spill file held them, block after block. */
static void
assert_flushed_prefix (SpillMap      *map,
                       const char    *name,
                       const Columns *c)
{
  g_autoptr(GPtrArray) blocks = spill_map_blocks (map, name);
  guint at = 0;

  for (guint i = 0; i < blocks->len; i++)
    {
      Block *b = g_ptr_array_index (blocks, i);

      g_assert_cmpuint (at + b->n, <=, c->starts->len);
      g_assert_cmpmem (&g_array_index (c->starts, gint64, at), b->n * 8, b->starts, b->n * 8);
      g_assert_cmpmem (&g_array_index (c->ends, gint64, at), b->n * 8, b->ends, b->n * 8);
      for (guint k = 0; k < b->n; k++)
        g_assert_cmpint (g_array_index (c->threads, gint64, at + k), ==, b->thread);
      at += b->n;
    }
}

/* A region recorded by one thread: its calls, in its windows, with the
 * flushed ones exactly as in the spill file (@map, or NULL). */
static void
check_single_thread_region (const char    *path,
                            const char    *name,
                            const char    *group,
                            const Windows *w,
                            SpillMap      *map)
{
  g_autofree char *object = g_strdup_printf ("/rank0/regions/%s", group);
  g_autofree char *stored_name = NULL;
  Columns c = { 0 };

  read_columns (path, group, &c);
  g_assert_cmpuint (c.starts->len, ==, w->before->len);
  g_assert_cmpint (sp_test_read_attr_int (path, object, "num_calls"), ==, w->before->len);
  stored_name = sp_test_read_attr_string (path, object, "name");
  g_assert_cmpstr (stored_name, ==, name);

  for (guint i = 0; i < c.starts->len; i++)
    {
      assert_in_window (w, i, g_array_index (c.starts, gint64, i), g_array_index (c.ends, gint64, i), name, i);
      g_assert_cmpint (g_array_index (c.threads, gint64, i), ==, g_array_index (c.threads, gint64, 0));
    }

  if (map != NULL)
    assert_flushed_prefix (map, name, &c);

  columns_clear (&c);
}

/* The chunks of region @name's start and end times: each full block of
 * the spill file that begins a chunk is that chunk, where it lay in the
 * spill file (@map); every other chunk lies outside the spill file's
 * records. Returns how many chunks were adopted. */
static guint
check_chunks (const char *path,
              const char *name,
              const char *group,
              SpillMap   *map)
{
  g_autofree char *starts_name = g_strdup_printf ("/rank0/regions/%s/start_times", group);
  g_autofree char *ends_name = g_strdup_printf ("/rank0/regions/%s/end_times", group);
  g_autoptr(GPtrArray) blocks = spill_map_blocks (map, name);
  g_autoptr(GHashTable) adopted = g_hash_table_new (NULL, NULL);
  hid_t file = sp_test_open_file (path);
  hid_t fcpl, dcpl, space, dsets[2];
  hsize_t userblock = 0, chunk = 0, dims[1] = { 0 };
  guint64 fill = 0, index = 0, n_chunks;
  gboolean adoptable;

  fcpl = H5Fget_create_plist (file);
  g_assert_cmpint (H5Pget_userblock (fcpl, &userblock), >=, 0);
  H5Pclose (fcpl);
  g_assert_cmpuint (userblock, ==, SP_SPILL_USERBLOCK);

  dsets[0] = H5Dopen2 (file, starts_name, H5P_DEFAULT);
  dsets[1] = H5Dopen2 (file, ends_name, H5P_DEFAULT);
  g_assert_cmpint (dsets[0], >=, 0);
  g_assert_cmpint (dsets[1], >=, 0);
  dcpl = H5Dget_create_plist (dsets[0]);
  g_assert_cmpint (H5Pget_chunk (dcpl, 1, &chunk), ==, 1);
  H5Pclose (dcpl);
  space = H5Dget_space (dsets[0]);
  H5Sget_simple_extent_dims (space, dims, NULL);
  H5Sclose (space);

  /* A region's chunks are as long as its first block when that is a
   * reasonable chunk length. */
  adoptable = blocks->len > 0 &&
              ((Block *) g_ptr_array_index (blocks, 0))->n >= 1024 &&
              ((Block *) g_ptr_array_index (blocks, 0))->n <= 128 * 1024;
  if (adoptable)
    g_assert_cmpuint (chunk, ==, ((Block *) g_ptr_array_index (blocks, 0))->n);

  for (guint i = 0; i < blocks->len; i++)
    {
      Block *b = g_ptr_array_index (blocks, i);

      if (adoptable && b->n == chunk && fill == 0)
        {
          g_hash_table_insert (adopted, GSIZE_TO_POINTER (index + 1), b);
          index++;
          continue;
        }
      index += (fill + b->n) / chunk;
      fill = (fill + b->n) % chunk;
    }

  n_chunks = (dims[0] + chunk - 1) / chunk;
  for (guint64 k = 0; k < n_chunks; k++)
    {
      Block *b = g_hash_table_lookup (adopted, GSIZE_TO_POINTER (k + 1));

      for (guint c = 0; c < 2; c++)
        {
          hsize_t offset[1] = { k * chunk };
          unsigned filter_mask = 0;
          haddr_t addr = HADDR_UNDEF;
          hsize_t size = 0;
          guint64 at;

          g_assert_cmpint (H5Dget_chunk_info_by_coord (dsets[c], offset, &filter_mask, &addr, &size), >=, 0);
          g_assert_cmpuint (addr, !=, HADDR_UNDEF);
          g_assert_cmpuint (size, ==, chunk * sizeof (gint64));
          /* Chunk addresses are relative to the end of the user block. */
          at = addr + userblock;

          if (b != NULL)
            g_assert_cmpuint (at, ==, (guint64) b->offset + c * (guint64) b->n * sizeof (gint64));
          else if (!(at + size <= SP_SPILL_RECORDS_OFFSET || at >= (guint64) map->size))
            g_error ("%s: chunk %" G_GUINT64_FORMAT " at %" G_GUINT64_FORMAT
                     " lies in the spill file's records [%d, %" G_GINT64_FORMAT ")",
                     name, k, at, SP_SPILL_RECORDS_OFFSET, map->size);
        }
    }

  H5Dclose (dsets[0]);
  H5Dclose (dsets[1]);
  H5Fclose (file);

  return g_hash_table_size (adopted);
}

/* Where the chunk of @dataset holding element @element is in the file
 * (from its start, the user block included). */
static guint64
chunk_address (const char *path,
               const char *dataset,
               hsize_t     element)
{
  hid_t file = sp_test_open_file (path);
  hid_t dset = H5Dopen2 (file, dataset, H5P_DEFAULT);
  hid_t fcpl = H5Fget_create_plist (file);
  hsize_t offset[1] = { element }, size = 0, userblock = 0;
  unsigned filter_mask = 0;
  haddr_t addr = HADDR_UNDEF;

  g_assert_cmpint (dset, >=, 0);
  g_assert_cmpint (H5Pget_userblock (fcpl, &userblock), >=, 0);
  g_assert_cmpint (H5Dget_chunk_info_by_coord (dset, offset, &filter_mask, &addr, &size), >=, 0);
  g_assert_cmpuint (addr, !=, HADDR_UNDEF);
  H5Pclose (fcpl);
  H5Dclose (dset);
  H5Fclose (file);

  return addr + userblock;
}

static hsize_t
userblock_of (const char *path)
{
  hid_t file = sp_test_open_file (path);
  hid_t fcpl = H5Fget_create_plist (file);
  hsize_t userblock = G_MAXUINT64;

  g_assert_cmpint (H5Pget_userblock (fcpl, &userblock), >=, 0);
  H5Pclose (fcpl);
  H5Fclose (file);

  return userblock;
}

/* Our own reader opens the file too, and counts what the columns hold. */
static void
assert_session_loads (const char *path,
                      guint       n_regions)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_file (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (sp_session_get_n_regions (session), ==, n_regions);
}

/* The statistics the session kept of region @group (taken from each block
 * as it was flushed, and from the buffers) are those of the durations in
 * the file. */
static void
assert_stats_match_file (const char    *path,
                         const char    *group,
                         const SpRunningStats *stats)
{
  Columns c = { 0 };
  gint64 total = 0;
  gint64 min = G_MAXINT64, max = G_MININT64;
  long double mean, m2 = 0;

  read_columns (path, group, &c);
  for (guint i = 0; i < c.starts->len; i++)
    {
      gint64 d = g_array_index (c.ends, gint64, i) - g_array_index (c.starts, gint64, i);

      total += d;
      min = MIN (min, d);
      max = MAX (max, d);
    }
  mean = (long double) total / c.starts->len;
  for (guint i = 0; i < c.starts->len; i++)
    {
      long double x = (g_array_index (c.ends, gint64, i) - g_array_index (c.starts, gint64, i)) - mean;

      m2 += x * x;
    }

  g_assert_cmpuint (stats->count, ==, c.starts->len);
  g_assert_cmpint (stats->total, ==, (gint64) total);
  g_assert_cmpint (stats->min, ==, min);
  g_assert_cmpint (stats->max, ==, max);
  g_assert_cmpfloat_with_epsilon (stats->mean, (double) mean, 1e-9 * (double) mean);
  g_assert_cmpfloat_with_epsilon (stats->m2, (double) m2, 1e-6 * (double) m2 + 1e-3);

  columns_clear (&c);
}

static void
collect_stats (SpProfileManager *manager,
               SpRegion         *region,
               SpRunningStats          *stats)
{
  sp_profile_manager_lock (manager);
  sp_region_collect (region, stats);
  sp_profile_manager_unlock (manager);
}

/* ---------------------------------------------------------------------- */
/* a. Contents */

typedef struct
{
  const char *name;
  const char *group;
  guint       n;
  SpRegion   *region;
  Windows     w;
} Recorded;

/* Records the regions' calls interleaved, as a program would. */
static void
record_interleaved (SpProfileManager *manager,
                    Recorded         *regions,
                    guint             n_regions)
{
  guint most = 0;

  for (guint r = 0; r < n_regions; r++)
    {
      regions[r].region = sp_profile_manager_profile_region (manager, regions[r].name);
      windows_init (&regions[r].w);
      most = MAX (most, regions[r].n);
    }

  for (guint i = 0; i < most; i++)
    for (guint r = 0; r < n_regions; r++)
      if (i < regions[r].n)
        timed_call (regions[r].region, &regions[r].w);
}

static void
test_write_in_place_contents (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, LIMIT);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpillMap) map = NULL;
  g_autofree char *spill = NULL;
  g_autofree char *listing = NULL;
  Recorded regions[] = {
    /* Three full blocks and 700 calls still buffered. */
    { "full", "full", 3 * LIMIT + 700 },
    /* Never flushed. */
    { "never", "never", 500 },
    /* Flushed, with a name that is escaped in the file. */
    { "a/b", "a%2Fb", 2 * LIMIT + 1 },
    /* Exactly two blocks: nothing buffered at finalize. */
    { "exact", "exact", 2 * LIMIT },
  };
  SpRunningStats stats[G_N_ELEMENTS (regions)];

  record_interleaved (manager, regions, G_N_ELEMENTS (regions));

  g_assert_cmpuint (sp_region_get_n_buffered (regions[0].region), ==, 700);
  g_assert_cmpuint (sp_region_get_n_buffered (regions[1].region), ==, 500);

  spill = sp_profile_manager_get_spill_path (manager);
  g_assert_nonnull (spill);
  map = spill_map_read (spill);
  g_assert_cmpuint (spill_map_count (map, "full"), ==, 3 * LIMIT);
  g_assert_cmpuint (spill_map_count (map, "never"), ==, 0);
  g_assert_cmpuint (spill_map_count (map, "a/b"), ==, 2 * LIMIT);
  g_assert_cmpuint (spill_map_count (map, "exact"), ==, 2 * LIMIT - sp_region_get_n_buffered (regions[3].region));

  for (guint r = 0; r < G_N_ELEMENTS (regions); r++)
    collect_stats (manager, regions[r].region, &stats[r]);

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);

  /* The spill file became the session: nothing else is left. */
  g_assert_false (g_file_test (spill, G_FILE_TEST_EXISTS));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "run.h5");

  for (guint r = 0; r < G_N_ELEMENTS (regions); r++)
    {
      check_single_thread_region (path, regions[r].name, regions[r].group, &regions[r].w, map);
      assert_stats_match_file (path, regions[r].group, &stats[r]);
    }

  g_assert_cmpuint (userblock_of (path), ==, SP_SPILL_USERBLOCK);
  g_assert_cmpuint (check_chunks (path, "full", "full", map), ==, 3);
  g_assert_cmpuint (check_chunks (path, "never", "never", map), ==, 0);
  g_assert_cmpuint (check_chunks (path, "a/b", "a%2Fb", map), ==, 2);
  g_assert_cmpuint (check_chunks (path, "exact", "exact", map), ==, spill_map_count (map, "exact") / LIMIT);
  /* The last, partial chunk of the region (its buffered calls) and the
   * one chunk of the region that never flushed come after the records. */
  g_assert_cmpuint (chunk_address (path, "/rank0/regions/full/start_times", 3 * LIMIT), >=, map->size);
  g_assert_cmpuint (chunk_address (path, "/rank0/regions/full/end_times", 3 * LIMIT), >=, map->size);
  g_assert_cmpuint (chunk_address (path, "/rank0/regions/never/start_times", 0), >=, map->size);
  g_assert_cmpuint (chunk_address (path, "/rank0/regions/full/start_times", 0), <, map->size);

  assert_session_loads (path, G_N_ELEMENTS (regions));
  g_assert_cmpint (sp_test_read_attr_int (path, "/metadata", "pid"), ==, getpid ());

  for (guint r = 0; r < G_N_ELEMENTS (regions); r++)
    windows_clear (&regions[r].w);
}

/* Blocks around the length of the spill file's staging buffer (128 Ki
 * calls, also the longest chunk): one of exactly that length is adopted;
 * longer ones are written in pieces and are not chunks, so they are
 * copied. Either way the calls are all there. */
static void
check_large_blocks (guint    limit,
                    guint    n,
                    guint    expect_adopted)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "large.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, limit);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpillMap) map = NULL;
  g_autofree char *spill = NULL;
  Recorded region = { "large", "large", n };

  record_interleaved (manager, &region, 1);
  spill = sp_profile_manager_get_spill_path (manager);
  map = spill_map_read (spill);
  g_assert_cmpuint (spill_map_count (map, "large"), ==, (n - 1) / limit * limit);

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (spill, G_FILE_TEST_EXISTS));

  check_single_thread_region (path, "large", "large", &region.w, map);
  g_assert_cmpuint (check_chunks (path, "large", "large", map), ==, expect_adopted);
  windows_clear (&region.w);
}

static void
test_write_in_place_large_blocks (void)
{
  /* Two blocks of the longest chunk, adopted. */
  check_large_blocks (128 * 1024, 2 * 128 * 1024 + 10, 2);
  /* Blocks longer than a chunk (written in two pieces each): copied. */
  check_large_blocks (128 * 1024 + 5000, 2 * (128 * 1024 + 5000) + 10, 0);
}

/* ---------------------------------------------------------------------- */
/* b. Threads */

#define N_WORKERS 3

typedef struct
{
  SpProfileManager *manager;
  SpRegion         *shared;
  guint             index;
  guint             n_calls;
  gint64            native_id;
  Windows           shared_w;
  Windows           private_w;
  /* Workers but the first wait half way until it has exited. */
  pthread_mutex_t  *lock;
  pthread_cond_t   *cond;
  gboolean         *first_gone;
} Worker;

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  g_autofree char *name = g_strdup_printf ("private-%u", w->index);
  SpRegion *mine = sp_profile_manager_profile_region (w->manager, name);

  w->native_id = (gint64) syscall (SYS_gettid);

  for (guint i = 0; i < w->n_calls; i++)
    {
      if (w->index > 0 && i == w->n_calls / 2)
        {
          pthread_mutex_lock (w->lock);
          while (!*w->first_gone)
            pthread_cond_wait (w->cond, w->lock);
          pthread_mutex_unlock (w->lock);
        }

      timed_call (w->shared, &w->shared_w);
      timed_call (mine, &w->private_w);
    }

  return NULL;
}

/* The thread index that the file's thread table gives @native_id. */
static gint64
thread_index_of (const char *path,
                 gint64      native_id)
{
  g_autoptr(GArray) index = sp_test_read_i64 (path, "/rank0/threads/index");
  g_autoptr(GArray) native = sp_test_read_i64 (path, "/rank0/threads/native_id");
  gint64 found = G_MININT64;

  g_assert_cmpuint (index->len, ==, native->len);
  for (guint i = 0; i < native->len; i++)
    if (g_array_index (native, gint64, i) == native_id)
      {
        g_assert_cmpint (found, ==, G_MININT64);
        found = g_array_index (index, gint64, i);
      }
  g_assert_cmpint (found, !=, G_MININT64);

  return found;
}

/* Region @group's calls of thread @tid are @w's, in order, with start
 * times strictly increasing. Returns how many calls the thread has. */
static guint
check_thread_calls (const Columns *c,
                    gint64         tid,
                    const Windows *w,
                    const char    *what)
{
  guint k = 0;
  gint64 last = G_MININT64;

  for (guint i = 0; i < c->starts->len; i++)
    {
      gint64 start = g_array_index (c->starts, gint64, i);

      if (g_array_index (c->threads, gint64, i) != tid)
        continue;

      g_assert_cmpuint (k, <, w->before->len);
      assert_in_window (w, k, start, g_array_index (c->ends, gint64, i), what, k);
      g_assert_cmpint (start, >, last);
      last = start;
      k++;
    }

  g_assert_cmpuint (k, ==, w->before->len);

  return k;
}

static void
check_threads (guint limit)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "threads.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, limit);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpillMap) map = NULL;
  g_autofree char *spill = NULL;
  g_autofree char *listing = NULL;
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
  gboolean first_gone = FALSE;
  SpRegion *shared = sp_profile_manager_profile_region (manager, "shared");
  Worker workers[N_WORKERS];
  GThread *threads[N_WORKERS];
  Columns c = { 0 };
  guint total = 0;

  for (guint i = 0; i < N_WORKERS; i++)
    {
      workers[i] = (Worker) {
        manager, shared, i,
        /* The first does one and a half buffers' worth and exits while
         * the others still record; they go on well past it. */
        i == 0 ? limit + limit / 2 : 3 * limit + 321 * i,
        0, { 0 }, { 0 }, &lock, &cond, &first_gone,
      };
      windows_init (&workers[i].shared_w);
      windows_init (&workers[i].private_w);
    }

  for (guint i = 0; i < N_WORKERS; i++)
    threads[i] = g_thread_new ("recorder", worker_run, &workers[i]);

  g_thread_join (threads[0]);
  pthread_mutex_lock (&lock);
  first_gone = TRUE;
  pthread_cond_broadcast (&cond);
  pthread_mutex_unlock (&lock);
  for (guint i = 1; i < N_WORKERS; i++)
    g_thread_join (threads[i]);

  spill = sp_profile_manager_get_spill_path (manager);
  map = spill_map_read (spill);

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (spill, G_FILE_TEST_EXISTS));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "threads.h5");

  read_columns (path, "shared", &c);
  for (guint i = 0; i < N_WORKERS; i++)
    {
      gint64 tid = thread_index_of (path, workers[i].native_id);
      g_autofree char *name = g_strdup_printf ("private-%u", i);
      Columns p = { 0 };

      total += check_thread_calls (&c, tid, &workers[i].shared_w, "shared");

      read_columns (path, name, &p);
      g_assert_cmpuint (p.starts->len, ==, workers[i].n_calls);
      check_thread_calls (&p, tid, &workers[i].private_w, name);
      check_single_thread_region (path, name, name, &workers[i].private_w, map);
      check_chunks (path, name, name, map);
      columns_clear (&p);
    }
  /* No call of an unknown thread. */
  g_assert_cmpuint (total, ==, c.starts->len);
  g_assert_cmpint (sp_test_read_attr_int (path, "/rank0/regions/shared", "num_calls"), ==, total);
  assert_flushed_prefix (map, "shared", &c);

  /* Blocks of the buffer limit: chunks where they lie when that is at
   * least 1024 calls, copied otherwise. */
  if (limit >= 1024)
    g_assert_cmpuint (check_chunks (path, "shared", "shared", map), ==, spill_map_count (map, "shared") / limit);
  else
    g_assert_cmpuint (check_chunks (path, "shared", "shared", map), ==, 0);
  g_assert_cmpuint (userblock_of (path), ==, SP_SPILL_USERBLOCK);

  assert_session_loads (path, 1 + N_WORKERS);

  columns_clear (&c);
  for (guint i = 0; i < N_WORKERS; i++)
    {
      windows_clear (&workers[i].shared_w);
      windows_clear (&workers[i].private_w);
    }
}

static void
test_write_in_place_threads (void)
{
  check_threads (1000);
}

static void
test_write_in_place_threads_adopted (void)
{
  check_threads (2048);
}

/* ---------------------------------------------------------------------- */
/* c. Another file system: the session is copied */

static void
test_write_in_place_other_filesystem (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autofree char *shm = NULL;
  g_autofree char *target = NULL;
  g_autofree char *spill = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *shm_listing = NULL;
  g_autoptr(SpProfileManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpillMap) map = NULL;
  struct stat dir_st, shm_st;
  Recorded regions[] = {
    { "full", "full", 3 * LIMIT + 700 },
    { "never", "never", 500 },
    { "a/b", "a%2Fb", 2 * LIMIT + 1 },
  };

  if (g_stat ("/dev/shm", &shm_st) != 0 || !S_ISDIR (shm_st.st_mode) ||
      access ("/dev/shm", W_OK) != 0)
    {
      g_test_skip ("No writable /dev/shm");
      return;
    }
  g_assert_cmpint (g_stat (dir, &dir_st), ==, 0);
  if (dir_st.st_dev == shm_st.st_dev)
    {
      g_test_skip ("/dev/shm is on the file system of the temporary directory");
      return;
    }

  shm = g_strdup ("/dev/shm/scope-profiler-test-XXXXXX");
  g_assert_nonnull (g_mkdtemp (shm));
  target = g_build_filename (shm, "run.h5", NULL);

  manager = sp_test_manager_new (path, LIMIT);
  record_interleaved (manager, regions, G_N_ELEMENTS (regions));
  spill = sp_profile_manager_get_spill_path (manager);
  map = spill_map_read (spill);

  g_assert_true (sp_profile_manager_finalize_to_path (manager, target, &error));
  g_assert_no_error (error);

  for (guint r = 0; r < G_N_ELEMENTS (regions); r++)
    check_single_thread_region (target, regions[r].name, regions[r].group, &regions[r].w, map);
  /* Written anew, not converted: no user block. */
  g_assert_cmpuint (userblock_of (target), ==, 0);
  assert_session_loads (target, G_N_ELEMENTS (regions));

  /* The spill file is gone; nothing is left in either directory. */
  g_assert_false (g_file_test (spill, G_FILE_TEST_EXISTS));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "");
  shm_listing = list_dir (shm);
  g_assert_cmpstr (shm_listing, ==, "run.h5");

  g_unlink (target);
  g_rmdir (shm);
  for (guint r = 0; r < G_N_ELEMENTS (regions); r++)
    windows_clear (&regions[r].w);
}

/* ---------------------------------------------------------------------- */
/* d. A failed finalize keeps everything */

/* The spill file is as it was before the failed finalize (@before): cut
 * back to its records, unsealed, and readable. */
static void
assert_spill_intact (const char *spill,
                     SpillMap   *before)
{
  g_autoptr(SpillMap) after = NULL;

  g_assert_true (g_file_test (spill, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (read_sealed_end (spill), ==, 0);
  after = spill_map_read (spill);
  assert_same_spill (before, after);
}

static void
test_write_in_place_failure_keeps_spill (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autofree char *taken = g_build_filename (dir, "taken.h5", NULL);
  g_autofree char *inside = g_build_filename (taken, "keep", NULL);
  g_autofree char *good = g_build_filename (dir, "good.h5", NULL);
  g_autofree char *recovered = g_build_filename (dir, "recovered.h5", NULL);
  g_autofree char *spill = NULL;
  g_autofree char *spill_base = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, LIMIT);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpillMap) map = NULL;
  Recorded regions[] = {
    { "full", "full", 3 * LIMIT + 700 },
    { "never", "never", 500 },
    { "a/b", "a%2Fb", 2 * LIMIT + 1 },
  };

  record_interleaved (manager, regions, G_N_ELEMENTS (regions));
  spill = sp_profile_manager_get_spill_path (manager);
  spill_base = g_path_get_basename (spill);
  map = spill_map_read (spill);
  g_assert_cmpuint (read_sealed_end (spill), ==, 0);

  /* The target's name is taken by a directory that is not empty: the
   * session is written into the spill file, which cannot be renamed. */
  g_assert_cmpint (g_mkdir (taken, 0755), ==, 0);
  g_assert_true (g_file_set_contents (inside, "mine", -1, NULL));

  g_assert_false (sp_profile_manager_finalize_to_path (manager, taken, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_test_message ("with the target's name taken: %s", error->message);
  g_clear_error (&error);

  assert_spill_intact (spill, map);
  g_assert_true (g_file_test (inside, G_FILE_TEST_IS_REGULAR));
  expected = g_strdup_printf ("%s taken.h5", spill_base);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, expected);

  /* A crash now would leave that spill file: it recovers. */
  g_assert_true (sp_profile_manager_recover (spill, recovered, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GArray) starts = sp_test_read_i64 (recovered, "/rank0/regions/full/start_times");
    g_autoptr(GArray) others = sp_test_read_i64 (recovered, "/rank0/regions/a%2Fb/start_times");

    g_assert_cmpuint (starts->len, ==, 3 * LIMIT);
    g_assert_cmpuint (others->len, ==, 2 * LIMIT);
  }
  g_assert_cmpint (g_unlink (recovered), ==, 0);

  /* Then a finalize that cannot claim the room it needs: the file size
   * limit is just past the spill file's end. */
  {
    struct rlimit saved, lowered;
    struct sigaction ignore = { .sa_handler = SIG_IGN }, saved_action;

    g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
    if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < (rlim_t) map->size + 4096)
      g_test_message ("file size limit too low to lower it further; skipping that step");
    else
      {
        lowered = saved;
        lowered.rlim_cur = map->size + 4096;
        g_assert_cmpint (sigaction (SIGXFSZ, &ignore, &saved_action), ==, 0);
        g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &lowered), ==, 0);

        g_assert_false (sp_profile_manager_finalize_to_path (manager, good, &error));

        g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
        g_assert_cmpint (sigaction (SIGXFSZ, &saved_action, NULL), ==, 0);

        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
        g_test_message ("with the file size limit lowered: %s", error->message);
        g_clear_error (&error);
        assert_spill_intact (spill, map);
        g_assert_false (g_file_test (good, G_FILE_TEST_EXISTS));
      }
  }

  /* Finalizing again, to a good path, writes everything. */
  g_assert_true (sp_profile_manager_finalize_to_path (manager, good, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (spill, G_FILE_TEST_EXISTS));
  for (guint r = 0; r < G_N_ELEMENTS (regions); r++)
    check_single_thread_region (good, regions[r].name, regions[r].group, &regions[r].w, map);
  g_assert_cmpuint (userblock_of (good), ==, SP_SPILL_USERBLOCK);
  g_assert_cmpuint (check_chunks (good, "full", "full", map), ==, 3);
  g_assert_cmpuint (check_chunks (good, "a/b", "a%2Fb", map), ==, 2);
  assert_session_loads (good, G_N_ELEMENTS (regions));

  g_free (listing);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "good.h5 taken.h5");
  g_assert_true (g_file_test (inside, G_FILE_TEST_IS_REGULAR));

  for (guint r = 0; r < G_N_ELEMENTS (regions); r++)
    windows_clear (&regions[r].w);
}

/* ---------------------------------------------------------------------- */
/* e. The adopting driver, by hand */

#define E_CHUNK 1024
#define E_PROTECT_START 8192
#define E_PROTECT_END (E_PROTECT_START + 2 * E_CHUNK * 8)

static void
test_write_in_place_adopt_fallback (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "adopt.h5", NULL);
  g_autofree gint64 *first = g_new (gint64, E_CHUNK);
  g_autofree gint64 *second = g_new (gint64, E_CHUNK);
  g_autofree gint64 *scratch = g_new0 (gint64, E_CHUNK);
  g_autofree gint64 *read = g_new (gint64, E_CHUNK);
  g_autofree char *contents = NULL;
  static const char marker[] = "my user block";
  hsize_t dims[1] = { E_CHUNK }, maxdims[1] = { H5S_UNLIMITED }, chunk[1] = { E_CHUNK };
  hsize_t coord[1] = { 0 };
  hid_t fcpl, fapl, file, space, dcpl, dset;
  guint64 adopted = 99, copied = 99;
  haddr_t addr = HADDR_UNDEF;
  hsize_t size = 0;
  unsigned filter_mask = 0;
  gsize length;
  int fd;

  /* A file whose bytes from E_PROTECT_START to E_PROTECT_END are two
   * chunks' worth of little-endian int64s, with a marker in what becomes
   * the user block. */
  for (guint i = 0; i < E_CHUNK; i++)
    {
      first[i] = GINT64_TO_LE (1000000 + i);
      second[i] = GINT64_TO_LE (-7 * (gint64) i - 3);
    }
  fd = g_open (path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, marker, sizeof marker, 0), ==, sizeof marker);
  g_assert_cmpint (pwrite (fd, first, E_CHUNK * 8, E_PROTECT_START), ==, E_CHUNK * 8);
  g_assert_cmpint (pwrite (fd, second, E_CHUNK * 8, E_PROTECT_START + E_CHUNK * 8), ==, E_CHUNK * 8);
  close (fd);

  fcpl = H5Pcreate (H5P_FILE_CREATE);
  g_assert_cmpint (H5Pset_userblock (fcpl, SP_SPILL_USERBLOCK), >=, 0);
  fapl = sp_h5_adopt_fapl (E_PROTECT_START, E_PROTECT_END);
  g_assert_cmpint (fapl, >=, 0);
  H5Pset_file_locking (fapl, FALSE, TRUE);
  file = H5Fcreate (path, H5F_ACC_TRUNC, fcpl, fapl);
  g_assert_cmpint (file, >=, 0);

  space = H5Screate_simple (1, dims, maxdims);
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_chunk (dcpl, 1, chunk);
  dset = H5Dcreate2 (file, "values", H5T_STD_I64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  g_assert_cmpint (dset, >=, 0);

  /* The first chunk is the first protected bytes, where they lie. */
  g_assert_true (sp_h5_adopt_write_chunk (file, dset, 0, E_PROTECT_START, E_CHUNK * 8, scratch));
  sp_h5_adopt_get_counts (file, &adopted, &copied);
  g_assert_cmpuint (adopted, ==, 1);
  g_assert_cmpuint (copied, ==, 0);
  g_assert_cmpint (H5Dget_chunk_info_by_coord (dset, coord, &filter_mask, &addr, &size), >=, 0);
  g_assert_cmpuint (addr + SP_SPILL_USERBLOCK, ==, E_PROTECT_START);
  g_assert_cmpuint (size, ==, E_CHUNK * 8);

  /* The same chunk again, from the other protected bytes: HDF5 rewrites
   * the chunk where it already is, so the bytes are copied there. */
  g_assert_true (sp_h5_adopt_write_chunk (file, dset, 0, E_PROTECT_START + E_CHUNK * 8, E_CHUNK * 8, scratch));
  sp_h5_adopt_get_counts (file, &adopted, &copied);
  g_assert_cmpuint (adopted, ==, 1);
  g_assert_cmpuint (copied, ==, 1);

  g_assert_cmpint (H5Dread (dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, read), >=, 0);
  for (guint i = 0; i < E_CHUNK; i++)
    g_assert_cmpint (read[i], ==, -7 * (gint64) i - 3);

  H5Dclose (dset);
  H5Pclose (dcpl);
  H5Sclose (space);
  g_assert_cmpint (H5Fclose (file), >=, 0);
  H5Pclose (fapl);
  H5Pclose (fcpl);

  /* Any HDF5 reader opens it with the default driver; the user block is
   * as it was. */
  {
    g_autoptr(GArray) values = sp_test_read_i64 (path, "/values");

    g_assert_cmpuint (values->len, ==, E_CHUNK);
    for (guint i = 0; i < E_CHUNK; i++)
      g_assert_cmpint (g_array_index (values, gint64, i), ==, -7 * (gint64) i - 3);
  }
  g_assert_cmpuint (userblock_of (path), ==, SP_SPILL_USERBLOCK);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >=, E_PROTECT_END);
  g_assert_cmpmem (contents, sizeof marker, marker, sizeof marker);
  /* The second protected chunk is untouched. */
  g_assert_cmpmem (contents + E_PROTECT_START + E_CHUNK * 8, E_CHUNK * 8, second, E_CHUNK * 8);
}

/* ---------------------------------------------------------------------- */
/* f. A crash while converting */

static void
test_write_in_place_crash_during_conversion (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpillMap) map = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  const char *spill;
  guint64 flushed, junk_calls;
  int fds[2], status = 0, fd;
  gint64 size;
  pid_t pid;
  char buf[256];
  ssize_t r;

  g_assert_cmpint (pipe (fds), ==, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* The child records, and dies without finalizing. */
      SpProfileManager *manager = sp_test_manager_new (path, LIMIT);
      SpRegion *region = sp_profile_manager_profile_region (manager, "work");
      g_autofree char *child_spill = NULL;
      g_autofree char *line = NULL;
      FILE *f;

      sp_test_calls (region, 2 * LIMIT + 999);
      child_spill = sp_profile_manager_get_spill_path (manager);
      line = g_strdup_printf ("%s\n%" G_GUINT64_FORMAT "\n", child_spill ? child_spill : "",
                              (guint64) (sp_region_get_num_calls (region) - sp_region_get_n_buffered (region)));
      f = fdopen (fds[1], "w");
      fputs (line, f);
      fclose (f);
      /* _exit() skips the autofree cleanups; valgrind would count them
       * as leaks and fail the child. */
      g_clear_pointer (&line, g_free);
      g_clear_pointer (&child_spill, g_free);
      g_string_free (g_steal_pointer (&report), TRUE);
      _exit (0);
    }

  close (fds[1]);
  while ((r = read (fds[0], buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
    if (r > 0)
      g_string_append_len (report, buf, r);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  lines = g_strsplit (report->str, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  spill = lines[0];
  flushed = g_ascii_strtoull (lines[1], NULL, 10);
  g_assert_cmpuint (flushed, ==, 2 * LIMIT);
  g_assert_true (g_file_test (spill, G_FILE_TEST_IS_REGULAR));
  map = spill_map_read (spill);
  g_assert_cmpuint (spill_map_count (map, "work"), ==, flushed);

  /* The conversion had begun: the records are sealed, and what HDF5 wrote
   * after them follows. Here: a superblock signature, then what reads as
   * a block of one more call, then a record no reader knows. */
  size = file_size (spill);
  fd = g_open (spill, O_RDWR, 0);
  g_assert_cmpint (fd, >=, 0);
  {
    guint64 sealed = size;
    static const guint8 signature[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
    struct {
      guint32 type, reserved;
      guint64 length;
      guint32 region, n;
      gint64  thread, start, end;
    } block = { 4, 0, 32, 0, 1, 0, 10, 20 };
    struct {
      guint32 type, reserved;
      guint64 length;
      guint64 payload;
    } unknown = { 77, 0, 8, 0 };
    guint8 tail[1000];

    memset (tail, 0xab, sizeof tail);
    g_assert_cmpint (pwrite (fd, &sealed, sizeof sealed, SEALED_END_OFFSET), ==, sizeof sealed);
    g_assert_cmpint (pwrite (fd, signature, sizeof signature, SP_SPILL_USERBLOCK), ==, sizeof signature);
    g_assert_cmpint (pwrite (fd, &block, sizeof block, size), ==, sizeof block);
    g_assert_cmpint (pwrite (fd, &unknown, sizeof unknown, size + sizeof block), ==, sizeof unknown);
    g_assert_cmpint (pwrite (fd, tail, sizeof tail, size + sizeof block + sizeof unknown), ==, sizeof tail);
    junk_calls = block.n;
  }
  close (fd);
  g_assert_cmpint (file_size (spill), >, size);

  g_assert_true (sp_profile_manager_recover (spill, out, &error));
  g_assert_no_error (error);
  {
    Columns c = { 0 };

    read_columns (out, "work", &c);
    g_assert_cmpuint (c.starts->len, ==, flushed);
    g_assert_cmpuint (c.starts->len, !=, flushed + junk_calls);
    assert_flushed_prefix (map, "work", &c);
    columns_clear (&c);
  }
  g_assert_cmpint (sp_test_read_attr_int (out, "/rank0/regions/work", "num_calls"), ==, flushed);
  {
    g_autofree char *from = sp_test_read_attr_string (out, "/metadata", "recovered_from");

    g_assert_cmpstr (from, ==, spill);
  }
  assert_session_loads (out, 1);

  /* The spill file is left as it was found. */
  g_assert_true (g_file_test (spill, G_FILE_TEST_IS_REGULAR));
}

/* A file of another driver: the adoption calls refuse it rather than
 * take its handle (sec2's: a pointer to a descriptor) for theirs. */
static void
test_write_in_place_other_driver (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "sec2.h5", NULL);
  hsize_t dims[1] = { 8 }, maxdims[1] = { H5S_UNLIMITED }, chunk[1] = { 8 };
  gint64 scratch[8] = { 0 };
  guint64 adopted = 99, copied = 99;
  hid_t file, space, dcpl, dset;

  file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (file, >=, 0);
  space = H5Screate_simple (1, dims, maxdims);
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_chunk (dcpl, 1, chunk);
  dset = H5Dcreate2 (file, "values", H5T_STD_I64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  g_assert_cmpint (dset, >=, 0);

  g_assert_false (sp_h5_adopt_write_chunk (file, dset, 0, 0, sizeof scratch, scratch));
  sp_h5_adopt_get_counts (file, &adopted, &copied);
  g_assert_cmpuint (adopted, ==, 0);
  g_assert_cmpuint (copied, ==, 0);

  H5Dclose (dset);
  H5Pclose (dcpl);
  H5Sclose (space);
  g_assert_cmpint (H5Fclose (file), >=, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/WriteInPlace/contents", test_write_in_place_contents);
  g_test_add_func ("/ScopeProfiler/WriteInPlace/large-blocks", test_write_in_place_large_blocks);
  g_test_add_func ("/ScopeProfiler/WriteInPlace/threads", test_write_in_place_threads);
  g_test_add_func ("/ScopeProfiler/WriteInPlace/threads-adopted", test_write_in_place_threads_adopted);
  g_test_add_func ("/ScopeProfiler/WriteInPlace/other-filesystem", test_write_in_place_other_filesystem);
  g_test_add_func ("/ScopeProfiler/WriteInPlace/failure-keeps-spill", test_write_in_place_failure_keeps_spill);
  g_test_add_func ("/ScopeProfiler/WriteInPlace/adopt-fallback", test_write_in_place_adopt_fallback);
  g_test_add_func ("/ScopeProfiler/WriteInPlace/crash-during-conversion", test_write_in_place_crash_during_conversion);
  g_test_add_func ("/ScopeProfiler/WriteInPlace/other-driver", test_write_in_place_other_driver);

  return g_test_run ();
}
