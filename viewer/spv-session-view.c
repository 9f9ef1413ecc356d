/* spv-session-view.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <math.h>
#include <string.h>

#include "spv-calls-chart.h"
#include "spv-histogram.h"
#include "spv-region-item.h"
#include "spv-series.h"
#include "spv-session-view.h"
#include "spv-util.h"

/* One open session: loads it off the main thread with a progress bar,
 * shows why when it cannot, says so when the file holds no calls, and
 * otherwise the timeline above the regions table and the durations of the
 * regions selected in either. */

#define MAX_SERIES 6

struct _SpvSessionView
{
  AdwBin               parent_instance;

  /* template */
  GtkStack            *stack;
  AdwStatusPage       *loading_page;
  GtkProgressBar      *progress_bar;
  AdwStatusPage       *error_page;
  AdwStatusPage       *empty_page;
  GtkLabel            *summary_label;
  GtkPaned            *vpaned;
  SpvTimeline         *timeline;
  GtkSearchEntry      *search_entry;
  GtkDropDown         *rank_dropdown;
  GtkColumnView       *column_view;
  GtkLabel            *durations_label;
  GtkSwitch           *log_switch;
  SpvCallsChart       *calls_chart;
  SpvHistogram        *histogram;

  GFile               *file;
  SpSession           *session;
  SpAnalysis          *analysis;         /* of @session: shares, imbalance */
  GCancellable        *cancellable;
  SpSession           *loading;          /* the session being loaded */
  char                *title;
  char                *error_message;
  SpvSessionViewState  state;

  GListStore          *store;
  GtkCustomFilter     *filter;
  char                *search;           /* folded, NULL shows every row */
  GtkFilterListModel  *filter_model;
  GtkSortListModel    *sort_model;
  GtkMultiSelection   *selection;
  GArray              *rank_values;
  guint                rank;
  GPtrArray           *series;
  gboolean             updating_selection;
};

enum {
  PROP_0,
  PROP_TITLE,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpvSessionView, spv_session_view, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

typedef enum
{
  KIND_NAME,
  KIND_COUNT,
  KIND_DURATION,
  KIND_PERCENT,
  KIND_RATIO,
} ColumnKind;

/* @width is the least a column takes, enough for its title; columns of
 * numbers widen to their widest value (size_columns()). */
typedef struct
{
  const char *property;
  const char *title;
  ColumnKind  kind;
  int         width;
} ColumnDef;

static const ColumnDef columns[] = {
  { "name", "Region", KIND_NAME, 130 },
  { "calls", "Calls", KIND_COUNT, 60 },
  { "total", "Total", KIND_DURATION, 66 },
  { "self", "Self", KIND_DURATION, 66 },
  { "mean", "Mean", KIND_DURATION, 66 },
  { "min", "Min", KIND_DURATION, 66 },
  { "max", "Max", KIND_DURATION, 66 },
  { "stddev", "Std Dev", KIND_DURATION, 66 },
  { "p90", "P90", KIND_DURATION, 66 },
  { "percent", "% of Session", KIND_PERCENT, 88 },
  { "imbalance", "Max/Mean", KIND_RATIO, 72 },
};

/* A session without a single call is not an error, but an empty table
 * and timeline would look like one: it gets a page that says so. */
static gboolean
session_has_calls (SpSession *session)
{
  for (guint l = 0; l < sp_session_get_n_lanes (session); l++)
    if (sp_session_peek_lane (session, l, NULL, NULL, NULL, NULL, NULL) > 0)
      return TRUE;
  return FALSE;
}

static void
set_state (SpvSessionView      *self,
           SpvSessionViewState  state)
{
  static const char * const pages[] = { "loading", "error", "content" };
  const char *page = pages[state];

  if (state == SPV_SESSION_VIEW_READY && !session_has_calls (self->session))
    page = "empty";

  self->state = state;
  gtk_stack_set_visible_child_name (self->stack, page);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* AdwStatusPage descriptions are Pango markup: file names and reader
 * messages ("12 < 34", "R&D.h5") must be escaped or the page stays blank. */
static void
set_description (AdwStatusPage *page,
                 const char    *text)
{
  g_autofree char *escaped = text ? g_markup_escape_text (text, -1) : NULL;

  adw_status_page_set_description (page, escaped);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               const ColumnDef          *def)
{
  GtkWidget *label = gtk_label_new (NULL);

  if (def->kind == KIND_NAME)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
    }
  gtk_list_item_set_child (list_item, label);
}

/* The text of a cell of numbers: durations as the command-line tool
 * prints them, counts with their digits grouped. */
static char *
format_number (ColumnKind    kind,
               const GValue *value)
{
  double v;

  if (G_VALUE_HOLDS_UINT64 (value))
    {
      if (kind == KIND_COUNT)
        return spv_format_count (g_value_get_uint64 (value));
      v = (double) g_value_get_uint64 (value);
    }
  else if (G_VALUE_HOLDS_INT64 (value))
    v = (double) g_value_get_int64 (value);
  else
    v = g_value_get_double (value);

  switch (kind)
    {
    case KIND_COUNT:
      return spv_format_count ((guint64) MAX (v, 0));
    case KIND_DURATION:
      return sp_format_duration (v);
    case KIND_PERCENT:
      return isnan (v) ? g_strdup ("-") : g_strdup_printf ("%.1f %%", v);
    case KIND_RATIO:
      return isnan (v) ? g_strdup ("-") : g_strdup_printf ("%.2f×", v);
    case KIND_NAME:
    default:
      g_assert_not_reached ();
    }
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              const ColumnDef          *def)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (list_item));
  GObject *item = gtk_list_item_get_item (list_item);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (item), def->property);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *text = NULL;

  g_value_init (&value, pspec->value_type);
  g_object_get_property (item, def->property, &value);

  switch (def->kind)
    {
    case KIND_NAME:
      {
        const GdkRGBA *color = spv_region_item_get_color (SPV_REGION_ITEM (item));
        g_autofree char *rgb = NULL;
        g_autofree char *escaped = g_markup_escape_text (g_value_get_string (&value), -1);

        rgb = g_strdup_printf ("#%02x%02x%02x", (int) (color->red * 255), (int) (color->green * 255),
                               (int) (color->blue * 255));
        text = g_strdup_printf ("<span foreground=\"%s\">■</span> %s", rgb, escaped);
        gtk_label_set_markup (label, text);
        gtk_widget_set_tooltip_text (GTK_WIDGET (label), g_value_get_string (&value));
        return;
      }
    case KIND_COUNT:
    case KIND_DURATION:
    case KIND_PERCENT:
      text = format_number (def->kind, &value);
      break;
    case KIND_RATIO:
      text = format_number (def->kind, &value);
      gtk_widget_set_tooltip_text (GTK_WIDGET (label),
                                   "Load imbalance across ranks: the slowest rank's total over the mean");
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (label, text);
}

/* What a cell adds to its text: Adwaita's padding (6 px either side) and
 * separator (1 px), and a little air. */
#define CELL_EXTRA 16

static int
text_width (GtkWidget  *widget,
            const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();
  int width;

  /* the cells' digits are tabular (the "numeric" style class) */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_get_pixel_size (layout, &width, NULL);
  g_object_unref (layout);

  return width;
}

/* The width the title of the @i-th column asks for (with its padding and
 * sort arrow), or 0 before the column view made its titles. The titles
 * are the children of the header, the column view's first child, in the
 * order of the columns. */
static int
title_width (SpvSessionView *self,
             guint           i)
{
  GtkWidget *header = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
  guint k = 0;

  if (header == NULL || GTK_IS_LIST_VIEW (header))
    return 0;

  for (GtkWidget *title = gtk_widget_get_first_child (header);
       title != NULL;
       title = gtk_widget_get_next_sibling (title), k++)
    if (k == i)
      {
        /* the title itself answers with the column's fixed width */
        GtkWidget *content = gtk_widget_get_first_child (title);
        int natural = 0;

        if (content != NULL)
          gtk_widget_measure (content, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
        return natural > 0 ? natural + CELL_EXTRA : 0;
      }

  return 0;
}

/* Sizes each column of numbers to its widest value in the rows shown, so
 * no number is cut ("4,800,000", not "480000("). The widest text is that
 * of the largest value, or for durations one below the largest value's
 * unit ("999.99 µs" is wider than "1.500 s"); the width stays put while
 * the table scrolls. */
static void
size_columns (SpvSessionView *self)
{
  GListModel *cols = gtk_column_view_get_columns (self->column_view);

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      const ColumnDef *def = &columns[i];
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (cols, i);
      g_auto(GValue) value = G_VALUE_INIT;
      double max;
      int width = 0;

      if (def->kind == KIND_NAME)
        continue;

      max = spv_region_item_list_get_max (G_LIST_MODEL (self->store), def->property);
      g_value_init (&value, G_TYPE_DOUBLE);
      for (guint k = 0; k < 3; k++)
        {
          static const double below_unit[] = { 999994.0, 999994.0e3 };
          g_autofree char *text = NULL;

          if (k > 0 && (def->kind != KIND_DURATION || below_unit[k - 1] >= max))
            continue;
          g_value_set_double (&value, k == 0 ? max : below_unit[k - 1]);
          text = format_number (def->kind, &value);
          width = MAX (width, text_width (GTK_WIDGET (self->column_view), text));
        }

      gtk_column_view_column_set_fixed_width (column, MAX (MAX (def->width, title_width (self, i)), width + CELL_EXTRA));
    }
}

static void
setup_columns (SpvSessionView *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      const ColumnDef *def = &columns[i];
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      g_autoptr(GtkSorter) sorter = spv_region_item_sorter_new (def->property);

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), (gpointer) def);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), (gpointer) def);

      column = gtk_column_view_column_new (def->title, factory);
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_fixed_width (column, def->width);
      gtk_column_view_column_set_expand (column, def->kind == KIND_NAME);
      gtk_column_view_append_column (self->column_view, column);
    }
}

static void
update_series (SpvSessionView *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint pos;
  guint first_region = G_MAXUINT;

  g_clear_pointer (&self->series, g_ptr_array_unref);
  self->series = g_ptr_array_new_with_free_func ((GDestroyNotify) spv_series_unref);

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (self->session != NULL && gtk_bitset_iter_init_first (&iter, selected, &pos))
    {
      do
        {
          g_autoptr(SpvRegionItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), pos);
          guint region = spv_region_item_get_region (item);

          if (first_region == G_MAXUINT)
            first_region = region;
          g_ptr_array_add (self->series, spv_series_new_for_region (self->session, region, self->rank));
        }
      while (self->series->len < MAX_SERIES && gtk_bitset_iter_next (&iter, &pos));
    }

  if (self->series->len == 1)
    {
      const SpvSeries *s = g_ptr_array_index (self->series, 0);
      g_autofree char *label = g_strdup_printf ("Durations of %s", s->name);
      gtk_label_set_text (self->durations_label, label);
    }
  else if (self->series->len > 1)
    {
      g_autofree char *label = g_strdup_printf ("Durations of %u regions", self->series->len);
      gtk_label_set_text (self->durations_label, label);
    }
  else
    gtk_label_set_text (self->durations_label, "Durations");

  spv_calls_chart_set_series (self->calls_chart, self->series);
  spv_histogram_set_series (self->histogram, self->series);

  self->updating_selection = TRUE;
  spv_timeline_set_selected_region (self->timeline, first_region);
  self->updating_selection = FALSE;
}

static void
selection_changed_cb (GtkSelectionModel *model,
                      guint              position,
                      guint              n_items,
                      SpvSessionView    *self)
{
  update_series (self);
}

static void
timeline_region_activated_cb (SpvTimeline    *timeline,
                              guint           region,
                              SpvSessionView *self)
{
  spv_session_view_select_region (self, region);
}

static void
log_switch_cb (GtkSwitch      *sw,
               GParamSpec     *pspec,
               SpvSessionView *self)
{
  gboolean active = gtk_switch_get_active (sw);

  spv_calls_chart_set_log_scale (self->calls_chart, active);
  spv_histogram_set_log_scale (self->histogram, active);
}

static gboolean
filter_cb (gpointer item,
           gpointer user_data)
{
  SpvSessionView *self = user_data;

  return self->search == NULL || spv_region_item_name_contains (item, self->search);
}

/* Filters the rows by name, ignoring case, as GtkStringFilter would; a
 * longer search only looks at the rows still shown. */
static void
set_search (SpvSessionView *self,
            const char     *text)
{
  g_autofree char *old = g_steal_pointer (&self->search);
  GtkFilterChange change;

  if (text != NULL && *text != '\0')
    self->search = spv_region_item_fold (text);

  if (g_strcmp0 (old, self->search) == 0)
    return;
  if (old == NULL)
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (self->search == NULL || strstr (old, self->search) != NULL)
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  else if (strstr (self->search, old) != NULL)
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else
    change = GTK_FILTER_CHANGE_DIFFERENT;

  gtk_filter_changed (GTK_FILTER (self->filter), change);
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   SpvSessionView *self)
{
  set_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
rank_selected_cb (GtkDropDown    *dropdown,
                  GParamSpec     *pspec,
                  SpvSessionView *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->rank_values == NULL || selected >= self->rank_values->len)
    return;
  spv_session_view_set_rank (self, g_array_index (self->rank_values, guint, selected));
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  SpvSessionView *self = SPV_SESSION_VIEW (widget);

  if (g_str_equal (action_name, "view.zoom-in"))
    spv_timeline_zoom (self->timeline, 1.5);
  else if (g_str_equal (action_name, "view.zoom-out"))
    spv_timeline_zoom (self->timeline, 1 / 1.5);
  else if (g_str_equal (action_name, "view.zoom-reset"))
    spv_timeline_zoom_reset (self->timeline);
  else
    spv_timeline_zoom_to_selection (self->timeline);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  gtk_widget_grab_focus (GTK_WIDGET (SPV_SESSION_VIEW (widget)->search_entry));
}

static void
spv_session_view_dispose (GObject *object)
{
  SpvSessionView *self = SPV_SESSION_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->loading != NULL)
    g_signal_handlers_disconnect_by_data (self->loading, self);
  g_clear_object (&self->loading);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->timeline != NULL)
    g_signal_handlers_disconnect_by_data (self->timeline, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_pointer (&self->analysis, sp_analysis_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->file);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->rank_values, g_array_unref);

  G_OBJECT_CLASS (spv_session_view_parent_class)->dispose (object);
}

static void
spv_session_view_finalize (GObject *object)
{
  SpvSessionView *self = SPV_SESSION_VIEW (object);

  g_free (self->title);
  g_free (self->error_message);
  g_free (self->search);

  G_OBJECT_CLASS (spv_session_view_parent_class)->finalize (object);
}

static void
spv_session_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SpvSessionView *self = SPV_SESSION_VIEW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_0:
    case N_PROPS:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spv_session_view_class_init (SpvSessionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spv_session_view_dispose;
  object_class->finalize = spv_session_view_finalize;
  object_class->get_property = spv_session_view_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, 0, SPV_SESSION_VIEW_READY, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SPV_TYPE_TIMELINE);
  g_type_ensure (SPV_TYPE_CALLS_CHART);
  g_type_ensure (SPV_TYPE_HISTOGRAM);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/gnome/ScopeProfiler/Viewer/spv-session-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, stack);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, loading_page);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, error_page);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, vpaned);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, timeline);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, rank_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, column_view);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, durations_label);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, log_switch);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, calls_chart);
  gtk_widget_class_bind_template_child (widget_class, SpvSessionView, histogram);

  gtk_widget_class_install_action (widget_class, "view.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-reset", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-selection", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.find", NULL, focus_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "view.find", NULL);
}

static void
spv_session_view_init (SpvSessionView *self)
{
  GtkSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rank = SPV_ALL_RANKS;
  self->store = g_list_store_new (SPV_TYPE_REGION_ITEM);

  /* Sorted, then filtered: typing in the search box only hides and shows
   * rows of a list sorted once, rather than sorting again all the rows it
   * brings back. */
  setup_columns (self);
  sorter = gtk_column_view_get_sorter (self->column_view);
  self->sort_model = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)), g_object_ref (sorter));
  self->filter = gtk_custom_filter_new (filter_cb, self, NULL);
  self->filter_model = gtk_filter_list_model_new (G_LIST_MODEL (self->sort_model), GTK_FILTER (self->filter));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (self->filter_model));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect (self->timeline, "region-activated", G_CALLBACK (timeline_region_activated_cb), self);
  g_signal_connect (self->log_switch, "notify::active", G_CALLBACK (log_switch_cb), self);
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect (self->rank_dropdown, "notify::selected", G_CALLBACK (rank_selected_cb), self);

  spv_session_view_sort_by (self, "total", GTK_SORT_DESCENDING);
  log_switch_cb (self->log_switch, NULL, self);
}

SpvSessionView *
spv_session_view_new (void)
{
  return g_object_new (SPV_TYPE_SESSION_VIEW, NULL);
}

static void
progress_cb (SpSession      *session,
             GParamSpec     *pspec,
             SpvSessionView *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar, sp_session_get_progress (session));
}

static void
fail (SpvSessionView *self,
      const char     *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  set_description (self->error_page, message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
  set_state (self, SPV_SESSION_VIEW_ERROR);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SpvSessionView) self = user_data;
  SpSession *session = SP_SESSION (object);
  g_autoptr(GError) error = NULL;

  g_signal_handlers_disconnect_by_func (session, progress_cb, self);

  /* a load that was replaced, or a view that was closed meanwhile */
  if (session != self->loading)
    return;
  g_clear_object (&self->loading);

  if (!sp_session_load_finish (session, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, error->message);
      return;
    }

  spv_session_view_set_session (self, session);
}

/**
 * spv_session_view_load:
 *
 * Starts loading @file in a worker thread; the view shows the progress,
 * then the session or the reason it could not be read.
 */
void
spv_session_view_load (SpvSessionView *self,
                       GFile          *file)
{
  g_autoptr(SpSession) session = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (SPV_IS_SESSION_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_set_object (&self->file, file);
  g_free (self->title);
  self->title = g_file_get_basename (file);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);

  set_description (self->loading_page, self->title);
  set_state (self, SPV_SESSION_VIEW_LOADING);

  if (!(path = g_file_get_path (file)))
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf ("%s is not a local file", uri);
      fail (self, message);
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->loading != NULL)
    g_signal_handlers_disconnect_by_data (self->loading, self);

  session = sp_session_new ();
  g_set_object (&self->loading, session);
  g_signal_connect (session, "notify::progress", G_CALLBACK (progress_cb), self);
  sp_session_load_async (session, path, self->cancellable, load_cb, g_object_ref (self));
}

static void
update_summary (SpvSessionView *self)
{
  g_autofree char *span = sp_format_duration ((double) (sp_session_get_end_time (self->session) -
                                                        sp_session_get_start_time (self->session)));
  guint n_ranks = 0;
  g_autofree char *text = NULL;
  guint64 overlaps = sp_session_get_n_overlaps (self->session);

  sp_session_get_ranks (self->session, &n_ranks);
  text = g_strdup_printf ("%s · %u %s · %u %s · %u %s%s", span,
                          sp_session_get_n_regions (self->session),
                          sp_session_get_n_regions (self->session) == 1 ? "region" : "regions",
                          n_ranks, n_ranks == 1 ? "rank" : "ranks",
                          sp_session_get_n_lanes (self->session),
                          sp_session_get_n_lanes (self->session) == 1 ? "thread" : "threads",
                          overlaps > 0 ? " · some intervals overlap without nesting" : "");
  gtk_label_set_text (self->summary_label, text);

  /* what the run recorded about itself (host, command line, ...) */
  {
    g_auto(GStrv) keys = sp_session_list_metadata_keys (self->session);
    g_autoptr(GString) tooltip = g_string_new (NULL);

    for (guint i = 0; keys != NULL && keys[i] != NULL && i < 40; i++)
      {
        g_autoptr(GVariant) value = sp_session_get_metadata (self->session, keys[i]);
        g_autofree char *printed = NULL;

        if (value == NULL)
          continue;
        printed = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
                    ? g_variant_dup_string (value, NULL)
                    : g_variant_print (value, FALSE);
        if (tooltip->len > 0)
          g_string_append_c (tooltip, '\n');
        g_string_append_printf (tooltip, "%s: %s", keys[i], printed);
      }
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->summary_label), tooltip->len > 0 ? tooltip->str : NULL);
  }
}

void
spv_session_view_set_session (SpvSessionView *self,
                              SpSession      *session)
{
  g_autoptr(GtkStringList) ranks_model = gtk_string_list_new (NULL);
  const guint *ranks;
  guint n_ranks = 0;

  g_return_if_fail (SPV_IS_SESSION_VIEW (self));
  g_return_if_fail (SP_IS_SESSION (session));

  g_set_object (&self->session, session);
  g_clear_pointer (&self->analysis, sp_analysis_unref);
  self->analysis = sp_analysis_new (session);

  if (self->title == NULL)
    {
      const char *path = sp_session_get_path (session);
      self->title = path ? g_path_get_basename (path) : g_strdup ("Session");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }

  ranks = sp_session_get_ranks (session, &n_ranks);
  g_clear_pointer (&self->rank_values, g_array_unref);
  self->rank_values = g_array_new (FALSE, FALSE, sizeof (guint));
  {
    guint all = SPV_ALL_RANKS;
    g_array_append_val (self->rank_values, all);
    gtk_string_list_append (ranks_model, "All Ranks");
  }
  for (guint i = 0; i < n_ranks; i++)
    {
      g_autofree char *label = g_strdup_printf ("Rank %u", ranks[i]);
      g_array_append_val (self->rank_values, ranks[i]);
      gtk_string_list_append (ranks_model, label);
    }
  g_signal_handlers_block_by_func (self->rank_dropdown, rank_selected_cb, self);
  gtk_drop_down_set_model (self->rank_dropdown, G_LIST_MODEL (ranks_model));
  gtk_drop_down_set_selected (self->rank_dropdown, 0);
  g_signal_handlers_unblock_by_func (self->rank_dropdown, rank_selected_cb, self);
  gtk_widget_set_visible (GTK_WIDGET (self->rank_dropdown), n_ranks > 1);

  /* Imbalance across ranks only means something with several. */
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    if (columns[i].kind == KIND_RATIO)
      {
        g_autoptr(GtkColumnViewColumn) column =
          g_list_model_get_item (gtk_column_view_get_columns (self->column_view), i);
        gtk_column_view_column_set_visible (column, sp_analysis_get_n_ranks (self->analysis) > 1);
      }

  spv_timeline_set_session (self->timeline, session);

  /* as tall as the lanes need, leaving the table and charts room */
  {
    int nat = 0;

    gtk_widget_measure (GTK_WIDGET (self->timeline), GTK_ORIENTATION_VERTICAL, -1, NULL, &nat, NULL, NULL);
    gtk_paned_set_position (self->vpaned, CLAMP (nat + 44, 160, 420));
  }
  self->rank = G_MAXUINT - 1; /* force the rows to be built */
  spv_session_view_set_rank (self, SPV_ALL_RANKS);
  update_summary (self);

  if (sp_session_get_n_regions (session) == 0)
    set_description (self->empty_page,
                     "The file is readable but holds no profiled regions: "
                     "the program entered none, or this is not a scope-profiler session.");
  else
    {
      g_autofree char *text =
        g_strdup_printf ("The file names %u %s but holds no timed calls: "
                         "the program may have run with time tracing off.",
                         sp_session_get_n_regions (session),
                         sp_session_get_n_regions (session) == 1 ? "region" : "regions");
      set_description (self->empty_page, text);
    }

  set_state (self, SPV_SESSION_VIEW_READY);
}

/* Shows the statistics of one rank (or SPV_ALL_RANKS) in the table. */
void
spv_session_view_set_rank (SpvSessionView *self,
                           guint           rank)
{
  g_autoptr(GListStore) items = NULL;
  g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  g_return_if_fail (SPV_IS_SESSION_VIEW (self));

  if (self->session == NULL || rank == self->rank)
    return;

  self->rank = rank;
  items = spv_region_item_list_new (self->analysis, rank);
  n = g_list_model_get_n_items (G_LIST_MODEL (items));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (array, g_list_model_get_item (G_LIST_MODEL (items), i));
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       array->pdata, array->len);
  size_columns (self);

  for (guint i = 0; i < self->rank_values->len; i++)
    if (g_array_index (self->rank_values, guint, i) == rank)
      gtk_drop_down_set_selected (self->rank_dropdown, i);

  /* The most expensive region is where the user looks first. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), 0, TRUE);
  else
    update_series (self);
}

/* GTK 4.8 has no gtk_column_view_scroll_to(); the list view inside the
 * column view has the "list.scroll-to-item" action, which anchors the
 * view on the row. Setting the adjustment instead, right after the rows
 * were replaced (sorted, filter cleared), made GTK warn ("failed to
 * scroll to given position") and stay where it was. */
static void
scroll_to_row (SpvSessionView *self,
               guint           position)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      {
        gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
        return;
      }
}

/* Selects @region in the table (and so in the timeline) and scrolls it
 * into view. The filter is cleared if it hides the region. */
void
spv_session_view_select_region (SpvSessionView *self,
                                guint           region)
{
  GListModel *model;
  guint n;

  g_return_if_fail (SPV_IS_SESSION_VIEW (self));

  model = G_LIST_MODEL (self->selection);
  for (int attempt = 0; attempt < 2; attempt++)
    {
      n = g_list_model_get_n_items (model);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(SpvRegionItem) item = g_list_model_get_item (model, i);

          if (spv_region_item_get_region (item) == region)
            {
              gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
              scroll_to_row (self, i);
              return;
            }
        }
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      set_search (self, NULL);
    }
}

void
spv_session_view_set_filter_text (SpvSessionView *self,
                                  const char     *text)
{
  g_return_if_fail (SPV_IS_SESSION_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  set_search (self, text);
}

/* Sorts the table by the column showing @column (a SpvRegionItem property). */
void
spv_session_view_sort_by (SpvSessionView *self,
                          const char     *column,
                          GtkSortType     order)
{
  GListModel *cols;

  g_return_if_fail (SPV_IS_SESSION_VIEW (self));

  cols = gtk_column_view_get_columns (self->column_view);
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    if (g_str_equal (columns[i].property, column))
      {
        g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item (cols, i);
        gtk_column_view_sort_by_column (self->column_view, col, order);
      }
}

SpSession *
spv_session_view_get_session (SpvSessionView *self)
{
  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), NULL);
  return self->session;
}

GFile *
spv_session_view_get_file (SpvSessionView *self)
{
  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), NULL);
  return self->file;
}

SpvSessionViewState
spv_session_view_get_state (SpvSessionView *self)
{
  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), SPV_SESSION_VIEW_ERROR);
  return self->state;
}

const char *
spv_session_view_get_title (SpvSessionView *self)
{
  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), NULL);
  return self->title;
}

const char *
spv_session_view_get_error_message (SpvSessionView *self)
{
  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), NULL);
  return self->error_message;
}

/* What the view shows: "loading", "error", "empty" (a readable session
 * without calls) or "content". */
const char *
spv_session_view_get_page (SpvSessionView *self)
{
  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

/* The text under the title of the status page shown (Pango markup), or
 * NULL when the page is the session itself. */
const char *
spv_session_view_get_page_description (SpvSessionView *self)
{
  GtkWidget *page;

  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), NULL);

  page = gtk_stack_get_visible_child (self->stack);
  return ADW_IS_STATUS_PAGE (page) ? adw_status_page_get_description (ADW_STATUS_PAGE (page)) : NULL;
}

/* The rows as the table shows them: filtered and sorted. */
GListModel *
spv_session_view_get_rows (SpvSessionView *self)
{
  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), NULL);
  return G_LIST_MODEL (self->selection);
}

GtkSelectionModel *
spv_session_view_get_selection (SpvSessionView *self)
{
  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), NULL);
  return GTK_SELECTION_MODEL (self->selection);
}

SpvTimeline *
spv_session_view_get_timeline (SpvSessionView *self)
{
  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), NULL);
  return self->timeline;
}

/* (element-type SpvSeries): the series shown in the durations charts */
GPtrArray *
spv_session_view_get_series (SpvSessionView *self)
{
  g_return_val_if_fail (SPV_IS_SESSION_VIEW (self), NULL);
  return self->series;
}
