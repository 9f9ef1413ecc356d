/* fuzz-spill.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * sp_profile_manager_recover() on arbitrary bytes: a spill file left by a
 * crashed run is turned into a session or refused with a GError. A
 * session it writes must load in our own reader.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "sp-fuzz-util.h"

static char *spill_path;
static char *output_path;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  sp_fuzz_init ();
  sp_fuzz_set_fatal_criticals (TRUE);
  spill_path = g_build_filename (sp_fuzz_tmpdir (), "run.h5.1234.spill", NULL);
  output_path = g_build_filename (sp_fuzz_tmpdir (), "recovered.h5", NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;

  sp_fuzz_write_file (spill_path, data, size);
  g_unlink (output_path);

  if (!sp_profile_manager_recover (spill_path, output_path, &error))
    {
      g_assert (error != NULL);
      g_assert (error->message != NULL);
      g_assert (!g_file_test (output_path, G_FILE_TEST_EXISTS));
      return 0;
    }

  g_assert_no_error (error);

  session = sp_session_new_from_file (output_path, NULL, &error);
  g_assert_no_error (error);
  g_assert (session != NULL);
  sp_fuzz_walk_session (session);

  return 0;
}
