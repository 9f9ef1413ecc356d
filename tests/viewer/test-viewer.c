/* test-viewer.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Widget-level tests of the viewer: the regions table model, the
 * timeline's coordinate mapping and level of detail, the durations data
 * and the compare model, on the example simulation's session. */

#include "spv-config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <adwaita.h>

#include "spv-compare-item.h"
#include "spv-compare-view.h"
#include "spv-lod.h"
#include "spv-region-item.h"
#include "spv-series.h"
#include "spv-session-view.h"
#include "spv-timeline.h"
#include "spv-util.h"
#include "spv-window.h"

static SpSession *
load_session (void)
{
  const char *path = g_getenv ("SPV_TEST_SESSION");
  g_autoptr(GError) error = NULL;
  SpSession *session;

  g_assert_nonnull (path);
  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  return session;
}

static void
spin_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* ---- time map ------------------------------------------------------- */

static void
test_map_roundtrip (void)
{
  SpvTimeMap map = { .width = 1000 };

  spv_time_map_show (&map, 1000, 2000);
  g_assert_cmpfloat_with_epsilon (map.ns_per_px, 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (spv_time_map_to_x (&map, 1500), 500, 1e-9);
  g_assert_cmpfloat_with_epsilon (spv_time_map_to_time (&map, 250), 1250, 1e-9);

  /* zooming keeps the time under the pointer in place */
  spv_time_map_zoom (&map, 300, 4, 0, 1e6);
  g_assert_cmpfloat_with_epsilon (spv_time_map_to_time (&map, 300), 1300, 1e-6);
  g_assert_cmpfloat_with_epsilon (map.ns_per_px, 0.25, 1e-9);

  /* panning cannot leave the session */
  spv_time_map_pan (&map, -1e9, 0, 1e6);
  g_assert_cmpfloat (map.t0, ==, 0);
  spv_time_map_pan (&map, 1e12, 0, 1e6);
  g_assert_cmpfloat_with_epsilon (spv_time_map_to_time (&map, map.width), 1e6, 1e-3);

  /* zooming out stops a little past the whole session, centred */
  spv_time_map_zoom (&map, 0, 1e-9, 0, 1e6);
  g_assert_cmpfloat (map.ns_per_px * map.width, <=, 1e6 * 1.05 + 1);
  g_assert_cmpfloat (map.t0, <=, 0);
  g_assert_cmpfloat (spv_time_map_to_time (&map, map.width), >=, 1e6);

  /* and zooming in stops before a pixel is less than 0.01 ns */
  spv_time_map_zoom (&map, 0, 1e12, 0, 1e6);
  g_assert_cmpfloat (map.ns_per_px, >=, 0.01);
}

static void
test_ticks (void)
{
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

  g_assert_cmpint (spv_nice_step (1, 90), ==, 100);
  g_assert_cmpint (spv_nice_step (1000, 90), ==, 100000);
  g_assert_cmpint (spv_nice_step (3, 90), ==, 500);
  g_assert_cmpint (spv_nice_step (0.001, 90), ==, 1);

  a = spv_format_tick (2500000, 500000);
  g_assert_cmpstr (a, ==, "2.5 ms");
  b = spv_format_duration (1500);
  g_assert_cmpstr (b, ==, "1.5 µs");
  c = spv_format_duration (2.5e9);
  g_assert_cmpstr (c, ==, "2.5 s");
  d = spv_format_duration (12);
  g_assert_cmpstr (d, ==, "12 ns");
}

/* ---- level of detail ------------------------------------------------ */

typedef struct
{
  gsize n_spans;
  gsize n_intervals;
  double last_x1;
  gboolean ordered;
} Visit;

static void
count_span (const SpvLodSpan *span,
            gpointer          user_data)
{
  Visit *v = user_data;

  v->n_spans++;
  v->n_intervals += span->count;
  if (span->x0 < v->last_x1 - 1.0001)
    v->ordered = FALSE;
  v->last_x1 = span->x1;
}

static void
test_lod_merges_narrow (void)
{
  const gsize n = 1000000;
  g_autofree gint64 *starts = g_new (gint64, n);
  g_autofree gint64 *ends = g_new (gint64, n);
  g_autofree guint32 *depths = g_new0 (guint32, n);
  g_autofree guint32 *regions = g_new0 (guint32, n);
  SpvLodLane *lane;
  SpvTimeMap map = { .width = 1000 };
  Visit v = { 0, 0, -G_MAXDOUBLE, TRUE };
  gint64 t0;

  /* a million 10 ns calls, 5 ns apart */
  for (gsize i = 0; i < n; i++)
    {
      starts[i] = (gint64) i * 15;
      ends[i] = starts[i] + 10;
    }
  lane = spv_lod_lane_new (regions, starts, ends, depths, n);
  g_assert_cmpuint (lane->n_rows, ==, 1);

  /* whole session on 1000 px: one merged box per pixel at most */
  spv_time_map_show (&map, 0, (double) ends[n - 1]);
  t0 = g_get_monotonic_time ();
  spv_lod_row_visit (lane, 0, &map, count_span, &v);
  g_test_message ("1M intervals on 1000 px: %" G_GSIZE_FORMAT " spans in %" G_GINT64_FORMAT " us",
                  v.n_spans, g_get_monotonic_time () - t0);
  g_assert_cmpuint (v.n_spans, <=, 1001);
  g_assert_cmpuint (v.n_spans, >=, 900);
  g_assert_cmpuint (v.n_intervals, ==, n);
  g_assert_true (v.ordered);

  /* zoomed in on 10 calls: each drawn on its own, none merged */
  memset (&v, 0, sizeof v);
  v.ordered = TRUE;
  v.last_x1 = -G_MAXDOUBLE;
  spv_time_map_show (&map, 15 * 5000, 15 * 5010 - 5);
  spv_lod_row_visit (lane, 0, &map, count_span, &v);
  g_assert_cmpuint (v.n_spans, ==, 10);
  g_assert_cmpuint (v.n_intervals, ==, 10);

  spv_lod_lane_free (lane);
}

static void
test_lod_keeps_wide (void)
{
  /* narrow, narrow, then a long call starting in the same pixel */
  gint64 starts[] = { 0, 2, 4, 1000 };
  gint64 ends[] = { 1, 3, 900, 1001 };
  guint32 depths[] = { 0, 0, 0, 0 };
  guint32 regions[] = { 0, 1, 2, 3 };
  SpvLodLane *lane = spv_lod_lane_new (regions, starts, ends, depths, 4);
  SpvTimeMap map = { .width = 100 };
  Visit v = { 0, 0, -G_MAXDOUBLE, TRUE };
  gsize hit = 0;

  spv_time_map_show (&map, 0, 1010);   /* 10.1 ns per pixel */
  spv_lod_row_visit (lane, 0, &map, count_span, &v);
  /* [0, 2] merged, [4, 900] whole, [1000] alone */
  g_assert_cmpuint (v.n_spans, ==, 3);
  g_assert_cmpuint (v.n_intervals, ==, 4);

  g_assert_true (spv_lod_row_hit (lane, 0, 500, 10, &hit));
  g_assert_cmpuint (hit, ==, 2);
  g_assert_true (spv_lod_row_hit (lane, 0, 1003, 5, &hit));
  g_assert_cmpuint (hit, ==, 3);
  g_assert_false (spv_lod_row_hit (lane, 0, 950, 5, &hit));
  g_assert_false (spv_lod_row_hit (lane, 1, 500, 5, &hit));

  spv_lod_lane_free (lane);
}

static void
test_lod_depth_rows (void)
{
  g_autoptr(SpSession) session = load_session ();
  guint n_lanes = sp_session_get_n_lanes (session);

  g_assert_cmpuint (n_lanes, >=, 2);

  for (guint l = 0; l < n_lanes; l++)
    {
      const guint32 *regions, *depths;
      const gint64 *starts, *ends;
      gsize n = sp_session_peek_lane (session, l, &regions, &starts, &ends, &depths, NULL);
      SpvLodLane *lane = spv_lod_lane_new (regions, starts, ends, depths, n);
      SpvTimeMap map = { .width = 800 };
      gsize total = 0;

      for (guint r = 0; r < lane->n_rows; r++)
        {
          total += lane->rows[r].len;
          for (gsize i = 0; i < lane->rows[r].len; i++)
            g_assert_cmpuint (depths[lane->rows[r].index[i]], ==, r);
        }
      g_assert_cmpuint (total, ==, n);

      /* every interval is drawn, merged or not, when the session is shown */
      spv_time_map_show (&map, (double) sp_session_get_start_time (session),
                         (double) sp_session_get_end_time (session));
      total = 0;
      for (guint r = 0; r < lane->n_rows; r++)
        {
          Visit v = { 0, 0, -G_MAXDOUBLE, TRUE };
          spv_lod_row_visit (lane, r, &map, count_span, &v);
          g_assert_cmpuint (v.n_spans, <=, 2 * 800);
          total += v.n_intervals;
        }
      g_assert_cmpuint (total, ==, n);
      spv_lod_lane_free (lane);
    }

  /* the simulation nests compute_rhs in time_step in main */
  {
    guint lane = 0;
    gboolean nested = FALSE;

    for (lane = 0; lane < n_lanes && !nested; lane++)
      {
        const guint32 *depths;
        gsize n = sp_session_peek_lane (session, lane, NULL, NULL, NULL, &depths, NULL);
        for (gsize i = 0; i < n; i++)
          nested |= depths[i] >= 2;
      }
    g_assert_true (nested);
  }
}

/* ---- timeline widget ------------------------------------------------- */

static gboolean
has_width (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (data)) > 200;
}

static void
test_timeline_pick (void)
{
  g_autoptr(SpSession) session = load_session ();
  GtkWidget *window = gtk_window_new ();
  SpvTimeline *timeline = SPV_TIMELINE (spv_timeline_new ());
  const SpvTimeMap *map;
  const guint32 *regions, *depths;
  const gint64 *starts, *ends;
  gsize n, longest = 0;
  guint lane = G_MAXUINT;
  gsize hit;
  double x;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (timeline));
  spv_timeline_set_session (timeline, session);
  gtk_window_present (GTK_WINDOW (window));
  spin_until (has_width, timeline);

  /* the longest top-level interval of the first lane is under its middle */
  n = sp_session_peek_lane (session, 0, &regions, &starts, &ends, &depths, NULL);
  for (gsize i = 0; i < n; i++)
    if (depths[i] == 0 && ends[i] - starts[i] > ends[longest] - starts[longest])
      longest = i;

  map = spv_timeline_get_time_map (timeline);
  g_assert_cmpfloat (map->width, >, 100);
  x = spv_time_map_to_x (map, (starts[longest] + ends[longest]) / 2.0);
  g_assert_cmpfloat (x, >=, 0);
  g_assert_cmpfloat (x, <=, map->width);

  /* gutter 132 px, ruler 26 px, lane header 16 px, rows 18 px */
  g_assert_true (spv_timeline_pick (timeline, 132 + x, 26 + 16 + 9, &lane, &hit));
  g_assert_cmpuint (lane, ==, 0);
  g_assert_cmpuint (regions[hit], ==, regions[longest]);

  /* nothing in the ruler or the gutter */
  g_assert_false (spv_timeline_pick (timeline, 132 + x, 5, NULL, NULL));
  g_assert_false (spv_timeline_pick (timeline, 10, 26 + 16 + 9, NULL, NULL));

  /* zoom keeps the centre, reset shows everything again */
  {
    double centre = spv_time_map_to_time (map, map->width / 2);
    double width_before = map->ns_per_px;

    spv_timeline_zoom (timeline, 4);
    g_assert_cmpfloat_with_epsilon (map->ns_per_px * 4, width_before, width_before * 1e-6);
    g_assert_cmpfloat_with_epsilon (spv_time_map_to_time (map, map->width / 2), centre, map->ns_per_px);
    spv_timeline_zoom_reset (timeline);
    map = spv_timeline_get_time_map (timeline);
    g_assert_cmpfloat_with_epsilon (map->ns_per_px, width_before, width_before * 1e-6);
  }

  /* zoom to the selected region: its intervals fill the view */
  spv_timeline_set_selected_region (timeline, regions[longest]);
  spv_timeline_zoom_to_selection (timeline);
  map = spv_timeline_get_time_map (timeline);
  g_assert_cmpfloat (map->t0, <=, (double) starts[longest]);

  gtk_window_destroy (GTK_WINDOW (window));
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

/* Times the widget's own snapshot() offscreen: no rendering, no screen. */
static gint64
time_frame (GtkWidget *widget)
{
  gint64 samples[7];

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      gint64 t0 = g_get_monotonic_time ();

      GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
      samples[i] = g_get_monotonic_time () - t0;
      gsk_render_node_unref (gtk_snapshot_free_to_node (snapshot));
    }
  qsort (samples, G_N_ELEMENTS (samples), sizeof (gint64), compare_gint64);
  return samples[G_N_ELEMENTS (samples) / 2];
}

/* The frame times of the performance issue: a full zoom-out frame and a
 * deep-zoom frame. On the test session by default; on any session (the
 * 10-million-interval one) with SPV_BENCH_SESSION=path and -m perf. */
static void
test_timeline_frame_time (void)
{
  const char *path = g_getenv ("SPV_BENCH_SESSION");
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;
  GtkWidget *window = gtk_window_new ();
  SpvTimeline *timeline = SPV_TIMELINE (spv_timeline_new ());
  gint64 zoomed_out, deep, begin, end;
  gsize n = 0;

  if (path == NULL || !g_test_perf ())
    path = g_getenv ("SPV_TEST_SESSION");
  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  for (guint l = 0; l < sp_session_get_n_lanes (session); l++)
    n += sp_session_peek_lane (session, l, NULL, NULL, NULL, NULL, NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 600);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (timeline));
  spv_timeline_set_session (timeline, session);
  gtk_window_present (GTK_WINDOW (window));
  spin_until (has_width, timeline);

  zoomed_out = time_frame (GTK_WIDGET (timeline));
  g_assert_cmpuint (spv_timeline_get_n_drawn_spans (timeline), >, 0);
  /* at most a box per pixel and depth row, plus the wide ones */
  g_assert_cmpuint (spv_timeline_get_n_drawn_spans (timeline), <=, 2 * 1280 * 16);

  begin = sp_session_get_start_time (session);
  end = sp_session_get_end_time (session);
  spv_timeline_set_range (timeline, begin + (end - begin) / 2, begin + (end - begin) / 2 + 20000);
  deep = time_frame (GTK_WIDGET (timeline));

  g_test_message ("%" G_GSIZE_FORMAT " intervals, %u lanes: full zoom-out frame %" G_GINT64_FORMAT
                  " us, deep-zoom frame %" G_GINT64_FORMAT " us (median of 7)",
                  n, sp_session_get_n_lanes (session), zoomed_out, deep);
  if (g_test_perf ())
    {
      g_test_maximized_result ((double) zoomed_out / 1e6, "zoomed-out frame %g s", (double) zoomed_out / 1e6);
      g_test_maximized_result ((double) deep / 1e6, "deep-zoom frame %g s", (double) deep / 1e6);
    }
  /* generous for CI machines; the target is 16 ms on 10 M intervals */
  g_assert_cmpint (zoomed_out, <, 500000);
  g_assert_cmpint (deep, <, 500000);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- regions table --------------------------------------------------- */

static SpvRegionItem *
row (GListModel *model,
     guint       i)
{
  SpvRegionItem *item = g_list_model_get_item (model, i);
  g_object_unref (item); /* the model keeps it */
  return item;
}

static void
test_table_model (void)
{
  g_autoptr(SpSession) session = load_session ();
  SpvSessionView *view = g_object_ref_sink (spv_session_view_new ());
  GListModel *rows;
  guint n;
  gint64 span = sp_session_get_end_time (session) - sp_session_get_start_time (session);

  spv_session_view_set_session (view, session);
  g_assert_cmpint (spv_session_view_get_state (view), ==, SPV_SESSION_VIEW_READY);

  rows = spv_session_view_get_rows (view);
  n = g_list_model_get_n_items (rows);
  g_assert_cmpuint (n, ==, sp_session_get_n_regions (session));
  g_assert_cmpuint (n, ==, 6);

  /* by default the most expensive region first, and selected */
  for (guint i = 1; i < n; i++)
    g_assert_cmpint (spv_region_item_get_total (row (rows, i - 1)), >=, spv_region_item_get_total (row (rows, i)));
  g_assert_true (gtk_selection_model_is_selected (spv_session_view_get_selection (view), 0));
  g_assert_cmpuint (spv_session_view_get_series (view)->len, ==, 1);

  /* the numbers are the session's */
  for (guint i = 0; i < n; i++)
    {
      SpvRegionItem *item = row (rows, i);
      g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (session, spv_region_item_get_region (item));

      g_assert_cmpstr (spv_region_item_get_name (item), ==,
                       sp_session_get_region_name (session, spv_region_item_get_region (item)));
      g_assert_cmpuint (spv_region_item_get_calls (item), ==, sp_region_stats_get_count (stats));
      g_assert_cmpfloat_with_epsilon (spv_region_item_get_percent (item),
                                      100.0 * sp_region_stats_get_total (stats) / span, 1e-9);
    }

  /* sortable by name and by calls */
  spv_session_view_sort_by (view, "name", GTK_SORT_ASCENDING);
  for (guint i = 1; i < n; i++)
    g_assert_cmpint (g_strcmp0 (spv_region_item_get_name (row (rows, i - 1)),
                                spv_region_item_get_name (row (rows, i))), <, 0);
  spv_session_view_sort_by (view, "calls", GTK_SORT_ASCENDING);
  for (guint i = 1; i < n; i++)
    g_assert_cmpuint (spv_region_item_get_calls (row (rows, i - 1)), <=, spv_region_item_get_calls (row (rows, i)));
  spv_session_view_sort_by (view, "mean", GTK_SORT_DESCENDING);
  for (guint i = 1; i < n; i++)
    g_assert_cmpfloat (spv_region_item_get_mean (row (rows, i - 1)), >=, spv_region_item_get_mean (row (rows, i)));

  /* filter by name as you type, ignoring case */
  spv_session_view_set_filter_text (view, "STEP");
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
  g_assert_cmpstr (spv_region_item_get_name (row (rows, 0)), ==, "time_step");
  spv_session_view_set_filter_text (view, "zzz");
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 0);
  spv_session_view_set_filter_text (view, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n);

  /* one rank: the same regions here, the simulation has rank 0 only */
  spv_session_view_set_rank (view, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n);
  spv_session_view_set_rank (view, 12345);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 0);
  spv_session_view_set_rank (view, SPV_ALL_RANKS);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n);

  g_object_unref (view);
}

static void
record_rank (const char *path,
             int         rank,
             guint       calls)
{
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  g_autoptr(SpConfig) config = sp_config_new ();
  SpRegion *region;

  sp_config_set_file_path (config, path);
  sp_config_set_verbose (config, FALSE);
  sp_config_set_rank (config, rank);
  sp_config_set_size (config, 2);
  sp_config_set_merge_timeout (config, 10);
  sp_profile_manager_setup (manager, config);

  region = sp_profile_manager_profile_region (manager, "uneven");
  for (guint i = 0; i < calls; i++)
    {
      gint64 end = sp_get_current_time () + 20000;

      sp_region_enter (region);
      while (sp_get_current_time () < end)
        ;
      sp_region_exit (region);
    }

  g_assert_true (sp_profile_manager_finalize (manager, NULL));
}

static void
test_table_imbalance (void)
{
  g_autofree char *dir = g_dir_make_tmp ("spv-imbalance-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "two-ranks.h5", NULL);
  g_autoptr(SpSession) session = NULL;
  g_autoptr(SpSession) single = load_session ();
  g_autoptr(SpRegionStats) r0 = NULL;
  g_autoptr(SpRegionStats) r1 = NULL;
  SpvSessionView *view;
  GListModel *rows;
  double t0, t1;

  /* Rank 1 writes its part, rank 0 merges it: three times the work. */
  record_rank (path, 1, 10);
  record_rank (path, 0, 30);

  session = sp_session_new_from_file (path, NULL, NULL);
  g_assert_nonnull (session);

  view = g_object_ref_sink (spv_session_view_new ());
  spv_session_view_set_session (view, session);
  rows = spv_session_view_get_rows (view);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);

  r0 = sp_session_get_region_stats_for_rank (session, 0, 0);
  r1 = sp_session_get_region_stats_for_rank (session, 0, 1);
  t0 = sp_region_stats_get_total (r0);
  t1 = sp_region_stats_get_total (r1);
  g_assert_cmpfloat (t0, >, t1);
  g_assert_cmpfloat_with_epsilon (spv_region_item_get_imbalance (row (rows, 0)),
                                  MAX (t0, t1) / ((t0 + t1) / 2), 1e-9);
  g_assert_cmpfloat (spv_region_item_get_imbalance (row (rows, 0)), >, 1.2);
  g_object_unref (view);

  /* One rank: perfectly even by definition. */
  view = g_object_ref_sink (spv_session_view_new ());
  spv_session_view_set_session (view, single);
  rows = spv_session_view_get_rows (view);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    g_assert_cmpfloat (spv_region_item_get_imbalance (row (rows, i)), ==, 1.0);
  g_object_unref (view);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_table_selection (void)
{
  g_autoptr(SpSession) session = load_session ();
  SpvSessionView *view = g_object_ref_sink (spv_session_view_new ());
  GtkSelectionModel *selection;
  guint region;
  const SpvSeries *series;
  g_autoptr(SpRegionStats) stats = NULL;

  spv_session_view_set_session (view, session);
  selection = spv_session_view_get_selection (view);
  g_assert_true (sp_session_lookup_region (session, "compute_rhs", &region));

  /* what the timeline does on a click: the row gets selected, the charts
   * show its calls, the timeline highlights it */
  spv_session_view_set_filter_text (view, "check");
  spv_session_view_select_region (view, region);
  g_assert_cmpuint (g_list_model_get_n_items (spv_session_view_get_rows (view)), ==, 6);
  g_assert_cmpuint (spv_timeline_get_selected_region (spv_session_view_get_timeline (view)), ==, region);
  g_assert_cmpuint (spv_session_view_get_series (view)->len, ==, 1);
  series = g_ptr_array_index (spv_session_view_get_series (view), 0);
  stats = sp_session_get_region_stats (session, region);
  g_assert_cmpuint (series->n, ==, sp_region_stats_get_count (stats));
  g_assert_cmpfloat_with_epsilon (series->mean, sp_region_stats_get_mean (stats), 1e-6 * series->mean);
  g_assert_cmpfloat (series->min, ==, (double) sp_region_stats_get_min (stats));
  g_assert_cmpfloat (series->max, ==, (double) sp_region_stats_get_max (stats));

  /* a click on an interval in the timeline selects its row */
  {
    guint main_region;
    g_autoptr(GtkBitset) selected = NULL;
    g_autoptr(SpvRegionItem) item = NULL;

    g_assert_true (sp_session_lookup_region (session, "main", &main_region));
    g_signal_emit_by_name (spv_session_view_get_timeline (view), "region-activated", main_region);
    selected = gtk_selection_model_get_selection (selection);
    g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 1);
    item = g_list_model_get_item (G_LIST_MODEL (selection), gtk_bitset_get_nth (selected, 0));
    g_assert_cmpuint (spv_region_item_get_region (item), ==, main_region);
  }

  /* several regions at once */
  gtk_selection_model_select_all (selection);
  g_assert_cmpuint (spv_session_view_get_series (view)->len, ==, 6);

  g_object_unref (view);
}

static void
test_series_histogram (void)
{
  double values[] = { 1, 10, 100, 1000, 10000, 5, 50, 500 };
  g_autoptr(SpvSeries) series = spv_series_new ("x", values, G_N_ELEMENTS (values));
  guint counts[4];
  guint sum = 0;

  g_assert_cmpfloat (series->min, ==, 1);
  g_assert_cmpfloat (series->max, ==, 10000);
  g_assert_cmpfloat_with_epsilon (series->mean, 11666.0 / 8, 1e-9);
  g_assert_cmpfloat (series->p90, ==, 10000);

  /* log bins: one decade each */
  spv_histogram_bin (series, 1, 10000, TRUE, counts, 4);
  g_assert_cmpuint (counts[0], ==, 2);  /* 1, 5 */
  g_assert_cmpuint (counts[1], ==, 2);  /* 10, 50 */
  g_assert_cmpuint (counts[2], ==, 2);  /* 100, 500 */
  g_assert_cmpuint (counts[3], ==, 2);  /* 1000, 10000 */

  spv_histogram_bin (series, 1, 10000, FALSE, counts, 4);
  for (guint i = 0; i < 4; i++)
    sum += counts[i];
  g_assert_cmpuint (sum, ==, G_N_ELEMENTS (values));
  g_assert_cmpuint (counts[0], ==, 7);

  g_assert_cmpfloat_with_epsilon (spv_axis_value (0.5, 1, 10000, TRUE), 100, 1e-9);
  g_assert_cmpfloat_with_epsilon (spv_axis_fraction (100, 1, 10000, TRUE), 0.5, 1e-9);
}

static void
test_colors_distinct (void)
{
  g_autoptr(SpSession) session = load_session ();
  const GdkRGBA *colors = spv_session_region_colors (session);
  guint n = sp_session_get_n_regions (session);

  /* fewer than 8 regions: all different, and the same on every call */
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      g_assert_false (gdk_rgba_equal (&colors[i], &colors[j]));
  g_assert_true (colors == spv_session_region_colors (session));
}

/* ---- compare --------------------------------------------------------- */

static SpvCompareItem *
find_compare (GListModel *model,
              const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SpvCompareItem) item = g_list_model_get_item (model, i);
      if (g_str_equal (spv_compare_item_get_name (item), name))
        return item;
    }
  return NULL;
}

static void
test_compare_model (void)
{
  g_autoptr(SpSession) a = load_session ();
  const char *exclude[] = { "checkpoint", NULL };
  g_autoptr(SpSession) b = sp_session_filter (a, NULL, exclude, NULL, 0, G_MININT64, G_MAXINT64);
  g_autoptr(GListStore) same = spv_compare_item_list_new (a, a);
  g_autoptr(GListStore) diff = spv_compare_item_list_new (a, b);
  SpvCompareItem *item;

  g_assert_nonnull (b);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (same)), ==, sp_session_get_n_regions (a));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (same)); i++)
    {
      g_autoptr(SpvCompareItem) it = g_list_model_get_item (G_LIST_MODEL (same), i);
      g_assert_cmpfloat_with_epsilon (spv_compare_item_get_total_ratio (it), 1.0, 1e-12);
      g_assert_cmpfloat_with_epsilon (spv_compare_item_get_mean_ratio (it), 1.0, 1e-12);
      g_assert_cmpint (spv_compare_item_get_total_a (it), ==, spv_compare_item_get_total_b (it));
    }

  /* a region missing from B: in the union, with no ratio */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (diff)), ==, sp_session_get_n_regions (a));
  item = find_compare (G_LIST_MODEL (diff), "checkpoint");
  g_assert_nonnull (item);
  g_assert_cmpint (spv_compare_item_get_total_b (item), ==, 0);
  g_assert_true (isnan (spv_compare_item_get_total_ratio (item)));
  item = find_compare (G_LIST_MODEL (diff), "time_step");
  g_assert_cmpfloat_with_epsilon (spv_compare_item_get_total_ratio (item), 1.0, 1e-12);

  /* each region keeps the colour it has in its own tab */
  {
    guint region;

    g_assert_true (sp_session_lookup_region (a, "time_step", &region));
    g_assert_true (gdk_rgba_equal (spv_compare_item_get_color (item), &spv_session_region_colors (a)[region]));
  }

  /* missing ratios sort last either way */
  g_assert_cmpint (spv_compare_ratio (NAN, 2), >, 0);
  g_assert_cmpint (spv_compare_ratio (2, NAN), <, 0);
  g_assert_cmpint (spv_compare_ratio (1, 2), <, 0);
  g_assert_cmpint (spv_compare_ratio (NAN, NAN), ==, 0);
}

static void
test_compare_view (void)
{
  g_autoptr(SpSession) a = load_session ();
  SpvCompareView *view = g_object_ref_sink (spv_compare_view_new ());
  GListModel *rows;

  spv_compare_view_set_sessions (view, a, a);
  rows = spv_compare_view_get_rows (view);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, sp_session_get_n_regions (a));
  g_assert_false (spv_compare_view_get_loading (view));
  g_assert_nonnull (spv_compare_view_get_title (view));
  g_object_unref (view);
}

/* ---- loading ------------------------------------------------------- */

static gboolean
not_loading (gpointer data)
{
  return spv_session_view_get_state (SPV_SESSION_VIEW (data)) != SPV_SESSION_VIEW_LOADING;
}

static void
test_load_error (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "not-a-session.h5", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  SpvSessionView *view = g_object_ref_sink (spv_session_view_new ());

  spv_session_view_load (view, file);
  spin_until (not_loading, view);
  g_assert_cmpint (spv_session_view_get_state (view), ==, SPV_SESSION_VIEW_ERROR);
  g_assert_nonnull (spv_session_view_get_error_message (view));
  g_test_message ("error shown: %s", spv_session_view_get_error_message (view));
  g_assert_cmpstr (spv_session_view_get_title (view), ==, "not-a-session.h5");
  g_object_unref (view);
}

static void
test_load_async (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (g_getenv ("SPV_TEST_SESSION"));
  SpvSessionView *view = g_object_ref_sink (spv_session_view_new ());

  spv_session_view_load (view, file);
  g_assert_cmpint (spv_session_view_get_state (view), ==, SPV_SESSION_VIEW_LOADING);
  spin_until (not_loading, view);
  g_assert_cmpint (spv_session_view_get_state (view), ==, SPV_SESSION_VIEW_READY);
  g_assert_cmpuint (g_list_model_get_n_items (spv_session_view_get_rows (view)), ==, 6);
  g_object_unref (view);
}

static void
test_load_cancelled (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (g_getenv ("SPV_TEST_SESSION"));
  SpvSessionView *view = g_object_ref_sink (spv_session_view_new ());

  /* closing a tab while it loads must not crash when the load ends */
  spv_session_view_load (view, file);
  g_object_run_dispose (G_OBJECT (view));
  g_object_unref (view);
  for (int i = 0; i < 200; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static gboolean
window_settled (gpointer data)
{
  SpvWindow *window = data;

  return SPV_IS_SESSION_VIEW (spv_window_get_current (window)) &&
         spv_session_view_get_state (SPV_SESSION_VIEW (spv_window_get_current (window))) != SPV_SESSION_VIEW_LOADING;
}

static gboolean
recent_has (gpointer data)
{
  return gtk_recent_manager_has_item (gtk_recent_manager_get_default (), data);
}

static void
test_window_tabs (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (g_getenv ("SPV_TEST_SESSION"));
  g_autofree char *bad_path = g_test_build_filename (G_TEST_DIST, "not-a-session.h5", NULL);
  g_autoptr(GFile) bad = g_file_new_for_path (bad_path);
  g_autofree char *uri = g_file_get_uri (file);
  SpvWindow *window = spv_window_new (NULL);
  GtkWidget *view, *again;
  SpvTimeline *timeline;
  double before;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpuint (spv_window_get_n_tabs (window), ==, 0);
  g_assert_null (spv_window_get_current (window));

  view = spv_window_open (window, file);
  g_assert_cmpuint (spv_window_get_n_tabs (window), ==, 1);
  spin_until (window_settled, window);
  g_assert_cmpint (spv_session_view_get_state (SPV_SESSION_VIEW (view)), ==, SPV_SESSION_VIEW_READY);

  /* a session that opened is remembered in the recent files */
  spin_until (recent_has, uri);

  /* opening it again shows the same tab */
  again = spv_window_open (window, file);
  g_assert_true (again == view);
  g_assert_cmpuint (spv_window_get_n_tabs (window), ==, 1);

  /* the zoom buttons act on the timeline */
  timeline = spv_session_view_get_timeline (SPV_SESSION_VIEW (view));
  spin_until (has_width, timeline);
  before = spv_timeline_get_time_map (timeline)->ns_per_px;
  g_assert_true (gtk_widget_activate_action (view, "view.zoom-in", NULL));
  g_assert_cmpfloat (spv_timeline_get_time_map (timeline)->ns_per_px, <, before);
  g_assert_true (gtk_widget_activate_action (view, "view.zoom-reset", NULL));
  g_assert_cmpfloat_with_epsilon (spv_timeline_get_time_map (timeline)->ns_per_px, before, before * 1e-6);

  /* a bad file gets its own tab with the error, the others stay */
  view = spv_window_open (window, bad);
  g_assert_cmpuint (spv_window_get_n_tabs (window), ==, 2);
  spin_until (window_settled, window);
  g_assert_cmpint (spv_session_view_get_state (SPV_SESSION_VIEW (view)), ==, SPV_SESSION_VIEW_ERROR);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/Viewer/TimeMap/roundtrip", test_map_roundtrip);
  g_test_add_func ("/Viewer/TimeMap/ticks", test_ticks);
  g_test_add_func ("/Viewer/Lod/merges-narrow", test_lod_merges_narrow);
  g_test_add_func ("/Viewer/Lod/keeps-wide", test_lod_keeps_wide);
  g_test_add_func ("/Viewer/Lod/depth-rows", test_lod_depth_rows);
  g_test_add_func ("/Viewer/Timeline/pick", test_timeline_pick);
  g_test_add_func ("/Viewer/Timeline/frame-time", test_timeline_frame_time);
  g_test_add_func ("/Viewer/Table/model", test_table_model);
  g_test_add_func ("/Viewer/Table/selection", test_table_selection);
  g_test_add_func ("/Viewer/Table/imbalance", test_table_imbalance);
  g_test_add_func ("/Viewer/Durations/histogram", test_series_histogram);
  g_test_add_func ("/Viewer/Colors/distinct", test_colors_distinct);
  g_test_add_func ("/Viewer/Compare/model", test_compare_model);
  g_test_add_func ("/Viewer/Compare/view", test_compare_view);
  g_test_add_func ("/Viewer/Load/error", test_load_error);
  g_test_add_func ("/Viewer/Load/async", test_load_async);
  g_test_add_func ("/Viewer/Load/cancelled", test_load_cancelled);
  g_test_add_func ("/Viewer/Window/tabs", test_window_tabs);

  return g_test_run ();
}
