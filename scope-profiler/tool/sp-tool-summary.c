/* sp-tool-summary.c — "scope-profiler summary" and "scope-profiler diff"
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

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

static void
stats_values (const SpRegionStats *stats,
              gint64               span,
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
  values[COL_PERCENT] = span > 0 ? 100.0 * values[COL_TOTAL] / (double) span : NAN;
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
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (gint64));
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
                                        "time not spent in nested regions; “%” is the region's total time as a\n"
                                        "share of the session's wall time summed over ranks. With several\n"
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
      SpSession *session;
      gint64 span = 0;

      if (!(session = sp_tool_load_session (argv[f + 1], &filter, &span, &error)))
        FAIL ("%s", error->message);
      g_ptr_array_add (sessions, session);
      g_array_append_val (spans, span);
    }

#undef FAIL
  sp_tool_filter_clear (&filter);

  for (guint f = 0; f < n_files; f++)
    {
      SpSession *session = g_ptr_array_index (sessions, f);
      guint n_regions = sp_session_get_n_regions (session);

      for (guint i = 0; i < n_regions; i++)
        {
          g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (session, i);
          const char *name = sp_session_get_region_name (session, i);
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

          row->present[f] = TRUE;
          stats_values (stats, g_array_index (spans, gint64, f), row->values + f * N_COLS);
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

typedef struct
{
  char     *name;
  gboolean  in_a;
  gboolean  in_b;
  double    a[N_COLS];
  double    b[N_COLS];
  double    change;       /* percent change of the metric; NAN if none */
  gboolean  regression;
} DiffRow;

static void
diff_row_free (gpointer data)
{
  DiffRow *row = data;

  g_free (row->name);
  g_free (row);
}

static double
percent_change (double a,
                double b)
{
  if (a == 0.0)
    return b == 0.0 ? 0.0 : INFINITY;
  return 100.0 * (b - a) / a;
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

int
sp_tool_diff (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree GOptionEntry *filter_entries = NULL;
  g_autoptr(SpSession) session_a = NULL;
  g_autoptr(SpSession) session_b = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (diff_row_free);
  g_autoptr(GHashTable) rows_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SpToolTable) table = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *metric_name = NULL;
  g_autofree char *sort = NULL;
  SpToolFilter filter = { NULL };
  double threshold = NAN;
  gint64 min_time = 0;
  gboolean raw_ns = FALSE;
  Metric metric = METRIC_MEAN;
  int metric_column;
  guint n_regressions = 0;
  SpSession *sessions[2];
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
                                        "With --threshold, a region whose metric (see --metric) grew by more\n"
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

  metric_column = metric == METRIC_MEAN ? COL_MEAN : metric == METRIC_TOTAL ? COL_TOTAL : COL_SELF;
  sessions[0] = session_a;
  sessions[1] = session_b;

  for (guint f = 0; f < 2; f++)
    {
      guint n_regions = sp_session_get_n_regions (sessions[f]);

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

          if (f == 0)
            {
              row->in_a = TRUE;
              stats_values (stats, 0, row->a);
            }
          else
            {
              row->in_b = TRUE;
              stats_values (stats, 0, row->b);
            }
        }
    }

  for (guint r = 0; r < rows->len; r++)
    {
      DiffRow *row = g_ptr_array_index (rows, r);
      double a = row->a[metric_column];
      double b = row->b[metric_column];

      row->change = row->in_a && row->in_b ? percent_change (a, b) : NAN;
      row->regression = !isnan (threshold) && !isnan (row->change) &&
                        row->change > threshold &&
                        MAX (a, b) >= (double) min_time;
      if (row->regression)
        n_regressions++;
    }

  g_ptr_array_sort (rows, sort != NULL && g_str_equal (sort, "name") ? compare_diff_by_name
                                                                      : compare_diff_by_change);

  table = sp_tool_table_new (11);
  sp_tool_table_add_row (table, g_strsplit ("region|calls A|calls B|Δcalls|total A|total B|Δtotal|mean A|mean B|Δmean|status", "|", -1));

  for (guint r = 0; r < rows->len; r++)
    {
      DiffRow *row = g_ptr_array_index (rows, r);
      char **cells = g_new0 (char *, 12);
      gboolean both = row->in_a && row->in_b;

      cells[0] = g_strdup (row->name);
      cells[1] = row->in_a ? format_cell (COL_CALLS, row->a[COL_CALLS], raw_ns) : g_strdup ("-");
      cells[2] = row->in_b ? format_cell (COL_CALLS, row->b[COL_CALLS], raw_ns) : g_strdup ("-");
      cells[3] = both ? g_strdup_printf ("%+.0f", row->b[COL_CALLS] - row->a[COL_CALLS]) : g_strdup ("-");
      cells[4] = row->in_a ? format_cell (COL_TOTAL, row->a[COL_TOTAL], raw_ns) : g_strdup ("-");
      cells[5] = row->in_b ? format_cell (COL_TOTAL, row->b[COL_TOTAL], raw_ns) : g_strdup ("-");
      cells[6] = format_change (both ? percent_change (row->a[COL_TOTAL], row->b[COL_TOTAL]) : NAN);
      cells[7] = row->in_a ? format_cell (COL_MEAN, row->a[COL_MEAN], raw_ns) : g_strdup ("-");
      cells[8] = row->in_b ? format_cell (COL_MEAN, row->b[COL_MEAN], raw_ns) : g_strdup ("-");
      cells[9] = format_change (both ? percent_change (row->a[COL_MEAN], row->b[COL_MEAN]) : NAN);
      cells[10] = g_strdup (row->regression ? "REGRESSION" : !row->in_a ? "new" : !row->in_b ? "gone" : "");
      sp_tool_table_add_row (table, cells);
    }

  sp_tool_table_print (table, stdout);

  if (!isnan (threshold))
    printf ("\n%u region%s compared; %u regression%s (%s grew by more than %g%%)\n",
            rows->len, rows->len == 1 ? "" : "s",
            n_regressions, n_regressions == 1 ? "" : "s",
            metric == METRIC_MEAN ? "mean" : metric == METRIC_TOTAL ? "total" : "self time",
            threshold);
  fflush (stdout);

  return n_regressions > 0 ? SP_TOOL_EXIT_REGRESSION : SP_TOOL_EXIT_OK;
}
