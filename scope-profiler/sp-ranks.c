/* sp-ranks.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <stdlib.h>

#ifdef HAVE_MPI
# include <mpi.h>
#endif

#include "sp-ranks-private.h"

/* Which launcher variables name the rank and the size, in the order we
 * trust them. */
static const struct {
  const char *rank;
  const char *size;
} launchers[] = {
  { "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE" },  /* Open MPI */
  { "PMI_RANK",             "PMI_SIZE" },              /* MPICH, Intel MPI */
  { "PMIX_RANK",            "PMIX_SIZE" },             /* PMIx */
  { "SLURM_PROCID",         "SLURM_NTASKS" },          /* srun */
};

static const char *job_variables[] = {
  "PMIX_NAMESPACE", "OMPI_MCA_ess_base_jobid", "SLURM_JOB_ID", "PMI_JOBID",
};

static gboolean
parse_int (const char *str,
           int        *value)
{
  char *end = NULL;
  gint64 v;

  if (str == NULL || *str == '\0')
    return FALSE;

  errno = 0;
  v = g_ascii_strtoll (str, &end, 10);
  if (errno != 0 || *end != '\0' || v < 0 || v > G_MAXINT32)
    return FALSE;

  *value = (int) v;
  return TRUE;
}

gboolean
sp_ranks_have_mpi (void)
{
#ifdef HAVE_MPI
  return TRUE;
#else
  return FALSE;
#endif
}

#ifdef HAVE_MPI
static gboolean
mpi_usable (void)
{
  int initialized = 0;
  int finalized = 0;

  MPI_Initialized (&initialized);
  MPI_Finalized (&finalized);

  return initialized && !finalized;
}
#endif

/* SCOPE_PROFILER_MPI=0 makes every process rank 0 of 1; =1 insists on the
 * launcher or MPI. Explicit config values win over both. */
void
sp_ranks_detect (SpConfig *config,
                 SpRanks  *ranks)
{
  const char *force = g_getenv ("SCOPE_PROFILER_MPI");
  gboolean disabled = g_strcmp0 (force, "0") == 0;
  int rank = -1;
  int size = -1;

  ranks->mpi = FALSE;
  g_clear_pointer (&ranks->job_id, g_free);

  if (!disabled)
    {
#ifdef HAVE_MPI
      if (mpi_usable ())
        {
          MPI_Comm_rank (MPI_COMM_WORLD, &rank);
          MPI_Comm_size (MPI_COMM_WORLD, &size);
          ranks->mpi = TRUE;
        }
#endif

      for (guint i = 0; rank < 0 && i < G_N_ELEMENTS (launchers); i++)
        {
          int r, s;

          if (parse_int (g_getenv (launchers[i].rank), &r))
            {
              rank = r;
              if (parse_int (g_getenv (launchers[i].size), &s) && s > r)
                size = s;
            }
        }

      for (guint i = 0; i < G_N_ELEMENTS (job_variables); i++)
        if (g_getenv (job_variables[i]) != NULL)
          {
            ranks->job_id = g_strdup (g_getenv (job_variables[i]));
            break;
          }
    }

  if (sp_config_get_rank (config) >= 0)
    rank = sp_config_get_rank (config);
  if (sp_config_get_size (config) >= 1)
    size = sp_config_get_size (config);

  if (rank < 0)
    rank = 0;
  if (size < 1)
    size = 1;
  if (rank >= size)
    {
      g_warning ("Rank %d is not below the number of ranks %d; recording as rank %d of %d",
                 rank, size, rank, rank + 1);
      size = rank + 1;
    }

  ranks->rank = rank;
  ranks->size = size;
}

void
sp_ranks_clear (SpRanks *ranks)
{
  g_clear_pointer (&ranks->job_id, g_free);
}

gboolean
sp_ranks_barrier (const SpRanks *ranks)
{
#ifdef HAVE_MPI
  if (ranks->mpi && mpi_usable ())
    return MPI_Barrier (MPI_COMM_WORLD) == MPI_SUCCESS;
#endif

  return FALSE;
}

char *
sp_rank_part_path (const char *output,
                   int         rank)
{
  return g_strdup_printf ("%s.rank%d.h5", output, rank);
}
