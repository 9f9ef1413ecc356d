/* sp-atomic-file-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Files that are either the old one or complete, never half written:
 * written under a temporary name beside their path (same directory, so
 * same file system) and renamed over it once complete. Session files
 * (HDF5 opens them by name) and exports both go through here.
 *
 * GIO's g_file_replace() does this only when the file already exists; a
 * new file it writes in place, where a crash leaves half of it. */

/* Creates the temporary file for @path, mode 0644, and returns its
 * descriptor (or -1 with @error set) and its name in @tmp_path. */
int      sp_atomic_file_open    (const char  *path,
                                 char       **tmp_path,
                                 GError     **error);
/* Renames @from over @path; @what names the contents in the error. */
gboolean sp_atomic_file_rename  (const char  *from,
                                 const char  *path,
                                 const char  *what,
                                 GError     **error);
/* When @ok, renames @tmp_path over @path; otherwise, or if that fails,
 * removes @tmp_path. Returns whether @path now holds the new file. */
gboolean sp_atomic_file_commit  (const char  *tmp_path,
                                 const char  *path,
                                 const char  *what,
                                 gboolean     ok,
                                 GError     **error);

G_END_DECLS
