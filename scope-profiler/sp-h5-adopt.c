/* sp-h5-adopt.c
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
#include <unistd.h>

#include "sp-h5-adopt-private.h"

/* Writing a session used to write every flushed call twice: once into the
 * spill file while the session ran, once more into the session file at
 * finalize, after reading it back. Now the spill file becomes the session
 * file, and the start and end times of its full blocks stay where they
 * are, as the session's chunks.
 *
 * This file driver does it. It is HDF5's sec2 driver (pread/pwrite on a
 * descriptor) with two differences:
 *
 * - The bytes from protect_start to protect_end (the spill file's records)
 *   are never handed out: the end of allocated space that HDF5 sees jumps
 *   past them as soon as it reaches them, so HDF5's objects go before them
 *   (the superblock, in the room the spill file leaves after its header,
 *   which is the HDF5 user block) or after them.
 * - sp_h5_adopt_write_chunk() announces a chunk that is already in the
 *   file. HDF5 asks the driver for the chunk's space: the driver answers
 *   with the address of those bytes; HDF5 then writes the chunk: the
 *   driver skips the write. If HDF5 ever found the space elsewhere (its
 *   free-space manager), the write copies the bytes there instead: the file
 *   is right either way, only slower.
 *
 * Small raw data is not aggregated (no H5FD_FEAT_AGGREGATE_SMALLDATA): an
 * aggregator would place a chunk by extending its own block, without
 * asking the driver. Nothing of the driver is recorded in the file, which
 * any HDF5 reader opens with the default driver. */

#define SP_ADOPT_MAXADDR ((haddr_t) G_MAXINT64)

typedef struct
{
  guint64 protect_start;
  guint64 protect_end;
} SpAdoptFapl;

typedef struct
{
  H5FD_t   pub;            /* first: HDF5 sees an H5FD_t */
  int      fd;
  haddr_t  eoa;
  haddr_t  eof;
  haddr_t  protect_start;
  haddr_t  protect_end;

  /* The chunk sp_h5_adopt_write_chunk() is writing */
  gboolean pending;
  gboolean pending_placed;
  haddr_t  pending_addr;
  hsize_t  pending_size;

  guint64  adopted;
  guint64  copied;
} SpAdoptFile;

static G_LOCK_DEFINE (adopt_driver);
static hid_t adopt_driver_id = H5I_INVALID_HID;
static GSList *open_files;  /* SpAdoptFile, under the lock */

static void *
adopt_fapl_get (H5FD_t *file)
{
  SpAdoptFile *self = (SpAdoptFile *) file;
  SpAdoptFapl *fa = malloc (sizeof *fa);

  if (fa != NULL)
    {
      fa->protect_start = self->protect_start;
      fa->protect_end = self->protect_end;
    }

  return fa;
}

static H5FD_t *
adopt_open (const char *name,
            unsigned    flags,
            hid_t       fapl,
            haddr_t     maxaddr)
{
  const SpAdoptFapl *fa = H5Pget_driver_info (fapl);
  SpAdoptFile *self;
  struct stat st;
  int oflags = O_CLOEXEC;
  int fd;

  if (fa == NULL || name == NULL || maxaddr == 0)
    return NULL;

  /* Never O_TRUNC: the file is the spill file, and its records are kept. */
  oflags |= (flags & H5F_ACC_RDWR) ? O_RDWR : O_RDONLY;
  if (flags & H5F_ACC_CREAT)
    oflags |= O_CREAT;

  fd = g_open (name, oflags, 0644);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0)
    {
      close (fd);
      return NULL;
    }

  self = g_new0 (SpAdoptFile, 1);
  self->fd = fd;
  /* HDF5 creates a file when it finds it empty: truncated, as far as HDF5
   * can tell. The end of file grows with what HDF5 writes, and truncate()
   * sets it past the protected bytes at last. */
  self->eof = (flags & H5F_ACC_TRUNC) ? 0 : st.st_size;
  self->protect_start = fa->protect_start;
  self->protect_end = MAX (fa->protect_end, fa->protect_start);

  G_LOCK (adopt_driver);
  open_files = g_slist_prepend (open_files, self);
  G_UNLOCK (adopt_driver);

  return &self->pub;
}

static herr_t
adopt_close (H5FD_t *file)
{
  SpAdoptFile *self = (SpAdoptFile *) file;
  int r = close (self->fd);

  G_LOCK (adopt_driver);
  open_files = g_slist_remove (open_files, self);
  G_UNLOCK (adopt_driver);

  g_free (self);

  return r == 0 ? 0 : -1;
}

static herr_t
adopt_query (const H5FD_t  *file,
             unsigned long *flags)
{
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE;

  return 0;
}

/* The end of allocated space as HDF5 sees it: once anything past the user
 * block is allocated, it is past the protected bytes. */
static haddr_t
adopt_get_eoa (const H5FD_t *file,
               H5FD_mem_t    type)
{
  const SpAdoptFile *self = (const SpAdoptFile *) file;

  if (self->eoa > self->pub.base_addr && self->eoa < self->protect_end)
    return self->protect_end;

  return self->eoa;
}

static herr_t
adopt_set_eoa (H5FD_t     *file,
               H5FD_mem_t  type,
               haddr_t     addr)
{
  SpAdoptFile *self = (SpAdoptFile *) file;

  if (addr > SP_ADOPT_MAXADDR)
    return -1;

  self->eoa = addr;

  return 0;
}

static haddr_t
adopt_get_eof (const H5FD_t *file,
               H5FD_mem_t    type)
{
  return ((const SpAdoptFile *) file)->eof;
}

static haddr_t
adopt_alloc (H5FD_t     *file,
             H5FD_mem_t  type,
             hid_t       dxpl,
             hsize_t     size)
{
  SpAdoptFile *self = (SpAdoptFile *) file;
  haddr_t addr;

  if (self->pending && !self->pending_placed && type == H5FD_MEM_DRAW && size == self->pending_size)
    {
      self->pending_placed = TRUE;
      return self->pending_addr;
    }

  /* Before the protected bytes where there is room (the rest of the user
   * block's neighbourhood), else after them. */
  addr = self->eoa;
  if (addr < self->protect_end && addr + size > self->protect_start)
    addr = self->protect_end;

  if (addr + size > SP_ADOPT_MAXADDR || addr + size < addr)
    return HADDR_UNDEF;

  self->eoa = MAX (self->eoa, addr + size);

  return addr;
}

static herr_t
adopt_get_handle (H5FD_t  *file,
                  hid_t    fapl,
                  void   **handle)
{
  *handle = file;

  return 0;
}

static herr_t
adopt_read (H5FD_t     *file,
            H5FD_mem_t  type,
            hid_t       dxpl,
            haddr_t     addr,
            size_t      size,
            void       *buf)
{
  SpAdoptFile *self = (SpAdoptFile *) file;
  guint8 *p = buf;

  if (addr > SP_ADOPT_MAXADDR || addr + size < addr)
    return -1;

  while (size > 0)
    {
      ssize_t r = pread (self->fd, p, MIN (size, (size_t) G_MAXSSIZE), (off_t) addr);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        {
          /* Past the end of the file reads as zeros, as with sec2. */
          memset (p, 0, size);
          break;
        }

      p += r;
      addr += r;
      size -= r;
    }

  return 0;
}

static herr_t
write_all (SpAdoptFile   *self,
           haddr_t        addr,
           gconstpointer  buf,
           size_t         size)
{
  const guint8 *p = buf;

  while (size > 0)
    {
      ssize_t r = pwrite (self->fd, p, MIN (size, (size_t) G_MAXSSIZE), (off_t) addr);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return -1;

      p += r;
      addr += r;
      size -= r;
    }

  self->eof = MAX (self->eof, addr);

  return 0;
}

/* The announced chunk, placed elsewhere than where its bytes are. */
static herr_t
copy_range (SpAdoptFile *self,
            haddr_t      from,
            haddr_t      to,
            hsize_t      size)
{
  gsize len = MIN (size, 1024 * 1024);
  g_autofree guint8 *buf = g_malloc (len);

  while (size > 0)
    {
      gsize n = MIN (size, len);

      if (adopt_read (&self->pub, H5FD_MEM_DRAW, H5P_DEFAULT, from, n, buf) < 0 ||
          write_all (self, to, buf, n) < 0)
        return -1;

      from += n;
      to += n;
      size -= n;
    }

  return 0;
}

static herr_t
adopt_write (H5FD_t      *file,
             H5FD_mem_t   type,
             hid_t        dxpl,
             haddr_t      addr,
             size_t       size,
             const void  *buf)
{
  SpAdoptFile *self = (SpAdoptFile *) file;

  if (addr > SP_ADOPT_MAXADDR || addr + size < addr)
    return -1;

  if (self->pending && type == H5FD_MEM_DRAW && size == self->pending_size)
    {
      self->pending = FALSE;

      if (addr == self->pending_addr)
        {
          self->adopted++;
          return 0;
        }

      self->copied++;
      return copy_range (self, self->pending_addr, addr, size);
    }

  /* Nothing of HDF5's may land on the protected bytes. */
  if (addr < self->protect_end && addr + size > self->protect_start)
    return -1;

  return write_all (self, addr, buf, size);
}

static herr_t
adopt_truncate (H5FD_t  *file,
                hid_t    dxpl,
                hbool_t  closing)
{
  SpAdoptFile *self = (SpAdoptFile *) file;
  haddr_t end = MAX (adopt_get_eoa (file, H5FD_MEM_DEFAULT), self->protect_end);

  if (end != self->eof)
    {
      if (ftruncate (self->fd, (off_t) end) != 0)
        return -1;
      self->eof = end;
    }

  return 0;
}

static const H5FD_class_t adopt_class = {
  .name = "scope-profiler-adopt",
  .maxaddr = SP_ADOPT_MAXADDR,
  .fc_degree = H5F_CLOSE_WEAK,
  .fapl_size = sizeof (SpAdoptFapl),
  .fapl_get = adopt_fapl_get,
  .open = adopt_open,
  .close = adopt_close,
  .query = adopt_query,
  .alloc = adopt_alloc,
  .get_eoa = adopt_get_eoa,
  .set_eoa = adopt_set_eoa,
  .get_eof = adopt_get_eof,
  .get_handle = adopt_get_handle,
  .read = adopt_read,
  .write = adopt_write,
  .truncate = adopt_truncate,
  .fl_map = H5FD_FLMAP_DICHOTOMY,
};


static hid_t
adopt_driver (void)
{
  hid_t id;

  G_LOCK (adopt_driver);
  if (adopt_driver_id < 0 || H5Iis_valid (adopt_driver_id) <= 0)
    adopt_driver_id = H5FDregister (&adopt_class);
  id = adopt_driver_id;
  G_UNLOCK (adopt_driver);

  return id;
}

/* A file access list for the driver; the caller closes it. */
hid_t
sp_h5_adopt_fapl (guint64 protect_start,
                  guint64 protect_end)
{
  SpAdoptFapl fa = { protect_start, protect_end };
  hid_t driver = adopt_driver ();
  hid_t fapl;

  if (driver < 0)
    return H5I_INVALID_HID;

  fapl = H5Pcreate (H5P_FILE_ACCESS);
  if (fapl >= 0 && H5Pset_driver (fapl, driver, &fa) < 0)
    {
      H5Pclose (fapl);
      return H5I_INVALID_HID;
    }

  return fapl;
}

static SpAdoptFile *
adopt_file (hid_t file)
{
  void *handle = NULL;
  gboolean ours;

  if (H5Fget_vfd_handle (file, H5P_DEFAULT, &handle) < 0 || handle == NULL)
    return NULL;

  /* Only a file of this driver has an SpAdoptFile for a handle (sec2's is
   * a pointer to its descriptor): look it up before looking into it. */
  G_LOCK (adopt_driver);
  ours = g_slist_find (open_files, handle) != NULL;
  G_UNLOCK (adopt_driver);

  return ours ? handle : NULL;
}

/* Makes chunk @offset of @dset the @size bytes at @file_offset of the file,
 * which are already there. @scratch is @size bytes of memory HDF5 may see
 * (it does not read it). */
gboolean
sp_h5_adopt_write_chunk (hid_t    file,
                         hid_t    dset,
                         hsize_t  offset,
                         guint64  file_offset,
                         gsize    size,
                         gpointer scratch)
{
  SpAdoptFile *self = adopt_file (file);
  hsize_t offsets[1] = { offset };
  gboolean ok;

  if (self == NULL)
    return FALSE;

  self->pending = TRUE;
  self->pending_placed = FALSE;
  self->pending_addr = file_offset;
  self->pending_size = size;

  ok = H5Dwrite_chunk (dset, H5P_DEFAULT, 0, offsets, size, scratch) >= 0;

  /* Written, adopted or copied: the driver saw the chunk go by. */
  ok = ok && !self->pending;
  self->pending = FALSE;

  return ok;
}

/* How many chunks were adopted where they lay, and how many had to be
 * copied (for the tests and the benchmark). */
void
sp_h5_adopt_get_counts (hid_t    file,
                        guint64 *adopted,
                        guint64 *copied)
{
  SpAdoptFile *self = adopt_file (file);

  *adopted = self ? self->adopted : 0;
  *copied = self ? self->copied : 0;
}
