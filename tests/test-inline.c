/* test-inline.c: the call-site fast path of <scope-profiler.h>.
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Programs that include <scope-profiler.h> get sp_region_enter(),
 * sp_region_exit() and SP_PROFILE_SCOPE() as inline wrappers that skip the
 * call into the library while no manager records. The other C tests are
 * built inside the library and never see them, so this one is built as a
 * user's program is: public header only, linked to the shared library.
 */

#include <glib/gstdio.h>
#include <scope-profiler.h>

#ifndef sp_region_enter
# error "<scope-profiler.h> should give programs the inline sp_region_enter()"
#endif
#ifdef SCOPE_PROFILER_COMPILATION
# error "this test must be built as a user's program"
#endif

static char *tmpdir;

static SpConfig *
make_config (const char *name,
             gboolean    enabled)
{
  SpConfig *config = sp_config_new ();
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);

  sp_config_set_file_path (config, path);
  sp_config_set_enabled (config, enabled);
  sp_config_set_verbose (config, FALSE);
  return config;
}

static int
recording (void)
{
  return __atomic_load_n (&sp_region_recording_sessions, __ATOMIC_RELAXED);
}

static G_GNUC_NO_INLINE void
scoped (void)
{
  SP_PROFILE_SCOPE ("scoped");
}

/* Must run first: no manager exists yet, so nothing records, and the first
 * pass through SP_PROFILE_SCOPE() is what creates the default manager. It
 * must not be skipped. */
static void
test_inline_first_scope_creates_default (void)
{
  SpRegion *region;

  g_assert_cmpint (recording (), ==, 0);
  scoped ();
  g_assert_cmpint (recording (), ==, 1);
  region = sp_profile_manager_profile_region (sp_profile_manager_get_default (), "scoped");
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 1);
  scoped ();
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 2);
}

static void
test_inline_disabled (void)
{
  SpProfileManager *manager = sp_profile_manager_get_default ();
  g_autoptr(SpConfig) off = make_config ("off.h5", FALSE);
  g_autoptr(SpConfig) on = make_config ("on.h5", TRUE);
  g_autoptr(SpProfileManager) other = NULL;
  g_autofree char *off_path = g_build_filename (tmpdir, "off.h5", NULL);
  g_autoptr(GError) error = NULL;
  SpRegion *region;
  SpRegion *scope_region;

  sp_profile_manager_setup (manager, off);
  g_assert_cmpint (recording (), ==, 0);
  region = sp_profile_manager_profile_region (manager, "pair");
  scope_region = sp_profile_manager_profile_region (manager, "scoped");

  for (guint i = 0; i < 100; i++)
    {
      sp_region_enter (region);
      scoped ();
      sp_region_exit (region);
    }
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 0);
  g_assert_cmpuint (sp_region_get_num_calls (scope_region), ==, 0);

  /* Another manager that records takes the slow path for everyone; the
   * disabled manager's regions still record nothing. A new manager
   * records from the start. */
  other = sp_profile_manager_new ();
  g_assert_cmpint (recording (), ==, 1);
  sp_profile_manager_setup (other, on);
  g_assert_cmpint (recording (), ==, 1);
  sp_region_enter (region);
  scoped ();
  sp_region_exit (region);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 0);
  g_assert_cmpuint (sp_region_get_num_calls (scope_region), ==, 0);

  /* A manager that goes away stops counting. */
  g_clear_object (&other);
  g_assert_cmpint (recording (), ==, 0);

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (off_path, G_FILE_TEST_EXISTS));
}

/* Calls left open across a setup() that switches recording off or on:
 * nothing is miscounted and nothing is reported as misuse. */
static void
test_inline_open_across_setup (void)
{
  SpProfileManager *manager = sp_profile_manager_get_default ();
  g_autoptr(SpConfig) off = make_config ("across-off.h5", FALSE);
  g_autoptr(SpConfig) on = make_config ("across-on.h5", TRUE);
  SpRegion *region;

  sp_profile_manager_setup (manager, on);
  region = sp_profile_manager_profile_region (manager, "across");

  /* Opened while recording, closed while not. */
  sp_region_enter (region);
  sp_profile_manager_setup (manager, off);
  sp_region_exit (region);

  sp_profile_manager_setup (manager, on);
  g_assert_cmpint (recording (), ==, 1);
  for (guint i = 0; i < 3; i++)
    {
      sp_region_enter (region);
      sp_region_exit (region);
    }
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 3);

  /* Opened while not recording, closed while recording: the exit belongs
   * to no session and is not an error. */
  sp_profile_manager_setup (manager, off);
  sp_region_enter (region);
  sp_profile_manager_setup (manager, on);
  sp_region_exit (region);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 0);
  sp_region_enter (region);
  sp_region_exit (region);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 1);

  /* Finalizing keeps counting calls (without timestamps). */
  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_cmpint (recording (), ==, 1);
  sp_region_enter (region);
  sp_region_exit (region);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 2);

  sp_profile_manager_setup (manager, off);
  g_assert_cmpint (recording (), ==, 0);
}

static void
remove_tmpdir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmpdir);
  g_free (tmpdir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("sp-test-inline-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/ScopeProfiler/Inline/first-scope-creates-default",
                   test_inline_first_scope_creates_default);
  g_test_add_func ("/ScopeProfiler/Inline/disabled", test_inline_disabled);
  g_test_add_func ("/ScopeProfiler/Inline/open-across-setup", test_inline_open_across_setup);

  status = g_test_run ();
  remove_tmpdir ();
  return status;
}
