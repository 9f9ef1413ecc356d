/* spv-compare-item.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <math.h>

#include "spv-compare-item.h"
#include "spv-util.h"

/* One row of the comparison of two sessions, matched by region name. A
 * region missing from one session has 0 calls there and a ratio of NAN
 * (shown as "—", sorted last). */
struct _SpvCompareItem
{
  GObject  parent_instance;
  char    *name;
  guint64  calls_a;
  guint64  calls_b;
  gint64   total_a;
  gint64   total_b;
  double   mean_a;
  double   mean_b;
  double   total_ratio;
  double   mean_ratio;
  GdkRGBA  color;
  gboolean has_color;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_CALLS_A,
  PROP_CALLS_B,
  PROP_TOTAL_A,
  PROP_TOTAL_B,
  PROP_MEAN_A,
  PROP_MEAN_B,
  PROP_TOTAL_RATIO,
  PROP_MEAN_RATIO,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpvCompareItem, spv_compare_item, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
spv_compare_item_finalize (GObject *object)
{
  g_free (SPV_COMPARE_ITEM (object)->name);

  G_OBJECT_CLASS (spv_compare_item_parent_class)->finalize (object);
}

static void
spv_compare_item_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SpvCompareItem *self = SPV_COMPARE_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_CALLS_A: g_value_set_uint64 (value, self->calls_a); break;
    case PROP_CALLS_B: g_value_set_uint64 (value, self->calls_b); break;
    case PROP_TOTAL_A: g_value_set_int64 (value, self->total_a); break;
    case PROP_TOTAL_B: g_value_set_int64 (value, self->total_b); break;
    case PROP_MEAN_A: g_value_set_double (value, self->mean_a); break;
    case PROP_MEAN_B: g_value_set_double (value, self->mean_b); break;
    case PROP_TOTAL_RATIO: g_value_set_double (value, self->total_ratio); break;
    case PROP_MEAN_RATIO: g_value_set_double (value, self->mean_ratio); break;
    case PROP_0:
    case N_PROPS:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spv_compare_item_class_init (SpvCompareItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = spv_compare_item_finalize;
  object_class->get_property = spv_compare_item_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_CALLS_A] = g_param_spec_uint64 ("calls-a", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_CALLS_B] = g_param_spec_uint64 ("calls-b", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_TOTAL_A] = g_param_spec_int64 ("total-a", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_TOTAL_B] = g_param_spec_int64 ("total-b", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_MEAN_A] = g_param_spec_double ("mean-a", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_MEAN_B] = g_param_spec_double ("mean-b", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  /* NAN is outside every range; GParamSpecDouble does not check on get. */
  properties[PROP_TOTAL_RATIO] = g_param_spec_double ("total-ratio", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  properties[PROP_MEAN_RATIO] = g_param_spec_double ("mean-ratio", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spv_compare_item_init (SpvCompareItem *self)
{
}

static double
ratio (double a,
       double b)
{
  return a > 0 && b >= 0 ? b / a : NAN;
}

static void
fill (SpvCompareItem *item,
      SpSession      *session,
      const char     *name,
      gboolean        second)
{
  g_autoptr(SpRegionStats) stats = NULL;
  guint region;

  if (session == NULL || !sp_session_lookup_region (session, name, &region))
    return;

  stats = sp_session_get_region_stats (session, region);

  /* the colour the region has in the session's own tab, A's first */
  if (!item->has_color)
    {
      item->color = spv_session_region_colors (session)[region];
      item->has_color = TRUE;
    }

  if (second)
    {
      item->calls_b = sp_region_stats_get_count (stats);
      item->total_b = sp_region_stats_get_total (stats);
      item->mean_b = sp_region_stats_get_mean (stats);
    }
  else
    {
      item->calls_a = sp_region_stats_get_count (stats);
      item->total_a = sp_region_stats_get_total (stats);
      item->mean_a = sp_region_stats_get_mean (stats);
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The union of the regions of @a and @b, by name, sorted by name. The
 * ratios are B / A: above 1 means B is slower. */
GListStore *
spv_compare_item_list_new (SpSession *a,
                           SpSession *b)
{
  GListStore *store = g_list_store_new (SPV_TYPE_COMPARE_ITEM);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  SpSession *sessions[2] = { a, b };

  for (guint s = 0; s < 2; s++)
    for (guint r = 0; sessions[s] != NULL && r < sp_session_get_n_regions (sessions[s]); r++)
      {
        const char *name = sp_session_get_region_name (sessions[s], r);

        if (g_hash_table_add (names, (gpointer) name))
          g_ptr_array_add (sorted, (gpointer) name);
      }

  g_ptr_array_sort (sorted, compare_names);

  for (guint i = 0; i < sorted->len; i++)
    {
      const char *name = g_ptr_array_index (sorted, i);
      SpvCompareItem *item = g_object_new (SPV_TYPE_COMPARE_ITEM, NULL);

      item->name = g_strdup (name);
      fill (item, a, name, FALSE);
      fill (item, b, name, TRUE);
      item->total_ratio = item->calls_a > 0 && item->calls_b > 0 ? ratio ((double) item->total_a, (double) item->total_b) : NAN;
      item->mean_ratio = item->calls_a > 0 && item->calls_b > 0 ? ratio (item->mean_a, item->mean_b) : NAN;
      g_ptr_array_add (items, item);
    }

  g_list_store_splice (store, 0, 0, items->pdata, items->len);
  return store;
}

const char *
spv_compare_item_get_name (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), NULL);
  return self->name;
}

gint64
spv_compare_item_get_total_a (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), 0);
  return self->total_a;
}

gint64
spv_compare_item_get_total_b (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), 0);
  return self->total_b;
}

double
spv_compare_item_get_mean_a (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), 0);
  return self->mean_a;
}

double
spv_compare_item_get_mean_b (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), 0);
  return self->mean_b;
}

double
spv_compare_item_get_total_ratio (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), NAN);
  return self->total_ratio;
}

double
spv_compare_item_get_mean_ratio (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), NAN);
  return self->mean_ratio;
}

const GdkRGBA *
spv_compare_item_get_color (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), NULL);
  return &self->color;
}
