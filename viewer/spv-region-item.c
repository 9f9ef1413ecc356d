/* spv-region-item.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include "spv-region-item.h"
#include "spv-util.h"

/* One row of the regions table: a region's statistics over all ranks or
 * one, exposed as properties so the table sorts and filters them with
 * GtkPropertyExpression. */
struct _SpvRegionItem
{
  GObject  parent_instance;
  char    *name;
  guint    region;
  guint64  calls;
  gint64   total;
  gint64   self_time;
  double   mean;
  gint64   min;
  gint64   max;
  double   stddev;
  double   median;
  double   p90;
  double   p99;
  double   percent;
  double   imbalance;
  GdkRGBA  color;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_REGION,
  PROP_CALLS,
  PROP_TOTAL,
  PROP_SELF,
  PROP_MEAN,
  PROP_MIN,
  PROP_MAX,
  PROP_STDDEV,
  PROP_MEDIAN,
  PROP_P90,
  PROP_P99,
  PROP_PERCENT,
  PROP_IMBALANCE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpvRegionItem, spv_region_item, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
spv_region_item_finalize (GObject *object)
{
  SpvRegionItem *self = SPV_REGION_ITEM (object);

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (spv_region_item_parent_class)->finalize (object);
}

static void
spv_region_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SpvRegionItem *self = SPV_REGION_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_REGION: g_value_set_uint (value, self->region); break;
    case PROP_CALLS: g_value_set_uint64 (value, self->calls); break;
    case PROP_TOTAL: g_value_set_int64 (value, self->total); break;
    case PROP_SELF: g_value_set_int64 (value, self->self_time); break;
    case PROP_MEAN: g_value_set_double (value, self->mean); break;
    case PROP_MIN: g_value_set_int64 (value, self->min); break;
    case PROP_MAX: g_value_set_int64 (value, self->max); break;
    case PROP_STDDEV: g_value_set_double (value, self->stddev); break;
    case PROP_MEDIAN: g_value_set_double (value, self->median); break;
    case PROP_P90: g_value_set_double (value, self->p90); break;
    case PROP_P99: g_value_set_double (value, self->p99); break;
    case PROP_PERCENT: g_value_set_double (value, self->percent); break;
    case PROP_IMBALANCE: g_value_set_double (value, self->imbalance); break;
    case PROP_0:
    case N_PROPS:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spv_region_item_class_init (SpvRegionItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = spv_region_item_finalize;
  object_class->get_property = spv_region_item_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_REGION] = g_param_spec_uint ("region", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_CALLS] = g_param_spec_uint64 ("calls", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_SELF] = g_param_spec_int64 ("self", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_MEAN] = g_param_spec_double ("mean", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_MIN] = g_param_spec_int64 ("min", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_MAX] = g_param_spec_int64 ("max", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_STDDEV] = g_param_spec_double ("stddev", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_MEDIAN] = g_param_spec_double ("median", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_P90] = g_param_spec_double ("p90", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_P99] = g_param_spec_double ("p99", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_PERCENT] = g_param_spec_double ("percent", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  /* max / mean over ranks of the region's total: 1.0 is an even load. */
  properties[PROP_IMBALANCE] = g_param_spec_double ("imbalance", NULL, NULL, 0, G_MAXDOUBLE, 1, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spv_region_item_init (SpvRegionItem *self)
{
}

/* The run waits for its slowest rank: max / mean of the region's total
 * over the session's ranks (ranks without calls count as 0). */
static double
region_imbalance (SpSession *session,
                  guint      region)
{
  const guint *ranks;
  guint n_ranks = 0;
  gint64 max = 0;
  double sum = 0;

  ranks = sp_session_get_ranks (session, &n_ranks);
  if (n_ranks < 2)
    return 1.0;

  for (guint i = 0; i < n_ranks; i++)
    {
      g_autoptr(SpRegionStats) stats = sp_session_get_region_stats_for_rank (session, region, ranks[i]);
      gint64 total = stats ? sp_region_stats_get_total (stats) : 0;

      sum += total;
      max = MAX (max, total);
    }

  return sum > 0 ? max / (sum / n_ranks) : 1.0;
}

/* The rows of the regions table for @rank (or SPV_ALL_RANKS): one per
 * region that has calls there, in region order. */
GListStore *
spv_region_item_list_new (SpSession *session,
                          guint      rank)
{
  GListStore *store = g_list_store_new (SPV_TYPE_REGION_ITEM);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 span = sp_session_get_end_time (session) - sp_session_get_start_time (session);
  guint n = sp_session_get_n_regions (session);

  for (guint r = 0; r < n; r++)
    {
      g_autoptr(SpRegionStats) stats = NULL;
      SpvRegionItem *item;

      if (rank == SPV_ALL_RANKS)
        stats = sp_session_get_region_stats (session, r);
      else
        stats = sp_session_get_region_stats_for_rank (session, r, rank);

      if (stats == NULL || sp_region_stats_get_count (stats) == 0)
        continue;

      item = g_object_new (SPV_TYPE_REGION_ITEM, NULL);
      item->name = g_strdup (sp_session_get_region_name (session, r));
      item->region = r;
      item->calls = sp_region_stats_get_count (stats);
      item->total = sp_region_stats_get_total (stats);
      item->self_time = sp_region_stats_get_self_time (stats);
      item->mean = sp_region_stats_get_mean (stats);
      item->min = sp_region_stats_get_min (stats);
      item->max = sp_region_stats_get_max (stats);
      item->stddev = sp_region_stats_get_stddev (stats);
      item->median = sp_region_stats_get_median (stats);
      item->p90 = sp_region_stats_get_p90 (stats);
      item->p99 = sp_region_stats_get_p99 (stats);
      item->color = spv_session_region_colors (session)[r];
      item->percent = span > 0 ? 100.0 * (double) item->total / (double) span : 0.0;
      item->imbalance = region_imbalance (session, r);
      g_ptr_array_add (items, item);
    }

  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  return store;
}

guint
spv_region_item_get_region (SpvRegionItem *self)
{
  g_return_val_if_fail (SPV_IS_REGION_ITEM (self), 0);
  return self->region;
}

const char *
spv_region_item_get_name (SpvRegionItem *self)
{
  g_return_val_if_fail (SPV_IS_REGION_ITEM (self), NULL);
  return self->name;
}

guint64
spv_region_item_get_calls (SpvRegionItem *self)
{
  g_return_val_if_fail (SPV_IS_REGION_ITEM (self), 0);
  return self->calls;
}

gint64
spv_region_item_get_total (SpvRegionItem *self)
{
  g_return_val_if_fail (SPV_IS_REGION_ITEM (self), 0);
  return self->total;
}

double
spv_region_item_get_mean (SpvRegionItem *self)
{
  g_return_val_if_fail (SPV_IS_REGION_ITEM (self), 0);
  return self->mean;
}

double
spv_region_item_get_percent (SpvRegionItem *self)
{
  g_return_val_if_fail (SPV_IS_REGION_ITEM (self), 0);
  return self->percent;
}

const GdkRGBA *
spv_region_item_get_color (SpvRegionItem *self)
{
  g_return_val_if_fail (SPV_IS_REGION_ITEM (self), NULL);
  return &self->color;
}

double
spv_region_item_get_imbalance (SpvRegionItem *self)
{
  g_return_val_if_fail (SPV_IS_REGION_ITEM (self), 0);
  return self->imbalance;
}
