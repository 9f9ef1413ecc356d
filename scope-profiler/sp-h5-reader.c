/* sp-h5-reader.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Reads session files, ours and those of the Python scope-profiler package
 * (schemas 1, 2 and 3), into an SpSessionRaw.
 *
 * Nothing in a file is trusted: every dataset's type, rank and extent is
 * checked before it is read, every length a file states is checked against
 * the real extent of the datasets it refers to, and no buffer is ever sized
 * from a number that was not checked first. HDF5's automatic error printing
 * is switched off only while this reader runs, on this thread. */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <hdf5.h>

#include "sp-error.h"
#include "sp-h5-reader-private.h"

/* A dataset may not claim more elements than this, whatever it stores. */
#define MAX_ELEMENTS         (G_GUINT64_CONSTANT (1) << 36)
/* Deflate cannot shrink data more than ~1032:1; anything beyond is a lie. */
#define MAX_EXPANSION        2048
#define MAX_ATTR_ELEMENTS    65536
#define MAX_NAME_LENGTH      (16 * 1024 * 1024)  /* our writer takes any name; 1 MB ones are tested */
#define MAX_FIXED_STRING     (1 << 20)
#define MAX_LINKS            (1 << 24)
#define MAX_GROUP_DEPTH      64
#define READ_BLOCK           (1 << 20)

typedef struct
{
  const char             *path;
  hid_t                   file;
  GCancellable           *cancellable;
  SpSessionProgressFunc   progress;
  gpointer                progress_data;
  SpSessionRaw           *raw;
  guint64                 file_size;

  /* progress of the current phase */
  guint64                 work_total;
  guint64                 work_done;

  /* One block of each event column, reused for every read that has to
   * spread its events over several threads (shared by copies of @r). */
  gint64                **block;
} Reader;

static void
h5_autoclose (hid_t *id)
{
  if (*id < 0)
    return;

  switch (H5Iget_type (*id))
    {
    case H5I_FILE:      H5Fclose (*id); break;
    case H5I_GROUP:     H5Gclose (*id); break;
    case H5I_DATASET:   H5Dclose (*id); break;
    case H5I_DATASPACE: H5Sclose (*id); break;
    case H5I_DATATYPE:  H5Tclose (*id); break;
    case H5I_ATTR:      H5Aclose (*id); break;
    case H5I_GENPROP_LST: H5Pclose (*id); break;
    case H5I_UNINIT:
    case H5I_BADID:
    case H5I_GENPROP_CLS:
    case H5I_REFERENCE:
    case H5I_VFL:
    case H5I_ERROR_CLASS:
    case H5I_ERROR_MSG:
    case H5I_ERROR_STACK:
    case H5I_NTYPES:
    default:
      break;
    }

  *id = H5I_INVALID_HID;
}

#define h5_auto __attribute__((cleanup (h5_autoclose)))

static gboolean reader_fail (Reader     *r,
                             GError    **error,
                             const char *where,
                             const char *format,
                             ...) G_GNUC_PRINTF (4, 5);

static gboolean
reader_fail (Reader     *r,
             GError    **error,
             const char *where,
             const char *format,
             ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, SP_ERROR, SP_ERROR_INVALID_FILE,
               "%s: %s: %s", r->path, where, what);

  return FALSE;
}

static void
reader_report (Reader  *r,
               guint64  done_now)
{
  r->work_done += done_now;

  if (r->progress != NULL && r->work_total > 0)
    {
      double fraction = (double) MIN (r->work_done, r->work_total) / (double) r->work_total;

      /* Reading is the first 80 %, building the model the rest. */
      r->progress (0.8 * fraction, r->progress_data);
    }
}

static gboolean
reader_check_cancelled (Reader  *r,
                        GError **error)
{
  return !g_cancellable_set_error_if_cancelled (r->cancellable, error);
}

static char *
join_path (const char *parent,
           const char *name)
{
  if (parent == NULL || parent[0] == 0)
    return g_strdup (name);
  if (g_str_has_suffix (parent, "/"))
    return g_strconcat (parent, name, NULL);
  return g_strconcat (parent, "/", name, NULL);
}

static const char *
type_class_name (H5T_class_t klass)
{
  switch (klass)
    {
    case H5T_INTEGER:   return "integer";
    case H5T_FLOAT:     return "floating point";
    case H5T_TIME:      return "time";
    case H5T_STRING:    return "string";
    case H5T_BITFIELD:  return "bitfield";
    case H5T_OPAQUE:    return "opaque";
    case H5T_COMPOUND:  return "compound";
    case H5T_REFERENCE: return "reference";
    case H5T_ENUM:      return "enum";
    case H5T_VLEN:      return "variable-length sequence";
    case H5T_ARRAY:     return "array";
    case H5T_NO_CLASS:
    case H5T_NCLASSES:
    default:
      return "unknown";
    }
}

/* Link @name in @loc exists, is a hard link, and points to an object of
 * @type. Soft and external links are never followed: a session file has no
 * business pointing into other files. */
static gboolean
has_child (hid_t       loc,
           const char *name,
           H5O_type_t  type)
{
  H5L_info_t linfo;
  H5O_info_t oinfo;

  if (H5Lexists (loc, name, H5P_DEFAULT) <= 0)
    return FALSE;
  if (H5Lget_info (loc, name, &linfo, H5P_DEFAULT) < 0 || linfo.type != H5L_TYPE_HARD)
    return FALSE;
  if (H5Oget_info_by_name2 (loc, name, &oinfo, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    return FALSE;

  return oinfo.type == type;
}

/* h5py offers filters (lzf, ...) that plain HDF5 lacks: say so, rather
 * than fail later with a read error. */
static gboolean
check_filters (Reader      *r,
               hid_t        dset,
               const char  *where,
               GError     **error)
{
  h5_auto hid_t dcpl = H5I_INVALID_HID;
  int n_filters;

  if ((dcpl = H5Dget_create_plist (dset)) < 0)
    return TRUE;

  n_filters = H5Pget_nfilters (dcpl);

  for (int i = 0; i < n_filters; i++)
    {
      char name[64] = { 0 };
      unsigned int cd_values[8];
      size_t cd_nelmts = G_N_ELEMENTS (cd_values);
      unsigned int flags = 0;
      unsigned int config = 0;
      H5Z_filter_t id;

      id = H5Pget_filter2 (dcpl, i, &flags, &cd_nelmts, cd_values, sizeof name - 1, name, &config);
      if (id < 0)
        continue;

      if (H5Zfilter_avail (id) <= 0)
        return reader_fail (r, error, where,
                            "is compressed with HDF5 filter %d (%s), which this HDF5 library does not have",
                            (int) id, name[0] ? name : "unknown");
    }

  return TRUE;
}

/* Opens a 1-D dataset and checks it before anything is read from it. */
static hid_t
open_column (Reader      *r,
             hid_t        loc,
             const char  *name,
             const char  *where,
             H5T_class_t  want,
             gsize       *n_out,
             GError     **error)
{
  h5_auto hid_t dset = H5I_INVALID_HID;
  h5_auto hid_t type = H5I_INVALID_HID;
  h5_auto hid_t space = H5I_INVALID_HID;
  H5T_class_t klass;
  hsize_t dims[1];
  hsize_t storage;
  size_t elsize;
  hid_t ret;

  if (!has_child (loc, name, H5O_TYPE_DATASET))
    {
      if (H5Lexists (loc, name, H5P_DEFAULT) > 0)
        reader_fail (r, error, where, "is not a dataset");
      else
        reader_fail (r, error, where, "missing dataset");
      return H5I_INVALID_HID;
    }

  if ((dset = H5Dopen2 (loc, name, H5P_DEFAULT)) < 0)
    {
      reader_fail (r, error, where, "the dataset cannot be opened (damaged file?)");
      return H5I_INVALID_HID;
    }

  if ((type = H5Dget_type (dset)) < 0 ||
      (space = H5Dget_space (dset)) < 0)
    {
      reader_fail (r, error, where, "the dataset's type or shape cannot be read (damaged file?)");
      return H5I_INVALID_HID;
    }

  klass = H5Tget_class (type);
  if (klass != want)
    {
      reader_fail (r, error, where, "has %s values, expected %s values",
                   type_class_name (klass), type_class_name (want));
      return H5I_INVALID_HID;
    }

  elsize = H5Tget_size (type);
  if (elsize == 0 ||
      (want == H5T_INTEGER && elsize > 8) ||
      (want == H5T_STRING && !H5Tis_variable_str (type) && elsize > MAX_FIXED_STRING))
    {
      reader_fail (r, error, where, "has an unsupported element size of %zu bytes", elsize);
      return H5I_INVALID_HID;
    }

  if (H5Sget_simple_extent_type (space) != H5S_SIMPLE ||
      H5Sget_simple_extent_ndims (space) != 1 ||
      H5Sget_simple_extent_dims (space, dims, NULL) != 1)
    {
      reader_fail (r, error, where, "is not a one-dimensional array");
      return H5I_INVALID_HID;
    }

  if (dims[0] > MAX_ELEMENTS)
    {
      reader_fail (r, error, where, "claims an absurd number of elements (%" G_GUINT64_FORMAT ")",
                   (guint64) dims[0]);
      return H5I_INVALID_HID;
    }

  /* The extent is a number in the file too: hold it against the bytes the
   * dataset really has, so a few bytes cannot make us allocate gigabytes. */
  storage = H5Dget_storage_size (dset);
  if (dims[0] > 0 &&
      ((guint64) dims[0] * MIN (elsize, 8)) / MAX_EXPANSION > (guint64) storage)
    {
      reader_fail (r, error, where,
                   "claims %" G_GUINT64_FORMAT " elements but stores only %" G_GUINT64_FORMAT " bytes",
                   (guint64) dims[0], (guint64) storage);
      return H5I_INVALID_HID;
    }

  if (!check_filters (r, dset, where, error))
    return H5I_INVALID_HID;

  *n_out = (gsize) dims[0];
  ret = dset;
  dset = H5I_INVALID_HID;

  return ret;
}

/* Reads a 1-D integer dataset as int64, in blocks so that progress and
 * cancellation are seen during long reads. */
static gboolean
read_int_column (Reader      *r,
                 hid_t        loc,
                 const char  *name,
                 const char  *where,
                 gint64     **out,
                 gsize       *n_out,
                 GError     **error)
{
  h5_auto hid_t dset = H5I_INVALID_HID;
  h5_auto hid_t filespace = H5I_INVALID_HID;
  g_autofree gint64 *buf = NULL;
  gsize n = 0;

  if ((dset = open_column (r, loc, name, where, H5T_INTEGER, &n, error)) < 0)
    return FALSE;

  if (n > 0 && !(buf = g_try_malloc_n (n, sizeof (gint64))))
    {
      g_set_error (error, SP_ERROR, SP_ERROR_FAILED,
                   "%s: %s: not enough memory for %" G_GSIZE_FORMAT " elements",
                   r->path, where, n);
      return FALSE;
    }

  if (buf != NULL)
    _sp_session_advise_huge (buf, n * sizeof (gint64));

  if ((filespace = H5Dget_space (dset)) < 0)
    return reader_fail (r, error, where, "the dataset's shape cannot be read");

  for (gsize off = 0; off < n; off += READ_BLOCK)
    {
      h5_auto hid_t memspace = H5I_INVALID_HID;
      hsize_t start = off;
      hsize_t count = MIN ((gsize) READ_BLOCK, n - off);

      if (H5Sselect_hyperslab (filespace, H5S_SELECT_SET, &start, NULL, &count, NULL) < 0 ||
          (memspace = H5Screate_simple (1, &count, NULL)) < 0)
        return reader_fail (r, error, where, "cannot select elements %" G_GSIZE_FORMAT "…", off);

      if (H5Dread (dset, H5T_NATIVE_INT64, memspace, filespace, H5P_DEFAULT, buf + off) < 0)
        return reader_fail (r, error, where,
                            "elements %" G_GSIZE_FORMAT "–%" G_GSIZE_FORMAT " cannot be read "
                            "(truncated or damaged file?)",
                            off, off + (gsize) count);

      reader_report (r, count);

      if (!reader_check_cancelled (r, error))
        return FALSE;
    }

  *out = g_steal_pointer (&buf);
  *n_out = n;

  return TRUE;
}

static char *
valid_utf8_dup (const char *str,
                gssize      len)
{
  if (str == NULL)
    return g_strdup ("");

  if (len < 0)
    len = strlen (str);
  else
    len = strnlen (str, len);

  return g_utf8_make_valid (str, len);
}

/* Variable-length strings of a dataset live in the file's global heap, so
 * together they cannot be longer than the file: HDF5 allocates them through
 * this, which refuses lengths a corrupt heap would make up.
 *
 * The budget also owns every block it hands out, until it is cleared. A
 * read that fails half way (a damaged heap entry) has already allocated the
 * strings before the failing one, but they sit in HDF5's own conversion
 * buffer, not in ours, so H5Dvlen_reclaim() cannot reach them; HDF5 just
 * drops them. Freeing them here is the only way not to leak them. */
typedef struct
{
  guint64    used;
  guint64    limit;
  GPtrArray *blocks;
} VlenBudget;

static void *
vlen_budget_alloc (size_t  size,
                   void   *info)
{
  VlenBudget *budget = info;
  void *mem;

  if (size > budget->limit - budget->used)
    return NULL;

  if ((mem = g_try_malloc (MAX (size, 1))) == NULL)
    return NULL;

  budget->used += size;
  g_ptr_array_add (budget->blocks, mem);

  return mem;
}

/* Blocks are freed with the budget, all at once. */
static void
vlen_budget_free (void *mem,
                  void *info)
{
}

static void
vlen_budget_clear (VlenBudget *budget)
{
  g_clear_pointer (&budget->blocks, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VlenBudget, vlen_budget_clear)

/* Reads @n strings of an attribute or dataset whose file type is @ftype,
 * variable-length or fixed-size, into a NULL-terminated vector. */
static gboolean
read_strings (Reader      *r,
              hid_t        obj,
              gboolean     is_attr,
              hid_t        ftype,
              hid_t        space,
              gsize        n,
              const char  *where,
              char      ***out,
              GError     **error)
{
  h5_auto hid_t memtype = H5I_INVALID_HID;
  h5_auto hid_t dxpl = H5I_INVALID_HID;
  g_auto(GStrv) strv = NULL;
  g_auto(VlenBudget) budget = { 0, r->file_size + n + 4096, NULL };
  herr_t status;

  if ((memtype = H5Tcopy (H5T_C_S1)) < 0)
    return reader_fail (r, error, where, "cannot create a string type");

  H5Tset_cset (memtype, H5Tget_cset (ftype) == H5T_CSET_UTF8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);

  strv = g_new0 (char *, n + 1);

  if (H5Tis_variable_str (ftype) > 0)
    {
      g_autofree char **buf = NULL;

      if (H5Tset_size (memtype, H5T_VARIABLE) < 0)
        return reader_fail (r, error, where, "cannot create a string type");

      buf = g_try_new0 (char *, MAX (n, 1));
      if (buf == NULL)
        return reader_fail (r, error, where, "not enough memory for %" G_GSIZE_FORMAT " strings", n);

      if (is_attr)
        {
          /* H5Aread() takes no transfer property list, so HDF5 allocates
           * with malloc() here. Reclaiming @buf frees what reached it; what
           * a failed conversion left in HDF5's own buffer is out of reach
           * (see tests/fuzz/README.md). */
          status = H5Aread (obj, memtype, buf);
          if (status >= 0)
            for (gsize i = 0; i < n; i++)
              strv[i] = valid_utf8_dup (buf[i], -1);
          H5Dvlen_reclaim (memtype, space, H5P_DEFAULT, buf);
        }
      else
        {
          budget.blocks = g_ptr_array_new_with_free_func (g_free);
          if ((dxpl = H5Pcreate (H5P_DATASET_XFER)) < 0 ||
              H5Pset_vlen_mem_manager (dxpl, vlen_budget_alloc, &budget, vlen_budget_free, &budget) < 0)
            return reader_fail (r, error, where, "cannot set up reading strings");
          status = H5Dread (obj, memtype, H5S_ALL, H5S_ALL, dxpl, buf);
          if (status >= 0)
            for (gsize i = 0; i < n; i++)
              strv[i] = valid_utf8_dup (buf[i], -1);
          /* The strings, read or not, go with the budget. */
        }

      if (status < 0)
        return reader_fail (r, error, where, "the strings cannot be read (damaged file?)");
    }
  else
    {
      g_autofree char *buf = NULL;
      size_t size = H5Tget_size (ftype);

      if (size == 0 || size > MAX_FIXED_STRING ||
          H5Tset_size (memtype, size) < 0 ||
          H5Tset_strpad (memtype, H5T_STR_NULLPAD) < 0)
        return reader_fail (r, error, where, "has an unsupported string size");

      /* Attributes are stored as they are: their bytes are in the file. */
      if (n > G_MAXSIZE / size ||
          (is_attr && n * size > r->file_size + 4096) ||
          !(buf = g_try_malloc0 (MAX (n * size, 1))))
        return reader_fail (r, error, where, "not enough memory for %" G_GSIZE_FORMAT " strings", n);

      if (is_attr)
        status = H5Aread (obj, memtype, buf);
      else
        status = H5Dread (obj, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);

      if (status < 0)
        return reader_fail (r, error, where, "the strings cannot be read (damaged file?)");

      for (gsize i = 0; i < n; i++)
        strv[i] = valid_utf8_dup (buf + i * size, size);
    }

  *out = g_steal_pointer (&strv);

  return TRUE;
}

static gboolean
read_string_column (Reader      *r,
                    hid_t        loc,
                    const char  *name,
                    const char  *where,
                    char      ***out,
                    gsize       *n_out,
                    GError     **error)
{
  h5_auto hid_t dset = H5I_INVALID_HID;
  h5_auto hid_t ftype = H5I_INVALID_HID;
  h5_auto hid_t space = H5I_INVALID_HID;
  gsize n = 0;

  if ((dset = open_column (r, loc, name, where, H5T_STRING, &n, error)) < 0)
    return FALSE;

  if ((ftype = H5Dget_type (dset)) < 0 || (space = H5Dget_space (dset)) < 0)
    return reader_fail (r, error, where, "the dataset's type cannot be read");

  if (!read_strings (r, dset, FALSE, ftype, space, n, where, out, error))
    return FALSE;

  *n_out = n;

  return TRUE;
}

/* Reads an attribute into a GVariant: 's', 'x', 'd', or 'as' for a list of
 * strings. Other kinds are of no use to us and give %NULL without error. */
static gboolean
read_attr_value (Reader      *r,
                 hid_t        loc,
                 const char  *name,
                 const char  *where,
                 GVariant   **out,
                 GError     **error)
{
  h5_auto hid_t attr = H5I_INVALID_HID;
  h5_auto hid_t ftype = H5I_INVALID_HID;
  h5_auto hid_t space = H5I_INVALID_HID;
  hssize_t npoints;
  H5S_class_t sclass;

  *out = NULL;

  if ((attr = H5Aopen (loc, name, H5P_DEFAULT)) < 0 ||
      (ftype = H5Aget_type (attr)) < 0 ||
      (space = H5Aget_space (attr)) < 0)
    return reader_fail (r, error, where, "the attribute cannot be opened (damaged file?)");

  sclass = H5Sget_simple_extent_type (space);
  if (sclass == H5S_NULL)
    return TRUE;

  npoints = H5Sget_simple_extent_npoints (space);
  if (npoints < 0 || npoints > MAX_ATTR_ELEMENTS)
    return reader_fail (r, error, where, "has an absurd number of elements");

  switch (H5Tget_class (ftype))
    {
    case H5T_STRING:
      {
        g_auto(GStrv) strv = NULL;

        if (!read_strings (r, attr, TRUE, ftype, space, npoints, where, &strv, error))
          return FALSE;

        if (sclass == H5S_SCALAR && npoints == 1)
          *out = g_variant_ref_sink (g_variant_new_string (strv[0]));
        else
          *out = g_variant_ref_sink (g_variant_new_strv ((const char * const *) strv, -1));
      }
      return TRUE;

    case H5T_INTEGER:
      if (npoints == 1 && H5Tget_size (ftype) <= 8)
        {
          gint64 v = 0;

          if (H5Aread (attr, H5T_NATIVE_INT64, &v) < 0)
            return reader_fail (r, error, where, "the attribute cannot be read (damaged file?)");
          *out = g_variant_ref_sink (g_variant_new_int64 (v));
        }
      return TRUE;

    case H5T_FLOAT:
      if (npoints == 1)
        {
          double v = 0;

          if (H5Aread (attr, H5T_NATIVE_DOUBLE, &v) < 0)
            return reader_fail (r, error, where, "the attribute cannot be read (damaged file?)");
          *out = g_variant_ref_sink (g_variant_new_double (v));
        }
      return TRUE;

    case H5T_NO_CLASS:
    case H5T_TIME:
    case H5T_BITFIELD:
    case H5T_OPAQUE:
    case H5T_COMPOUND:
    case H5T_REFERENCE:
    case H5T_ENUM:
    case H5T_VLEN:
    case H5T_ARRAY:
    case H5T_NCLASSES:
    default:
      return TRUE;
    }
}

/* An optional attribute of an expected kind: absent is fine, present
 * with another type is an error. */
static gboolean
read_optional_attr (Reader              *r,
                    hid_t                loc,
                    const char          *loc_path,
                    const char          *name,
                    const GVariantType  *want,
                    GVariant           **out,
                    GError             **error)
{
  g_autofree char *where = join_path (loc_path, name);
  g_autoptr(GVariant) value = NULL;

  *out = NULL;

  if (H5Aexists (loc, name) <= 0)
    return TRUE;

  if (!read_attr_value (r, loc, name, where, &value, error))
    return FALSE;

  if (value == NULL || !g_variant_is_of_type (value, want))
    return reader_fail (r, error, where, "has the wrong type (expected %s)",
                        g_variant_type_equal (want, G_VARIANT_TYPE_STRING) ? "a string" :
                        g_variant_type_equal (want, G_VARIANT_TYPE_INT64) ? "an integer" :
                        "another type");

  *out = g_steal_pointer (&value);

  return TRUE;
}

/* HDF5 orders names with strcmp(); so do we, whatever order it lists
 * them in. */
static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static herr_t
collect_attr_name_cb (hid_t             loc,
                      const char       *name,
                      const H5A_info_t *info,
                      void             *data)
{
  GPtrArray *names = data;

  g_ptr_array_add (names, g_strdup (name));

  return 0;
}

static gboolean
read_metadata (Reader  *r,
               GError **error)
{
  h5_auto hid_t group = H5I_INVALID_HID;
  g_autoptr(GPtrArray) names = NULL;
  hsize_t idx = 0;

  /* Files from a rank that never got to write metadata are still useful. */
  if (!has_child (r->file, "metadata", H5O_TYPE_GROUP))
    return TRUE;

  if ((group = H5Gopen2 (r->file, "metadata", H5P_DEFAULT)) < 0)
    return reader_fail (r, error, "/metadata", "the group cannot be opened (damaged file?)");

  /* Listed in native order, as links are (see list_links()): for
   * attributes in dense storage, name order makes HDF5 build and sort a
   * table of all of them first. They are read after the listing, in name
   * order, so that names that only differ in invalid UTF-8 always give the
   * same key the same value. */
  names = g_ptr_array_new_with_free_func (g_free);
  if (H5Aiterate2 (group, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect_attr_name_cb, names) < 0)
    return reader_fail (r, error, "/metadata", "the attributes cannot be listed (damaged file?)");

  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *where = g_strconcat ("/metadata/", name, NULL);
      g_autoptr(GVariant) value = NULL;

      if (!read_attr_value (r, group, name, where, &value, error))
        return FALSE;

      if (value != NULL)
        g_hash_table_replace (r->raw->metadata,
                              valid_utf8_dup (name, -1),
                              g_steal_pointer (&value));
    }

  return TRUE;
}

typedef struct
{
  GPtrArray *names;
  guint64    n_seen;
  gboolean   bad_name;
  gboolean   too_many;
} LinkList;

static herr_t
collect_link_name_cb (hid_t             group,
                      const char       *name,
                      const H5L_info_t *info,
                      void             *data)
{
  LinkList *list = data;
  gsize len = strnlen (name, MAX_NAME_LENGTH + 1);

  if (len == 0 || len > MAX_NAME_LENGTH)
    {
      list->bad_name = TRUE;
      return -1;
    }

  list->n_seen++;

  /* Soft and external links are never followed. */
  if (info->type != H5L_TYPE_HARD)
    return 0;

  if (list->names->len >= MAX_LINKS)
    {
      list->too_many = TRUE;
      return -1;
    }

  g_ptr_array_add (list->names, g_strndup (name, len));

  return 0;
}

/* Lists the names of the hard links in @group, in name order.
 *
 * One pass in HDF5's native order, sorted here. Asking HDF5 for the names
 * one index at a time (H5Lget_name_by_idx()) starts over on every call:
 * quadratic in big groups. Worse, name order (H5_ITER_INC) on a group in
 * dense storage (files in the latest format, groups of more than 8 links)
 * makes HDF5 build and sort a table of every link for each call, and
 * libhdf5 1.10 frees garbage in H5G__link_release_table() when a link
 * message of a damaged file fails to decode. In native order it walks the
 * group's own index instead. */
static gboolean
list_links (Reader      *r,
            hid_t        group,
            const char  *where,
            GPtrArray  **out,
            GError     **error)
{
  g_autoptr(GPtrArray) names = NULL;
  H5G_info_t ginfo;
  LinkList list = { NULL, 0, FALSE, FALSE };
  hsize_t idx = 0;

  if (H5Gget_info (group, &ginfo) < 0)
    return reader_fail (r, error, where, "the group cannot be listed (damaged file?)");

  if (ginfo.nlinks > MAX_LINKS)
    return reader_fail (r, error, where, "has an absurd number of members (%" G_GUINT64_FORMAT ")",
                        (guint64) ginfo.nlinks);

  /* Not sized from nlinks: that is a number in the file. */
  names = g_ptr_array_new_with_free_func (g_free);
  list.names = names;

  if (H5Literate (group, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect_link_name_cb, &list) < 0)
    {
      if (list.bad_name)
        return reader_fail (r, error, where, "member %" G_GUINT64_FORMAT " has no usable name",
                            list.n_seen);
      if (list.too_many)
        return reader_fail (r, error, where, "has an absurd number of members (more than %d)",
                            MAX_LINKS);
      return reader_fail (r, error, where, "the group cannot be listed (damaged file?)");
    }

  g_ptr_array_sort (names, compare_names);

  *out = g_steal_pointer (&names);

  return TRUE;
}

static gboolean
check_thread_ids (Reader       *r,
                  const char   *where,
                  const gint64 *ids,
                  gsize         n,
                  GError      **error)
{
  for (gsize i = 0; i < n; i++)
    {
      if (ids[i] < -1)
        return reader_fail (r, error, where, "element %" G_GSIZE_FORMAT " is an invalid thread id (%" G_GINT64_FORMAT ")",
                            i, ids[i]);
    }

  return TRUE;
}

/* Where the events of one thread go while a run of events is spread over
 * its series. */
typedef struct
{
  gint64              thread;
  gsize               count;
  SpSessionRawSeries *series;
  gsize               at;
} ThreadSlot;

/* The threads of @threads (NULL: all -1) and how many events each has, in
 * order of first appearance; @slot_of maps a thread to its slot + 1. */
static GArray *
plan_threads (const gint64 *threads,
              gsize         n,
              GHashTable  **slot_of)
{
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (ThreadSlot));
  ThreadSlot *cur = NULL;

  *slot_of = NULL;

  for (gsize i = 0; i < n; i++)
    {
      gint64 thread = threads != NULL ? threads[i] : -1;

      /* Runs of one thread are the rule: look up only on a change. */
      if (cur == NULL || cur->thread != thread)
        {
          gpointer found;

          if (*slot_of == NULL)
            *slot_of = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

          if ((found = g_hash_table_lookup (*slot_of, &thread)))
            cur = &g_array_index (slots, ThreadSlot, GPOINTER_TO_SIZE (found) - 1);
          else
            {
              ThreadSlot slot = { thread, 0, NULL, 0 };

              g_array_append_val (slots, slot);
              g_hash_table_insert (*slot_of, g_memdup2 (&thread, sizeof thread),
                                   GSIZE_TO_POINTER (slots->len));
              cur = &g_array_index (slots, ThreadSlot, slots->len - 1);
            }

          if (threads == NULL)
            {
              cur->count = n;
              break;
            }
        }

      cur->count++;
    }

  return slots;
}

static gboolean
read_slab (Reader      *r,
           hid_t        dset,
           hid_t        filespace,
           const char  *where,
           gsize        off,
           gsize        count,
           gint64      *dest,
           GError     **error)
{
  h5_auto hid_t memspace = H5I_INVALID_HID;
  hsize_t start = off;
  hsize_t hcount = count;

  if (H5Sselect_hyperslab (filespace, H5S_SELECT_SET, &start, NULL, &hcount, NULL) < 0 ||
      (memspace = H5Screate_simple (1, &hcount, NULL)) < 0)
    return reader_fail (r, error, where, "cannot select elements %" G_GSIZE_FORMAT "…", off);

  if (H5Dread (dset, H5T_NATIVE_INT64, memspace, filespace, H5P_DEFAULT, dest) < 0)
    return reader_fail (r, error, where,
                        "elements %" G_GSIZE_FORMAT "–%" G_GSIZE_FORMAT " cannot be read "
                        "(truncated or damaged file?)",
                        off, off + count);

  return TRUE;
}

/* How the two event columns hold an interval. */
typedef enum
{
  COLUMNS_START_END,        /* start_times, end_times */
  COLUMNS_DELTA_DURATION,   /* start_deltas (the first absolute), durations */
} Columns;

typedef struct
{
  hid_t        dset_a;
  hid_t        dset_b;
  hid_t        space_a;
  hid_t        space_b;
  const char  *where_a;
  const char  *where_b;
  Columns      columns;
} EventColumns;

static void
event_columns_clear (EventColumns *c)
{
  h5_autoclose (&c->space_a);
  h5_autoclose (&c->space_b);
  h5_autoclose (&c->dset_a);
  h5_autoclose (&c->dset_b);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EventColumns, event_columns_clear)

/* Turns @count values of the two columns into start and end times, in
 * place, checking each interval; @first is the index of the first value
 * within the run (for messages), @off its index in the columns. */
static gboolean
decode_events (Reader             *r,
               const EventColumns *c,
               const char         *where,
               gint64             *a,
               gint64             *b,
               gsize               count,
               gsize               first,
               gsize               off,
               gint64             *start,
               GError            **error)
{
  if (c->columns == COLUMNS_DELTA_DURATION)
    {
      gint64 s = *start;

      for (gsize j = 0; j < count; j++)
        {
          gint64 delta = a[j];
          gint64 duration = b[j];

          if (first + j == 0)
            s = delta;
          else if (__builtin_add_overflow (s, delta, &s))
            return reader_fail (r, error, c->where_a,
                                "element %" G_GSIZE_FORMAT " overflows the start time", off + j);

          if (duration < 0)
            return reader_fail (r, error, c->where_b,
                                "element %" G_GSIZE_FORMAT " is a negative duration (%" G_GINT64_FORMAT ")",
                                off + j, duration);

          a[j] = s;
          if (__builtin_add_overflow (s, duration, &b[j]))
            return reader_fail (r, error, c->where_b,
                                "element %" G_GSIZE_FORMAT " overflows the end time", off + j);
        }

      *start = s;
      return TRUE;
    }

  for (gsize j = 0; j < count; j++)
    {
      gint64 duration;

      if (b[j] < a[j])
        return reader_fail (r, error, where,
                            "interval %" G_GSIZE_FORMAT " ends before it starts (%" G_GINT64_FORMAT " < %" G_GINT64_FORMAT ")",
                            first + j, b[j], a[j]);

      /* Durations must be representable too. */
      if (__builtin_sub_overflow (b[j], a[j], &duration))
        return reader_fail (r, error, where,
                            "interval %" G_GSIZE_FORMAT " is too long (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
                            first + j, a[j], b[j]);
    }

  return TRUE;
}

/* Reads the events [@off, @off + @n) of the event columns into the raw
 * series of (@region, @rank, thread), @threads holding their threads (or
 * NULL). The series are sized first, so the events are read straight into
 * them when they belong to one thread, and through one reused block
 * otherwise: the only memory touched is the memory the session keeps. */
static gboolean
read_events (Reader             *r,
             const EventColumns *c,
             const char         *where,
             guint               region,
             guint               rank,
             gsize               off,
             gsize               n,
             const gint64       *threads,
             GError            **error)
{
  g_autoptr(GArray) slots = NULL;
  g_autoptr(GHashTable) slot_of = NULL;
  gint64 start = 0;

  _sp_session_raw_add_region_rank (r->raw, region, rank);

  if (n == 0)
    return TRUE;

  slots = plan_threads (threads, n, &slot_of);

  for (guint i = 0; i < slots->len; i++)
    {
      ThreadSlot *slot = &g_array_index (slots, ThreadSlot, i);

      slot->series = _sp_session_raw_get_series (r->raw, region, rank, slot->thread);
      if (!_sp_session_raw_series_grow (slot->series, slot->count, &slot->at))
        {
          g_set_error (error, SP_ERROR, SP_ERROR_FAILED,
                       "%s: %s: not enough memory for %" G_GSIZE_FORMAT " intervals",
                       r->path, where, slot->count);
          return FALSE;
        }
    }

  if (slots->len > 1 && r->block[0] == NULL)
    {
      r->block[0] = g_new (gint64, READ_BLOCK);
      r->block[1] = g_new (gint64, READ_BLOCK);
    }

  for (gsize done = 0; done < n;)
    {
      gsize count = MIN ((gsize) READ_BLOCK, n - done);
      ThreadSlot *one = slots->len == 1 ? &g_array_index (slots, ThreadSlot, 0) : NULL;
      gint64 *a = one ? one->series->starts + one->at + done : r->block[0];
      gint64 *b = one ? one->series->ends + one->at + done : r->block[1];

      if (!read_slab (r, c->dset_a, c->space_a, c->where_a, off + done, count, a, error) ||
          !read_slab (r, c->dset_b, c->space_b, c->where_b, off + done, count, b, error) ||
          !decode_events (r, c, where, a, b, count, done, off + done, &start, error))
        return FALSE;

      if (one == NULL)
        {
          ThreadSlot *cur = NULL;

          for (gsize j = 0; j < count; j++)
            {
              gint64 thread = threads[done + j];

              if (cur == NULL || cur->thread != thread)
                cur = &g_array_index (slots, ThreadSlot,
                                      GPOINTER_TO_SIZE (g_hash_table_lookup (slot_of, &thread)) - 1);
              cur->series->starts[cur->at] = a[j];
              cur->series->ends[cur->at] = b[j];
              cur->at++;
            }
        }

      done += count;
      reader_report (r, 2 * count);

      if (!reader_check_cancelled (r, error))
        return FALSE;
    }

  return TRUE;
}

static const char *
json_skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

static gboolean
json_hex4 (const char *p,
           gunichar   *out)
{
  gunichar v = 0;

  for (guint i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);

      if (d < 0)
        return FALSE;
      v = (v << 4) | (gunichar) d;
    }

  *out = v;

  return TRUE;
}

/* Tags are stored as a JSON list of strings, e.g. ["io", "mpi"]. Returns
 * %NULL for anything else. */
static char **
parse_json_string_list (const char *text)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  const char *p = json_skip_space (text);

  if (*p++ != '[')
    return NULL;

  p = json_skip_space (p);
  if (*p == ']')
    goto done;

  for (;;)
    {
      g_autoptr(GString) str = g_string_new (NULL);

      if (*p++ != '"')
        return NULL;

      while (*p != '"')
        {
          if (*p == 0)
            return NULL;

          if (*p != '\\')
            {
              g_string_append_c (str, *p++);
              continue;
            }

          p++;
          switch (*p)
            {
            case '"':  g_string_append_c (str, '"'); break;
            case '\\': g_string_append_c (str, '\\'); break;
            case '/':  g_string_append_c (str, '/'); break;
            case 'b':  g_string_append_c (str, '\b'); break;
            case 'f':  g_string_append_c (str, '\f'); break;
            case 'n':  g_string_append_c (str, '\n'); break;
            case 'r':  g_string_append_c (str, '\r'); break;
            case 't':  g_string_append_c (str, '\t'); break;
            case 'u':
              {
                gunichar c;

                if (!json_hex4 (p + 1, &c))
                  return NULL;
                p += 4;

                /* A surrogate pair spells one character outside the BMP. */
                if (c >= 0xd800 && c < 0xdc00 && p[1] == '\\' && p[2] == 'u')
                  {
                    gunichar low;

                    if (json_hex4 (p + 3, &low) && low >= 0xdc00 && low < 0xe000)
                      {
                        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
                        p += 6;
                      }
                  }

                if (!g_unichar_validate (c) || c == 0)
                  c = 0xfffd;
                g_string_append_unichar (str, c);
              }
              break;
            default:
              return NULL;
            }
          p++;
        }

      p++;
      g_ptr_array_add (items, valid_utf8_dup (str->str, str->len));

      p = json_skip_space (p);
      if (*p == ']')
        break;
      if (*p++ != ',')
        return NULL;
      p = json_skip_space (p);
    }

done:
  if (*json_skip_space (p + 1) != 0)
    return NULL;

  g_ptr_array_add (items, NULL);

  return (char **) g_ptr_array_steal (items, NULL);
}

static void
region_set_info (SpSessionRegionInfo *info,
                 GVariant            *source_file,
                 GVariant            *source_line,
                 GVariant            *source_text,
                 GVariant            *tags)
{
  if (info->source_file == NULL && source_file != NULL)
    info->source_file = g_variant_dup_string (source_file, NULL);

  if (info->source_line < 0 && source_line != NULL)
    info->source_line = MAX (-1, g_variant_get_int64 (source_line));

  if (info->source_text == NULL && source_text != NULL)
    info->source_text = g_variant_dup_string (source_text, NULL);

  if (info->tags == NULL && tags != NULL)
    {
      if (g_variant_is_of_type (tags, G_VARIANT_TYPE_STRING_ARRAY))
        {
          info->tags = g_variant_dup_strv (tags, NULL);
        }
      else
        {
          const char *text = g_variant_get_string (tags, NULL);

          /* Malformed tags are not worth refusing a session for. */
          info->tags = parse_json_string_list (text);
        }
    }
}

typedef struct
{
  guint  rank;
  char  *group_path;   /* HDF5 path of the region group */
  char  *name;         /* name made of the link names */
} Leaf;

static void
leaf_free (gpointer data)
{
  Leaf *leaf = data;

  g_free (leaf->group_path);
  g_free (leaf->name);
  g_free (leaf);
}

/* Python files use the region name as an HDF5 path, so "a/b" became
 * nested groups: a group is a region when it holds start_times, and a path
 * prefix when it holds groups, and it may be both. */
static gboolean
collect_leaves (Reader      *r,
                hid_t        group,
                guint        rank,
                const char  *group_path,
                const char  *name_prefix,
                guint        depth,
                GHashTable  *visited,
                GPtrArray   *leaves,
                GError     **error)
{
  g_autoptr(GPtrArray) names = NULL;

  if (depth > MAX_GROUP_DEPTH)
    return reader_fail (r, error, group_path, "groups are nested too deeply");

  if (!list_links (r, group, group_path, &names, error))
    return FALSE;

  for (guint i = 0; i < names->len; i++)
    {
      const char *link = g_ptr_array_index (names, i);
      g_autofree char *child_path = join_path (group_path, link);
      g_autofree char *child_name = join_path (name_prefix, link);
      h5_auto hid_t child = H5I_INVALID_HID;
      H5O_info_t oinfo;
      guint64 key;

      if (!has_child (group, link, H5O_TYPE_GROUP))
        continue;

      if ((child = H5Gopen2 (group, link, H5P_DEFAULT)) < 0 ||
          H5Oget_info2 (child, &oinfo, H5O_INFO_BASIC) < 0)
        return reader_fail (r, error, child_path, "the group cannot be opened (damaged file?)");

      /* Hard links can make cycles; each group is visited once. */
      key = (guint64) oinfo.addr;
      if (g_hash_table_contains (visited, &key))
        continue;
      g_hash_table_add (visited, g_memdup2 (&key, sizeof key));

      /* Python's "x/start_times" is a group start_times inside x. */
      if (has_child (child, "start_times", H5O_TYPE_DATASET))
        {
          Leaf *leaf = g_new0 (Leaf, 1);

          leaf->rank = rank;
          leaf->group_path = g_strdup (child_path);
          leaf->name = g_strdup (child_name);
          g_ptr_array_add (leaves, leaf);
        }

      if (!collect_leaves (r, child, rank, child_path, child_name, depth + 1, visited, leaves, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_leaf (Reader      *r,
           const Leaf  *leaf,
           GError     **error)
{
  h5_auto hid_t group = H5I_INVALID_HID;
  g_auto(EventColumns) c = { H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID,
                             NULL, NULL, COLUMNS_START_END };
  g_autofree gint64 *threads = NULL;
  g_autofree char *where_starts = join_path (leaf->group_path, "start_times");
  g_autofree char *where_ends = join_path (leaf->group_path, "end_times");
  g_autofree char *where_threads = join_path (leaf->group_path, "thread_ids");
  g_autoptr(GVariant) name = NULL;
  g_autoptr(GVariant) source_file = NULL;
  g_autoptr(GVariant) source_line = NULL;
  g_autoptr(GVariant) source_text = NULL;
  g_autoptr(GVariant) tags = NULL;
  SpSessionRegionInfo *info;
  gsize n_starts = 0;
  gsize n_ends = 0;
  gsize n_threads = 0;
  guint region;

  c.where_a = where_starts;
  c.where_b = where_ends;

  if ((group = H5Gopen2 (r->file, leaf->group_path, H5P_DEFAULT)) < 0)
    return reader_fail (r, error, leaf->group_path, "the group cannot be opened (damaged file?)");

  if (!read_optional_attr (r, group, leaf->group_path, "name", G_VARIANT_TYPE_STRING, &name, error) ||
      !read_optional_attr (r, group, leaf->group_path, "source_file", G_VARIANT_TYPE_STRING, &source_file, error) ||
      !read_optional_attr (r, group, leaf->group_path, "source_lineno", G_VARIANT_TYPE_INT64, &source_line, error) ||
      !read_optional_attr (r, group, leaf->group_path, "source_text", G_VARIANT_TYPE_STRING, &source_text, error))
    return FALSE;

  if (H5Aexists (group, "tags") > 0)
    {
      g_autofree char *where = join_path (leaf->group_path, "tags");

      if (!read_attr_value (r, group, "tags", where, &tags, error))
        return FALSE;
      if (tags != NULL &&
          !g_variant_is_of_type (tags, G_VARIANT_TYPE_STRING) &&
          !g_variant_is_of_type (tags, G_VARIANT_TYPE_STRING_ARRAY))
        g_clear_pointer (&tags, g_variant_unref);
    }

  if ((c.dset_a = open_column (r, group, "start_times", where_starts, H5T_INTEGER, &n_starts, error)) < 0)
    return FALSE;

  if (!has_child (group, "end_times", H5O_TYPE_DATASET))
    return reader_fail (r, error, leaf->group_path, "has start_times but no end_times dataset");

  if ((c.dset_b = open_column (r, group, "end_times", where_ends, H5T_INTEGER, &n_ends, error)) < 0)
    return FALSE;

  if (n_ends != n_starts)
    return reader_fail (r, error, where_ends,
                        "has %" G_GSIZE_FORMAT " elements but start_times has %" G_GSIZE_FORMAT,
                        n_ends, n_starts);

  if ((c.space_a = H5Dget_space (c.dset_a)) < 0 ||
      (c.space_b = H5Dget_space (c.dset_b)) < 0)
    return reader_fail (r, error, leaf->group_path, "the datasets' shapes cannot be read");

  if (H5Lexists (group, "thread_ids", H5P_DEFAULT) > 0)
    {
      if (!read_int_column (r, group, "thread_ids", where_threads, &threads, &n_threads, error))
        return FALSE;

      if (n_threads != n_starts)
        return reader_fail (r, error, where_threads,
                            "has %" G_GSIZE_FORMAT " elements but start_times has %" G_GSIZE_FORMAT,
                            n_threads, n_starts);

      if (!check_thread_ids (r, where_threads, threads, n_threads, error))
        return FALSE;
    }

  if (name != NULL && g_variant_get_string (name, NULL)[0] == 0)
    return reader_fail (r, error, leaf->group_path, "the region name attribute is empty");

  region = _sp_session_raw_intern_region (r->raw,
                                          name != NULL ? g_variant_get_string (name, NULL) : leaf->name);
  info = g_ptr_array_index (r->raw->regions, region);
  region_set_info (info, source_file, source_line, source_text, tags);

  return read_events (r, &c, leaf->group_path, region, leaf->rank, 0, n_starts, threads, error);
}

static gboolean
parse_rank_name (const char *name,
                 guint      *rank)
{
  guint64 v;

  if (!g_str_has_prefix (name, "rank") || !g_ascii_isdigit (name[4]))
    return FALSE;

  for (const char *p = name + 4; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  if (!g_ascii_string_to_unsigned (name + 4, 10, 0, G_MAXUINT32, &v, NULL))
    return FALSE;

  *rank = (guint) v;

  return TRUE;
}

static gboolean
check_same_length (Reader     *r,
                   GError    **error,
                   const char *where,
                   gsize       n,
                   const char *other,
                   gsize       n_other)
{
  if (n != n_other)
    return reader_fail (r, error, where,
                        "has %" G_GSIZE_FORMAT " elements but %s has %" G_GSIZE_FORMAT,
                        n, other, n_other);
  return TRUE;
}

/* A thread table: columns index, optional native_id and name; @ranks is
 * NULL for our per-rank tables, which belong to @rank. */
static gboolean
read_thread_table (Reader      *r,
                   hid_t        group,
                   const char  *group_path,
                   gboolean     with_ranks,
                   guint        rank,
                   GError     **error)
{
  g_autofree gint64 *ranks = NULL;
  g_autofree gint64 *index = NULL;
  g_autofree gint64 *native = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *where_ranks = join_path (group_path, "ranks");
  g_autofree char *where_index = join_path (group_path, "index");
  g_autofree char *where_native = join_path (group_path, "native_id");
  g_autofree char *where_name = join_path (group_path, "name");
  gsize n = 0;
  gsize n_other = 0;

  if (!read_int_column (r, group, "index", where_index, &index, &n, error))
    return FALSE;

  if (!check_thread_ids (r, where_index, index, n, error))
    return FALSE;

  if (with_ranks)
    {
      if (!read_int_column (r, group, "ranks", where_ranks, &ranks, &n_other, error) ||
          !check_same_length (r, error, where_ranks, n_other, "index", n))
        return FALSE;
    }

  if (H5Lexists (group, "native_id", H5P_DEFAULT) > 0)
    {
      if (!read_int_column (r, group, "native_id", where_native, &native, &n_other, error) ||
          !check_same_length (r, error, where_native, n_other, "index", n))
        return FALSE;
    }

  if (H5Lexists (group, "name", H5P_DEFAULT) > 0)
    {
      if (!read_string_column (r, group, "name", where_name, &names, &n_other, error) ||
          !check_same_length (r, error, where_name, n_other, "index", n))
        return FALSE;
    }

  for (gsize i = 0; i < n; i++)
    {
      SpSessionThreadInfo *info;
      guint thread_rank = rank;

      if (index[i] < 0)
        continue;

      if (ranks != NULL)
        {
          if (ranks[i] < 0 || ranks[i] > G_MAXUINT32)
            return reader_fail (r, error, where_ranks,
                                "element %" G_GSIZE_FORMAT " is not a valid rank (%" G_GINT64_FORMAT ")",
                                i, ranks[i]);
          thread_rank = (guint) ranks[i];
        }

      info = _sp_session_raw_get_thread (r->raw, thread_rank, index[i]);
      if (native != NULL)
        info->native_id = native[i];
      if (names != NULL && names[i][0] != 0)
        {
          g_free (info->name);
          info->name = g_strdup (names[i]);
        }
    }

  return TRUE;
}

static gboolean
read_schema1 (Reader  *r,
              GError **error)
{
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GPtrArray) leaves = NULL;
  g_autoptr(GHashTable) visited = NULL;

  if (!list_links (r, r->file, "/", &links, error))
    return FALSE;

  leaves = g_ptr_array_new_with_free_func (leaf_free);
  visited = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint i = 0; i < links->len; i++)
    {
      const char *link = g_ptr_array_index (links, i);
      g_autofree char *rank_path = g_strconcat ("/", link, NULL);
      g_autofree char *regions_path = g_strconcat ("/", link, "/regions", NULL);
      g_autofree char *threads_path = g_strconcat ("/", link, "/threads", NULL);
      h5_auto hid_t rank_group = H5I_INVALID_HID;
      guint rank;

      if (!parse_rank_name (link, &rank) || !has_child (r->file, link, H5O_TYPE_GROUP))
        continue;

      if ((rank_group = H5Gopen2 (r->file, link, H5P_DEFAULT)) < 0)
        return reader_fail (r, error, rank_path, "the group cannot be opened (damaged file?)");

      _sp_session_raw_add_file_rank (r->raw, rank);

      if (has_child (rank_group, "regions", H5O_TYPE_GROUP))
        {
          h5_auto hid_t regions = H5I_INVALID_HID;
          H5O_info_t oinfo;

          if ((regions = H5Gopen2 (rank_group, "regions", H5P_DEFAULT)) < 0)
            return reader_fail (r, error, regions_path, "the group cannot be opened (damaged file?)");

          if (H5Oget_info2 (regions, &oinfo, H5O_INFO_BASIC) >= 0)
            {
              guint64 key = (guint64) oinfo.addr;

              if (g_hash_table_contains (visited, &key))
                continue;
              g_hash_table_add (visited, g_memdup2 (&key, sizeof key));
            }

          if (!collect_leaves (r, regions, rank, regions_path, NULL, 0, visited, leaves, error))
            return FALSE;
        }

      if (has_child (rank_group, "threads", H5O_TYPE_GROUP))
        {
          h5_auto hid_t threads = H5I_INVALID_HID;

          if ((threads = H5Gopen2 (rank_group, "threads", H5P_DEFAULT)) < 0)
            return reader_fail (r, error, threads_path, "the group cannot be opened (damaged file?)");

          if (!read_thread_table (r, threads, threads_path, FALSE, rank, error))
            return FALSE;
        }
    }

  /* Progress counts region groups here: their sizes are unknown until
   * they are opened. */
  r->work_total = MAX (leaves->len, 1);
  r->work_done = 0;

  for (guint i = 0; i < leaves->len; i++)
    {
      Reader sub = *r;

      /* Element-level progress would count against the group total. */
      sub.progress = NULL;

      if (!read_leaf (&sub, g_ptr_array_index (leaves, i), error))
        return FALSE;

      reader_report (r, 1);

      if (!reader_check_cancelled (r, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_columnar (Reader  *r,
               GError **error)
{
  h5_auto hid_t region_table = H5I_INVALID_HID;
  h5_auto hid_t index_group = H5I_INVALID_HID;
  h5_auto hid_t events = H5I_INVALID_HID;
  g_auto(GStrv) region_names = NULL;
  g_autofree guint *region_map = NULL;
  g_autofree gint64 *region_ids = NULL;
  g_autofree gint64 *ranks = NULL;
  g_autofree gint64 *offsets = NULL;
  g_autofree gint64 *counts = NULL;
  g_autofree gint64 *source_lines = NULL;
  g_auto(GStrv) source_files = NULL;
  g_auto(GStrv) source_texts = NULL;
  g_auto(GStrv) tags = NULL;
  g_autofree gint64 *threads = NULL;
  const char *name_a = r->raw->schema >= 3 ? "start_deltas" : "start_times";
  const char *name_b = r->raw->schema >= 3 ? "durations" : "end_times";
  g_autofree char *where_a = g_strconcat ("/events/", name_a, NULL);
  g_autofree char *where_b = g_strconcat ("/events/", name_b, NULL);
  g_auto(EventColumns) c = { H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID,
                             where_a, where_b,
                             r->raw->schema >= 3 ? COLUMNS_DELTA_DURATION : COLUMNS_START_END };
  gsize n_regions = 0;
  gsize n_rows = 0;
  gsize n_events = 0;
  gsize n = 0;
  guint64 total_count = 0;

  if (!has_child (r->file, "region_table", H5O_TYPE_GROUP))
    return reader_fail (r, error, "/region_table", "missing group");
  if (!has_child (r->file, "rank_region_index", H5O_TYPE_GROUP))
    return reader_fail (r, error, "/rank_region_index", "missing group");
  if (!has_child (r->file, "events", H5O_TYPE_GROUP))
    {
      if (H5Lexists (r->file, "rank_region_index/aggregate_counts", H5P_DEFAULT) > 0)
        return reader_fail (r, error, "/events",
                            "missing group: the file was written in an aggregation mode that keeps "
                            "no per-call events, which this reader does not support");
      return reader_fail (r, error, "/events", "missing group");
    }

  if ((region_table = H5Gopen2 (r->file, "region_table", H5P_DEFAULT)) < 0 ||
      (index_group = H5Gopen2 (r->file, "rank_region_index", H5P_DEFAULT)) < 0 ||
      (events = H5Gopen2 (r->file, "events", H5P_DEFAULT)) < 0)
    return reader_fail (r, error, "/", "a group cannot be opened (damaged file?)");

  /* Regions */
  if (!read_string_column (r, region_table, "names", "/region_table/names", &region_names, &n_regions, error))
    return FALSE;

  region_map = g_new0 (guint, MAX (n_regions, 1));
  for (gsize i = 0; i < n_regions; i++)
    {
      if (region_names[i][0] == 0)
        return reader_fail (r, error, "/region_table/names", "region %" G_GSIZE_FORMAT " has an empty name", i);
      region_map[i] = _sp_session_raw_intern_region (r->raw, region_names[i]);
    }

  /* Rows of the index */
  if (!read_int_column (r, index_group, "region_ids", "/rank_region_index/region_ids", &region_ids, &n_rows, error))
    return FALSE;

  if (!read_int_column (r, index_group, "ranks", "/rank_region_index/ranks", &ranks, &n, error) ||
      !check_same_length (r, error, "/rank_region_index/ranks", n, "region_ids", n_rows) ||
      !read_int_column (r, index_group, "event_offsets", "/rank_region_index/event_offsets", &offsets, &n, error) ||
      !check_same_length (r, error, "/rank_region_index/event_offsets", n, "region_ids", n_rows) ||
      !read_int_column (r, index_group, "event_counts", "/rank_region_index/event_counts", &counts, &n, error) ||
      !check_same_length (r, error, "/rank_region_index/event_counts", n, "region_ids", n_rows))
    return FALSE;

  if (H5Lexists (index_group, "source_lines", H5P_DEFAULT) > 0 &&
      (!read_int_column (r, index_group, "source_lines", "/rank_region_index/source_lines", &source_lines, &n, error) ||
       !check_same_length (r, error, "/rank_region_index/source_lines", n, "region_ids", n_rows)))
    return FALSE;
  if (H5Lexists (index_group, "source_files", H5P_DEFAULT) > 0 &&
      (!read_string_column (r, index_group, "source_files", "/rank_region_index/source_files", &source_files, &n, error) ||
       !check_same_length (r, error, "/rank_region_index/source_files", n, "region_ids", n_rows)))
    return FALSE;
  if (H5Lexists (index_group, "source_texts", H5P_DEFAULT) > 0 &&
      (!read_string_column (r, index_group, "source_texts", "/rank_region_index/source_texts", &source_texts, &n, error) ||
       !check_same_length (r, error, "/rank_region_index/source_texts", n, "region_ids", n_rows)))
    return FALSE;
  if (H5Lexists (index_group, "tags", H5P_DEFAULT) > 0 &&
      (!read_string_column (r, index_group, "tags", "/rank_region_index/tags", &tags, &n, error) ||
       !check_same_length (r, error, "/rank_region_index/tags", n, "region_ids", n_rows)))
    return FALSE;

  /* The event columns: check their extent before reading them, so the
   * progress total is known and the rows can be checked against it. */
  {
    h5_auto hid_t dset = H5I_INVALID_HID;

    if ((dset = open_column (r, events, name_a, where_a, H5T_INTEGER, &n_events, error)) < 0)
      return FALSE;
  }

  for (gsize i = 0; i < n_rows; i++)
    {
      if (region_ids[i] < 0 || (guint64) region_ids[i] >= n_regions)
        return reader_fail (r, error, "/rank_region_index/region_ids",
                            "row %" G_GSIZE_FORMAT " refers to region %" G_GINT64_FORMAT
                            ", but /region_table/names has %" G_GSIZE_FORMAT " regions",
                            i, region_ids[i], n_regions);

      if (ranks[i] < 0 || ranks[i] > G_MAXUINT32)
        return reader_fail (r, error, "/rank_region_index/ranks",
                            "row %" G_GSIZE_FORMAT " has an invalid rank (%" G_GINT64_FORMAT ")",
                            i, ranks[i]);

      if (offsets[i] < 0 || counts[i] < 0 ||
          (guint64) counts[i] > n_events ||
          (guint64) offsets[i] > n_events - (guint64) counts[i])
        return reader_fail (r, error, "/rank_region_index",
                            "row %" G_GSIZE_FORMAT " claims events %" G_GINT64_FORMAT "+%" G_GINT64_FORMAT
                            ", outside the %" G_GSIZE_FORMAT " events stored in %s",
                            i, offsets[i], counts[i], n_events, where_a);

      total_count += (guint64) counts[i];
    }

  /* Rows that share events would multiply the data we copy. */
  if (total_count > n_events)
    return reader_fail (r, error, "/rank_region_index/event_counts",
                        "the rows claim %" G_GUINT64_FORMAT " events in total, more than the %"
                        G_GSIZE_FORMAT " stored", total_count, n_events);

  r->work_total = (guint64) n_events * (H5Lexists (events, "thread_ids", H5P_DEFAULT) > 0 ? 3 : 2);
  r->work_done = 0;

  if ((c.dset_a = open_column (r, events, name_a, where_a, H5T_INTEGER, &n, error)) < 0 ||
      !check_same_length (r, error, where_a, n, "the checked extent", n_events) ||
      (c.dset_b = open_column (r, events, name_b, where_b, H5T_INTEGER, &n, error)) < 0 ||
      !check_same_length (r, error, where_b, n, name_a, n_events))
    return FALSE;

  if ((c.space_a = H5Dget_space (c.dset_a)) < 0 ||
      (c.space_b = H5Dget_space (c.dset_b)) < 0)
    return reader_fail (r, error, "/events", "the datasets' shapes cannot be read");

  if (H5Lexists (events, "thread_ids", H5P_DEFAULT) > 0)
    {
      if (!read_int_column (r, events, "thread_ids", "/events/thread_ids", &threads, &n, error) ||
          !check_same_length (r, error, "/events/thread_ids", n, name_a, n_events) ||
          !check_thread_ids (r, "/events/thread_ids", threads, n, error))
        return FALSE;
    }

  if (has_child (r->file, "thread_table", H5O_TYPE_GROUP))
    {
      h5_auto hid_t thread_table = H5I_INVALID_HID;

      if ((thread_table = H5Gopen2 (r->file, "thread_table", H5P_DEFAULT)) < 0)
        return reader_fail (r, error, "/thread_table", "the group cannot be opened (damaged file?)");

      if (!read_thread_table (r, thread_table, "/thread_table", TRUE, 0, error))
        return FALSE;
    }

  for (gsize i = 0; i < n_rows; i++)
    {
      gsize off = (gsize) offsets[i];
      gsize count = (gsize) counts[i];
      guint region = region_map[region_ids[i]];
      g_autofree char *where = g_strdup_printf ("/rank_region_index row %" G_GSIZE_FORMAT, i);
      SpSessionRegionInfo *info = g_ptr_array_index (r->raw->regions, region);
      g_autoptr(GVariant) v_file = NULL;
      g_autoptr(GVariant) v_line = NULL;
      g_autoptr(GVariant) v_text = NULL;
      g_autoptr(GVariant) v_tags = NULL;

      if (source_files != NULL && source_files[i][0] != 0)
        v_file = g_variant_ref_sink (g_variant_new_string (source_files[i]));
      if (source_lines != NULL && source_lines[i] >= 0)
        v_line = g_variant_ref_sink (g_variant_new_int64 (source_lines[i]));
      if (source_texts != NULL && source_texts[i][0] != 0)
        v_text = g_variant_ref_sink (g_variant_new_string (source_texts[i]));
      if (tags != NULL && tags[i][0] != 0)
        v_tags = g_variant_ref_sink (g_variant_new_string (tags[i]));
      region_set_info (info, v_file, v_line, v_text, v_tags);

      /* Each row is read straight into its series; a row of schema 3
       * starts afresh, its first delta absolute. */
      if (!read_events (r, &c, where, region, (guint) ranks[i], off, count,
                        threads != NULL ? threads + off : NULL, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_file (Reader  *r,
           GError **error)
{
  g_autoptr(GVariant) schema = NULL;
  g_autoptr(GVariant) layout = NULL;

  if (!read_optional_attr (r, r->file, "/", "scope_profiler_schema", G_VARIANT_TYPE_INT64, &schema, error) ||
      !read_optional_attr (r, r->file, "/", "storage_layout", G_VARIANT_TYPE_STRING, &layout, error))
    return FALSE;

  r->raw->schema = schema != NULL ? (int) CLAMP (g_variant_get_int64 (schema), G_MININT, G_MAXINT) : 1;

  if (r->raw->schema < 1 || r->raw->schema > 3)
    return reader_fail (r, error, "/scope_profiler_schema",
                        "unsupported schema version %" G_GINT64_FORMAT " (this reader knows 1 to 3)",
                        g_variant_get_int64 (schema));

  if (layout != NULL && r->raw->schema >= 2 &&
      g_strcmp0 (g_variant_get_string (layout, NULL), "columnar") != 0)
    return reader_fail (r, error, "/storage_layout", "unsupported storage layout “%s”",
                        g_variant_get_string (layout, NULL));

  if (!read_metadata (r, error))
    return FALSE;

  if (!reader_check_cancelled (r, error))
    return FALSE;

  if (r->raw->schema == 1)
    return read_schema1 (r, error);
  else
    return read_columnar (r, error);
}

static herr_t
innermost_error_cb (unsigned int         n,
                    const H5E_error2_t  *err,
                    void                *data)
{
  char **detail = data;

  if (*detail == NULL && err->desc != NULL && err->desc[0] != 0)
    *detail = valid_utf8_dup (err->desc, -1);

  return 0;
}

/* HDF5's own, most specific, reason for the last failure. */
static char *
h5_error_detail (void)
{
  char *detail = NULL;

  H5Ewalk2 (H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error_cb, &detail);

  return detail;
}

/* Tells "not HDF5" from "HDF5 but damaged": HDF5's signature sits at
 * offset 0, 512, 1024, 2048, ... */
static gboolean
has_hdf5_signature (const char *path)
{
  static const guint8 signature[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  goffset offset = 0;

  if (!(stream = g_file_read (file, NULL, NULL)))
    return FALSE;

  for (guint i = 0; i < 20; i++)
    {
      guint8 buf[8];
      gsize n_read = 0;

      if (!g_seekable_seek (G_SEEKABLE (stream), offset, G_SEEK_SET, NULL, NULL) ||
          !g_input_stream_read_all (G_INPUT_STREAM (stream), buf, sizeof buf, &n_read, NULL, NULL) ||
          n_read < sizeof buf)
        return FALSE;

      if (memcmp (buf, signature, sizeof signature) == 0)
        return TRUE;

      offset = offset == 0 ? 512 : offset * 2;
    }

  return FALSE;
}

SpSessionRaw *
_sp_h5_read_session (const char             *path,
                     GCancellable           *cancellable,
                     SpSessionProgressFunc   progress,
                     gpointer                progress_data,
                     GError                **error)
{
  g_autoptr(SpSessionRaw) raw = NULL;
  h5_auto hid_t fapl = H5I_INVALID_HID;
  H5E_auto2_t saved_func = NULL;
  void *saved_data = NULL;
  Reader r = { 0 };
  gint64 *block[2] = { NULL, NULL };
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SP_ERROR, SP_ERROR_IO, "%s: no such file", path);
      return NULL;
    }

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SP_ERROR, SP_ERROR_IO, "%s: is a directory", path);
      return NULL;
    }

  if (!has_hdf5_signature (path))
    {
      if (g_access (path, R_OK) != 0)
        {
          int errsv = errno;

          g_set_error (error, SP_ERROR, SP_ERROR_IO, "%s: %s", path, g_strerror (errsv));
          return NULL;
        }

      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_FILE, "%s: not an HDF5 file", path);
      return NULL;
    }

  raw = _sp_session_raw_new ();

  {
    GStatBuf st;

    r.file_size = g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
  }

  r.path = path;
  r.file = H5I_INVALID_HID;
  r.cancellable = cancellable;
  r.progress = progress;
  r.progress_data = progress_data;
  r.raw = raw;
  r.block = block;

  /* Silence HDF5's error printing for our calls only; restored below. */
  H5Eget_auto2 (H5E_DEFAULT, &saved_func, &saved_data);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);

  fapl = H5Pcreate (H5P_FILE_ACCESS);
  if (fapl >= 0)
    H5Pset_fclose_degree (fapl, H5F_CLOSE_STRONG);

  r.file = H5Fopen (path, H5F_ACC_RDONLY, fapl >= 0 ? fapl : H5P_DEFAULT);

  if (r.file < 0)
    {
      g_autofree char *detail = h5_error_detail ();

      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_FILE,
                   "%s: the HDF5 file cannot be opened (truncated or damaged?)%s%s",
                   path, detail ? ": " : "", detail ? detail : "");
      ok = FALSE;
    }
  else
    {
      ok = read_file (&r, error);
      H5Fclose (r.file);
    }

  g_free (block[0]);
  g_free (block[1]);

  /* Our failures are reported as GErrors; leave no stack behind. */
  H5Eclear2 (H5E_DEFAULT);
  H5Eset_auto2 (H5E_DEFAULT, saved_func, saved_data);

  if (!ok)
    return NULL;

  return g_steal_pointer (&raw);
}
