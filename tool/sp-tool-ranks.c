/* sp-tool-ranks.c — load imbalance across ranks, and scaling over runs
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <stdio.h>

#include "sp-tool.h"

/* The figures are the library's (SpAnalysis): a region's time on one rank
 * is its total there; the run waits for the slowest rank, so max over
 * ranks is what a region costs the run, and max / mean over ranks is its
 * load imbalance (1.0 = perfectly even). */

typedef struct
{
  guint  region;
  double max;
} Entry;

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *ea = a;
  const Entry *eb = b;

  if (ea->max != eb->max)
    return ea->max > eb->max ? -1 : 1;
  return (ea->region > eb->region) - (ea->region < eb->region);
}

int
sp_tool_imbalance (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(SpToolTable) table = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) order = NULL;
  g_autoptr(SpAnalysis) analysis = NULL;
  gboolean raw_ns = FALSE;
  guint n_regions;
  guint n_ranks = 0;
  GOptionEntry entries[] = {
    { "ns", 0, 0, G_OPTION_ARG_NONE, &raw_ns, "Times as integer nanoseconds", NULL },
    { NULL }
  };
  static const char *header[] = { "Region", "Ranks", "Min", "Mean", "Max", "Max/mean", "Slowest", NULL };

  context = sp_tool_option_context_new ("imbalance", "FILE",
                                        "Print each region's load imbalance across the ranks of a session.",
                                        "For every region: its total time on the least and most loaded rank,\n"
                                        "the mean over ranks (ranks that never entered it count as 0), and\n"
                                        "max/mean — 1.00 is a perfectly even load; 2.00 means the slowest rank\n"
                                        "spends twice the average. Regions are listed by their max, which is\n"
                                        "what they cost the run.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!sp_tool_parse_options (context, "imbalance", &argc, &argv))
    return SP_TOOL_EXIT_FAILURE;

  if (argc != 2)
    return sp_tool_fail ("imbalance", "Give exactly one session file (see “scope-profiler imbalance --help”)");

  session = sp_tool_load_session (argv[1], NULL, NULL, &error);
  if (session == NULL)
    return sp_tool_fail_error ("imbalance", error);

  n_regions = sp_session_get_n_regions (session);
  sp_session_get_ranks (session, &n_ranks);
  analysis = sp_analysis_new (session);
  order = g_array_new (FALSE, FALSE, sizeof (Entry));

  for (guint r = 0; r < n_regions && n_ranks > 0; r++)
    {
      Entry e = { r, sp_analysis_get_region_figure (analysis, r, SP_RANK_FIGURE_MAX_TOTAL) };
      g_array_append_val (order, e);
    }

  /* Most costly first. */
  g_array_sort (order, compare_entries);

  table = sp_tool_table_new (G_N_ELEMENTS (header) - 1);
  sp_tool_table_add_row (table, g_strdupv ((char **) header));

  for (guint i = 0; i < order->len; i++)
    {
      guint r = g_array_index (order, Entry, i).region;
      double imbalance = sp_analysis_get_region_imbalance (analysis, r);
      char **row = g_new0 (char *, G_N_ELEMENTS (header));

      row[0] = g_strdup (sp_session_get_region_name (session, r));
      row[1] = g_strdup_printf ("%u", n_ranks);
      row[2] = sp_tool_format_time (sp_analysis_get_region_figure (analysis, r, SP_RANK_FIGURE_MIN_TOTAL), raw_ns);
      row[3] = sp_tool_format_time (sp_analysis_get_region_figure (analysis, r, SP_RANK_FIGURE_MEAN_TOTAL), raw_ns);
      row[4] = sp_tool_format_time (sp_analysis_get_region_figure (analysis, r, SP_RANK_FIGURE_MAX_TOTAL), raw_ns);
      row[5] = isnan (imbalance) ? g_strdup ("-") : g_strdup_printf ("%.2f", imbalance);
      row[6] = g_strdup_printf ("rank %u", sp_analysis_get_region_slowest_rank (analysis, r));
      sp_tool_table_add_row (table, row);
    }

  sp_tool_table_print (table, stdout);

  return SP_TOOL_EXIT_OK;
}

typedef struct
{
  SpSession  *session;
  SpAnalysis *analysis;
  char       *path;
  guint       n_ranks;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->analysis, sp_analysis_unref);
  g_clear_object (&run->session);
  g_clear_pointer (&run->path, g_free);
}

int
sp_tool_scaling (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GArray) runs = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(SpToolTable) table = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) include = NULL;
  gboolean raw_ns = FALSE;
  const Run *base;
  char **row;
  guint n_columns;
  GOptionEntry entries[] = {
    { "include", 'i', 0, G_OPTION_ARG_STRING_ARRAY, &include, "Only regions matching PATTERN (glob; repeatable)", "PATTERN" },
    { "ns", 0, 0, G_OPTION_ARG_NONE, &raw_ns, "Times as integer nanoseconds", NULL },
    { NULL }
  };

  context = sp_tool_option_context_new ("scaling", "FILE FILE…",
                                        "Compare runs of one program over different numbers of ranks.",
                                        "For every region, the time it costs each run (its total on the slowest\n"
                                        "rank), the speedup over the run with the fewest ranks, and the parallel\n"
                                        "efficiency (speedup / ideal speedup). The \"ideal\" row is the speedup\n"
                                        "perfect strong scaling would give. Runs are ordered by rank count;\n"
                                        "the rank count is the session's mpi_size.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!sp_tool_parse_options (context, "scaling", &argc, &argv))
    return SP_TOOL_EXIT_FAILURE;

  if (argc < 3)
    return sp_tool_fail ("scaling", "Give at least two session files (see “scope-profiler scaling --help”)");

  runs = g_array_new (FALSE, TRUE, sizeof (Run));
  g_array_set_clear_func (runs, (GDestroyNotify) run_clear);

  for (int i = 1; i < argc; i++)
    {
      Run run = { NULL, NULL, g_strdup (argv[i]), 0 };

      run.session = sp_tool_load_session (argv[i], NULL, NULL, &error);
      if (run.session == NULL)
        {
          g_free (run.path);
          return sp_tool_fail_error ("scaling", error);
        }
      run.analysis = sp_analysis_new (run.session);
      run.n_ranks = sp_analysis_get_n_ranks (run.analysis);
      g_array_append_val (runs, run);
    }

  /* By rank count; stable for equal counts. */
  for (guint i = 1; i < runs->len; i++)
    for (guint j = i; j > 0 && g_array_index (runs, Run, j).n_ranks < g_array_index (runs, Run, j - 1).n_ranks; j--)
      {
        Run t = g_array_index (runs, Run, j);
        g_array_index (runs, Run, j) = g_array_index (runs, Run, j - 1);
        g_array_index (runs, Run, j - 1) = t;
      }

  base = &g_array_index (runs, Run, 0);

  /* Regions in the order of the base run, then any that only later runs
   * have. */
  names = g_ptr_array_new ();
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < runs->len; i++)
    {
      SpSession *s = g_array_index (runs, Run, i).session;

      for (guint r = 0; r < sp_session_get_n_regions (s); r++)
        {
          const char *name = sp_session_get_region_name (s, r);
          gboolean keep = include == NULL;

          for (guint p = 0; include != NULL && include[p] != NULL; p++)
            keep |= g_pattern_match_simple (include[p], name);

          if (keep && !g_hash_table_contains (seen, name))
            {
              g_hash_table_add (seen, (gpointer) name);
              g_ptr_array_add (names, (gpointer) name);
            }
        }
    }

  n_columns = 1 + runs->len;
  table = sp_tool_table_new (n_columns);

  row = g_new0 (char *, n_columns + 1);
  row[0] = g_strdup ("Region");
  for (guint i = 0; i < runs->len; i++)
    row[1 + i] = g_strdup_printf ("%u ranks", g_array_index (runs, Run, i).n_ranks);
  sp_tool_table_add_row (table, row);

  row = g_new0 (char *, n_columns + 1);
  row[0] = g_strdup ("ideal speedup");
  for (guint i = 0; i < runs->len; i++)
    row[1 + i] = g_strdup_printf ("%.2fx", (double) g_array_index (runs, Run, i).n_ranks / base->n_ranks);
  sp_tool_table_add_row (table, row);

  for (guint n = 0; n < names->len; n++)
    {
      const char *name = g_ptr_array_index (names, n);

      row = g_new0 (char *, n_columns + 1);
      row[0] = g_strdup (name);

      for (guint i = 0; i < runs->len; i++)
        {
          const Run *run = &g_array_index (runs, Run, i);
          g_autofree char *t = NULL;
          double efficiency = NAN;
          double speedup;
          guint region;
          guint n_ranks = 0;

          sp_session_get_ranks (run->session, &n_ranks);
          if (!sp_session_lookup_region (run->session, name, &region) || n_ranks == 0)
            {
              row[1 + i] = g_strdup ("-");
              continue;
            }

          t = sp_tool_format_time (sp_analysis_get_region_figure (run->analysis, region, SP_RANK_FIGURE_MAX_TOTAL), raw_ns);
          speedup = sp_analysis_get_region_speedup (base->analysis, run->analysis, name, &efficiency);

          if (i == 0 || isnan (speedup))
            row[1 + i] = g_steal_pointer (&t);
          else
            row[1 + i] = g_strdup_printf ("%s  %.2fx  %3.0f%%", t, speedup, 100.0 * efficiency);
        }

      sp_tool_table_add_row (table, row);
    }

  sp_tool_table_print (table, stdout);
  g_print ("\nEach cell: the region's time on the slowest rank, speedup over %u rank%s, efficiency.\n",
           base->n_ranks, base->n_ranks == 1 ? "" : "s");

  return SP_TOOL_EXIT_OK;
}
