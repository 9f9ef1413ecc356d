/* sp-tool.c — the scope-profiler command: dispatch and shared helpers
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sp-tool.h"

/* Output goes through stdio, not g_print(): tables hold UTF-8 (µs) that
 * g_print() would mangle in the C locale. */

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static int sp_tool_python_command (int argc, char **argv);

static const Command commands[] = {
  { "summary", sp_tool_summary, "Table of regions: calls, total, self, mean, min, max, std, p90, %" },
  { "diff",    sp_tool_diff,    "Per-region change between two sessions; exit status 1 on a regression" },
  { "export",  sp_tool_export,  "Write a session as Chrome Trace JSON, CSV, JSON statistics or a Sysprof capture" },
  { "info",    sp_tool_info,    "Metadata, ranks, threads and counts of a session" },
  { "merge",   sp_tool_merge,   "Combine per-rank or per-process sessions into one file" },
  { "recover", sp_tool_recover, "Write the session of a crashed run from its spill file" },
  { "imbalance", sp_tool_imbalance, "Load imbalance of each region across the ranks of a session" },
  { "scaling", sp_tool_scaling, "Speedup and efficiency of each region over runs with different rank counts" },
  { "run",     sp_tool_python_command, "Run a Python script with each call of its functions recorded (python3 -m scope_profiler run)" },
  { "pproc",   sp_tool_python_command, "Plots, statistics and data exports of sessions (python3 -m scope_profiler pproc)" },
};

/* run and pproc are the Python package's: the interpreter it was installed
 * for runs "-m scope_profiler COMMAND ARGS…" in place of this process, so
 * options, messages and exit status are the package's own (the script's
 * exit status for run). The package's install directory is appended to
 * PYTHONPATH, so an installed tool finds it under any prefix, while a
 * PYTHONPATH set by the caller (uninstalled builds, tests) comes first.
 * SCOPE_PROFILER_PYTHON overrides the interpreter. */
static int
sp_tool_python_command (int    argc,
                        char **argv)
{
  const char *python = g_getenv ("SCOPE_PROFILER_PYTHON");
  const char *pythonpath = g_getenv ("PYTHONPATH");
  g_autofree char *new_pythonpath = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  int saved_errno;

  if (python == NULL || *python == '\0')
    python = SP_TOOL_PYTHON;

  if (pythonpath != NULL && *pythonpath != '\0')
    new_pythonpath = g_strconcat (pythonpath, G_SEARCHPATH_SEPARATOR_S, SP_TOOL_PYTHON_DIR, NULL);
  else
    new_pythonpath = g_strdup (SP_TOOL_PYTHON_DIR);
  g_setenv ("PYTHONPATH", new_pythonpath, TRUE);

  g_ptr_array_add (args, (char *) python);
  g_ptr_array_add (args, (char *) "-m");
  g_ptr_array_add (args, (char *) "scope_profiler");
  for (int i = 0; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);

  fflush (stdout);
  fflush (stderr);
  execv (python, (char **) args->pdata);
  saved_errno = errno;

  return sp_tool_fail (argv[0], "Cannot run the Python interpreter %s: %s",
                       python, g_strerror (saved_errno));
}

/* Messages from deep down may span lines; the tool promises one. */
static char *
one_line (const char *message)
{
  char *line = g_strdup (message);

  g_strstrip (line);
  for (char *p = line; *p != '\0'; p++)
    {
      if (*p == '\n' || *p == '\r')
        *p = ' ';
    }

  return line;
}

int
sp_tool_fail (const char *command,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  line = one_line (message);
  if (command != NULL)
    fprintf (stderr, "scope-profiler %s: %s\n", command, line);
  else
    fprintf (stderr, "scope-profiler: %s\n", line);
  fflush (stderr);

  return SP_TOOL_EXIT_FAILURE;
}

int
sp_tool_fail_error (const char   *command,
                    const GError *error)
{
  return sp_tool_fail (command, "%s", error->message);
}

GOptionContext *
sp_tool_option_context_new (const char *command,
                            const char *parameters,
                            const char *summary,
                            const char *description)
{
  g_autofree char *prgname = g_strdup_printf ("scope-profiler %s", command);
  GOptionContext *context;

  g_set_prgname (prgname);
  context = g_option_context_new (parameters);
  g_option_context_set_summary (context, summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  g_option_context_set_strict_posix (context, FALSE);

  return context;
}

gboolean
sp_tool_parse_options (GOptionContext   *context,
                       const char       *command,
                       int              *argc,
                       char           ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      sp_tool_fail (command, "%s (see “scope-profiler %s --help”)", error->message, command);
      return FALSE;
    }

  return TRUE;
}

GOptionEntry *
sp_tool_filter_entries (SpToolFilter *filter)
{
  GOptionEntry entries[] = {
    { "include", 'i', 0, G_OPTION_ARG_STRING_ARRAY, &filter->include,
      "Only regions whose name matches PATTERN (a glob; may be repeated)", "PATTERN" },
    { "exclude", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &filter->exclude,
      "Leave out regions whose name matches PATTERN (a glob; may be repeated)", "PATTERN" },
    { "ranks", 0, 0, G_OPTION_ARG_STRING, &filter->ranks,
      "Only these ranks, like 0-3,5", "LIST" },
    { NULL }
  };

  return g_memdup2 (entries, sizeof entries);
}

void
sp_tool_filter_clear (SpToolFilter *filter)
{
  g_clear_pointer (&filter->include, g_strfreev);
  g_clear_pointer (&filter->exclude, g_strfreev);
  g_clear_pointer (&filter->ranks, g_free);
}

static gboolean
parse_rank_number (const char  *text,
                   guint       *rank,
                   GError     **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &value, NULL))
    {
      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a rank number", text);
      return FALSE;
    }

  *rank = (guint) value;
  return TRUE;
}

/* "0-3,5" -> 0 1 2 3 5. */
gboolean
sp_tool_parse_ranks (const char  *spec,
                     GArray      *ranks,
                     GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      char *dash = strchr (part, '-');
      guint first, last;

      if (dash != NULL)
        {
          *dash = '\0';
          if (!parse_rank_number (g_strstrip (part), &first, error) ||
              !parse_rank_number (g_strstrip (dash + 1), &last, error))
            return FALSE;
        }
      else
        {
          if (!parse_rank_number (part, &first, error))
            return FALSE;
          last = first;
        }

      if (last < first)
        {
          g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT,
                       "The rank range %u-%u is empty", first, last);
          return FALSE;
        }
      if (last - first >= 1 << 20)
        {
          g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT,
                       "The rank range %u-%u is too large", first, last);
          return FALSE;
        }

      for (guint r = first; ; r++)
        {
          g_array_append_val (ranks, r);
          if (r == last)
            break;
        }
    }

  return TRUE;
}

/* Progress on stderr, drawn only on a terminal and only once an operation
 * has taken long enough to be worth watching. */
struct _SpToolProgress
{
  char     *label;
  gint64    begin;
  int       last_percent;
  guint     enabled : 1;
  guint     drawn : 1;
};

#define SP_TOOL_PROGRESS_DELAY_US (300 * 1000)
#define SP_TOOL_PROGRESS_WIDTH 30

SpToolProgress *
sp_tool_progress_new (const char *label)
{
  SpToolProgress *self = g_new0 (SpToolProgress, 1);

  self->label = g_strdup (label);
  self->begin = g_get_monotonic_time ();
  self->last_percent = -1;
  self->enabled = isatty (STDERR_FILENO);

  return self;
}

void
sp_tool_progress_update (double   fraction,
                         gpointer data)
{
  SpToolProgress *self = data;
  char bar[SP_TOOL_PROGRESS_WIDTH + 1];
  int percent;
  int filled;

  if (self == NULL || !self->enabled)
    return;

  if (!self->drawn && g_get_monotonic_time () - self->begin < SP_TOOL_PROGRESS_DELAY_US)
    return;

  fraction = CLAMP (fraction, 0.0, 1.0);
  percent = (int) (fraction * 100.0);
  if (percent == self->last_percent)
    return;
  self->last_percent = percent;

  filled = (int) (fraction * SP_TOOL_PROGRESS_WIDTH);
  memset (bar, '#', filled);
  memset (bar + filled, '.', SP_TOOL_PROGRESS_WIDTH - filled);
  bar[SP_TOOL_PROGRESS_WIDTH] = '\0';

  fprintf (stderr, "\r%s [%s] %3d%%", self->label, bar, percent);
  fflush (stderr);
  self->drawn = TRUE;
}

void
sp_tool_progress_free (SpToolProgress *self)
{
  if (self->drawn)
    {
      fputs ("\r\033[K", stderr);
      fflush (stderr);
    }

  g_free (self->label);
  g_free (self);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} LoadState;

static void
load_progress_cb (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    data)
{
  sp_tool_progress_update (sp_session_get_progress (SP_SESSION (object)), data);
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  LoadState *state = data;

  state->ok = sp_session_load_finish (SP_SESSION (object), result, &state->error);
  state->done = TRUE;
}

/* Sum over @ranks (all when empty) of each rank's first start to last
 * end: the library's figure (SpAnalysis). */
static gint64
rank_spans (SpSession *session,
            GArray    *ranks)
{
  g_autoptr(SpSession) kept = NULL;
  g_autoptr(SpAnalysis) analysis = NULL;

  if (ranks->len > 0)
    kept = sp_session_filter (session, NULL, NULL,
                              (const guint *) (gpointer) ranks->data, ranks->len,
                              G_MININT64, G_MAXINT64);
  analysis = sp_analysis_new (kept != NULL ? kept : session);

  return sp_analysis_get_rank_spans_sum (analysis);
}

/* The reader's messages usually name the file already. */
static void
propagate_with_path (GError    **dest,
                     GError     *src,
                     const char *path)
{
  if (strstr (src->message, path) != NULL)
    g_propagate_error (dest, src);
  else
    g_propagate_prefixed_error (dest, src, "%s: ", path);
}

SpSession *
sp_tool_load_session (const char    *path,
                      SpToolFilter  *filter,
                      gint64        *span,
                      GError       **error)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *label = g_strdup_printf ("Reading %s", base);
  g_autoptr(SpToolProgress) progress = sp_tool_progress_new (label);
  g_autoptr(GArray) ranks = g_array_new (FALSE, FALSE, sizeof (guint));

  /* Rank lists are checked before a long load, not after. */
  if (filter != NULL && filter->ranks != NULL &&
      !sp_tool_parse_ranks (filter->ranks, ranks, error))
    return NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: No such file", path);
      return NULL;
    }

  if (progress->enabled)
    {
      LoadState state = { FALSE, FALSE, NULL };
      gulong handler;

      handler = g_signal_connect (session, "notify::progress",
                                  G_CALLBACK (load_progress_cb), progress);
      sp_session_load_async (session, path, NULL, load_done_cb, &state);
      while (!state.done)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handler_disconnect (session, handler);

      if (!state.ok)
        {
          propagate_with_path (error, state.error, path);
          return NULL;
        }
    }
  else
    {
      GError *local_error = NULL;

      if (!sp_session_load (session, path, NULL, &local_error))
        {
          propagate_with_path (error, local_error, path);
          return NULL;
        }
    }

  if (span != NULL)
    *span = rank_spans (session, ranks);

  if (filter != NULL &&
      (filter->include != NULL || filter->exclude != NULL || ranks->len > 0))
    {
      SpSession *filtered = sp_session_filter (session,
                                               (const char * const *) filter->include,
                                               (const char * const *) filter->exclude,
                                               (const guint *) (gpointer) ranks->data,
                                               ranks->len,
                                               G_MININT64, G_MAXINT64);
      g_set_object (&session, filtered);
      g_object_unref (filtered);
    }

  return g_steal_pointer (&session);
}

char *
sp_tool_format_time (double   ns,
                     gboolean raw_ns)
{
  double magnitude = fabs (ns);

  if (raw_ns)
    {
      if (ns == floor (ns) && magnitude < 9e15)
        return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) ns);
      return g_strdup_printf ("%.3f", ns);
    }

  /* the same text as the viewer's */
  return sp_format_duration (ns);
}

struct _SpToolTable
{
  guint      n_columns;
  GPtrArray *rows;   /* GStrv */
};

SpToolTable *
sp_tool_table_new (guint n_columns)
{
  SpToolTable *self = g_new0 (SpToolTable, 1);

  self->n_columns = n_columns;
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  return self;
}

/* Takes @cells, a NULL-terminated array of n_columns strings. */
void
sp_tool_table_add_row (SpToolTable  *self,
                       char        **cells)
{
  g_assert (g_strv_length (cells) == self->n_columns);
  g_ptr_array_add (self->rows, cells);
}

void
sp_tool_table_print (SpToolTable *self,
                     FILE        *out)
{
  g_autofree glong *widths = g_new0 (glong, self->n_columns);

  for (guint r = 0; r < self->rows->len; r++)
    {
      char **cells = g_ptr_array_index (self->rows, r);

      for (guint c = 0; c < self->n_columns; c++)
        widths[c] = MAX (widths[c], g_utf8_strlen (cells[c], -1));
    }

  for (guint r = 0; r < self->rows->len; r++)
    {
      char **cells = g_ptr_array_index (self->rows, r);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < self->n_columns; c++)
        {
          glong pad = widths[c] - g_utf8_strlen (cells[c], -1);

          if (c > 0)
            g_string_append (line, "  ");
          if (c == 0)
            {
              g_string_append (line, cells[c]);
              if (c + 1 < self->n_columns)
                for (glong k = 0; k < pad; k++)
                  g_string_append_c (line, ' ');
            }
          else
            {
              for (glong k = 0; k < pad; k++)
                g_string_append_c (line, ' ');
              g_string_append (line, cells[c]);
            }
        }

      g_string_append_c (line, '\n');
      fputs (line->str, out);
    }
}

void
sp_tool_table_free (SpToolTable *self)
{
  g_ptr_array_unref (self->rows);
  g_free (self);
}

static void
print_usage (FILE *out)
{
  fprintf (out,
           "Usage:\n"
           "  scope-profiler COMMAND [OPTION…] ARGUMENTS\n"
           "\n"
           "Read, compare, convert and merge scope-profiler session files;\n"
           "profile Python scripts (run) and post-process sessions (pproc).\n"
           "\n"
           "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s  %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\n"
           "“scope-profiler COMMAND --help” describes a command.\n"
           "Exit status: 0 success, 1 regression found (diff), 2 usage error or unreadable input;\n"
           "run exits with the script's status, pproc as python3 -m scope_profiler pproc.\n");
}

int
main (int   argc,
      char *argv[])
{
  const char *name;

  /* Messages and --help in the user's language and charset, but numbers
   * always with a decimal point: tables are read by scripts too. */
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");

  if (argc < 2)
    return sp_tool_fail (NULL, "No command given (see “scope-profiler --help”)");

  name = argv[1];

  if (g_str_equal (name, "--help") || g_str_equal (name, "-h"))
    {
      print_usage (stdout);
      return SP_TOOL_EXIT_OK;
    }

  /* "help COMMAND" is "COMMAND --help". */
  if (g_str_equal (name, "help"))
    {
      if (argc < 3)
        {
          print_usage (stdout);
          return SP_TOOL_EXIT_OK;
        }
      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        {
          if (g_str_equal (argv[2], commands[i].name))
            {
              char *help_argv[] = { argv[2], (char *) "--help", NULL };
              return commands[i].run (2, help_argv);
            }
        }
      return sp_tool_fail (NULL, "Unknown command “%s” (see “scope-profiler --help”)", argv[2]);
    }

  if (g_str_equal (name, "--version"))
    {
      printf ("scope-profiler %s\n", SP_VERSION_S);
      return SP_TOOL_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (name, commands[i].name))
        return commands[i].run (argc - 1, argv + 1);
    }

  return sp_tool_fail (NULL, "Unknown command “%s” (see “scope-profiler --help”)", name);
}
