/* spv-window.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include "spv-compare-view.h"
#include "spv-session-view.h"
#include "spv-window.h"

/* A window holds any number of sessions, one per tab, plus comparisons.
 * Files come from the command line, the Open dialog, drag and drop or the
 * recent sessions; errors are shown in the tab and as a toast. */

#define MAX_RECENT 8

struct _SpvWindow
{
  AdwApplicationWindow  parent_instance;

  AdwWindowTitle       *window_title;
  GtkMenuButton        *recent_button;
  AdwTabBar            *tab_bar;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwStatusPage        *empty_page;
  GtkListBox           *recent_list;
  AdwTabView           *tab_view;

  GtkRecentManager     *recent_manager;
  gulong                recent_changed_id;
};

G_DEFINE_FINAL_TYPE (SpvWindow, spv_window, ADW_TYPE_APPLICATION_WINDOW)

/* @message is plain text: toast titles are markup in libadwaita 1.2, and
 * a file named "R&D.h5" must not turn the toast blank. */
static void
toast (SpvWindow  *self,
       const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *t = adw_toast_new (escaped);

  adw_toast_set_timeout (t, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static gboolean
is_session_file (GtkRecentInfo *info)
{
  const char *mime = gtk_recent_info_get_mime_type (info);
  const char *uri = gtk_recent_info_get_uri (info);

  return g_strcmp0 (mime, SPV_SESSION_MIME_TYPE) == 0 ||
         (g_str_has_suffix (uri, ".h5") && gtk_recent_info_has_application (info, "scope-profiler-viewer"));
}

static int
compare_recent (gconstpointer a,
                gconstpointer b)
{
  GtkRecentInfo *x = *(GtkRecentInfo * const *) a;
  GtkRecentInfo *y = *(GtkRecentInfo * const *) b;

  return g_date_time_compare (gtk_recent_info_get_modified (y), gtk_recent_info_get_modified (x));
}

static void
rebuild_recent (SpvWindow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) gtk_recent_info_unref);
  GList *items = gtk_recent_manager_get_items (self->recent_manager);
  GtkWidget *child;

  for (GList *l = items; l != NULL; l = l->next)
    {
      if (is_session_file (l->data) && gtk_recent_info_exists (l->data))
        g_ptr_array_add (infos, gtk_recent_info_ref (l->data));
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  g_ptr_array_sort (infos, compare_recent);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))))
    gtk_list_box_remove (self->recent_list, child);

  for (guint i = 0; i < MIN (infos->len, MAX_RECENT); i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (infos, i);
      g_autofree char *location = gtk_recent_info_get_uri_display (info);
      g_autofree char *escaped = g_markup_escape_text (location ? location : "", -1);
      g_autofree char *title = g_markup_escape_text (gtk_recent_info_get_display_name (info), -1);
      g_autoptr(GMenuItem) item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      GtkWidget *row = adw_action_row_new ();

      g_menu_item_set_action_and_target (item, "win.open-recent", "s", gtk_recent_info_get_uri (info));
      g_menu_append_item (menu, item);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.open-recent");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", gtk_recent_info_get_uri (info));
      gtk_list_box_append (self->recent_list, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->recent_list), infos->len > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->recent_button), infos->len > 0);
  gtk_menu_button_set_menu_model (self->recent_button, G_MENU_MODEL (menu));
}

static void
update_title (SpvWindow *self)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  adw_window_title_set_subtitle (self->window_title, page ? adw_tab_page_get_title (page) : NULL);
  gtk_stack_set_visible_child_name (self->stack, adw_tab_view_get_n_pages (self->tab_view) > 0 ? "tabs" : "empty");
}

static void
session_state_cb (SpvSessionView *view,
                  GParamSpec     *pspec,
                  SpvWindow      *self)
{
  AdwTabPage *page = gtk_widget_get_parent (GTK_WIDGET (view)) ? adw_tab_view_get_page (self->tab_view, GTK_WIDGET (view)) : NULL;
  SpvSessionViewState state = spv_session_view_get_state (view);

  if (page != NULL)
    adw_tab_page_set_loading (page, state == SPV_SESSION_VIEW_LOADING);

  if (state == SPV_SESSION_VIEW_ERROR)
    {
      g_autofree char *message = g_strdup_printf ("Could not open %s", spv_session_view_get_title (view));
      toast (self, message);
    }
  else if (state == SPV_SESSION_VIEW_READY && spv_session_view_get_file (view) != NULL &&
           !g_object_get_data (G_OBJECT (self), "spv-no-recent"))
    {
      g_autofree char *uri = g_file_get_uri (spv_session_view_get_file (view));
      GtkRecentData data = {
        .display_name = NULL,
        .description = NULL,
        .mime_type = (char *) SPV_SESSION_MIME_TYPE,
        .app_name = (char *) "scope-profiler-viewer",
        .app_exec = (char *) "scope-profiler-viewer %u",
      };

      gtk_recent_manager_add_full (self->recent_manager, uri, &data);
    }
}

static void
compare_loading_cb (SpvCompareView *view,
                    GParamSpec     *pspec,
                    SpvWindow      *self)
{
  AdwTabPage *page = gtk_widget_get_parent (GTK_WIDGET (view)) ? adw_tab_view_get_page (self->tab_view, GTK_WIDGET (view)) : NULL;

  if (page != NULL)
    adw_tab_page_set_loading (page, spv_compare_view_get_loading (view));
  if (spv_compare_view_get_error_message (view) != NULL && !spv_compare_view_get_loading (view))
    toast (self, "Could not compare the sessions");
}

/* Tab tooltips are markup; titles are file names. */
static gboolean
escape_markup_transform (GBinding     *binding,
                         const GValue *from,
                         GValue       *to,
                         gpointer      user_data)
{
  const char *text = g_value_get_string (from);

  g_value_take_string (to, text ? g_markup_escape_text (text, -1) : NULL);
  return TRUE;
}

static AdwTabPage *
add_page (SpvWindow *self,
          GtkWidget *child,
          const char *icon)
{
  AdwTabPage *page = adw_tab_view_append (self->tab_view, child);
  g_autoptr(GIcon) gicon = g_themed_icon_new (icon);

  g_object_bind_property (child, "title", page, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property_full (child, "title", page, "tooltip", G_BINDING_SYNC_CREATE,
                               escape_markup_transform, NULL, NULL, NULL);
  adw_tab_page_set_icon (page, gicon);
  adw_tab_view_set_selected_page (self->tab_view, page);
  update_title (self);
  return page;
}

/**
 * spv_window_open:
 *
 * Opens @file in a new tab, or shows its tab when it is already open.
 *
 * Returns: (transfer none): the #SpvSessionView of the tab
 */
GtkWidget *
spv_window_open (SpvWindow *self,
                 GFile     *file)
{
  SpvSessionView *view;
  AdwTabPage *page;

  g_return_val_if_fail (SPV_IS_WINDOW (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++)
    {
      GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

      if (SPV_IS_SESSION_VIEW (child) && spv_session_view_get_file (SPV_SESSION_VIEW (child)) != NULL &&
          g_file_equal (spv_session_view_get_file (SPV_SESSION_VIEW (child)), file) &&
          spv_session_view_get_state (SPV_SESSION_VIEW (child)) != SPV_SESSION_VIEW_ERROR)
        {
          adw_tab_view_set_selected_page (self->tab_view, adw_tab_view_get_nth_page (self->tab_view, i));
          return child;
        }
    }

  view = spv_session_view_new ();
  g_signal_connect_object (view, "notify::state", G_CALLBACK (session_state_cb), self, 0);
  spv_session_view_load (view, file);
  page = add_page (self, GTK_WIDGET (view), "org.gnome.ScopeProfiler.Viewer-symbolic");
  adw_tab_page_set_loading (page, spv_session_view_get_state (view) == SPV_SESSION_VIEW_LOADING);
  update_title (self);

  return GTK_WIDGET (view);
}

/**
 * spv_window_compare:
 *
 * Opens a tab comparing the sessions in @a and @b.
 *
 * Returns: (transfer none): the #SpvCompareView of the tab
 */
GtkWidget *
spv_window_compare (SpvWindow *self,
                    GFile     *a,
                    GFile     *b)
{
  SpvCompareView *view;

  g_return_val_if_fail (SPV_IS_WINDOW (self), NULL);

  view = spv_compare_view_new ();
  g_signal_connect_object (view, "notify::loading", G_CALLBACK (compare_loading_cb), self, 0);
  spv_compare_view_load (view, a, b);
  adw_tab_page_set_loading (add_page (self, GTK_WIDGET (view), "view-dual-symbolic"),
                            spv_compare_view_get_loading (view));
  update_title (self);

  return GTK_WIDGET (view);
}

/* Returns: (transfer none) (nullable): the widget of the selected tab */
GtkWidget *
spv_window_get_current (SpvWindow *self)
{
  AdwTabPage *page;

  g_return_val_if_fail (SPV_IS_WINDOW (self), NULL);

  page = adw_tab_view_get_selected_page (self->tab_view);
  return page ? adw_tab_page_get_child (page) : NULL;
}

guint
spv_window_get_n_tabs (SpvWindow *self)
{
  g_return_val_if_fail (SPV_IS_WINDOW (self), 0);
  return adw_tab_view_get_n_pages (self->tab_view);
}

static GtkFileFilter *
session_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, "Session Files");
  gtk_file_filter_add_mime_type (filter, SPV_SESSION_MIME_TYPE);
  gtk_file_filter_add_pattern (filter, "*.h5");
  gtk_file_filter_add_pattern (filter, "*.hdf5");
  return filter;
}

typedef enum { CHOOSE_OPEN, CHOOSE_COMPARE } ChooseMode;

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     SpvWindow       *self)
{
  ChooseMode mode = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "spv-mode"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      guint n = g_list_model_get_n_items (files);

      if (mode == CHOOSE_OPEN)
        {
          for (guint i = 0; i < n; i++)
            {
              g_autoptr(GFile) file = g_list_model_get_item (files, i);
              spv_window_open (self, file);
            }
        }
      else if (n >= 2)
        {
          g_autoptr(GFile) a = g_list_model_get_item (files, 0);
          g_autoptr(GFile) b = g_list_model_get_item (files, 1);
          spv_window_compare (self, a, b);
        }
      else if (n == 1)
        {
          GtkWidget *current = spv_window_get_current (self);
          g_autoptr(GFile) b = g_list_model_get_item (files, 0);

          if (SPV_IS_SESSION_VIEW (current) && spv_session_view_get_file (SPV_SESSION_VIEW (current)))
            spv_window_compare (self, spv_session_view_get_file (SPV_SESSION_VIEW (current)), b);
          else
            toast (self, "Choose two sessions, or open one session first");
        }
    }

  g_object_unref (dialog);
}

static void
choose (SpvWindow  *self,
        ChooseMode  mode)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = session_filter ();
  GtkFileFilter *all = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (mode == CHOOSE_OPEN ? "Open Session" : "Compare With",
                                        GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                        mode == CHOOSE_OPEN ? "_Open" : "_Compare", "_Cancel");
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_filter_set_name (all, "All Files");
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  g_object_unref (all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_object_set_data (G_OBJECT (dialog), "spv-mode", GINT_TO_POINTER (mode));
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
open_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  choose (SPV_WINDOW (user_data), CHOOSE_OPEN);
}

static void
compare_action (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  choose (SPV_WINDOW (user_data), CHOOSE_COMPARE);
}

static void
open_recent_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));

  spv_window_open (SPV_WINDOW (user_data), file);
}

static void
close_tab_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  SpvWindow *self = SPV_WINDOW (user_data);
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  if (page != NULL)
    adw_tab_view_close_page (self->tab_view, page);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static const GActionEntry actions[] = {
  { .name = "open", .activate = open_action },
  { .name = "compare", .activate = compare_action },
  { .name = "open-recent", .activate = open_recent_action, .parameter_type = "s" },
  { .name = "close-tab", .activate = close_tab_action },
};

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         SpvWindow     *self)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));

      for (GSList *l = files; l != NULL; l = l->next)
        spv_window_open (self, l->data);
      g_slist_free (files);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      spv_window_open (self, g_value_get_object (value));
      return TRUE;
    }
  return FALSE;
}

static void
spv_window_dispose (GObject *object)
{
  SpvWindow *self = SPV_WINDOW (object);

  g_clear_signal_handler (&self->recent_changed_id, self->recent_manager);
  self->recent_manager = NULL;

  G_OBJECT_CLASS (spv_window_parent_class)->dispose (object);
}

static void
spv_window_class_init (SpvWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spv_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/gnome/ScopeProfiler/Viewer/spv-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpvWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SpvWindow, recent_button);
  gtk_widget_class_bind_template_child (widget_class, SpvWindow, tab_bar);
  gtk_widget_class_bind_template_child (widget_class, SpvWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SpvWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SpvWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, SpvWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, SpvWindow, tab_view);
}

static void
spv_window_init (SpvWindow *self)
{
  GtkDropTarget *target;
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  g_signal_connect_swapped (self->tab_view, "notify::selected-page", G_CALLBACK (update_title), self);
  g_signal_connect_swapped (self->tab_view, "notify::n-pages", G_CALLBACK (update_title), self);

  self->recent_manager = gtk_recent_manager_get_default ();
  self->recent_changed_id = g_signal_connect_swapped (self->recent_manager, "changed",
                                                      G_CALLBACK (rebuild_recent), self);
  rebuild_recent (self);
  update_title (self);
}

SpvWindow *
spv_window_new (AdwApplication *application)
{
  return g_object_new (SPV_TYPE_WINDOW, "application", application, NULL);
}
