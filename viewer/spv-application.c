/* spv-application.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include "spv-application.h"
#include "spv-compare-view.h"
#include "spv-session-view.h"
#include "spv-window.h"

/* The application: opens the files it is given, one tab each, in the
 * active window; --compare puts two side by side; --screenshot renders
 * the window once the sessions are shown and exits, for tests and docs. */

#define SCREENSHOT_WIDTH   1280
#define SCREENSHOT_HEIGHT  800
#define SCREENSHOT_TIMEOUT 45

struct _SpvApplication
{
  AdwApplication  parent_instance;

  char           *screenshot;
  gboolean        compare;
  SpvWindow      *screenshot_window;
  guint           frames;
  guint           polls;
  guint           timeout_id;
  int             exit_status;
};

G_DEFINE_FINAL_TYPE (SpvApplication, spv_application, ADW_TYPE_APPLICATION)

/**
 * spv_render_widget_to_png:
 *
 * Renders @widget as it is on screen into a PNG, with the renderer of its
 * window.
 */
gboolean
spv_render_widget_to_png (GtkWidget   *widget,
                          const char  *path,
                          GError     **error)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);

  if (node == NULL || renderer == NULL || width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The window has not been drawn");
      return FALSE;
    }

  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", path);
      return FALSE;
    }
  return TRUE;
}

/* A line for tests to check what is on screen besides the pixels. */
static void
print_summary (GtkWidget *current)
{
  if (SPV_IS_SESSION_VIEW (current))
    {
      SpvSessionView *view = SPV_SESSION_VIEW (current);
      SpvSessionViewState state = spv_session_view_get_state (view);

      if (state == SPV_SESSION_VIEW_READY)
        {
          SpSession *session = spv_session_view_get_session (view);
          GPtrArray *series = spv_session_view_get_series (view);

          g_print ("state=ready page=%s rows=%u lanes=%u spans=%" G_GSIZE_FORMAT " series=%u\n",
                   spv_session_view_get_page (view),
                   g_list_model_get_n_items (spv_session_view_get_rows (view)),
                   sp_session_get_n_lanes (session),
                   spv_timeline_get_n_drawn_spans (spv_session_view_get_timeline (view)),
                   series ? series->len : 0);
        }
      else
        g_print ("state=error page=%s message=%s\n", spv_session_view_get_page (view),
                 spv_session_view_get_error_message (view));
    }
  else if (SPV_IS_COMPARE_VIEW (current))
    {
      SpvCompareView *view = SPV_COMPARE_VIEW (current);

      if (spv_compare_view_get_error_message (view))
        g_print ("state=error message=%s\n", spv_compare_view_get_error_message (view));
      else
        g_print ("state=compare rows=%u\n", g_list_model_get_n_items (spv_compare_view_get_rows (view)));
    }
  else
    g_print ("state=empty\n");
}

static gboolean
screenshot_tick_cb (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  SpvApplication *self = user_data;
  g_autoptr(GError) error = NULL;

  /* A few frames so the table rows and the charts have their final size. */
  if (++self->frames < 6)
    {
      gtk_widget_queue_draw (widget);
      return G_SOURCE_CONTINUE;
    }

  if (spv_render_widget_to_png (widget, self->screenshot, &error))
    {
      print_summary (spv_window_get_current (SPV_WINDOW (widget)));
      self->exit_status = 0;
    }
  else if (self->frames < 120)
    {
      /* On a loaded machine the window may not have a frame to render
       * yet: try again on a later one. */
      g_debug ("screenshot: %s; retrying", error->message);
      gtk_widget_queue_draw (widget);
      return G_SOURCE_CONTINUE;
    }
  else
    {
      g_printerr ("%s\n", error->message);
      self->exit_status = 1;
    }

  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

static gboolean
is_settled (GtkWidget *current)
{
  if (SPV_IS_SESSION_VIEW (current))
    return spv_session_view_get_state (SPV_SESSION_VIEW (current)) != SPV_SESSION_VIEW_LOADING;
  if (SPV_IS_COMPARE_VIEW (current))
    return !spv_compare_view_get_loading (SPV_COMPARE_VIEW (current));
  return TRUE;
}

static gboolean
screenshot_poll_cb (gpointer user_data)
{
  SpvApplication *self = user_data;
  GtkWidget *window = GTK_WIDGET (self->screenshot_window);

  if (!gtk_widget_get_mapped (window) || !is_settled (spv_window_get_current (self->screenshot_window)))
    return G_SOURCE_CONTINUE;

  /* Wait for the first layouts to settle on the size asked for; render
   * anyway after a few seconds. */
  if ((gtk_widget_get_width (window) != SCREENSHOT_WIDTH ||
       gtk_widget_get_height (window) != SCREENSHOT_HEIGHT) && self->polls++ < 60)
    {
      g_debug ("screenshot: window is %dx%d", gtk_widget_get_width (window), gtk_widget_get_height (window));
      return G_SOURCE_CONTINUE;
    }

  self->frames = 0;
  gtk_widget_add_tick_callback (window, screenshot_tick_cb, self, NULL);
  gtk_widget_queue_draw (window);
  return G_SOURCE_REMOVE;
}

static gboolean
screenshot_timeout_cb (gpointer user_data)
{
  SpvApplication *self = user_data;

  g_printerr ("Timed out waiting for the session to be shown\n");
  self->timeout_id = 0;
  self->exit_status = 1;
  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

/* Tests of very large sessions on slow machines may allow more time. */
static guint
screenshot_timeout (void)
{
  const char *env = g_getenv ("SPV_SCREENSHOT_TIMEOUT");
  guint64 seconds = 0;

  if (env == NULL || !g_ascii_string_to_unsigned (env, 10, 1, 3600, &seconds, NULL))
    return SCREENSHOT_TIMEOUT;
  return (guint) seconds;
}

static SpvWindow *
get_window (SpvApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (SPV_IS_WINDOW (window))
    return SPV_WINDOW (window);

  window = GTK_WINDOW (spv_window_new (ADW_APPLICATION (self)));
  if (self->screenshot != NULL)
    {
      g_object_set_data (G_OBJECT (window), "spv-no-recent", GINT_TO_POINTER (TRUE));
      /* The default size would count the margins of the client-side
       * decorations; asking the content for the size makes what is drawn
       * exactly that size. */
      gtk_window_set_default_size (window, SCREENSHOT_WIDTH, SCREENSHOT_HEIGHT);
      gtk_widget_set_size_request (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)),
                                   SCREENSHOT_WIDTH, SCREENSHOT_HEIGHT);
      self->screenshot_window = SPV_WINDOW (window);
      g_timeout_add (50, screenshot_poll_cb, self);
      self->timeout_id = g_timeout_add_seconds (screenshot_timeout (), screenshot_timeout_cb, self);
    }
  return SPV_WINDOW (window);
}

static void
spv_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (SPV_APPLICATION (app))));
}

static void
spv_application_open (GApplication  *app,
                      GFile        **files,
                      int            n_files,
                      const char    *hint)
{
  SpvApplication *self = SPV_APPLICATION (app);
  SpvWindow *window = get_window (self);

  if (self->compare && n_files == 2)
    spv_window_compare (window, files[0], files[1]);
  else
    for (int i = 0; i < n_files; i++)
      spv_window_open (window, files[i]);

  gtk_window_present (GTK_WINDOW (window));
}

static int
spv_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  SpvApplication *self = SPV_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("scope-profiler-viewer %s\n", SPV_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot);
  self->compare = g_variant_dict_contains (options, "compare");

  /* A screenshot is taken by this process alone, never by a running
   * instance, so that tests can run side by side. */
  if (self->screenshot != NULL)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

  return -1;
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The scope-profiler authors", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", "Scope Profiler",
                         "application-icon", SPV_APPLICATION_ID,
                         "version", SPV_VERSION,
                         "comments", "See where the time of a profiled program goes: per region statistics, durations and a nested timeline of every thread and rank.",
                         "license-type", GTK_LICENSE_LGPL_2_1,
                         "developers", developers,
                         NULL);
}

static void
new_window_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (spv_window_new (ADW_APPLICATION (user_data))));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_action },
  { .name = "new-window", .activate = new_window_action },
  { .name = "quit", .activate = quit_action },
};

static void
spv_application_startup (GApplication *app)
{
  static const char *open_accels[] = { "<Control>o", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_accels[] = { "<Control>n", NULL };

  G_APPLICATION_CLASS (spv_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.close-tab", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.new-window", new_accels);
}

static void
spv_application_finalize (GObject *object)
{
  SpvApplication *self = SPV_APPLICATION (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_free (self->screenshot);

  G_OBJECT_CLASS (spv_application_parent_class)->finalize (object);
}

static void
spv_application_class_init (SpvApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = spv_application_finalize;
  app_class->activate = spv_application_activate;
  app_class->open = spv_application_open;
  app_class->startup = spv_application_startup;
  app_class->handle_local_options = spv_application_handle_local_options;
}

static const GOptionEntry options[] = {
  { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    "Open the sessions, render the window to a PNG file and exit", "FILE.png" },
  { "compare", 0, 0, G_OPTION_ARG_NONE, NULL,
    "Compare the two given sessions side by side", NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, "Print the version and exit", NULL },
  { NULL }
};

static void
spv_application_init (SpvApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), "[SESSION.h5…]");
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            "Browse scope-profiler session files: regions, durations and the nested timeline.");
}

SpvApplication *
spv_application_new (void)
{
  return g_object_new (SPV_TYPE_APPLICATION,
                       "application-id", SPV_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}

/* The status of --screenshot, for main() after g_application_run(). */
int
spv_application_get_exit_status (SpvApplication *self)
{
  g_return_val_if_fail (SPV_IS_APPLICATION (self), 1);
  return self->exit_status;
}
