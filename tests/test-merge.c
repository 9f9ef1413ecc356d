/* test-merge.c — sp_session_write_merged() and sp_session_write_to_file()
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <scope-profiler.h>

#include "sp-h5-writer-private.h"
#include "sp-metadata-private.h"
#include "sp-test-util.h"

static const gint64 starts0[] = { 100, 300, 500 };
static const gint64 ends0[] = { 200, 400, 600 };
static const gint64 starts1[] = { 1000, 2000 };
static const gint64 ends1[] = { 1500, 2500 };

/* One rank of a session file: region "work" (with source and tags) with
 * three calls on thread 0 and two on thread 1, region "idle/a\\b" without
 * calls. */
static SpWriterRank *
make_rank (guint rank)
{
  SpWriterRank *r = sp_writer_rank_new (rank);
  SpWriterRegion *work;

  sp_writer_rank_add_thread (r, 0, 4242, "main");
  sp_writer_rank_add_thread (r, 1, 4243, "worker");

  work = sp_writer_rank_get_region (r, 0, "work");
  work->source_file = g_strdup ("/src/sim.py");
  work->source_line = 42;
  work->source_text = g_strdup ("def work():");
  work->tags = g_strdup ("[\"io\", \"hot \\\"path\\\"\"]");
  sp_writer_region_add_block (work, 0, starts0, ends0, 3);
  sp_writer_region_add_block (work, 1, starts1, ends1, 2);
  work->num_calls = 5;

  sp_writer_rank_get_region (r, 1, "idle/a\\b");

  return r;
}

/* A session file with @n_ranks ranks starting at @first. */
static char *
write_input (const char *dir,
             const char *name,
             guint       first,
             guint       n_ranks,
             gint64      mpi_size,
             const char *missing,
             const char *host)
{
  g_autoptr(GPtrArray) metadata = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_metadata_entry_free);
  g_autoptr(GPtrArray) ranks = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_writer_rank_free);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  sp_metadata_set_string (metadata, "hostname", host);
  sp_metadata_set_int (metadata, "mpi_size", mpi_size);
  sp_metadata_set_string (metadata, name, "only here");
  if (missing != NULL)
    sp_metadata_set_string (metadata, "missing_ranks", missing);

  for (guint r = 0; r < n_ranks; r++)
    g_ptr_array_add (ranks, make_rank (first + r));

  g_assert_true (sp_h5_write_session (path, metadata, (SpWriterRank **) ranks->pdata, ranks->len, &error));
  g_assert_no_error (error);

  return path;
}

static SpSession *
load (const char *path)
{
  g_autoptr(GError) error = NULL;
  SpSession *session = sp_session_new_from_file (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);

  return session;
}

/* Everything make_rank() wrote is there on @rank of @session. */
static void
assert_rank (SpSession *session,
             guint      rank)
{
  const gint64 *starts, *ends;
  const guint *ranks;
  guint region, n = 0;
  gsize n_calls = 0;

  g_assert_true (sp_session_lookup_region (session, "work", &region));
  g_assert_cmpstr (sp_session_get_region_source_file (session, region), ==, "/src/sim.py");
  g_assert_cmpint (sp_session_get_region_source_line (session, region), ==, 42);
  g_assert_cmpstr (sp_session_get_region_source_text (session, region), ==, "def work():");
  g_assert_cmpstrv (sp_session_get_region_tags (session, region),
                    ((const char * const[]) { "io", "hot \"path\"", NULL }));

  g_assert_true (sp_session_peek_intervals (session, region, rank, 0, &starts, &ends, &n_calls));
  g_assert_cmpmem (starts, n_calls * sizeof (gint64), starts0, sizeof starts0);
  g_assert_cmpmem (ends, n_calls * sizeof (gint64), ends0, sizeof ends0);
  g_assert_true (sp_session_peek_intervals (session, region, rank, 1, &starts, &ends, &n_calls));
  g_assert_cmpmem (starts, n_calls * sizeof (gint64), starts1, sizeof starts1);

  g_assert_cmpstr (sp_session_get_thread_name (session, rank, 1), ==, "worker");
  g_assert_cmpint (sp_session_get_thread_native_id (session, rank, 0), ==, 4242);

  /* The region without calls stays on the rank, escaped name and all. */
  g_assert_true (sp_session_lookup_region (session, "idle/a\\b", &region));
  ranks = sp_session_get_region_file_ranks (session, region, &n);
  g_assert_true (n > 0);
  for (guint i = 0; i < n && ranks[i] != rank; i++)
    g_assert_cmpuint (i + 1, <, n);
}

static void
test_merge_keeps_ranks (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *a = write_input (dir, "a.h5", 0, 2, 4, "2,3", "alpha");
  g_autofree char *b = write_input (dir, "b.h5", 2, 2, 4, NULL, "beta");
  g_autofree char *out = g_build_filename (dir, "merged.h5", NULL);
  g_autoptr(SpSession) sa = load (a);
  g_autoptr(SpSession) sb = load (b);
  g_autoptr(SpSession) merged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sources = g_strdup_printf ("%s\n%s", a, b);
  SpSession *sessions[] = { sa, sb };
  const guint *ranks;
  guint n_ranks = 0;
  gint64 size = 0;

  g_assert_true (sp_session_write_merged (sessions, 2, SP_MERGE_FLAGS_NONE, out, NULL, &error));
  g_assert_no_error (error);

  merged = load (out);
  ranks = sp_session_get_ranks (merged, &n_ranks);
  g_assert_cmpuint (n_ranks, ==, 4);
  for (guint r = 0; r < 4; r++)
    {
      g_assert_cmpuint (ranks[r], ==, r);
      assert_rank (merged, r);
    }

  /* The first file's metadata win; keys only the second has are added. */
  g_assert_cmpstr (sp_session_get_metadata_string (merged, "hostname"), ==, "alpha");
  g_assert_cmpstr (sp_session_get_metadata_string (merged, "b.h5"), ==, "only here");
  g_assert_cmpstr (sp_session_get_metadata_string (merged, "merged_from"), ==, sources);
  g_assert_true (sp_session_get_metadata_int (merged, "mpi_size", &size));
  g_assert_cmpint (size, ==, 4);
  /* Ranks 2 and 3 were missing from a.h5; b.h5 brought them. */
  g_assert_null (sp_session_get_metadata (merged, "missing_ranks"));
}

static void
test_merge_collision_and_renumber (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *a = write_input (dir, "a.h5", 0, 1, 1, NULL, "alpha");
  g_autofree char *b = write_input (dir, "b.h5", 0, 1, 3, "1,2", "beta");
  g_autofree char *out = g_build_filename (dir, "merged.h5", NULL);
  g_autoptr(SpSession) sa = load (a);
  g_autoptr(SpSession) sb = load (b);
  g_autoptr(SpSession) merged = NULL;
  g_autoptr(GError) error = NULL;
  SpSession *sessions[] = { sb, sa };
  const guint *ranks;
  guint n_ranks = 0;

  /* Both hold rank 0: an error naming both, and no file. */
  g_assert_false (sp_session_write_merged (sessions, 2, SP_MERGE_FLAGS_NONE, out, NULL, &error));
  g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, a));
  g_assert_nonnull (strstr (error->message, b));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_true (sp_session_write_merged (sessions, 2, SP_MERGE_FLAGS_RENUMBER, out, NULL, &error));
  g_assert_no_error (error);

  merged = load (out);
  ranks = sp_session_get_ranks (merged, &n_ranks);
  g_assert_cmpuint (n_ranks, ==, 2);
  g_assert_cmpuint (ranks[0], ==, 0);
  g_assert_cmpuint (ranks[1], ==, 1);
  assert_rank (merged, 0);
  assert_rank (merged, 1);
  /* b.h5 came first and its run had 3 ranks, of which 2 are here: the
   * note of missing ranks stays. */
  g_assert_cmpstr (sp_session_get_metadata_string (merged, "hostname"), ==, "beta");
  g_assert_cmpstr (sp_session_get_metadata_string (merged, "missing_ranks"), ==, "1,2");
}

static void
test_write_to_file (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *a = write_input (dir, "a.h5", 3, 1, 8, NULL, "alpha");
  g_autofree char *out = g_build_filename (dir, "copy.h5", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "copy.h5", NULL);
  g_autoptr(SpSession) sa = load (a);
  g_autoptr(SpSession) copy = NULL;
  g_autoptr(GError) error = NULL;
  const guint *ranks;
  guint n_ranks = 0;

  g_assert_true (sp_session_write_to_file (sa, out, NULL, &error));
  g_assert_no_error (error);

  copy = load (out);
  ranks = sp_session_get_ranks (copy, &n_ranks);
  g_assert_cmpuint (n_ranks, ==, 1);
  g_assert_cmpuint (ranks[0], ==, 3);
  assert_rank (copy, 3);
  g_assert_cmpstr (sp_session_get_metadata_string (copy, "hostname"), ==, "alpha");
  g_assert_null (sp_session_get_metadata (copy, "merged_from"));

  /* What the system refuses is a G_IO_ERROR. */
  g_assert_false (sp_session_write_to_file (sa, missing, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_write_unloaded (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (sp_session_write_to_file (session, "/nonexistent/x.h5", NULL, &error));
  g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/Merge/keeps-ranks", test_merge_keeps_ranks);
  g_test_add_func ("/ScopeProfiler/Merge/collision-and-renumber", test_merge_collision_and_renumber);
  g_test_add_func ("/ScopeProfiler/Merge/write-to-file", test_write_to_file);
  g_test_add_func ("/ScopeProfiler/Merge/write-unloaded", test_write_unloaded);

  return g_test_run ();
}
