/* spv-util.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gdk/gdk.h>
#include <scope-profiler.h>

G_BEGIN_DECLS

char    *spv_format_count    (guint64       n);
char    *spv_format_tick     (gint64        t,
                              gint64        step);
gint64   spv_nice_step       (double        ns_per_px,
                              double        min_px);
void     spv_region_color    (const char   *name,
                              GdkRGBA      *color);
const GdkRGBA *spv_session_region_colors (SpSession *session);

G_END_DECLS
