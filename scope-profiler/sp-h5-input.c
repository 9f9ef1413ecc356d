/* sp-h5-input.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Checked access to an HDF5 file that is trusted in nothing: typed,
 * extent-checked reads of datasets and attributes, listings of groups and
 * attributes with bounded names and counts, and strings whose memory is
 * bounded by the size of the file. Every failure is a GError that names
 * the file and the object.
 *
 * It stands apart from the schema readers (sp-h5-reader.c) so that those
 * say what a session file holds, and this file alone how a number from a
 * file is made safe to use. It knows nothing of sessions. */

#include "config.h"

#include <string.h>

#include "sp-error.h"
#include "sp-h5-input-private.h"
#include "sp-session-raw-private.h"

/* A dataset may not claim more elements than this, whatever it stores. */
#define MAX_ELEMENTS         (G_GUINT64_CONSTANT (1) << 36)
/* Deflate cannot shrink data more than ~1032:1; anything beyond is a lie. */
#define MAX_EXPANSION        2048
#define MAX_ATTR_ELEMENTS    65536
#define MAX_NAME_LENGTH      (16 * 1024 * 1024)  /* our writer takes any name; 1 MB ones are tested */
#define MAX_FIXED_STRING     (1 << 20)
#define MAX_LINKS            (1 << 24)

void
sp_h5_autoclose (hid_t *id)
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

gboolean
sp_h5_input_fail (SpH5Input   *in,
                  GError     **error,
                  const char  *where,
                  const char  *format,
                  ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, SP_ERROR, SP_ERROR_INVALID_FILE,
               "%s: %s: %s", in->path, where, what);

  return FALSE;
}

void
sp_h5_input_report (SpH5Input *in,
                    guint64    done_now)
{
  in->work_done += done_now;

  if (in->progress != NULL && in->work_total > 0)
    {
      double fraction = (double) MIN (in->work_done, in->work_total) / (double) in->work_total;

      /* Reading is the first 80 %, building the model the rest. */
      in->progress (0.8 * fraction, in->progress_data);
    }
}

gboolean
sp_h5_input_check_cancelled (SpH5Input  *in,
                             GError    **error)
{
  return !g_cancellable_set_error_if_cancelled (in->cancellable, error);
}

char *
sp_h5_join_path (const char *parent,
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
gboolean
sp_h5_has_child (hid_t       loc,
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
check_filters (SpH5Input   *in,
               hid_t        dset,
               const char  *where,
               GError     **error)
{
  sp_h5_auto hid_t dcpl = H5I_INVALID_HID;
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
        return sp_h5_input_fail (in, error, where,
                                 "is compressed with HDF5 filter %d (%s), which this HDF5 library does not have",
                                 (int) id, name[0] ? name : "unknown");
    }

  return TRUE;
}

/* Opens a 1-D dataset and checks it before anything is read from it. */
hid_t
sp_h5_open_column (SpH5Input    *in,
                   hid_t         loc,
                   const char   *name,
                   const char   *where,
                   H5T_class_t   want,
                   gsize        *n_out,
                   GError      **error)
{
  sp_h5_auto hid_t dset = H5I_INVALID_HID;
  sp_h5_auto hid_t type = H5I_INVALID_HID;
  sp_h5_auto hid_t space = H5I_INVALID_HID;
  H5T_class_t klass;
  hsize_t dims[1];
  hsize_t storage;
  size_t elsize;
  hid_t ret;

  if (!sp_h5_has_child (loc, name, H5O_TYPE_DATASET))
    {
      if (H5Lexists (loc, name, H5P_DEFAULT) > 0)
        sp_h5_input_fail (in, error, where, "is not a dataset");
      else
        sp_h5_input_fail (in, error, where, "missing dataset");
      return H5I_INVALID_HID;
    }

  if ((dset = H5Dopen2 (loc, name, H5P_DEFAULT)) < 0)
    {
      sp_h5_input_fail (in, error, where, "the dataset cannot be opened (damaged file?)");
      return H5I_INVALID_HID;
    }

  if ((type = H5Dget_type (dset)) < 0 ||
      (space = H5Dget_space (dset)) < 0)
    {
      sp_h5_input_fail (in, error, where, "the dataset's type or shape cannot be read (damaged file?)");
      return H5I_INVALID_HID;
    }

  klass = H5Tget_class (type);
  if (klass != want)
    {
      sp_h5_input_fail (in, error, where, "has %s values, expected %s values",
                        type_class_name (klass), type_class_name (want));
      return H5I_INVALID_HID;
    }

  elsize = H5Tget_size (type);
  if (elsize == 0 ||
      (want == H5T_INTEGER && elsize > 8) ||
      (want == H5T_STRING && !H5Tis_variable_str (type) && elsize > MAX_FIXED_STRING))
    {
      sp_h5_input_fail (in, error, where, "has an unsupported element size of %zu bytes", elsize);
      return H5I_INVALID_HID;
    }

  if (H5Sget_simple_extent_type (space) != H5S_SIMPLE ||
      H5Sget_simple_extent_ndims (space) != 1 ||
      H5Sget_simple_extent_dims (space, dims, NULL) != 1)
    {
      sp_h5_input_fail (in, error, where, "is not a one-dimensional array");
      return H5I_INVALID_HID;
    }

  if (dims[0] > MAX_ELEMENTS)
    {
      sp_h5_input_fail (in, error, where, "claims an absurd number of elements (%" G_GUINT64_FORMAT ")",
                        (guint64) dims[0]);
      return H5I_INVALID_HID;
    }

  /* The extent is a number in the file too: hold it against the bytes the
   * dataset really has, so a few bytes cannot make us allocate gigabytes. */
  storage = H5Dget_storage_size (dset);
  if (dims[0] > 0 &&
      ((guint64) dims[0] * MIN (elsize, 8)) / MAX_EXPANSION > (guint64) storage)
    {
      sp_h5_input_fail (in, error, where,
                        "claims %" G_GUINT64_FORMAT " elements but stores only %" G_GUINT64_FORMAT " bytes",
                        (guint64) dims[0], (guint64) storage);
      return H5I_INVALID_HID;
    }

  if (!check_filters (in, dset, where, error))
    return H5I_INVALID_HID;

  *n_out = (gsize) dims[0];
  ret = dset;
  dset = H5I_INVALID_HID;

  return ret;
}

/* Reads a 1-D integer dataset as int64, in blocks so that progress and
 * cancellation are seen during long reads. */
gboolean
sp_h5_read_int_column (SpH5Input   *in,
                       hid_t        loc,
                       const char  *name,
                       const char  *where,
                       gint64     **out,
                       gsize       *n_out,
                       GError     **error)
{
  sp_h5_auto hid_t dset = H5I_INVALID_HID;
  sp_h5_auto hid_t filespace = H5I_INVALID_HID;
  g_autofree gint64 *buf = NULL;
  gsize n = 0;

  if ((dset = sp_h5_open_column (in, loc, name, where, H5T_INTEGER, &n, error)) < 0)
    return FALSE;

  if (n > 0 && !(buf = g_try_malloc_n (n, sizeof (gint64))))
    {
      g_set_error (error, SP_ERROR, SP_ERROR_FAILED,
                   "%s: %s: not enough memory for %" G_GSIZE_FORMAT " elements",
                   in->path, where, n);
      return FALSE;
    }

  if (buf != NULL)
    sp_session_advise_huge (buf, n * sizeof (gint64));

  if ((filespace = H5Dget_space (dset)) < 0)
    return sp_h5_input_fail (in, error, where, "the dataset's shape cannot be read");

  for (gsize off = 0; off < n; off += SP_H5_READ_BLOCK)
    {
      sp_h5_auto hid_t memspace = H5I_INVALID_HID;
      hsize_t start = off;
      hsize_t count = MIN ((gsize) SP_H5_READ_BLOCK, n - off);

      if (H5Sselect_hyperslab (filespace, H5S_SELECT_SET, &start, NULL, &count, NULL) < 0 ||
          (memspace = H5Screate_simple (1, &count, NULL)) < 0)
        return sp_h5_input_fail (in, error, where, "cannot select elements %" G_GSIZE_FORMAT "…", off);

      if (H5Dread (dset, H5T_NATIVE_INT64, memspace, filespace, H5P_DEFAULT, buf + off) < 0)
        return sp_h5_input_fail (in, error, where,
                                 "elements %" G_GSIZE_FORMAT "–%" G_GSIZE_FORMAT " cannot be read "
                                 "(truncated or damaged file?)",
                                 off, off + (gsize) count);

      sp_h5_input_report (in, count);

      if (!sp_h5_input_check_cancelled (in, error))
        return FALSE;
    }

  *out = g_steal_pointer (&buf);
  *n_out = n;

  return TRUE;
}

char *
sp_h5_valid_utf8_dup (const char *str,
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
read_strings (SpH5Input    *in,
              hid_t         obj,
              gboolean      is_attr,
              hid_t         ftype,
              hid_t         space,
              gsize         n,
              const char   *where,
              char       ***out,
              GError      **error)
{
  sp_h5_auto hid_t memtype = H5I_INVALID_HID;
  sp_h5_auto hid_t dxpl = H5I_INVALID_HID;
  g_auto(GStrv) strv = NULL;
  g_auto(VlenBudget) budget = { 0, in->file_size + n + 4096, NULL };
  herr_t status;

  if ((memtype = H5Tcopy (H5T_C_S1)) < 0)
    return sp_h5_input_fail (in, error, where, "cannot create a string type");

  H5Tset_cset (memtype, H5Tget_cset (ftype) == H5T_CSET_UTF8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);

  strv = g_new0 (char *, n + 1);

  if (H5Tis_variable_str (ftype) > 0)
    {
      g_autofree char **buf = NULL;

      if (H5Tset_size (memtype, H5T_VARIABLE) < 0)
        return sp_h5_input_fail (in, error, where, "cannot create a string type");

      buf = g_try_new0 (char *, MAX (n, 1));
      if (buf == NULL)
        return sp_h5_input_fail (in, error, where, "not enough memory for %" G_GSIZE_FORMAT " strings", n);

      if (is_attr)
        {
          /* H5Aread() takes no transfer property list, so HDF5 allocates
           * with malloc() here. Reclaiming @buf frees what reached it; what
           * a failed conversion left in HDF5's own buffer is out of reach
           * (see tests/fuzz/README.md). */
          status = H5Aread (obj, memtype, buf);
          if (status >= 0)
            for (gsize i = 0; i < n; i++)
              strv[i] = sp_h5_valid_utf8_dup (buf[i], -1);
          H5Dvlen_reclaim (memtype, space, H5P_DEFAULT, buf);
        }
      else
        {
          budget.blocks = g_ptr_array_new_with_free_func (g_free);
          if ((dxpl = H5Pcreate (H5P_DATASET_XFER)) < 0 ||
              H5Pset_vlen_mem_manager (dxpl, vlen_budget_alloc, &budget, vlen_budget_free, &budget) < 0)
            return sp_h5_input_fail (in, error, where, "cannot set up reading strings");
          status = H5Dread (obj, memtype, H5S_ALL, H5S_ALL, dxpl, buf);
          if (status >= 0)
            for (gsize i = 0; i < n; i++)
              strv[i] = sp_h5_valid_utf8_dup (buf[i], -1);
          /* The strings, read or not, go with the budget. */
        }

      if (status < 0)
        return sp_h5_input_fail (in, error, where, "the strings cannot be read (damaged file?)");
    }
  else
    {
      g_autofree char *buf = NULL;
      size_t size = H5Tget_size (ftype);

      if (size == 0 || size > MAX_FIXED_STRING ||
          H5Tset_size (memtype, size) < 0 ||
          H5Tset_strpad (memtype, H5T_STR_NULLPAD) < 0)
        return sp_h5_input_fail (in, error, where, "has an unsupported string size");

      /* Attributes are stored as they are: their bytes are in the file. */
      if (n > G_MAXSIZE / size ||
          (is_attr && n * size > in->file_size + 4096) ||
          !(buf = g_try_malloc0 (MAX (n * size, 1))))
        return sp_h5_input_fail (in, error, where, "not enough memory for %" G_GSIZE_FORMAT " strings", n);

      if (is_attr)
        status = H5Aread (obj, memtype, buf);
      else
        status = H5Dread (obj, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);

      if (status < 0)
        return sp_h5_input_fail (in, error, where, "the strings cannot be read (damaged file?)");

      for (gsize i = 0; i < n; i++)
        strv[i] = sp_h5_valid_utf8_dup (buf + i * size, size);
    }

  *out = g_steal_pointer (&strv);

  return TRUE;
}

gboolean
sp_h5_read_string_column (SpH5Input    *in,
                          hid_t         loc,
                          const char   *name,
                          const char   *where,
                          char       ***out,
                          gsize        *n_out,
                          GError      **error)
{
  sp_h5_auto hid_t dset = H5I_INVALID_HID;
  sp_h5_auto hid_t ftype = H5I_INVALID_HID;
  sp_h5_auto hid_t space = H5I_INVALID_HID;
  gsize n = 0;

  if ((dset = sp_h5_open_column (in, loc, name, where, H5T_STRING, &n, error)) < 0)
    return FALSE;

  if ((ftype = H5Dget_type (dset)) < 0 || (space = H5Dget_space (dset)) < 0)
    return sp_h5_input_fail (in, error, where, "the dataset's type cannot be read");

  if (!read_strings (in, dset, FALSE, ftype, space, n, where, out, error))
    return FALSE;

  *n_out = n;

  return TRUE;
}

/* Reads an attribute into a GVariant: 's', 'x', 'd', or 'as' for a list of
 * strings. Other kinds are of no use to us and give %NULL without error. */
gboolean
sp_h5_read_attr_value (SpH5Input   *in,
                       hid_t        loc,
                       const char  *name,
                       const char  *where,
                       GVariant   **out,
                       GError     **error)
{
  sp_h5_auto hid_t attr = H5I_INVALID_HID;
  sp_h5_auto hid_t ftype = H5I_INVALID_HID;
  sp_h5_auto hid_t space = H5I_INVALID_HID;
  hssize_t npoints;
  H5S_class_t sclass;

  *out = NULL;

  if ((attr = H5Aopen (loc, name, H5P_DEFAULT)) < 0 ||
      (ftype = H5Aget_type (attr)) < 0 ||
      (space = H5Aget_space (attr)) < 0)
    return sp_h5_input_fail (in, error, where, "the attribute cannot be opened (damaged file?)");

  sclass = H5Sget_simple_extent_type (space);
  if (sclass == H5S_NULL)
    return TRUE;

  npoints = H5Sget_simple_extent_npoints (space);
  if (npoints < 0 || npoints > MAX_ATTR_ELEMENTS)
    return sp_h5_input_fail (in, error, where, "has an absurd number of elements");

  switch (H5Tget_class (ftype))
    {
    case H5T_STRING:
      {
        g_auto(GStrv) strv = NULL;

        if (!read_strings (in, attr, TRUE, ftype, space, npoints, where, &strv, error))
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
            return sp_h5_input_fail (in, error, where, "the attribute cannot be read (damaged file?)");
          *out = g_variant_ref_sink (g_variant_new_int64 (v));
        }
      return TRUE;

    case H5T_FLOAT:
      if (npoints == 1)
        {
          double v = 0;

          if (H5Aread (attr, H5T_NATIVE_DOUBLE, &v) < 0)
            return sp_h5_input_fail (in, error, where, "the attribute cannot be read (damaged file?)");
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
gboolean
sp_h5_read_optional_attr (SpH5Input           *in,
                          hid_t                loc,
                          const char          *loc_path,
                          const char          *name,
                          const GVariantType  *want,
                          GVariant           **out,
                          GError             **error)
{
  g_autofree char *where = sp_h5_join_path (loc_path, name);
  g_autoptr(GVariant) value = NULL;

  *out = NULL;

  if (H5Aexists (loc, name) <= 0)
    return TRUE;

  if (!sp_h5_read_attr_value (in, loc, name, where, &value, error))
    return FALSE;

  if (value == NULL || !g_variant_is_of_type (value, want))
    return sp_h5_input_fail (in, error, where, "has the wrong type (expected %s)",
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

/* Lists the names of the attributes of @loc, in name order.
 *
 * Listed in native order, as links are (see sp_h5_list_links()): for
 * attributes in dense storage, name order makes HDF5 build and sort a
 * table of all of them first. */
gboolean
sp_h5_list_attrs (SpH5Input   *in,
                  hid_t        loc,
                  const char  *where,
                  GPtrArray  **out,
                  GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  hsize_t idx = 0;

  if (H5Aiterate2 (loc, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect_attr_name_cb, names) < 0)
    return sp_h5_input_fail (in, error, where, "the attributes cannot be listed (damaged file?)");

  g_ptr_array_sort (names, compare_names);

  *out = g_steal_pointer (&names);

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
gboolean
sp_h5_list_links (SpH5Input   *in,
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
    return sp_h5_input_fail (in, error, where, "the group cannot be listed (damaged file?)");

  if (ginfo.nlinks > MAX_LINKS)
    return sp_h5_input_fail (in, error, where, "has an absurd number of members (%" G_GUINT64_FORMAT ")",
                             (guint64) ginfo.nlinks);

  /* Not sized from nlinks: that is a number in the file. */
  names = g_ptr_array_new_with_free_func (g_free);
  list.names = names;

  if (H5Literate (group, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect_link_name_cb, &list) < 0)
    {
      if (list.bad_name)
        return sp_h5_input_fail (in, error, where, "member %" G_GUINT64_FORMAT " has no usable name",
                                 list.n_seen);
      if (list.too_many)
        return sp_h5_input_fail (in, error, where, "has an absurd number of members (more than %d)",
                                 MAX_LINKS);
      return sp_h5_input_fail (in, error, where, "the group cannot be listed (damaged file?)");
    }

  g_ptr_array_sort (names, compare_names);

  *out = g_steal_pointer (&names);

  return TRUE;
}

gboolean
sp_h5_read_slab (SpH5Input   *in,
                 hid_t        dset,
                 hid_t        filespace,
                 const char  *where,
                 gsize        off,
                 gsize        count,
                 gint64      *dest,
                 GError     **error)
{
  sp_h5_auto hid_t memspace = H5I_INVALID_HID;
  hsize_t start = off;
  hsize_t hcount = count;

  if (H5Sselect_hyperslab (filespace, H5S_SELECT_SET, &start, NULL, &hcount, NULL) < 0 ||
      (memspace = H5Screate_simple (1, &hcount, NULL)) < 0)
    return sp_h5_input_fail (in, error, where, "cannot select elements %" G_GSIZE_FORMAT "…", off);

  if (H5Dread (dset, H5T_NATIVE_INT64, memspace, filespace, H5P_DEFAULT, dest) < 0)
    return sp_h5_input_fail (in, error, where,
                             "elements %" G_GSIZE_FORMAT "–%" G_GSIZE_FORMAT " cannot be read "
                             "(truncated or damaged file?)",
                             off, off + count);

  return TRUE;
}
