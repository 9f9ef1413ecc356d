/* spv-timeline.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <scope-profiler.h>

#include "spv-lod.h"

G_BEGIN_DECLS

#define SPV_TYPE_TIMELINE (spv_timeline_get_type())

G_DECLARE_FINAL_TYPE (SpvTimeline, spv_timeline, SPV, TIMELINE, GtkWidget)

GtkWidget        *spv_timeline_new                 (void);
void              spv_timeline_set_session         (SpvTimeline *self,
                                                    SpSession   *session);
SpSession        *spv_timeline_get_session         (SpvTimeline *self);
void              spv_timeline_set_selected_region (SpvTimeline *self,
                                                    guint        region);
guint             spv_timeline_get_selected_region (SpvTimeline *self);
const SpvTimeMap *spv_timeline_get_time_map        (SpvTimeline *self);
void              spv_timeline_zoom                (SpvTimeline *self,
                                                    double       factor);
void              spv_timeline_zoom_to_selection   (SpvTimeline *self);
void              spv_timeline_zoom_reset          (SpvTimeline *self);
void              spv_timeline_set_range           (SpvTimeline *self,
                                                    gint64       begin,
                                                    gint64       end);
gboolean          spv_timeline_pick                (SpvTimeline *self,
                                                    double       x,
                                                    double       y,
                                                    guint       *lane,
                                                    gsize       *interval);
gsize             spv_timeline_get_n_drawn_spans   (SpvTimeline *self);

G_END_DECLS
