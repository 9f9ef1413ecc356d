/* test-json-strv.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The parser of the tags attribute (sp-json-strv.c): what the Python
 * package writes (json.dumps of a list of strings) comes back exactly,
 * escapes included; anything that is not a list of strings gives NULL; and
 * what a hostile file can put there (deep nesting, NULs, lone surrogates)
 * neither crashes nor yields invalid UTF-8.
 */

#include "config.h"

#include <string.h>

#include "sp-json-strv-private.h"

static void
test_json_strv_lists (void)
{
  struct {
    const char *text;
    const char *expected[4];
  } cases[] = {
    { "[\"io\", \"mpi\"]", { "io", "mpi", NULL } },
    { "  [ ]  ", { NULL } },
    { "[\"\"]", { "", NULL } },
    { "\n[\t\"a\" ,\r\n \"b\"\n]\n", { "a", "b", NULL } },
    { "[\"say \\\"hi\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"]", { "say \"hi\" \\ / \b\f\n\r\t", NULL } },
    { "[\"\\u00e9\\u20AC\"]", { "é€", NULL } },
    { "[\"\\ud83d\\ude00\"]", { "😀", NULL } },
    { "[\"é 😀\"]", { "é 😀", NULL } },
    /* Not characters: replaced, never a NUL or invalid UTF-8. */
    { "[\"a\\u0000b\"]", { "a\xef\xbf\xbd" "b", NULL } },
    { "[\"a\\ud800b\"]", { "a\xef\xbf\xbd" "b", NULL } },
    { "[\"a\\udc00b\"]", { "a\xef\xbf\xbd" "b", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) strv = sp_json_parse_strv (cases[i].text);

      g_test_message ("%s", cases[i].text);
      g_assert_nonnull (strv);
      g_assert_cmpstrv (strv, cases[i].expected);
    }
}

static void
test_json_strv_not_lists (void)
{
  const char *cases[] = {
    "", "   ", "\"io\"", "{\"a\": \"b\"}", "[1]", "[\"a\", 1]", "[null]",
    "[[\"a\"]]", "[\"a\",]", "[,\"a\"]", "[\"a\"] x", "[\"a\"", "[\"a",
    "['a']", "[\"a\" /* c */]", "[\"a\\qb\"]", "[\"\\u12\"]", "[\"a\"]]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) strv = sp_json_parse_strv (cases[i]);

      g_test_message ("%s", cases[i]);
      g_assert_null (strv);
    }
}

/* A recursive parser (json-glib 1.6 is one) overflows the stack here. */
static void
test_json_strv_deep (void)
{
  gsize n = 4 * 1024 * 1024;
  g_autofree char *text = g_malloc (2 * n + 1);
  g_auto(GStrv) open = NULL;
  g_auto(GStrv) nested = NULL;

  memset (text, '[', n);
  text[n] = 0;
  open = sp_json_parse_strv (text);
  g_assert_null (open);

  memset (text + n, ']', n);
  text[2 * n] = 0;
  nested = sp_json_parse_strv (text);
  g_assert_null (nested);
}

/* Long strings and long lists come back whole. */
static void
test_json_strv_large (void)
{
  g_autoptr(GString) text = g_string_new ("[");
  g_autofree char *long_tag = g_strnfill (1 << 20, 'x');
  g_auto(GStrv) strv = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (text, "%s\"t%u\"", i ? ", " : "", i);
  g_string_append_printf (text, ", \"%s\"]", long_tag);

  strv = sp_json_parse_strv (text->str);
  g_assert_nonnull (strv);
  g_assert_cmpuint (g_strv_length (strv), ==, 10001);
  g_assert_cmpstr (strv[9999], ==, "t9999");
  g_assert_cmpstr (strv[10000], ==, long_tag);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/JsonStrv/lists", test_json_strv_lists);
  g_test_add_func ("/ScopeProfiler/JsonStrv/not-lists", test_json_strv_not_lists);
  g_test_add_func ("/ScopeProfiler/JsonStrv/deep", test_json_strv_deep);
  g_test_add_func ("/ScopeProfiler/JsonStrv/large", test_json_strv_large);

  return g_test_run ();
}
