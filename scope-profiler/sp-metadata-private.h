/* sp-metadata-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SpMetadataEntry
{
  char     *key;
  char     *string;    /* NULL for integers */
  gint64    integer;
} SpMetadataEntry;

SpMetadataEntry *sp_metadata_entry_new_string (const char *key,
                                               const char *value);
SpMetadataEntry *sp_metadata_entry_new_int    (const char *key,
                                               gint64      value);
void             sp_metadata_entry_free       (SpMetadataEntry *entry);
void             sp_metadata_set_string       (GPtrArray  *metadata,
                                               const char *key,
                                               const char *value);
void             sp_metadata_set_int          (GPtrArray  *metadata,
                                               const char *key,
                                               gint64      value);
GPtrArray       *sp_metadata_collect          (gint64      start_time_ns,
                                               GDateTime  *start_wall_time);

G_END_DECLS
