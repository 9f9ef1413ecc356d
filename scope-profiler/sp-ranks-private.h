/* sp-ranks-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sp-config.h"

G_BEGIN_DECLS

typedef struct _SpRanks
{
  int       rank;
  int       size;
  gboolean  mpi;      /* MPI is initialised and ranks synchronise through it */
  char     *job_id;   /* the launcher's job, when it says; NULL otherwise */
} SpRanks;

void     sp_ranks_detect      (SpConfig      *config,
                               SpRanks       *ranks);
void     sp_ranks_clear       (SpRanks       *ranks);
gboolean sp_ranks_barrier     (const SpRanks *ranks);
gboolean sp_ranks_have_mpi    (void);

gboolean sp_merge_rank_parts  (const char    *output,
                               const SpRanks *ranks,
                               guint          timeout_seconds,
                               GError       **error);
char    *sp_rank_part_path    (const char    *output,
                               int            rank);

G_END_DECLS
