/* sp-h5-util.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "sp-error.h"
#include "sp-h5-util-private.h"

void
sp_h5_quiet_push (SpH5Quiet *quiet)
{
  H5Eget_auto2 (H5E_DEFAULT, &quiet->func, &quiet->data);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
}

void
sp_h5_quiet_pop (SpH5Quiet *quiet)
{
  H5Eset_auto2 (H5E_DEFAULT, quiet->func, quiet->data);
}

static herr_t
collect_error (unsigned           n,
               const H5E_error2_t *err,
               void               *user_data)
{
  GString *str = user_data;

  /* Walking upward, the first entry is the innermost one: it names the
   * cause (with the errno text for I/O). */
  if (str->len == 0 && err->desc != NULL && err->desc[0] != '\0')
    g_string_append (str, err->desc);

  return 0;
}

char *
sp_h5_error_message (void)
{
  GString *str = g_string_new (NULL);

  H5Ewalk2 (H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, str);
  H5Eclear2 (H5E_DEFAULT);

  if (str->len == 0)
    g_string_append (str, "HDF5 call failed");

  return g_string_free (str, FALSE);
}

void
sp_h5_set_error (GError     **error,
                 int          code,
                 const char  *format,
                 ...)
{
  g_autofree char *message = NULL;
  g_autofree char *cause = sp_h5_error_message ();
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, SP_ERROR, code, "%s: %s", message, cause);
}

/* HDF5 link names cannot hold '/', and "." names the group itself. We
 * percent-encode those (and '%' itself) and keep the exact name in the
 * group's "name" attribute. */
char *
sp_h5_escape_name (const char *name)
{
  GString *str;

  if (g_str_equal (name, "."))
    return g_strdup ("%2E");

  str = g_string_sized_new (strlen (name) + 8);

  for (const char *p = name; *p; p++)
    {
      if (*p == '/')
        g_string_append (str, "%2F");
      else if (*p == '%')
        g_string_append (str, "%25");
      else
        g_string_append_c (str, *p);
    }

  return g_string_free (str, FALSE);
}

char *
sp_h5_unescape_name (const char *escaped)
{
  GString *str = g_string_sized_new (strlen (escaped));

  for (const char *p = escaped; *p; p++)
    {
      if (p[0] == '%' && p[1] == '2' && (p[2] == 'F' || p[2] == '5' || p[2] == 'E'))
        {
          g_string_append_c (str, p[2] == 'F' ? '/' : p[2] == '5' ? '%' : '.');
          p += 2;
        }
      else
        g_string_append_c (str, *p);
    }

  return g_string_free (str, FALSE);
}

hid_t
sp_h5_string_type (void)
{
  hid_t type = H5Tcopy (H5T_C_S1);

  H5Tset_size (type, H5T_VARIABLE);
  H5Tset_cset (type, H5T_CSET_UTF8);

  return type;
}

gboolean
sp_h5_write_attr_string (hid_t       loc,
                         const char *name,
                         const char *value)
{
  hid_t type = sp_h5_string_type ();
  hid_t space = H5Screate (H5S_SCALAR);
  hid_t attr;
  herr_t status = -1;

  attr = H5Acreate2 (loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr >= 0)
    {
      status = H5Awrite (attr, type, &value);
      H5Aclose (attr);
    }

  H5Sclose (space);
  H5Tclose (type);

  return status >= 0;
}

gboolean
sp_h5_write_attr_int (hid_t       loc,
                      const char *name,
                      gint64      value)
{
  hid_t space = H5Screate (H5S_SCALAR);
  hid_t attr;
  herr_t status = -1;

  attr = H5Acreate2 (loc, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr >= 0)
    {
      status = H5Awrite (attr, H5T_NATIVE_INT64, &value);
      H5Aclose (attr);
    }

  H5Sclose (space);

  return status >= 0;
}

/* Reads a string attribute (fixed or variable length); NULL when it is
 * missing or not a string. */
char *
sp_h5_read_attr_string (hid_t       loc,
                        const char *name)
{
  hid_t attr, type, mem_type, space;
  hssize_t n_points;
  char *result = NULL;

  if (H5Aexists (loc, name) <= 0)
    return NULL;

  attr = H5Aopen (loc, name, H5P_DEFAULT);
  if (attr < 0)
    return NULL;

  /* H5Aread() fills one element per point of the attribute's dataspace: a
   * damaged or foreign file with an array attribute would overrun the
   * single string read here. */
  space = H5Aget_space (attr);
  n_points = space >= 0 ? H5Sget_simple_extent_npoints (space) : -1;
  if (space >= 0)
    H5Sclose (space);
  if (n_points != 1)
    {
      H5Aclose (attr);
      return NULL;
    }

  type = H5Aget_type (attr);
  if (H5Tget_class (type) == H5T_STRING)
    {
      if (H5Tis_variable_str (type) > 0)
        {
          char *value = NULL;

          mem_type = sp_h5_string_type ();
          if (H5Aread (attr, mem_type, &value) >= 0 && value != NULL)
            {
              result = g_strdup (value);
              H5free_memory (value);
            }
          H5Tclose (mem_type);
        }
      else
        {
          gsize size = H5Tget_size (type);

          if (size > 0 && size < 1024 * 1024)
            {
              char *buf = g_malloc0 (size + 1);

              mem_type = H5Tcopy (H5T_C_S1);
              H5Tset_size (mem_type, size);
              if (H5Aread (attr, mem_type, buf) >= 0)
                result = g_strndup (buf, size);
              H5Tclose (mem_type);
              g_free (buf);
            }
        }
    }

  H5Tclose (type);
  H5Aclose (attr);

  return result;
}
