/* sp-tool-export.c — "scope-profiler export" and "scope-profiler info"
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <unistd.h>

#include <gio/gunixoutputstream.h>

#include "sp-tool.h"

static const struct {
  const char     *name;
  SpExportFormat  format;
} formats[] = {
  { "chrome",    SP_EXPORT_FORMAT_CHROME_TRACE },
  { "csv",       SP_EXPORT_FORMAT_CSV_INTERVALS },
  { "csv-stats", SP_EXPORT_FORMAT_CSV_STATISTICS },
  { "json",      SP_EXPORT_FORMAT_JSON_STATISTICS },
  { "syscap",    SP_EXPORT_FORMAT_SYSPROF_CAPTURE },
};

int
sp_tool_export (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *filter_entries = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpToolProgress) progress = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *output = NULL;
  SpToolFilter filter = { NULL };
  SpExportFormat format = SP_EXPORT_FORMAT_CHROME_TRACE;
  gboolean found = FALSE;
  gboolean ok;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      "chrome, csv (one row per interval), csv-stats (one row per region), json (statistics) or syscap", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "The file to write, “-” for standard output", "OUT" },
    { NULL }
  };

  context = sp_tool_option_context_new ("export", "FILE",
                                        "Write a session in a format other tools open.",
                                        "Formats:\n"
                                        "  chrome     Chrome Trace Event JSON (ui.perfetto.dev, chrome://tracing):\n"
                                        "             one “X” event per interval, pid = rank, tid = thread,\n"
                                        "             ts/dur in microseconds with nanosecond decimals\n"
                                        "  csv        rank,thread,region,depth,start_ns,end_ns,duration_ns\n"
                                        "  csv-stats  region,count,total_ns,self_ns,mean_ns,min_ns,max_ns,std_ns,\n"
                                        "             median_ns,p90_ns,p99_ns\n"
                                        "  json       the statistics of each region, overall and per rank\n"
                                        "  syscap     a Sysprof capture, one mark per interval in group\n"
                                        "             “rank N/thread T” (when built with Sysprof support)\n"
                                        "\n"
                                        "OUT is replaced only once the export is complete.");
  g_option_context_add_main_entries (context, entries, NULL);
  filter_entries = sp_tool_filter_entries (&filter);
  g_option_context_add_main_entries (context, filter_entries, NULL);

  if (!sp_tool_parse_options (context, "export", &argc, &argv))
    {
      sp_tool_filter_clear (&filter);
      return SP_TOOL_EXIT_FAILURE;
    }

#define FAIL(...) G_STMT_START { sp_tool_filter_clear (&filter); return sp_tool_fail ("export", __VA_ARGS__); } G_STMT_END

  if (argc != 2)
    FAIL ("Expected one session file (see “scope-profiler export --help”)");
  if (format_name == NULL)
    FAIL ("No --format given (chrome, csv, csv-stats, json or syscap)");
  if (output == NULL)
    FAIL ("No output file given (-o OUT)");

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (g_str_equal (format_name, formats[i].name))
        {
          format = formats[i].format;
          found = TRUE;
        }
    }
  if (!found)
    FAIL ("Unknown format “%s” (chrome, csv, csv-stats, json or syscap)", format_name);
  if (!sp_export_format_is_supported (format))
    FAIL ("This scope-profiler was built without Sysprof support; “%s” is not available", format_name);

  if (!(session = sp_tool_load_session (argv[1], &filter, NULL, &error)))
    FAIL ("%s", error->message);

#undef FAIL
  sp_tool_filter_clear (&filter);

  progress = sp_tool_progress_new ("Exporting");

  if (g_str_equal (output, "-"))
    {
      g_autoptr(GOutputStream) stream = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      ok = sp_session_export_to_stream_with_progress (session, format, stream,
                                                      sp_tool_progress_update, progress,
                                                      NULL, &error);
    }
  else
    {
      ok = sp_session_export_to_file_with_progress (session, format, output,
                                                    sp_tool_progress_update, progress,
                                                    NULL, &error);
    }

  if (!ok)
    return sp_tool_fail ("export", "%s: %s", output, error->message);

  return SP_TOOL_EXIT_OK;
}

static char *
format_metadata_value (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_strdup (g_variant_get_string (value, NULL));
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (value));
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      return g_strdup (g_ascii_dtostr (buf, sizeof buf, g_variant_get_double (value)));
    }
  return g_variant_print (value, FALSE);
}

int
sp_tool_info (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *duration = NULL;
  const guint *ranks;
  guint n_ranks = 0;
  guint n_lanes;
  guint n_threads_total = 0;
  guint64 n_intervals = 0;
  guint n_regions_called = 0;
  GOptionEntry entries[] = {
    { NULL }
  };

  context = sp_tool_option_context_new ("info", "FILE",
                                        "Print the metadata, ranks, threads and counts of a session.",
                                        NULL);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!sp_tool_parse_options (context, "info", &argc, &argv))
    return SP_TOOL_EXIT_FAILURE;

  if (argc != 2)
    return sp_tool_fail ("info", "Expected one session file (see “scope-profiler info --help”)");

  if (!(session = sp_tool_load_session (argv[1], NULL, NULL, &error)))
    return sp_tool_fail_error ("info", error);

  ranks = sp_session_get_ranks (session, &n_ranks);
  n_lanes = sp_session_get_n_lanes (session);

  for (guint lane = 0; lane < n_lanes; lane++)
    n_intervals += sp_session_peek_lane (session, lane, NULL, NULL, NULL, NULL, NULL);
  for (guint r = 0; r < n_ranks; r++)
    {
      guint n = 0;
      sp_session_get_threads (session, ranks[r], &n);
      n_threads_total += n;
    }
  for (guint i = 0; i < sp_session_get_n_regions (session); i++)
    {
      g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (session, i);

      if (sp_region_stats_get_count (stats) > 0)
        n_regions_called++;
    }

  duration = sp_tool_format_time ((double) (sp_session_get_end_time (session) - sp_session_get_start_time (session)), FALSE);

  printf ("File:       %s\n", argv[1]);
  printf ("Schema:     %d\n", sp_session_get_schema (session));
  printf ("Start:      %" G_GINT64_FORMAT " ns\n", sp_session_get_start_time (session));
  printf ("End:        %" G_GINT64_FORMAT " ns\n", sp_session_get_end_time (session));
  printf ("Duration:   %s\n", n_intervals > 0 ? duration : "-");
  printf ("Ranks:      %u\n", n_ranks);
  printf ("Threads:    %u\n", n_threads_total);
  printf ("Regions:    %u (%u called)\n", sp_session_get_n_regions (session), n_regions_called);
  printf ("Intervals:  %" G_GUINT64_FORMAT "\n", n_intervals);
  printf ("Overlaps:   %" G_GUINT64_FORMAT "\n", sp_session_get_n_overlaps (session));

  keys = sp_session_list_metadata_keys (session);
  printf ("\nMetadata:\n");
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = sp_session_get_metadata (session, keys[i]);
      g_autofree char *text = value != NULL ? format_metadata_value (value) : g_strdup ("");

      /* One line per key, whatever the value holds. */
      for (char *p = text; *p != '\0'; p++)
        {
          if ((guchar) *p < 0x20)
            *p = ' ';
        }
      printf ("  %s = %s\n", keys[i], text);
    }

  for (guint r = 0; r < n_ranks; r++)
    {
      const gint64 *threads;
      guint n_threads = 0;
      guint64 rank_intervals = 0;

      threads = sp_session_get_threads (session, ranks[r], &n_threads);
      for (guint t = 0; t < n_threads; t++)
        {
          guint lane;
          if (sp_session_lookup_lane (session, ranks[r], threads[t], &lane))
            rank_intervals += sp_session_peek_lane (session, lane, NULL, NULL, NULL, NULL, NULL);
        }

      printf ("\nRank %u: %u thread%s, %" G_GUINT64_FORMAT " intervals\n",
              ranks[r], n_threads, n_threads == 1 ? "" : "s", rank_intervals);

      for (guint t = 0; t < n_threads; t++)
        {
          const char *name = sp_session_get_thread_name (session, ranks[r], threads[t]);
          gint64 native_id = sp_session_get_thread_native_id (session, ranks[r], threads[t]);
          guint64 n = 0;
          guint lane;

          if (sp_session_lookup_lane (session, ranks[r], threads[t], &lane))
            n = sp_session_peek_lane (session, lane, NULL, NULL, NULL, NULL, NULL);

          if (threads[t] == SP_SESSION_THREAD_UNKNOWN)
            printf ("  no thread id");
          else
            printf ("  thread %" G_GINT64_FORMAT, threads[t]);
          if (name != NULL && name[0] != '\0')
            printf (" “%s”", name);
          if (native_id >= 0)
            printf (" (native id %" G_GINT64_FORMAT ")", native_id);
          printf (": %" G_GUINT64_FORMAT " intervals\n", n);
        }
    }

  fflush (stdout);

  return SP_TOOL_EXIT_OK;
}
