/* sp-session.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* SpSession, the GObject: loading (blocking or in a worker thread, with
 * progress), and the getters over the loaded model. The reading is in
 * sp-h5-reader.c, the model and nesting in sp-session-model.c, filtering
 * in sp-session-filter.c: this file only holds what a user of the API
 * meets, so that the API can be read apart from the work behind it. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sp-error.h"
#include "sp-h5-reader-private.h"
#include "sp-region-stats-private.h"
#include "sp-session-private.h"

/**
 * SpSession:
 *
 * A saved profiling session, read back for analysis.
 *
 * An #SpSession reads the files this library writes and those of the
 * Python scope-profiler package (schemas 1, 2 and 3). Once loaded it is
 * immutable and gives:
 *
 * - the metadata of the run (hostname, command line, ...), as strings,
 *   integers or doubles;
 * - the ranks, and on each rank the threads (with their names where the
 *   file recorded them);
 * - the regions, by index, sorted by name, with their tags and source
 *   location where the file has them;
 * - per region, rank and thread, the intervals as start and end times in
 *   nanoseconds, sorted by start;
 * - per rank and thread (a "lane"), all intervals of all regions with the
 *   nesting reconstructed from containment: depth and parent of each;
 * - per region, over the session and per rank, an #SpRegionStats.
 *
 * Files that are not sessions, or whose contents are inconsistent, fail to
 * load with an error in the %SP_ERROR domain that says what is wrong and
 * where; nothing in a file is trusted.
 *
 * Load a session with [ctor@Session.new_from_file], or, without blocking,
 * with [method@Session.load_async] while watching [property@Session:progress].
 *
 * Since: 0.1
 */

struct _SpSession
{
  GObject         parent_instance;

  char           *path;
  SpSessionModel *model;
  double          progress;
  guint           loading : 1;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_LOADED,
  PROP_PROGRESS,
  PROP_SCHEMA,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpSession, sp_session, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

/* GObject */

static void
sp_session_finalize (GObject *object)
{
  SpSession *self = (SpSession *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->model, sp_session_model_free);

  G_OBJECT_CLASS (sp_session_parent_class)->finalize (object);
}

static void
sp_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SpSession *self = SP_SESSION (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_LOADED:
      g_value_set_boolean (value, self->model != NULL);
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;

    case PROP_SCHEMA:
      g_value_set_int (value, self->model != NULL ? self->model->schema : 0);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_session_class_init (SpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sp_session_finalize;
  object_class->get_property = sp_session_get_property;

  /**
   * SpSession:path:
   *
   * The file the session is loaded from, or %NULL before loading starts.
   *
   * Since: 0.1
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpSession:loaded:
   *
   * Whether the session has been loaded. Only a loaded session can be
   * queried.
   *
   * Since: 0.1
   */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpSession:progress:
   *
   * How far loading has come, from 0 to 1. During
   * [method@Session.load_async] it is updated, and notified, in the thread
   * default main context of the caller.
   *
   * Since: 0.1
   */
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL,
                         0.0, 1.0, 0.0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpSession:schema:
   *
   * The schema version of the file: 1 for our files and the Python
   * package's first format, 2 and 3 for its columnar formats; 0 before the
   * session is loaded.
   *
   * Since: 0.1
   */
  properties[PROP_SCHEMA] =
    g_param_spec_int ("schema", NULL, NULL,
                      0, G_MAXINT, 0,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_session_init (SpSession *self)
{
}

static void
sp_session_set_progress (SpSession *self,
                         double     progress)
{
  /* Late updates from the loading thread must not move it backwards. */
  if (progress <= self->progress || self->model != NULL)
    return;

  self->progress = MIN (progress, 1.0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

static void
sp_session_install (SpSession      *self,
                    SpSessionModel *model)
{
  g_assert (self->model == NULL);

  self->loading = FALSE;
  self->model = model;
  self->progress = 1.0;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCHEMA]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
sp_session_begin_load (SpSession  *self,
                       const char *path)
{
  self->loading = TRUE;
  self->progress = 0.0;

  if (g_strcmp0 (self->path, path) != 0)
    {
      g_free (self->path);
      self->path = g_strdup (path);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
    }
}

/**
 * sp_session_new:
 *
 * Creates an empty session, to be loaded with [method@Session.load] or
 * [method@Session.load_async].
 *
 * Returns: (transfer full): a new #SpSession
 *
 * Since: 0.1
 */
SpSession *
sp_session_new (void)
{
  return g_object_new (SP_TYPE_SESSION, NULL);
}

/**
 * sp_session_new_from_file:
 * @path: (type filename): the session file
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads the session in @path, blocking until it is read.
 *
 * Returns: (transfer full): a loaded #SpSession, or %NULL with @error set
 *
 * Since: 0.1
 */
SpSession *
sp_session_new_from_file (const char    *path,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(SpSession) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = sp_session_new ();

  if (!sp_session_load (self, path, cancellable, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
sync_progress_cb (double   fraction,
                  gpointer user_data)
{
  SpSession *self = user_data;

  if (fraction - self->progress >= 0.01)
    sp_session_set_progress (self, fraction);
}

/**
 * sp_session_load:
 * @self: an #SpSession that is not loaded
 * @path: (type filename): the session file
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads the session in @path into @self, blocking until it is read.
 *
 * A session is loaded once; after a failure it may be loaded again.
 * Errors are in the %SP_ERROR domain, or %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE when the session was loaded
 *
 * Since: 0.1
 */
gboolean
sp_session_load (SpSession     *self,
                 const char    *path,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(SpSessionRaw) raw = NULL;

  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (self->model == NULL && !self->loading, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);

  sp_session_begin_load (self, path);

  if (!(raw = sp_h5_read_session (path, cancellable, sync_progress_cb, self, error)))
    {
      self->loading = FALSE;
      return FALSE;
    }

  sp_session_install (self, sp_session_model_build (raw, sync_progress_cb, self));

  return TRUE;
}

void
sp_session_load_raw (SpSession    *self,
                      const char   *path,
                      SpSessionRaw *raw)
{
  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (self->model == NULL && !self->loading);

  sp_session_begin_load (self, path);
  sp_session_install (self, sp_session_model_build (raw, NULL, NULL));
  sp_session_raw_free (raw);
}

/* For sp_session_filter(), which makes a session from a loaded one's model:
 * the model, or %NULL until @self is loaded. */
SpSessionModel *
sp_session_get_model (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  return self->model;
}

/* A loaded session of @model (taken), as if read from @path. */
SpSession *
sp_session_new_for_model (const char     *path,
                           SpSessionModel *model)
{
  SpSession *self = sp_session_new ();

  self->path = g_strdup (path);
  sp_session_install (self, model);

  return self;
}

typedef struct
{
  SpSession    *self;
  char         *path;
  GMainContext *context;
  double        reported;   /* touched by the worker only */
} LoadData;

typedef struct
{
  SpSession *self;
  double     fraction;
} ProgressUpdate;

static void
load_data_free (gpointer data)
{
  LoadData *load = data;

  g_clear_object (&load->self);
  g_clear_pointer (&load->path, g_free);
  g_clear_pointer (&load->context, g_main_context_unref);
  g_free (load);
}

static void
progress_update_free (gpointer data)
{
  ProgressUpdate *update = data;

  g_clear_object (&update->self);
  g_free (update);
}

static gboolean
progress_update_dispatch (gpointer data)
{
  ProgressUpdate *update = data;

  sp_session_set_progress (update->self, update->fraction);

  return G_SOURCE_REMOVE;
}

/* Runs in the loading thread: only hands the number to the caller's
 * context, and not more often than once per percent. */
static void
async_progress_cb (double   fraction,
                   gpointer user_data)
{
  LoadData *load = user_data;
  ProgressUpdate *update;

  if (fraction - load->reported < 0.01)
    return;

  load->reported = fraction;

  update = g_new0 (ProgressUpdate, 1);
  update->self = g_object_ref (load->self);
  update->fraction = fraction;

  g_main_context_invoke_full (load->context, G_PRIORITY_DEFAULT,
                              progress_update_dispatch, update, progress_update_free);
}

static void
sp_session_load_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  LoadData *load = task_data;
  g_autoptr(SpSessionRaw) raw = NULL;
  GError *error = NULL;

  if (!(raw = sp_h5_read_session (load->path, cancellable, async_progress_cb, load, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, sp_session_model_build (raw, async_progress_cb, load),
                         (GDestroyNotify) sp_session_model_free);
}

/**
 * sp_session_load_async:
 * @self: an #SpSession that is not loaded
 * @path: (type filename): the session file
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the session is loaded or loading failed
 * @user_data: data for @callback
 *
 * Loads the session in @path into @self in a worker thread.
 *
 * While it loads, [property@Session:progress] goes from 0 to 1, notified
 * in the thread default main context of the caller. @self must not be
 * queried before [method@Session.load_finish] returned %TRUE.
 *
 * Since: 0.1
 */
void
sp_session_load_async (SpSession           *self,
                       const char          *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *load;

  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (self->model == NULL && !self->loading);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  sp_session_begin_load (self, path);

  load = g_new0 (LoadData, 1);
  load->self = g_object_ref (self);
  load->path = g_strdup (path);
  load->context = g_main_context_ref_thread_default ();

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_session_load_async);
  g_task_set_task_data (task, load, load_data_free);
  g_task_run_in_thread (task, sp_session_load_thread);
}

/**
 * sp_session_load_finish:
 * @self: an #SpSession
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Completes [method@Session.load_async].
 *
 * Returns: %TRUE when the session was loaded
 *
 * Since: 0.1
 */
gboolean
sp_session_load_finish (SpSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  SpSessionModel *model;

  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sp_session_load_async, FALSE);

  if (!(model = g_task_propagate_pointer (G_TASK (result), error)))
    {
      self->loading = FALSE;
      return FALSE;
    }

  sp_session_install (self, model);

  return TRUE;
}

/**
 * sp_session_get_path:
 * @self: an #SpSession
 *
 * Gets [property@Session:path].
 *
 * Returns: (nullable) (type filename): the path of the session file
 *
 * Since: 0.1
 */
const char *
sp_session_get_path (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  return self->path;
}

/**
 * sp_session_get_loaded:
 * @self: an #SpSession
 *
 * Gets [property@Session:loaded].
 *
 * Returns: whether the session is loaded
 *
 * Since: 0.1
 */
gboolean
sp_session_get_loaded (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);

  return self->model != NULL;
}

/**
 * sp_session_get_progress:
 * @self: an #SpSession
 *
 * Gets [property@Session:progress].
 *
 * Returns: the loading progress, from 0 to 1
 *
 * Since: 0.1
 */
double
sp_session_get_progress (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), 0.0);

  return self->progress;
}

#define RETURN_IF_NOT_LOADED(val)                   \
  G_STMT_START {                                    \
    g_return_val_if_fail (SP_IS_SESSION (self), val); \
    g_return_val_if_fail (self->model != NULL, val);  \
  } G_STMT_END

/**
 * sp_session_get_schema:
 * @self: an #SpSession
 *
 * Gets [property@Session:schema].
 *
 * Returns: the schema version of the file, or 0 when not loaded
 *
 * Since: 0.1
 */
int
sp_session_get_schema (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), 0);

  return self->model != NULL ? self->model->schema : 0;
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * sp_session_list_metadata_keys:
 * @self: a loaded #SpSession
 *
 * Lists the metadata keys of the session, sorted.
 *
 * Returns: (transfer full) (array zero-terminated=1): the keys
 *
 * Since: 0.1
 */
char **
sp_session_list_metadata_keys (SpSession *self)
{
  g_autofree const char **keys = NULL;
  char **ret;
  guint n = 0;

  RETURN_IF_NOT_LOADED (NULL);

  keys = (const char **) g_hash_table_get_keys_as_array (self->model->metadata, &n);
  qsort (keys, n, sizeof (char *), compare_strings);

  ret = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    ret[i] = g_strdup (keys[i]);

  return ret;
}

/**
 * sp_session_get_metadata:
 * @self: a loaded #SpSession
 * @key: a metadata key
 *
 * Gets a metadata value: a string (`s`), an integer (`x`), a double
 * (`d`) or a list of strings (`as`).
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if there is none
 *
 * Since: 0.1
 */
GVariant *
sp_session_get_metadata (SpSession  *self,
                         const char *key)
{
  GVariant *value;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (key != NULL, NULL);

  value = g_hash_table_lookup (self->model->metadata, key);

  return value != NULL ? g_variant_ref (value) : NULL;
}

/**
 * sp_session_get_metadata_string:
 * @self: a loaded #SpSession
 * @key: a metadata key
 *
 * Gets a string metadata value.
 *
 * Returns: (nullable): the string, or %NULL if @key is absent or not a string
 *
 * Since: 0.1
 */
const char *
sp_session_get_metadata_string (SpSession  *self,
                                const char *key)
{
  GVariant *value;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (key != NULL, NULL);

  value = g_hash_table_lookup (self->model->metadata, key);
  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return NULL;

  return g_variant_get_string (value, NULL);
}

/**
 * sp_session_get_metadata_int:
 * @self: a loaded #SpSession
 * @key: a metadata key
 * @value: (out) (optional): the value
 *
 * Gets an integer metadata value.
 *
 * Returns: %TRUE if @key is present and an integer
 *
 * Since: 0.1
 */
gboolean
sp_session_get_metadata_int (SpSession  *self,
                             const char *key,
                             gint64     *value)
{
  GVariant *v;

  RETURN_IF_NOT_LOADED (FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  v = g_hash_table_lookup (self->model->metadata, key);
  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    return FALSE;

  if (value != NULL)
    *value = g_variant_get_int64 (v);

  return TRUE;
}

/**
 * sp_session_get_metadata_double:
 * @self: a loaded #SpSession
 * @key: a metadata key
 * @value: (out) (optional): the value
 *
 * Gets a floating point metadata value.
 *
 * Returns: %TRUE if @key is present and a floating point number
 *
 * Since: 0.1
 */
gboolean
sp_session_get_metadata_double (SpSession  *self,
                                const char *key,
                                double     *value)
{
  GVariant *v;

  RETURN_IF_NOT_LOADED (FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  v = g_hash_table_lookup (self->model->metadata, key);
  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    return FALSE;

  if (value != NULL)
    *value = g_variant_get_double (v);

  return TRUE;
}

/**
 * sp_session_get_ranks:
 * @self: a loaded #SpSession
 * @n_ranks: (out): the number of ranks
 *
 * Gets the ranks that have intervals or threads in the session, sorted.
 *
 * Returns: (transfer none) (array length=n_ranks): the ranks
 *
 * Since: 0.1
 */
const guint *
sp_session_get_ranks (SpSession *self,
                      guint     *n_ranks)
{
  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (n_ranks != NULL, NULL);

  *n_ranks = self->model->ranks->len;

  return self->model->ranks->len > 0 ? self->model->rank_numbers : NULL;
}

/**
 * sp_session_get_file_ranks:
 * @self: a loaded #SpSession
 * @n_ranks: (out): the number of ranks
 *
 * Gets the ranks the file has, in ascending order: those of
 * sp_session_get_ranks() and the ranks whose group in a schema-1 file
 * holds no intervals and no threads (a rank that recorded nothing). The
 * Python scope-profiler package counts these too in its number of ranks.
 *
 * Returns: (transfer none) (array length=n_ranks): the ranks
 *
 * Since: 0.2
 */
const guint *
sp_session_get_file_ranks (SpSession *self,
                           guint     *n_ranks)
{
  g_return_val_if_fail (n_ranks != NULL, NULL);
  *n_ranks = 0;
  RETURN_IF_NOT_LOADED (NULL);

  *n_ranks = self->model->n_file_ranks;

  return self->model->file_ranks;
}

/**
 * sp_session_get_threads:
 * @self: a loaded #SpSession
 * @rank: a rank
 * @n_threads: (out): the number of threads
 *
 * Gets the ids of the threads of @rank, sorted. Intervals recorded without
 * a thread id are on thread %SP_SESSION_THREAD_UNKNOWN (-1).
 *
 * Returns: (transfer none) (array length=n_threads) (nullable): the thread ids
 *
 * Since: 0.1
 */
const gint64 *
sp_session_get_threads (SpSession *self,
                        guint      rank,
                        guint     *n_threads)
{
  SpSessionRank *r;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (n_threads != NULL, NULL);

  if (!(r = sp_session_model_find_rank (self->model, rank)) || r->threads->len == 0)
    {
      *n_threads = 0;
      return NULL;
    }

  *n_threads = r->threads->len;

  return (const gint64 *) (gpointer) r->threads->data;
}
/**
 * sp_session_get_thread_name:
 * @self: a loaded #SpSession
 * @rank: a rank
 * @thread: a thread id
 *
 * Gets the name of a thread, where the file recorded one.
 *
 * Returns: (nullable): the name of the thread
 *
 * Since: 0.1
 */
const char *
sp_session_get_thread_name (SpSession *self,
                            guint      rank,
                            gint64     thread)
{
  SpSessionThreadInfo *info;

  RETURN_IF_NOT_LOADED (NULL);

  info = sp_session_model_find_thread (self->model, rank, thread);

  return info != NULL ? info->name : NULL;
}

/**
 * sp_session_get_thread_native_id:
 * @self: a loaded #SpSession
 * @rank: a rank
 * @thread: a thread id
 *
 * Gets the operating system's id of a thread (a TID on Linux), where the
 * file recorded one.
 *
 * Returns: the native id, or -1 when unknown
 *
 * Since: 0.1
 */
gint64
sp_session_get_thread_native_id (SpSession *self,
                                 guint      rank,
                                 gint64     thread)
{
  SpSessionThreadInfo *info;

  RETURN_IF_NOT_LOADED (-1);

  info = sp_session_model_find_thread (self->model, rank, thread);

  return info != NULL ? info->native_id : -1;
}

/**
 * sp_session_get_thread_times:
 * @self: a loaded #SpSession
 * @rank: a rank
 * @thread: a thread id
 * @start_time: (out) (optional): when the thread first recorded (ns), or -1
 * @end_time: (out) (optional): when it ended, or -1 (still running when
 *   the session was written, a track, or unknown)
 * @cpu_time: (out) (optional): the CPU time it used (ns), or -1
 *
 * Gets a thread's lifetime and CPU time, which sessions recorded by this
 * library hold (the thread table's start_time, end_time and cpu_time).
 *
 * Returns: %TRUE when the file holds any of them for @thread
 *
 * Since: 0.2
 */
gboolean
sp_session_get_thread_times (SpSession *self,
                             guint      rank,
                             gint64     thread,
                             gint64    *start_time,
                             gint64    *end_time,
                             gint64    *cpu_time)
{
  SpSessionThreadInfo *info = NULL;

  if (start_time != NULL)
    *start_time = -1;
  if (end_time != NULL)
    *end_time = -1;
  if (cpu_time != NULL)
    *cpu_time = -1;

  RETURN_IF_NOT_LOADED (FALSE);

  info = sp_session_model_find_thread (self->model, rank, thread);
  if (info == NULL)
    return FALSE;

  if (start_time != NULL)
    *start_time = info->start_time;
  if (end_time != NULL)
    *end_time = info->end_time;
  if (cpu_time != NULL)
    *cpu_time = info->cpu_time;

  return info->start_time >= 0 || info->end_time >= 0 || info->cpu_time >= 0;
}

/**
 * sp_session_get_start_time:
 * @self: a loaded #SpSession
 *
 * Gets the earliest start of an interval in the session.
 *
 * Returns: the time in nanoseconds, or 0 when the session has no intervals
 *
 * Since: 0.1
 */
gint64
sp_session_get_start_time (SpSession *self)
{
  RETURN_IF_NOT_LOADED (0);

  return self->model->start_time;
}

/**
 * sp_session_get_end_time:
 * @self: a loaded #SpSession
 *
 * Gets the latest end of an interval in the session.
 *
 * Returns: the time in nanoseconds, or 0 when the session has no intervals
 *
 * Since: 0.1
 */
gint64
sp_session_get_end_time (SpSession *self)
{
  RETURN_IF_NOT_LOADED (0);

  return self->model->end_time;
}

/**
 * sp_session_get_n_regions:
 * @self: a loaded #SpSession
 *
 * Gets the number of regions. Regions are numbered from 0, sorted by name.
 *
 * Returns: the number of regions
 *
 * Since: 0.1
 */
guint
sp_session_get_n_regions (SpSession *self)
{
  RETURN_IF_NOT_LOADED (0);

  return self->model->regions->len;
}

/**
 * sp_session_lookup_region:
 * @self: a loaded #SpSession
 * @name: a region name
 * @region: (out) (optional): the index of the region
 *
 * Finds a region by its exact name.
 *
 * Returns: %TRUE if the session has a region called @name
 *
 * Since: 0.1
 */
gboolean
sp_session_lookup_region (SpSession  *self,
                          const char *name,
                          guint      *region)
{
  gpointer value;

  RETURN_IF_NOT_LOADED (FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!(value = g_hash_table_lookup (self->model->region_by_name, name)))
    return FALSE;

  if (region != NULL)
    *region = GPOINTER_TO_UINT (value) - 1;

  return TRUE;
}

#define GET_REGION(val)                                           \
  RETURN_IF_NOT_LOADED (val);                                     \
  g_return_val_if_fail (region < self->model->regions->len, val); \
  r = g_ptr_array_index (self->model->regions, region)

/**
 * sp_session_get_region_name:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the exact name of a region.
 *
 * Returns: the name
 *
 * Since: 0.1
 */
const char *
sp_session_get_region_name (SpSession *self,
                            guint      region)
{
  SpSessionRegion *r;

  GET_REGION (NULL);

  return r->info.name;
}

/**
 * sp_session_get_region_tags:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the tags of a region, where the file has them.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the tags
 *
 * Since: 0.1
 */
const char * const *
sp_session_get_region_tags (SpSession *self,
                            guint      region)
{
  SpSessionRegion *r;

  GET_REGION (NULL);

  return (const char * const *) r->info.tags;
}

/**
 * sp_session_get_region_source_file:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the source file the region was defined in, where the file has it.
 *
 * Returns: (nullable): the source file
 *
 * Since: 0.1
 */
const char *
sp_session_get_region_source_file (SpSession *self,
                                   guint      region)
{
  SpSessionRegion *r;

  GET_REGION (NULL);

  return r->info.source_file;
}

/**
 * sp_session_get_region_source_line:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the source line the region was defined at, where the file has it.
 *
 * Returns: the line, or -1 when unknown
 *
 * Since: 0.1
 */
gint64
sp_session_get_region_source_line (SpSession *self,
                                   guint      region)
{
  SpSessionRegion *r;

  GET_REGION (-1);

  return r->info.source_line;
}

/**
 * sp_session_get_region_source_text:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the source text of the region's definition, where the file has it.
 *
 * Returns: (nullable): the source text
 *
 * Since: 0.1
 */
const char *
sp_session_get_region_source_text (SpSession *self,
                                   guint      region)
{
  SpSessionRegion *r;

  GET_REGION (NULL);

  return r->info.source_text;
}

/**
 * sp_session_get_region_stats:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the statistics of a region over all ranks and threads.
 *
 * Returns: (transfer full): the statistics
 *
 * Since: 0.1
 */
SpRegionStats *
sp_session_get_region_stats (SpSession *self,
                             guint      region)
{
  SpSessionRegion *r;

  GET_REGION (NULL);

  return sp_region_stats_ref (r->stats);
}

/**
 * sp_session_get_region_stats_for_rank:
 * @self: a loaded #SpSession
 * @region: a region index
 * @rank: a rank
 *
 * Gets the statistics of a region on one rank, over all its threads.
 *
 * Returns: (transfer full): the statistics; their count is 0 when the
 *   region has no intervals on @rank
 *
 * Since: 0.1
 */
SpRegionStats *
sp_session_get_region_stats_for_rank (SpSession *self,
                                      guint      region,
                                      guint      rank)
{
  SpSessionRegion *r;

  GET_REGION (NULL);

  for (guint i = 0; i < r->rank_stats->len; i++)
    {
      SpSessionRankStats *rs = &g_array_index (r->rank_stats, SpSessionRankStats, i);

      if (rs->rank == rank)
        return sp_region_stats_ref (rs->stats);
    }

  return sp_region_stats_new_from_durations (NULL, 0, 0);
}

/**
 * sp_session_get_region_file_ranks:
 * @self: a loaded #SpSession
 * @region: a region index
 * @n_ranks: (out): the number of ranks
 *
 * Gets the ranks on which the file has @region, in ascending order: those
 * where it has intervals and those where the file holds it without any
 * (empty datasets of a schema-1 region group, or an index row without
 * events). The Python scope-profiler package lists a region on such ranks
 * too, with no calls.
 *
 * Returns: (transfer none) (array length=n_ranks): the ranks
 *
 * Since: 0.2
 */
const guint *
sp_session_get_region_file_ranks (SpSession *self,
                                  guint      region,
                                  guint     *n_ranks)
{
  SpSessionRegion *r;

  g_return_val_if_fail (n_ranks != NULL, NULL);
  *n_ranks = 0;

  GET_REGION (NULL);

  *n_ranks = r->file_ranks->len;

  return (const guint *) r->file_ranks->data;
}
/**
 * sp_session_peek_intervals: (skip)
 * @self: a loaded #SpSession
 * @region: a region index
 * @rank: a rank
 * @thread: a thread id, or %SP_SESSION_THREAD_UNKNOWN
 * @starts: (out) (optional): the start times
 * @ends: (out) (optional): the end times
 * @n_intervals: (out) (optional): the number of intervals
 *
 * Gets the intervals of @region on @rank and @thread, in nanoseconds,
 * sorted by start time and, for equal starts, longest first. The arrays
 * belong to @self.
 *
 * Returns: %TRUE if the region has intervals on that rank and thread
 *
 * Since: 0.1
 */
gboolean
sp_session_peek_intervals (SpSession     *self,
                           guint          region,
                           guint          rank,
                           gint64         thread,
                           const gint64 **starts,
                           const gint64 **ends,
                           gsize         *n_intervals)
{
  SpSessionSeries *series;

  RETURN_IF_NOT_LOADED (FALSE);
  g_return_val_if_fail (region < self->model->regions->len, FALSE);

  series = sp_session_model_find_series (self->model, region, rank, thread);

  if (starts != NULL)
    *starts = series != NULL ? series->starts : NULL;
  if (ends != NULL)
    *ends = series != NULL ? series->ends : NULL;
  if (n_intervals != NULL)
    *n_intervals = series != NULL ? series->n : 0;

  return series != NULL;
}

/* The model never changes once loaded, so its arrays are handed out
 * without a copy, keeping the session alive. */
static GBytes *
wrap_array (SpSession     *self,
            gconstpointer  data,
            gsize          size)
{
  if (data == NULL || size == 0)
    return g_bytes_new (NULL, 0);

  return g_bytes_new_with_free_func (data, size, g_object_unref, g_object_ref (self));
}

/**
 * sp_session_get_start_times:
 * @self: a loaded #SpSession
 * @region: a region index
 * @rank: a rank
 * @thread: a thread id, or %SP_SESSION_THREAD_UNKNOWN
 *
 * Gets the start times of the intervals of @region on @rank and @thread
 * as native-endian int64 nanoseconds, in the order of
 * sp_session_peek_intervals().
 *
 * Returns: (transfer full): the start times; empty if there are none
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_start_times (SpSession *self,
                            guint      region,
                            guint      rank,
                            gint64     thread)
{
  const gint64 *starts = NULL;
  gsize n = 0;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (region < self->model->regions->len, NULL);

  sp_session_peek_intervals (self, region, rank, thread, &starts, NULL, &n);

  return wrap_array (self, starts, n * sizeof (gint64));
}

/**
 * sp_session_get_end_times:
 * @self: a loaded #SpSession
 * @region: a region index
 * @rank: a rank
 * @thread: a thread id, or %SP_SESSION_THREAD_UNKNOWN
 *
 * Gets the end times of the intervals of @region on @rank and @thread as
 * native-endian int64 nanoseconds, in the order of
 * sp_session_peek_intervals().
 *
 * Returns: (transfer full): the end times; empty if there are none
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_end_times (SpSession *self,
                          guint      region,
                          guint      rank,
                          gint64     thread)
{
  const gint64 *ends = NULL;
  gsize n = 0;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (region < self->model->regions->len, NULL);

  sp_session_peek_intervals (self, region, rank, thread, NULL, &ends, &n);

  return wrap_array (self, ends, n * sizeof (gint64));
}

/**
 * sp_session_get_n_lanes:
 * @self: a loaded #SpSession
 *
 * Gets the number of lanes. A lane is one thread of one rank; lanes are
 * numbered from 0, sorted by rank, then thread id.
 *
 * Returns: the number of lanes
 *
 * Since: 0.1
 */
guint
sp_session_get_n_lanes (SpSession *self)
{
  RETURN_IF_NOT_LOADED (0);

  return self->model->lanes->len;
}

/**
 * sp_session_lookup_lane:
 * @self: a loaded #SpSession
 * @rank: a rank
 * @thread: a thread id, or %SP_SESSION_THREAD_UNKNOWN
 * @lane: (out) (optional): the lane index
 *
 * Finds the lane of a thread of a rank.
 *
 * Returns: %TRUE if that thread has intervals
 *
 * Since: 0.1
 */
gboolean
sp_session_lookup_lane (SpSession *self,
                        guint      rank,
                        gint64     thread,
                        guint     *lane)
{
  guint lo = 0;
  guint hi;

  RETURN_IF_NOT_LOADED (FALSE);

  /* Lanes are sorted by (rank, thread). */
  hi = self->model->lanes->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      SpSessionLane *l = g_ptr_array_index (self->model->lanes, mid);

      if (l->rank == rank && l->thread == thread)
        {
          if (lane != NULL)
            *lane = mid;
          return TRUE;
        }

      if (l->rank < rank || (l->rank == rank && l->thread < thread))
        lo = mid + 1;
      else
        hi = mid;
    }

  return FALSE;
}

#define GET_LANE(val)                                            \
  RETURN_IF_NOT_LOADED (val);                                    \
  g_return_val_if_fail (lane < self->model->lanes->len, val);    \
  l = g_ptr_array_index (self->model->lanes, lane)

/**
 * sp_session_get_lane_rank:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the rank of a lane.
 *
 * Returns: the rank
 *
 * Since: 0.1
 */
guint
sp_session_get_lane_rank (SpSession *self,
                          guint      lane)
{
  SpSessionLane *l;

  GET_LANE (0);

  return l->rank;
}

/**
 * sp_session_get_lane_thread:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the thread id of a lane.
 *
 * Returns: the thread id, or %SP_SESSION_THREAD_UNKNOWN
 *
 * Since: 0.1
 */
gint64
sp_session_get_lane_thread (SpSession *self,
                            guint      lane)
{
  SpSessionLane *l;

  GET_LANE (-1);

  return l->thread;
}

/**
 * sp_session_peek_lane: (skip)
 * @self: a loaded #SpSession
 * @lane: a lane index
 * @regions: (out) (optional): the region index of each interval
 * @starts: (out) (optional): the start times
 * @ends: (out) (optional): the end times
 * @depths: (out) (optional): the nesting depth of each interval, 0 at the top
 * @parents: (out) (optional): the index, in the lane, of each interval's
 *   parent, or -1 for top-level intervals
 *
 * Gets all intervals of a lane, of every region, sorted by start time and,
 * for equal starts, longest first, with the nesting reconstructed from
 * containment. An interval that starts inside another but ends after it
 * is counted by sp_session_get_lane_n_overlaps() and given as parent the
 * nearest interval that contains it. The arrays belong to @self.
 *
 * Returns: the number of intervals
 *
 * Since: 0.1
 */
gsize
sp_session_peek_lane (SpSession      *self,
                      guint           lane,
                      const guint32 **regions,
                      const gint64  **starts,
                      const gint64  **ends,
                      const guint32 **depths,
                      const gint64  **parents)
{
  SpSessionLane *l;

  GET_LANE (0);

  if (regions != NULL)
    *regions = l->regions;
  if (starts != NULL)
    *starts = l->starts;
  if (ends != NULL)
    *ends = l->ends;
  if (depths != NULL)
    *depths = l->depths;
  if (parents != NULL)
    *parents = l->parents;

  return l->n;
}

/**
 * sp_session_get_lane_regions:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the region index of each interval of a lane, as native-endian
 * uint32, in the order of sp_session_peek_lane().
 *
 * Returns: (transfer full): the region indices
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_lane_regions (SpSession *self,
                             guint      lane)
{
  SpSessionLane *l;

  GET_LANE (NULL);

  return wrap_array (self, l->regions, l->n * sizeof (guint32));
}

/**
 * sp_session_get_lane_start_times:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the start times of the intervals of a lane, as native-endian int64
 * nanoseconds, in the order of sp_session_peek_lane().
 *
 * Returns: (transfer full): the start times
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_lane_start_times (SpSession *self,
                                 guint      lane)
{
  SpSessionLane *l;

  GET_LANE (NULL);

  return wrap_array (self, l->starts, l->n * sizeof (gint64));
}

/**
 * sp_session_get_lane_end_times:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the end times of the intervals of a lane, as native-endian int64
 * nanoseconds, in the order of sp_session_peek_lane().
 *
 * Returns: (transfer full): the end times
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_lane_end_times (SpSession *self,
                               guint      lane)
{
  SpSessionLane *l;

  GET_LANE (NULL);

  return wrap_array (self, l->ends, l->n * sizeof (gint64));
}

/**
 * sp_session_get_lane_depths:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the nesting depth of each interval of a lane, 0 for top-level
 * intervals, as native-endian uint32, in the order of
 * sp_session_peek_lane().
 *
 * Returns: (transfer full): the depths
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_lane_depths (SpSession *self,
                            guint      lane)
{
  SpSessionLane *l;

  GET_LANE (NULL);

  return wrap_array (self, l->depths, l->n * sizeof (guint32));
}

/**
 * sp_session_get_lane_parents:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the parent of each interval of a lane, as its index in the lane or
 * -1 for top-level intervals, as native-endian int64, in the order of
 * sp_session_peek_lane().
 *
 * Returns: (transfer full): the parents
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_lane_parents (SpSession *self,
                             guint      lane)
{
  SpSessionLane *l;

  GET_LANE (NULL);

  return wrap_array (self, l->parents, l->n * sizeof (gint64));
}

/**
 * sp_session_get_lane_n_overlaps:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the number of intervals of a lane that start inside another one
 * but end after it, so that they cannot be nested. Files of the Python
 * package written without thread ids have such overlaps when several
 * threads ran the same regions.
 *
 * Returns: the number of overlapping intervals
 *
 * Since: 0.1
 */
guint64
sp_session_get_lane_n_overlaps (SpSession *self,
                                guint      lane)
{
  SpSessionLane *l;

  GET_LANE (0);

  return l->n_overlaps;
}

/**
 * sp_session_get_n_overlaps:
 * @self: a loaded #SpSession
 *
 * Gets the number of intervals, over all lanes, that overlap another one
 * without nesting; see sp_session_get_lane_n_overlaps().
 *
 * Returns: the number of overlapping intervals
 *
 * Since: 0.1
 */
guint64
sp_session_get_n_overlaps (SpSession *self)
{
  RETURN_IF_NOT_LOADED (0);

  return self->model->n_overlaps;
}
