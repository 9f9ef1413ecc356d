/* sp-atomic-file.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "sp-atomic-file-private.h"
#include "sp-error-private.h"

int
sp_atomic_file_open (const char  *path,
                     char       **tmp_path,
                     GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  int fd;

  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                   "Could not create a file in “%s” for “%s”: %s",
                   dir, path, g_strerror (errsv));
      return -1;
    }

  *tmp_path = g_steal_pointer (&tmpl);

  return fd;
}

gboolean
sp_atomic_file_rename (const char  *from,
                       const char  *path,
                       const char  *what,
                       GError     **error)
{
  if (g_rename (from, path) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                   "Could not move %s into “%s”: %s", what, path, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

gboolean
sp_atomic_file_commit (const char  *tmp_path,
                       const char  *path,
                       const char  *what,
                       gboolean     ok,
                       GError     **error)
{
  ok = ok && sp_atomic_file_rename (tmp_path, path, what, error);

  if (!ok)
    g_unlink (tmp_path);

  return ok;
}
