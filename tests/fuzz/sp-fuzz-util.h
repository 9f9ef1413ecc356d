/* sp-fuzz-util.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

#include <scope-profiler.h>

G_BEGIN_DECLS

/* libFuzzer's entry points. */
int         LLVMFuzzerInitialize   (int            *argc,
                                    char         ***argv);
int         LLVMFuzzerTestOneInput (const uint8_t  *data,
                                    size_t          size);
size_t      LLVMFuzzerMutate       (uint8_t        *data,
                                    size_t          size,
                                    size_t          max_size);
size_t      LLVMFuzzerCustomMutator (uint8_t       *data,
                                     size_t         size,
                                     size_t         max_size,
                                     unsigned int   seed);

/* Once per process: HDF5 quiet and without file locks, a private scratch
 * directory removed at exit, and criticals/warnings counted instead of
 * printed (sp_fuzz_set_fatal_criticals() makes them abort instead). */
void        sp_fuzz_init                (void);
const char *sp_fuzz_tmpdir              (void);
/* Replaces @path with exactly @size bytes of @data. */
void        sp_fuzz_write_file          (const char     *path,
                                         const uint8_t  *data,
                                         size_t          size);
void        sp_fuzz_set_fatal_criticals (gboolean        fatal);
guint       sp_fuzz_get_n_criticals     (void);
void        sp_fuzz_reset_criticals     (void);
/* Drives the whole public reading API over @session, so every lazily
 * computed part (statistics, lanes, nesting, filtering) runs. */
void        sp_fuzz_walk_session        (SpSession      *session);
/* Mutates only the stored values of @data's datasets (contiguous or
 * unfiltered chunks, fixed-size types), so HDF5's own structure stays as
 * valid as it was: the reader's handling of values gets fuzzed without
 * tripping over libhdf5's crashes on corrupted metadata. */
size_t      sp_fuzz_mutate_values       (uint8_t        *data,
                                         size_t          size,
                                         size_t          max_size,
                                         unsigned int    seed);

G_END_DECLS
