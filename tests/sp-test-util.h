/* sp-test-util.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <hdf5.h>
#include <scope-profiler.h>

/* Tests that would take minutes under valgrind scale themselves down. */
#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
# endif
#endif
#ifndef RUNNING_ON_VALGRIND
# define RUNNING_ON_VALGRIND 0
#endif

G_BEGIN_DECLS

/* A fresh directory for one test, removed with its contents at exit. */
char     *sp_test_make_tmpdir       (void);
SpConfig *sp_test_config            (const char *file_path,
                                     guint       buffer_limit);
SpProfileManager *sp_test_manager_new (const char *file_path,
                                       guint       buffer_limit);
hid_t     sp_test_open_file         (const char *file);
/* Reads a 1-D int64 dataset; NULL if it does not exist. */
GArray   *sp_test_read_i64          (const char *file,
                                     const char *dataset);
gboolean  sp_test_exists            (const char *file,
                                     const char *object);
char     *sp_test_read_attr_string  (const char *file,
                                     const char *object,
                                     const char *attr);
gint64    sp_test_read_attr_int     (const char *file,
                                     const char *object,
                                     const char *attr);
/* Names of the links under a group. */
GStrv     sp_test_list_group        (const char *file,
                                     const char *group);
GArray   *sp_test_bytes_to_array    (GBytes     *bytes);
/* n enter/exit pairs; a call nested depth deep (recursion). */
void      sp_test_calls             (SpRegion   *region,
                                     guint       n);
void      sp_test_recurse           (SpRegion   *region,
                                     guint       depth);

G_END_DECLS
