/* spv-compare-view.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <math.h>

#include "spv-compare-item.h"
#include "spv-compare-view.h"
#include "spv-util.h"

/* Two sessions side by side: per region, figures per rank (the mean and
 * the slowest rank's total, the mean call) of A and B and their change
 * from A to B, sortable, so a regression stands out; above, the wall time
 * of each run. The sessions may have different numbers of ranks: no
 * figure is a sum over ranks. Every number is SpAnalysis's. */

struct _SpvCompareView
{
  AdwBin          parent_instance;

  GtkStack       *stack;
  AdwStatusPage  *error_page;
  GtkLabel       *header;
  GtkColumnView  *column_view;

  GFile          *files[2];
  SpSession      *sessions[2];
  SpAnalysis     *analyses[2];
  guint           pending;
  GCancellable   *cancellable;
  char           *title;
  char           *error_message;
  gboolean        loading;
  GListStore     *store;
  GtkSortListModel *sort_model;
};

enum {
  PROP_0,
  PROP_TITLE,
  PROP_LOADING,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpvCompareView, spv_compare_view, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

typedef enum { KIND_NAME, KIND_DURATION, KIND_CHANGE } Kind;

typedef struct
{
  const char *property;
  const char *title;
  Kind        kind;
} ColumnDef;

static const ColumnDef columns[] = {
  { "name", "Region", KIND_NAME },
  { "mean-total-a", "Per Rank A", KIND_DURATION },
  { "mean-total-b", "Per Rank B", KIND_DURATION },
  { "mean-total-change", "Change", KIND_CHANGE },
  { "max-total-a", "Slowest Rank A", KIND_DURATION },
  { "max-total-b", "Slowest Rank B", KIND_DURATION },
  { "max-total-change", "Change", KIND_CHANGE },
  { "mean-a", "Mean Call A", KIND_DURATION },
  { "mean-b", "Mean Call B", KIND_DURATION },
  { "mean-change", "Change", KIND_CHANGE },
};

static const char * const column_tooltips[G_N_ELEMENTS (columns)] = {
  NULL,
  "The region's time per rank: its total on each rank, averaged over the ranks",
  "The region's time per rank: its total on each rank, averaged over the ranks",
  "Change from A to B of the time per rank",
  "The region's total on its slowest rank: what it costs the run",
  "The region's total on its slowest rank: what it costs the run",
  "Change from A to B of the slowest rank's time",
  "The mean duration of one call",
  "The mean duration of one call",
  "Change from A to B of the mean call",
};

/* Like the command line's diff: "+12.5%", "+inf%" for a region that took
 * no time in A. */
static char *
format_change (double change)
{
  if (isnan (change))
    return g_strdup ("-");
  if (isinf (change))
    return g_strdup (change > 0 ? "+inf%" : "-inf%");
  return g_strdup_printf ("%+.1f%%", change);
}

/* Orders ratios with the missing ones (NAN) last, whatever the direction. */
int
spv_compare_ratio (double a,
                   double b)
{
  if (isnan (a) || isnan (b))
    return isnan (a) - isnan (b);
  return (a > b) - (a < b);
}

static int
ratio_sort_cb (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const char *property = user_data;
  double x, y;

  g_object_get ((gpointer) a, property, &x, NULL);
  g_object_get ((gpointer) b, property, &y, NULL);
  return spv_compare_ratio (x, y);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          const ColumnDef          *def)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), def->kind == KIND_NAME ? 0 : 1);
  if (def->kind == KIND_NAME)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  else
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         const ColumnDef          *def)
{
  GtkWidget *label = gtk_list_item_get_child (list_item);
  GObject *item = gtk_list_item_get_item (list_item);
  g_autofree char *text = NULL;

  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "success");
  gtk_widget_set_tooltip_text (label, column_tooltips[def - columns]);

  switch (def->kind)
    {
    case KIND_NAME:
      {
        SpvCompareItem *ci = SPV_COMPARE_ITEM (item);
        g_autofree char *escaped = g_markup_escape_text (spv_compare_item_get_name (ci), -1);
        const GdkRGBA *color = spv_compare_item_get_color (ci);
        guint64 calls_a, calls_b;

        g_object_get (ci, "calls-a", &calls_a, "calls-b", &calls_b, NULL);
        text = g_strdup_printf ("<span foreground=\"#%02x%02x%02x\">■</span> %s%s", (int) (color->red * 255),
                                (int) (color->green * 255), (int) (color->blue * 255), escaped,
                                calls_b == 0 ? "  <span alpha=\"60%\">(only in A)</span>"
                                : calls_a == 0 ? "  <span alpha=\"60%\">(only in B)</span>" : "");
        gtk_label_set_markup (GTK_LABEL (label), text);
        return;
      }
    case KIND_DURATION:
      {
        GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (item), def->property);
        g_auto(GValue) value = G_VALUE_INIT;

        g_value_init (&value, pspec->value_type);
        g_object_get_property (item, def->property, &value);
        text = sp_format_duration (G_VALUE_HOLDS_DOUBLE (&value) ? g_value_get_double (&value)
                                                                  : (double) g_value_get_int64 (&value));
        break;
      }
    case KIND_CHANGE:
      {
        double change;

        g_object_get (item, def->property, &change, NULL);
        text = format_change (change);
        /* more than 10 % slower or faster */
        if (change > 10)
          gtk_widget_add_css_class (label, "error");
        else if (change < -10)
          gtk_widget_add_css_class (label, "success");
        break;
      }
    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (GTK_LABEL (label), text);
}

static void
spv_compare_view_dispose (GObject *object)
{
  SpvCompareView *self = SPV_COMPARE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&self->files[i]);
      g_clear_object (&self->sessions[i]);
      g_clear_pointer (&self->analyses[i], sp_analysis_unref);
    }
  g_clear_object (&self->store);

  G_OBJECT_CLASS (spv_compare_view_parent_class)->dispose (object);
}

static void
spv_compare_view_finalize (GObject *object)
{
  SpvCompareView *self = SPV_COMPARE_VIEW (object);

  g_free (self->title);
  g_free (self->error_message);

  G_OBJECT_CLASS (spv_compare_view_parent_class)->finalize (object);
}

static void
spv_compare_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SpvCompareView *self = SPV_COMPARE_VIEW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
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
spv_compare_view_class_init (SpvCompareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spv_compare_view_dispose;
  object_class->finalize = spv_compare_view_finalize;
  object_class->get_property = spv_compare_view_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spv_compare_view_init (SpvCompareView *self)
{
  GtkWidget *box, *scroller, *spinner;
  AdwStatusPage *loading_page;
  GtkSorter *sorter;
  GtkMultiSelection *selection;

  self->stack = GTK_STACK (gtk_stack_new ());
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->stack));

  loading_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_title (loading_page, "Loading Sessions…");
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_size_request (spinner, 32, 32);
  adw_status_page_set_child (loading_page, spinner);
  gtk_stack_add_named (self->stack, GTK_WIDGET (loading_page), "loading");

  self->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->error_page, "dialog-error-symbolic");
  adw_status_page_set_title (self->error_page, "Could Not Compare the Sessions");
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->error_page), "error");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->header = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->header, 0);
  gtk_label_set_wrap (self->header, TRUE);
  gtk_widget_set_margin_start (GTK_WIDGET (self->header), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->header), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->header), 8);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->header), 8);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->header));

  self->column_view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_column_separators (self->column_view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "data-table");
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      const ColumnDef *def = &columns[i];
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      GtkSorter *col_sorter;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), (gpointer) def);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), (gpointer) def);
      if (def->kind == KIND_NAME)
        col_sorter = GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (SPV_TYPE_COMPARE_ITEM, NULL, def->property)));
      else if (def->kind == KIND_DURATION)
        col_sorter = GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (SPV_TYPE_COMPARE_ITEM, NULL, def->property)));
      else
        col_sorter = GTK_SORTER (gtk_custom_sorter_new (ratio_sort_cb, (gpointer) def->property, NULL));

      column = gtk_column_view_column_new (def->title, factory);
      gtk_column_view_column_set_sorter (column, col_sorter);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, def->kind == KIND_NAME);
      gtk_column_view_column_set_fixed_width (column, def->kind == KIND_NAME ? 200 :
                                                      def->kind == KIND_CHANGE ? 80 : 116);
      gtk_column_view_append_column (self->column_view, column);
      g_object_unref (col_sorter);
    }

  self->store = g_list_store_new (SPV_TYPE_COMPARE_ITEM);
  sorter = gtk_column_view_get_sorter (self->column_view);
  self->sort_model = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)), g_object_ref (sorter));
  selection = gtk_multi_selection_new (G_LIST_MODEL (self->sort_model));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  {
    GListModel *cols = gtk_column_view_get_columns (self->column_view);
    g_autoptr(GtkColumnViewColumn) ratio_column = g_list_model_get_item (cols, 3);
    gtk_column_view_sort_by_column (self->column_view, ratio_column, GTK_SORT_DESCENDING);
  }

  scroller = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->column_view));
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_stack_add_named (self->stack, box, "content");
}

SpvCompareView *
spv_compare_view_new (void)
{
  return g_object_new (SPV_TYPE_COMPARE_VIEW, NULL);
}

static void
set_loading (SpvCompareView *self,
             gboolean        loading)
{
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SpvCompareView) self = user_data;
  g_autoptr(GError) error = NULL;

  /* the view was closed meanwhile */
  if (self->cancellable == NULL)
    return;

  self->pending--;

  if (!sp_session_load_finish (SP_SESSION (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (self->error_message == NULL)
        {
          /* descriptions are markup; reader messages may hold '<' */
          g_autofree char *escaped = g_markup_escape_text (error->message, -1);

          self->error_message = g_strdup (error->message);
          adw_status_page_set_description (self->error_page, escaped);
          gtk_stack_set_visible_child_name (self->stack, "error");
          g_cancellable_cancel (self->cancellable);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
          set_loading (self, FALSE);
        }
      return;
    }

  if (self->pending == 0 && self->error_message == NULL)
    spv_compare_view_set_sessions (self, self->sessions[0], self->sessions[1]);
}

void
spv_compare_view_load (SpvCompareView *self,
                       GFile          *a,
                       GFile          *b)
{
  GFile *files[2] = { a, b };
  g_autofree char *name_a = g_file_get_basename (a);
  g_autofree char *name_b = g_file_get_basename (b);

  g_return_if_fail (SPV_IS_COMPARE_VIEW (self));

  g_free (self->title);
  self->title = g_strdup_printf ("%s ↔ %s", name_a, name_b);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);

  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "loading");

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_file_get_path (files[i]);

      g_set_object (&self->files[i], files[i]);
      g_clear_object (&self->sessions[i]);
      self->sessions[i] = sp_session_new ();
      self->pending++;
      sp_session_load_async (self->sessions[i], path ? path : "", self->cancellable, load_cb, g_object_ref (self));
    }
}

void
spv_compare_view_set_sessions (SpvCompareView *self,
                               SpSession      *a,
                               SpSession      *b)
{
  g_autoptr(GListStore) items = NULL;
  g_autofree char *header = NULL;
  g_autofree char *name_a = NULL, *name_b = NULL;
  g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (SPV_IS_COMPARE_VIEW (self));

  if (self->sessions[0] != a)
    g_set_object (&self->sessions[0], a);
  if (self->sessions[1] != b)
    g_set_object (&self->sessions[1], b);

  name_a = g_path_get_basename (sp_session_get_path (a) ? sp_session_get_path (a) : "A");
  name_b = g_path_get_basename (sp_session_get_path (b) ? sp_session_get_path (b) : "B");
  if (self->title == NULL)
    {
      self->title = g_strdup_printf ("%s ↔ %s", name_a, name_b);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }

  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&self->analyses[i], sp_analysis_unref);
      self->analyses[i] = sp_analysis_new (self->sessions[i]);
    }

  /* the run's wall time is its slowest rank's */
  {
    guint n_a = sp_analysis_get_n_ranks (self->analyses[0]);
    guint n_b = sp_analysis_get_n_ranks (self->analyses[1]);
    g_autofree char *wall_a = sp_format_duration ((double) sp_analysis_get_wall_time (self->analyses[0]));
    g_autofree char *wall_b = sp_format_duration ((double) sp_analysis_get_wall_time (self->analyses[1]));
    g_autofree char *change = format_change (sp_analysis_compare_wall_time (self->analyses[0], self->analyses[1]));

    header = g_strdup_printf ("A: %s (%u %s, wall time %s)    B: %s (%u %s, wall time %s)    "
                              "Wall time %s. Figures are per rank; changes are from A to B, "
                              "above 0 means B took longer.",
                              name_a, n_a, n_a == 1 ? "rank" : "ranks", wall_a,
                              name_b, n_b, n_b == 1 ? "rank" : "ranks", wall_b, change);
  }
  gtk_label_set_text (self->header, header);

  items = spv_compare_item_list_new (self->analyses[0], self->analyses[1]);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (items)); i++)
    g_ptr_array_add (array, g_list_model_get_item (G_LIST_MODEL (items), i));
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       array->pdata, array->len);

  gtk_stack_set_visible_child_name (self->stack, "content");
  set_loading (self, FALSE);
}

const char *
spv_compare_view_get_title (SpvCompareView *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_VIEW (self), NULL);
  return self->title;
}

gboolean
spv_compare_view_get_loading (SpvCompareView *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_VIEW (self), FALSE);
  return self->loading;
}

const char *
spv_compare_view_get_error_message (SpvCompareView *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_VIEW (self), NULL);
  return self->error_message;
}

/* The rows as the table shows them. */
GListModel *
spv_compare_view_get_rows (SpvCompareView *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_VIEW (self), NULL);
  return G_LIST_MODEL (self->sort_model);
}

/* The line above the table: the sessions, their rank counts and wall
 * times, and the change of the wall time. */
const char *
spv_compare_view_get_header (SpvCompareView *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_VIEW (self), NULL);
  return gtk_label_get_text (self->header);
}
