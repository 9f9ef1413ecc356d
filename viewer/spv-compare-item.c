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

/* One row of the comparison of two sessions, matched by region name. The
 * sessions may have different numbers of ranks, so a row holds per-rank
 * figures (SpRankFigure: the mean over ranks of the region's total, its
 * slowest rank's total, the mean call) rather than sums over ranks, and
 * their change from A to B in percent, all from SpAnalysis. A region
 * missing from one session has 0 calls there and a change of NAN (shown
 * as "-", sorted last). */

/* the figures a row shows, in the order of the columns */
static const SpRankFigure figures[] = {
  SP_RANK_FIGURE_MEAN_TOTAL,
  SP_RANK_FIGURE_MAX_TOTAL,
  SP_RANK_FIGURE_MEAN_PER_CALL,
};

#define N_FIGURES G_N_ELEMENTS (figures)

struct _SpvCompareItem
{
  GObject  parent_instance;
  char    *name;
  guint64  calls_a;
  guint64  calls_b;
  double   a[N_FIGURES];
  double   b[N_FIGURES];
  double   change[N_FIGURES];
  GdkRGBA  color;
  gboolean has_color;
};

/* properties of one figure: "<name>-a", "<name>-b", "<name>-change" */
static const char * const figure_names[N_FIGURES] = { "mean-total", "max-total", "mean" };

enum {
  PROP_0,
  PROP_NAME,
  PROP_CALLS_A,
  PROP_CALLS_B,
  PROP_FIRST_FIGURE,
  N_PROPS = PROP_FIRST_FIGURE + 3 * N_FIGURES
};

G_DEFINE_FINAL_TYPE (SpvCompareItem, spv_compare_item, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static guint
figure_index (SpRankFigure figure)
{
  for (guint i = 0; i < N_FIGURES; i++)
    if (figures[i] == figure)
      return i;
  g_return_val_if_reached (0);
}

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

  if (prop_id >= PROP_FIRST_FIGURE && prop_id < N_PROPS)
    {
      guint f = (prop_id - PROP_FIRST_FIGURE) / 3;

      switch ((prop_id - PROP_FIRST_FIGURE) % 3)
        {
        case 0: g_value_set_double (value, self->a[f]); break;
        case 1: g_value_set_double (value, self->b[f]); break;
        default: g_value_set_double (value, self->change[f]); break;
        }
      return;
    }

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_CALLS_A: g_value_set_uint64 (value, self->calls_a); break;
    case PROP_CALLS_B: g_value_set_uint64 (value, self->calls_b); break;
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
  for (guint f = 0; f < N_FIGURES; f++)
    {
      static const char * const suffixes[3] = { "a", "b", "change" };

      for (guint k = 0; k < 3; k++)
        {
          /* interned: the names live as long as the class */
          g_autofree char *name = g_strdup_printf ("%s-%s", figure_names[f], suffixes[k]);

          /* NAN is outside every range; GParamSpecDouble does not check on get. */
          properties[PROP_FIRST_FIGURE + 3 * f + k] =
            g_param_spec_double (g_intern_string (name), NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                 G_PARAM_READABLE | G_PARAM_STATIC_NICK | G_PARAM_STATIC_BLURB);
        }
    }

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spv_compare_item_init (SpvCompareItem *self)
{
  for (guint f = 0; f < N_FIGURES; f++)
    self->change[f] = NAN;
}

static void
fill (SpvCompareItem *item,
      SpAnalysis     *analysis,
      gboolean        second)
{
  SpSession *session = analysis != NULL ? sp_analysis_get_session (analysis) : NULL;
  g_autoptr(SpRegionStats) stats = NULL;
  double *figure = second ? item->b : item->a;
  guint region;

  for (guint f = 0; f < N_FIGURES; f++)
    figure[f] = NAN;

  if (session == NULL || !sp_session_lookup_region (session, item->name, &region))
    return;

  stats = sp_session_get_region_stats (session, region);

  /* the colour the region has in the session's own tab, A's first */
  if (!item->has_color)
    {
      item->color = spv_session_region_colors (session)[region];
      item->has_color = TRUE;
    }

  *(second ? &item->calls_b : &item->calls_a) = sp_region_stats_get_count (stats);
  for (guint f = 0; f < N_FIGURES; f++)
    figure[f] = sp_analysis_get_region_figure (analysis, region, figures[f]);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The union of the regions of the sessions of @a and @b, by name, sorted
 * by name. The changes are from A to B: above 0 means B took longer. */
GListStore *
spv_compare_item_list_new (SpAnalysis *a,
                           SpAnalysis *b)
{
  GListStore *store = g_list_store_new (SPV_TYPE_COMPARE_ITEM);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  SpAnalysis *analyses[2] = { a, b };

  for (guint s = 0; s < 2; s++)
    {
      SpSession *session = analyses[s] != NULL ? sp_analysis_get_session (analyses[s]) : NULL;

      for (guint r = 0; session != NULL && r < sp_session_get_n_regions (session); r++)
        {
          const char *name = sp_session_get_region_name (session, r);

          if (g_hash_table_add (names, (gpointer) name))
            g_ptr_array_add (sorted, (gpointer) name);
        }
    }

  g_ptr_array_sort (sorted, compare_names);

  for (guint i = 0; i < sorted->len; i++)
    {
      SpvCompareItem *item = g_object_new (SPV_TYPE_COMPARE_ITEM, NULL);

      item->name = g_strdup (g_ptr_array_index (sorted, i));
      fill (item, a, FALSE);
      fill (item, b, TRUE);
      for (guint f = 0; f < N_FIGURES && a != NULL && b != NULL; f++)
        item->change[f] = sp_analysis_compare_region (a, b, item->name, figures[f]);
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

guint64
spv_compare_item_get_calls_a (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), 0);
  return self->calls_a;
}

guint64
spv_compare_item_get_calls_b (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), 0);
  return self->calls_b;
}

/* One of the figures shown (mean or max total over ranks, mean per call)
 * in session A; NAN when A lacks the region. */
double
spv_compare_item_get_figure_a (SpvCompareItem *self,
                               SpRankFigure    figure)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), NAN);
  return self->a[figure_index (figure)];
}

double
spv_compare_item_get_figure_b (SpvCompareItem *self,
                               SpRankFigure    figure)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), NAN);
  return self->b[figure_index (figure)];
}

/* sp_analysis_compare_region(): the change of @figure from A to B, in
 * percent */
double
spv_compare_item_get_change (SpvCompareItem *self,
                             SpRankFigure    figure)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), NAN);
  return self->change[figure_index (figure)];
}

const GdkRGBA *
spv_compare_item_get_color (SpvCompareItem *self)
{
  g_return_val_if_fail (SPV_IS_COMPARE_ITEM (self), NULL);
  return &self->color;
}
