/* sp-format.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "sp-format.h"

/* The units, from the smallest; each is printed with a fixed number of
 * decimals so that a column of durations lines up on its unit. */
static const struct
{
  double      scale;
  int         decimals;
  const char *unit;
} units[] = {
  { 1,   0, "ns" },
  { 1e3, 2, "µs" },
  { 1e6, 2, "ms" },
  { 1e9, 3, "s" },
};

/**
 * sp_format_duration:
 * @ns: a duration, in nanoseconds
 *
 * Formats a duration for people to read, the way the `scope-profiler`
 * command and the viewer show every duration: in the largest unit of ns,
 * µs, ms and s in which it is at least 1, with a fixed number of decimals
 * per unit (`"850 ns"`, `"1.50 µs"`, `"32.40 ms"`, `"2.500 s"`). A value
 * that would round up to 1000 of a unit is shown in the next one
 * (`"1.00 ms"`, not `"1000.00 µs"`). A duration that is not a finite
 * number (a missing value, NAN) gives `"-"`.
 *
 * The text is meant for people; the exports write the nanoseconds
 * themselves.
 *
 * Returns: (transfer full): the text, in UTF-8
 *
 * Since: 0.2
 */
char *
sp_format_duration (double ns)
{
  double magnitude = fabs (ns);
  guint u = 0;

  if (!isfinite (ns))
    return g_strdup ("-");
  if (ns == 0)
    return g_strdup ("0 ns");   /* and not "-0 ns" */

  /* the largest unit in which the rounded value is at least 1, and
   * rounds to less than 1000 in the unit below */
  while (u + 1 < G_N_ELEMENTS (units))
    {
      double below = magnitude / units[u].scale;
      double step = pow (10, -units[u].decimals);

      if (round (below / step) * step < 1000)
        break;
      u++;
    }

  return g_strdup_printf ("%.*f %s", units[u].decimals, ns / units[u].scale, units[u].unit);
}
