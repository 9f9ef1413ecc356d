/* sp-tool-summary.c — "scope-profiler summary" and "scope-profiler diff"
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp-tool.h"

enum {
  COL_CALLS,
  COL_TOTAL,
  COL_SELF,
  COL_MEAN,
  COL_MIN,
  COL_MAX,
  COL_STD,
  COL_P90,
  COL_PERCENT,
  N_COLS
};

#define COL_NAME (-1)

static const char *column_names[N_COLS] = {
  "calls", "total", "self", "mean", "min", "max", "std", "p90", "%",
};

static int
lookup_column (const char *name)
{
  if (g_str_equal (name, "name") || g_str_equal (name, "region"))
    return COL_NAME;
  if (g_str_equal (name, "count"))
    return COL_CALLS;
  if (g_str_equal (name, "percent"))
    return COL_PERCENT;
  if (g_str_equal (name, "stddev"))
    return COL_STD;

  for (int i = 0; i < N_COLS; i++)
    {
      if (g_str_equal (name, column_names[i]))
        return i;
    }

  return G_MININT;
}

/* @share is the library's share of the session (a fraction), or NAN. */
static void
stats_values (const SpRegionStats *stats,
              double               share,
              double              *values)
{
  values[COL_CALLS] = (double) sp_region_stats_get_count (stats);
  values[COL_TOTAL] = (double) sp_region_stats_get_total (stats);
  values[COL_SELF] = (double) sp_region_stats_get_self_time (stats);
  values[COL_MEAN] = sp_region_stats_get_mean (stats);
  values[COL_MIN] = (double) sp_region_stats_get_min (stats);
  values[COL_MAX] = (double) sp_region_stats_get_max (stats);
  values[COL_STD] = sp_region_stats_get_stddev (stats);
  values[COL_P90] = sp_region_stats_get_p90 (stats);
  values[COL_PERCENT] = 100.0 * share;
}

static char *
format_cell (int      column,
             double   value,
             gboolean raw_ns)
{
  switch (column)
    {
    case COL_CALLS:
      return g_strdup_printf ("%.0f", value);
    case COL_PERCENT:
      return isfinite (value) ? g_strdup_printf ("%.1f", value) : g_strdup ("-");
    case COL_TOTAL:
    case COL_SELF:
    case COL_MEAN:
    case COL_MIN:
    case COL_MAX:
    case COL_STD:
    case COL_P90:
      return sp_tool_format_time (value, raw_ns);
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  char     *name;
  double   *values;    /* n_files × N_COLS */
  gboolean *present;   /* n_files */
} Row;

static void
row_free (gpointer data)
{
  Row *row = data;

  g_free (row->name);
  g_free (row->values);
  g_free (row->present);
  g_free (row);
}

typedef struct
{
  int      column;
  gboolean reverse;
} SortSpec;

/* By the sort column of the first file, largest first (names A to Z);
 * regions absent from the first file go last. */
static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  const Row *ra = *(const Row * const *) a;
  const Row *rb = *(const Row * const *) b;
  const SortSpec *spec = data;
  int result;

  if (spec->column == COL_NAME)
    {
      result = g_strcmp0 (ra->name, rb->name);
    }
  else
    {
      double va, vb;

      if (ra->present[0] != rb->present[0])
        return ra->present[0] ? -1 : 1;

      va = ra->values[spec->column];
      vb = rb->values[spec->column];
      if (isnan (va))
        va = -INFINITY;
      if (isnan (vb))
        vb = -INFINITY;

      result = va > vb ? -1 : va < vb ? 1 : g_strcmp0 (ra->name, rb->name);
    }

  return spec->reverse ? -result : result;
}

static gboolean
parse_columns (const char  *spec,
               GArray      *columns,
               GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      int column = lookup_column (g_strstrip (parts[i]));

      if (column == G_MININT || column == COL_NAME)
        {
          g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT,
                       "Unknown column “%s” (one of calls, total, self, mean, min, max, std, p90, percent)",
                       parts[i]);
          return FALSE;
        }
      g_array_append_val (columns, column);
    }

  if (columns->len == 0)
    {
      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT, "No columns given");
      return FALSE;
    }

  return TRUE;
}

int
sp_tool_summary (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *filter_entries = NULL;
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (row_free);
  g_autoptr(GHashTable) rows_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) columns = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GPtrArray) analyses = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_analysis_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpToolTable) table = NULL;
  g_autofree char *sort = NULL;
  g_autofree char *columns_spec = NULL;
  SpToolFilter filter = { NULL };
  gboolean reverse = FALSE;
  gboolean raw_ns = FALSE;
  int limit = -1;
  SortSpec sort_spec = { COL_TOTAL, FALSE };
  guint n_files;
  char **cells;
  guint k;
  GOptionEntry entries[] = {
    { "sort", 's', 0, G_OPTION_ARG_STRING, &sort,
      "Sort by COLUMN: name, calls, total (default), self, mean, min, max, std, p90, percent", "COLUMN" },
    { "reverse", 'r', 0, G_OPTION_ARG_NONE, &reverse, "Reverse the order", NULL },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "Show at most N regions", "N" },
    { "columns", 'c', 0, G_OPTION_ARG_STRING, &columns_spec,
      "Columns to show, comma-separated (default: all for one file; calls,total,mean,percent for several)", "LIST" },
    { "ns", 0, 0, G_OPTION_ARG_NONE, &raw_ns, "Times as integer nanoseconds", NULL },
    { NULL }
  };

  context = sp_tool_option_context_new ("summary", "FILE…",
                                        "Print a table of the regions of one or more sessions.",
                                        "Times are per region over all kept ranks and threads. “self” is the\n"
                                        "time not spent in nested regions. “%” is the region's share of the\n"
                                        "session: the time at least one of its calls was open, on each thread\n"
                                        "of each kept rank (recursion counted once), over the summed spans of\n"
                                        "those threads (first call's start to last call's end). It cannot\n"
                                        "exceed 100; --include/--exclude do not change it. With several\n"
                                        "files, their columns stand side by side, numbered in argument order.");
  g_option_context_add_main_entries (context, entries, NULL);
  filter_entries = sp_tool_filter_entries (&filter);
  g_option_context_add_main_entries (context, filter_entries, NULL);

  if (!sp_tool_parse_options (context, "summary", &argc, &argv))
    {
      sp_tool_filter_clear (&filter);
      return SP_TOOL_EXIT_FAILURE;
    }

#define FAIL(...) G_STMT_START { sp_tool_filter_clear (&filter); return sp_tool_fail ("summary", __VA_ARGS__); } G_STMT_END

  if (argc < 2)
    FAIL ("No session file given (see “scope-profiler summary --help”)");

  n_files = argc - 1;

  if (sort != NULL)
    {
      sort_spec.column = lookup_column (sort);
      if (sort_spec.column == G_MININT)
        FAIL ("Unknown sort column “%s” (one of name, calls, total, self, mean, min, max, std, p90, percent)", sort);
    }
  sort_spec.reverse = reverse;

  if (columns_spec != NULL)
    {
      if (!parse_columns (columns_spec, columns, &error))
        FAIL ("%s", error->message);
    }
  else if (n_files == 1)
    {
      for (int c = 0; c < N_COLS; c++)
        g_array_append_val (columns, c);
    }
  else
    {
      int defaults[] = { COL_CALLS, COL_TOTAL, COL_MEAN, COL_PERCENT };
      g_array_append_vals (columns, defaults, G_N_ELEMENTS (defaults));
    }

  for (guint f = 0; f < n_files; f++)
    {
      /* The share is of the session of the kept ranks, before the region
       * patterns: a region's share does not depend on which others show. */
      SpToolFilter rank_filter = { NULL, NULL, filter.ranks };
      SpSession *session;

      if (!(session = sp_tool_load_session (argv[f + 1], &rank_filter, NULL, &error)))
        FAIL ("%s", error->message);
      g_ptr_array_add (analyses, sp_analysis_new (session));

      if (filter.include != NULL || filter.exclude != NULL)
        {
          SpSession *filtered = sp_session_filter (session,
                                                   (const char * const *) filter.include,
                                                   (const char * const *) filter.exclude,
                                                   NULL, 0, G_MININT64, G_MAXINT64);
          g_object_unref (session);
          session = filtered;
        }
      g_ptr_array_add (sessions, session);
    }

#undef FAIL
  sp_tool_filter_clear (&filter);

  for (guint f = 0; f < n_files; f++)
    {
      SpSession *session = g_ptr_array_index (sessions, f);
      SpAnalysis *analysis = g_ptr_array_index (analyses, f);
      guint n_regions = sp_session_get_n_regions (session);

      for (guint i = 0; i < n_regions; i++)
        {
          g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (session, i);
          const char *name = sp_session_get_region_name (session, i);
          double share = NAN;
          guint whole;
          Row *row;

          /* Regions with no calls (declared in the file only) are noise. */
          if (sp_region_stats_get_count (stats) == 0)
            continue;

          if (!(row = g_hash_table_lookup (rows_by_name, name)))
            {
              row = g_new0 (Row, 1);
              row->name = g_strdup (name);
              row->values = g_new0 (double, n_files * N_COLS);
              row->present = g_new0 (gboolean, n_files);
              g_ptr_array_add (rows, row);
              g_hash_table_insert (rows_by_name, row->name, row);
            }

          if (sp_session_lookup_region (sp_analysis_get_session (analysis), name, &whole))
            share = sp_analysis_get_region_share (analysis, whole);

          row->present[f] = TRUE;
          stats_values (stats, share, row->values + f * N_COLS);
        }
    }

  g_ptr_array_sort_with_data (rows, compare_rows, &sort_spec);

  if (n_files > 1)
    {
      for (guint f = 0; f < n_files; f++)
        printf ("[%u] %s\n", f + 1, argv[f + 1]);
      printf ("\n");
    }

  table = sp_tool_table_new (1 + n_files * columns->len);

  cells = g_new0 (char *, 2 + n_files * columns->len);
  cells[0] = g_strdup ("region");
  k = 1;
  for (guint f = 0; f < n_files; f++)
    for (guint c = 0; c < columns->len; c++)
      {
        const char *label = column_names[g_array_index (columns, int, c)];
        cells[k++] = n_files > 1 ? g_strdup_printf ("%s[%u]", label, f + 1) : g_strdup (label);
      }
  sp_tool_table_add_row (table, cells);

  for (guint r = 0; r < rows->len && (limit < 0 || r < (guint) limit); r++)
    {
      Row *row = g_ptr_array_index (rows, r);

      cells = g_new0 (char *, 2 + n_files * columns->len);
      cells[0] = g_strdup (row->name);
      k = 1;
      for (guint f = 0; f < n_files; f++)
        for (guint c = 0; c < columns->len; c++)
          {
            int column = g_array_index (columns, int, c);

            if (row->present[f])
              cells[k++] = format_cell (column, row->values[f * N_COLS + column], raw_ns);
            else
              cells[k++] = g_strdup ("-");
          }
      sp_tool_table_add_row (table, cells);
    }

  sp_tool_table_print (table, stdout);
  fflush (stdout);

  return SP_TOOL_EXIT_OK;
}

/* diff */

typedef enum {
  METRIC_MEAN,
  METRIC_TOTAL,
  METRIC_SELF,
} Metric;

/* One region in A and B. Times are the sums over ranks when A and B have
 * as many ranks, else per-rank figures (mean over ranks); the changes are
 * the library's (sp_analysis_compare_region()), which compares per-rank
 * figures and so does not depend on the mode. */
typedef struct
{
  char     *name;
  gboolean  in[2];
  double    calls[2];
  double    total[2];
  double    max[2];        /* the slowest rank's total */
  double    mean[2];
  double    metric[2];
  double    change_total;
  double    change_max;
  double    change_mean;
  double    change;        /* of the metric; NAN if not in both */
  gboolean  regression;
} DiffRow;

static void
diff_row_free (gpointer data)
{
  DiffRow *row = data;

  g_free (row->name);
  g_free (row);
}

static char *
format_change (double value)
{
  if (isnan (value))
    return g_strdup ("-");
  if (isinf (value))
    return g_strdup ("+inf%");
  return g_strdup_printf ("%+.1f%%", value);
}

static char *
format_calls (double value)
{
  if (value == floor (value))
    return g_strdup_printf ("%.0f", value);
  return g_strdup_printf ("%.1f", value);
}

static int
compare_diff_by_change (gconstpointer a,
                        gconstpointer b)
{
  const DiffRow *ra = *(const DiffRow * const *) a;
  const DiffRow *rb = *(const DiffRow * const *) b;
  double ca = isnan (ra->change) ? -INFINITY : ra->change;
  double cb = isnan (rb->change) ? -INFINITY : rb->change;

  if (ra->regression != rb->regression)
    return ra->regression ? -1 : 1;
  if (ca != cb)
    return ca > cb ? -1 : 1;
  return g_strcmp0 (ra->name, rb->name);
}

static int
compare_diff_by_name (gconstpointer a,
                      gconstpointer b)
{
  const DiffRow *ra = *(const DiffRow * const *) a;
  const DiffRow *rb = *(const DiffRow * const *) b;

  return g_strcmp0 (ra->name, rb->name);
}

static guint
session_n_ranks (SpSession *session)
{
  guint n = 0;

  sp_session_get_ranks (session, &n);

  return n;
}

int
sp_tool_diff (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *filter_entries = NULL;
  g_autoptr(SpSession) session_a = NULL;
  g_autoptr(SpSession) session_b = NULL;
  g_autoptr(SpAnalysis) analysis_a = NULL;
  g_autoptr(SpAnalysis) analysis_b = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (diff_row_free);
  g_autoptr(GHashTable) rows_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SpToolTable) table = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *metric_name = NULL;
  g_autofree char *sort = NULL;
  g_autofree char *wall_a = NULL;
  g_autofree char *wall_b = NULL;
  g_autofree char *wall_change = NULL;
  SpToolFilter filter = { NULL };
  double threshold = NAN;
  gint64 min_time = 0;
  gboolean raw_ns = FALSE;
  gboolean per_rank;
  Metric metric = METRIC_MEAN;
  SpRankFigure metric_figure;
  guint n_regressions = 0;
  SpSession *sessions[2];
  SpAnalysis *analyses[2];
  GOptionEntry entries[] = {
    { "threshold", 't', 0, G_OPTION_ARG_DOUBLE, &threshold,
      "Flag regions whose metric grew by more than PCT percent; exit status 1 if any", "PCT" },
    { "metric", 'm', 0, G_OPTION_ARG_STRING, &metric_name,
      "What --threshold compares: mean (time per call, default), total or self", "METRIC" },
    { "min-time", 0, 0, G_OPTION_ARG_INT64, &min_time,
      "Do not flag regions whose metric stays below NS nanoseconds in both sessions", "NS" },
    { "sort", 's', 0, G_OPTION_ARG_STRING, &sort,
      "Order: change (regressions, then largest growth first; default) or name", "ORDER" },
    { "ns", 0, 0, G_OPTION_ARG_NONE, &raw_ns, "Times as integer nanoseconds", NULL },
    { NULL }
  };

  context = sp_tool_option_context_new ("diff", "A B",
                                        "Compare the regions of session B with those of session A.",
                                        "For each region: calls, total and mean time in A and B, and the change.\n"
                                        "When A and B have different numbers of ranks, calls and totals are per\n"
                                        "rank (mean over ranks, ranks that never entered a region counting as\n"
                                        "0), the slowest rank's total is shown too, and the runs' wall times\n"
                                        "(their slowest rank's span) follow the table: sums over ranks would\n"
                                        "grow with the rank count. With --threshold, a region whose metric (see\n"
                                        "--metric; total and self compare the mean over ranks) grew by more\n"
                                        "than PCT percent from A to B is flagged REGRESSION and the exit status\n"
                                        "is 1. Regions only in A are “gone”, only in B “new”; neither is a\n"
                                        "regression.\n"
                                        "\n"
                                        "Exit status: 0 no regression, 1 regression found, 2 usage error or\n"
                                        "unreadable input.");
  g_option_context_add_main_entries (context, entries, NULL);
  filter_entries = sp_tool_filter_entries (&filter);
  g_option_context_add_main_entries (context, filter_entries, NULL);

  if (!sp_tool_parse_options (context, "diff", &argc, &argv))
    {
      sp_tool_filter_clear (&filter);
      return SP_TOOL_EXIT_FAILURE;
    }

#define FAIL(...) G_STMT_START { sp_tool_filter_clear (&filter); return sp_tool_fail ("diff", __VA_ARGS__); } G_STMT_END

  if (argc != 3)
    FAIL ("Expected two session files, A and B (see “scope-profiler diff --help”)");

  if (!isnan (threshold) && (threshold < 0 || !isfinite (threshold)))
    FAIL ("--threshold must be a percentage of at least 0");

  if (metric_name == NULL || g_str_equal (metric_name, "mean"))
    metric = METRIC_MEAN;
  else if (g_str_equal (metric_name, "total"))
    metric = METRIC_TOTAL;
  else if (g_str_equal (metric_name, "self"))
    metric = METRIC_SELF;
  else
    FAIL ("Unknown metric “%s” (one of mean, total, self)", metric_name);

  if (sort != NULL && !g_str_equal (sort, "change") && !g_str_equal (sort, "name"))
    FAIL ("Unknown order “%s” (change or name)", sort);

  if (!(session_a = sp_tool_load_session (argv[1], &filter, NULL, &error)) ||
      !(session_b = sp_tool_load_session (argv[2], &filter, NULL, &error)))
    FAIL ("%s", error->message);

#undef FAIL
  sp_tool_filter_clear (&filter);

  analysis_a = sp_analysis_new (session_a);
  analysis_b = sp_analysis_new (session_b);
  sessions[0] = session_a;
  sessions[1] = session_b;
  analyses[0] = analysis_a;
  analyses[1] = analysis_b;
  per_rank = session_n_ranks (session_a) != session_n_ranks (session_b);
  metric_figure = metric == METRIC_MEAN ? SP_RANK_FIGURE_MEAN_PER_CALL :
                  metric == METRIC_TOTAL ? SP_RANK_FIGURE_MEAN_TOTAL : SP_RANK_FIGURE_MEAN_SELF;

  for (guint f = 0; f < 2; f++)
    {
      guint n_regions = sp_session_get_n_regions (sessions[f]);
      guint n_ranks = MAX (session_n_ranks (sessions[f]), 1);

      for (guint i = 0; i < n_regions; i++)
        {
          g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (sessions[f], i);
          const char *name = sp_session_get_region_name (sessions[f], i);
          DiffRow *row;

          if (sp_region_stats_get_count (stats) == 0)
            continue;

          if (!(row = g_hash_table_lookup (rows_by_name, name)))
            {
              row = g_new0 (DiffRow, 1);
              row->name = g_strdup (name);
              g_ptr_array_add (rows, row);
              g_hash_table_insert (rows_by_name, row->name, row);
            }

          row->in[f] = TRUE;
          row->mean[f] = sp_region_stats_get_mean (stats);
          row->max[f] = sp_analysis_get_region_figure (analyses[f], i, SP_RANK_FIGURE_MAX_TOTAL);
          if (per_rank)
            {
              row->calls[f] = sp_analysis_get_region_figure (analyses[f], i, SP_RANK_FIGURE_MEAN_CALLS);
              row->total[f] = sp_analysis_get_region_figure (analyses[f], i, SP_RANK_FIGURE_MEAN_TOTAL);
            }
          else
            {
              row->calls[f] = (double) sp_region_stats_get_count (stats);
              row->total[f] = (double) sp_region_stats_get_total (stats);
            }

          /* What --min-time compares: the metric as shown. */
          switch (metric)
            {
            case METRIC_MEAN:
              row->metric[f] = row->mean[f];
              break;
            case METRIC_TOTAL:
              row->metric[f] = row->total[f];
              break;
            case METRIC_SELF:
              row->metric[f] = sp_analysis_get_region_figure (analyses[f], i, SP_RANK_FIGURE_MEAN_SELF);
              if (!per_rank)
                row->metric[f] *= n_ranks;
              break;
            default:
              g_assert_not_reached ();
            }
        }
    }

  for (guint r = 0; r < rows->len; r++)
    {
      DiffRow *row = g_ptr_array_index (rows, r);

      row->change_total = sp_analysis_compare_region (analysis_a, analysis_b, row->name, SP_RANK_FIGURE_MEAN_TOTAL);
      row->change_max = sp_analysis_compare_region (analysis_a, analysis_b, row->name, SP_RANK_FIGURE_MAX_TOTAL);
      row->change_mean = sp_analysis_compare_region (analysis_a, analysis_b, row->name, SP_RANK_FIGURE_MEAN_PER_CALL);
      row->change = sp_analysis_compare_region (analysis_a, analysis_b, row->name, metric_figure);
      row->regression = !isnan (threshold) && !isnan (row->change) &&
                        row->change > threshold &&
                        MAX (row->metric[0], row->metric[1]) >= (double) min_time;
      if (row->regression)
        n_regressions++;
    }

  g_ptr_array_sort (rows, sort != NULL && g_str_equal (sort, "name") ? compare_diff_by_name
                                                                      : compare_diff_by_change);

  if (per_rank)
    {
      table = sp_tool_table_new (14);
      sp_tool_table_add_row (table, g_strsplit ("region|calls/rank A|calls/rank B|Δcalls|total/rank A|total/rank B|Δtotal"
                                                "|max rank A|max rank B|Δmax|mean A|mean B|Δmean|status", "|", -1));
    }
  else
    {
      table = sp_tool_table_new (11);
      sp_tool_table_add_row (table, g_strsplit ("region|calls A|calls B|Δcalls|total A|total B|Δtotal|mean A|mean B|Δmean|status", "|", -1));
    }

  for (guint r = 0; r < rows->len; r++)
    {
      DiffRow *row = g_ptr_array_index (rows, r);
      char **cells = g_new0 (char *, 15);
      gboolean both = row->in[0] && row->in[1];
      guint k = 0;

#define CELL(f, expr) (row->in[f] ? (expr) : g_strdup ("-"))
      cells[k++] = g_strdup (row->name);
      cells[k++] = CELL (0, format_calls (row->calls[0]));
      cells[k++] = CELL (1, format_calls (row->calls[1]));
      cells[k++] = both ? (per_rank ? g_strdup_printf ("%+.1f", row->calls[1] - row->calls[0])
                                    : g_strdup_printf ("%+.0f", row->calls[1] - row->calls[0]))
                        : g_strdup ("-");
      cells[k++] = CELL (0, sp_tool_format_time (row->total[0], raw_ns));
      cells[k++] = CELL (1, sp_tool_format_time (row->total[1], raw_ns));
      cells[k++] = format_change (row->change_total);
      if (per_rank)
        {
          cells[k++] = CELL (0, sp_tool_format_time (row->max[0], raw_ns));
          cells[k++] = CELL (1, sp_tool_format_time (row->max[1], raw_ns));
          cells[k++] = format_change (row->change_max);
        }
      cells[k++] = CELL (0, sp_tool_format_time (row->mean[0], raw_ns));
      cells[k++] = CELL (1, sp_tool_format_time (row->mean[1], raw_ns));
      cells[k++] = format_change (row->change_mean);
      cells[k++] = g_strdup (row->regression ? "REGRESSION" : !row->in[0] ? "new" : !row->in[1] ? "gone" : "");
#undef CELL
      sp_tool_table_add_row (table, cells);
    }

  sp_tool_table_print (table, stdout);

  wall_a = sp_tool_format_time (sp_analysis_get_wall_time (analysis_a), raw_ns);
  wall_b = sp_tool_format_time (sp_analysis_get_wall_time (analysis_b), raw_ns);
  wall_change = format_change (sp_analysis_compare_wall_time (analysis_a, analysis_b));

  if (per_rank || !isnan (threshold))
    printf ("\n");
  if (per_rank)
    printf ("A has %u rank%s, B %u: calls and totals are per rank (mean over ranks), max the slowest rank's.\n"
            "Wall time (slowest rank): A %s, B %s (%s)\n",
            session_n_ranks (session_a), session_n_ranks (session_a) == 1 ? "" : "s",
            session_n_ranks (session_b), wall_a, wall_b, wall_change);
  if (!isnan (threshold))
    printf ("%u region%s compared; %u regression%s (%s grew by more than %g%%)\n",
            rows->len, rows->len == 1 ? "" : "s",
            n_regressions, n_regressions == 1 ? "" : "s",
            metric == METRIC_MEAN ? "mean" :
            metric == METRIC_TOTAL ? (per_rank ? "total per rank" : "total") :
            (per_rank ? "self time per rank" : "self time"),
            threshold);
  fflush (stdout);

  return n_regressions > 0 ? SP_TOOL_EXIT_REGRESSION : SP_TOOL_EXIT_OK;
}
