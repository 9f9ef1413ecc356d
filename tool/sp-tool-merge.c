/* sp-tool-merge.c — "scope-profiler merge" and "scope-profiler recover"
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>

#include "sp-tool.h"

int
sp_tool_merge (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  gboolean renumber = FALSE;
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

  for (int f = 1; f < argc; f++)
    {
      SpSession *session = sp_tool_load_session (argv[f], NULL, NULL, &error);

      if (session == NULL)
        return sp_tool_fail_error ("merge", error);
      g_ptr_array_add (sessions, session);
    }

  if (!sp_session_write_merged ((SpSession **) sessions->pdata, sessions->len,
                                renumber ? SP_MERGE_FLAGS_RENUMBER : SP_MERGE_FLAGS_NONE,
                                output, NULL, &error))
    {
      if (g_error_matches (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT))
        return sp_tool_fail ("merge", "%s; use --renumber to number the ranks in argument order",
                             error->message);
      return sp_tool_fail ("merge", "%s: %s", output, error->message);
    }

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
