/* sp-tool.h — shared parts of the scope-profiler command
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <scope-profiler.h>

G_BEGIN_DECLS

/* Exit statuses of every subcommand. */
#define SP_TOOL_EXIT_OK          0
#define SP_TOOL_EXIT_REGRESSION  1
#define SP_TOOL_EXIT_FAILURE     2

typedef struct _SpToolProgress SpToolProgress;

/* Options shared by the commands that read sessions: region patterns and
 * ranks. */
typedef struct
{
  char  **include;
  char  **exclude;
  char   *ranks;
} SpToolFilter;

int             sp_tool_summary            (int            argc,
                                            char         **argv);
int             sp_tool_diff               (int            argc,
                                            char         **argv);
int             sp_tool_export             (int            argc,
                                            char         **argv);
int             sp_tool_info               (int            argc,
                                            char         **argv);
int             sp_tool_merge              (int            argc,
                                            char         **argv);
int             sp_tool_recover            (int            argc,
                                            char         **argv);
int             sp_tool_imbalance          (int            argc,
                                            char         **argv);
int             sp_tool_scaling            (int            argc,
                                            char         **argv);

/* Prints "scope-profiler COMMAND: MESSAGE" on one line of stderr and
 * returns SP_TOOL_EXIT_FAILURE. */
int             sp_tool_fail               (const char    *command,
                                            const char    *format,
                                            ...) G_GNUC_PRINTF (2, 3);
int             sp_tool_fail_error         (const char    *command,
                                            const GError  *error);
GOptionContext *sp_tool_option_context_new (const char    *command,
                                            const char    *parameters,
                                            const char    *summary,
                                            const char    *description);
/* Parses the options; on a usage error prints it and returns FALSE. */
gboolean        sp_tool_parse_options      (GOptionContext *context,
                                            const char     *command,
                                            int            *argc,
                                            char         ***argv);

GOptionEntry   *sp_tool_filter_entries     (SpToolFilter  *filter);
void            sp_tool_filter_clear       (SpToolFilter  *filter);
gboolean        sp_tool_parse_ranks        (const char    *spec,
                                            GArray        *ranks,
                                            GError       **error);
/* Loads @path, with a progress bar on a terminal, and applies @filter
 * (which may be NULL). @span, when not NULL, receives the sum over the
 * kept ranks of each rank's wall time (first start to last end) in the
 * unfiltered session: the base of "% of session". */
SpSession      *sp_tool_load_session       (const char    *path,
                                            SpToolFilter  *filter,
                                            gint64        *span,
                                            GError       **error);

SpToolProgress *sp_tool_progress_new       (const char    *label);
void            sp_tool_progress_update    (double         fraction,
                                            gpointer       progress);
void            sp_tool_progress_free      (SpToolProgress *progress);

char           *sp_tool_format_time        (double         ns,
                                            gboolean       raw_ns);

/* A plain text table: left-aligned first column, right-aligned others. */
typedef struct _SpToolTable SpToolTable;

SpToolTable    *sp_tool_table_new          (guint          n_columns);
void            sp_tool_table_add_row      (SpToolTable   *table,
                                            char         **cells);
void            sp_tool_table_print        (SpToolTable   *table,
                                            FILE          *out);
void            sp_tool_table_free         (SpToolTable   *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpToolProgress, sp_tool_progress_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpToolTable, sp_tool_table_free)

G_END_DECLS
