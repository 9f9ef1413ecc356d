/* fuzz-export.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The exporters fed from fuzzed sessions: every session the reader accepts
 * exports to every supported format, or fails with a GError. The values
 * stored in the session's datasets are fuzzed, not HDF5's structure (that
 * is fuzz-session's job): what matters here is what the reader lets
 * through to the exporters.
 */

#include "config.h"

#include "sp-fuzz-util.h"

static char *path;
static GFile *dev_null;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  sp_fuzz_init ();
  sp_fuzz_set_fatal_criticals (TRUE);
  path = g_build_filename (sp_fuzz_tmpdir (), "session.h5", NULL);
  dev_null = g_file_new_for_path ("/dev/null");
  return 0;
}

size_t
LLVMFuzzerCustomMutator (uint8_t      *data,
                         size_t        size,
                         size_t        max_size,
                         unsigned int  seed)
{
  return sp_fuzz_mutate_values (data, size, max_size, seed);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const SpExportFormat formats[] = {
    SP_EXPORT_FORMAT_CHROME_TRACE,
    SP_EXPORT_FORMAT_CSV_INTERVALS,
    SP_EXPORT_FORMAT_CSV_STATISTICS,
    SP_EXPORT_FORMAT_JSON_STATISTICS,
    SP_EXPORT_FORMAT_SYSPROF_CAPTURE,
  };
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GFileOutputStream) out = NULL;

  sp_fuzz_write_file (path, data, size);

  session = sp_session_new_from_file (path, NULL, NULL);
  if (session == NULL)
    return 0;

  out = g_file_append_to (dev_null, G_FILE_CREATE_NONE, NULL, NULL);
  g_assert (out != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!sp_export_format_is_supported (formats[i]))
        continue;

      if (!sp_session_export_to_stream (session, formats[i], G_OUTPUT_STREAM (out), NULL, &error))
        {
          g_assert (error != NULL);
          g_assert (error->message != NULL);
        }
    }

  return 0;
}
