/* spv-region-item.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <math.h>
#include <string.h>

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

  /* made on first use: most sessions are never sorted by name or filtered */
  char    *name_key;
  char    *name_folded;
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
  g_clear_pointer (&self->name_key, g_free);
  g_clear_pointer (&self->name_folded, g_free);

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
  /* sp_analysis_get_region_share() in percent; NAN without a session time */
  properties[PROP_PERCENT] = g_param_spec_double ("percent", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  /* sp_analysis_get_region_imbalance(): max / mean over ranks of the
   * region's total, 1.0 is an even load; NAN when it has no time */
  properties[PROP_IMBALANCE] = g_param_spec_double ("imbalance", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 1, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spv_region_item_init (SpvRegionItem *self)
{
}

/* The analysis whose shares the rows of @rank show: the whole session's,
 * or for one rank that of the session cut to that rank, as
 * `scope-profiler summary --ranks` computes them. */
static SpAnalysis *
rank_analysis (SpAnalysis *analysis,
               guint       rank)
{
  SpSession *session = sp_analysis_get_session (analysis);
  g_autoptr(SpSession) filtered = NULL;

  if (rank == SPV_ALL_RANKS)
    return sp_analysis_ref (analysis);

  filtered = sp_session_filter (session, NULL, NULL, &rank, 1, G_MININT64, G_MAXINT64);
  return filtered != NULL ? sp_analysis_new (filtered) : NULL;
}

/* The rows of the regions table for @rank (or SPV_ALL_RANKS): one per
 * region that has calls there, in region order. Every figure is the
 * library's: the statistics of the region (on @rank), its share of the
 * session (or of @rank) and its imbalance across the session's ranks. */
GListStore *
spv_region_item_list_new (SpAnalysis *analysis,
                          guint       rank)
{
  GListStore *store = g_list_store_new (SPV_TYPE_REGION_ITEM);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  SpSession *session = sp_analysis_get_session (analysis);
  g_autoptr(SpAnalysis) shares = rank_analysis (analysis, rank);
  SpSession *share_session = shares != NULL ? sp_analysis_get_session (shares) : NULL;
  guint n = sp_session_get_n_regions (session);

  for (guint r = 0; r < n; r++)
    {
      g_autoptr(SpRegionStats) stats = NULL;
      SpvRegionItem *item;
      guint share_region;

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
      /* the filtered session numbers its regions anew */
      if (share_session != NULL && sp_session_lookup_region (share_session, item->name, &share_region))
        item->percent = 100.0 * sp_analysis_get_region_share (shares, share_region);
      else
        item->percent = NAN;
      item->imbalance = sp_analysis_get_region_imbalance (analysis, r);
      g_ptr_array_add (items, item);
    }

  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  return store;
}

/* The table sorts on the fields themselves rather than through
 * GtkPropertyExpression: sorting 50,000 rows takes ~800,000 comparisons,
 * and boxing both sides of each in a GValue (or collating both names)
 * made a click on a column header stall for most of a second. */

typedef enum
{
  FIELD_NAME,
  FIELD_UINT64,
  FIELD_INT64,
  FIELD_DOUBLE,
} FieldType;

typedef struct
{
  const char *property;
  gsize       offset;
  FieldType   type;
} SortField;

static const SortField sort_fields[] = {
  { "name", 0, FIELD_NAME },
  { "calls", G_STRUCT_OFFSET (SpvRegionItem, calls), FIELD_UINT64 },
  { "total", G_STRUCT_OFFSET (SpvRegionItem, total), FIELD_INT64 },
  { "self", G_STRUCT_OFFSET (SpvRegionItem, self_time), FIELD_INT64 },
  { "mean", G_STRUCT_OFFSET (SpvRegionItem, mean), FIELD_DOUBLE },
  { "min", G_STRUCT_OFFSET (SpvRegionItem, min), FIELD_INT64 },
  { "max", G_STRUCT_OFFSET (SpvRegionItem, max), FIELD_INT64 },
  { "stddev", G_STRUCT_OFFSET (SpvRegionItem, stddev), FIELD_DOUBLE },
  { "median", G_STRUCT_OFFSET (SpvRegionItem, median), FIELD_DOUBLE },
  { "p90", G_STRUCT_OFFSET (SpvRegionItem, p90), FIELD_DOUBLE },
  { "p99", G_STRUCT_OFFSET (SpvRegionItem, p99), FIELD_DOUBLE },
  { "percent", G_STRUCT_OFFSET (SpvRegionItem, percent), FIELD_DOUBLE },
  { "imbalance", G_STRUCT_OFFSET (SpvRegionItem, imbalance), FIELD_DOUBLE },
};

/* The largest value of @property (a numeric one) over the rows of @items:
 * what sizes the table's columns. Read from the fields, as the sorter
 * does, so a table of 50,000 rows is measured without boxing a value. */
double
spv_region_item_list_get_max (GListModel *items,
                              const char *property)
{
  const SortField *field = NULL;
  guint n = g_list_model_get_n_items (items);
  double max = 0;

  for (guint i = 0; i < G_N_ELEMENTS (sort_fields); i++)
    if (g_str_equal (sort_fields[i].property, property))
      field = &sort_fields[i];
  g_return_val_if_fail (field != NULL && field->type != FIELD_NAME, 0);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpvRegionItem) item = g_list_model_get_item (items, i);
      gconstpointer p = G_STRUCT_MEMBER_P (item, field->offset);
      double v = field->type == FIELD_UINT64 ? (double) *(const guint64 *) p
               : field->type == FIELD_INT64 ? (double) *(const gint64 *) p
               : *(const double *) p;

      if (isfinite (v))
        max = MAX (max, v);
    }

  return max;
}

/* Case-insensitive, and "step 2" before "step 10". */
static const char *
name_key (SpvRegionItem *self)
{
  if (self->name_key == NULL)
    {
      g_autofree char *folded = g_utf8_casefold (self->name, -1);
      self->name_key = g_utf8_collate_key_for_filename (folded, -1);
    }
  return self->name_key;
}

#define CMP(x, y) ((x) < (y) ? GTK_ORDERING_SMALLER : (x) > (y) ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL)
#define FIELD(item, T) (*(const T *) G_STRUCT_MEMBER_P (item, field->offset))

static int
compare_field (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const SortField *field = user_data;
  /* no type check: this runs ~800,000 times for a sort of 50,000 rows */
  SpvRegionItem *x = (SpvRegionItem *) a;
  SpvRegionItem *y = (SpvRegionItem *) b;
  int order;

  switch (field->type)
    {
    case FIELD_NAME:
      order = strcmp (name_key (x), name_key (y));
      /* names that differ only in case keep a fixed order */
      return order != 0 ? CMP (order, 0) : CMP (strcmp (x->name, y->name), 0);
    case FIELD_UINT64:
      return CMP (FIELD (x, guint64), FIELD (y, guint64));
    case FIELD_INT64:
      return CMP (FIELD (x, gint64), FIELD (y, gint64));
    case FIELD_DOUBLE:
      {
        double dx = FIELD (x, double);
        double dy = FIELD (y, double);

        /* missing figures (NAN) before all others, a total order */
        if (isnan (dx) || isnan (dy))
          return CMP (!isnan (dx), !isnan (dy));
        return CMP (dx, dy);
      }
    default:
      g_assert_not_reached ();
    }
}

#undef FIELD
#undef CMP

/**
 * spv_region_item_sorter_new:
 * @property: the property of #SpvRegionItem to sort on
 *
 * Returns: (transfer full): a sorter on @property, in increasing order
 */
GtkSorter *
spv_region_item_sorter_new (const char *property)
{
  for (guint i = 0; i < G_N_ELEMENTS (sort_fields); i++)
    if (g_str_equal (sort_fields[i].property, property))
      return GTK_SORTER (gtk_custom_sorter_new (compare_field, (gpointer) &sort_fields[i], NULL));

  g_return_val_if_reached (NULL);
}

/* Normalised and case-folded, as GtkStringFilter does it. */
char *
spv_region_item_fold (const char *text)
{
  g_autofree char *normalized = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);

  return normalized != NULL ? g_utf8_casefold (normalized, -1) : g_strdup ("");
}

/* Whether the name holds @folded, a spv_region_item_fold()ed search. */
gboolean
spv_region_item_name_contains (SpvRegionItem *self,
                               const char    *folded)
{
  g_return_val_if_fail (SPV_IS_REGION_ITEM (self), FALSE);

  if (self->name_folded == NULL)
    self->name_folded = spv_region_item_fold (self->name);
  return strstr (self->name_folded, folded) != NULL;
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
