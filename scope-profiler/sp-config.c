/* sp-config.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sp-config.h"

/**
 * SpConfig:
 *
 * The options of a profiling session, given to
 * [method@ProfileManager.setup].
 *
 * The modes:
 *
 * - disabled ([property@Config:enabled] %FALSE): entering and exiting
 *   regions does nothing, no call is counted and no file is written;
 * - counting only ([property@Config:time-trace] %FALSE): calls are counted,
 *   no timestamps are kept;
 * - in memory ([property@Config:flush-to-disk] %FALSE): buffers grow as
 *   needed and nothing is written to disk, not even at finalize;
 * - default: each region buffers up to [property@Config:buffer-limit]
 *   calls per thread, then flushes them to the session's spill file, so
 *   memory stays bounded however long the program runs.
 *
 * Since: 0.1
 */

struct _SpConfig
{
  GObject   parent_instance;
  char     *file_path;
  guint     buffer_limit;
  int       rank;
  int       size;
  guint     merge_timeout;
  guint     enabled : 1;
  guint     time_trace : 1;
  guint     flush_to_disk : 1;
  guint     verbose : 1;
};

enum {
  PROP_0,
  PROP_BUFFER_LIMIT,
  PROP_ENABLED,
  PROP_FILE_PATH,
  PROP_FLUSH_TO_DISK,
  PROP_MERGE_TIMEOUT,
  PROP_RANK,
  PROP_SIZE,
  PROP_TIME_TRACE,
  PROP_VERBOSE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpConfig, sp_config, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
sp_config_finalize (GObject *object)
{
  SpConfig *self = (SpConfig *)object;

  g_clear_pointer (&self->file_path, g_free);

  G_OBJECT_CLASS (sp_config_parent_class)->finalize (object);
}

static void
sp_config_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SpConfig *self = SP_CONFIG (object);

  switch (prop_id)
    {
    case PROP_BUFFER_LIMIT:
      g_value_set_uint (value, self->buffer_limit);
      break;

    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;

    case PROP_FILE_PATH:
      g_value_set_string (value, self->file_path);
      break;

    case PROP_FLUSH_TO_DISK:
      g_value_set_boolean (value, self->flush_to_disk);
      break;

    case PROP_MERGE_TIMEOUT:
      g_value_set_uint (value, self->merge_timeout);
      break;

    case PROP_RANK:
      g_value_set_int (value, self->rank);
      break;

    case PROP_SIZE:
      g_value_set_int (value, self->size);
      break;

    case PROP_TIME_TRACE:
      g_value_set_boolean (value, self->time_trace);
      break;

    case PROP_VERBOSE:
      g_value_set_boolean (value, self->verbose);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_config_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SpConfig *self = SP_CONFIG (object);

  switch (prop_id)
    {
    case PROP_BUFFER_LIMIT:
      sp_config_set_buffer_limit (self, g_value_get_uint (value));
      break;

    case PROP_ENABLED:
      sp_config_set_enabled (self, g_value_get_boolean (value));
      break;

    case PROP_FILE_PATH:
      sp_config_set_file_path (self, g_value_get_string (value));
      break;

    case PROP_FLUSH_TO_DISK:
      sp_config_set_flush_to_disk (self, g_value_get_boolean (value));
      break;

    case PROP_MERGE_TIMEOUT:
      sp_config_set_merge_timeout (self, g_value_get_uint (value));
      break;

    case PROP_RANK:
      sp_config_set_rank (self, g_value_get_int (value));
      break;

    case PROP_SIZE:
      sp_config_set_size (self, g_value_get_int (value));
      break;

    case PROP_TIME_TRACE:
      sp_config_set_time_trace (self, g_value_get_boolean (value));
      break;

    case PROP_VERBOSE:
      sp_config_set_verbose (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_config_class_init (SpConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sp_config_finalize;
  object_class->get_property = sp_config_get_property;
  object_class->set_property = sp_config_set_property;

  /**
   * SpConfig:buffer-limit:
   *
   * How many completed calls a region buffers per thread before flushing
   * them to disk. With [property@Config:flush-to-disk] %FALSE it is only the
   * initial capacity. Memory used by timestamps stays within
   * buffer-limit × 16 bytes per region and thread.
   *
   * Since: 0.1
   */
  properties[PROP_BUFFER_LIMIT] =
    g_param_spec_uint ("buffer-limit", NULL, NULL,
                       1, G_MAXINT32, SP_CONFIG_DEFAULT_BUFFER_LIMIT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpConfig:enabled:
   *
   * Whether anything is recorded at all. When %FALSE, entering and exiting
   * regions costs a function call and a load.
   *
   * Since: 0.1
   */
  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpConfig:file-path:
   *
   * Where sp_profile_manager_finalize() writes the session.
   *
   * Since: 0.1
   */
  properties[PROP_FILE_PATH] =
    g_param_spec_string ("file-path", NULL, NULL,
                         SP_CONFIG_DEFAULT_FILE_PATH,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpConfig:flush-to-disk:
   *
   * Whether full buffers are flushed to disk and a session file is written
   * at finalize. When %FALSE everything stays in memory.
   *
   * Since: 0.1
   */
  properties[PROP_FLUSH_TO_DISK] =
    g_param_spec_boolean ("flush-to-disk", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpConfig:merge-timeout:
   *
   * In a multi-process run without MPI, how many seconds rank 0's
   * finalize waits for the other ranks' part files before it merges what
   * it has.
   *
   * Since: 0.1
   */
  properties[PROP_MERGE_TIMEOUT] =
    g_param_spec_uint ("merge-timeout", NULL, NULL,
                       0, G_MAXINT32, 120,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpConfig:rank:
   *
   * This process's rank in a multi-process run, or -1 to take it from the
   * launcher's environment (`OMPI_COMM_WORLD_RANK`, `PMI_RANK`,
   * `PMIX_RANK`, `SLURM_PROCID`) or from MPI when it is initialised.
   *
   * Since: 0.1
   */
  properties[PROP_RANK] =
    g_param_spec_int ("rank", NULL, NULL,
                      -1, G_MAXINT32, -1,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpConfig:size:
   *
   * The number of ranks in a multi-process run, or -1 to take it from the
   * launcher's environment or from MPI.
   *
   * Since: 0.1
   */
  properties[PROP_SIZE] =
    g_param_spec_int ("size", NULL, NULL,
                      -1, G_MAXINT32, -1,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpConfig:time-trace:
   *
   * Whether each call's start and end timestamps are kept. When %FALSE,
   * calls are only counted.
   *
   * Since: 0.1
   */
  properties[PROP_TIME_TRACE] =
    g_param_spec_boolean ("time-trace", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpConfig:verbose:
   *
   * Whether sp_profile_manager_finalize() prints the per-region summary to
   * standard output.
   *
   * Since: 0.1
   */
  properties[PROP_VERBOSE] =
    g_param_spec_boolean ("verbose", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_config_init (SpConfig *self)
{
  self->file_path = g_strdup (SP_CONFIG_DEFAULT_FILE_PATH);
  self->buffer_limit = SP_CONFIG_DEFAULT_BUFFER_LIMIT;
  self->rank = -1;
  self->size = -1;
  self->merge_timeout = 120;
  self->enabled = TRUE;
  self->time_trace = TRUE;
  self->flush_to_disk = TRUE;
  self->verbose = TRUE;
}

/**
 * sp_config_new:
 *
 * Creates a configuration with the default options.
 *
 * Returns: (transfer full): a new #SpConfig
 *
 * Since: 0.1
 */
SpConfig *
sp_config_new (void)
{
  return g_object_new (SP_TYPE_CONFIG, NULL);
}

/**
 * sp_config_copy:
 * @self: a #SpConfig
 *
 * Returns: (transfer full): a copy of @self
 *
 * Since: 0.1
 */
SpConfig *
sp_config_copy (SpConfig *self)
{
  g_return_val_if_fail (SP_IS_CONFIG (self), NULL);

  return g_object_new (SP_TYPE_CONFIG,
                       "buffer-limit", self->buffer_limit,
                       "enabled", (gboolean) self->enabled,
                       "file-path", self->file_path,
                       "flush-to-disk", (gboolean) self->flush_to_disk,
                       "merge-timeout", self->merge_timeout,
                       "rank", self->rank,
                       "size", self->size,
                       "time-trace", (gboolean) self->time_trace,
                       "verbose", (gboolean) self->verbose,
                       NULL);
}

/**
 * sp_config_get_enabled:
 * @self: a #SpConfig
 *
 * Returns: whether profiling records anything
 *
 * Since: 0.1
 */
gboolean
sp_config_get_enabled (SpConfig *self)
{
  g_return_val_if_fail (SP_IS_CONFIG (self), FALSE);

  return self->enabled;
}

/**
 * sp_config_set_enabled:
 * @self: a #SpConfig
 * @enabled: whether profiling records anything
 *
 * Since: 0.1
 */
void
sp_config_set_enabled (SpConfig *self,
                       gboolean  enabled)
{
  g_return_if_fail (SP_IS_CONFIG (self));

  enabled = !!enabled;
  if (self->enabled != enabled)
    {
      self->enabled = enabled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
    }
}

/**
 * sp_config_get_time_trace:
 * @self: a #SpConfig
 *
 * Returns: whether timestamps are recorded
 *
 * Since: 0.1
 */
gboolean
sp_config_get_time_trace (SpConfig *self)
{
  g_return_val_if_fail (SP_IS_CONFIG (self), FALSE);

  return self->time_trace;
}

/**
 * sp_config_set_time_trace:
 * @self: a #SpConfig
 * @time_trace: whether timestamps are recorded
 *
 * Since: 0.1
 */
void
sp_config_set_time_trace (SpConfig *self,
                          gboolean  time_trace)
{
  g_return_if_fail (SP_IS_CONFIG (self));

  time_trace = !!time_trace;
  if (self->time_trace != time_trace)
    {
      self->time_trace = time_trace;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_TRACE]);
    }
}

/**
 * sp_config_get_flush_to_disk:
 * @self: a #SpConfig
 *
 * Returns: whether buffers are flushed and a session file written
 *
 * Since: 0.1
 */
gboolean
sp_config_get_flush_to_disk (SpConfig *self)
{
  g_return_val_if_fail (SP_IS_CONFIG (self), FALSE);

  return self->flush_to_disk;
}

/**
 * sp_config_set_flush_to_disk:
 * @self: a #SpConfig
 * @flush_to_disk: whether buffers are flushed and a session file written
 *
 * Since: 0.1
 */
void
sp_config_set_flush_to_disk (SpConfig *self,
                             gboolean  flush_to_disk)
{
  g_return_if_fail (SP_IS_CONFIG (self));

  flush_to_disk = !!flush_to_disk;
  if (self->flush_to_disk != flush_to_disk)
    {
      self->flush_to_disk = flush_to_disk;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLUSH_TO_DISK]);
    }
}

/**
 * sp_config_get_buffer_limit:
 * @self: a #SpConfig
 *
 * Returns: the number of calls buffered per region and thread
 *
 * Since: 0.1
 */
guint
sp_config_get_buffer_limit (SpConfig *self)
{
  g_return_val_if_fail (SP_IS_CONFIG (self), 0);

  return self->buffer_limit;
}

/**
 * sp_config_set_buffer_limit:
 * @self: a #SpConfig
 * @buffer_limit: the number of calls buffered per region and thread, at least 1
 *
 * Since: 0.1
 */
void
sp_config_set_buffer_limit (SpConfig *self,
                            guint     buffer_limit)
{
  g_return_if_fail (SP_IS_CONFIG (self));
  g_return_if_fail (buffer_limit >= 1);
  g_return_if_fail (buffer_limit <= G_MAXINT32);

  if (self->buffer_limit != buffer_limit)
    {
      self->buffer_limit = buffer_limit;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUFFER_LIMIT]);
    }
}

/**
 * sp_config_get_file_path:
 * @self: a #SpConfig
 *
 * Returns: (type filename): where the session is written
 *
 * Since: 0.1
 */
const char *
sp_config_get_file_path (SpConfig *self)
{
  g_return_val_if_fail (SP_IS_CONFIG (self), NULL);

  return self->file_path;
}

/**
 * sp_config_set_file_path:
 * @self: a #SpConfig
 * @file_path: (type filename) (nullable): where the session is written, or
 *   %NULL for the default
 *
 * Since: 0.1
 */
void
sp_config_set_file_path (SpConfig   *self,
                         const char *file_path)
{
  g_return_if_fail (SP_IS_CONFIG (self));

  if (file_path == NULL || file_path[0] == '\0')
    file_path = SP_CONFIG_DEFAULT_FILE_PATH;

  if (g_strcmp0 (self->file_path, file_path) != 0)
    {
      g_free (self->file_path);
      self->file_path = g_strdup (file_path);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE_PATH]);
    }
}

/**
 * sp_config_get_verbose:
 * @self: a #SpConfig
 *
 * Returns: whether finalize prints the summary
 *
 * Since: 0.1
 */
gboolean
sp_config_get_verbose (SpConfig *self)
{
  g_return_val_if_fail (SP_IS_CONFIG (self), FALSE);

  return self->verbose;
}

/**
 * sp_config_set_verbose:
 * @self: a #SpConfig
 * @verbose: whether finalize prints the summary
 *
 * Since: 0.1
 */
void
sp_config_set_verbose (SpConfig *self,
                       gboolean  verbose)
{
  g_return_if_fail (SP_IS_CONFIG (self));

  verbose = !!verbose;
  if (self->verbose != verbose)
    {
      self->verbose = verbose;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERBOSE]);
    }
}

/**
 * sp_config_get_rank:
 * @self: a #SpConfig
 *
 * Returns: the rank, or -1 for automatic detection
 *
 * Since: 0.1
 */
int
sp_config_get_rank (SpConfig *self)
{
  g_return_val_if_fail (SP_IS_CONFIG (self), -1);

  return self->rank;
}

/**
 * sp_config_set_rank:
 * @self: a #SpConfig
 * @rank: the rank, or -1 for automatic detection
 *
 * Since: 0.1
 */
void
sp_config_set_rank (SpConfig *self,
                    int       rank)
{
  g_return_if_fail (SP_IS_CONFIG (self));
  g_return_if_fail (rank >= -1);

  if (self->rank != rank)
    {
      self->rank = rank;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RANK]);
    }
}

/**
 * sp_config_get_size:
 * @self: a #SpConfig
 *
 * Returns: the number of ranks, or -1 for automatic detection
 *
 * Since: 0.1
 */
int
sp_config_get_size (SpConfig *self)
{
  g_return_val_if_fail (SP_IS_CONFIG (self), -1);

  return self->size;
}

/**
 * sp_config_set_size:
 * @self: a #SpConfig
 * @size: the number of ranks, or -1 for automatic detection
 *
 * Since: 0.1
 */
void
sp_config_set_size (SpConfig *self,
                    int       size)
{
  g_return_if_fail (SP_IS_CONFIG (self));
  g_return_if_fail (size == -1 || size >= 1);

  if (self->size != size)
    {
      self->size = size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
    }
}

/**
 * sp_config_get_merge_timeout:
 * @self: a #SpConfig
 *
 * Returns: how long rank 0 waits for the other ranks, in seconds
 *
 * Since: 0.1
 */
guint
sp_config_get_merge_timeout (SpConfig *self)
{
  g_return_val_if_fail (SP_IS_CONFIG (self), 0);

  return self->merge_timeout;
}

/**
 * sp_config_set_merge_timeout:
 * @self: a #SpConfig
 * @seconds: how long rank 0 waits for the other ranks
 *
 * Since: 0.1
 */
void
sp_config_set_merge_timeout (SpConfig *self,
                             guint     seconds)
{
  g_return_if_fail (SP_IS_CONFIG (self));

  if (self->merge_timeout != seconds)
    {
      self->merge_timeout = seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MERGE_TIMEOUT]);
    }
}
