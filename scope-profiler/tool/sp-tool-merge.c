/* sp-tool-merge.c — "scope-profiler merge" and "scope-profiler recover"
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>

#include "sp-h5-writer-private.h"
#include "sp-metadata-private.h"
#include "sp-tool.h"

/* The writer takes blocks of at most G_MAXUINT32 intervals. */
static void
add_intervals (SpWriterRegion *region,
               gint64          thread,
               const gint64   *starts,
               const gint64   *ends,
               gsize           n)
{
  while (n > 0)
    {
      guint32 block = (guint32) MIN (n, (gsize) G_MAXUINT32);

      sp_writer_region_add_block (region, thread, starts, ends, block);
      region->num_calls += block;
      starts += block;
      ends += block;
      n -= block;
    }
}

static gboolean
metadata_has (GPtrArray  *metadata,
              const char *key)
{
  for (guint i = 0; i < metadata->len; i++)
    {
      const SpMetadataEntry *entry = g_ptr_array_index (metadata, i);

      if (g_str_equal (entry->key, key))
        return TRUE;
    }

  return FALSE;
}

/* Metadata of the first file wins; keys only later files have are added.
 * Session files hold strings and integers: doubles become strings. */
static void
merge_metadata (GPtrArray *metadata,
                SpSession *session)
{
  g_auto(GStrv) keys = sp_session_list_metadata_keys (session);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = NULL;

      if (metadata_has (metadata, keys[i]))
        continue;
      if (!(value = sp_session_get_metadata (session, keys[i])))
        continue;

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        sp_metadata_set_string (metadata, keys[i], g_variant_get_string (value, NULL));
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        sp_metadata_set_int (metadata, keys[i], g_variant_get_int64 (value));
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          sp_metadata_set_string (metadata, keys[i],
                                  g_ascii_dtostr (buf, sizeof buf, g_variant_get_double (value)));
        }
    }
}

int
sp_tool_merge (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) out_ranks = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_writer_rank_free);
  g_autoptr(GPtrArray) metadata = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_metadata_entry_free);
  g_autoptr(GHashTable) region_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) rank_owner = g_hash_table_new (NULL, NULL);
  g_autoptr(GString) sources = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  gboolean renumber = FALSE;
  guint next_rank = 0;
  guint n_files;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The merged session file to write", "OUT" },
    { "renumber", 0, 0, G_OPTION_ARG_NONE, &renumber,
      "Number the ranks 0..N-1 in argument order instead of keeping them", NULL },
    { NULL }
  };

  context = sp_tool_option_context_new ("merge", "FILE…",
                                        "Combine per-rank or per-process sessions into one session file.",
                                        "Every rank of every FILE becomes a rank (/rankN group) of OUT, with its\n"
                                        "regions, threads and intervals. By default ranks keep their numbers,\n"
                                        "and two files holding the same rank are an error. With --renumber the\n"
                                        "ranks are numbered 0, 1, 2, … in argument order (then in rank order\n"
                                        "within a file), so sessions of separate processes, each rank 0, can\n"
                                        "be combined.\n"
                                        "\n"
                                        "Metadata come from the first file; keys that only later files have are\n"
                                        "added, and “merged_from” lists the inputs. OUT is written in the\n"
                                        "scope-profiler session layout (Python schema 1 with thread ids), from\n"
                                        "any input schema, and replaced only once complete.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!sp_tool_parse_options (context, "merge", &argc, &argv))
    return SP_TOOL_EXIT_FAILURE;

  if (argc < 2)
    return sp_tool_fail ("merge", "No session file given (see “scope-profiler merge --help”)");
  if (output == NULL)
    return sp_tool_fail ("merge", "No output file given (-o OUT)");

  n_files = argc - 1;

  for (guint f = 0; f < n_files; f++)
    {
      SpSession *session = sp_tool_load_session (argv[f + 1], NULL, NULL, &error);

      if (session == NULL)
        return sp_tool_fail_error ("merge", error);
      g_ptr_array_add (sessions, session);
    }

  for (guint f = 0; f < n_files; f++)
    {
      SpSession *session = g_ptr_array_index (sessions, f);
      guint n_regions = sp_session_get_n_regions (session);
      const guint *ranks;
      guint n_ranks = 0;

      merge_metadata (metadata, session);
      if (sources->len > 0)
        g_string_append_c (sources, '\n');
      g_string_append (sources, argv[f + 1]);

      ranks = sp_session_get_ranks (session, &n_ranks);

      for (guint r = 0; r < n_ranks; r++)
        {
          guint out_rank = renumber ? next_rank++ : ranks[r];
          gpointer owner;
          SpWriterRank *writer_rank;
          const gint64 *threads;
          guint n_threads = 0;

          if (g_hash_table_lookup_extended (rank_owner, GUINT_TO_POINTER (out_rank), NULL, &owner))
            return sp_tool_fail ("merge",
                                 "Rank %u is in both %s and %s; use --renumber to number the ranks in argument order",
                                 out_rank, argv[GPOINTER_TO_UINT (owner) + 1], argv[f + 1]);
          g_hash_table_insert (rank_owner, GUINT_TO_POINTER (out_rank), GUINT_TO_POINTER (f));

          writer_rank = sp_writer_rank_new (out_rank);
          g_ptr_array_add (out_ranks, writer_rank);
          g_hash_table_remove_all (region_index);

          threads = sp_session_get_threads (session, ranks[r], &n_threads);
          for (guint t = 0; t < n_threads; t++)
            {
              if (threads[t] == SP_SESSION_THREAD_UNKNOWN)
                continue;
              sp_writer_rank_add_thread (writer_rank, threads[t],
                                         sp_session_get_thread_native_id (session, ranks[r], threads[t]),
                                         sp_session_get_thread_name (session, ranks[r], threads[t]));
            }

          for (guint i = 0; i < n_regions; i++)
            {
              const char *name = sp_session_get_region_name (session, i);

              for (guint t = 0; t < n_threads; t++)
                {
                  const gint64 *starts;
                  const gint64 *ends;
                  gsize n = 0;
                  gpointer index;

                  if (!sp_session_peek_intervals (session, i, ranks[r], threads[t], &starts, &ends, &n) || n == 0)
                    continue;

                  /* Region indexes are dense within each output rank: the
                   * writer's region list must have no gaps (it frees every
                   * slot, NULL ones included). */
                  if (!g_hash_table_lookup_extended (region_index, name, NULL, &index))
                    {
                      index = GUINT_TO_POINTER (g_hash_table_size (region_index));
                      g_hash_table_insert (region_index, g_strdup (name), index);
                    }

                  add_intervals (sp_writer_rank_get_region (writer_rank, GPOINTER_TO_UINT (index), name),
                                 threads[t], starts, ends, n);
                }
            }
        }
    }

  sp_metadata_set_string (metadata, "merged_from", sources->str);

  /* A run finalized without some ranks said so; once their parts are
   * merged in, the note is stale. The run's size stays what it was. */
  {
    gint64 mpi_size = 0;
    gboolean complete = TRUE;

    for (guint i = 0; i < metadata->len; i++)
      {
        const SpMetadataEntry *e = g_ptr_array_index (metadata, i);
        if (g_str_equal (e->key, "mpi_size") && e->string == NULL)
          mpi_size = e->integer;
      }

    for (gint64 r = 0; r < mpi_size && complete; r++)
      {
        gboolean found = FALSE;

        for (guint i = 0; i < out_ranks->len && !found; i++)
          found = ((SpWriterRank *) g_ptr_array_index (out_ranks, i))->rank == (guint) r;
        complete = found;
      }

    if (mpi_size > 0 && complete)
      for (guint i = 0; i < metadata->len; i++)
        {
          const SpMetadataEntry *e = g_ptr_array_index (metadata, i);
          if (g_str_equal (e->key, "missing_ranks"))
            {
              g_ptr_array_remove_index (metadata, i);
              break;
            }
        }
  }

  /* The intervals point into the sessions, which live until here. */
  if (!sp_h5_write_session (output, metadata, (SpWriterRank **) out_ranks->pdata, out_ranks->len, &error))
    return sp_tool_fail ("merge", "%s: %s", output, error->message);

  return SP_TOOL_EXIT_OK;
}

int
sp_tool_recover (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The session file to write", "OUT" },
    { NULL }
  };

  context = sp_tool_option_context_new ("recover", "SPILL",
                                        "Write the session of a run that died from its spill file.",
                                        "A profiled program flushes full buffers to a spill file while it\n"
                                        "runs (see sp_profile_manager_get_spill_path()). If it crashed\n"
                                        "before writing its session, this turns what reached the spill file\n"
                                        "into a session file.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!sp_tool_parse_options (context, "recover", &argc, &argv))
    return SP_TOOL_EXIT_FAILURE;

  if (argc != 2)
    return sp_tool_fail ("recover", "Expected one spill file (see “scope-profiler recover --help”)");
  if (output == NULL)
    return sp_tool_fail ("recover", "No output file given (-o OUT)");
  if (!g_file_test (argv[1], G_FILE_TEST_EXISTS))
    return sp_tool_fail ("recover", "%s: No such file", argv[1]);

  if (!sp_profile_manager_recover (argv[1], output, &error))
    return sp_tool_fail ("recover", "%s: %s", argv[1], error->message);

  return SP_TOOL_EXIT_OK;
}
