/* sp-analysis.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "scope-profiler.h"
#include "sp-running-stats-private.h"

/**
 * SpAnalysis:
 *
 * The figures derived from a whole #SpSession, computed once: rank spans
 * and the run's wall time, each region's share of the session, its load
 * imbalance across ranks, and comparisons of two runs. Every front-end
 * (the `scope-profiler` command, the viewer, the exports, the Python
 * package) takes these numbers from here; duration statistics of one
 * region come from #SpRegionStats.
 *
 * Definitions, all times in nanoseconds:
 *
 * - A *lane* is one thread of one rank (see sp_session_get_n_lanes()). Its
 *   *span* is the time from its first call's start to its last call's end.
 * - A *rank span* is the time from the first start to the last end over
 *   all calls of that rank, on any thread.
 * - The *wall time* of the run is its longest rank span: a parallel run
 *   takes as long as its slowest rank.
 * - The *lane time* is the sum of the spans of all lanes: the thread-time
 *   the session observed.
 * - A region's *covered time* is, summed over lanes, the time during which
 *   at least one call of the region was open on that lane. Recursive calls
 *   are counted once; calls on different threads or ranks count on their
 *   own lane.
 * - A region's *share* of the session is its covered time divided by the
 *   lane time. Since a region covers no more of a lane than the lane's
 *   span, the share lies between 0 and 1 (100 %). A region open for the
 *   whole run on every thread of every rank has a share of 1; a region
 *   open on the main thread only of a rank that runs two threads for the
 *   same time has 0.5.
 * - A region's *rank total* is the sum of its call durations on one rank
 *   (all threads). Its *imbalance* is the maximum over ranks divided by the
 *   mean over ranks, where ranks that never entered the region count as 0:
 *   1.0 is an even load, 2.0 means the slowest rank spends twice the mean.
 *
 * The ranks are those of sp_session_get_ranks(). An #SpAnalysis is
 * immutable and reference counted; it keeps its session alive.
 *
 * Since: 0.2
 */
struct _SpAnalysis
{
  gatomicrefcount ref_count;
  SpSession *session;

  guint n_ranks;           /* sp_session_get_ranks() */
  const guint *ranks;      /* owned by the session */
  guint run_ranks;         /* with mpi_size */
  guint n_lanes;
  guint n_regions;

  gint64 *rank_spans;      /* n_ranks */
  gint64 *lane_spans;      /* n_lanes */
  gint64 wall_time;
  guint slowest_rank;
  gint64 rank_spans_sum;
  gint64 lane_time;

  gint64 *covered;         /* n_regions */
  gint64 *rank_totals;     /* n_regions × n_ranks */
  guint64 *rank_calls;     /* n_regions × n_ranks */
  double *mean_per_call;   /* n_regions */
  gint64 *self_times;      /* n_regions */
};

G_DEFINE_BOXED_TYPE (SpAnalysis, sp_analysis, sp_analysis_ref, sp_analysis_unref)

static gboolean
find_rank (const SpAnalysis *self,
           guint             rank,
           guint            *index)
{
  guint lo = 0;
  guint hi = self->n_ranks;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (self->ranks[mid] == rank)
        {
          *index = mid;
          return TRUE;
        }
      if (self->ranks[mid] < rank)
        lo = mid + 1;
      else
        hi = mid;
    }

  return FALSE;
}

/**
 * sp_analysis_new:
 * @session: a loaded #SpSession
 *
 * Computes the figures of @session in one pass over its lanes.
 *
 * Returns: (transfer full): a new #SpAnalysis
 *
 * Since: 0.2
 */
SpAnalysis *
sp_analysis_new (SpSession *session)
{
  g_autofree gint64 *rank_begin = NULL;
  g_autofree gint64 *rank_end = NULL;
  g_autofree gint64 *covered_until = NULL;
  SpAnalysis *self;
  gint64 mpi_size = 0;

  g_return_val_if_fail (SP_IS_SESSION (session), NULL);

  self = g_new0 (SpAnalysis, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->session = g_object_ref (session);
  self->ranks = sp_session_get_ranks (session, &self->n_ranks);
  self->n_lanes = sp_session_get_n_lanes (session);
  self->n_regions = sp_session_get_n_regions (session);

  self->run_ranks = MAX (self->n_ranks, 1);
  /* A run that lost ranks still ran with mpi_size of them. */
  if (sp_session_get_metadata_int (session, "mpi_size", &mpi_size) &&
      mpi_size > (gint64) self->run_ranks && mpi_size <= G_MAXUINT)
    self->run_ranks = (guint) mpi_size;

  self->rank_spans = g_new0 (gint64, MAX (self->n_ranks, 1));
  self->lane_spans = g_new0 (gint64, MAX (self->n_lanes, 1));
  self->covered = g_new0 (gint64, MAX (self->n_regions, 1));
  self->rank_totals = g_new0 (gint64, MAX ((gsize) self->n_regions * self->n_ranks, 1));
  self->rank_calls = g_new0 (guint64, MAX ((gsize) self->n_regions * self->n_ranks, 1));
  self->mean_per_call = g_new0 (double, MAX (self->n_regions, 1));
  self->self_times = g_new0 (gint64, MAX (self->n_regions, 1));

  rank_begin = g_new (gint64, MAX (self->n_ranks, 1));
  rank_end = g_new (gint64, MAX (self->n_ranks, 1));
  for (guint i = 0; i < self->n_ranks; i++)
    {
      rank_begin[i] = G_MAXINT64;
      rank_end[i] = G_MININT64;
    }

  covered_until = g_new (gint64, MAX (self->n_regions, 1));

  for (guint lane = 0; lane < self->n_lanes; lane++)
    {
      const guint32 *regions;
      const gint64 *starts;
      const gint64 *ends;
      gint64 lane_end = G_MININT64;
      guint rank_index;
      gsize n;

      n = sp_session_peek_lane (session, lane, &regions, &starts, &ends, NULL, NULL);
      if (n == 0)
        continue;

      if (!find_rank (self, sp_session_get_lane_rank (session, lane), &rank_index))
        continue;

      for (guint r = 0; r < self->n_regions; r++)
        covered_until[r] = G_MININT64;

      /* Lanes are sorted by start, so the union of a region's intervals
       * grows at its right end only. */
      for (gsize i = 0; i < n; i++)
        {
          guint32 region = regions[i];
          gsize cell = (gsize) region * self->n_ranks + rank_index;

          lane_end = MAX (lane_end, ends[i]);

          if (region >= self->n_regions)
            continue;

          self->rank_totals[cell] = sp_saturating_add (self->rank_totals[cell], ends[i] - starts[i]);
          self->rank_calls[cell]++;

          if (starts[i] >= covered_until[region])
            {
              self->covered[region] = sp_saturating_add (self->covered[region], ends[i] - starts[i]);
              covered_until[region] = ends[i];
            }
          else if (ends[i] > covered_until[region])
            {
              self->covered[region] = sp_saturating_add (self->covered[region], ends[i] - covered_until[region]);
              covered_until[region] = ends[i];
            }
        }

      self->lane_spans[lane] = sp_saturating_sub (lane_end, starts[0]);
      self->lane_time = sp_saturating_add (self->lane_time, self->lane_spans[lane]);
      rank_begin[rank_index] = MIN (rank_begin[rank_index], starts[0]);
      rank_end[rank_index] = MAX (rank_end[rank_index], lane_end);
    }

  for (guint i = 0; i < self->n_ranks; i++)
    {
      if (rank_end[i] < rank_begin[i])
        continue;

      self->rank_spans[i] = sp_saturating_sub (rank_end[i], rank_begin[i]);
      self->rank_spans_sum = sp_saturating_add (self->rank_spans_sum, self->rank_spans[i]);
      if (self->rank_spans[i] > self->wall_time || i == 0)
        {
          self->wall_time = self->rank_spans[i];
          self->slowest_rank = self->ranks[i];
        }
    }

  /* The mean per call and the self time are the statistics' own. */
  for (guint r = 0; r < self->n_regions; r++)
    {
      g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (session, r);

      self->mean_per_call[r] = sp_region_stats_get_count (stats) > 0 ? sp_region_stats_get_mean (stats) : NAN;
      self->self_times[r] = sp_region_stats_get_self_time (stats);
    }

  return self;
}

/**
 * sp_analysis_ref:
 * @self: an #SpAnalysis
 *
 * Increases the reference count of @self.
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.2
 */
SpAnalysis *
sp_analysis_ref (SpAnalysis *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

/**
 * sp_analysis_unref:
 * @self: (transfer full): an #SpAnalysis
 *
 * Decreases the reference count of @self, freeing it at zero.
 *
 * Since: 0.2
 */
void
sp_analysis_unref (SpAnalysis *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_object (&self->session);
  g_free (self->rank_spans);
  g_free (self->lane_spans);
  g_free (self->covered);
  g_free (self->rank_totals);
  g_free (self->rank_calls);
  g_free (self->mean_per_call);
  g_free (self->self_times);
  g_free (self);
}

/**
 * sp_analysis_get_session:
 * @self: an #SpAnalysis
 *
 * Gets the session @self was computed from.
 *
 * Returns: (transfer none): the session
 *
 * Since: 0.2
 */
SpSession *
sp_analysis_get_session (const SpAnalysis *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->session;
}

/**
 * sp_analysis_get_n_ranks:
 * @self: an #SpAnalysis
 *
 * Gets the number of ranks the run ran with: the session's `mpi_size`
 * metadata when it is larger than the number of ranks in the session (a
 * run that lost ranks), else the number of ranks in the session, at least
 * 1. This is the rank count of scaling comparisons.
 *
 * Returns: the number of ranks
 *
 * Since: 0.2
 */
guint
sp_analysis_get_n_ranks (const SpAnalysis *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->run_ranks;
}

/**
 * sp_analysis_get_wall_time:
 * @self: an #SpAnalysis
 *
 * Gets the run's wall time: the longest rank span, that of the slowest
 * rank (see sp_analysis_get_slowest_rank()).
 *
 * Returns: the wall time in nanoseconds, 0 for an empty session
 *
 * Since: 0.2
 */
gint64
sp_analysis_get_wall_time (const SpAnalysis *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->wall_time;
}

/**
 * sp_analysis_get_slowest_rank:
 * @self: an #SpAnalysis
 *
 * Gets the rank with the longest span (the lowest such rank on a tie).
 *
 * Returns: the rank, 0 for an empty session
 *
 * Since: 0.2
 */
guint
sp_analysis_get_slowest_rank (const SpAnalysis *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->slowest_rank;
}

/**
 * sp_analysis_get_rank_span:
 * @self: an #SpAnalysis
 * @rank: a rank
 *
 * Gets the span of @rank: from the first start to the last end over its
 * calls on all its threads.
 *
 * Returns: the span in nanoseconds, 0 for a rank without calls
 *
 * Since: 0.2
 */
gint64
sp_analysis_get_rank_span (const SpAnalysis *self,
                           guint             rank)
{
  guint index;

  g_return_val_if_fail (self != NULL, 0);

  if (!find_rank (self, rank, &index))
    return 0;

  return self->rank_spans[index];
}

/**
 * sp_analysis_get_rank_spans_sum:
 * @self: an #SpAnalysis
 *
 * Gets the sum over ranks of each rank's span.
 *
 * Returns: the sum in nanoseconds
 *
 * Since: 0.2
 */
gint64
sp_analysis_get_rank_spans_sum (const SpAnalysis *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->rank_spans_sum;
}

/**
 * sp_analysis_get_lane_span:
 * @self: an #SpAnalysis
 * @lane: a lane of the session, below sp_session_get_n_lanes()
 *
 * Gets the span of @lane: from its first call's start to its last call's
 * end.
 *
 * Returns: the span in nanoseconds
 *
 * Since: 0.2
 */
gint64
sp_analysis_get_lane_span (const SpAnalysis *self,
                           guint             lane)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (lane < self->n_lanes, 0);

  return self->lane_spans[lane];
}

/**
 * sp_analysis_get_lane_time:
 * @self: an #SpAnalysis
 *
 * Gets the sum of the spans of all lanes (threads of all ranks): the
 * denominator of sp_analysis_get_region_share().
 *
 * Returns: the lane time in nanoseconds
 *
 * Since: 0.2
 */
gint64
sp_analysis_get_lane_time (const SpAnalysis *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->lane_time;
}

/**
 * sp_analysis_get_region_covered_time:
 * @self: an #SpAnalysis
 * @region: a region index of the session
 *
 * Gets the time, summed over lanes, during which at least one call of
 * @region was open on the lane. Nested (recursive) calls of the region
 * count once.
 *
 * Returns: the covered time in nanoseconds
 *
 * Since: 0.2
 */
gint64
sp_analysis_get_region_covered_time (const SpAnalysis *self,
                                     guint             region)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (region < self->n_regions, 0);

  return self->covered[region];
}

/**
 * sp_analysis_get_region_share:
 * @self: an #SpAnalysis
 * @region: a region index of the session
 *
 * Gets the region's share of the session: its covered time (see
 * sp_analysis_get_region_covered_time()) divided by the lane time (see
 * sp_analysis_get_lane_time()). It cannot exceed 1: recursion counts
 * once, and each thread of each rank is a lane of its own.
 *
 * Returns: the share, from 0 to 1; NaN when the session has no calls
 *
 * Since: 0.2
 */
double
sp_analysis_get_region_share (const SpAnalysis *self,
                              guint             region)
{
  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (region < self->n_regions, NAN);

  if (self->lane_time <= 0)
    return NAN;

  return (double) self->covered[region] / (double) self->lane_time;
}

/**
 * sp_analysis_get_region_rank_total:
 * @self: an #SpAnalysis
 * @region: a region index of the session
 * @rank: a rank
 *
 * Gets the sum of the durations of the calls of @region on @rank, on all
 * its threads.
 *
 * Returns: the total in nanoseconds, 0 if @rank never entered @region
 *
 * Since: 0.2
 */
gint64
sp_analysis_get_region_rank_total (const SpAnalysis *self,
                                   guint             region,
                                   guint             rank)
{
  guint index;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (region < self->n_regions, 0);

  if (!find_rank (self, rank, &index))
    return 0;

  return self->rank_totals[(gsize) region * self->n_ranks + index];
}

static void
region_spread (const SpAnalysis *self,
               guint             region,
               gint64           *min,
               double           *mean,
               gint64           *max,
               guint            *slowest,
               double           *mean_calls)
{
  const gint64 *totals = self->rank_totals + (gsize) region * self->n_ranks;
  const guint64 *calls = self->rank_calls + (gsize) region * self->n_ranks;
  double sum = 0;
  guint64 n_calls = 0;

  *min = 0;
  *max = 0;
  *mean = 0;
  *slowest = self->n_ranks > 0 ? self->ranks[0] : 0;
  *mean_calls = 0;

  if (self->n_ranks == 0)
    return;

  *min = totals[0];
  for (guint i = 0; i < self->n_ranks; i++)
    {
      sum += (double) totals[i];
      n_calls += calls[i];
      *min = MIN (*min, totals[i]);
      if (totals[i] > *max)
        {
          *max = totals[i];
          *slowest = self->ranks[i];
        }
    }

  *mean = sum / (double) self->n_ranks;
  *mean_calls = (double) n_calls / (double) self->n_ranks;
}

/**
 * sp_analysis_get_region_figure:
 * @self: an #SpAnalysis
 * @region: a region index of the session
 * @figure: the figure to get
 *
 * Gets a per-rank figure of @region; see #SpRankFigure. Ranks that never
 * entered the region count with a total of 0.
 *
 * Returns: the figure (nanoseconds or calls); NaN for
 *   %SP_RANK_FIGURE_MEAN_PER_CALL of a region without calls
 *
 * Since: 0.2
 */
double
sp_analysis_get_region_figure (const SpAnalysis *self,
                               guint             region,
                               SpRankFigure      figure)
{
  gint64 min, max;
  double mean, mean_calls;
  guint slowest;

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (region < self->n_regions, NAN);

  region_spread (self, region, &min, &mean, &max, &slowest, &mean_calls);

  switch (figure)
    {
    case SP_RANK_FIGURE_MEAN_TOTAL:
      return mean;
    case SP_RANK_FIGURE_MAX_TOTAL:
      return (double) max;
    case SP_RANK_FIGURE_MIN_TOTAL:
      return (double) min;
    case SP_RANK_FIGURE_MEAN_PER_CALL:
      return self->mean_per_call[region];
    case SP_RANK_FIGURE_MEAN_CALLS:
      return mean_calls;
    case SP_RANK_FIGURE_MEAN_SELF:
      /* Ranks without the region add 0 to the sum. */
      return self->n_ranks > 0 ? (double) self->self_times[region] / (double) self->n_ranks : 0;
    default:
      g_return_val_if_reached (NAN);
    }
}

/**
 * sp_analysis_get_region_imbalance:
 * @self: an #SpAnalysis
 * @region: a region index of the session
 *
 * Gets the load imbalance of @region across ranks: its maximum rank total
 * divided by its mean rank total (ranks that never entered the region
 * count as 0). 1.0 is an even load.
 *
 * Returns: the imbalance; NaN when the region has no time on any rank
 *
 * Since: 0.2
 */
double
sp_analysis_get_region_imbalance (const SpAnalysis *self,
                                  guint             region)
{
  gint64 min, max;
  double mean, mean_calls;
  guint slowest;

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (region < self->n_regions, NAN);

  region_spread (self, region, &min, &mean, &max, &slowest, &mean_calls);

  return mean > 0 ? (double) max / mean : NAN;
}

/**
 * sp_analysis_get_region_slowest_rank:
 * @self: an #SpAnalysis
 * @region: a region index of the session
 *
 * Gets the rank on which @region has the largest total (the lowest such
 * rank on a tie).
 *
 * Returns: the rank
 *
 * Since: 0.2
 */
guint
sp_analysis_get_region_slowest_rank (const SpAnalysis *self,
                                     guint             region)
{
  gint64 min, max;
  double mean, mean_calls;
  guint slowest;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (region < self->n_regions, 0);

  region_spread (self, region, &min, &mean, &max, &slowest, &mean_calls);

  return slowest;
}

static double
percent_change (double a,
                double b)
{
  if (isnan (a) || isnan (b))
    return NAN;
  if (a == 0.0)
    return b == 0.0 ? 0.0 : INFINITY;
  return 100.0 * (b - a) / a;
}

/**
 * sp_analysis_compare_region:
 * @a: the analysis of the first (reference) run
 * @b: the analysis of the second run
 * @region: a region name
 * @figure: the per-rank figure to compare
 *
 * Compares a per-rank figure of the region named @region between two runs,
 * which may have different numbers of ranks: per-rank figures, unlike sums
 * over ranks, do not grow with the rank count.
 *
 * Returns: the change from @a to @b in percent (positive: @b is larger);
 *   +infinity if the figure is 0 in @a only; NaN if either run lacks the
 *   region or has no calls of it
 *
 * Since: 0.2
 */
double
sp_analysis_compare_region (const SpAnalysis *a,
                            const SpAnalysis *b,
                            const char       *region,
                            SpRankFigure      figure)
{
  guint ra, rb;

  g_return_val_if_fail (a != NULL, NAN);
  g_return_val_if_fail (b != NULL, NAN);
  g_return_val_if_fail (region != NULL, NAN);

  if (!sp_session_lookup_region (a->session, region, &ra) ||
      !sp_session_lookup_region (b->session, region, &rb) ||
      isnan (a->mean_per_call[ra]) || isnan (b->mean_per_call[rb]))
    return NAN;

  return percent_change (sp_analysis_get_region_figure (a, ra, figure),
                         sp_analysis_get_region_figure (b, rb, figure));
}

/**
 * sp_analysis_compare_wall_time:
 * @a: the analysis of the first (reference) run
 * @b: the analysis of the second run
 *
 * Compares the wall times (see sp_analysis_get_wall_time()) of two runs.
 *
 * Returns: the change from @a to @b in percent (negative: @b was faster)
 *
 * Since: 0.2
 */
double
sp_analysis_compare_wall_time (const SpAnalysis *a,
                               const SpAnalysis *b)
{
  g_return_val_if_fail (a != NULL, NAN);
  g_return_val_if_fail (b != NULL, NAN);

  return percent_change ((double) a->wall_time, (double) b->wall_time);
}

/**
 * sp_analysis_get_region_speedup:
 * @base: the analysis of the reference run (usually the fewest ranks)
 * @run: the analysis of another run
 * @region: a region name
 * @efficiency: (out) (optional): the parallel efficiency: the speedup
 *   divided by the ideal speedup, the ratio of the runs' rank counts
 *   (sp_analysis_get_n_ranks())
 *
 * Gets the strong-scaling speedup of a region: its time on the slowest
 * rank of @base divided by its time on the slowest rank of @run
 * (%SP_RANK_FIGURE_MAX_TOTAL), what the region costs each run.
 *
 * Returns: the speedup; NaN if either run lacks the region or spends no
 *   time in it
 *
 * Since: 0.2
 */
double
sp_analysis_get_region_speedup (const SpAnalysis *base,
                                const SpAnalysis *run,
                                const char       *region,
                                double           *efficiency)
{
  guint rb, rr;
  double tb, tr, speedup = NAN;

  if (efficiency != NULL)
    *efficiency = NAN;

  g_return_val_if_fail (base != NULL, NAN);
  g_return_val_if_fail (run != NULL, NAN);
  g_return_val_if_fail (region != NULL, NAN);

  if (!sp_session_lookup_region (base->session, region, &rb) ||
      !sp_session_lookup_region (run->session, region, &rr))
    return NAN;

  tb = sp_analysis_get_region_figure (base, rb, SP_RANK_FIGURE_MAX_TOTAL);
  tr = sp_analysis_get_region_figure (run, rr, SP_RANK_FIGURE_MAX_TOTAL);
  if (tb <= 0 || tr <= 0)
    return NAN;

  speedup = tb / tr;
  if (efficiency != NULL)
    *efficiency = speedup * (double) base->run_ranks / (double) run->run_ranks;

  return speedup;
}
