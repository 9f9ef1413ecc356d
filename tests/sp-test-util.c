/* sp-test-util.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "sp-test-util.h"

static GPtrArray *tmpdirs;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            {
              g_chmod (child, 0755);
              remove_tree (child);
            }
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

static void
remove_tmpdirs (void)
{
  for (guint i = 0; tmpdirs && i < tmpdirs->len; i++)
    remove_tree (g_ptr_array_index (tmpdirs, i));
}

char *
sp_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("scope-profiler-test-XXXXXX", &error);

  g_assert_no_error (error);

  if (tmpdirs == NULL)
    {
      tmpdirs = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_tmpdirs);
    }
  g_ptr_array_add (tmpdirs, g_strdup (dir));

  return dir;
}

SpConfig *
sp_test_config (const char *file_path,
                guint       buffer_limit)
{
  SpConfig *config = sp_config_new ();

  sp_config_set_file_path (config, file_path);
  sp_config_set_buffer_limit (config, buffer_limit);
  sp_config_set_verbose (config, FALSE);

  return config;
}

/* A manager with a session started on sp_test_config (). */
SpProfileManager *
sp_test_manager_new (const char *file_path,
                     guint       buffer_limit)
{
  SpProfileManager *manager = sp_profile_manager_new ();
  g_autoptr(SpConfig) config = sp_test_config (file_path, buffer_limit);

  sp_profile_manager_setup (manager, config);

  return manager;
}

/* Opens @file read-only, without HDF5's file locking. */
hid_t
sp_test_open_file (const char *file)
{
  hid_t fapl = H5Pcreate (H5P_FILE_ACCESS);
  hid_t fid;

  H5Pset_file_locking (fapl, FALSE, TRUE);
  fid = H5Fopen (file, H5F_ACC_RDONLY, fapl);
  H5Pclose (fapl);
  g_assert_cmpint (fid, >=, 0);

  return fid;
}

gboolean
sp_test_exists (const char *file,
                const char *object)
{
  hid_t fid = sp_test_open_file (file);
  gboolean exists;

  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  exists = H5Lexists (fid, object, H5P_DEFAULT) > 0;
  H5Fclose (fid);

  return exists;
}

GArray *
sp_test_read_i64 (const char *file,
                  const char *dataset)
{
  hid_t fid = sp_test_open_file (file);
  hid_t dset, space, type;
  hsize_t dims[1] = { 0 };
  GArray *values;

  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
  if (H5Lexists (fid, dataset, H5P_DEFAULT) <= 0)
    {
      H5Fclose (fid);
      return NULL;
    }

  dset = H5Dopen2 (fid, dataset, H5P_DEFAULT);
  g_assert_cmpint (dset, >=, 0);

  type = H5Dget_type (dset);
  g_assert_true (H5Tequal (type, H5T_STD_I64LE) > 0);
  H5Tclose (type);

  space = H5Dget_space (dset);
  g_assert_cmpint (H5Sget_simple_extent_ndims (space), ==, 1);
  H5Sget_simple_extent_dims (space, dims, NULL);
  H5Sclose (space);

  values = g_array_sized_new (FALSE, TRUE, sizeof (gint64), dims[0]);
  g_array_set_size (values, dims[0]);
  if (dims[0] > 0)
    g_assert_cmpint (H5Dread (dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values->data), >=, 0);

  H5Dclose (dset);
  H5Fclose (fid);

  return values;
}

char *
sp_test_read_attr_string (const char *file,
                          const char *object,
                          const char *attr_name)
{
  hid_t fid = sp_test_open_file (file);
  hid_t attr, type, mem_type;
  char *value = NULL;
  char *result;

  attr = H5Aopen_by_name (fid, object, attr_name, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (attr, >=, 0);
  type = H5Aget_type (attr);
  g_assert_cmpint (H5Tget_class (type), ==, H5T_STRING);
  g_assert_true (H5Tis_variable_str (type) > 0);
  g_assert_cmpint (H5Tget_cset (type), ==, H5T_CSET_UTF8);

  mem_type = H5Tcopy (H5T_C_S1);
  H5Tset_size (mem_type, H5T_VARIABLE);
  H5Tset_cset (mem_type, H5T_CSET_UTF8);
  g_assert_cmpint (H5Aread (attr, mem_type, &value), >=, 0);
  result = g_strdup (value);
  H5free_memory (value);

  H5Tclose (mem_type);
  H5Tclose (type);
  H5Aclose (attr);
  H5Fclose (fid);

  return result;
}

gint64
sp_test_read_attr_int (const char *file,
                       const char *object,
                       const char *attr_name)
{
  hid_t fid = sp_test_open_file (file);
  hid_t attr, type;
  gint64 value = 0;

  attr = H5Aopen_by_name (fid, object, attr_name, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (attr, >=, 0);
  type = H5Aget_type (attr);
  g_assert_true (H5Tequal (type, H5T_STD_I64LE) > 0);
  g_assert_cmpint (H5Aread (attr, H5T_NATIVE_INT64, &value), >=, 0);

  H5Tclose (type);
  H5Aclose (attr);
  H5Fclose (fid);

  return value;
}

static herr_t
collect_link (hid_t             group,
              const char       *name,
              const H5L_info_t *info,
              void             *user_data)
{
  g_ptr_array_add (user_data, g_strdup (name));
  return 0;
}

GStrv
sp_test_list_group (const char *file,
                    const char *group)
{
  hid_t fid = sp_test_open_file (file);
  hid_t gid;
  GPtrArray *names = g_ptr_array_new ();

  gid = H5Gopen2 (fid, group, H5P_DEFAULT);
  g_assert_cmpint (gid, >=, 0);
  H5Literate (gid, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_link, names);
  H5Gclose (gid);
  H5Fclose (fid);

  g_ptr_array_add (names, NULL);

  return (GStrv) g_ptr_array_free (names, FALSE);
}

GArray *
sp_test_bytes_to_array (GBytes *bytes)
{
  gsize size = 0;
  gconstpointer data = g_bytes_get_data (bytes, &size);
  GArray *array;

  g_assert_cmpuint (size % sizeof (gint64), ==, 0);
  array = g_array_sized_new (FALSE, FALSE, sizeof (gint64), size / sizeof (gint64));
  g_array_append_vals (array, data, size / sizeof (gint64));
  g_bytes_unref (bytes);

  return array;
}

void
sp_test_calls (SpRegion *region,
               guint     n)
{
  for (guint i = 0; i < n; i++)
    {
      sp_region_enter (region);
      sp_region_exit (region);
    }
}

void
sp_test_recurse (SpRegion *region,
                 guint     depth)
{
  sp_region_enter (region);
  if (depth > 1)
    sp_test_recurse (region, depth - 1);
  sp_region_exit (region);
}
