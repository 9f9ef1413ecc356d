/* spv-window.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SPV_SESSION_MIME_TYPE "application/x-scope-profiler-session"

#define SPV_TYPE_WINDOW (spv_window_get_type())

G_DECLARE_FINAL_TYPE (SpvWindow, spv_window, SPV, WINDOW, AdwApplicationWindow)

SpvWindow *spv_window_new          (AdwApplication *application);
GtkWidget *spv_window_open         (SpvWindow      *self,
                                    GFile          *file);
GtkWidget *spv_window_compare      (SpvWindow      *self,
                                    GFile          *a,
                                    GFile          *b);
GtkWidget *spv_window_get_current  (SpvWindow      *self);
guint      spv_window_get_n_tabs   (SpvWindow      *self);

G_END_DECLS
