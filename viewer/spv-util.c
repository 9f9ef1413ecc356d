/* spv-util.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "spv-util.h"

/* A count with its digits in groups of three, "4,800,000": the locale's
 * separator, or a comma where the locale has none (the C locale). */
char *
spv_format_count (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  const char *sep = localeconv ()->thousands_sep;
  gsize len = strlen (digits);
  GString *out = g_string_sized_new (len + len / 3 * 3);

  if (sep == NULL || *sep == '\0')
    sep = ",";

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, sep);
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

/* Ruler labels: the unit follows the tick step, so neighbouring labels
 * differ in their last printed digit rather than being rounded together. */
char *
spv_format_tick (gint64 t,
                 gint64 step)
{
  static const struct { double scale; const char *unit; } units[] = {
    { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "µs" }, { 1, "ns" },
  };
  guint u = 0;
  double rel;
  int decimals;

  /* the largest unit in which the step is at least 0.1 */
  while (u + 1 < G_N_ELEMENTS (units) && (double) step < 0.1 * units[u].scale)
    u++;

  if (t == 0)
    return g_strdup ("0");

  rel = (double) step / units[u].scale;
  decimals = rel >= 1 ? 0 : (int) ceil (-log10 (rel) - 1e-9);

  return g_strdup_printf ("%.*f %s", decimals, (double) t / units[u].scale, units[u].unit);
}

/* The smallest 1, 2, 5 × 10^k nanoseconds that is at least @min_px wide. */
gint64
spv_nice_step (double ns_per_px,
               double min_px)
{
  static const int mults[] = { 1, 2, 5 };
  double want = ns_per_px * min_px;
  gint64 base = 1;

  if (!(want > 1))
    return 1;

  for (;;)
    {
      for (guint i = 0; i < G_N_ELEMENTS (mults); i++)
        if ((double) (base * mults[i]) >= want)
          return base * mults[i];
      if (base > G_MAXINT64 / 100)
        return base;
      base *= 10;
    }
}

/* The GNOME palette, in two shades. A region keeps its colour in every
 * view and in every session because it is derived from its name only. */
static const char * const palette[] = {
  /* eight distinct hues first */
  "#3584e4", "#33d17a", "#f6d32d", "#ff7800", "#e01b24", "#9141ac", "#986a44", "#2190a4",
  /* then their lighter shades */
  "#99c1f1", "#8ff0a4", "#f9f06b", "#ffbe6f", "#f66151", "#dc8add", "#cdab8f", "#93ddc2",
};

#define N_HUES 8

static guint
name_hash (const char *name)
{
  guint h = 5381;

  /* djb2 rather than g_str_hash so the mapping is stable across GLib versions. */
  for (const char *p = name ? name : ""; *p; p++)
    h = h * 33 + (guchar) *p;

  return h;
}

void
spv_region_color (const char *name,
                  GdkRGBA    *color)
{
  gdk_rgba_parse (color, palette[name_hash (name) % G_N_ELEMENTS (palette)]);
}

/* The colour of each region of @session, shared by the table, the charts
 * and the timeline. Each region takes the palette entry of its name's hash,
 * or the next free one, so that up to 16 regions never share a colour;
 * the result depends on the set of names only. */
const GdkRGBA *
spv_session_region_colors (SpSession *session)
{
  GdkRGBA *colors = g_object_get_data (G_OBJECT (session), "spv-region-colors");
  guint n = sp_session_get_n_regions (session);
  gboolean used[G_N_ELEMENTS (palette)] = { FALSE, };
  guint n_used = 0;
  guint shade = 0;

  if (colors != NULL)
    return colors;

  colors = g_new0 (GdkRGBA, MAX (n, 1));
  for (guint r = 0; r < n; r++)
    {
      guint hue = name_hash (sp_session_get_region_name (session, r)) % N_HUES;

      /* all hues of this shade taken: next shade, then start over */
      if (n_used == N_HUES)
        {
          memset (used, 0, sizeof used);
          n_used = 0;
          shade = (shade + 1) % (G_N_ELEMENTS (palette) / N_HUES);
        }
      while (used[hue])
        hue = (hue + 1) % N_HUES;
      used[hue] = TRUE;
      n_used++;
      gdk_rgba_parse (&colors[r], palette[shade * N_HUES + hue]);
    }

  g_object_set_data_full (G_OBJECT (session), "spv-region-colors", colors, g_free);
  return colors;
}
