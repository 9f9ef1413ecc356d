/* fuzz-session.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The session reader on arbitrary bytes: whatever the file holds, loading
 * it gives a session or a GError, never a crash, a critical or a session
 * that breaks its own invariants (valid UTF-8 names, lanes that point at
 * real regions, parents inside the lane).
 *
 * Built twice: fuzz-session mutates any byte (and so also reaches the
 * crashes libhdf5 1.10 has on corrupted metadata, see README.md);
 * fuzz-session-values (SP_FUZZ_VALUES) mutates only the values stored in
 * datasets, so every input stays a structurally valid HDF5 file and what
 * it finds is ours.
 */

#include "config.h"

#include "sp-fuzz-util.h"

static char *path;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  sp_fuzz_init ();
  /* Nothing in a file is a programmer error. */
  sp_fuzz_set_fatal_criticals (TRUE);
  path = g_build_filename (sp_fuzz_tmpdir (), "session.h5", NULL);
  return 0;
}

#ifdef SP_FUZZ_VALUES
size_t
LLVMFuzzerCustomMutator (uint8_t      *data,
                         size_t        size,
                         size_t        max_size,
                         unsigned int  seed)
{
  return sp_fuzz_mutate_values (data, size, max_size, seed);
}
#endif

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;

  sp_fuzz_write_file (path, data, size);

  session = sp_session_new_from_file (path, NULL, &error);
  if (session == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->message != NULL);
      return 0;
    }

  g_assert_no_error (error);
  g_assert (sp_session_get_loaded (session));
  sp_fuzz_walk_session (session);

  return 0;
}
