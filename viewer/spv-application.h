/* spv-application.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SPV_APPLICATION_ID "org.gnome.ScopeProfiler.Viewer"

#define SPV_TYPE_APPLICATION (spv_application_get_type())

G_DECLARE_FINAL_TYPE (SpvApplication, spv_application, SPV, APPLICATION, AdwApplication)

SpvApplication *spv_application_new          (void);
int             spv_application_get_exit_status (SpvApplication *self);
gboolean        spv_render_widget_to_png     (GtkWidget   *widget,
                                              const char  *path,
                                              GError     **error);

G_END_DECLS
