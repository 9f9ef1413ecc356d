/* sp-json-strv.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The one piece of JSON the library reads: a region's tags, which the
 * Python package stores as a JSON list of strings (["io", "mpi"]).
 *
 * A small parser of its own rather than json-glib, because the text comes
 * from a file that is trusted in nothing, and json-glib 1.6 (Debian 12)
 * recurses once per nesting level: an attribute of some 100,000 "["
 * overflows the stack. It also turns "\u0000" into a silently truncated
 * string, lone surrogates into invalid UTF-8, and accepts what is not
 * JSON (comments, single quotes, unknown escapes). This parser is
 * iterative, accepts exactly a list of strings and nothing else, and
 * always returns valid UTF-8 without NULs. */

#include "config.h"

#include <string.h>

#include "sp-json-strv-private.h"

static const char *
json_skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

static gboolean
json_hex4 (const char *p,
           gunichar   *out)
{
  gunichar v = 0;

  for (guint i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);

      if (d < 0)
        return FALSE;
      v = (v << 4) | (gunichar) d;
    }

  *out = v;

  return TRUE;
}

char **
sp_json_parse_strv (const char *text)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  const char *p = json_skip_space (text);

  if (*p++ != '[')
    return NULL;

  p = json_skip_space (p);
  if (*p == ']')
    goto done;

  for (;;)
    {
      g_autoptr(GString) str = g_string_new (NULL);

      if (*p++ != '"')
        return NULL;

      while (*p != '"')
        {
          if (*p == 0)
            return NULL;

          if (*p != '\\')
            {
              g_string_append_c (str, *p++);
              continue;
            }

          p++;
          switch (*p)
            {
            case '"':  g_string_append_c (str, '"'); break;
            case '\\': g_string_append_c (str, '\\'); break;
            case '/':  g_string_append_c (str, '/'); break;
            case 'b':  g_string_append_c (str, '\b'); break;
            case 'f':  g_string_append_c (str, '\f'); break;
            case 'n':  g_string_append_c (str, '\n'); break;
            case 'r':  g_string_append_c (str, '\r'); break;
            case 't':  g_string_append_c (str, '\t'); break;
            case 'u':
              {
                gunichar c;

                if (!json_hex4 (p + 1, &c))
                  return NULL;
                p += 4;

                /* A surrogate pair spells one character outside the BMP. */
                if (c >= 0xd800 && c < 0xdc00 && p[1] == '\\' && p[2] == 'u')
                  {
                    gunichar low;

                    if (json_hex4 (p + 3, &low) && low >= 0xdc00 && low < 0xe000)
                      {
                        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
                        p += 6;
                      }
                  }

                if (!g_unichar_validate (c) || c == 0)
                  c = 0xfffd;
                g_string_append_unichar (str, c);
              }
              break;
            default:
              return NULL;
            }
          p++;
        }

      p++;
      g_ptr_array_add (items, g_utf8_make_valid (str->str, strnlen (str->str, str->len)));

      p = json_skip_space (p);
      if (*p == ']')
        break;
      if (*p++ != ',')
        return NULL;
      p = json_skip_space (p);
    }

done:
  if (*json_skip_space (p + 1) != 0)
    return NULL;

  g_ptr_array_add (items, NULL);

  return (char **) g_ptr_array_steal (items, NULL);
}
