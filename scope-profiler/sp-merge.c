/* sp-merge.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <hdf5.h>
#include <sys/stat.h>

#include "sp-error.h"
#include "sp-h5-util-private.h"
#include "sp-h5-writer-private.h"
#include "sp-ranks-private.h"

/* A multi-process run without MPI: every rank writes <file>.rank<N>.h5
 * atomically, rank 0 waits for them (bounded) and copies their /rank<N>
 * groups into one session. A rank that never arrives is named in the
 * session's metadata (missing_ranks) and in a warning; its part can still
 * be merged later with `scope-profiler merge`. */

static hid_t
open_part (const char *path)
{
  hid_t fapl = H5Pcreate (H5P_FILE_ACCESS);
  hid_t file;

  H5Pset_file_locking (fapl, FALSE, TRUE);
  file = H5Fopen (path, H5F_ACC_RDONLY, fapl);
  H5Pclose (fapl);

  return file;
}

/* A part left over from another job (same output path, run earlier) must
 * not be mixed in: when the launcher names its job, the part's must match. */
static gboolean
part_belongs (const char    *path,
              const SpRanks *ranks)
{
  g_autofree char *job = NULL;
  gboolean ok = TRUE;
  hid_t file, meta;

  if (ranks->job_id == NULL)
    return TRUE;

  file = open_part (path);
  if (file < 0)
    return FALSE;

  meta = H5Gopen2 (file, "metadata", H5P_DEFAULT);
  if (meta >= 0)
    {
      job = sp_h5_read_attr_string (meta, "job_id");
      ok = g_strcmp0 (job, ranks->job_id) == 0;
      H5Gclose (meta);
    }
  H5Fclose (file);

  return ok;
}

static guint
wait_for_parts (const char    *output,
                const SpRanks *ranks,
                guint          timeout_seconds,
                gboolean      *present)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  gulong delay = 10000;
  guint found = 0;

  for (;;)
    {
      for (int k = 0; k < ranks->size; k++)
        {
          g_autofree char *part = NULL;

          if (present[k])
            continue;

          part = sp_rank_part_path (output, k);
          if (g_file_test (part, G_FILE_TEST_IS_REGULAR) && part_belongs (part, ranks))
            {
              present[k] = TRUE;
              found++;
            }
        }

      if (found == (guint) ranks->size || g_get_monotonic_time () >= deadline)
        return found;

      g_usleep (delay);
      delay = MIN (delay * 2, 250000);
    }
}

gboolean
sp_merge_rank_parts (const char     *output,
                     const SpRanks  *ranks,
                     guint           timeout_seconds,
                     GError        **error)
{
  g_autofree gboolean *present = g_new0 (gboolean, ranks->size);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree char *tmp_path = NULL;
  SpH5Quiet quiet;
  guint64 size = 64 * 1024;
  gboolean ok = TRUE;
  gboolean have_metadata = FALSE;
  guint found;
  hid_t out;

  found = wait_for_parts (output, ranks, timeout_seconds, present);

  for (int k = 0; k < ranks->size; k++)
    {
      g_autofree char *part = sp_rank_part_path (output, k);
      GStatBuf st;

      if (!present[k])
        g_string_append_printf (missing, "%s%d", missing->len ? "," : "", k);
      else if (g_stat (part, &st) == 0)
        size += st.st_size;
    }

  if (found == 0)
    {
      g_set_error (error, SP_ERROR, SP_ERROR_IO,
                   "No rank wrote its part of “%s” within %u s", output, timeout_seconds);
      return FALSE;
    }

  out = sp_h5_create_temp (output, size, &tmp_path, error);
  if (out < 0)
    return FALSE;

  sp_h5_quiet_push (&quiet);

  for (int k = 0; ok && k < ranks->size; k++)
    {
      g_autofree char *part = NULL;
      g_autofree char *group = NULL;
      hid_t in;

      if (!present[k])
        continue;

      part = sp_rank_part_path (output, k);
      group = g_strdup_printf ("rank%d", k);
      in = open_part (part);

      if (in < 0)
        {
          sp_h5_set_error (error, SP_ERROR_INVALID_FILE, "Could not open the part “%s”", part);
          ok = FALSE;
          break;
        }

      if (H5Lexists (in, group, H5P_DEFAULT) <= 0 ||
          H5Ocopy (in, group, out, group, H5P_DEFAULT, H5P_DEFAULT) < 0)
        {
          sp_h5_set_error (error, SP_ERROR_INVALID_FILE, "Could not copy /%s from “%s”", group, part);
          ok = FALSE;
        }
      else if (!have_metadata)
        {
          /* The lowest rank present speaks for the run. */
          if (H5Lexists (in, "metadata", H5P_DEFAULT) > 0 &&
              H5Ocopy (in, "metadata", out, "metadata", H5P_DEFAULT, H5P_DEFAULT) >= 0)
            have_metadata = TRUE;
        }

      H5Fclose (in);
    }

  if (ok)
    {
      hid_t meta = have_metadata ? H5Gopen2 (out, "metadata", H5P_DEFAULT)
                                 : H5Gcreate2 (out, "metadata", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      gint64 omp = 1;

      if (meta >= 0)
        {
          if (H5Aexists (meta, "omp_num_threads") > 0)
            {
              hid_t a = H5Aopen (meta, "omp_num_threads", H5P_DEFAULT);
              H5Aread (a, H5T_NATIVE_INT64, &omp);
              H5Aclose (a);
            }

          for (guint i = 0; i < 4; i++)
            {
              static const char *replaced[] = { "mpi_size", "total_cores", "rank", "missing_ranks" };
              if (H5Aexists (meta, replaced[i]) > 0)
                H5Adelete (meta, replaced[i]);
            }

          ok = sp_h5_write_attr_int (meta, "mpi_size", ranks->size) &&
               sp_h5_write_attr_int (meta, "total_cores", omp * ranks->size) &&
               (missing->len == 0 || sp_h5_write_attr_string (meta, "missing_ranks", missing->str));
          H5Gclose (meta);
        }
      else
        ok = FALSE;

      ok = ok && sp_h5_write_attr_int (out, "scope_profiler_schema", 1);
      if (!ok)
        sp_h5_set_error (error, SP_ERROR_IO, "Could not write the metadata of “%s”", output);
    }

  sp_h5_quiet_pop (&quiet);

  if (!sp_h5_commit_temp (out, tmp_path, output, ok, error))
    return FALSE;

  for (int k = 0; k < ranks->size; k++)
    if (present[k])
      {
        g_autofree char *part = sp_rank_part_path (output, k);
        g_unlink (part);
      }

  if (missing->len > 0)
    g_warning ("Session “%s” is missing rank(s) %s of %d: they did not finish within %u s. "
               "Merge their parts later with “scope-profiler merge”.",
               output, missing->str, ranks->size, timeout_seconds);

  return TRUE;
}
