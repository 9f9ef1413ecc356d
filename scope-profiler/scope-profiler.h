/* scope-profiler.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SCOPE_PROFILER_INSIDE
# include "sp-version.h"
# include "sp-version-macros.h"
# include "sp-enums.h"
# include "sp-error.h"
# include "sp-config.h"
# include "sp-region.h"
# include "sp-profile-manager.h"
# include "sp-scope.h"
# include "sp-region-stats.h"
# include "sp-session.h"
# include "sp-analysis.h"
# include "sp-export.h"
# include "sp-format.h"
# include "sp-merge.h"
#undef SCOPE_PROFILER_INSIDE

G_END_DECLS
