/* spv-session-view.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <scope-profiler.h>

#include "spv-timeline.h"

G_BEGIN_DECLS

#define SPV_TYPE_SESSION_VIEW (spv_session_view_get_type())

G_DECLARE_FINAL_TYPE (SpvSessionView, spv_session_view, SPV, SESSION_VIEW, AdwBin)

typedef enum
{
  SPV_SESSION_VIEW_LOADING,
  SPV_SESSION_VIEW_ERROR,
  SPV_SESSION_VIEW_READY,
} SpvSessionViewState;

SpvSessionView     *spv_session_view_new               (void);
void                spv_session_view_load              (SpvSessionView *self,
                                                        GFile          *file);
void                spv_session_view_set_session       (SpvSessionView *self,
                                                        SpSession      *session);
SpSession          *spv_session_view_get_session       (SpvSessionView *self);
GFile              *spv_session_view_get_file          (SpvSessionView *self);
SpvSessionViewState spv_session_view_get_state         (SpvSessionView *self);
const char         *spv_session_view_get_title         (SpvSessionView *self);
const char         *spv_session_view_get_error_message (SpvSessionView *self);
const char         *spv_session_view_get_page          (SpvSessionView *self);
const char         *spv_session_view_get_page_description (SpvSessionView *self);
GListModel         *spv_session_view_get_rows          (SpvSessionView *self);
GtkSelectionModel  *spv_session_view_get_selection     (SpvSessionView *self);
SpvTimeline        *spv_session_view_get_timeline      (SpvSessionView *self);
void                spv_session_view_select_region     (SpvSessionView *self,
                                                        guint           region);
void                spv_session_view_set_filter_text   (SpvSessionView *self,
                                                        const char     *text);
void                spv_session_view_set_rank          (SpvSessionView *self,
                                                        guint           rank);
void                spv_session_view_sort_by           (SpvSessionView *self,
                                                        const char     *column,
                                                        GtkSortType     order);
GPtrArray          *spv_session_view_get_series        (SpvSessionView *self);

G_END_DECLS
