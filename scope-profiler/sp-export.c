/* sp-export.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#ifdef SP_HAVE_SYSPROF_CAPTURE
# include <sysprof-capture.h>
#endif

#include "sp-analysis.h"
#include "sp-atomic-file-private.h"
#include "sp-error-private.h"
#include "sp-error.h"
#include "sp-export-private.h"

/* Text exports are written in pieces of about this size, so a session of
 * any length is streamed out in constant memory. */
#define SP_EXPORT_CHUNK (64 * 1024)

/* How often, in intervals, progress is reported and cancellation checked. */
#define SP_EXPORT_PROGRESS_STEP 65536

typedef struct
{
  GOutputStream        *stream;
  GCancellable         *cancellable;
  GString              *buffer;
  SpExportProgressFunc  progress;
  gpointer              progress_data;
  guint64               n_total;
  guint64               n_done;
} Writer;

static void
writer_init (Writer               *w,
             GOutputStream        *stream,
             SpExportProgressFunc  progress,
             gpointer              progress_data,
             GCancellable         *cancellable)
{
  memset (w, 0, sizeof *w);
  w->stream = stream;
  w->cancellable = cancellable;
  w->buffer = g_string_sized_new (SP_EXPORT_CHUNK + 4096);
  w->progress = progress;
  w->progress_data = progress_data;
}

static void
writer_clear (Writer *w)
{
  if (w->buffer != NULL)
    g_string_free (w->buffer, TRUE);
  w->buffer = NULL;
}

static gboolean
writer_flush (Writer  *w,
              GError **error)
{
  if (w->buffer->len > 0 &&
      !g_output_stream_write_all (w->stream, w->buffer->str, w->buffer->len,
                                  NULL, w->cancellable, error))
    return FALSE;

  g_string_truncate (w->buffer, 0);

  return TRUE;
}

/* Called after each interval: flushes full buffers, reports progress and
 * notices cancellation. */
static inline gboolean
writer_step (Writer  *w,
             GError **error)
{
  w->n_done++;

  if (w->buffer->len >= SP_EXPORT_CHUNK && !writer_flush (w, error))
    return FALSE;

  if (w->n_done % SP_EXPORT_PROGRESS_STEP == 0)
    {
      if (g_cancellable_set_error_if_cancelled (w->cancellable, error))
        return FALSE;
      if (w->progress != NULL && w->n_total > 0)
        w->progress ((double) w->n_done / (double) w->n_total, w->progress_data);
    }

  return TRUE;
}

static guint64
count_intervals (SpSession *session)
{
  guint n_lanes = sp_session_get_n_lanes (session);
  guint64 n = 0;

  for (guint i = 0; i < n_lanes; i++)
    n += sp_session_peek_lane (session, i, NULL, NULL, NULL, NULL, NULL);

  return n;
}

/* Number formatting, by hand: these run once or twice per interval, and
 * must not depend on the locale. */

static void
append_uint (GString *string,
             guint64  value)
{
  char digits[24];
  int i = sizeof digits;

  do
    {
      digits[--i] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value != 0);

  g_string_append_len (string, digits + i, sizeof digits - i);
}

static void
append_int (GString *string,
            gint64   value)
{
  if (value < 0)
    {
      g_string_append_c (string, '-');
      append_uint (string, (guint64) 0 - (guint64) value);
    }
  else
    {
      append_uint (string, (guint64) value);
    }
}

void
sp_export_append_us (GString *string,
                      gint64   ns)
{
  guint64 magnitude;
  guint frac;

  if (ns < 0)
    {
      g_string_append_c (string, '-');
      magnitude = (guint64) 0 - (guint64) ns;
    }
  else
    {
      magnitude = (guint64) ns;
    }

  append_uint (string, magnitude / 1000);
  frac = (guint) (magnitude % 1000);
  g_string_append_c (string, '.');
  g_string_append_c (string, (char) ('0' + frac / 100));
  g_string_append_c (string, (char) ('0' + frac / 10 % 10));
  g_string_append_c (string, (char) ('0' + frac % 10));
}

/* The shortest of %.15g, %.16g and %.17g that reads back as the same
 * double: 436.4, not 436.40000000000003. */
static const char *
format_double (char   *buf,
               gsize   size,
               double  value)
{
  static const char *formats[] = { "%.15g", "%.16g", "%.17g" };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, size, formats[i], value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  return buf;
}

/* JSON has no NaN or infinity. */
static void
append_json_double (GString *string,
                    double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (string, "null");
      return;
    }

  g_string_append (string, format_double (buf, sizeof buf, value));
}

static void
append_csv_double (GString *string,
                   double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (value))
    g_string_append (string, format_double (buf, sizeof buf, value));
}

void
sp_export_append_json_string (GString    *string,
                               const char *str)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (str, -1, NULL))
    str = valid = g_utf8_make_valid (str, -1);

  g_string_append_c (string, '"');

  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':  g_string_append (string, "\\\""); break;
        case '\\': g_string_append (string, "\\\\"); break;
        case '\b': g_string_append (string, "\\b"); break;
        case '\f': g_string_append (string, "\\f"); break;
        case '\n': g_string_append (string, "\\n"); break;
        case '\r': g_string_append (string, "\\r"); break;
        case '\t': g_string_append (string, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (string, "\\u%04x", c);
          else
            g_string_append_c (string, (char) c);
          break;
        }
    }

  g_string_append_c (string, '"');
}

void
sp_export_append_csv_field (GString    *string,
                             const char *str)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (str, -1, NULL))
    str = valid = g_utf8_make_valid (str, -1);

  /* RFC 4180: quote fields holding a separator, a quote or a line break,
   * and double the quotes inside. Leading or trailing spaces are quoted
   * too, since many readers would strip them. */
  if (strpbrk (str, ",\"\r\n") == NULL &&
      str[0] != ' ' && (str[0] == '\0' || str[strlen (str) - 1] != ' '))
    {
      g_string_append (string, str);
      return;
    }

  g_string_append_c (string, '"');
  for (const char *p = str; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (string, '"');
      g_string_append_c (string, *p);
    }
  g_string_append_c (string, '"');
}

/* Every region's name escaped once, not once per interval. */
static GPtrArray *
escape_region_names (SpSession *session,
                     gboolean   json)
{
  guint n_regions = sp_session_get_n_regions (session);
  GPtrArray *names = g_ptr_array_new_full (n_regions, g_free);

  for (guint i = 0; i < n_regions; i++)
    {
      GString *s = g_string_new (NULL);

      if (json)
        sp_export_append_json_string (s, sp_session_get_region_name (session, i));
      else
        sp_export_append_csv_field (s, sp_session_get_region_name (session, i));

      g_ptr_array_add (names, g_string_free (s, FALSE));
    }

  return names;
}

static void
append_json_metadata (GString   *out,
                      SpSession *session)
{
  g_auto(GStrv) keys = sp_session_list_metadata_keys (session);
  gboolean first = TRUE;

  g_string_append_c (out, '{');

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = sp_session_get_metadata (session, keys[i]);

      if (value == NULL)
        continue;

      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;

      sp_export_append_json_string (out, keys[i]);
      g_string_append_c (out, ':');

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        sp_export_append_json_string (out, g_variant_get_string (value, NULL));
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        append_int (out, g_variant_get_int64 (value));
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
        append_json_double (out, g_variant_get_double (value));
      else
        {
          g_autofree char *text = g_variant_print (value, FALSE);
          sp_export_append_json_string (out, text);
        }
    }

  g_string_append_c (out, '}');
}

static char *
describe_thread (SpSession *session,
                 guint      rank,
                 gint64     thread)
{
  const char *name;

  if (thread == SP_SESSION_THREAD_UNKNOWN)
    return g_strdup ("unknown thread");

  name = sp_session_get_thread_name (session, rank, thread);
  if (name != NULL && name[0] != '\0')
    return g_strdup (name);

  return g_strdup_printf ("thread %" G_GINT64_FORMAT, thread);
}

static gint64
chrome_tid (gint64 thread)
{
  return thread == SP_SESSION_THREAD_UNKNOWN ? SP_EXPORT_CHROME_UNKNOWN_TID : thread;
}

/* Chrome Trace Event format: one complete ("X") event per interval, each
 * lane written in start order (longest first on ties) so that viewers nest
 * them as the session did; "M" events name processes (ranks) and threads. */
static gboolean
export_chrome_trace (SpSession  *session,
                     Writer     *w,
                     GError    **error)
{
  g_autoptr(GPtrArray) names = escape_region_names (session, TRUE);
  const guint *ranks;
  guint n_ranks = 0;
  guint n_lanes;
  gboolean first = TRUE;

  ranks = sp_session_get_ranks (session, &n_ranks);
  n_lanes = sp_session_get_n_lanes (session);

  g_string_append (w->buffer, "{\"traceEvents\":[");

#define NEXT_EVENT() \
  G_STMT_START { \
    g_string_append (w->buffer, first ? "\n" : ",\n"); \
    first = FALSE; \
  } G_STMT_END

  for (guint r = 0; r < n_ranks; r++)
    {
      g_autofree char *process = g_strdup_printf ("rank %u", ranks[r]);
      const gint64 *threads;
      guint n_threads = 0;

      NEXT_EVENT ();
      g_string_append (w->buffer, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":");
      append_uint (w->buffer, ranks[r]);
      g_string_append (w->buffer, ",\"tid\":0,\"args\":{\"name\":");
      sp_export_append_json_string (w->buffer, process);
      g_string_append (w->buffer, "}}");

      NEXT_EVENT ();
      g_string_append (w->buffer, "{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":");
      append_uint (w->buffer, ranks[r]);
      g_string_append (w->buffer, ",\"tid\":0,\"args\":{\"sort_index\":");
      append_uint (w->buffer, ranks[r]);
      g_string_append (w->buffer, "}}");

      threads = sp_session_get_threads (session, ranks[r], &n_threads);
      for (guint t = 0; t < n_threads; t++)
        {
          g_autofree char *thread_name = describe_thread (session, ranks[r], threads[t]);

          NEXT_EVENT ();
          g_string_append (w->buffer, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":");
          append_uint (w->buffer, ranks[r]);
          g_string_append (w->buffer, ",\"tid\":");
          append_int (w->buffer, chrome_tid (threads[t]));
          g_string_append (w->buffer, ",\"args\":{\"name\":");
          sp_export_append_json_string (w->buffer, thread_name);
          g_string_append (w->buffer, "}}");
        }
    }

  for (guint lane = 0; lane < n_lanes; lane++)
    {
      guint rank = sp_session_get_lane_rank (session, lane);
      gint64 tid = chrome_tid (sp_session_get_lane_thread (session, lane));
      const guint32 *regions;
      const gint64 *starts;
      const gint64 *ends;
      const guint32 *depths;
      gsize n;

      n = sp_session_peek_lane (session, lane, &regions, &starts, &ends, &depths, NULL);

      for (gsize i = 0; i < n; i++)
        {
          NEXT_EVENT ();
          g_string_append (w->buffer, "{\"ph\":\"X\",\"name\":");
          g_string_append (w->buffer, g_ptr_array_index (names, regions[i]));
          g_string_append (w->buffer, ",\"cat\":\"region\",\"pid\":");
          append_uint (w->buffer, rank);
          g_string_append (w->buffer, ",\"tid\":");
          append_int (w->buffer, tid);
          g_string_append (w->buffer, ",\"ts\":");
          sp_export_append_us (w->buffer, starts[i]);
          g_string_append (w->buffer, ",\"dur\":");
          sp_export_append_us (w->buffer, ends[i] - starts[i]);
          g_string_append (w->buffer, ",\"args\":{\"depth\":");
          append_uint (w->buffer, depths[i]);
          g_string_append (w->buffer, "}}");

          if (!writer_step (w, error))
            return FALSE;
        }
    }

#undef NEXT_EVENT

  g_string_append (w->buffer, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":");
  append_json_metadata (w->buffer, session);
  g_string_append (w->buffer, "}\n");

  return writer_flush (w, error);
}

static gboolean
export_csv_intervals (SpSession  *session,
                      Writer     *w,
                      GError    **error)
{
  g_autoptr(GPtrArray) names = escape_region_names (session, FALSE);
  guint n_lanes = sp_session_get_n_lanes (session);

  g_string_append (w->buffer, "rank,thread,region,depth,start_ns,end_ns,duration_ns\n");

  for (guint lane = 0; lane < n_lanes; lane++)
    {
      guint rank = sp_session_get_lane_rank (session, lane);
      gint64 thread = sp_session_get_lane_thread (session, lane);
      const guint32 *regions;
      const gint64 *starts;
      const gint64 *ends;
      const guint32 *depths;
      gsize n;

      n = sp_session_peek_lane (session, lane, &regions, &starts, &ends, &depths, NULL);

      for (gsize i = 0; i < n; i++)
        {
          append_uint (w->buffer, rank);
          g_string_append_c (w->buffer, ',');
          append_int (w->buffer, thread);
          g_string_append_c (w->buffer, ',');
          g_string_append (w->buffer, g_ptr_array_index (names, regions[i]));
          g_string_append_c (w->buffer, ',');
          append_uint (w->buffer, depths[i]);
          g_string_append_c (w->buffer, ',');
          append_int (w->buffer, starts[i]);
          g_string_append_c (w->buffer, ',');
          append_int (w->buffer, ends[i]);
          g_string_append_c (w->buffer, ',');
          append_int (w->buffer, ends[i] - starts[i]);
          g_string_append_c (w->buffer, '\n');

          if (!writer_step (w, error))
            return FALSE;
        }
    }

  return writer_flush (w, error);
}

static gboolean
export_csv_statistics (SpSession  *session,
                       Writer     *w,
                       GError    **error)
{
  g_autoptr(GPtrArray) names = escape_region_names (session, FALSE);
  guint n_regions = sp_session_get_n_regions (session);

  g_string_append (w->buffer,
                   "region,count,total_ns,self_ns,mean_ns,min_ns,max_ns,"
                   "std_ns,median_ns,p90_ns,p99_ns\n");

  for (guint i = 0; i < n_regions; i++)
    {
      g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (session, i);

      g_string_append (w->buffer, g_ptr_array_index (names, i));
      g_string_append_c (w->buffer, ',');
      append_uint (w->buffer, sp_region_stats_get_count (stats));
      g_string_append_c (w->buffer, ',');
      append_int (w->buffer, sp_region_stats_get_total (stats));
      g_string_append_c (w->buffer, ',');
      append_int (w->buffer, sp_region_stats_get_self_time (stats));
      g_string_append_c (w->buffer, ',');
      append_csv_double (w->buffer, sp_region_stats_get_mean (stats));
      g_string_append_c (w->buffer, ',');
      append_int (w->buffer, sp_region_stats_get_min (stats));
      g_string_append_c (w->buffer, ',');
      append_int (w->buffer, sp_region_stats_get_max (stats));
      g_string_append_c (w->buffer, ',');
      append_csv_double (w->buffer, sp_region_stats_get_stddev (stats));
      g_string_append_c (w->buffer, ',');
      append_csv_double (w->buffer, sp_region_stats_get_median (stats));
      g_string_append_c (w->buffer, ',');
      append_csv_double (w->buffer, sp_region_stats_get_p90 (stats));
      g_string_append_c (w->buffer, ',');
      append_csv_double (w->buffer, sp_region_stats_get_p99 (stats));
      g_string_append_c (w->buffer, '\n');

      if (w->buffer->len >= SP_EXPORT_CHUNK && !writer_flush (w, error))
        return FALSE;
    }

  return writer_flush (w, error);
}

static void
append_json_stats (GString             *out,
                   const SpRegionStats *stats)
{
  g_string_append (out, "{\"count\":");
  append_uint (out, sp_region_stats_get_count (stats));
  g_string_append (out, ",\"total_ns\":");
  append_int (out, sp_region_stats_get_total (stats));
  g_string_append (out, ",\"self_ns\":");
  append_int (out, sp_region_stats_get_self_time (stats));
  g_string_append (out, ",\"mean_ns\":");
  append_json_double (out, sp_region_stats_get_mean (stats));
  g_string_append (out, ",\"min_ns\":");
  append_int (out, sp_region_stats_get_min (stats));
  g_string_append (out, ",\"max_ns\":");
  append_int (out, sp_region_stats_get_max (stats));
  g_string_append (out, ",\"std_ns\":");
  append_json_double (out, sp_region_stats_get_stddev (stats));
  g_string_append (out, ",\"median_ns\":");
  append_json_double (out, sp_region_stats_get_median (stats));
  g_string_append (out, ",\"p90_ns\":");
  append_json_double (out, sp_region_stats_get_p90 (stats));
  g_string_append (out, ",\"p99_ns\":");
  append_json_double (out, sp_region_stats_get_p99 (stats));
  g_string_append_c (out, '}');
}

static gboolean
export_json_statistics (SpSession  *session,
                        Writer     *w,
                        GError    **error)
{
  g_autoptr(SpAnalysis) analysis = sp_analysis_new (session);
  guint n_regions = sp_session_get_n_regions (session);
  const guint *ranks;
  guint n_ranks = 0;
  const char *path = sp_session_get_path (session);

  ranks = sp_session_get_ranks (session, &n_ranks);

  g_string_append (w->buffer, "{\"path\":");
  if (path != NULL)
    sp_export_append_json_string (w->buffer, path);
  else
    g_string_append (w->buffer, "null");
  g_string_append (w->buffer, ",\"schema\":");
  append_int (w->buffer, sp_session_get_schema (session));
  g_string_append (w->buffer, ",\"start_ns\":");
  append_int (w->buffer, sp_session_get_start_time (session));
  g_string_append (w->buffer, ",\"end_ns\":");
  append_int (w->buffer, sp_session_get_end_time (session));
  g_string_append (w->buffer, ",\"ranks\":[");
  for (guint r = 0; r < n_ranks; r++)
    {
      if (r > 0)
        g_string_append_c (w->buffer, ',');
      append_uint (w->buffer, ranks[r]);
    }
  g_string_append (w->buffer, "],\"wall_time_ns\":");
  append_int (w->buffer, sp_analysis_get_wall_time (analysis));
  g_string_append (w->buffer, ",\"lane_time_ns\":");
  append_int (w->buffer, sp_analysis_get_lane_time (analysis));
  g_string_append (w->buffer, ",\"metadata\":");
  append_json_metadata (w->buffer, session);
  g_string_append (w->buffer, ",\"regions\":[");

  for (guint i = 0; i < n_regions; i++)
    {
      g_autoptr(SpRegionStats) overall = sp_session_get_region_stats (session, i);
      gboolean first_rank = TRUE;

      g_string_append (w->buffer, i > 0 ? ",\n" : "\n");
      g_string_append (w->buffer, "{\"name\":");
      sp_export_append_json_string (w->buffer, sp_session_get_region_name (session, i));
      g_string_append (w->buffer, ",\"statistics\":");
      append_json_stats (w->buffer, overall);
      /* The library's figures (SpAnalysis): share of the session as a
       * fraction, and the spread of the region's total over ranks. */
      g_string_append (w->buffer, ",\"share\":");
      append_json_double (w->buffer, sp_analysis_get_region_share (analysis, i));
      g_string_append (w->buffer, ",\"covered_ns\":");
      append_int (w->buffer, sp_analysis_get_region_covered_time (analysis, i));
      g_string_append (w->buffer, ",\"imbalance\":{\"min_ns\":");
      append_json_double (w->buffer, sp_analysis_get_region_figure (analysis, i, SP_RANK_FIGURE_MIN_TOTAL));
      g_string_append (w->buffer, ",\"mean_ns\":");
      append_json_double (w->buffer, sp_analysis_get_region_figure (analysis, i, SP_RANK_FIGURE_MEAN_TOTAL));
      g_string_append (w->buffer, ",\"max_ns\":");
      append_json_double (w->buffer, sp_analysis_get_region_figure (analysis, i, SP_RANK_FIGURE_MAX_TOTAL));
      g_string_append (w->buffer, ",\"ratio\":");
      append_json_double (w->buffer, sp_analysis_get_region_imbalance (analysis, i));
      g_string_append (w->buffer, ",\"slowest_rank\":");
      append_uint (w->buffer, sp_analysis_get_region_slowest_rank (analysis, i));
      g_string_append (w->buffer, "},\"ranks\":{");

      for (guint r = 0; r < n_ranks; r++)
        {
          g_autoptr(SpRegionStats) stats = sp_session_get_region_stats_for_rank (session, i, ranks[r]);

          if (stats == NULL || sp_region_stats_get_count (stats) == 0)
            continue;

          if (!first_rank)
            g_string_append_c (w->buffer, ',');
          first_rank = FALSE;

          g_string_append_c (w->buffer, '"');
          append_uint (w->buffer, ranks[r]);
          g_string_append (w->buffer, "\":");
          append_json_stats (w->buffer, stats);
        }

      g_string_append (w->buffer, "}}");

      if (w->buffer->len >= SP_EXPORT_CHUNK && !writer_flush (w, error))
        return FALSE;
    }

  g_string_append (w->buffer, "\n]}\n");

  return writer_flush (w, error);
}

#ifdef SP_HAVE_SYSPROF_CAPTURE

/* Copies @str into @dest of @size bytes, cutting at a character boundary:
 * the capture's fixed-size fields must stay valid UTF-8. */
static gboolean
copy_utf8_truncated (char       *dest,
                     gsize       size,
                     const char *str)
{
  gsize len = strlen (str);

  if (len < size)
    {
      memcpy (dest, str, len + 1);
      return FALSE;
    }

  len = size - 1;
  while (len > 0 && ((guchar) str[len] & 0xc0) == 0x80)
    len--;
  memcpy (dest, str, len);
  dest[len] = '\0';

  return TRUE;
}

/* The writer stamps the capture with the time it was created and flushed;
 * a session is replayed from the past, so its own time range is written
 * into the file header once the writer is done with the file. */
static gboolean
patch_capture_time_range (int       fd,
                          gint64    start_time,
                          gint64    end_time,
                          GError  **error)
{
  SysprofCaptureFileHeader header;

  if (pread (fd, &header, sizeof header, 0) != (ssize_t) sizeof header)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                   "Could not read back the Sysprof capture header: %s", g_strerror (errsv));
      return FALSE;
    }

  header.time = start_time;
  header.end_time = end_time;

  if (pwrite (fd, &header, sizeof header, 0) != (ssize_t) sizeof header)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                   "Could not write the Sysprof capture header: %s", g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

static gboolean
export_sysprof_capture_fd (SpSession             *session,
                           int                    fd,
                           SpExportProgressFunc   progress,
                           gpointer               progress_data,
                           GCancellable          *cancellable,
                           GError               **error)
{
  SysprofCaptureWriter *writer;
  guint n_lanes = sp_session_get_n_lanes (session);
  guint n_regions = sp_session_get_n_regions (session);
  g_autoptr(GPtrArray) names = g_ptr_array_new_full (n_regions, g_free);
  g_autofree gboolean *truncated = g_new0 (gboolean, MAX (n_regions, 1));
  guint64 n_total = count_intervals (session);
  guint64 n_done = 0;
  int writer_fd;
  gboolean ok = TRUE;

  for (guint i = 0; i < n_regions; i++)
    {
      char *name = g_malloc (40);
      truncated[i] = copy_utf8_truncated (name, 40, sp_session_get_region_name (session, i));
      g_ptr_array_add (names, name);
    }

  /* The writer owns and closes the descriptor it is given. */
  writer_fd = dup (fd);
  if (writer_fd < 0 || !(writer = sysprof_capture_writer_new_from_fd (writer_fd, 0)))
    {
      int errsv = errno;
      if (writer_fd >= 0)
        close (writer_fd);
      g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                   "Could not start a Sysprof capture: %s", g_strerror (errsv));
      return FALSE;
    }

  for (guint lane = 0; ok && lane < n_lanes; lane++)
    {
      guint rank = sp_session_get_lane_rank (session, lane);
      gint64 thread = sp_session_get_lane_thread (session, lane);
      g_autofree char *group_text = NULL;
      char group[24];
      const guint32 *regions;
      const gint64 *starts;
      const gint64 *ends;
      gsize n;

      if (thread == SP_SESSION_THREAD_UNKNOWN)
        group_text = g_strdup_printf ("rank %u/no thread id", rank);
      else
        group_text = g_strdup_printf ("rank %u/thread %" G_GINT64_FORMAT, rank, thread);
      copy_utf8_truncated (group, sizeof group, group_text);

      n = sp_session_peek_lane (session, lane, &regions, &starts, &ends, NULL, NULL);

      for (gsize i = 0; i < n; i++)
        {
          const char *message = truncated[regions[i]] ? sp_session_get_region_name (session, regions[i]) : "";
          gint64 duration = ends[i] - starts[i];

          if (!sysprof_capture_writer_add_mark (writer, starts[i], -1, (gint32) rank,
                                                (guint64) MAX (duration, 0),
                                                group, g_ptr_array_index (names, regions[i]),
                                                message))
            {
              int errsv = errno;
              g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                           "Could not write a mark to the Sysprof capture: %s", g_strerror (errsv));
              ok = FALSE;
              break;
            }

          if (++n_done % SP_EXPORT_PROGRESS_STEP == 0)
            {
              if (g_cancellable_set_error_if_cancelled (cancellable, error))
                {
                  ok = FALSE;
                  break;
                }
              if (progress != NULL)
                progress ((double) n_done / (double) MAX (n_total, 1), progress_data);
            }
        }
    }

  if (ok && !sysprof_capture_writer_flush (writer))
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                   "Could not write the Sysprof capture: %s", g_strerror (errsv));
      ok = FALSE;
    }

  sysprof_capture_writer_unref (writer);

  if (ok && n_total > 0)
    ok = patch_capture_time_range (fd, sp_session_get_start_time (session),
                                   sp_session_get_end_time (session), error);

  return ok;
}

#endif /* SP_HAVE_SYSPROF_CAPTURE */

static gboolean
check_format (SpExportFormat   format,
              GError         **error)
{
  switch (format)
    {
    case SP_EXPORT_FORMAT_CHROME_TRACE:
    case SP_EXPORT_FORMAT_CSV_INTERVALS:
    case SP_EXPORT_FORMAT_CSV_STATISTICS:
    case SP_EXPORT_FORMAT_JSON_STATISTICS:
      return TRUE;

    case SP_EXPORT_FORMAT_SYSPROF_CAPTURE:
      if (sp_export_format_is_supported (format))
        return TRUE;
      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT,
                   "This build of scope-profiler cannot write Sysprof captures "
                   "(built without libsysprof-capture-4)");
      return FALSE;

    default:
      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT,
                   "Unknown export format %d", (int) format);
      return FALSE;
    }
}

/**
 * sp_export_format_is_supported:
 * @format: an export format
 *
 * Checks whether this build of the library can write @format. Sysprof
 * captures need the library to have been built with the `sysprof`
 * feature; every other format is always there.
 *
 * Returns: %TRUE if sessions can be exported to @format
 *
 * Since: 0.1
 */
gboolean
sp_export_format_is_supported (SpExportFormat format)
{
  switch (format)
    {
    case SP_EXPORT_FORMAT_CHROME_TRACE:
    case SP_EXPORT_FORMAT_CSV_INTERVALS:
    case SP_EXPORT_FORMAT_CSV_STATISTICS:
    case SP_EXPORT_FORMAT_JSON_STATISTICS:
      return TRUE;

    case SP_EXPORT_FORMAT_SYSPROF_CAPTURE:
#ifdef SP_HAVE_SYSPROF_CAPTURE
      return TRUE;
#else
      return FALSE;
#endif

    default:
      return FALSE;
    }
}

#ifdef SP_HAVE_SYSPROF_CAPTURE
/* The capture library writes to a file descriptor: go through a
 * temporary file and copy it into the stream. */
static gboolean
export_sysprof_capture_stream (SpSession             *self,
                               GOutputStream         *stream,
                               SpExportProgressFunc   progress,
                               gpointer               progress_data,
                               GCancellable          *cancellable,
                               GError               **error)
{
  g_autofree char *tmp_path = NULL;
  g_autoptr(GFile) tmp_file = NULL;
  g_autoptr(GFileInputStream) input = NULL;
  gboolean ok;
  int fd;

  fd = g_file_open_tmp ("scope-profiler-XXXXXX.syscap", &tmp_path, error);
  if (fd < 0)
    return FALSE;

  ok = export_sysprof_capture_fd (self, fd, progress, progress_data, cancellable, error);
  close (fd);

  if (ok)
    {
      tmp_file = g_file_new_for_path (tmp_path);
      input = g_file_read (tmp_file, cancellable, error);
      ok = input != NULL &&
           g_output_stream_splice (stream, G_INPUT_STREAM (input),
                                   G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE,
                                   cancellable, error) >= 0;
    }

  g_unlink (tmp_path);

  return ok;
}
#endif

/**
 * sp_session_export_to_stream_with_progress:
 * @self: a loaded #SpSession
 * @format: the format to write
 * @stream: where to write it
 * @progress: (nullable) (scope call) (closure progress_data): called with
 *   the fraction written so far
 * @progress_data: data for @progress
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Like [method@Session.export_to_stream], and calls @progress now and
 * then with the fraction of the export written so far (by intervals
 * written), the last time with 1.0 once the export is complete.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.2
 */
gboolean
sp_session_export_to_stream_with_progress (SpSession             *self,
                                   SpExportFormat         format,
                                   GOutputStream         *stream,
                                   SpExportProgressFunc   progress,
                                   gpointer               progress_data,
                                   GCancellable          *cancellable,
                                   GError               **error)
{
  Writer w;
  gboolean ok = FALSE;

  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!sp_session_get_loaded (self))
    {
      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT,
                   "The session has not been loaded");
      return FALSE;
    }

  if (!check_format (format, error))
    return FALSE;

  if (format == SP_EXPORT_FORMAT_SYSPROF_CAPTURE)
    {
#ifdef SP_HAVE_SYSPROF_CAPTURE
      ok = export_sysprof_capture_stream (self, stream, progress, progress_data, cancellable, error);
#endif
      goto done;
    }

  writer_init (&w, stream, progress, progress_data, cancellable);
  w.n_total = count_intervals (self);

  switch (format)
    {
    case SP_EXPORT_FORMAT_CHROME_TRACE:
      ok = export_chrome_trace (self, &w, error);
      break;
    case SP_EXPORT_FORMAT_CSV_INTERVALS:
      ok = export_csv_intervals (self, &w, error);
      break;
    case SP_EXPORT_FORMAT_CSV_STATISTICS:
      ok = export_csv_statistics (self, &w, error);
      break;
    case SP_EXPORT_FORMAT_JSON_STATISTICS:
      ok = export_json_statistics (self, &w, error);
      break;
    case SP_EXPORT_FORMAT_SYSPROF_CAPTURE:
    default:
      g_assert_not_reached ();
    }

  writer_clear (&w);

done:
  if (ok && progress != NULL)
    progress (1.0, progress_data);

  return ok;
}

/**
 * sp_session_export_to_stream:
 * @self: a loaded #SpSession
 * @format: the format to write
 * @stream: where to write it
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes the whole of @self to @stream in @format. The stream is written
 * in pieces as the export goes, never held in memory whole, and is not
 * closed.
 *
 * - %SP_EXPORT_FORMAT_CHROME_TRACE writes
 *   `{"traceEvents": [...], "displayTimeUnit": "ns", "otherData": {...}}`
 *   with one complete (`"ph": "X"`) event per interval, `pid` the rank and
 *   `tid` the thread id (%SP_EXPORT_CHROME_UNKNOWN_TID for intervals
 *   recorded without one), `ts` and `dur` in microseconds written exactly
 *   from the nanoseconds (three decimals), the nesting depth in `args`, and
 *   metadata (`"ph": "M"`) events naming each rank and thread. `otherData`
 *   holds the session's metadata.
 * - %SP_EXPORT_FORMAT_CSV_INTERVALS writes the header
 *   `rank,thread,region,depth,start_ns,end_ns,duration_ns` and one row per
 *   interval, lane by lane in start order; the thread is -1 when unknown.
 * - %SP_EXPORT_FORMAT_CSV_STATISTICS writes the header
 *   `region,count,total_ns,self_ns,mean_ns,min_ns,max_ns,std_ns,median_ns,p90_ns,p99_ns`
 *   and one row per region, as [method@Session.get_region_stats] gives.
 * - %SP_EXPORT_FORMAT_JSON_STATISTICS writes an object with the session's
 *   `path`, `schema`, `start_ns`, `end_ns`, `ranks`, `wall_time_ns`,
 *   `lane_time_ns`, `metadata`, and `regions`: a list of `{"name",
 *   "statistics", "share", "covered_ns", "imbalance": {"min_ns", "mean_ns",
 *   "max_ns", "ratio", "slowest_rank"}, "ranks": {"N": ...}}`, the figures
 *   of #SpAnalysis (`share` is a fraction, `ratio` max/mean over ranks).
 * - %SP_EXPORT_FORMAT_SYSPROF_CAPTURE writes a capture with one mark per
 *   interval, group `rank N/thread T` and the region's name (cut to the
 *   39 bytes a mark holds; the full name is then the mark's message).
 *
 * CSV fields are quoted as RFC 4180 says; lines end with `\n`. Names
 * that are not valid UTF-8 are written with U+FFFD in place of bad bytes.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
sp_session_export_to_stream (SpSession       *self,
                             SpExportFormat   format,
                             GOutputStream   *stream,
                             GCancellable    *cancellable,
                             GError         **error)
{
  return sp_session_export_to_stream_with_progress (self, format, stream, NULL, NULL, cancellable, error);
}

/**
 * sp_session_export_to_file_with_progress:
 * @self: a loaded #SpSession
 * @format: the format to write
 * @path: (type filename): the file to write
 * @progress: (nullable) (scope call) (closure progress_data): called with
 *   the fraction written so far
 * @progress_data: data for @progress
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Like [method@Session.export_to_file], and calls @progress now and then
 * with the fraction of the export written so far, the last time with 1.0.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.2
 */
gboolean
sp_session_export_to_file_with_progress (SpSession             *self,
                                         SpExportFormat         format,
                                         const char            *path,
                                         SpExportProgressFunc   progress,
                                         gpointer               progress_data,
                                         GCancellable          *cancellable,
                                         GError               **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autofree char *tmp_path = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!sp_session_get_loaded (self))
    {
      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT,
                   "The session has not been loaded");
      return FALSE;
    }

  if (!check_format (format, error))
    return FALSE;

  /* Written beside @path and renamed over it: @path is either the old file
   * or the complete export, never half of one. */
  fd = sp_atomic_file_open (path, &tmp_path, error);
  if (fd < 0)
    return FALSE;

  if (format == SP_EXPORT_FORMAT_SYSPROF_CAPTURE)
    {
#ifdef SP_HAVE_SYSPROF_CAPTURE
      ok = export_sysprof_capture_fd (self, fd, progress, progress_data, cancellable, error);
      if (ok && progress != NULL)
        progress (1.0, progress_data);
#else
      ok = FALSE;
      g_assert_not_reached ();
#endif
      if (close (fd) != 0 && ok)
        {
          int errsv = errno;
          g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv),
                       "Could not write “%s”: %s", path, g_strerror (errsv));
          ok = FALSE;
        }
    }
  else
    {
      close (fd);
      file = g_file_new_for_path (tmp_path);
      stream = g_file_append_to (file, G_FILE_CREATE_NONE, cancellable, error);
      ok = stream != NULL &&
           sp_session_export_to_stream_with_progress (self, format, G_OUTPUT_STREAM (stream),
                                                      progress, progress_data, cancellable, error);
      if (stream != NULL)
        {
          g_autoptr(GError) close_error = NULL;

          if (!g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &close_error) && ok)
            {
              g_propagate_error (error, g_steal_pointer (&close_error));
              ok = FALSE;
            }
        }
    }

  return sp_atomic_file_commit (tmp_path, path, "the export", ok, error);
}

/**
 * sp_session_export_to_file:
 * @self: a loaded #SpSession
 * @format: the format to write
 * @path: (type filename): the file to write
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes the whole of @self to @path in @format; see
 * [method@Session.export_to_stream] for the formats. The export is written
 * to a temporary file beside @path and renamed over it when complete, so
 * @path never holds half an export; on failure it is left untouched.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
sp_session_export_to_file (SpSession       *self,
                           SpExportFormat   format,
                           const char      *path,
                           GCancellable    *cancellable,
                           GError         **error)
{
  return sp_session_export_to_file_with_progress (self, format, path, NULL, NULL, cancellable, error);
}
