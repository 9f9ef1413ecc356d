/* test-faults.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <sys/resource.h>

#include "sp-test-util.h"

static void
test_faults_unwritable_path (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *bad = g_build_filename (dir, "missing-dir", "session.h5", NULL);
  g_autofree char *good = g_build_filename (dir, "session.h5", NULL);
  g_autoptr(SpConfig) config = sp_test_config (bad, 16);
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GError) error = NULL;
  SpRegion *region;

  sp_profile_manager_setup (manager, config);
  region = sp_profile_manager_profile_region (manager, "kept");

  /* The first flush cannot create the spill file: the calls stay in
   * memory, with one warning. */
  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_WARNING, "*Could not flush profiling data*missing-dir*");
  sp_test_calls (region, 1000);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (sp_region_get_n_buffered (region), ==, 1000);

  g_assert_false (sp_profile_manager_finalize (manager, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing-dir"));
  g_clear_error (&error);

  /* Retrying elsewhere writes every call. */
  g_assert_true (sp_profile_manager_finalize_to_path (manager, good, &error));
  g_assert_no_error (error);
  starts = sp_test_read_i64 (good, "/rank0/regions/kept/start_times");
  g_assert_cmpuint (starts->len, ==, 1000);
}

static void
test_faults_path_is_directory (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *good = g_build_filename (dir, "session.h5", NULL);
  g_autoptr(SpConfig) config = sp_test_config (dir, 100000);
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GError) error = NULL;

  sp_profile_manager_setup (manager, config);
  sp_test_calls (sp_profile_manager_profile_region (manager, "r"), 10);

  g_assert_false (sp_profile_manager_finalize (manager, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_true (sp_profile_manager_finalize_to_path (manager, good, &error));
  g_assert_no_error (error);
  starts = sp_test_read_i64 (good, "/rank0/regions/r/start_times");
  g_assert_cmpuint (starts->len, ==, 10);
}

static void
test_faults_disk_full (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = sp_test_make_tmpdir ();
      g_autofree char *path = g_build_filename (dir, "full.h5", NULL);
      g_autofree char *retry = g_build_filename (dir, "retry.h5", NULL);
      g_autoptr(SpConfig) config = sp_test_config (path, 256);
      g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
      g_autoptr(GArray) starts = NULL;
      g_autoptr(GError) error = NULL;
      struct rlimit limit;
      SpRegion *region;

      /* A file-size limit stands in for a full disk: writes past it fail
       * with EFBIG once SIGXFSZ is ignored. */
      signal (SIGXFSZ, SIG_IGN);
      getrlimit (RLIMIT_FSIZE, &limit);
      limit.rlim_cur = 20000;
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

      sp_profile_manager_setup (manager, config);
      region = sp_profile_manager_profile_region (manager, "big");

      /* The spill takes a few blocks of 256 sp_test_calls (4 KiB each), then the
       * next flush fails and the calls stay in memory. */
      g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_WARNING, "*Could not flush profiling data*");
      sp_test_calls (region, 5000);
      g_test_assert_expected_messages ();
      g_assert_cmpuint (sp_region_get_num_calls (region), ==, 5000);

      g_assert_false (sp_profile_manager_finalize (manager, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
      g_printerr ("finalize failed as expected: %s\n", error->message);
      g_clear_error (&error);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

      /* Space comes back; a retry to another path has every call. */
      limit.rlim_cur = limit.rlim_max;
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      g_assert_true (sp_profile_manager_finalize_to_path (manager, retry, &error));
      g_assert_no_error (error);
      starts = sp_test_read_i64 (retry, "/rank0/regions/big/start_times");
      g_assert_cmpuint (starts->len, ==, 5000);
      for (guint i = 1; i < starts->len; i++)
        g_assert_cmpint (g_array_index (starts, gint64, i), >, g_array_index (starts, gint64, i - 1));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*finalize failed as expected*");
}

/* What the system refuses is a G_IO_ERROR with its code, not a
 * file-format error. */
static void
test_faults_recover_missing_spill (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *spill = g_build_filename (dir, "no-such.spill", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (sp_profile_manager_recover (spill, out, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such.spill"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/Faults/unwritable-path", test_faults_unwritable_path);
  g_test_add_func ("/ScopeProfiler/Faults/path-is-directory", test_faults_path_is_directory);
  g_test_add_func ("/ScopeProfiler/Faults/disk-full", test_faults_disk_full);
  g_test_add_func ("/ScopeProfiler/Faults/recover-missing-spill", test_faults_recover_missing_spill);

  return g_test_run ();
}
