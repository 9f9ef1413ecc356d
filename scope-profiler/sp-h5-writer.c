/* sp-h5-writer.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <hdf5.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sp-error.h"
#include "sp-h5-util-private.h"
#include "sp-h5-writer-private.h"
#include "sp-metadata-private.h"

/* Session files use the layout of the Python scope-profiler's schema 1, so
 * its readers open them unchanged:
 *
 *   /                                  attr scope_profiler_schema = 1
 *   /metadata                          attributes only
 *   /rank<N>/regions/<name>/start_times  int64 [n]
 *   /rank<N>/regions/<name>/end_times    int64 [n]
 *   /rank<N>/regions/<name>/thread_ids   int64 [n]   (extension)
 *   /rank<N>/regions/<name>              attrs name, num_calls (extension)
 *   /rank<N>/threads/{index,native_id,name}           (extension)
 */

#define SP_H5_MIN_CHUNK 1024
#define SP_H5_MAX_CHUNK (128 * 1024)

static void
sp_writer_region_free (SpWriterRegion *region)
{
  /* Gaps left by sp_writer_rank_get_region() are NULL. */
  if (region == NULL)
    return;

  g_free (region->name);
  g_array_unref (region->blocks);
  g_free (region);
}

static void
sp_writer_thread_clear (SpWriterThread *thread)
{
  g_free (thread->name);
}

SpWriterRank *
sp_writer_rank_new (guint rank)
{
  SpWriterRank *self = g_new0 (SpWriterRank, 1);

  self->rank = rank;
  self->regions = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_writer_region_free);
  self->threads = g_array_new (FALSE, TRUE, sizeof (SpWriterThread));
  g_array_set_clear_func (self->threads, (GDestroyNotify) sp_writer_thread_clear);

  return self;
}

void
sp_writer_rank_free (SpWriterRank *self)
{
  g_ptr_array_unref (self->regions);
  g_array_unref (self->threads);
  g_free (self);
}

/* Regions are addressed by their index in the session; a gap (a region
 * whose name never reached the spill file) stays NULL. */
SpWriterRegion *
sp_writer_rank_get_region (SpWriterRank *self,
                           guint         index,
                           const char   *name)
{
  SpWriterRegion *region;

  if (index >= self->regions->len)
    g_ptr_array_set_size (self->regions, index + 1);

  region = g_ptr_array_index (self->regions, index);

  if (region == NULL && name != NULL)
    {
      region = g_new0 (SpWriterRegion, 1);
      region->name = g_strdup (name);
      region->blocks = g_array_new (FALSE, FALSE, sizeof (SpWriterBlock));
      g_ptr_array_index (self->regions, index) = region;
    }

  return region;
}

void
sp_writer_rank_add_thread (SpWriterRank *self,
                           gint64        index,
                           gint64        native_id,
                           const char   *name)
{
  SpWriterThread thread;

  for (guint i = 0; i < self->threads->len; i++)
    if (g_array_index (self->threads, SpWriterThread, i).index == index)
      return;

  thread.index = index;
  thread.native_id = native_id;
  thread.name = g_utf8_make_valid (name ? name : "", -1);
  g_array_append_val (self->threads, thread);
}

void
sp_writer_region_add_block (SpWriterRegion *self,
                            gint64          thread,
                            const gint64   *starts,
                            const gint64   *ends,
                            guint32         n)
{
  SpWriterBlock block = { starts, ends, thread, n, FALSE };

  if (n == 0)
    return;

  g_array_append_val (self->blocks, block);
  self->n_events += n;
}

/* A block read from a mapped spill file: once written, its pages are
 * handed back, so finalizing a long run does not pull the whole spill file
 * into the process's resident memory. */
void
sp_writer_region_add_mapped_block (SpWriterRegion *self,
                                   gint64          thread,
                                   const gint64   *starts,
                                   const gint64   *ends,
                                   guint32         n)
{
  sp_writer_region_add_block (self, thread, starts, ends, n);
  if (n > 0)
    g_array_index (self->blocks, SpWriterBlock, self->blocks->len - 1).mapped = TRUE;
}

static void
release_pages (const void *data,
               gsize       size)
{
  gsize page = sysconf (_SC_PAGESIZE);
  guintptr begin = ((guintptr) data + page - 1) & ~(page - 1);
  guintptr end = ((guintptr) data + size) & ~(page - 1);

  if (end > begin)
    madvise ((void *) begin, end - begin, MADV_DONTNEED);
}

static hid_t
create_column (hid_t        group,
               const char  *name,
               guint64      n)
{
  hsize_t dims[1] = { n };
  hsize_t maxdims[1] = { H5S_UNLIMITED };
  hsize_t chunk[1];
  hid_t space, dcpl, dset;

  /* Chunked and resizable like the Python writer's datasets, with chunks
   * large enough that big regions do not drown in chunk index. */
  chunk[0] = CLAMP (n, 1, SP_H5_MAX_CHUNK);
  if (n > SP_H5_MIN_CHUNK)
    chunk[0] = MAX (chunk[0], SP_H5_MIN_CHUNK);

  space = H5Screate_simple (1, dims, maxdims);
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_chunk (dcpl, 1, chunk);
  dset = H5Dcreate2 (group, name, H5T_STD_I64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Pclose (dcpl);
  H5Sclose (space);

  return dset;
}

static gboolean
write_slab (hid_t         dset,
            guint64       offset,
            const gint64 *values,
            guint32       n)
{
  hsize_t start[1] = { offset };
  hsize_t count[1] = { n };
  hid_t file_space, mem_space;
  herr_t status;

  file_space = H5Dget_space (dset);
  H5Sselect_hyperslab (file_space, H5S_SELECT_SET, start, NULL, count, NULL);
  mem_space = H5Screate_simple (1, count, NULL);
  status = H5Dwrite (dset, H5T_NATIVE_INT64, mem_space, file_space, H5P_DEFAULT, values);
  H5Sclose (mem_space);
  H5Sclose (file_space);

  return status >= 0;
}

static gboolean
write_region (hid_t            regions_group,
              SpWriterRegion  *region,
              GArray          *scratch,
              GError         **error)
{
  g_autofree char *escaped = sp_h5_escape_name (region->name);
  hid_t group = -1, starts = -1, ends = -1, threads = -1;
  guint64 offset = 0;
  gboolean ret = FALSE;

  group = H5Gcreate2 (regions_group, escaped, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not create the group of region “%s”", region->name);
      return FALSE;
    }

  if (!sp_h5_write_attr_string (group, "name", region->name) ||
      !sp_h5_write_attr_int (group, "num_calls", (gint64) region->num_calls))
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not write the attributes of region “%s”", region->name);
      goto out;
    }

  starts = create_column (group, "start_times", region->n_events);
  ends = create_column (group, "end_times", region->n_events);
  threads = create_column (group, "thread_ids", region->n_events);
  if (starts < 0 || ends < 0 || threads < 0)
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not create the datasets of region “%s”", region->name);
      goto out;
    }

  for (guint i = 0; i < region->blocks->len; i++)
    {
      const SpWriterBlock *block = &g_array_index (region->blocks, SpWriterBlock, i);
      gint64 *ids;

      if (scratch->len < block->n)
        g_array_set_size (scratch, block->n);
      ids = (gint64 *)(gpointer) scratch->data;
      for (guint32 j = 0; j < block->n; j++)
        ids[j] = block->thread;

      if (!write_slab (starts, offset, block->starts, block->n) ||
          !write_slab (ends, offset, block->ends, block->n) ||
          !write_slab (threads, offset, ids, block->n))
        {
          sp_h5_set_error (error, SP_ERROR_IO, "Could not write the calls of region “%s”", region->name);
          goto out;
        }

      offset += block->n;

      if (block->mapped)
        {
          release_pages (block->starts, block->n * sizeof (gint64));
          release_pages (block->ends, block->n * sizeof (gint64));
        }
    }

  ret = TRUE;

out:
  if (threads >= 0) H5Dclose (threads);
  if (ends >= 0) H5Dclose (ends);
  if (starts >= 0) H5Dclose (starts);
  H5Gclose (group);

  return ret;
}

static gboolean
write_int_column (hid_t         group,
                  const char   *name,
                  const gint64 *values,
                  gsize         n)
{
  hsize_t dims[1] = { n };
  hid_t space = H5Screate_simple (1, dims, NULL);
  hid_t dset = H5Dcreate2 (group, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  herr_t status = -1;

  if (dset >= 0)
    {
      status = n ? H5Dwrite (dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) : 0;
      H5Dclose (dset);
    }
  H5Sclose (space);

  return status >= 0;
}

static gboolean
write_threads (hid_t          rank_group,
               GArray        *threads,
               GError       **error)
{
  g_autofree gint64 *index = g_new (gint64, threads->len + 1);
  g_autofree gint64 *native = g_new (gint64, threads->len + 1);
  g_autofree const char **names = g_new0 (const char *, threads->len + 1);
  hsize_t dims[1] = { threads->len };
  hid_t group, space, type, dset;
  herr_t status = -1;

  for (guint i = 0; i < threads->len; i++)
    {
      const SpWriterThread *t = &g_array_index (threads, SpWriterThread, i);
      index[i] = t->index;
      native[i] = t->native_id;
      names[i] = t->name;
    }

  group = H5Gcreate2 (rank_group, "threads", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    goto failed;

  if (!write_int_column (group, "index", index, threads->len) ||
      !write_int_column (group, "native_id", native, threads->len))
    {
      H5Gclose (group);
      goto failed;
    }

  type = sp_h5_string_type ();
  space = H5Screate_simple (1, dims, NULL);
  dset = H5Dcreate2 (group, "name", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (dset >= 0)
    {
      status = threads->len ? H5Dwrite (dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) : 0;
      H5Dclose (dset);
    }
  H5Sclose (space);
  H5Tclose (type);
  H5Gclose (group);

  if (status >= 0)
    return TRUE;

failed:
  sp_h5_set_error (error, SP_ERROR_IO, "Could not write the thread table");
  return FALSE;
}

static gboolean
write_file (hid_t           file,
            GPtrArray      *metadata,
            SpWriterRank  **ranks,
            guint           n_ranks,
            GError        **error)
{
  g_autoptr(GArray) scratch = g_array_new (FALSE, FALSE, sizeof (gint64));
  hid_t group;

  if (!sp_h5_write_attr_int (file, "scope_profiler_schema", 1))
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not write the schema attribute");
      return FALSE;
    }

  group = H5Gcreate2 (file, "metadata", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not create /metadata");
      return FALSE;
    }

  for (guint i = 0; metadata != NULL && i < metadata->len; i++)
    {
      const SpMetadataEntry *entry = g_ptr_array_index (metadata, i);
      gboolean ok;

      if (entry->string != NULL)
        ok = sp_h5_write_attr_string (group, entry->key, entry->string);
      else
        ok = sp_h5_write_attr_int (group, entry->key, entry->integer);

      if (!ok)
        {
          sp_h5_set_error (error, SP_ERROR_IO, "Could not write metadata “%s”", entry->key);
          H5Gclose (group);
          return FALSE;
        }
    }
  H5Gclose (group);

  for (guint r = 0; r < n_ranks; r++)
    {
      g_autofree char *rank_name = g_strdup_printf ("rank%u", ranks[r]->rank);
      hid_t rank_group, regions_group;
      gboolean ok = TRUE;

      rank_group = H5Gcreate2 (file, rank_name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (rank_group < 0)
        {
          sp_h5_set_error (error, SP_ERROR_IO, "Could not create /%s", rank_name);
          return FALSE;
        }

      regions_group = H5Gcreate2 (rank_group, "regions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (regions_group < 0)
        {
          sp_h5_set_error (error, SP_ERROR_IO, "Could not create /%s/regions", rank_name);
          H5Gclose (rank_group);
          return FALSE;
        }

      for (guint i = 0; ok && i < ranks[r]->regions->len; i++)
        {
          SpWriterRegion *region = g_ptr_array_index (ranks[r]->regions, i);

          if (region != NULL)
            ok = write_region (regions_group, region, scratch, error);
        }

      H5Gclose (regions_group);

      if (ok)
        ok = write_threads (rank_group, ranks[r]->threads, error);

      H5Gclose (rank_group);

      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* An upper bound of the file's size: the columns plus generous room for
 * HDF5's object headers and chunk indexes. */
static guint64
estimate_size (SpWriterRank **ranks,
               guint          n_ranks)
{
  guint64 size = 128 * 1024;

  for (guint r = 0; r < n_ranks; r++)
    {
      size += 16 * 1024 + ranks[r]->threads->len * 256;

      for (guint i = 0; i < ranks[r]->regions->len; i++)
        {
          SpWriterRegion *region = g_ptr_array_index (ranks[r]->regions, i);

          if (region != NULL)
            size += 16 * 1024 + strlen (region->name) * 4 + region->n_events * 3 * sizeof (gint64);
        }
    }

  return size;
}

/* HDF5 1.10 cannot recover from a write that fails half way (a full disk):
 * the file stays half-open inside the library and crashes it at exit. So
 * the space is claimed up front, and a shortage is an error before HDF5
 * touches the file. */
static gboolean
reserve_space (int          fd,
               const char  *path,
               guint64      size,
               GError     **error)
{
  int r = posix_fallocate (fd, 0, size);

  if (r == EOPNOTSUPP || r == ENOSYS || r == EINVAL)
    return TRUE; /* the file system cannot tell; HDF5 will find out */

  if (r != 0)
    {
      g_set_error (error, SP_ERROR, SP_ERROR_IO,
                   "Not enough room to write the session “%s” (%" G_GUINT64_FORMAT " bytes): %s",
                   path, size, g_strerror (r));
      return FALSE;
    }

  if (ftruncate (fd, 0) != 0)
    {
      int errsv = errno;
      g_set_error (error, SP_ERROR, SP_ERROR_IO,
                   "Could not prepare “%s”: %s", path, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

/* Creates the temporary file beside @path that a session is written to,
 * with @size bytes claimed for it. */
hid_t
sp_h5_create_temp (const char  *path,
                   guint64      size,
                   char       **tmp_path,
                   GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  SpH5Quiet quiet;
  hid_t fapl, file;
  int fd;

  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, SP_ERROR, SP_ERROR_IO,
                   "Could not create a file in “%s” for “%s”: %s",
                   dir, path, g_strerror (errsv));
      return -1;
    }

  if (!reserve_space (fd, path, size, error))
    {
      close (fd);
      g_unlink (tmpl);
      return -1;
    }
  close (fd);

  sp_h5_quiet_push (&quiet);
  fapl = H5Pcreate (H5P_FILE_ACCESS);
  /* The file is ours alone until it is renamed into place. */
  H5Pset_file_locking (fapl, FALSE, TRUE);
  file = H5Fcreate (tmpl, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  H5Pclose (fapl);

  if (file < 0)
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not create “%s”", tmpl);
      g_unlink (tmpl);
    }
  sp_h5_quiet_pop (&quiet);

  if (file >= 0)
    *tmp_path = g_steal_pointer (&tmpl);

  return file;
}

/* Closes @file and, when everything went well (@ok), renames it over
 * @path; otherwise removes it. */
gboolean
sp_h5_commit_temp (hid_t        file,
                   const char  *tmp_path,
                   const char  *path,
                   gboolean     ok,
                   GError     **error)
{
  SpH5Quiet quiet;

  sp_h5_quiet_push (&quiet);
  if (H5Fclose (file) < 0 && ok)
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not finish writing “%s”", path);
      ok = FALSE;
    }
  sp_h5_quiet_pop (&quiet);

  if (ok && g_rename (tmp_path, path) != 0)
    {
      int errsv = errno;
      g_set_error (error, SP_ERROR, SP_ERROR_IO,
                   "Could not move the session into “%s”: %s",
                   path, g_strerror (errsv));
      ok = FALSE;
    }

  if (!ok)
    g_unlink (tmp_path);

  return ok;
}

/**
 * sp_h5_write_session:
 *
 * Writes a whole session to a temporary file beside @path, then renames it
 * over @path, so a reader never sees a half-written session. On failure
 * nothing is left behind and @path is untouched.
 */
gboolean
sp_h5_write_session (const char     *path,
                     GPtrArray      *metadata,
                     SpWriterRank  **ranks,
                     guint           n_ranks,
                     GError        **error)
{
  g_autofree char *tmp_path = NULL;
  SpH5Quiet quiet;
  gboolean ok;
  hid_t file;

  file = sp_h5_create_temp (path, estimate_size (ranks, n_ranks), &tmp_path, error);
  if (file < 0)
    return FALSE;

  sp_h5_quiet_push (&quiet);
  ok = write_file (file, metadata, ranks, n_ranks, error);
  sp_h5_quiet_pop (&quiet);

  return sp_h5_commit_temp (file, tmp_path, path, ok, error);
}
