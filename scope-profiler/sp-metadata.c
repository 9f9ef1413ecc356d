/* sp-metadata.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sp-metadata-private.h"

SpMetadataEntry *
sp_metadata_entry_new_string (const char *key,
                              const char *value)
{
  SpMetadataEntry *entry = g_new0 (SpMetadataEntry, 1);

  entry->key = g_strdup (key);
  entry->string = g_utf8_make_valid (value ? value : "", -1);

  return entry;
}

SpMetadataEntry *
sp_metadata_entry_new_int (const char *key,
                           gint64      value)
{
  SpMetadataEntry *entry = g_new0 (SpMetadataEntry, 1);

  entry->key = g_strdup (key);
  entry->integer = value;

  return entry;
}

void
sp_metadata_entry_free (SpMetadataEntry *entry)
{
  g_free (entry->key);
  g_free (entry->string);
  g_free (entry);
}

static void
sp_metadata_replace (GPtrArray       *metadata,
                     SpMetadataEntry *entry)
{
  for (guint i = 0; i < metadata->len; i++)
    {
      SpMetadataEntry *e = g_ptr_array_index (metadata, i);

      if (g_str_equal (e->key, entry->key))
        {
          sp_metadata_entry_free (e);
          g_ptr_array_index (metadata, i) = entry;
          return;
        }
    }

  g_ptr_array_add (metadata, entry);
}

void
sp_metadata_set_string (GPtrArray  *metadata,
                        const char *key,
                        const char *value)
{
  sp_metadata_replace (metadata, sp_metadata_entry_new_string (key, value));
}

void
sp_metadata_set_int (GPtrArray  *metadata,
                     const char *key,
                     gint64      value)
{
  sp_metadata_replace (metadata, sp_metadata_entry_new_int (key, value));
}

static char *
sp_metadata_command_line (void)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents ("/proc/self/cmdline", &contents, &len, NULL) || len == 0)
    return g_strdup (g_get_prgname () ? g_get_prgname () : "");

  /* Arguments are NUL-separated; join them with spaces. */
  for (gsize i = 0; i + 1 < len; i++)
    if (contents[i] == '\0')
      contents[i] = ' ';

  return g_steal_pointer (&contents);
}

static gint64
sp_metadata_omp_threads (void)
{
  const char *env = g_getenv ("OMP_NUM_THREADS");
  gint64 value;
  char *end = NULL;

  if (env == NULL)
    return 1;

  errno = 0;
  value = g_ascii_strtoll (env, &end, 10);
  if (errno != 0 || end == env || value < 1)
    return 1;

  return value;
}

/* The fields the Python scope-profiler writes, plus the ones a C process can
 * tell that Python cannot (pid, command line, the clock). */
GPtrArray *
sp_metadata_collect (gint64     start_time_ns,
                     GDateTime *start_wall_time)
{
  GPtrArray *metadata = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_metadata_entry_free);
  g_autoptr(GDateTime) utc = g_date_time_to_utc (start_wall_time);
  g_autofree char *timestamp = g_date_time_format_iso8601 (utc);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *command_line = sp_metadata_command_line ();
  g_autofree char *platform = NULL;
  struct utsname uts;
  gint64 omp_threads = sp_metadata_omp_threads ();

  if (uname (&uts) == 0)
    platform = g_strdup_printf ("%s-%s-%s", uts.sysname, uts.release, uts.machine);
  else
    platform = g_strdup ("unknown");

  sp_metadata_set_string (metadata, "timestamp", timestamp);
  sp_metadata_set_string (metadata, "hostname", g_get_host_name ());
  sp_metadata_set_string (metadata, "platform", platform);
  sp_metadata_set_string (metadata, "user", g_get_user_name ());
  sp_metadata_set_string (metadata, "working_directory", cwd);
  sp_metadata_set_string (metadata, "scope_profiler_version", PACKAGE_VERSION);
  sp_metadata_set_string (metadata, "writer", "scope-profiler (C)");
  sp_metadata_set_int (metadata, "omp_num_threads", omp_threads);
  sp_metadata_set_int (metadata, "mpi_size", 1);
  sp_metadata_set_int (metadata, "total_cores", omp_threads * 1);
  sp_metadata_set_int (metadata, "start_time_ns", start_time_ns);
  sp_metadata_set_int (metadata, "pid", (gint64) getpid ());
  sp_metadata_set_string (metadata, "command_line", command_line);
  sp_metadata_set_string (metadata, "clock", "CLOCK_MONOTONIC");

  return metadata;
}
