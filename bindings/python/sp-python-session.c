/* sp-python-session.c: saved sessions for the scope_profiler package
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Session wraps an SpSession for scope_profiler.h5reader. The interval
 * arrays leave the library as Array objects: read-only buffers over the
 * session's own memory (keeping the session alive), which numpy wraps with
 * numpy.frombuffer() without a copy. Only a region recorded on several
 * threads of one rank is copied, merged by start time in C. Statistics
 * are the library's SpRegionStats; interval_stats() gives them for arrays
 * that come from no session. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sp-python-private.h"

static PyObject *session_error;

/* Array: a read-only one-dimensional buffer */

typedef struct
{
  PyObject_HEAD
  gconstpointer   data;
  Py_ssize_t      n;
  Py_ssize_t      itemsize;
  Py_ssize_t      n_bytes;
  Py_ssize_t      byte_size;     /* 1: the strides of a byte view */
  const char     *format;
  gpointer        owner;
  GDestroyNotify  owner_free;
} ArrayObject;

static PyTypeObject Array_Type;

/* Takes @owner, released with @owner_free when the array is gone. */
static PyObject *
array_new (gconstpointer   data,
           gsize           n,
           gsize           itemsize,
           const char     *format,
           gpointer        owner,
           GDestroyNotify  owner_free)
{
  static const gint64 empty[1] = { 0 };
  ArrayObject *self;

  self = PyObject_New (ArrayObject, &Array_Type);
  if (self == NULL)
    {
      if (owner_free != NULL && owner != NULL)
        owner_free (owner);
      return NULL;
    }

  self->data = (data != NULL && n > 0) ? data : (gconstpointer) empty;
  self->n = (Py_ssize_t) n;
  self->itemsize = (Py_ssize_t) itemsize;
  self->n_bytes = (Py_ssize_t) (n * itemsize);
  self->byte_size = 1;
  self->format = format;
  self->owner = owner;
  self->owner_free = owner_free;

  return (PyObject *) self;
}

static void
array_dealloc (ArrayObject *self)
{
  if (self->owner_free != NULL && self->owner != NULL)
    self->owner_free (self->owner);

  PyObject_Free (self);
}

static int
array_getbuffer (ArrayObject *self,
                 Py_buffer   *view,
                 int          flags)
{
  gboolean typed = (flags & PyBUF_FORMAT) == PyBUF_FORMAT;

  if ((flags & PyBUF_WRITABLE) == PyBUF_WRITABLE)
    {
      PyErr_SetString (PyExc_BufferError, "session arrays are read-only");
      view->obj = NULL;
      return -1;
    }

  view->buf = (void *) self->data;
  view->obj = Py_NewRef (self);
  view->len = self->n_bytes;
  view->readonly = 1;
  /* Without a format the consumer sees bytes. */
  view->itemsize = typed ? self->itemsize : 1;
  view->format = typed ? (char *) self->format : NULL;
  view->ndim = 1;
  view->shape = (flags & PyBUF_ND) == PyBUF_ND ? (typed ? &self->n : &self->n_bytes) : NULL;
  view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? (typed ? &self->itemsize : &self->byte_size) : NULL;
  view->suboffsets = NULL;
  view->internal = NULL;

  return 0;
}

static Py_ssize_t
array_length (ArrayObject *self)
{
  return self->n;
}

static PyBufferProcs array_as_buffer = {
  .bf_getbuffer = (getbufferproc) array_getbuffer,
};

static PySequenceMethods array_as_sequence = {
  .sq_length = (lenfunc) array_length,
};

PyDoc_STRVAR (array_doc,
"A read-only array of a saved session (int64 or uint32 elements), for\n"
"numpy.frombuffer(). It keeps the session's memory alive.");

static PyTypeObject Array_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_scope_profiler_native.SessionArray",
  .tp_doc = array_doc,
  .tp_basicsize = sizeof (ArrayObject),
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_dealloc = (destructor) array_dealloc,
  .tp_as_buffer = &array_as_buffer,
  .tp_as_sequence = &array_as_sequence,
};

/* An array over @session's memory, which stays valid while the session
 * lives: the session is immutable once loaded. */
static PyObject *
array_peek (SpSession     *session,
            gconstpointer  data,
            gsize          n,
            gsize          itemsize,
            const char    *format)
{
  return array_new (data, n, itemsize, format, g_object_ref (session), g_object_unref);
}

static PyObject *
array_take (gpointer    data,
            gsize       n,
            gsize       itemsize,
            const char *format)
{
  /* new_copy () memory: malloc () or posix_memalign () */
  return array_new (data, n, itemsize, format, data, free);
}

/* Statistics as a dict: count (int); total, mean, min, max, std, median,
 * p90, p99, self_time (ns, floats). Takes @stats. */
static PyObject *
stats_to_dict (SpRegionStats *stats)
{
  PyObject *dict;

  if (stats == NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "no statistics");
      return NULL;
    }

  dict = Py_BuildValue ("{s:K,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d}",
                        "count", (unsigned long long) sp_region_stats_get_count (stats),
                        "total", (double) sp_region_stats_get_total (stats),
                        "mean", sp_region_stats_get_mean (stats),
                        "min", (double) sp_region_stats_get_min (stats),
                        "max", (double) sp_region_stats_get_max (stats),
                        "std", sp_region_stats_get_stddev (stats),
                        "median", sp_region_stats_get_median (stats),
                        "p90", sp_region_stats_get_p90 (stats),
                        "p99", sp_region_stats_get_p99 (stats),
                        "self_time", (double) sp_region_stats_get_self_time (stats));
  sp_region_stats_unref (stats);

  return dict;
}

/* Two equally long C-contiguous int64 buffers. */
static gboolean
get_interval_buffers (PyObject  *starts,
                      PyObject  *ends,
                      Py_buffer *starts_view,
                      Py_buffer *ends_view)
{
  if (PyObject_GetBuffer (starts, starts_view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
    return FALSE;

  if (PyObject_GetBuffer (ends, ends_view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
    {
      PyBuffer_Release (starts_view);
      return FALSE;
    }

  if (starts_view->itemsize != 8 || ends_view->itemsize != 8 ||
      starts_view->format == NULL || ends_view->format == NULL ||
      strchr ("qlL", starts_view->format[strlen (starts_view->format) - 1]) == NULL ||
      strchr ("qlL", ends_view->format[strlen (ends_view->format) - 1]) == NULL ||
      starts_view->ndim > 1 || ends_view->ndim > 1)
    {
      PyErr_SetString (PyExc_TypeError, "start and end times must be one-dimensional int64 arrays");
      goto fail;
    }

  if (starts_view->len != ends_view->len)
    {
      PyErr_Format (PyExc_ValueError, "%zd start times but %zd end times",
                    starts_view->len / 8, ends_view->len / 8);
      goto fail;
    }

  return TRUE;

fail:
  PyBuffer_Release (starts_view);
  PyBuffer_Release (ends_view);
  return FALSE;
}

PyDoc_STRVAR (interval_stats_doc,
"interval_stats(start_times, end_times) -> dict\n\n"
"The library's duration statistics (SpRegionStats) of intervals given as\n"
"two equally long int64 arrays in nanoseconds: count, and total, mean,\n"
"min, max, std (population), median, p90, p99, self_time in ns.");

static PyObject *
native_interval_stats (PyObject *module,
                       PyObject *args)
{
  PyObject *starts;
  PyObject *ends;
  Py_buffer sv;
  Py_buffer ev;
  SpRegionStats *stats;

  if (!PyArg_ParseTuple (args, "OO:interval_stats", &starts, &ends))
    return NULL;

  if (!get_interval_buffers (starts, ends, &sv, &ev))
    return NULL;

  Py_BEGIN_ALLOW_THREADS
  stats = sp_region_stats_new_for_intervals (sv.buf, ev.buf, (gsize) (sv.len / 8));
  Py_END_ALLOW_THREADS

  PyBuffer_Release (&sv);
  PyBuffer_Release (&ev);

  return stats_to_dict (stats);
}

/* Session */

typedef struct
{
  PyObject_HEAD
  SpSession *session;
  SpAnalysis *analysis;   /* computed on first use */
} SessionObject;

static PyTypeObject Session_Type;

static int
session_init (SessionObject *self,
              PyObject      *args,
              PyObject      *kwargs)
{
  static char *keywords[] = { (char *) "path", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;
  PyObject *path_bytes = NULL;
  const char *path;
  gboolean ok;

  if (self->session != NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "a Session is loaded once");
      return -1;
    }

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "O&:Session", keywords,
                                    PyUnicode_FSConverter, &path_bytes))
    return -1;

  path = PyBytes_AS_STRING (path_bytes);
  session = sp_session_new ();

  Py_BEGIN_ALLOW_THREADS
  ok = sp_session_load (session, path, NULL, &error);
  Py_END_ALLOW_THREADS

  if (!ok)
    {
      PyObject *filename = PyUnicode_DecodeFSDefault (path);

      /* The library says what failed; the file is not looked at again. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          errno = ENOENT;
          PyErr_SetFromErrnoWithFilenameObject (PyExc_FileNotFoundError, filename);
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
        {
          errno = EISDIR;
          PyErr_SetFromErrnoWithFilenameObject (PyExc_IsADirectoryError, filename);
        }
      else
        {
          PyErr_SetString (session_error, error != NULL ? error->message : "the file cannot be read");
        }

      Py_XDECREF (filename);
      Py_DECREF (path_bytes);
      return -1;
    }

  Py_DECREF (path_bytes);
  self->session = g_steal_pointer (&session);

  return 0;
}

static void
session_dealloc (SessionObject *self)
{
  g_clear_pointer (&self->analysis, sp_analysis_unref);
  g_clear_object (&self->session);
  Py_TYPE (self)->tp_free ((PyObject *) self);
}

#define CHECK_LOADED(self)                                              \
  G_STMT_START {                                                        \
    if ((self)->session == NULL)                                        \
      {                                                                 \
        PyErr_SetString (PyExc_RuntimeError, "the Session is not loaded"); \
        return NULL;                                                    \
      }                                                                 \
  } G_STMT_END

static gboolean
check_region (SessionObject *self,
              unsigned int   region)
{
  if (region >= sp_session_get_n_regions (self->session))
    {
      PyErr_Format (PyExc_IndexError, "no region %u", region);
      return FALSE;
    }

  return TRUE;
}

static PyObject *
session_get_schema (SessionObject *self,
                    void          *closure)
{
  CHECK_LOADED (self);
  return PyLong_FromLong (sp_session_get_schema (self->session));
}

static PyObject *
session_get_start_time (SessionObject *self,
                        void          *closure)
{
  CHECK_LOADED (self);
  return PyLong_FromLongLong (sp_session_get_start_time (self->session));
}

static PyObject *
session_get_end_time (SessionObject *self,
                      void          *closure)
{
  CHECK_LOADED (self);
  return PyLong_FromLongLong (sp_session_get_end_time (self->session));
}

static PyObject *
session_get_n_overlaps (SessionObject *self,
                        void          *closure)
{
  CHECK_LOADED (self);
  return PyLong_FromUnsignedLongLong (sp_session_get_n_overlaps (self->session));
}

static PyGetSetDef session_getset[] = {
  { "schema", (getter) session_get_schema, NULL, "The file's schema (1, 2 or 3)", NULL },
  { "start_time", (getter) session_get_start_time, NULL, "The earliest start, in ns (0 without intervals)", NULL },
  { "end_time", (getter) session_get_end_time, NULL, "The latest end, in ns (0 without intervals)", NULL },
  { "n_overlaps", (getter) session_get_n_overlaps, NULL, "Intervals that overlap without nesting", NULL },
  { NULL },
};

PyDoc_STRVAR (session_metadata_doc,
"metadata() -> dict\n\nThe run's metadata: str, int or float values.");

static PyObject *
session_metadata (SessionObject *self,
                  PyObject      *unused)
{
  g_auto(GStrv) keys = NULL;
  PyObject *dict;

  CHECK_LOADED (self);

  dict = PyDict_New ();
  if (dict == NULL)
    return NULL;

  keys = sp_session_list_metadata_keys (self->session);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = sp_session_get_metadata (self->session, keys[i]);
      PyObject *item = NULL;

      if (value == NULL)
        continue;

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          gsize len = 0;
          const char *text = g_variant_get_string (value, &len);

          item = PyUnicode_DecodeUTF8 (text, (Py_ssize_t) len, "replace");
        }
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        item = PyLong_FromLongLong (g_variant_get_int64 (value));
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
        item = PyFloat_FromDouble (g_variant_get_double (value));
      else
        continue;

      if (item == NULL || PyDict_SetItemString (dict, keys[i], item) < 0)
        {
          Py_XDECREF (item);
          Py_DECREF (dict);
          return NULL;
        }
      Py_DECREF (item);
    }

  return dict;
}

static PyObject *
ranks_to_tuple (const guint *ranks,
                guint        n_ranks)
{
  PyObject *tuple = PyTuple_New (n_ranks);

  if (tuple == NULL)
    return NULL;

  for (guint i = 0; i < n_ranks; i++)
    {
      PyObject *item = PyLong_FromUnsignedLong (ranks[i]);

      if (item == NULL)
        {
          Py_DECREF (tuple);
          return NULL;
        }
      PyTuple_SET_ITEM (tuple, i, item);
    }

  return tuple;
}

PyDoc_STRVAR (session_ranks_doc,
"ranks() -> tuple\n\nThe ranks with intervals or threads, ascending.");

static PyObject *
session_ranks (SessionObject *self,
               PyObject      *unused)
{
  const guint *ranks;
  guint n_ranks = 0;

  CHECK_LOADED (self);

  ranks = sp_session_get_ranks (self->session, &n_ranks);
  return ranks_to_tuple (ranks, n_ranks);
}

PyDoc_STRVAR (session_file_ranks_doc,
"file_ranks() -> tuple\n\n"
"Every rank of the file, ascending: those of ranks() and the ranks whose\n"
"group in a schema-1 file holds nothing.");

static PyObject *
session_file_ranks (SessionObject *self,
                    PyObject      *unused)
{
  const guint *ranks;
  guint n_ranks = 0;

  CHECK_LOADED (self);

  ranks = sp_session_get_file_ranks (self->session, &n_ranks);
  return ranks_to_tuple (ranks, n_ranks);
}

PyDoc_STRVAR (session_threads_doc,
"threads(rank) -> tuple\n\nThe thread ids of a rank, ascending (-1: unknown).");

static PyObject *
session_threads (SessionObject *self,
                 PyObject      *arg)
{
  const gint64 *threads;
  guint n_threads = 0;
  unsigned long rank;
  PyObject *tuple;

  CHECK_LOADED (self);

  rank = PyLong_AsUnsignedLong (arg);
  if (rank == (unsigned long) -1 && PyErr_Occurred ())
    return NULL;

  threads = sp_session_get_threads (self->session, (guint) rank, &n_threads);
  tuple = PyTuple_New (n_threads);
  for (guint i = 0; tuple != NULL && i < n_threads; i++)
    {
      PyObject *item = PyLong_FromLongLong (threads[i]);

      if (item == NULL)
        {
          Py_CLEAR (tuple);
          break;
        }
      PyTuple_SET_ITEM (tuple, i, item);
    }

  return tuple;
}

PyDoc_STRVAR (session_region_names_doc,
"region_names() -> list\n\nThe region names; the index is the region id.");

static PyObject *
session_region_names (SessionObject *self,
                      PyObject      *unused)
{
  guint n;
  PyObject *list;

  CHECK_LOADED (self);

  n = sp_session_get_n_regions (self->session);
  list = PyList_New (n);
  for (guint i = 0; list != NULL && i < n; i++)
    {
      const char *name = sp_session_get_region_name (self->session, i);
      PyObject *item = PyUnicode_DecodeUTF8 (name, (Py_ssize_t) strlen (name), "replace");

      if (item == NULL)
        {
          Py_CLEAR (list);
          break;
        }
      PyList_SET_ITEM (list, i, item);
    }

  return list;
}

/* The ranks on which @region has intervals. */
static GArray *
region_ranks (SpSession *session,
              guint      region)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));
  const guint *ranks;
  guint n_ranks = 0;

  ranks = sp_session_get_ranks (session, &n_ranks);
  for (guint i = 0; i < n_ranks; i++)
    {
      const gint64 *threads;
      guint n_threads = 0;

      threads = sp_session_get_threads (session, ranks[i], &n_threads);
      for (guint j = 0; j < n_threads; j++)
        {
          if (sp_session_peek_intervals (session, region, ranks[i], threads[j], NULL, NULL, NULL))
            {
              g_array_append_val (out, ranks[i]);
              break;
            }
        }
    }

  return out;
}

PyDoc_STRVAR (session_region_ranks_doc,
"region_ranks(region) -> tuple\n\nThe ranks on which a region has intervals.");

static PyObject *
session_region_ranks (SessionObject *self,
                      PyObject      *arg)
{
  g_autoptr(GArray) ranks = NULL;
  unsigned long region;

  CHECK_LOADED (self);

  region = PyLong_AsUnsignedLong (arg);
  if (region == (unsigned long) -1 && PyErr_Occurred ())
    return NULL;
  if (!check_region (self, (guint) region))
    return NULL;

  ranks = region_ranks (self->session, (guint) region);
  return ranks_to_tuple ((const guint *) ranks->data, ranks->len);
}

typedef struct
{
  const gint64 *starts;
  const gint64 *ends;
  gsize         n;
  gsize         at;
} Run;

/* Two runs, the common case (a main thread and a worker): without
 * branches on the data, which alternate unpredictably between threads. */
static void
merge_two_runs (Run    *a,
                Run    *b,
                gint64 *starts,
                gint64 *ends)
{
  gsize i = 0;
  gsize j = 0;
  gsize k = 0;

  while (i < a->n && j < b->n)
    {
      gint64 as = a->starts[i];
      gint64 ae = a->ends[i];
      gint64 bs = b->starts[j];
      gint64 be = b->ends[j];
      gboolean take_b = (bs < as) | ((bs == as) & (be > ae));

      starts[k] = take_b ? bs : as;
      ends[k] = take_b ? be : ae;
      j += take_b;
      i += !take_b;
      k++;
    }

  memcpy (starts + k, a->starts + i, (a->n - i) * sizeof (gint64));
  memcpy (ends + k, a->ends + i, (a->n - i) * sizeof (gint64));
  k += a->n - i;
  memcpy (starts + k, b->starts + j, (b->n - j) * sizeof (gint64));
  memcpy (ends + k, b->ends + j, (b->n - j) * sizeof (gint64));
}

/* Merges sorted runs by start, longest first for equal starts: the order
 * of sp_session_peek_intervals() within one thread. */
static void
merge_runs (Run    *runs,
            guint   n_runs,
            gint64 *starts,
            gint64 *ends)
{
  gsize k = 0;

  if (n_runs == 2)
    {
      merge_two_runs (&runs[0], &runs[1], starts, ends);
      return;
    }

  for (;;)
    {
      Run *best = NULL;

      for (guint i = 0; i < n_runs; i++)
        {
          Run *r = &runs[i];

          if (r->at >= r->n)
            continue;
          if (best == NULL ||
              r->starts[r->at] < best->starts[best->at] ||
              (r->starts[r->at] == best->starts[best->at] && r->ends[r->at] > best->ends[best->at]))
            best = r;
        }

      if (best == NULL)
        return;

      starts[k] = best->starts[best->at];
      ends[k] = best->ends[best->at];
      best->at++;
      k++;
    }
}

/* Memory for a merged copy, asking for transparent huge pages as the
 * library does for its own arrays: first touches of fresh 4 KiB pages are
 * most of the cost of a large copy in virtual machines. */
static gint64 *
new_copy (gsize n)
{
  gsize size = MAX (n, 1) * sizeof (gint64);
  void *data = NULL;

#ifdef MADV_HUGEPAGE
  const gsize huge = 2 * 1024 * 1024;

  if (size >= huge)
    {
      /* Aligned, so that every page of it can be a huge one. */
      if (posix_memalign (&data, huge, (size + huge - 1) & ~(huge - 1)) != 0)
        return NULL;
      madvise (data, (size + huge - 1) & ~(huge - 1), MADV_HUGEPAGE);
      return data;
    }
#endif

  return malloc (size);
}

/* The intervals of @region on @rank, over all its threads. With one
 * thread (or none) they are the session's own arrays and *@owned is
 * FALSE; otherwise a merged copy that the caller frees. */
static gboolean
rank_intervals (SpSession     *session,
                guint          region,
                guint          rank,
                const gint64 **starts,
                const gint64 **ends,
                gsize         *n,
                gboolean      *owned)
{
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (Run));
  const gint64 *threads;
  guint n_threads = 0;
  gsize total = 0;
  gint64 *s;
  gint64 *e;

  *starts = *ends = NULL;
  *n = 0;
  *owned = FALSE;

  threads = sp_session_get_threads (session, rank, &n_threads);
  for (guint i = 0; i < n_threads; i++)
    {
      Run run = { NULL, NULL, 0, 0 };

      if (sp_session_peek_intervals (session, region, rank, threads[i], &run.starts, &run.ends, &run.n) &&
          run.n > 0)
        {
          g_array_append_val (runs, run);
          total += run.n;
        }
    }

  if (runs->len == 0)
    return TRUE;

  if (runs->len == 1)
    {
      Run *run = &g_array_index (runs, Run, 0);

      *starts = run->starts;
      *ends = run->ends;
      *n = run->n;
      return TRUE;
    }

  s = new_copy (total);
  e = new_copy (total);
  if (s == NULL || e == NULL)
    {
      free (s);
      free (e);
      return FALSE;
    }

  merge_runs ((Run *) runs->data, runs->len, s, e);
  *starts = s;
  *ends = e;
  *n = total;
  *owned = TRUE;

  return TRUE;
}

PyDoc_STRVAR (session_region_file_ranks_doc,
"region_file_ranks(region) -> tuple\n\n"
"The ranks on which the file has a region, with intervals or without.");

static PyObject *
session_region_file_ranks (SessionObject *self,
                           PyObject      *arg)
{
  const guint *ranks;
  guint n_ranks = 0;
  unsigned long region;

  CHECK_LOADED (self);

  region = PyLong_AsUnsignedLong (arg);
  if (region == (unsigned long) -1 && PyErr_Occurred ())
    return NULL;
  if (!check_region (self, (guint) region))
    return NULL;

  ranks = sp_session_get_region_file_ranks (self->session, (guint) region, &n_ranks);
  return ranks_to_tuple (ranks, n_ranks);
}

PyDoc_STRVAR (session_intervals_doc,
"intervals(region, rank) -> (starts, ends)\n\n"
"The intervals of a region on a rank (all its threads), sorted by start,\n"
"longest first for equal starts, as two SessionArrays of int64 ns.");

static PyObject *
session_intervals (SessionObject *self,
                   PyObject      *args)
{
  const gint64 *starts;
  const gint64 *ends;
  gsize n;
  gboolean owned;
  unsigned int region;
  unsigned int rank;
  PyObject *a;
  PyObject *b;

  CHECK_LOADED (self);

  if (!PyArg_ParseTuple (args, "II:intervals", &region, &rank))
    return NULL;
  if (!check_region (self, region))
    return NULL;

  if (!rank_intervals (self->session, region, rank, &starts, &ends, &n, &owned))
    return PyErr_NoMemory ();

  if (owned)
    {
      a = array_take ((gpointer) starts, n, sizeof (gint64), "q");
      b = array_take ((gpointer) ends, n, sizeof (gint64), "q");
    }
  else
    {
      a = array_peek (self->session, starts, n, sizeof (gint64), "q");
      b = array_peek (self->session, ends, n, sizeof (gint64), "q");
    }

  if (a == NULL || b == NULL)
    {
      Py_XDECREF (a);
      Py_XDECREF (b);
      return NULL;
    }

  return Py_BuildValue ("(NN)", a, b);
}

PyDoc_STRVAR (session_stats_doc,
"stats(region, ranks=None) -> dict\n\n"
"The library's statistics of a region over the given ranks (None: all),\n"
"as interval_stats() returns them.");

static PyObject *
session_stats (SessionObject *self,
               PyObject      *args,
               PyObject      *kwargs)
{
  static char *keywords[] = { (char *) "region", (char *) "ranks", NULL };
  g_autoptr(GArray) ranks = NULL;
  g_autofree gint64 *starts = NULL;
  g_autofree gint64 *ends = NULL;
  SpRegionStats *stats;
  PyObject *ranks_arg = Py_None;
  PyObject *seq;
  unsigned int region;
  gsize total = 0;
  gsize k = 0;

  CHECK_LOADED (self);

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "I|O:stats", keywords, &region, &ranks_arg))
    return NULL;
  if (!check_region (self, region))
    return NULL;

  if (ranks_arg == Py_None)
    return stats_to_dict (sp_session_get_region_stats (self->session, region));

  seq = PySequence_Fast (ranks_arg, "ranks must be a sequence of ints or None");
  if (seq == NULL)
    return NULL;

  ranks = g_array_new (FALSE, FALSE, sizeof (guint));
  for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE (seq); i++)
    {
      unsigned long r = PyLong_AsUnsignedLong (PySequence_Fast_GET_ITEM (seq, i));
      guint rank = (guint) r;
      gboolean seen = FALSE;

      if (r == (unsigned long) -1 && PyErr_Occurred ())
        {
          Py_DECREF (seq);
          return NULL;
        }
      for (guint j = 0; j < ranks->len; j++)
        seen |= g_array_index (ranks, guint, j) == rank;
      if (!seen)
        g_array_append_val (ranks, rank);
    }
  Py_DECREF (seq);

  if (ranks->len == 1)
    return stats_to_dict (sp_session_get_region_stats_for_rank (self->session, region,
                                                                g_array_index (ranks, guint, 0)));

  /* Several ranks: their intervals pooled, in no particular order. */
  for (guint i = 0; i < ranks->len; i++)
    {
      const gint64 *threads;
      guint n_threads = 0;

      threads = sp_session_get_threads (self->session, g_array_index (ranks, guint, i), &n_threads);
      for (guint j = 0; j < n_threads; j++)
        {
          gsize n = 0;

          sp_session_peek_intervals (self->session, region, g_array_index (ranks, guint, i),
                                     threads[j], NULL, NULL, &n);
          total += n;
        }
    }

  starts = g_try_new (gint64, MAX (total, 1));
  ends = g_try_new (gint64, MAX (total, 1));
  if (starts == NULL || ends == NULL)
    return PyErr_NoMemory ();

  for (guint i = 0; i < ranks->len; i++)
    {
      guint rank = g_array_index (ranks, guint, i);
      const gint64 *threads;
      guint n_threads = 0;

      threads = sp_session_get_threads (self->session, rank, &n_threads);
      for (guint j = 0; j < n_threads; j++)
        {
          const gint64 *s = NULL;
          const gint64 *e = NULL;
          gsize n = 0;

          if (sp_session_peek_intervals (self->session, region, rank, threads[j], &s, &e, &n) && n > 0)
            {
              memcpy (starts + k, s, n * sizeof (gint64));
              memcpy (ends + k, e, n * sizeof (gint64));
              k += n;
            }
        }
    }

  Py_BEGIN_ALLOW_THREADS
  stats = sp_region_stats_new_for_intervals (starts, ends, k);
  Py_END_ALLOW_THREADS

  return stats_to_dict (stats);
}

PyDoc_STRVAR (session_lanes_doc,
"lanes(rank=None) -> list\n\n"
"The lanes (one per rank and thread) of a rank, or of all ranks, as tuples\n"
"(rank, thread, regions, starts, ends, depths, parents): all intervals of\n"
"the lane sorted by start, with the region id (uint32), start and end\n"
"(int64 ns), nesting depth (uint32, 0 = top level) and parent (int64\n"
"index in the lane, -1 for none) as SessionArrays.");

static PyObject *
session_lanes (SessionObject *self,
               PyObject      *args,
               PyObject      *kwargs)
{
  static char *keywords[] = { (char *) "rank", NULL };
  PyObject *rank_arg = Py_None;
  PyObject *list;
  unsigned long rank = 0;
  guint n_lanes;

  CHECK_LOADED (self);

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "|O:lanes", keywords, &rank_arg))
    return NULL;

  if (rank_arg != Py_None)
    {
      rank = PyLong_AsUnsignedLong (rank_arg);
      if (rank == (unsigned long) -1 && PyErr_Occurred ())
        return NULL;
    }

  list = PyList_New (0);
  if (list == NULL)
    return NULL;

  n_lanes = sp_session_get_n_lanes (self->session);
  for (guint lane = 0; lane < n_lanes; lane++)
    {
      guint lane_rank = sp_session_get_lane_rank (self->session, lane);
      const guint32 *regions = NULL;
      const gint64 *starts = NULL;
      const gint64 *ends = NULL;
      const guint32 *depths = NULL;
      const gint64 *parents = NULL;
      PyObject *item;
      gsize n;

      if (rank_arg != Py_None && lane_rank != rank)
        continue;

      n = sp_session_peek_lane (self->session, lane, &regions, &starts, &ends, &depths, &parents);
      item = Py_BuildValue ("(kLNNNNN)",
                            (unsigned long) lane_rank,
                            (long long) sp_session_get_lane_thread (self->session, lane),
                            array_peek (self->session, regions, n, sizeof (guint32), "I"),
                            array_peek (self->session, starts, n, sizeof (gint64), "q"),
                            array_peek (self->session, ends, n, sizeof (gint64), "q"),
                            array_peek (self->session, depths, n, sizeof (guint32), "I"),
                            array_peek (self->session, parents, n, sizeof (gint64), "q"));

      if (item == NULL || PyList_Append (list, item) < 0)
        {
          Py_XDECREF (item);
          Py_DECREF (list);
          return NULL;
        }
      Py_DECREF (item);
    }

  return list;
}

/* The library's derived figures (SpAnalysis): share of the session, rank
 * spans, wall time, imbalance. Python formats them; it does not compute
 * them. */

static SpAnalysis *
session_analysis (SessionObject *self)
{
  if (self->analysis == NULL)
    {
      SpAnalysis *analysis;

      Py_BEGIN_ALLOW_THREADS
      analysis = sp_analysis_new (self->session);
      Py_END_ALLOW_THREADS

      /* Another thread may have computed it meanwhile. */
      if (self->analysis == NULL)
        self->analysis = analysis;
      else
        sp_analysis_unref (analysis);
    }

  return self->analysis;
}

PyDoc_STRVAR (session_wall_time_doc,
"wall_time() -> int\n\n"
"The run's wall time in ns: the longest rank span (the slowest rank).");

static PyObject *
session_wall_time (SessionObject *self,
                   PyObject      *unused)
{
  CHECK_LOADED (self);

  return PyLong_FromLongLong (sp_analysis_get_wall_time (session_analysis (self)));
}

PyDoc_STRVAR (session_lane_time_doc,
"lane_time() -> int\n\n"
"The sum over lanes (threads of ranks) of each lane's span in ns: the\n"
"denominator of share().");

static PyObject *
session_lane_time (SessionObject *self,
                   PyObject      *unused)
{
  CHECK_LOADED (self);

  return PyLong_FromLongLong (sp_analysis_get_lane_time (session_analysis (self)));
}

PyDoc_STRVAR (session_rank_span_doc,
"rank_span(rank) -> int\n\n"
"The span of a rank in ns: first start to last end over its calls on all\n"
"its threads; 0 for a rank without calls.");

static PyObject *
session_rank_span (SessionObject *self,
                   PyObject      *arg)
{
  unsigned long rank;

  CHECK_LOADED (self);

  rank = PyLong_AsUnsignedLong (arg);
  if (rank == (unsigned long) -1 && PyErr_Occurred ())
    return NULL;
  if (rank > G_MAXUINT)
    return PyLong_FromLong (0);

  return PyLong_FromLongLong (sp_analysis_get_rank_span (session_analysis (self), (guint) rank));
}

static gboolean
parse_region (SessionObject *self,
              PyObject      *arg,
              unsigned int  *region)
{
  unsigned long r = PyLong_AsUnsignedLong (arg);

  if (r == (unsigned long) -1 && PyErr_Occurred ())
    return FALSE;
  if (r > G_MAXUINT)
    {
      PyErr_Format (PyExc_IndexError, "no region %lu", r);
      return FALSE;
    }
  *region = (unsigned int) r;

  return check_region (self, *region);
}

PyDoc_STRVAR (session_share_doc,
"share(region) -> float\n\n"
"The region's share of the session, a fraction from 0 to 1: the time at\n"
"least one of its calls was open on each lane (rank, thread), recursion\n"
"counted once, over lane_time(). NaN for a session without calls.");

static PyObject *
session_share (SessionObject *self,
               PyObject      *arg)
{
  unsigned int region;

  CHECK_LOADED (self);
  if (!parse_region (self, arg, &region))
    return NULL;

  return PyFloat_FromDouble (sp_analysis_get_region_share (session_analysis (self), region));
}

PyDoc_STRVAR (session_covered_time_doc,
"covered_time(region) -> int\n\n"
"The time in ns, summed over lanes, at least one call of the region was\n"
"open on the lane: the numerator of share().");

static PyObject *
session_covered_time (SessionObject *self,
                      PyObject      *arg)
{
  unsigned int region;

  CHECK_LOADED (self);
  if (!parse_region (self, arg, &region))
    return NULL;

  return PyLong_FromLongLong (sp_analysis_get_region_covered_time (session_analysis (self), region));
}

PyDoc_STRVAR (session_imbalance_doc,
"imbalance(region) -> dict\n\n"
"The region's total over ranks (ranks that never entered it count as 0):\n"
"{'min', 'mean', 'max'} in ns, 'ratio' (max / mean, NaN when the mean is\n"
"0), 'slowest_rank', 'mean_calls' (calls per rank) and 'mean_self' (self\n"
"time per rank).");

static PyObject *
session_imbalance (SessionObject *self,
                   PyObject      *arg)
{
  SpAnalysis *analysis;
  unsigned int region;

  CHECK_LOADED (self);
  if (!parse_region (self, arg, &region))
    return NULL;

  analysis = session_analysis (self);

  return Py_BuildValue ("{s:d,s:d,s:d,s:d,s:I,s:d,s:d}",
                        "min", sp_analysis_get_region_figure (analysis, region, SP_RANK_FIGURE_MIN_TOTAL),
                        "mean", sp_analysis_get_region_figure (analysis, region, SP_RANK_FIGURE_MEAN_TOTAL),
                        "max", sp_analysis_get_region_figure (analysis, region, SP_RANK_FIGURE_MAX_TOTAL),
                        "ratio", sp_analysis_get_region_imbalance (analysis, region),
                        "slowest_rank", sp_analysis_get_region_slowest_rank (analysis, region),
                        "mean_calls", sp_analysis_get_region_figure (analysis, region, SP_RANK_FIGURE_MEAN_CALLS),
                        "mean_self", sp_analysis_get_region_figure (analysis, region, SP_RANK_FIGURE_MEAN_SELF));
}

static PyMethodDef session_methods[] = {
  { "metadata", (PyCFunction) session_metadata, METH_NOARGS, session_metadata_doc },
  { "ranks", (PyCFunction) session_ranks, METH_NOARGS, session_ranks_doc },
  { "file_ranks", (PyCFunction) session_file_ranks, METH_NOARGS, session_file_ranks_doc },
  { "threads", (PyCFunction) session_threads, METH_O, session_threads_doc },
  { "region_names", (PyCFunction) session_region_names, METH_NOARGS, session_region_names_doc },
  { "region_ranks", (PyCFunction) session_region_ranks, METH_O, session_region_ranks_doc },
  { "region_file_ranks", (PyCFunction) session_region_file_ranks, METH_O, session_region_file_ranks_doc },
  { "intervals", (PyCFunction) session_intervals, METH_VARARGS, session_intervals_doc },
  { "stats", (PyCFunction) (void (*) (void)) session_stats, METH_VARARGS | METH_KEYWORDS, session_stats_doc },
  { "lanes", (PyCFunction) (void (*) (void)) session_lanes, METH_VARARGS | METH_KEYWORDS, session_lanes_doc },
  { "wall_time", (PyCFunction) session_wall_time, METH_NOARGS, session_wall_time_doc },
  { "lane_time", (PyCFunction) session_lane_time, METH_NOARGS, session_lane_time_doc },
  { "rank_span", (PyCFunction) session_rank_span, METH_O, session_rank_span_doc },
  { "share", (PyCFunction) session_share, METH_O, session_share_doc },
  { "covered_time", (PyCFunction) session_covered_time, METH_O, session_covered_time_doc },
  { "imbalance", (PyCFunction) session_imbalance, METH_O, session_imbalance_doc },
  { NULL },
};

PyDoc_STRVAR (session_doc,
"Session(path)\n\n"
"A saved session read by the library's SpSession: files of this library\n"
"and of the Python scope-profiler package (schemas 1, 2 and 3). A missing\n"
"file raises FileNotFoundError, one that is not a valid session\n"
"SessionError (an OSError) saying what is wrong and where.");

static PyTypeObject Session_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_scope_profiler_native.Session",
  .tp_doc = session_doc,
  .tp_basicsize = sizeof (SessionObject),
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_new = PyType_GenericNew,
  .tp_init = (initproc) session_init,
  .tp_dealloc = (destructor) session_dealloc,
  .tp_methods = session_methods,
  .tp_getset = session_getset,
};

static PyMethodDef session_functions[] = {
  { "interval_stats", native_interval_stats, METH_VARARGS, interval_stats_doc },
  { NULL },
};

int
sp_py_session_init (PyObject *module)
{
  if (PyType_Ready (&Array_Type) < 0 ||
      PyType_Ready (&Session_Type) < 0)
    return -1;

  if (PyModule_AddType (module, &Array_Type) < 0 ||
      PyModule_AddType (module, &Session_Type) < 0)
    return -1;

  if (PyModule_AddFunctions (module, session_functions) < 0)
    return -1;

  session_error = PyErr_NewExceptionWithDoc ("_scope_profiler_native.SessionError",
                                             "A file that is not a valid session, or cannot be read.",
                                             PyExc_OSError, NULL);
  if (session_error == NULL)
    return -1;

  if (PyModule_AddObjectRef (module, "SessionError", session_error) < 0)
    return -1;

  return 0;
}
