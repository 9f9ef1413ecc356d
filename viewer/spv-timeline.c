/* spv-timeline.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <math.h>

#include "spv-timeline.h"
#include "spv-util.h"

/* The nested timeline: a ruler on top, then one lane per (rank, thread)
 * with the intervals stacked by depth, flame-chart style. Everything is
 * drawn in snapshot() through the level-of-detail visitor of spv-lod.c,
 * so the cost follows the pixels on screen. */

#define RULER_HEIGHT 26.0
#define GUTTER_WIDTH 132.0
#define ROW_HEIGHT   18.0
#define LANE_HEADER  16.0
#define LANE_GAP     8.0
#define CLICK_SLOP   3.0

struct _SpvTimeline
{
  GtkWidget    parent_instance;

  SpSession   *session;
  GPtrArray   *lanes;            /* SpvLodLane* */
  GdkRGBA     *colors;           /* per region */
  guint        n_regions;
  gint64       begin;
  gint64       end;

  SpvTimeMap   map;
  gboolean     map_valid;
  double       scroll_y;

  guint        selected_region;
  guint        selected_lane;
  gsize        selected_interval;
  gboolean     has_selected_interval;

  gboolean     has_range;
  double       range_a;
  double       range_b;

  /* drag */
  double       drag_t0;
  double       drag_scroll_y;
  double       drag_x;
  gboolean     drag_range;

  /* pinch */
  double       pinch_ns_per_px;

  double       pointer_x;
  gboolean     has_pointer;

  gsize        n_drawn_spans;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_SELECTED_REGION,
  N_PROPS
};

enum {
  REGION_ACTIVATED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (SpvTimeline, spv_timeline, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static double
lane_height (const SpvLodLane *lane)
{
  return LANE_HEADER + MAX (lane->n_rows, 1) * ROW_HEIGHT + LANE_GAP;
}

static double
content_height (SpvTimeline *self)
{
  double h = 0;

  for (guint i = 0; self->lanes != NULL && i < self->lanes->len; i++)
    h += lane_height (g_ptr_array_index (self->lanes, i));

  return h;
}

static void
clamp_scroll (SpvTimeline *self)
{
  double visible = gtk_widget_get_height (GTK_WIDGET (self)) - RULER_HEIGHT;
  double max_scroll = MAX (0, content_height (self) - visible);

  self->scroll_y = CLAMP (self->scroll_y, 0, max_scroll);
}

/* Keeps the time map's width equal to the drawing area, showing the whole
 * session the first time the widget has a size. */
static void
ensure_map (SpvTimeline *self)
{
  double width = MAX (1.0, gtk_widget_get_width (GTK_WIDGET (self)) - GUTTER_WIDTH);

  if (!self->map_valid)
    {
      self->map.width = width;
      spv_time_map_show (&self->map, (double) self->begin, (double) self->end);
      self->map_valid = self->session != NULL && gtk_widget_get_width (GTK_WIDGET (self)) > 0;
    }
  else if (self->map.width != width)
    {
      /* Resizing keeps the scale and reveals more time on the right. */
      self->map.width = width;
    }
}

static void
clear_session (SpvTimeline *self)
{
  g_clear_pointer (&self->lanes, g_ptr_array_unref);
  g_clear_pointer (&self->colors, g_free);
  g_clear_object (&self->session);
  self->n_regions = 0;
  self->map_valid = FALSE;
  self->has_selected_interval = FALSE;
  self->has_range = FALSE;
  self->scroll_y = 0;
}

static void
spv_timeline_dispose (GObject *object)
{
  clear_session (SPV_TIMELINE (object));

  G_OBJECT_CLASS (spv_timeline_parent_class)->dispose (object);
}

static void
spv_timeline_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SpvTimeline *self = SPV_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_SELECTED_REGION:
      g_value_set_uint (value, self->selected_region);
      break;
    case PROP_0:
    case N_PROPS:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spv_timeline_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SpvTimeline *self = SPV_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      spv_timeline_set_session (self, g_value_get_object (value));
      break;
    case PROP_SELECTED_REGION:
      spv_timeline_set_selected_region (self, g_value_get_uint (value));
      break;
    case PROP_0:
    case N_PROPS:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
get_fg_color (GtkWidget *widget,
              GdkRGBA   *color)
{
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
G_GNUC_END_IGNORE_DEPRECATIONS
}

typedef struct
{
  SpvTimeline      *self;
  GtkSnapshot      *snapshot;
  const SpvLodLane *lane;
  guint             lane_index;
  double            y;
  double            width;
  PangoLayout      *layout;
  GdkRGBA           fg;
} DrawRow;

static void
draw_span (const SpvLodSpan *span,
           gpointer          user_data)
{
  DrawRow *d = user_data;
  SpvTimeline *self = d->self;
  guint region = d->lane->regions[span->first];
  double x0 = MAX (span->x0, -2.0);
  double x1 = MIN (span->x1, d->width + 2.0);
  gboolean selected = region == self->selected_region;
  GdkRGBA color = self->colors[MIN (region, self->n_regions - 1)];
  graphene_rect_t rect;

  if (self->selected_region != G_MAXUINT && !selected)
    color.alpha = 0.45f;
  if (span->count > 1)
    color.alpha *= 0.8f;

  rect = GRAPHENE_RECT_INIT (GUTTER_WIDTH + x0, d->y, MAX (x1 - x0 - (span->count == 1 && x1 - x0 > 3 ? 1 : 0), 1.0), ROW_HEIGHT - 1);
  gtk_snapshot_append_color (d->snapshot, &color, &rect);

  if (selected && span->count == 1 && x1 - x0 > 4)
    {
      float w[4] = { 1, 1, 1, 1 };
      GdkRGBA c[4] = { d->fg, d->fg, d->fg, d->fg };
      GskRoundedRect rr;

      gsk_rounded_rect_init_from_rect (&rr, &rect, 0);
      gtk_snapshot_append_border (d->snapshot, &rr, w, c);
    }

  self->n_drawn_spans++;

  /* Names on the boxes that have room for a few letters. */
  if (span->count == 1 && x1 - x0 > 36)
    {
      const char *name = sp_session_get_region_name (self->session, region);
      GdkRGBA text = { 0, 0, 0, selected || self->selected_region == G_MAXUINT ? 0.9f : 0.6f };

      pango_layout_set_text (d->layout, name, -1);
      pango_layout_set_width (d->layout, (int) ((x1 - x0 - 6) * PANGO_SCALE));
      gtk_snapshot_save (d->snapshot);
      gtk_snapshot_translate (d->snapshot, &GRAPHENE_POINT_INIT (GUTTER_WIDTH + x0 + 3, d->y + 1));
      gtk_snapshot_append_layout (d->snapshot, d->layout, &text);
      gtk_snapshot_restore (d->snapshot);
    }
}

static char *
lane_label (SpvTimeline *self,
            guint        lane_index)
{
  guint rank = sp_session_get_lane_rank (self->session, lane_index);
  gint64 thread = sp_session_get_lane_thread (self->session, lane_index);
  const char *name = sp_session_get_thread_name (self->session, rank, thread);
  guint n_ranks = 0;

  sp_session_get_ranks (self->session, &n_ranks);

  if (thread == SP_SESSION_THREAD_UNKNOWN)
    return n_ranks > 1 ? g_strdup_printf ("Rank %u", rank) : g_strdup ("Main");
  if (name != NULL && *name)
    return n_ranks > 1 ? g_strdup_printf ("Rank %u · %s", rank, name) : g_strdup (name);
  return n_ranks > 1 ? g_strdup_printf ("Rank %u · thread %" G_GINT64_FORMAT, rank, thread)
                     : g_strdup_printf ("Thread %" G_GINT64_FORMAT, thread);
}

static void
draw_ruler (SpvTimeline *self,
            GtkSnapshot *snapshot,
            double       width,
            double       height,
            const GdkRGBA *fg)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  gint64 step = spv_nice_step (self->map.ns_per_px, 90);
  double t_first = self->map.t0 - (double) self->begin;
  gint64 k = (gint64) ceil (t_first / (double) step);
  GdkRGBA line = *fg, bg = *fg;
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  line.alpha = 0.12f;
  bg.alpha = 0.04f;
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, width, RULER_HEIGHT));

  for (;; k++)
    {
      gint64 rel = k * step;
      double x = GUTTER_WIDTH + spv_time_map_to_x (&self->map, (double) (self->begin + rel));
      g_autofree char *label = NULL;

      if (x > width)
        break;
      if (x < GUTTER_WIDTH)
        continue;

      gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (x, RULER_HEIGHT - 8, 1, height));
      label = spv_format_tick (rel, step);
      pango_layout_set_text (layout, label, -1);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 3, 3));
      gtk_snapshot_append_layout (snapshot, layout, fg);
      gtk_snapshot_restore (snapshot);
    }

  line.alpha = 0.3f;
  gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (0, RULER_HEIGHT - 1, width, 1));
  g_object_unref (layout);
}

static void
spv_timeline_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  SpvTimeline *self = SPV_TIMELINE (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double y;
  GdkRGBA fg, dim;
  DrawRow d = { 0 };

  self->n_drawn_spans = 0;

  if (self->session == NULL || self->lanes == NULL || width <= GUTTER_WIDTH)
    return;

  ensure_map (self);
  clamp_scroll (self);
  get_fg_color (widget, &fg);
  dim = fg;
  dim.alpha = 0.06f;

  d.self = self;
  d.snapshot = snapshot;
  d.width = width - GUTTER_WIDTH;
  d.fg = fg;
  d.layout = gtk_widget_create_pango_layout (widget, NULL);
  pango_layout_set_ellipsize (d.layout, PANGO_ELLIPSIZE_END);
  {
    PangoAttrList *attrs = pango_attr_list_new ();
    pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
    pango_layout_set_attributes (d.layout, attrs);
    pango_attr_list_unref (attrs);
  }

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, RULER_HEIGHT, width, MAX (0, height - RULER_HEIGHT)));

  y = RULER_HEIGHT - self->scroll_y;
  for (guint l = 0; l < self->lanes->len; l++)
    {
      const SpvLodLane *lane = g_ptr_array_index (self->lanes, l);
      double lh = lane_height (lane);
      g_autofree char *label = NULL;

      if (y + lh < RULER_HEIGHT)
        {
          y += lh;
          continue;
        }
      if (y > height)
        break;

      /* lane header and gutter */
      if (l % 2 == 1)
        gtk_snapshot_append_color (snapshot, &dim, &GRAPHENE_RECT_INIT (0, y, width, lh - LANE_GAP / 2));

      label = lane_label (self, l);
      pango_layout_set_width (d.layout, (int) ((GUTTER_WIDTH - 10) * PANGO_SCALE));
      pango_layout_set_text (d.layout, label, -1);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (8, y + LANE_HEADER));
      gtk_snapshot_append_layout (snapshot, d.layout, &fg);
      gtk_snapshot_restore (snapshot);

      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (GUTTER_WIDTH, y, d.width, lh));
      d.lane = lane;
      d.lane_index = l;
      for (guint r = 0; r < lane->n_rows; r++)
        {
          d.y = y + LANE_HEADER + r * ROW_HEIGHT;
          if (d.y > height || d.y + ROW_HEIGHT < RULER_HEIGHT)
            continue;
          spv_lod_row_visit (lane, r, &self->map, draw_span, &d);
        }
      gtk_snapshot_pop (snapshot);

      y += lh;
    }

  /* the range being selected with shift+drag */
  if (self->has_range)
    {
      double xa = GUTTER_WIDTH + spv_time_map_to_x (&self->map, MIN (self->range_a, self->range_b));
      double xb = GUTTER_WIDTH + spv_time_map_to_x (&self->map, MAX (self->range_a, self->range_b));
      GdkRGBA sel = { 0.21f, 0.52f, 0.89f, 0.2f };

      xa = MAX (xa, GUTTER_WIDTH);
      xb = MIN (xb, width);
      if (xb > xa)
        gtk_snapshot_append_color (snapshot, &sel, &GRAPHENE_RECT_INIT (xa, RULER_HEIGHT, xb - xa, height));
    }

  /* where the visible lanes are, when they do not all fit */
  {
    double visible = height - RULER_HEIGHT;
    double total = content_height (self);

    if (total > visible && visible > 0)
      {
        GdkRGBA bar = fg;

        bar.alpha = 0.35f;
        gtk_snapshot_append_color (snapshot, &bar,
                                   &GRAPHENE_RECT_INIT (width - 6, RULER_HEIGHT + visible * self->scroll_y / total,
                                                        4, MAX (visible * visible / total, 8)));
      }
  }

  gtk_snapshot_pop (snapshot);

  draw_ruler (self, snapshot, width, height, &fg);
  g_object_unref (d.layout);
}

static void
spv_timeline_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  SpvTimeline *self = SPV_TIMELINE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = (int) GUTTER_WIDTH + 100;
      *natural = 800;
    }
  else
    {
      *minimum = (int) (RULER_HEIGHT + LANE_HEADER + ROW_HEIGHT * 2);
      *natural = MAX (*minimum, (int) (RULER_HEIGHT + MIN (content_height (self), 400)));
    }
}

/* Finds the lane and depth row under @y (widget coordinates). */
static gboolean
locate_row (SpvTimeline *self,
            double       y,
            guint       *lane_out,
            guint       *row_out)
{
  double top = RULER_HEIGHT - self->scroll_y;

  if (self->lanes == NULL || y < RULER_HEIGHT)
    return FALSE;

  for (guint l = 0; l < self->lanes->len; l++)
    {
      const SpvLodLane *lane = g_ptr_array_index (self->lanes, l);
      double rows_top = top + LANE_HEADER;

      if (y >= rows_top && y < rows_top + lane->n_rows * ROW_HEIGHT)
        {
          *lane_out = l;
          *row_out = (guint) ((y - rows_top) / ROW_HEIGHT);
          return TRUE;
        }
      top += lane_height (lane);
    }

  return FALSE;
}

/**
 * spv_timeline_pick:
 *
 * Finds the interval drawn at (@x, @y) in widget coordinates.
 */
gboolean
spv_timeline_pick (SpvTimeline *self,
                   double       x,
                   double       y,
                   guint       *lane,
                   gsize       *interval)
{
  guint l, r;

  g_return_val_if_fail (SPV_IS_TIMELINE (self), FALSE);

  if (self->session == NULL || x < GUTTER_WIDTH || !locate_row (self, y, &l, &r))
    return FALSE;

  ensure_map (self);

  if (!spv_lod_row_hit (g_ptr_array_index (self->lanes, l), r,
                        spv_time_map_to_time (&self->map, x - GUTTER_WIDTH),
                        CLICK_SLOP * self->map.ns_per_px, interval))
    return FALSE;

  if (lane != NULL)
    *lane = l;
  return TRUE;
}

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  SpvTimeline *self = SPV_TIMELINE (widget);
  const guint32 *regions, *depths;
  const gint64 *starts, *ends;
  g_autofree char *start = NULL, *duration = NULL, *markup = NULL, *label = NULL;
  g_autofree char *escaped = NULL;
  guint lane;
  gsize i;

  if (!spv_timeline_pick (self, x, y, &lane, &i))
    return FALSE;

  sp_session_peek_lane (self->session, lane, &regions, &starts, &ends, &depths, NULL);
  start = sp_format_duration ((double) (starts[i] - self->begin));
  duration = sp_format_duration ((double) (ends[i] - starts[i]));
  label = lane_label (self, lane);
  escaped = g_markup_escape_text (sp_session_get_region_name (self->session, regions[i]), -1);
  markup = g_strdup_printf ("<b>%s</b>\nStart: %s\nDuration: %s\nDepth: %u\n%s",
                            escaped, start, duration, depths[i], label);
  gtk_tooltip_set_markup (tooltip, markup);
  return TRUE;
}

static void
emit_changed (SpvTimeline *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * spv_timeline_zoom:
 *
 * Zooms around the centre of the view; @factor > 1 zooms in.
 */
void
spv_timeline_zoom (SpvTimeline *self,
                   double       factor)
{
  g_return_if_fail (SPV_IS_TIMELINE (self));

  if (self->session == NULL)
    return;
  ensure_map (self);
  spv_time_map_zoom (&self->map, self->map.width / 2, factor, (double) self->begin, (double) self->end);
  emit_changed (self);
}

void
spv_timeline_zoom_reset (SpvTimeline *self)
{
  g_return_if_fail (SPV_IS_TIMELINE (self));

  self->map_valid = FALSE;
  self->has_range = FALSE;
  emit_changed (self);
}

/* Shows [@begin, @end] with a small margin either side. */
void
spv_timeline_set_range (SpvTimeline *self,
                        gint64       begin,
                        gint64       end)
{
  double margin = (double) (end - begin) * 0.05;

  g_return_if_fail (SPV_IS_TIMELINE (self));

  ensure_map (self);
  spv_time_map_show (&self->map, (double) begin - margin, (double) end + margin);
  self->map_valid = TRUE;
  emit_changed (self);
}

/**
 * spv_timeline_zoom_to_selection:
 *
 * Zooms to the shift+dragged range, else to the clicked interval, else to
 * the span of the selected region's intervals.
 */
void
spv_timeline_zoom_to_selection (SpvTimeline *self)
{
  g_return_if_fail (SPV_IS_TIMELINE (self));

  if (self->session == NULL)
    return;

  if (self->has_range && fabs (self->range_b - self->range_a) > 0)
    {
      gint64 a = (gint64) MIN (self->range_a, self->range_b);
      gint64 b = (gint64) MAX (self->range_a, self->range_b);

      self->has_range = FALSE;
      ensure_map (self);
      spv_time_map_show (&self->map, (double) a, (double) b);
      emit_changed (self);
    }
  else if (self->has_selected_interval)
    {
      const gint64 *starts, *ends;

      sp_session_peek_lane (self->session, self->selected_lane, NULL, &starts, &ends, NULL, NULL);
      spv_timeline_set_range (self, starts[self->selected_interval], ends[self->selected_interval]);
    }
  else if (self->selected_region != G_MAXUINT)
    {
      gint64 a = G_MAXINT64, b = G_MININT64;

      for (guint l = 0; l < self->lanes->len; l++)
        {
          const SpvLodLane *lane = g_ptr_array_index (self->lanes, l);

          for (gsize i = 0; i < lane->n; i++)
            if (lane->regions[i] == self->selected_region)
              {
                a = MIN (a, lane->starts[i]);
                b = MAX (b, lane->ends[i]);
              }
        }
      if (a < b)
        spv_timeline_set_range (self, a, b);
    }
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           SpvTimeline              *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  GdkScrollUnit unit = gtk_event_controller_scroll_get_unit (controller);
  double step = unit == GDK_SCROLL_UNIT_WHEEL ? 40.0 : 1.0;
  double visible = gtk_widget_get_height (GTK_WIDGET (self)) - RULER_HEIGHT;

  if (self->session == NULL)
    return FALSE;

  ensure_map (self);

  if (state & GDK_CONTROL_MASK)
    {
      double x = self->has_pointer ? self->pointer_x - GUTTER_WIDTH : self->map.width / 2;

      spv_time_map_zoom (&self->map, CLAMP (x, 0, self->map.width), pow (1.2, -dy * (step / 40.0)),
                         (double) self->begin, (double) self->end);
    }
  else if ((state & GDK_SHIFT_MASK) || dx != 0 || content_height (self) <= visible)
    {
      double d = dx != 0 ? dx : dy;
      spv_time_map_pan (&self->map, d * step, (double) self->begin, (double) self->end);
    }
  else
    {
      self->scroll_y += dy * step;
      clamp_scroll (self);
    }

  emit_changed (self);
  return TRUE;
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           SpvTimeline              *self)
{
  self->pointer_x = x;
  self->has_pointer = TRUE;
}

static void
leave_cb (GtkEventControllerMotion *motion,
          SpvTimeline              *self)
{
  self->has_pointer = FALSE;
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               SpvTimeline    *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  if (self->session == NULL)
    return;

  ensure_map (self);
  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_t0 = self->map.t0;
  self->drag_scroll_y = self->scroll_y;
  self->drag_x = x;
  self->drag_range = (state & GDK_SHIFT_MASK) != 0;

  if (self->drag_range)
    {
      self->has_range = TRUE;
      self->range_a = self->range_b = spv_time_map_to_time (&self->map, x - GUTTER_WIDTH);
    }
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                SpvTimeline    *self)
{
  if (self->session == NULL)
    return;

  if (self->drag_range)
    {
      self->range_b = spv_time_map_to_time (&self->map, self->drag_x + dx - GUTTER_WIDTH);
    }
  else
    {
      self->map.t0 = self->drag_t0;
      spv_time_map_pan (&self->map, -dx, (double) self->begin, (double) self->end);
      self->scroll_y = self->drag_scroll_y - dy;
      clamp_scroll (self);
    }

  emit_changed (self);
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             SpvTimeline    *self)
{
  double sx, sy;
  guint lane;
  gsize i;

  if (self->session == NULL || fabs (dx) > CLICK_SLOP || fabs (dy) > CLICK_SLOP)
    return;

  /* A click, not a drag: select what is under the pointer. */
  gtk_gesture_drag_get_start_point (gesture, &sx, &sy);
  if (self->drag_range)
    self->has_range = FALSE;

  if (spv_timeline_pick (self, sx, sy, &lane, &i))
    {
      const guint32 *regions;

      sp_session_peek_lane (self->session, lane, &regions, NULL, NULL, NULL, NULL);
      self->selected_lane = lane;
      self->selected_interval = i;
      spv_timeline_set_selected_region (self, regions[i]);
      /* after the region: changing it forgets the clicked interval */
      self->has_selected_interval = TRUE;
      g_signal_emit (self, signals[REGION_ACTIVATED], 0, regions[i]);
    }
  emit_changed (self);
}

static void
pinch_begin_cb (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                SpvTimeline      *self)
{
  ensure_map (self);
  self->pinch_ns_per_px = self->map.ns_per_px;
}

static void
pinch_scale_cb (GtkGestureZoom *gesture,
                double          scale,
                SpvTimeline    *self)
{
  double cx, cy;

  if (self->session == NULL || !(scale > 0))
    return;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    cx = GUTTER_WIDTH + self->map.width / 2;

  spv_time_map_zoom (&self->map, cx - GUTTER_WIDTH, self->map.ns_per_px / (self->pinch_ns_per_px / scale),
                     (double) self->begin, (double) self->end);
  emit_changed (self);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SpvTimeline           *self)
{
  if (self->session == NULL)
    return FALSE;

  ensure_map (self);

  switch (keyval)
    {
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
      spv_timeline_zoom (self, 1.5);
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      spv_timeline_zoom (self, 1 / 1.5);
      return TRUE;
    case GDK_KEY_0:
    case GDK_KEY_Home:
      spv_timeline_zoom_reset (self);
      return TRUE;
    case GDK_KEY_z:
      spv_timeline_zoom_to_selection (self);
      return TRUE;
    case GDK_KEY_Left:
      spv_time_map_pan (&self->map, -self->map.width / 10, (double) self->begin, (double) self->end);
      emit_changed (self);
      return TRUE;
    case GDK_KEY_Right:
      spv_time_map_pan (&self->map, self->map.width / 10, (double) self->begin, (double) self->end);
      emit_changed (self);
      return TRUE;
    case GDK_KEY_Up:
      self->scroll_y -= ROW_HEIGHT;
      clamp_scroll (self);
      emit_changed (self);
      return TRUE;
    case GDK_KEY_Down:
      self->scroll_y += ROW_HEIGHT;
      clamp_scroll (self);
      emit_changed (self);
      return TRUE;
    case GDK_KEY_Escape:
      self->has_range = FALSE;
      emit_changed (self);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
spv_timeline_class_init (SpvTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spv_timeline_dispose;
  object_class->get_property = spv_timeline_get_property;
  object_class->set_property = spv_timeline_set_property;

  widget_class->snapshot = spv_timeline_snapshot;
  widget_class->measure = spv_timeline_measure;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTED_REGION] =
    g_param_spec_uint ("selected-region", NULL, NULL, 0, G_MAXUINT, G_MAXUINT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SpvTimeline::region-activated:
   * @region: the region index
   *
   * The user clicked an interval of @region.
   */
  signals[REGION_ACTIVATED] =
    g_signal_new ("region-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
spv_timeline_init (SpvTimeline *self)
{
  GtkEventController *scroll;
  GtkGesture *drag, *pinch;
  GtkEventController *key, *motion;

  self->selected_region = G_MAXUINT;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "Timeline",
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  "Intervals of every thread over time; the regions table lists the same data",
                                  -1);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  pinch = gtk_gesture_zoom_new ();
  g_signal_connect (pinch, "begin", G_CALLBACK (pinch_begin_cb), self);
  g_signal_connect (pinch, "scale-changed", G_CALLBACK (pinch_scale_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pinch));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
}

GtkWidget *
spv_timeline_new (void)
{
  return g_object_new (SPV_TYPE_TIMELINE, NULL);
}

void
spv_timeline_set_session (SpvTimeline *self,
                          SpSession   *session)
{
  g_return_if_fail (SPV_IS_TIMELINE (self));
  g_return_if_fail (session == NULL || SP_IS_SESSION (session));

  if (self->session == session)
    return;

  clear_session (self);

  if (session != NULL)
    {
      guint n_lanes = sp_session_get_n_lanes (session);

      self->session = g_object_ref (session);
      self->begin = sp_session_get_start_time (session);
      self->end = sp_session_get_end_time (session);
      self->n_regions = MAX (1, sp_session_get_n_regions (session));
      self->colors = g_memdup2 (spv_session_region_colors (session), self->n_regions * sizeof (GdkRGBA));

      self->lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) spv_lod_lane_free);
      for (guint l = 0; l < n_lanes; l++)
        {
          const guint32 *regions, *depths;
          const gint64 *starts, *ends;
          gsize n = sp_session_peek_lane (session, l, &regions, &starts, &ends, &depths, NULL);

          g_ptr_array_add (self->lanes, spv_lod_lane_new (regions, starts, ends, depths, n));
        }
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

SpSession *
spv_timeline_get_session (SpvTimeline *self)
{
  g_return_val_if_fail (SPV_IS_TIMELINE (self), NULL);
  return self->session;
}

void
spv_timeline_set_selected_region (SpvTimeline *self,
                                  guint        region)
{
  g_return_if_fail (SPV_IS_TIMELINE (self));

  if (self->selected_region == region)
    return;

  self->selected_region = region;
  self->has_selected_interval = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_REGION]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
spv_timeline_get_selected_region (SpvTimeline *self)
{
  g_return_val_if_fail (SPV_IS_TIMELINE (self), G_MAXUINT);
  return self->selected_region;
}

const SpvTimeMap *
spv_timeline_get_time_map (SpvTimeline *self)
{
  g_return_val_if_fail (SPV_IS_TIMELINE (self), NULL);

  ensure_map (self);
  return &self->map;
}

gsize
spv_timeline_get_n_drawn_spans (SpvTimeline *self)
{
  g_return_val_if_fail (SPV_IS_TIMELINE (self), 0);
  return self->n_drawn_spans;
}
