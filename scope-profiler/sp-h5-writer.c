/* sp-h5-writer.c
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
#include <hdf5.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-atomic-file-private.h"
#include "sp-error.h"
#include "sp-error-private.h"
#include "sp-h5-adopt-private.h"
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
#define SP_H5_ISTORE_K 8
/* Regions written between two flushes of the metadata cache. */
#define SP_H5_FLUSH_REGIONS 64

static void
sp_writer_region_free (SpWriterRegion *region)
{
  /* Gaps left by sp_writer_rank_get_region() are NULL. */
  if (region == NULL)
    return;

  g_free (region->name);
  g_array_unref (region->blocks);
  g_free (region->source_file);
  g_free (region->source_text);
  g_free (region->tags);
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
      region->source_line = -1;
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

  memset (&thread, 0, sizeof thread);
  thread.index = index;
  thread.native_id = native_id;
  thread.name = g_utf8_make_valid (name ? name : "", -1);
  g_array_append_val (self->threads, thread);
}

/* The lifetime and CPU time of thread @index (added before). */
void
sp_writer_rank_set_thread_times (SpWriterRank *self,
                                 gint64        index,
                                 gint64        start_ns,
                                 gint64        end_ns,
                                 gint64        cpu_ns)
{
  for (guint i = 0; i < self->threads->len; i++)
    {
      SpWriterThread *thread = &g_array_index (self->threads, SpWriterThread, i);

      if (thread->index == index)
        {
          thread->has_times = TRUE;
          thread->start_ns = start_ns;
          thread->end_ns = end_ns;
          thread->cpu_ns = cpu_ns;
          return;
        }
    }
}

static void
append_block (SpWriterRegion      *self,
              const SpWriterBlock *block)
{
  if (block->n == 0)
    return;

  g_array_append_vals (self->blocks, block, 1);
  self->n_events += block->n;
}

void
sp_writer_region_add_block (SpWriterRegion *self,
                            gint64          thread,
                            const gint64   *starts,
                            const gint64   *ends,
                            guint32         n)
{
  SpWriterBlock block = { .starts = starts, .ends = ends, .thread = thread, .n = n };

  append_block (self, &block);
}

/* A block of a spill file: @offset is where its start times are, as
 * reported by sp_spill_reader_visit(). Its calls are read (and checked)
 * when it is written, so finalizing a long run holds one chunk of calls
 * in memory, not the spill file. */
void
sp_writer_region_add_stored_block (SpWriterRegion *self,
                                   gint64          thread,
                                   SpSpillReader  *spill,
                                   goffset         offset,
                                   guint32         n)
{
  SpWriterBlock block = { .spill = spill, .offset = offset, .thread = thread, .n = n };

  append_block (self, &block);
}

/* Columns are written a whole chunk at a time with H5Dwrite_chunk(): no
 * chunk cache, no fill, no type conversion, one pwrite() per chunk from
 * these buffers, which are reused for every chunk of the session (HDF5's
 * own write path allocates a fresh chunk buffer each time, and fresh
 * memory is what costs most here). */
enum { COLUMN_STARTS, COLUMN_ENDS, COLUMN_THREADS, N_COLUMNS };

static const char * const column_names[N_COLUMNS] = { "start_times", "end_times", "thread_ids" };

typedef struct
{
  gint64   *columns[N_COLUMNS];
  gsize     capacity;  /* calls per column */
  gpointer  memory;
  gboolean  aligned;
  /* The thread column's first @threads_valid entries hold @thread: most
   * chunks are one thread's, and need not be filled again. */
  gint64    thread;
  gsize     threads_valid;
} Staging;

#define SP_HUGE_PAGE (2 * 1024 * 1024)

static void
staging_clear (Staging *self)
{
  if (self->aligned)
    g_aligned_free (self->memory);
  else
    g_free (self->memory);
  memset (self, 0, sizeof *self);
}

static void
staging_reserve (Staging *self,
                 gsize    capacity)
{
  gsize size;

  if (capacity <= self->capacity)
    return;

  staging_clear (self);

  /* Large buffers ask for huge pages: two faults instead of hundreds. */
  size = N_COLUMNS * capacity * sizeof (gint64);
  if (size >= SP_HUGE_PAGE / 2)
    {
      size = (size + SP_HUGE_PAGE - 1) & ~(gsize) (SP_HUGE_PAGE - 1);
      self->memory = g_aligned_alloc (1, size, SP_HUGE_PAGE);
      self->aligned = TRUE;
      madvise (self->memory, size, MADV_HUGEPAGE);
    }
  else
    self->memory = g_malloc (size);

  self->capacity = capacity;
  for (guint c = 0; c < N_COLUMNS; c++)
    self->columns[c] = (gint64 *) self->memory + c * capacity;
}

/* Puts @thread in calls @from to @to of the thread column. */
static void
staging_set_thread (Staging *self,
                    gsize    from,
                    gsize    to,
                    gint64   thread)
{
  gint64 *threads = self->columns[COLUMN_THREADS];

  if (thread == self->thread && from <= self->threads_valid)
    {
      for (gsize i = self->threads_valid; i < to; i++)
        threads[i] = thread;
      self->threads_valid = MAX (self->threads_valid, to);
      return;
    }

  for (gsize i = from; i < to; i++)
    threads[i] = thread;

  if (from == 0)
    {
      self->thread = thread;
      self->threads_valid = to;
    }
  else
    self->threads_valid = MIN (self->threads_valid, from);
}

static hsize_t
chunk_length (guint64 n)
{
  /* Chunked and resizable like the Python writer's datasets, with chunks
   * large enough that big regions do not drown in chunk index. */
  hsize_t chunk = CLAMP (n, 1, SP_H5_MAX_CHUNK);

  if (n > SP_H5_MIN_CHUNK)
    chunk = MAX (chunk, SP_H5_MIN_CHUNK);

  return chunk;
}

/* What every region's objects are made with, created once per file:
 * HDF5 makes each property list, datatype and dataspace a registered
 * object, and creating, filling and closing a dataset creation list per
 * dataset cost a quarter as much again as creating the dataset itself
 * (callgrind: 17,000 instructions against 69,000). */
typedef struct
{
  hid_t   dcpl;         /* the columns': chunked, with chunks of dcpl_chunk */
  hsize_t dcpl_chunk;
  hid_t   string_type;  /* variable-length UTF-8 */
  hid_t   scalar;
  Staging staging;
  /* Set when the file being written is @adopt's spill file: its full
   * blocks become chunks where they lie (sp-h5-adopt.c). */
  hid_t          file;
  SpSpillReader *adopt;
} Writer;

static void
writer_init (Writer *self)
{
  memset (self, 0, sizeof *self);
  self->dcpl = H5Pcreate (H5P_DATASET_CREATE);
  self->string_type = sp_h5_string_type ();
  self->scalar = H5Screate (H5S_SCALAR);
}

static void
writer_clear (Writer *self)
{
  H5Pclose (self->dcpl);
  H5Tclose (self->string_type);
  H5Sclose (self->scalar);
  staging_clear (&self->staging);
}

static gboolean
write_attr (Writer        *self,
            hid_t          loc,
            const char    *name,
            hid_t          file_type,
            hid_t          mem_type,
            gconstpointer  value)
{
  hid_t attr = H5Acreate2 (loc, name, file_type, self->scalar, H5P_DEFAULT, H5P_DEFAULT);
  herr_t status = -1;

  if (attr >= 0)
    {
      status = H5Awrite (attr, mem_type, value);
      H5Aclose (attr);
    }

  return status >= 0;
}

static hid_t
create_column (Writer      *self,
               hid_t        group,
               const char  *name,
               hid_t        space,
               hsize_t      chunk)
{
  /* Most regions of a session share a chunk length: the list is only
   * changed when it differs. */
  if (chunk != self->dcpl_chunk)
    {
      if (H5Pset_chunk (self->dcpl, 1, &chunk) < 0)
        return -1;
      self->dcpl_chunk = chunk;
    }

  return H5Dcreate2 (group, name, H5T_STD_I64LE, space, H5P_DEFAULT, self->dcpl, H5P_DEFAULT);
}

/* Writes the first @n calls of the staged chunk, number @index, of each
 * column; the rest of a last, partial chunk is zero (HDF5 stores edge
 * chunks whole). */
static gboolean
write_chunk (hid_t    *dsets,
             Staging  *staging,
             hsize_t   chunk,
             guint64   index,
             gsize     n)
{
  hsize_t offset[1] = { index * chunk };

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      gint64 *values = staging->columns[c];

      if (n < chunk)
        {
          memset (values + n, 0, (chunk - n) * sizeof (gint64));
          if (c == COLUMN_THREADS)
            staging->threads_valid = MIN (staging->threads_valid, n);
        }
#if G_BYTE_ORDER != G_LITTLE_ENDIAN
      /* The datasets are little-endian and a direct write converts nothing. */
      for (gsize i = 0; i < n; i++)
        values[i] = GINT64_TO_LE (values[i]);
      if (c == COLUMN_THREADS)
        staging->threads_valid = 0;
#endif
      if (H5Dwrite_chunk (dsets[c], H5P_DEFAULT, 0, offset, chunk * sizeof (gint64), values) < 0)
        return FALSE;
    }

  return TRUE;
}

/* A block is adopted when it is a whole chunk of the region, in the spill
 * file the session is made of: its start and end times are the chunks of
 * those columns, as they lie. The region's chunks are then as long as its
 * first block (a full buffer, when the region ever flushed). */
static hsize_t
region_chunk_length (Writer         *writer,
                     SpWriterRegion *region)
{
  if (writer->adopt != NULL && region->blocks->len > 0)
    {
      const SpWriterBlock *first = &g_array_index (region->blocks, SpWriterBlock, 0);

      if (first->spill == writer->adopt && first->n >= SP_H5_MIN_CHUNK && first->n <= SP_H5_MAX_CHUNK)
        return first->n;
    }

  return chunk_length (region->n_events);
}

static gboolean
block_is_adopted (Writer              *writer,
                  const SpWriterBlock *block,
                  hsize_t              chunk,
                  gsize                fill)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  /* The spill file holds native int64s, the columns little-endian ones. */
  return writer->adopt != NULL && block->spill == writer->adopt && block->n == chunk && fill == 0;
#else
  return FALSE;
#endif
}

/* How many calls of @region are written anew (not adopted). */
static guint64
region_calls_written (Writer         *writer,
                      SpWriterRegion *region)
{
  hsize_t chunk = region_chunk_length (writer, region);
  guint64 written = 0;
  gsize fill = 0;

  for (guint i = 0; i < region->blocks->len; i++)
    {
      const SpWriterBlock *block = &g_array_index (region->blocks, SpWriterBlock, i);

      if (block_is_adopted (writer, block, chunk, fill))
        continue;

      written += block->n;
      fill = (fill + block->n) % chunk;
    }

  return written;
}

static gboolean
write_adopted_chunk (Writer              *writer,
                     hid_t               *dsets,
                     hsize_t              chunk,
                     guint64              index,
                     const SpWriterBlock *block)
{
  Staging *staging = &writer->staging;
  gsize bytes = chunk * sizeof (gint64);
  hsize_t offset[1] = { index * chunk };

  staging_set_thread (staging, 0, chunk, block->thread);

  return sp_h5_adopt_write_chunk (writer->file, dsets[COLUMN_STARTS], offset[0],
                                  block->offset, bytes, staging->columns[COLUMN_STARTS]) &&
         sp_h5_adopt_write_chunk (writer->file, dsets[COLUMN_ENDS], offset[0],
                                  block->offset + bytes, bytes, staging->columns[COLUMN_ENDS]) &&
         H5Dwrite_chunk (dsets[COLUMN_THREADS], H5P_DEFAULT, 0, offset, bytes,
                         staging->columns[COLUMN_THREADS]) >= 0;
}

static gboolean
write_region (Writer          *writer,
              hid_t            regions_group,
              SpWriterRegion  *region,
              GError         **error)
{
  g_autofree char *escaped = sp_h5_escape_name (region->name);
  Staging *staging = &writer->staging;
  hid_t group = -1, space = -1;
  hid_t dsets[N_COLUMNS] = { -1, -1, -1 };
  hsize_t dims[1] = { region->n_events };
  hsize_t maxdims[1] = { H5S_UNLIMITED };
  hsize_t chunk = region_chunk_length (writer, region);
  gint64 num_calls = (gint64) region->num_calls;
  guint64 index = 0;
  gsize fill = 0;
  gboolean ret = FALSE;

  group = H5Gcreate2 (regions_group, escaped, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not create the group of region “%s”", region->name);
      return FALSE;
    }

  if (!write_attr (writer, group, "name", writer->string_type, writer->string_type, &region->name) ||
      !write_attr (writer, group, "num_calls", H5T_STD_I64LE, H5T_NATIVE_INT64, &num_calls) ||
      (region->source_file != NULL &&
       !write_attr (writer, group, "source_file", writer->string_type, writer->string_type, &region->source_file)) ||
      (region->source_line >= 0 &&
       !write_attr (writer, group, "source_lineno", H5T_STD_I64LE, H5T_NATIVE_INT64, &region->source_line)) ||
      (region->source_text != NULL &&
       !write_attr (writer, group, "source_text", writer->string_type, writer->string_type, &region->source_text)) ||
      (region->tags != NULL &&
       !write_attr (writer, group, "tags", writer->string_type, writer->string_type, &region->tags)))
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not write the attributes of region “%s”", region->name);
      goto out;
    }

  /* Chunked and resizable like the Python writer's datasets. */
  space = H5Screate_simple (1, dims, maxdims);
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      dsets[c] = space >= 0 ? create_column (writer, group, column_names[c], space, chunk) : -1;
      if (dsets[c] < 0)
        {
          sp_h5_set_error (error, SP_ERROR_IO, "Could not create the datasets of region “%s”", region->name);
          goto out;
        }
    }

  staging_reserve (staging, chunk);

  for (guint i = 0; i < region->blocks->len; i++)
    {
      const SpWriterBlock *block = &g_array_index (region->blocks, SpWriterBlock, i);

      if (block_is_adopted (writer, block, chunk, fill))
        {
          if (!write_adopted_chunk (writer, dsets, chunk, index, block))
            goto failed_write;
          index++;
          continue;
        }

      for (guint32 done = 0; done < block->n;)
        {
          guint32 take = MIN (block->n - done, chunk - fill);
          gint64 *starts = staging->columns[COLUMN_STARTS] + fill;
          gint64 *ends = staging->columns[COLUMN_ENDS] + fill;

          if (block->spill != NULL)
            {
              if (!sp_spill_reader_read_calls (block->spill, block->offset, block->n,
                                               done, take, starts, ends, error))
                goto out;
            }
          else
            {
              memcpy (starts, block->starts + done, take * sizeof (gint64));
              memcpy (ends, block->ends + done, take * sizeof (gint64));
            }
          staging_set_thread (staging, fill, fill + take, block->thread);

          done += take;
          fill += take;

          if (fill == chunk)
            {
              if (!write_chunk (dsets, staging, chunk, index, fill))
                goto failed_write;
              index++;
              fill = 0;
            }
        }
    }

  if (fill > 0 && !write_chunk (dsets, staging, chunk, index, fill))
    goto failed_write;

  ret = TRUE;
  goto out;

failed_write:
  sp_h5_set_error (error, SP_ERROR_IO, "Could not write the calls of region “%s”", region->name);

out:
  for (guint c = 0; c < N_COLUMNS; c++)
    if (dsets[c] >= 0)
      H5Dclose (dsets[c]);
  if (space >= 0)
    H5Sclose (space);
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
  g_autofree gint64 *start = g_new (gint64, threads->len + 1);
  g_autofree gint64 *end = g_new (gint64, threads->len + 1);
  g_autofree gint64 *cpu = g_new (gint64, threads->len + 1);
  hsize_t dims[1] = { threads->len };
  hid_t group, space, type, dset;
  herr_t status = -1;
  gboolean has_times = FALSE;

  for (guint i = 0; i < threads->len; i++)
    {
      const SpWriterThread *t = &g_array_index (threads, SpWriterThread, i);
      index[i] = t->index;
      native[i] = t->native_id;
      names[i] = t->name;
      start[i] = t->has_times ? t->start_ns : -1;
      end[i] = t->has_times ? t->end_ns : -1;
      cpu[i] = t->has_times ? t->cpu_ns : -1;
      has_times |= t->has_times;
    }

  group = H5Gcreate2 (rank_group, "threads", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    goto failed;

  if (!write_int_column (group, "index", index, threads->len) ||
      !write_int_column (group, "native_id", native, threads->len) ||
      (has_times &&
       (!write_int_column (group, "start_time", start, threads->len) ||
        !write_int_column (group, "end_time", end, threads->len) ||
        !write_int_column (group, "cpu_time", cpu, threads->len))))
    {
      H5Gclose (group);
      goto failed;
    }

  type = sp_h5_string_type ();
  space = H5Screate_simple (1, dims, NULL);
  dset = H5Dcreate2 (group, "name", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (dset >= 0)
    {
      /* Strings are converted on the way: through a buffer sized for them
       * rather than HDF5's default 1 MiB, allocated and zeroed afresh. */
      hid_t dxpl = H5Pcreate (H5P_DATASET_XFER);

      H5Pset_buffer (dxpl, MAX (threads->len, 64) * sizeof (hvl_t), NULL, NULL);
      status = threads->len ? H5Dwrite (dset, type, H5S_ALL, H5S_ALL, dxpl, names) : 0;
      H5Pclose (dxpl);
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
write_file_with (Writer         *writer,
                 hid_t           file,
                 GPtrArray      *metadata,
                 SpWriterRank  **ranks,
                 guint           n_ranks,
                 GError        **error)
{
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

      for (guint i = 0, written = 0; ok && i < ranks[r]->regions->len; i++)
        {
          SpWriterRegion *region = g_ptr_array_index (ranks[r]->regions, i);

          if (region == NULL)
            continue;

          ok = write_region (writer, regions_group, region, error);

          /* Left alone, a full metadata cache writes each entry it evicts
           * with a pwrite() of its own (ten per region); a flush now and
           * then writes the dirty entries in address order, merged, and
           * leaves them clean to evict. */
          if (ok && ++written % SP_H5_FLUSH_REGIONS == 0 && H5Fflush (regions_group, H5F_SCOPE_LOCAL) < 0)
            {
              sp_h5_set_error (error, SP_ERROR_IO, "Could not write the regions of /%s", rank_name);
              ok = FALSE;
            }
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

static gboolean
write_file (hid_t           file,
            SpSpillReader  *adopt,
            GPtrArray      *metadata,
            SpWriterRank  **ranks,
            guint           n_ranks,
            GError        **error)
{
  Writer writer;
  gboolean ok;

  writer_init (&writer);
  writer.file = file;
  writer.adopt = adopt;
  ok = write_file_with (&writer, file, metadata, ranks, n_ranks, error);
  writer_clear (&writer);

  return ok;
}

/* An upper bound of what writing the file adds: the columns (but the
 * chunks adopted from @adopt) plus generous room for HDF5's object headers
 * and chunk indexes. */
static guint64
estimate_size (SpWriterRank  **ranks,
               guint           n_ranks,
               SpSpillReader  *adopt)
{
  Writer plan = { .adopt = adopt };
  guint64 size = 128 * 1024;

  for (guint r = 0; r < n_ranks; r++)
    {
      size += 16 * 1024 + ranks[r]->threads->len * 256;

      for (guint i = 0; i < ranks[r]->regions->len; i++)
        {
          SpWriterRegion *region = g_ptr_array_index (ranks[r]->regions, i);

          if (region != NULL)
            size += 16 * 1024 + strlen (region->name) * 4 + region->n_events * sizeof (gint64) +
                    region_calls_written (&plan, region) * 2 * sizeof (gint64);
        }
    }

  return size;
}

/* HDF5 1.10 cannot recover from a write that fails half way (a full disk):
 * the file stays half-open inside the library and crashes it at exit. So
 * the space is claimed before HDF5 touches the file, and held while it
 * writes.
 *
 * The claim is an fallocate (FALLOC_FL_KEEP_SIZE): blocks reserved past
 * the end of the file, which stays empty. HDF5 must create the file
 * itself: opening an existing file with O_TRUNC (H5F_ACC_TRUNC) would
 * drop the blocks, and on ext4 a file truncated to nothing is flushed to
 * disk when it is closed. So the space is first claimed in the temporary
 * file made to find a free name, that file is removed, HDF5 creates it
 * anew (H5F_ACC_EXCL), and the space is claimed again, now for good;
 * commit_temp() hands back what HDF5 did not use. */
typedef enum
{
  CLAIM_HELD,         /* reserved past the end of the file */
  CLAIM_CHECKED,      /* the file system cannot reserve; the room was there */
  CLAIM_FAILED,
} Claim;

static Claim
claim_space (int          fd,
             const char  *path,
             guint64      offset,
             guint64      size,
             GError     **error)
{
  struct rlimit limit;
  int r = 0;

  /* A reservation past the end of the file is not held against the file
   * size limit; the writes are. */
  if (getrlimit (RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      offset + size > (guint64) limit.rlim_cur)
    r = EFBIG;
  else if (fallocate (fd, FALLOC_FL_KEEP_SIZE, offset, size) == 0)
    return CLAIM_HELD;
  else
    r = errno;

  if (r == EOPNOTSUPP || r == ENOSYS)
    {
      /* glibc writes the blocks where the file system cannot allocate
       * them: a check, but no reservation (the file is cut back again). */
      r = posix_fallocate (fd, offset, size);
      if (r == 0 && ftruncate (fd, offset) != 0)
        r = errno;
      if (r == 0)
        return CLAIM_CHECKED;
      if (r == EOPNOTSUPP || r == ENOSYS || r == EINVAL)
        return CLAIM_CHECKED; /* the file system cannot tell; HDF5 will find out */
    }

  g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (r),
               "Not enough room to write the session “%s” (%" G_GUINT64_FORMAT " bytes): %s",
               path, size, g_strerror (r));
  return CLAIM_FAILED;
}

/* Creates the temporary file beside @path that a session is written to,
 * with @size bytes claimed for it. */
static hid_t
create_temp (const char  *path,
             guint64      size,
             char       **tmp_path,
             GError     **error)
{
  g_autofree char *tmpl = NULL;
  SpH5Quiet quiet;
  Claim claim;
  hid_t fcpl, fapl, file;
  int fd;

  /* The name is reserved, then HDF5 creates the file anew under it. */
  fd = sp_atomic_file_open (path, &tmpl, error);
  if (fd < 0)
    return -1;

  claim = claim_space (fd, path, 0, size, error);
  close (fd);
  g_unlink (tmpl);
  if (claim == CLAIM_FAILED)
    return -1;

  sp_h5_quiet_push (&quiet);
  fcpl = H5Pcreate (H5P_FILE_CREATE);
  /* B-tree nodes of the chunk indexes with 16 entries rather than 64: a
   * region's dataset has a chunk or a few, and the default 2 KiB node per
   * dataset made up three quarters of a session of many small regions
   * (and as much of the time spent writing its metadata). */
  H5Pset_istore_k (fcpl, SP_H5_ISTORE_K);
  fapl = H5Pcreate (H5P_FILE_ACCESS);
  /* The file is ours alone until it is renamed into place. */
  H5Pset_file_locking (fapl, FALSE, TRUE);
  /* No chunk cache: columns are written a whole chunk at a time past it,
   * and merged ranks are copied with H5Ocopy(), which does not use it
   * either; each dataset would zero a table of 521 slots for nothing. */
  H5Pset_cache (fapl, 0, 1, 0, 1.0);
  file = H5Fcreate (tmpl, H5F_ACC_EXCL, fcpl, fapl);
  H5Pclose (fapl);
  H5Pclose (fcpl);

  if (file < 0)
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not create “%s”", tmpl);
      sp_h5_quiet_pop (&quiet);
      return -1;
    }

  /* HDF5 has written nothing yet. Should the space be gone since it was
   * checked, closing the file writes a few hundred bytes. */
  if (claim == CLAIM_HELD)
    {
      fd = g_open (tmpl, O_WRONLY | O_CLOEXEC, 0);
      if (fd < 0 || (claim = claim_space (fd, path, 0, size, error)) == CLAIM_FAILED)
        {
          if (fd < 0)
            {
              int errsv = errno;
              g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                           "Could not open “%s”: %s", tmpl, g_strerror (errsv));
            }
          else
            close (fd);
          H5Fclose (file);
          g_unlink (tmpl);
          sp_h5_quiet_pop (&quiet);
          return -1;
        }
      close (fd);
    }
  sp_h5_quiet_pop (&quiet);

  *tmp_path = g_steal_pointer (&tmpl);

  return file;
}

/* Hands back the blocks claimed past the end of the file that HDF5 did
 * not use (a truncation to its own size). */
static void
release_claim (const char *tmp_path)
{
  int fd = g_open (tmp_path, O_WRONLY | O_CLOEXEC, 0);
  struct stat st;

  if (fd < 0)
    return;
  if (fstat (fd, &st) == 0 && ftruncate (fd, st.st_size) != 0)
    { /* Only room is lost, not data. */ }
  close (fd);
}

/* Closes @file (written at @from) and, when everything went well (@ok),
 * hands back the unused claim. Returns whether all of that succeeded; the
 * caller then moves @from into place or cleans up. */
static gboolean
close_file (hid_t        file,
            const char  *from,
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

  if (ok)
    release_claim (from);

  return ok;
}

/* Closes @file and, when everything went well (@ok), renames it over
 * @path; otherwise removes it. */
static gboolean
commit_temp (hid_t        file,
             const char  *tmp_path,
             const char  *path,
             gboolean     ok,
             GError     **error)
{
  ok = close_file (file, tmp_path, path, ok, error);

  return sp_atomic_file_commit (tmp_path, path, "the session", ok, error);
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

  file = create_temp (path, estimate_size (ranks, n_ranks, NULL), &tmp_path, error);
  if (file < 0)
    return FALSE;

  sp_h5_quiet_push (&quiet);
  ok = write_file (file, NULL, metadata, ranks, n_ranks, error);
  sp_h5_quiet_pop (&quiet);

  return commit_temp (file, tmp_path, path, ok, error);
}

/**
 * sp_h5_can_write_in_spill:
 *
 * Whether sp_h5_write_session_in_spill() can write the session to @path:
 * the spill file must be renamed there, so in the same file system.
 */
gboolean
sp_h5_can_write_in_spill (SpSpill    *spill,
                          const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  struct stat spill_st, dir_st;

  return fstat (sp_spill_get_fd (spill), &spill_st) == 0 &&
         g_stat (dir, &dir_st) == 0 &&
         S_ISDIR (dir_st.st_mode) &&
         spill_st.st_dev == dir_st.st_dev;
}

/**
 * sp_h5_write_session_in_spill:
 *
 * Writes the session into @spill's file itself, then renames it to @path
 * (see sp-h5-adopt.c): the blocks that @reader (a reader of that file)
 * reported are adopted where they lie when they make whole chunks.
 *
 * The spill file's records are not touched. On failure, whatever was
 * written past them is cut away again and @spill is as it was, so the
 * session can be finalized again; on success, the caller drops @spill
 * without removing its file (which is now @path).
 */
gboolean
sp_h5_write_session_in_spill (SpSpill        *spill,
                              SpSpillReader  *reader,
                              const char     *path,
                              GPtrArray      *metadata,
                              SpWriterRank  **ranks,
                              guint           n_ranks,
                              GError        **error)
{
  const char *spill_path = sp_spill_get_path (spill);
  guint64 end = sp_spill_get_end (spill);
  SpH5Quiet quiet;
  gboolean ok;
  hid_t fcpl = -1, fapl = -1, file = -1;

  if (!sp_spill_seal (spill, error))
    return FALSE;

  /* Room for what is added, claimed past the records before HDF5 writes
   * (see claim_space()). */
  if (claim_space (sp_spill_get_fd (spill), path, end,
                   estimate_size (ranks, n_ranks, reader), error) == CLAIM_FAILED)
    {
      sp_spill_unseal (spill);
      return FALSE;
    }

  sp_h5_quiet_push (&quiet);

  fcpl = H5Pcreate (H5P_FILE_CREATE);
  H5Pset_istore_k (fcpl, SP_H5_ISTORE_K);
  /* The spill file's header is the user block; the superblock follows it,
   * in the room the spill file leaves before its first record. */
  H5Pset_userblock (fcpl, SP_SPILL_USERBLOCK);
  fapl = sp_h5_adopt_fapl (SP_SPILL_RECORDS_OFFSET, end);
  if (fapl >= 0)
    {
      H5Pset_file_locking (fapl, FALSE, TRUE);
      H5Pset_cache (fapl, 0, 1, 0, 1.0);
      file = H5Fcreate (spill_path, H5F_ACC_TRUNC, fcpl, fapl);
    }

  if (fapl >= 0)
    H5Pclose (fapl);
  H5Pclose (fcpl);

  if (file < 0)
    {
      sp_h5_set_error (error, SP_ERROR_IO, "Could not write the session into “%s”", spill_path);
      sp_h5_quiet_pop (&quiet);
      sp_spill_unseal (spill);
      return FALSE;
    }

  ok = write_file (file, reader, metadata, ranks, n_ranks, error);
  sp_h5_quiet_pop (&quiet);

  ok = close_file (file, spill_path, path, ok, error) &&
       sp_atomic_file_rename (spill_path, path, "the session", error);

  if (!ok)
    sp_spill_unseal (spill);

  return ok;
}
