/* test-export.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "scope-profiler.h"
#include "sp-export-private.h"
#include "sp-h5-writer-private.h"
#include "sp-metadata-private.h"
#include "sp-test-util.h"

#if defined(__has_include)
# if __has_include(<sysprof-capture.h>)
#  include <sysprof-capture.h>
#  define HAVE_SYSPROF_READER 1
# endif
#endif

/* The session every test exports:
 *
 *   rank 0, thread 0 "main":  outer [1000, 13345)
 *                               in"ner, x\n [2000, 3000) and [4000, 4001)
 *   rank 0, thread 1:          outer [500, 1500)
 *   rank 2, no thread id:      ünï [10, 20)
 */
#define INNER_NAME "in\"ner, x\n"

static const gint64 outer0_starts[] = { 1000 };
static const gint64 outer0_ends[] = { 13345 };
static const gint64 inner_starts[] = { 2000, 4000 };
static const gint64 inner_ends[] = { 3000, 4001 };
static const gint64 outer1_starts[] = { 500 };
static const gint64 outer1_ends[] = { 1500 };
static const gint64 uni_starts[] = { 10 };
static const gint64 uni_ends[] = { 20 };

static SpSession *
make_session (char **out_dir)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "session.h5", NULL);
  g_autoptr(GPtrArray) metadata = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_metadata_entry_free);
  g_autoptr(SpWriterRank) rank0 = sp_writer_rank_new (0);
  g_autoptr(SpWriterRank) rank2 = sp_writer_rank_new (2);
  g_autoptr(GError) error = NULL;
  SpWriterRank *ranks[2];
  SpWriterRegion *region;
  SpSession *session;

  sp_metadata_set_string (metadata, "hostname", "node \"7\"");
  sp_metadata_set_int (metadata, "mpi_size", 3);

  sp_writer_rank_add_thread (rank0, 0, 4242, "main");
  sp_writer_rank_add_thread (rank0, 1, 77, NULL);

  region = sp_writer_rank_get_region (rank0, 0, "outer");
  sp_writer_region_add_block (region, 0, outer0_starts, outer0_ends, 1);
  sp_writer_region_add_block (region, 1, outer1_starts, outer1_ends, 1);
  region->num_calls = 2;
  region = sp_writer_rank_get_region (rank0, 1, INNER_NAME);
  sp_writer_region_add_block (region, 0, inner_starts, inner_ends, 2);
  region->num_calls = 2;

  region = sp_writer_rank_get_region (rank2, 0, "ünï");
  sp_writer_region_add_block (region, SP_SESSION_THREAD_UNKNOWN, uni_starts, uni_ends, 1);
  region->num_calls = 1;

  ranks[0] = rank0;
  ranks[1] = rank2;
  g_assert_true (sp_h5_write_session (path, metadata, ranks, 2, &error));
  g_assert_no_error (error);

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  if (out_dir != NULL)
    *out_dir = g_steal_pointer (&dir);

  return session;
}

static char *
export_to_string (SpSession      *session,
                  SpExportFormat  format)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  char nul = '\0';

  g_assert_true (sp_session_export_to_stream (session, format, stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (stream, &nul, 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (stream, NULL, NULL));

  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (stream));
}

static guint
count_substrings (const char *haystack,
                  const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;

  return n;
}

static void
test_export_microseconds (void)
{
  static const struct { gint64 ns; const char *us; } cases[] = {
    { 0, "0.000" },
    { 1, "0.001" },
    { 999, "0.999" },
    { 1000, "1.000" },
    { 12345, "12.345" },
    { 1234567890123456789, "1234567890123456.789" },
    { -1, "-0.001" },
    { -1500, "-1.500" },
    { G_MAXINT64, "9223372036854775.807" },
    { G_MININT64, "-9223372036854775.808" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) s = g_string_new (NULL);

      sp_export_append_us (s, cases[i].ns);
      g_assert_cmpstr (s->str, ==, cases[i].us);
    }
}

static void
test_export_json_string (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "plain", "\"plain\"" },
    { "a\"b\\c", "\"a\\\"b\\\\c\"" },
    { "tab\tnl\ncr\r", "\"tab\\tnl\\ncr\\r\"" },
    { "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
    { "ünïcode ✓", "\"ünïcode ✓\"" },
    { "bad \xff byte", "\"bad \xef\xbf\xbd byte\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) s = g_string_new (NULL);

      sp_export_append_json_string (s, cases[i].in);
      g_assert_cmpstr (s->str, ==, cases[i].out);
    }
}

static void
test_export_csv_field (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "plain", "plain" },
    { "", "" },
    { "a,b", "\"a,b\"" },
    { "say \"hi\"", "\"say \"\"hi\"\"\"" },
    { "two\nlines", "\"two\nlines\"" },
    { "cr\r", "\"cr\r\"" },
    { " padded ", "\" padded \"" },
    { "ünï", "ünï" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) s = g_string_new (NULL);

      sp_export_append_csv_field (s, cases[i].in);
      g_assert_cmpstr (s->str, ==, cases[i].out);
    }
}

static void
test_export_chrome_trace (void)
{
  g_autoptr(SpSession) session = make_session (NULL);
  g_autofree char *json = export_to_string (session, SP_EXPORT_FORMAT_CHROME_TRACE);

  g_assert_true (g_str_has_prefix (json, "{\"traceEvents\":["));
  g_assert_nonnull (strstr (json, "],\"displayTimeUnit\":\"ns\","));
  g_assert_true (g_str_has_suffix (json, "}\n"));

  /* One complete event per interval, µs with the ns as decimals. */
  g_assert_cmpuint (count_substrings (json, "\"ph\":\"X\""), ==, 5);
  g_assert_nonnull (strstr (json, "{\"ph\":\"X\",\"name\":\"outer\",\"cat\":\"region\",\"pid\":0,\"tid\":0,"
                                  "\"ts\":1.000,\"dur\":12.345,\"args\":{\"depth\":0}}"));
  g_assert_nonnull (strstr (json, "{\"ph\":\"X\",\"name\":\"in\\\"ner, x\\n\",\"cat\":\"region\",\"pid\":0,\"tid\":0,"
                                  "\"ts\":4.000,\"dur\":0.001,\"args\":{\"depth\":1}}"));
  g_assert_nonnull (strstr (json, "\"pid\":0,\"tid\":1,\"ts\":0.500,\"dur\":1.000"));
  g_assert_nonnull (strstr (json, "{\"ph\":\"X\",\"name\":\"ünï\",\"cat\":\"region\",\"pid\":2,\"tid\":2147483647,"
                                  "\"ts\":0.010,\"dur\":0.010,\"args\":{\"depth\":0}}"));

  /* Within a lane, the outer interval comes before what it contains. */
  g_assert_true (strstr (json, "\"ts\":1.000,\"dur\":12.345") < strstr (json, "\"ts\":2.000,\"dur\":1.000"));

  /* Ranks and threads are named. */
  g_assert_nonnull (strstr (json, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":0,\"tid\":0,\"args\":{\"name\":\"rank 0\"}}"));
  g_assert_nonnull (strstr (json, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":2,\"tid\":0,\"args\":{\"name\":\"rank 2\"}}"));
  g_assert_nonnull (strstr (json, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":0,\"tid\":0,\"args\":{\"name\":\"main\"}}"));
  g_assert_nonnull (strstr (json, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":0,\"tid\":1,\"args\":{\"name\":\"thread 1\"}}"));
  g_assert_nonnull (strstr (json, "\"tid\":2147483647,\"args\":{\"name\":\"unknown thread\"}}"));

  /* The session's metadata rides along, escaped. */
  g_assert_nonnull (strstr (json, "\"hostname\":\"node \\\"7\\\"\""));
  g_assert_nonnull (strstr (json, "\"mpi_size\":3"));
}

static void
test_export_csv_intervals (void)
{
  g_autoptr(SpSession) session = make_session (NULL);
  g_autofree char *csv = export_to_string (session, SP_EXPORT_FORMAT_CSV_INTERVALS);

  g_assert_cmpstr (csv, ==,
                   "rank,thread,region,depth,start_ns,end_ns,duration_ns\n"
                   "0,0,outer,0,1000,13345,12345\n"
                   "0,0,\"in\"\"ner, x\n\",1,2000,3000,1000\n"
                   "0,0,\"in\"\"ner, x\n\",1,4000,4001,1\n"
                   "0,1,outer,0,500,1500,1000\n"
                   "2,-1,ünï,0,10,20,10\n");
}

static void
test_export_csv_statistics (void)
{
  g_autoptr(SpSession) session = make_session (NULL);
  g_autofree char *csv = export_to_string (session, SP_EXPORT_FORMAT_CSV_STATISTICS);
  g_auto(GStrv) lines = NULL;
  g_autofree char *outer_row = NULL;
  g_autoptr(SpRegionStats) stats = NULL;
  guint outer;
  char p90[G_ASCII_DTOSTR_BUF_SIZE];
  char p99[G_ASCII_DTOSTR_BUF_SIZE];

  g_assert_true (g_str_has_prefix (csv, "region,count,total_ns,self_ns,mean_ns,min_ns,max_ns,std_ns,median_ns,p90_ns,p99_ns\n"));

  /* durations 12345 and 1000; 1001 of the first is nested time. */
  g_assert_true (sp_session_lookup_region (session, "outer", &outer));
  stats = sp_session_get_region_stats (session, outer);
  g_ascii_formatd (p90, sizeof p90, "%.15g", sp_region_stats_get_p90 (stats));
  g_ascii_formatd (p99, sizeof p99, "%.15g", sp_region_stats_get_p99 (stats));
  outer_row = g_strdup_printf ("outer,2,13345,12344,6672.5,1000,12345,5672.5,6672.5,%s,%s\n", p90, p99);
  g_assert_nonnull (strstr (csv, outer_row));

  g_assert_nonnull (strstr (csv, "\n\"in\"\"ner, x\n\",2,1001,1001,500.5,1,1000,499.5,500.5,"));
  g_assert_nonnull (strstr (csv, "\nünï,1,10,10,10,10,10,0,10,10,10\n"));

  lines = g_strsplit (csv, "\n", -1);
  /* header, 3 regions (one spans two lines), trailing empty string */
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
}

static void
test_export_json_statistics (void)
{
  g_autoptr(SpSession) session = make_session (NULL);
  g_autofree char *json = export_to_string (session, SP_EXPORT_FORMAT_JSON_STATISTICS);

  g_assert_true (g_str_has_prefix (json, "{\"path\":\""));
  g_assert_nonnull (strstr (json, "\"schema\":1,\"start_ns\":10,\"end_ns\":13345,\"ranks\":[0,2],"));
  g_assert_nonnull (strstr (json, "{\"name\":\"outer\",\"statistics\":{\"count\":2,\"total_ns\":13345,"
                                  "\"self_ns\":12344,\"mean_ns\":6672.5,\"min_ns\":1000,\"max_ns\":12345,"
                                  "\"std_ns\":5672.5,\"median_ns\":6672.5,"));
  g_assert_nonnull (strstr (json, "\"ranks\":{\"0\":{\"count\":2,"));
  g_assert_nonnull (strstr (json, "{\"name\":\"ünï\",\"statistics\":{\"count\":1,"));
  g_assert_nonnull (strstr (json, "\"ranks\":{\"2\":{\"count\":1,"));
  g_assert_nonnull (strstr (json, "\"metadata\":{\"hostname\":\"node \\\"7\\\"\",\"mpi_size\":3"));
  g_assert_true (g_str_has_suffix (json, "\n]}\n"));
}

/* An output stream that remembers the largest single write: an export
 * that built the document in memory would hand it over in one piece. */
#define TEST_TYPE_COUNTING_STREAM (test_counting_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestCountingStream, test_counting_stream, TEST, COUNTING_STREAM, GOutputStream)

struct _TestCountingStream
{
  GOutputStream parent_instance;
  gsize         total;
  gsize         largest;
  guint         n_writes;
};

G_DEFINE_FINAL_TYPE (TestCountingStream, test_counting_stream, G_TYPE_OUTPUT_STREAM)

static gssize
test_counting_stream_write (GOutputStream  *stream,
                            const void     *buffer,
                            gsize           count,
                            GCancellable   *cancellable,
                            GError        **error)
{
  TestCountingStream *self = TEST_COUNTING_STREAM (stream);

  self->total += count;
  self->largest = MAX (self->largest, count);
  self->n_writes++;

  return count;
}

static void
test_counting_stream_class_init (TestCountingStreamClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = test_counting_stream_write;
}

static void
test_counting_stream_init (TestCountingStream *self)
{
}

static void
progress_cb (double   fraction,
             gpointer data)
{
  double *last = data;

  g_assert_cmpfloat (fraction, >=, *last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  *last = fraction;
}

static void
test_export_streams (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "big.h5", NULL);
  g_autoptr(GPtrArray) metadata = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_metadata_entry_free);
  g_autoptr(SpWriterRank) rank = sp_writer_rank_new (0);
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *starts = NULL;
  g_autofree gint64 *ends = NULL;
  const guint n = 200000;
  SpWriterRegion *region;

  starts = g_new (gint64, n);
  ends = g_new (gint64, n);
  for (guint i = 0; i < n; i++)
    {
      starts[i] = (gint64) i * 10;
      ends[i] = (gint64) i * 10 + 5;
    }
  region = sp_writer_rank_get_region (rank, 0, "tick");
  sp_writer_region_add_block (region, 0, starts, ends, n);
  region->num_calls = n;
  g_assert_true (sp_h5_write_session (path, metadata, &rank, 1, &error));
  g_assert_no_error (error);

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);

  for (SpExportFormat format = SP_EXPORT_FORMAT_CHROME_TRACE; format <= SP_EXPORT_FORMAT_CSV_INTERVALS; format++)
    {
      g_autoptr(TestCountingStream) stream = g_object_new (TEST_TYPE_COUNTING_STREAM, NULL);
      double last = 0.0;

      g_assert_true (sp_session_export_to_stream_with_progress (session, format, G_OUTPUT_STREAM (stream),
                                                        progress_cb, &last, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (last, ==, 1.0);

      /* Several megabytes, never more than ~64 KiB at a time. */
      g_assert_cmpuint (stream->total, >, 4 * 1024 * 1024);
      g_assert_cmpuint (stream->largest, <, 128 * 1024);
      g_assert_cmpuint (stream->n_writes, >, 30);
    }
}

static void
test_export_file_atomic (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(SpSession) session = make_session (&dir);
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *entry;
  guint n_entries = 0;

  path = g_build_filename (dir, "out.csv", NULL);
  g_assert_true (sp_session_export_to_file (session, SP_EXPORT_FORMAT_CSV_INTERVALS, path, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "rank,thread,region,depth,start_ns,end_ns,duration_ns\n0,0,outer,"));
  g_clear_pointer (&contents, g_free);

  /* A failed export leaves the old file as it was, and no litter. */
  g_cancellable_cancel (cancellable);
  g_assert_false (sp_session_export_to_file (session, SP_EXPORT_FORMAT_CHROME_TRACE, path, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "rank,thread,region,"));

  listing = g_dir_open (dir, 0, NULL);
  while ((entry = g_dir_read_name (listing)) != NULL)
    {
      g_assert_false (g_str_has_prefix (entry, "."));
      n_entries++;
    }
  g_assert_cmpuint (n_entries, ==, 2);   /* session.h5, out.csv */

  missing = g_build_filename (dir, "no", "such", "dir", "out.json", NULL);
  g_assert_false (sp_session_export_to_file (session, SP_EXPORT_FORMAT_JSON_STATISTICS, missing, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

static void
test_export_unloaded (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_false (sp_session_export_to_stream (session, SP_EXPORT_FORMAT_CSV_INTERVALS, stream, NULL, &error));
  g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (sp_export_format_is_supported (SP_EXPORT_FORMAT_CHROME_TRACE));
  g_assert_true (sp_export_format_is_supported (SP_EXPORT_FORMAT_CSV_INTERVALS));
  g_assert_true (sp_export_format_is_supported (SP_EXPORT_FORMAT_CSV_STATISTICS));
  g_assert_true (sp_export_format_is_supported (SP_EXPORT_FORMAT_JSON_STATISTICS));
  g_assert_false (sp_export_format_is_supported ((SpExportFormat) 1000));
}

static void
test_export_sysprof_capture (void)
{
#ifdef HAVE_SYSPROF_READER
  g_autofree char *dir = NULL;
  g_autoptr(SpSession) session = make_session (&dir);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  SysprofCaptureReader *reader;
  SysprofCaptureFrameType type;
  guint n_marks = 0;
  gboolean seen[5] = { FALSE, };
  static const struct {
    gint64 time;
    gint64 duration;
    int pid;
    const char *group;
    const char *name;
  } expected[] = {
    { 1000, 12345, 0, "rank 0/thread 0", "outer" },
    { 2000, 1000, 0, "rank 0/thread 0", INNER_NAME },
    { 4000, 1, 0, "rank 0/thread 0", INNER_NAME },
    { 500, 1000, 0, "rank 0/thread 1", "outer" },
    { 10, 10, 2, "rank 2/no thread id", "ünï" },
  };

  if (!sp_export_format_is_supported (SP_EXPORT_FORMAT_SYSPROF_CAPTURE))
    {
      g_test_skip ("built without Sysprof support");
      return;
    }

  path = g_build_filename (dir, "session.syscap", NULL);
  g_assert_true (sp_session_export_to_file (session, SP_EXPORT_FORMAT_SYSPROF_CAPTURE, path, NULL, &error));
  g_assert_no_error (error);

  reader = sysprof_capture_reader_new (path);
  g_assert_nonnull (reader);

  /* The capture covers the session's own time range. */
  g_assert_cmpint (sysprof_capture_reader_get_start_time (reader), ==, 10);
  g_assert_cmpint (sysprof_capture_reader_get_end_time (reader), ==, 13345);

  while (sysprof_capture_reader_peek_type (reader, &type))
    {
      const SysprofCaptureMark *mark;
      gboolean found = FALSE;

      if (type != SYSPROF_CAPTURE_FRAME_MARK)
        {
          g_assert_true (sysprof_capture_reader_skip (reader));
          continue;
        }

      mark = sysprof_capture_reader_read_mark (reader);
      g_assert_nonnull (mark);
      n_marks++;

      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        {
          if (mark->frame.time == expected[i].time &&
              mark->duration == expected[i].duration &&
              mark->frame.pid == expected[i].pid &&
              g_str_equal (mark->group, expected[i].group) &&
              g_str_equal (mark->name, expected[i].name))
            {
              g_assert_false (seen[i]);
              seen[i] = found = TRUE;
            }
        }
      g_assert_true (found);
    }

  g_assert_cmpuint (n_marks, ==, G_N_ELEMENTS (expected));
  sysprof_capture_reader_unref (reader);

  /* To a stream as well: the same capture, through a temporary file. */
  {
    g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
    g_autofree char *contents = NULL;
    gsize length;

    g_assert_true (sp_session_export_to_stream (session, SP_EXPORT_FORMAT_SYSPROF_CAPTURE, stream, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_output_stream_close (stream, NULL, NULL));
    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)), ==, length);
  }
#else
  g_test_skip ("the libsysprof-capture-4 reader is not available");
#endif
}

static void
test_export_sysprof_long_names (void)
{
#ifdef HAVE_SYSPROF_READER
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *h5 = g_build_filename (dir, "long.h5", NULL);
  g_autofree char *path = g_build_filename (dir, "long.syscap", NULL);
  g_autoptr(GPtrArray) metadata = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_metadata_entry_free);
  g_autoptr(SpWriterRank) rank = sp_writer_rank_new (0);
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  /* 38 ASCII bytes then "é": the cut must not split the character. */
  const char *name = "a_region_name_that_is_far_too_long_xxxé and more";
  SysprofCaptureReader *reader;
  SysprofCaptureFrameType type;
  const SysprofCaptureMark *mark = NULL;
  SpWriterRegion *region;

  if (!sp_export_format_is_supported (SP_EXPORT_FORMAT_SYSPROF_CAPTURE))
    {
      g_test_skip ("built without Sysprof support");
      return;
    }

  region = sp_writer_rank_get_region (rank, 0, name);
  sp_writer_region_add_block (region, 0, uni_starts, uni_ends, 1);
  region->num_calls = 1;
  g_assert_true (sp_h5_write_session (h5, metadata, &rank, 1, &error));
  session = sp_session_new_from_file (h5, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (sp_session_export_to_file (session, SP_EXPORT_FORMAT_SYSPROF_CAPTURE, path, NULL, &error));
  g_assert_no_error (error);

  reader = sysprof_capture_reader_new (path);
  g_assert_nonnull (reader);
  while (mark == NULL && sysprof_capture_reader_peek_type (reader, &type))
    {
      if (type == SYSPROF_CAPTURE_FRAME_MARK)
        mark = sysprof_capture_reader_read_mark (reader);
      else
        g_assert_true (sysprof_capture_reader_skip (reader));
    }
  g_assert_nonnull (mark);
  g_assert_cmpstr (mark->name, ==, "a_region_name_that_is_far_too_long_xxx");
  g_assert_true (g_utf8_validate (mark->name, -1, NULL));
  /* The full name is the message. */
  g_assert_cmpstr (mark->message, ==, name);
  sysprof_capture_reader_unref (reader);
#else
  g_test_skip ("the libsysprof-capture-4 reader is not available");
#endif
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/Export/microseconds", test_export_microseconds);
  g_test_add_func ("/ScopeProfiler/Export/json-string", test_export_json_string);
  g_test_add_func ("/ScopeProfiler/Export/csv-field", test_export_csv_field);
  g_test_add_func ("/ScopeProfiler/Export/chrome-trace", test_export_chrome_trace);
  g_test_add_func ("/ScopeProfiler/Export/csv-intervals", test_export_csv_intervals);
  g_test_add_func ("/ScopeProfiler/Export/csv-statistics", test_export_csv_statistics);
  g_test_add_func ("/ScopeProfiler/Export/json-statistics", test_export_json_statistics);
  g_test_add_func ("/ScopeProfiler/Export/streams", test_export_streams);
  g_test_add_func ("/ScopeProfiler/Export/file-atomic", test_export_file_atomic);
  g_test_add_func ("/ScopeProfiler/Export/unloaded", test_export_unloaded);
  g_test_add_func ("/ScopeProfiler/Export/sysprof-capture", test_export_sysprof_capture);
  g_test_add_func ("/ScopeProfiler/Export/sysprof-long-names", test_export_sysprof_long_names);

  return g_test_run ();
}
