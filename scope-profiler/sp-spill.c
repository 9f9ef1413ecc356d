/* sp-spill.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sp-error.h"
#include "sp-error-private.h"
#include "sp-spill-private.h"
#include "sp-running-stats-private.h"

enum {
  RECORD_METADATA = 1,
  RECORD_REGION   = 2,
  RECORD_THREAD   = 3,
  RECORD_BLOCK    = 4,
};

/* Region indices are positions within one session. A damaged file could
 * name region 4294967295 and make the reader allocate a table for all of
 * them; no session holds more regions than this (each costs a GObject and
 * its name in the profiled process). */
#define SP_SPILL_MAX_REGIONS (1u << 24)

typedef struct
{
  char    magic[8];
  guint32 version;
  guint32 bom;
  gint64  pid;
  gint64  start_time;
  guint64 records_offset;  /* version 2 */
  guint64 sealed_end;
} SpillHeader;

#define SP_SPILL_V1_HEADER_SIZE 32

typedef struct
{
  guint32 type;
  guint32 reserved;
  guint64 length;
} RecordHeader;

G_STATIC_ASSERT (sizeof (SpillHeader) == 48);
G_STATIC_ASSERT (sizeof (SpillHeader) <= SP_SPILL_USERBLOCK);
G_STATIC_ASSERT (SP_SPILL_USERBLOCK < SP_SPILL_RECORDS_OFFSET);
G_STATIC_ASSERT (sizeof (RecordHeader) == 16);

struct _SpSpill
{
  char       *path;
  int         fd;
  goffset     offset;
  GHashTable *threads;
  guint8     *stage;   /* see sp_spill_write_block() */
};

static const guint8 zero_padding[8];

/* Writes all of @iov at the end of the file, or nothing: a short or failed
 * write is cut away again, so the file always ends on a whole record. */
static gboolean
sp_spill_writev (SpSpill       *self,
                 struct iovec  *iov,
                 int            iovcnt,
                 GError       **error)
{
  gsize total = 0;
  gsize done = 0;

  for (int i = 0; i < iovcnt; i++)
    total += iov[i].iov_len;

  while (done < total)
    {
      ssize_t r = pwritev (self->fd, iov, iovcnt, self->offset + done);

      if (r < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;

          if (ftruncate (self->fd, self->offset) != 0)
            { /* Nothing more to do: the reader stops at the torn record. */ }

          g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                       "Could not write to spill file “%s”: %s",
                       self->path, g_strerror (errsv));
          return FALSE;
        }

      if (r == 0)
        {
          if (ftruncate (self->fd, self->offset) != 0)
            { /* as above */ }
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "Could not write to spill file “%s”: no progress",
                       self->path);
          return FALSE;
        }

      done += r;

      /* Skip what was written. */
      while (iovcnt > 0 && (gsize) r >= iov[0].iov_len)
        {
          r -= iov[0].iov_len;
          iov++;
          iovcnt--;
        }
      if (iovcnt > 0)
        {
          iov[0].iov_base = (guint8 *) iov[0].iov_base + r;
          iov[0].iov_len -= r;
        }
    }

  self->offset += total;

  return TRUE;
}

static gboolean
sp_spill_write_record (SpSpill       *self,
                       guint32        type,
                       struct iovec  *payload,
                       int            n_payload,
                       GError       **error)
{
  struct iovec iov[8];
  RecordHeader header = { type, 0, 0 };
  int n = 0;

  g_assert (n_payload <= 6);

  iov[n].iov_base = &header;
  iov[n].iov_len = sizeof header;
  n++;

  for (int i = 0; i < n_payload; i++)
    {
      header.length += payload[i].iov_len;
      iov[n++] = payload[i];
    }

  if (header.length % 8 != 0)
    {
      iov[n].iov_base = (gpointer) zero_padding;
      iov[n].iov_len = 8 - header.length % 8;
      n++;
    }

  return sp_spill_writev (self, iov, n, error);
}

static gboolean
sp_spill_write_metadata (SpSpill                *self,
                         const SpMetadataEntry  *entry,
                         GError                **error)
{
  guint32 head[2];
  struct iovec payload[3];

  head[0] = entry->string ? 0 : 1;
  head[1] = strlen (entry->key);

  payload[0].iov_base = head;
  payload[0].iov_len = sizeof head;
  payload[1].iov_base = entry->key;
  payload[1].iov_len = head[1];
  if (entry->string)
    {
      payload[2].iov_base = entry->string;
      payload[2].iov_len = strlen (entry->string);
    }
  else
    {
      payload[2].iov_base = (gpointer) &entry->integer;
      payload[2].iov_len = sizeof entry->integer;
    }

  return sp_spill_write_record (self, RECORD_METADATA, payload, 3, error);
}

SpSpill *
sp_spill_new (const char  *path,
              gint64       start_time,
              GPtrArray   *metadata,
              GError     **error)
{
  SpSpill *self;
  SpillHeader header = {
    SP_SPILL_MAGIC, SP_SPILL_VERSION, SP_SPILL_BOM, getpid (), start_time,
    SP_SPILL_RECORDS_OFFSET, 0
  };
  struct iovec iov = { &header, sizeof header };
  int fd;

  /* Read and written: at finalize, HDF5 reads back what it writes. */
  fd = g_open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                   "Could not create spill file “%s”: %s",
                   path, g_strerror (errsv));
      return NULL;
    }

  self = g_new0 (SpSpill, 1);
  self->path = g_strdup (path);
  self->fd = fd;
  self->threads = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  if (!sp_spill_writev (self, &iov, 1, error))
    goto failure;

  /* The room for HDF5's superblock stays a hole until finalize. */
  self->offset = SP_SPILL_RECORDS_OFFSET;

  for (guint i = 0; metadata != NULL && i < metadata->len; i++)
    if (!sp_spill_write_metadata (self, g_ptr_array_index (metadata, i), error))
      goto failure;

  return self;

failure:
  sp_spill_free (self, TRUE);
  return NULL;
}

const char *
sp_spill_get_path (SpSpill *self)
{
  return self->path;
}

gboolean
sp_spill_write_region (SpSpill     *self,
                       guint32      index,
                       const char  *name,
                       GError     **error)
{
  guint32 head[2] = { index, 0 };
  struct iovec payload[2] = {
    { head, sizeof head },
    { (gpointer) name, strlen (name) },
  };

  return sp_spill_write_record (self, RECORD_REGION, payload, 2, error);
}

gboolean
sp_spill_has_thread (SpSpill *self,
                     gint64   index)
{
  return g_hash_table_contains (self->threads, &index);
}

gboolean
sp_spill_write_thread (SpSpill     *self,
                       gint64       index,
                       gint64       native_id,
                       const char  *name,
                       GError     **error)
{
  gint64 head[2] = { index, native_id };
  struct iovec payload[2] = {
    { head, sizeof head },
    { (gpointer) name, strlen (name) },
  };

  if (!sp_spill_write_record (self, RECORD_THREAD, payload, 2, error))
    return FALSE;

  g_hash_table_add (self->threads, g_memdup2 (&index, sizeof index));

  return TRUE;
}

/* Writes @len bytes at @offset, all of them, or fails. */
static gboolean
pwrite_all (SpSpill        *self,
            gconstpointer   buf,
            gsize           len,
            goffset         offset,
            GError        **error)
{
  const guint8 *p = buf;

  while (len > 0)
    {
      ssize_t r = pwrite (self->fd, p, len, offset);

      if (r < 0 && errno == EINTR)
        continue;

      if (r <= 0)
        {
          int errsv = r < 0 ? errno : ENOSPC;

          g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                       "Could not write to spill file “%s”: %s",
                       self->path, g_strerror (errsv));
          return FALSE;
        }

      p += r;
      len -= r;
      offset += r;
    }

  return TRUE;
}

/* A block goes to disk through a buffer, a piece at a time, rather than
 * straight from the region's buffers: that would make the kernel touch
 * every page of them too, and on this kind of virtual machine the
 * kernel's first touch of a page of a process costs microseconds (the
 * first flush of each buffer cost ten times the later ones). The copy
 * also computes the block's statistics, in the pass that reads the calls
 * anyway, and a small buffer stays in the cache.
 *
 * The pieces go to the file in order, so the record is whole only once its
 * last byte is written: the start times of every piece first, then the
 * end times. A piece's end times wait in the buffer meanwhile.
 *
 * One buffer serves the process: it is handed from spill file to spill
 * file rather than allocated (fresh memory) per session. */
#define SP_SPILL_STAGE_CALLS (128 * 1024)
#define SP_SPILL_STAGE_HEAD  32
#define SP_SPILL_STAGE_SIZE  (SP_SPILL_STAGE_HEAD + 2 * SP_SPILL_STAGE_CALLS * sizeof (gint64))

static gpointer spare_stage;

static guint8 *
stage_take (void)
{
  gpointer stage = g_atomic_pointer_exchange (&spare_stage, NULL);

  return stage ? stage : g_malloc (SP_SPILL_STAGE_SIZE);
}

static void
stage_give_back (guint8 *stage)
{
  if (stage != NULL && !g_atomic_pointer_compare_and_exchange (&spare_stage, NULL, stage))
    g_free (stage);
}

gboolean
sp_spill_write_block (SpSpill       *self,
                      guint32        region_index,
                      gint64         thread_index,
                      const gint64  *starts,
                      const gint64  *ends,
                      guint32        n,
                      SpRunningStats       *stats,
                      GError       **error)
{
  struct {
    RecordHeader header;
    guint32      region;
    guint32      n;
    gint64       thread;
  } head = { { RECORD_BLOCK, 0, 16 + (guint64) n * 16 }, region_index, n, thread_index };
  goffset starts_at = self->offset + sizeof head;
  goffset ends_at = starts_at + (goffset) n * 8;
  gint64 *stage_starts, *stage_ends;
  SpRunningStats block;

  G_STATIC_ASSERT (sizeof head == SP_SPILL_STAGE_HEAD);

  if (self->stage == NULL)
    self->stage = stage_take ();
  stage_starts = (gint64 *)(gpointer) (self->stage + SP_SPILL_STAGE_HEAD);
  stage_ends = stage_starts + SP_SPILL_STAGE_CALLS;

  sp_running_stats_init (&block);

  /* The head and the first piece's start times go in one write. */
  memcpy (self->stage, &head, sizeof head);

  for (guint32 i = 0; i == 0 || i < n; i += SP_SPILL_STAGE_CALLS)
    {
      guint32 m = MIN (n - i, SP_SPILL_STAGE_CALLS);

      sp_running_stats_add_block_copy (&block, starts + i, ends + i, stage_starts, stage_ends, m);

      if (i == 0
          ? !pwrite_all (self, self->stage, sizeof head + (gsize) m * 8, self->offset, error)
          : !pwrite_all (self, stage_starts, (gsize) m * 8, starts_at + (goffset) i * 8, error))
        goto failed;

      /* Where the block has a single piece, its end times follow at once. */
      if (m == n && !pwrite_all (self, stage_ends, (gsize) m * 8, ends_at, error))
        goto failed;
    }

  /* The end times of a block of several pieces: copied again. */
  for (guint32 i = 0; n > SP_SPILL_STAGE_CALLS && i < n; i += SP_SPILL_STAGE_CALLS)
    {
      guint32 m = MIN (n - i, SP_SPILL_STAGE_CALLS);

      memcpy (stage_ends, ends + i, (gsize) m * 8);
      if (!pwrite_all (self, stage_ends, (gsize) m * 8, ends_at + (goffset) i * 8, error))
        goto failed;
    }

  self->offset = ends_at + (goffset) n * 8;
  if (stats != NULL)
    sp_running_stats_merge (stats, &block);

  return TRUE;

failed:
  /* The file ends on a whole record again. */
  if (ftruncate (self->fd, self->offset) != 0)
    { /* The reader stops at the torn record. */ }

  return FALSE;
}

int
sp_spill_get_fd (SpSpill *self)
{
  return self->fd;
}

/* Where the next record goes: the end of the last whole one. */
goffset
sp_spill_get_end (SpSpill *self)
{
  return self->offset;
}

static gboolean
sp_spill_set_sealed_end (SpSpill  *self,
                         guint64   end,
                         GError  **error)
{
  goffset at = G_STRUCT_OFFSET (SpillHeader, sealed_end);

  for (;;)
    {
      ssize_t r = pwrite (self->fd, &end, sizeof end, at);

      if (r == sizeof end)
        return TRUE;
      if (r < 0 && errno == EINTR)
        continue;

      g_set_error (error, G_IO_ERROR, r < 0 ? sp_io_error_from_errno (errno) : G_IO_ERROR_FAILED,
                   "Could not write to spill file “%s”: %s",
                   self->path, r < 0 ? g_strerror (errno) : "short write");
      return FALSE;
    }
}

/* Marks where the records end, before anything else is written past them:
 * should the process die while the file is being turned into a session,
 * a reader of the spill file stops there. */
gboolean
sp_spill_seal (SpSpill  *self,
               GError  **error)
{
  return sp_spill_set_sealed_end (self, self->offset, error);
}

/* Undoes a failed conversion: cuts away what was written past the records
 * and clears the mark. (The superblock left in the room before the records
 * is harmless.) */
void
sp_spill_unseal (SpSpill *self)
{
  if (ftruncate (self->fd, self->offset) != 0)
    { /* The mark keeps readers away from what is left. */ }
  else
    sp_spill_set_sealed_end (self, 0, NULL);
}

void
sp_spill_free (SpSpill  *self,
               gboolean  unlink_file)
{
  if (self == NULL)
    return;

  if (self->fd >= 0)
    close (self->fd);
  if (unlink_file)
    g_unlink (self->path);

  g_hash_table_unref (self->threads);
  stage_give_back (self->stage);
  g_free (self->path);
  g_free (self);
}

/* Closes and removes the file: its calls are written elsewhere or
 * abandoned. */
void
sp_spill_discard (SpSpill *self)
{
  sp_spill_free (self, TRUE);
}

static gboolean
invalid (GError     **error,
         const char  *path,
         goffset      offset,
         const char  *what)
{
  g_set_error (error, SP_ERROR, SP_ERROR_INVALID_FILE,
               "Spill file “%s” is damaged at byte %" G_GOFFSET_FORMAT ": %s",
               path, offset, what);
  return FALSE;
}

/* Reading
 *
 * The file is read with pread(), never mapped: a finalize after a long run
 * reads a spill file of gigabytes, and a mapping of it counts in the
 * process's resident memory as soon as it is touched (on recent kernels a
 * fault maps a whole large folio of the page cache, so even a walk over
 * the record headers maps most of the file). The walk reads the headers
 * and the small records through a window; the calls of a block are read
 * later, a piece at a time, straight into the writer's buffers. */

/* The walk reads headers through a window this large: a block's calls,
 * which follow its header, are skipped, so a larger one reads in vain. */
#define SP_SPILL_WINDOW 4096

struct _SpSpillReader
{
  char    *path;
  int      fd;
  goffset  size;      /* at open: a file still being appended to is read up to there */
  guint8  *window;
  gsize    window_alloc;
  goffset  window_start;
  gsize    window_len;
};

SpSpillReader *
sp_spill_reader_open (const char  *path,
                      GError     **error)
{
  SpSpillReader *self;
  struct stat st;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                   "Could not read spill file “%s”: %s", path, g_strerror (errsv));
      if (fd >= 0)
        close (fd);
      return NULL;
    }

  self = g_new0 (SpSpillReader, 1);
  self->path = g_strdup (path);
  self->fd = fd;
  self->size = st.st_size;

  return self;
}

void
sp_spill_reader_free (SpSpillReader *self)
{
  if (self == NULL)
    return;

  close (self->fd);
  g_free (self->window);
  g_free (self->path);
  g_free (self);
}

const char *
sp_spill_reader_get_path (SpSpillReader *self)
{
  return self->path;
}

/* Reads exactly @len bytes at @offset, or fails. */
static gboolean
read_at (SpSpillReader  *self,
         gpointer        buf,
         gsize           len,
         goffset         offset,
         GError        **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t r = pread (self->fd, (guint8 *) buf + done, len - done, offset + done);

      if (r < 0 && errno == EINTR)
        continue;

      if (r < 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                       "Could not read spill file “%s”: %s", self->path, g_strerror (errsv));
          return FALSE;
        }

      if (r == 0)
        return invalid (error, self->path, offset + done, "the file ends early");

      done += r;
    }

  return TRUE;
}

/* @len bytes at @offset, which the caller knows to be inside the file;
 * valid until the next call. */
static const guint8 *
peek (SpSpillReader  *self,
      goffset         offset,
      gsize           len,
      GError        **error)
{
  gsize want;

  if (offset >= self->window_start &&
      (guint64) (offset - self->window_start) + len <= self->window_len)
    return self->window + (offset - self->window_start);

  want = MAX (len, MIN ((guint64) SP_SPILL_WINDOW, (guint64) (self->size - offset)));
  if (want > self->window_alloc)
    {
      g_free (self->window);
      self->window_alloc = MAX (want, SP_SPILL_WINDOW);
      self->window = g_malloc (self->window_alloc);
    }

  self->window_len = 0;
  if (!read_at (self, self->window, want, offset, error))
    return NULL;
  self->window_start = offset;
  self->window_len = want;

  return self->window;
}

/* Walks every whole record. A torn last record (the process died in the
 * middle of a flush) ends the walk quietly: what came before it is
 * complete. */
gboolean
sp_spill_reader_visit (SpSpillReader         *self,
                       const SpSpillVisitor  *visitor,
                       gpointer               user_data,
                       GError               **error)
{
  const char *path = self->path;
  guint64 len = self->size;
  const guint8 *data;
  SpillHeader header;
  guint64 pos;

  if (len < SP_SPILL_V1_HEADER_SIZE)
    return invalid (error, path, 0, "too short for a header");

  memset (&header, 0, sizeof header);
  if (!(data = peek (self, 0, MIN (len, sizeof header), error)))
    return FALSE;
  memcpy (&header, data, MIN (len, sizeof header));

  if (memcmp (header.magic, SP_SPILL_MAGIC, sizeof SP_SPILL_MAGIC) != 0)
    return invalid (error, path, 0, "not a scope-profiler spill file");
  if (header.bom != SP_SPILL_BOM)
    return invalid (error, path, 12, "written with another byte order");

  if (header.version == 1)
    pos = SP_SPILL_V1_HEADER_SIZE;
  else if (header.version == SP_SPILL_VERSION)
    {
      if (len < sizeof header)
        return invalid (error, path, 0, "too short for a header");
      if (header.records_offset < sizeof header)
        return invalid (error, path, G_STRUCT_OFFSET (SpillHeader, records_offset),
                        "records start inside the header");
      /* Past the sealed end is the HDF5 file this one was being turned
       * into when the process stopped. */
      if (header.sealed_end != 0)
        {
          if (header.sealed_end < header.records_offset)
            return invalid (error, path, G_STRUCT_OFFSET (SpillHeader, sealed_end),
                            "records end before they start");
          len = MIN (len, header.sealed_end);
        }
      /* A file cut short before its first record holds none. */
      pos = MIN (header.records_offset, len);
    }
  else
    return invalid (error, path, 8, "unknown version");

  while (len - pos >= sizeof (RecordHeader))
    {
      RecordHeader rec;
      const guint8 *payload;
      guint64 padded;

      if (!(data = peek (self, pos, sizeof rec, error)))
        return FALSE;
      memcpy (&rec, data, sizeof rec);

      if (rec.length > len - pos - sizeof rec)
        break; /* torn tail */

      padded = (rec.length + 7) & ~G_GUINT64_CONSTANT (7);

      switch (rec.type)
        {
        case RECORD_METADATA:
          {
            guint32 head[2];
            SpMetadataEntry entry = { 0 };
            g_autofree char *key = NULL;
            g_autofree char *value = NULL;

            if (rec.length < sizeof head)
              return invalid (error, path, pos, "short metadata record");
            if (!(payload = peek (self, pos + sizeof rec, rec.length, error)))
              return FALSE;
            memcpy (head, payload, sizeof head);
            if (head[1] > rec.length - sizeof head)
              return invalid (error, path, pos, "metadata key out of bounds");

            key = g_strndup ((const char *) payload + sizeof head, head[1]);
            entry.key = key;

            if (head[0] == 1)
              {
                if (rec.length - sizeof head - head[1] != sizeof (gint64))
                  return invalid (error, path, pos, "bad integer metadata");
                memcpy (&entry.integer, payload + sizeof head + head[1], sizeof (gint64));
              }
            else
              {
                value = g_strndup ((const char *) payload + sizeof head + head[1],
                                   rec.length - sizeof head - head[1]);
                entry.string = value;
              }

            if (visitor->metadata)
              visitor->metadata (&entry, user_data);
          }
          break;

        case RECORD_REGION:
          {
            guint32 head[2];

            if (rec.length < sizeof head)
              return invalid (error, path, pos, "short region record");
            if (!(payload = peek (self, pos + sizeof rec, rec.length, error)))
              return FALSE;
            memcpy (head, payload, sizeof head);
            if (head[0] >= SP_SPILL_MAX_REGIONS)
              return invalid (error, path, pos, "region index out of range");
            if (visitor->region)
              visitor->region (head[0], (const char *) payload + sizeof head,
                               rec.length - sizeof head, user_data);
          }
          break;

        case RECORD_THREAD:
          {
            gint64 head[2];

            if (rec.length < sizeof head)
              return invalid (error, path, pos, "short thread record");
            if (!(payload = peek (self, pos + sizeof rec, rec.length, error)))
              return FALSE;
            memcpy (head, payload, sizeof head);
            /* Thread indices count up from 0; -1 is "unknown" in session
             * files and readers refuse anything below it. */
            if (head[0] < -1)
              return invalid (error, path, pos, "invalid thread index");
            if (visitor->thread)
              visitor->thread (head[0], head[1], (const char *) payload + sizeof head,
                               rec.length - sizeof head, user_data);
          }
          break;

        case RECORD_BLOCK:
          {
            guint32 head[2];
            gint64 thread;

            if (rec.length < 16)
              return invalid (error, path, pos, "short block record");
            if (!(payload = peek (self, pos + sizeof rec, 16, error)))
              return FALSE;
            memcpy (head, payload, sizeof head);
            memcpy (&thread, payload + 8, sizeof thread);
            if ((rec.length - 16) / 16 != head[1] || (rec.length - 16) % 16 != 0)
              return invalid (error, path, pos, "block length does not match its count");
            if (head[0] >= SP_SPILL_MAX_REGIONS)
              return invalid (error, path, pos, "region index out of range");
            if (thread < -1)
              return invalid (error, path, pos, "invalid thread index");

            /* The calls themselves are read (and checked) when written. */
            if (visitor->block &&
                !visitor->block (head[0], thread, self, pos + sizeof rec + 16, head[1],
                                 user_data, error))
              return FALSE;
          }
          break;

        default:
          return invalid (error, path, pos, "unknown record type");
        }

      if (padded > len - pos - sizeof rec)
        break;
      pos += sizeof rec + padded;
    }

  return TRUE;
}

/* Calls are written when they end, from a monotonic clock: an interval
 * that ends before it starts, or lasts longer than an int64 of nanoseconds
 * holds, is damage, and a session made of it would be refused by every
 * reader. Returns the index of the first such call, or @n. */
/* Two lanes at a time: plain C that compilers turn into SIMD on every
 * target (SSE2 on x86-64, NEON on arm64). */
typedef guint64 SpPair __attribute__ ((vector_size (16)));

static guint32
find_damaged_call (const gint64 *starts,
                   const gint64 *ends,
                   guint32       n)
{
  SpPair bad = { 0, 0 };
  guint64 any;
  guint32 i;

  /* Without a branch per call (this runs over every call of a finalize).
   * With d = end - start in unsigned arithmetic, the top bit of
   * d ^ ((end ^ start) & (d ^ end)) says end < start (signed), and when
   * end >= start, d is the exact duration, whose top bit says it does not
   * fit an int64. */
  for (i = 0; i + 2 <= n; i += 2)
    {
      SpPair s, e, d;

      memcpy (&s, starts + i, sizeof s);
      memcpy (&e, ends + i, sizeof e);
      d = e - s;
      bad |= (d ^ ((e ^ s) & (d ^ e))) | d;
    }
  any = (bad[0] | bad[1]) >> 63;

  for (; i < n; i++)
    {
      guint64 s = starts[i], e = ends[i], d = e - s;

      any |= ((d ^ ((e ^ s) & (d ^ e))) | d) >> 63;
    }

  if (!any)
    return n;

  for (i = 0; i < n; i++)
    {
      gint64 duration;

      if (ends[i] < starts[i] || __builtin_sub_overflow (ends[i], starts[i], &duration))
        return i;
    }

  return n;
}

/* Reads calls @first to @first + @count of the block of @n calls whose
 * start times are at @offset (what the walk reported), and checks them. */
gboolean
sp_spill_reader_read_calls (SpSpillReader  *self,
                            goffset         offset,
                            guint32         n,
                            guint32         first,
                            guint32         count,
                            gint64         *starts,
                            gint64         *ends,
                            GError        **error)
{
  guint32 bad;

  g_return_val_if_fail ((guint64) first + count <= n, FALSE);

  if (!read_at (self, starts, (gsize) count * 8, offset + (goffset) first * 8, error) ||
      !read_at (self, ends, (gsize) count * 8, offset + ((goffset) n + first) * 8, error))
    return FALSE;

  bad = find_damaged_call (starts, ends, count);
  if (bad < count)
    return invalid (error, self->path, offset + ((goffset) first + bad) * 8,
                    "a call ends before it starts or lasts too long");

  return TRUE;
}
