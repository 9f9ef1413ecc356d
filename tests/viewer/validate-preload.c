/* validate-preload.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Preloaded into gtk4-builder-tool so that `validate` knows the template
 * parents (libadwaita) and the viewer's own widgets: the tool looks types
 * up by name, which only works once they are registered. */

#include "spv-config.h"

#include <adwaita.h>

#include "spv-calls-chart.h"
#include "spv-histogram.h"
#include "spv-session-view.h"
#include "spv-timeline.h"
#include "spv-window.h"

void spv_validate_preload_init (void) __attribute__((constructor));

void
spv_validate_preload_init (void)
{
  g_type_ensure (ADW_TYPE_BIN);
  g_type_ensure (ADW_TYPE_APPLICATION_WINDOW);
  g_type_ensure (ADW_TYPE_HEADER_BAR);
  g_type_ensure (ADW_TYPE_WINDOW_TITLE);
  g_type_ensure (ADW_TYPE_TAB_BAR);
  g_type_ensure (ADW_TYPE_TAB_VIEW);
  g_type_ensure (ADW_TYPE_TOAST_OVERLAY);
  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  g_type_ensure (SPV_TYPE_TIMELINE);
  g_type_ensure (SPV_TYPE_CALLS_CHART);
  g_type_ensure (SPV_TYPE_HISTOGRAM);
}
