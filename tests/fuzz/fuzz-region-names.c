/* fuzz-region-names.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Arbitrary bytes as region names. The input is cut at 0xFF bytes (never
 * part of UTF-8) into up to eight names; each is used for a few calls and
 * the session is finalized and read back. A name that is valid, non-empty
 * UTF-8 gives a region and comes back from the file byte for byte, distinct
 * from every other name; any other name is one g_critical and NULL.
 */

#include "config.h"

#include <string.h>

#include "sp-fuzz-util.h"

#define MAX_NAMES 8

static char *path;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  sp_fuzz_init ();
  /* Invalid names are a critical by contract: count them. */
  sp_fuzz_set_fatal_criticals (FALSE);
  path = g_build_filename (sp_fuzz_tmpdir (), "names.h5", NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(SpProfileManager) manager = NULL;
  g_autoptr(SpConfig) config = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;
  guint buffer_limit;
  size_t begin;

  if (size == 0)
    return 0;

  /* The first byte picks the buffer limit: 1 and 2 flush through the spill
   * file on nearly every call, 1000 keeps everything in memory. */
  buffer_limit = data[0] % 3 == 0 ? 1 : data[0] % 3 == 1 ? 2 : 1000;
  data++;
  size--;

  begin = 0;
  for (size_t i = 0; i <= size && names->len < MAX_NAMES; i++)
    if (i == size || data[i] == 0xFF)
      {
        /* Copied, so a NUL byte ends the C string as it would for a caller. */
        g_ptr_array_add (names, g_strndup ((const char *) data + begin, i - begin));
        begin = i + 1;
      }

  manager = sp_profile_manager_new ();
  config = sp_config_new ();
  sp_config_set_file_path (config, path);
  sp_config_set_buffer_limit (config, buffer_limit);
  sp_config_set_verbose (config, FALSE);
  sp_profile_manager_setup (manager, config);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      gboolean valid = name[0] != '\0' && g_utf8_validate (name, -1, NULL);
      SpRegion *region;
      guint calls;

      sp_fuzz_reset_criticals ();
      region = sp_profile_manager_profile_region (manager, name);

      if (!valid)
        {
          g_assert (region == NULL);
          g_assert_cmpuint (sp_fuzz_get_n_criticals (), ==, 1);
          continue;
        }

      g_assert (region != NULL);
      g_assert_cmpuint (sp_fuzz_get_n_criticals (), ==, 0);
      g_assert_cmpstr (sp_region_get_name (region), ==, name);
      g_assert (sp_profile_manager_get_region (manager, name) == region);
      g_assert (sp_profile_manager_profile_region (manager, name) == region);

      /* Nested, so the same name is open twice at once. */
      sp_region_enter (region);
      sp_region_enter (region);
      sp_region_exit (region);
      sp_region_exit (region);
      g_assert_cmpuint (sp_fuzz_get_n_criticals (), ==, 0);

      calls = GPOINTER_TO_UINT (g_hash_table_lookup (expected, name)) + 2;
      g_hash_table_insert (expected, (gpointer) name, GUINT_TO_POINTER (calls));
      g_assert_cmpuint (sp_region_get_num_calls (region), ==, calls);
    }

  sp_fuzz_reset_criticals ();
  if (!sp_profile_manager_finalize (manager, &error))
    g_error ("finalize failed: %s", error->message);
  g_assert_cmpuint (sp_fuzz_get_n_criticals (), ==, 0);

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sp_session_get_n_regions (session), ==, g_hash_table_size (expected));

  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(SpRegionStats) stats = NULL;
      guint index = G_MAXUINT;

      g_assert (sp_session_lookup_region (session, key, &index));
      g_assert_cmpstr (sp_session_get_region_name (session, index), ==, key);
      stats = sp_session_get_region_stats (session, index);
      g_assert_cmpuint (sp_region_stats_get_count (stats), ==, GPOINTER_TO_UINT (value));
    }

  return 0;
}
