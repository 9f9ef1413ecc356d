/* test-config.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sp-test-util.h"

static void
test_config_defaults (void)
{
  g_autoptr(SpConfig) config = sp_config_new ();

  g_assert_true (sp_config_get_enabled (config));
  g_assert_true (sp_config_get_time_trace (config));
  g_assert_true (sp_config_get_flush_to_disk (config));
  g_assert_true (sp_config_get_verbose (config));
  g_assert_cmpuint (sp_config_get_buffer_limit (config), ==, 100000);
  g_assert_cmpstr (sp_config_get_file_path (config), ==, "profiling_data.h5");

  g_assert_finalize_object (g_steal_pointer (&config));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_config_properties (void)
{
  g_autoptr(SpConfig) config = sp_config_new ();
  g_autoptr(SpConfig) copy = NULL;
  guint notified = 0;
  g_autofree char *path = NULL;
  guint limit = 0;

  g_signal_connect (config, "notify", G_CALLBACK (count_notify), &notified);

  g_object_set (config,
                "enabled", FALSE,
                "time-trace", FALSE,
                "flush-to-disk", FALSE,
                "verbose", FALSE,
                "buffer-limit", 7,
                "file-path", "out.h5",
                NULL);
  g_assert_cmpuint (notified, ==, 6);

  /* Setting the same values again notifies nothing. */
  sp_config_set_enabled (config, FALSE);
  sp_config_set_buffer_limit (config, 7);
  sp_config_set_file_path (config, "out.h5");
  g_assert_cmpuint (notified, ==, 6);

  copy = sp_config_copy (config);
  g_assert_false (sp_config_get_enabled (copy));
  g_assert_false (sp_config_get_time_trace (copy));
  g_assert_false (sp_config_get_flush_to_disk (copy));
  g_assert_false (sp_config_get_verbose (copy));
  g_object_get (copy, "file-path", &path, "buffer-limit", &limit, NULL);
  g_assert_cmpstr (path, ==, "out.h5");
  g_assert_cmpuint (limit, ==, 7);

  /* NULL or empty restores the default path. */
  sp_config_set_file_path (config, NULL);
  g_assert_cmpstr (sp_config_get_file_path (config), ==, "profiling_data.h5");
}

static void
test_config_buffer_limit_zero (void)
{
  g_autoptr(SpConfig) config = sp_config_new ();

  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*buffer_limit >= 1*");
  sp_config_set_buffer_limit (config, 0);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (sp_config_get_buffer_limit (config), ==, 100000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/Config/defaults", test_config_defaults);
  g_test_add_func ("/ScopeProfiler/Config/properties", test_config_properties);
  g_test_add_func ("/ScopeProfiler/Config/buffer-limit-zero", test_config_buffer_limit_zero);

  return g_test_run ();
}
