/* sp-profile-manager.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "sp-clock-private.h"
#include "sp-error.h"
#include "sp-h5-writer-private.h"
#include "sp-metadata-private.h"
#include "sp-profile-manager-private.h"
#include "sp-ranks-private.h"
#include "sp-region-private.h"
#include "sp-spill-private.h"

/**
 * SpProfileManager:
 *
 * The registry of regions and the life cycle of a profiling session.
 *
 * A session starts with [method@ProfileManager.setup] (or implicitly when the
 * manager is created, with the default [class@Config]) and ends with
 * [method@ProfileManager.finalize], which writes every completed call to an
 * HDF5 session file in the layout of the Python scope-profiler and prints a
 * per-region summary.
 *
 * The process-wide manager, [func@ProfileManager.get_default], is the one
 * SP_PROFILE_SCOPE() and the language bindings' class-level calls use.
 * Managers made with [ctor@ProfileManager.new] are independent: each records
 * only its own regions and writes its own file.
 *
 * While the session runs, full buffers are flushed to a spill file beside
 * the session file (`<file-path>.<pid>.spill`). It is complete after every
 * flush: if the process dies, [func@ProfileManager.recover] turns it into a
 * session holding everything that was flushed.
 *
 * Since: 0.1
 */

struct _SpProfileManager
{
  GObject       parent_instance;

  /* A pthread mutex rather than GMutex: ThreadSanitizer sees it. */
  pthread_mutex_t lock;

  /* Protected by @lock. */
  SpConfig     *config;          /* the session's options (a private copy) */
  GHashTable   *by_name;         /* every region ever made here: name → SpRegion */
  GPtrArray    *session;         /* the current session's regions, in join order */
  GPtrArray    *extra_metadata;  /* SpMetadataEntry, from set_metadata() */
  SpSpill      *spill;
  GError       *flush_error;     /* the first failed flush of the session */
  SpRegionMode  mode;            /* the mode regions join the session with */
  gint64        start_time;
  GDateTime    *start_wall_time;
  SpRanks       ranks;
  guint         generation;
  guint         finalized : 1;

  /* Owned by the thread that created the manager. */
  GThread      *owner;
  GMainContext *context;
  GListStore   *store;
  guint         store_generation;
  guint         sync_queued;     /* atomic */
};

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_REGIONS,
  PROP_START_TIME,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpProfileManager, sp_profile_manager, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];
static SpProfileManager *default_manager;

/* Every live manager, for fork(): the child must not inherit a lock held by
 * another thread, the parent's spill file or the parent's calls. */
static pthread_mutex_t managers_lock = PTHREAD_MUTEX_INITIALIZER;
static GList *managers;

void
sp_profile_manager_lock (SpProfileManager *self)
{
  pthread_mutex_lock (&self->lock);
}

void
sp_profile_manager_unlock (SpProfileManager *self)
{
  pthread_mutex_unlock (&self->lock);
}

/* The GListModel mirror of the session is touched only on the thread that
 * created the manager; other threads hand the update to its main context. */
static void
sp_profile_manager_sync_store (SpProfileManager *self)
{
  g_autoptr(GPtrArray) items = NULL;
  guint generation;
  guint n_store;

  g_assert (g_thread_self () == self->owner);

  __atomic_store_n (&self->sync_queued, 0, __ATOMIC_RELEASE);

  n_store = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  sp_profile_manager_lock (self);
  generation = self->generation;
  if (generation != self->store_generation)
    n_store = 0;
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = n_store; i < self->session->len; i++)
    g_ptr_array_add (items, g_object_ref (g_ptr_array_index (self->session, i)));
  sp_profile_manager_unlock (self);

  if (generation != self->store_generation)
    {
      self->store_generation = generation;
      g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                           items->pdata, items->len);
    }
  else if (items->len > 0)
    {
      g_list_store_splice (self->store, n_store, 0, items->pdata, items->len);
    }
}

static gboolean
sp_profile_manager_sync_store_cb (gpointer data)
{
  SpProfileManager *self = data;

  sp_profile_manager_sync_store (self);

  return G_SOURCE_REMOVE;
}

static void
sp_profile_manager_queue_sync (SpProfileManager *self)
{
  if (g_thread_self () == self->owner)
    {
      sp_profile_manager_sync_store (self);
      return;
    }

  /* Always deferred: g_main_context_invoke() would run it right here when
   * no loop owns the context. */
  if (__atomic_exchange_n (&self->sync_queued, 1, __ATOMIC_ACQ_REL) == 0)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_callback (source, sp_profile_manager_sync_store_cb,
                             g_object_ref (self), g_object_unref);
      g_source_set_static_name (source, "[scope-profiler] sync regions");
      g_source_attach (source, self->context);
    }
}

static SpRegionMode
mode_for_config (SpConfig *config)
{
  if (!sp_config_get_enabled (config))
    return SP_REGION_MODE_DISABLED;
  if (!sp_config_get_time_trace (config))
    return SP_REGION_MODE_COUNT_ONLY;
  return SP_REGION_MODE_TRACE;
}

/* Every change of the manager's mode goes through here, so the process-wide
 * count of recording managers (the inline fast path of sp-region.h) stays
 * right. Called with the lock held. A manager that starts recording is
 * counted before its regions can record; one that stops is uncounted after
 * its regions stopped. */
static void
sp_profile_manager_set_mode_locked (SpProfileManager *self,
                                    SpRegionMode      mode)
{
  gboolean was_recording = self->mode >= SP_REGION_MODE_COUNT_ONLY;
  gboolean recording = mode >= SP_REGION_MODE_COUNT_ONLY;

  if (recording && !was_recording)
    __atomic_add_fetch (&sp_region_recording_sessions, 1, __ATOMIC_RELEASE);
  else if (!recording && was_recording)
    __atomic_sub_fetch (&sp_region_recording_sessions, 1, __ATOMIC_RELEASE);

  self->mode = mode;
}

/* Called with the lock held. */
static void
sp_profile_manager_reset_locked (SpProfileManager *self,
                                 SpConfig         *config)
{
  for (guint i = 0; i < self->session->len; i++)
    sp_region_deactivate (g_ptr_array_index (self->session, i), SP_REGION_MODE_INACTIVE);
  g_ptr_array_set_size (self->session, 0);

  /* Buffered calls of the abandoned session go with its spill file. */
  g_clear_pointer (&self->spill, sp_spill_discard);
  g_clear_error (&self->flush_error);

  g_set_object (&self->config, config);
  sp_profile_manager_set_mode_locked (self, mode_for_config (config));
  self->start_time = sp_clock_now ();
  g_clear_pointer (&self->start_wall_time, g_date_time_unref);
  self->start_wall_time = g_date_time_new_now_utc ();
  self->finalized = FALSE;
  self->generation++;

  sp_ranks_detect (config, &self->ranks);
  sp_region_update_sysprof ();
}

/* What every file of the session carries in /metadata. */
static GPtrArray *
sp_profile_manager_metadata_locked (SpProfileManager *self)
{
  GPtrArray *metadata = sp_metadata_collect (self->start_time, self->start_wall_time);
  const SpMetadataEntry *omp = NULL;

  for (guint i = 0; i < metadata->len; i++)
    {
      const SpMetadataEntry *e = g_ptr_array_index (metadata, i);
      if (g_str_equal (e->key, "omp_num_threads"))
        omp = e;
    }

  sp_metadata_set_int (metadata, "mpi_size", self->ranks.size);
  sp_metadata_set_int (metadata, "total_cores", (omp ? omp->integer : 1) * self->ranks.size);
  if (self->ranks.size > 1)
    sp_metadata_set_int (metadata, "rank", self->ranks.rank);
  if (self->ranks.job_id != NULL)
    sp_metadata_set_string (metadata, "job_id", self->ranks.job_id);

  for (guint i = 0; i < self->extra_metadata->len; i++)
    {
      const SpMetadataEntry *e = g_ptr_array_index (self->extra_metadata, i);
      sp_metadata_set_string (metadata, e->key, e->string);
    }

  return metadata;
}

static void
sp_profile_manager_dispose (GObject *object)
{
  SpProfileManager *self = (SpProfileManager *)object;
  GHashTableIter iter;
  gpointer value;

  sp_profile_manager_lock (self);
  g_hash_table_iter_init (&iter, self->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    sp_region_deactivate (value, SP_REGION_MODE_ORPHANED);
  sp_profile_manager_set_mode_locked (self, SP_REGION_MODE_DISABLED);
  g_ptr_array_set_size (self->session, 0);
  g_hash_table_remove_all (self->by_name);
  if (self->spill != NULL)
    sp_spill_free (g_steal_pointer (&self->spill), TRUE);
  sp_profile_manager_unlock (self);

  if (self->store != NULL)
    g_list_store_remove_all (self->store);

  G_OBJECT_CLASS (sp_profile_manager_parent_class)->dispose (object);
}

static void
sp_profile_manager_object_finalize (GObject *object)
{
  SpProfileManager *self = (SpProfileManager *)object;

  pthread_mutex_lock (&managers_lock);
  managers = g_list_remove (managers, self);
  pthread_mutex_unlock (&managers_lock);

  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->session, g_ptr_array_unref);
  g_clear_pointer (&self->extra_metadata, g_ptr_array_unref);
  g_clear_pointer (&self->start_wall_time, g_date_time_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->flush_error);
  sp_ranks_clear (&self->ranks);
  g_clear_object (&self->config);
  g_clear_object (&self->store);
  pthread_mutex_destroy (&self->lock);

  G_OBJECT_CLASS (sp_profile_manager_parent_class)->finalize (object);
}

static void
sp_profile_manager_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SpProfileManager *self = SP_PROFILE_MANAGER (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, sp_profile_manager_get_config (self));
      break;

    case PROP_REGIONS:
      g_value_set_object (value, sp_profile_manager_get_regions (self));
      break;

    case PROP_START_TIME:
      g_value_set_int64 (value, sp_profile_manager_get_start_time (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_profile_manager_class_init (SpProfileManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_profile_manager_dispose;
  object_class->finalize = sp_profile_manager_object_finalize;
  object_class->get_property = sp_profile_manager_get_property;

  /**
   * SpProfileManager:config:
   *
   * The options of the current session.
   *
   * Since: 0.1
   */
  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL,
                         SP_TYPE_CONFIG,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpProfileManager:regions:
   *
   * A #GListModel of the current session's [class@Region]s, in the order
   * they joined it. It is updated on the thread that created the manager
   * (regions made on other threads arrive through its main context).
   *
   * Since: 0.1
   */
  properties[PROP_REGIONS] =
    g_param_spec_object ("regions", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpProfileManager:start-time:
   *
   * When the current session started, in CLOCK_MONOTONIC nanoseconds.
   *
   * Since: 0.1
   */
  properties[PROP_START_TIME] =
    g_param_spec_int64 ("start-time", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_profile_manager_atfork_prepare (void)
{
  pthread_mutex_lock (&managers_lock);
  for (GList *l = managers; l; l = l->next)
    sp_profile_manager_lock (l->data);
}

static void
sp_profile_manager_atfork_parent (void)
{
  for (GList *l = managers; l; l = l->next)
    sp_profile_manager_unlock (l->data);
  pthread_mutex_unlock (&managers_lock);
}

/* The child starts a session of its own, written to
 * "<stem>.<pid><extension>" so it never replaces the parent's file; the
 * calls it inherited are the parent's and are dropped. */
static void
sp_profile_manager_forked_locked (SpProfileManager *self)
{
  const char *path = sp_config_get_file_path (self->config);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *child_base = NULL;
  g_autofree char *child_path = NULL;
  g_autoptr(SpConfig) config = sp_config_copy (self->config);
  const char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    child_base = g_strdup_printf ("%.*s.%d%s", (int) (dot - base), base, (int) getpid (), dot);
  else
    child_base = g_strdup_printf ("%s.%d", base, (int) getpid ());
  child_path = g_build_filename (dir, child_base, NULL);
  sp_config_set_file_path (config, child_path);

  /* The spill file is the parent's: close our descriptor, keep the file. */
  if (self->spill != NULL)
    sp_spill_free (g_steal_pointer (&self->spill), FALSE);

  for (guint i = 0; i < self->session->len; i++)
    {
      SpRegion *region = g_ptr_array_index (self->session, i);
      SpRegionMode mode = sp_region_get_mode (region);
      SpThreadState *state = sp_thread_state;

      /* The forking thread lives on in the child under a new native id. */
      for (SpRegionRecord *r = region->records; state != NULL && r != NULL; r = r->next)
        if (r->thread_index == state->index)
          r->native_id = state->native_id;

      sp_region_deactivate (region, SP_REGION_MODE_INACTIVE);
      sp_region_activate (region, mode, i,
                          sp_config_get_buffer_limit (config),
                          !sp_config_get_flush_to_disk (config));
    }

  g_set_object (&self->config, config);
  g_clear_error (&self->flush_error);
  self->start_time = sp_clock_now ();
  g_clear_pointer (&self->start_wall_time, g_date_time_unref);
  self->start_wall_time = g_date_time_new_now_utc ();
  self->finalized = FALSE;
  sp_ranks_detect (config, &self->ranks);
}

static void
sp_profile_manager_atfork_child (void)
{
  sp_thread_state_forget_fork ();

  for (GList *l = managers; l; l = l->next)
    {
      sp_profile_manager_forked_locked (l->data);
      sp_profile_manager_unlock (l->data);
    }
  pthread_mutex_unlock (&managers_lock);
}

static void
sp_profile_manager_init (SpProfileManager *self)
{
  static gsize atfork_registered;
  g_autoptr(SpConfig) config = sp_config_new ();

  if (g_once_init_enter (&atfork_registered))
    {
      pthread_atfork (sp_profile_manager_atfork_prepare,
                      sp_profile_manager_atfork_parent,
                      sp_profile_manager_atfork_child);
      g_once_init_leave (&atfork_registered, 1);
    }

  pthread_mutex_lock (&managers_lock);
  managers = g_list_prepend (managers, self);
  pthread_mutex_unlock (&managers_lock);

  pthread_mutex_init (&self->lock, NULL);
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->session = g_ptr_array_new ();
  self->extra_metadata = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_metadata_entry_free);
  self->owner = g_thread_self ();
  self->context = g_main_context_ref_thread_default ();
  self->store = g_list_store_new (SP_TYPE_REGION);

  sp_profile_manager_reset_locked (self, config);
  self->store_generation = self->generation;
}

/**
 * sp_profile_manager_new:
 *
 * Creates an independent manager: it records only its own regions and
 * writes its own session file. Its session starts at once with the default
 * [class@Config].
 *
 * Returns: (transfer full): a new #SpProfileManager
 *
 * Since: 0.1
 */
SpProfileManager *
sp_profile_manager_new (void)
{
  return g_object_new (SP_TYPE_PROFILE_MANAGER, NULL);
}

/**
 * sp_profile_manager_get_default:
 *
 * Gets the process-wide manager, the one SP_PROFILE_SCOPE() records into.
 * It lives as long as the process, and so do its regions.
 *
 * Returns: (transfer none): the default #SpProfileManager
 *
 * Since: 0.1
 */
SpProfileManager *
sp_profile_manager_get_default (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      default_manager = sp_profile_manager_new ();
      g_once_init_leave (&initialized, 1);
    }

  return default_manager;
}

SpProfileManager *
sp_profile_manager_peek_default (void)
{
  return default_manager;
}

/**
 * sp_profile_manager_setup:
 * @self: a #SpProfileManager
 * @config: (nullable): the session's options, or %NULL for the defaults
 *
 * Starts a new session. The regions of the previous one are cleared: their
 * calls are discarded and sp_profile_manager_get_region() no longer finds
 * them. Region objects stay valid, though: one that is entered again joins
 * the new session, so pointers kept by callers (and by SP_PROFILE_SCOPE())
 * keep working.
 *
 * @config is copied; changing it later has no effect on the session.
 *
 * Calls still open in the previous session close quietly without being
 * recorded. setup() must not run while other threads record into this
 * manager.
 *
 * Since: 0.1
 */
void
sp_profile_manager_setup (SpProfileManager *self,
                          SpConfig         *config)
{
  g_autoptr(SpConfig) copy = NULL;

  g_return_if_fail (SP_IS_PROFILE_MANAGER (self));
  g_return_if_fail (!config || SP_IS_CONFIG (config));

  copy = config ? sp_config_copy (config) : sp_config_new ();

  sp_profile_manager_lock (self);
  sp_profile_manager_reset_locked (self, copy);
  sp_profile_manager_unlock (self);

  sp_profile_manager_queue_sync (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_START_TIME]);
}

/**
 * sp_profile_manager_get_config:
 * @self: a #SpProfileManager
 *
 * Gets the options of the current session. Treat it as read-only: changes
 * take effect only through sp_profile_manager_setup().
 *
 * Returns: (transfer none): the session's #SpConfig
 *
 * Since: 0.1
 */
SpConfig *
sp_profile_manager_get_config (SpProfileManager *self)
{
  g_return_val_if_fail (SP_IS_PROFILE_MANAGER (self), NULL);

  return self->config;
}

/**
 * sp_profile_manager_get_start_time:
 * @self: a #SpProfileManager
 *
 * Returns: when the current session started, in CLOCK_MONOTONIC nanoseconds
 *
 * Since: 0.1
 */
gint64
sp_profile_manager_get_start_time (SpProfileManager *self)
{
  g_return_val_if_fail (SP_IS_PROFILE_MANAGER (self), 0);

  return self->start_time;
}

/* Adds @region to the current session. Called on the slow path of enter
 * when a region was cleared by setup(), and by profile_region(). */
void
sp_profile_manager_join (SpProfileManager *self,
                         SpRegion         *region)
{
  gboolean joined = FALSE;

  sp_profile_manager_lock (self);
  if (region->manager == self && sp_region_get_mode (region) == SP_REGION_MODE_INACTIVE)
    {
      sp_region_activate (region,
                          self->mode,
                          self->session->len,
                          sp_config_get_buffer_limit (self->config),
                          !sp_config_get_flush_to_disk (self->config));
      g_ptr_array_add (self->session, region);
      joined = TRUE;
    }
  sp_profile_manager_unlock (self);

  if (joined)
    sp_profile_manager_queue_sync (self);
}

static gboolean
sp_profile_manager_ensure_spill_locked (SpProfileManager  *self,
                                        GError           **error)
{
  g_autoptr(GPtrArray) metadata = NULL;
  g_autofree char *path = NULL;

  if (self->spill != NULL)
    return TRUE;

  path = g_strdup_printf ("%s.%d.spill", sp_config_get_file_path (self->config), (int) getpid ());
  metadata = sp_profile_manager_metadata_locked (self);

  self->spill = sp_spill_new (path, self->start_time, metadata, error);

  return self->spill != NULL;
}

static gboolean
sp_profile_manager_spill_locked (SpProfileManager  *self,
                                 SpRegionRecord    *record,
                                 GError           **error)
{
  SpRegion *region = record->region;

  if (!sp_profile_manager_ensure_spill_locked (self, error))
    return FALSE;

  if (!region->spilled_name)
    {
      if (!sp_spill_write_region (self->spill, region->index, region->name, error))
        return FALSE;
      region->spilled_name = TRUE;
    }

  if (!sp_spill_has_thread (self->spill, record->thread_index) &&
      !sp_spill_write_thread (self->spill, record->thread_index, record->native_id,
                              sp_region_record_get_thread_name (record),
                              error))
    return FALSE;

  /* The block's statistics are taken while it is written. */
  return sp_spill_write_block (self->spill, region->index, record->thread_index,
                               record->starts, record->ends, record->n,
                               &record->flushed, error);
}

/* The slow path of exit when a record's buffer is full: grow it towards the
 * limit, flush it, or, when flushing fails, keep the calls in memory. */
void
sp_profile_manager_make_room (SpProfileManager *self,
                              SpRegionRecord   *record)
{
  SpRegion *region = record->region;
  g_autoptr(GError) error = NULL;

  sp_profile_manager_lock (self);

  if (self->finalized)
    {
      /* The session is written; later calls are counted only. */
      __atomic_store_n (&record->n, 0, __ATOMIC_RELEASE);
    }
  else if (region->unbounded)
    {
      sp_region_record_grow_buffers (record, MAX (64, record->capacity * 2));
    }
  else if (record->capacity < region->buffer_limit)
    {
      sp_region_record_grow_buffers (record, MIN (MAX (64, record->capacity * 2), region->buffer_limit));
    }
  else if (sp_profile_manager_spill_locked (self, record, &error))
    {
      __atomic_store_n (&record->n, 0, __ATOMIC_RELEASE);
    }
  else
    {
      /* Never lose a call: keep it in memory and report the failure from
       * finalize(). */
      if (self->flush_error == NULL)
        {
          g_warning ("Could not flush profiling data, keeping it in memory: %s", error->message);
          self->flush_error = g_steal_pointer (&error);
        }
      sp_region_record_grow_buffers (record, record->capacity * 2);
    }

  sp_profile_manager_unlock (self);
}

static gboolean
sp_profile_manager_check_name (const char *name)
{
  if (name == NULL || name[0] == '\0')
    {
      g_critical ("A region name must be a non-empty string");
      return FALSE;
    }

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_critical ("A region name must be valid UTF-8");
      return FALSE;
    }

  return TRUE;
}

/**
 * sp_profile_manager_profile_region:
 * @self: a #SpProfileManager
 * @name: the region's name: any non-empty UTF-8 string
 *
 * Gets the region called @name, creating it on first use. The same name
 * always gives the same region, so calls from every call site accumulate.
 *
 * Returns: (transfer none) (nullable): the region, or %NULL if @name is
 *   empty or not UTF-8
 *
 * Since: 0.1
 */
SpRegion *
sp_profile_manager_profile_region (SpProfileManager *self,
                                   const char       *name)
{
  SpRegion *region;

  g_return_val_if_fail (SP_IS_PROFILE_MANAGER (self), NULL);

  if (!sp_profile_manager_check_name (name))
    return NULL;

  sp_profile_manager_lock (self);
  region = g_hash_table_lookup (self->by_name, name);
  if (region == NULL)
    {
      region = sp_region_new (self, name);
      g_hash_table_insert (self->by_name, region->name, region);
    }
  sp_profile_manager_unlock (self);

  if (sp_region_get_mode (region) == SP_REGION_MODE_INACTIVE)
    sp_profile_manager_join (self, region);

  return region;
}

/**
 * sp_profile_manager_get_region:
 * @self: a #SpProfileManager
 * @name: a region name
 *
 * Gets the region called @name if it is part of the current session.
 *
 * Returns: (transfer none) (nullable): the region, or %NULL
 *
 * Since: 0.1
 */
SpRegion *
sp_profile_manager_get_region (SpProfileManager *self,
                               const char       *name)
{
  SpRegion *region;

  g_return_val_if_fail (SP_IS_PROFILE_MANAGER (self), NULL);

  if (name == NULL)
    return NULL;

  sp_profile_manager_lock (self);
  region = g_hash_table_lookup (self->by_name, name);
  if (region != NULL && sp_region_get_mode (region) <= SP_REGION_MODE_INACTIVE &&
      sp_region_get_mode (region) != SP_REGION_MODE_DISABLED)
    region = NULL;
  sp_profile_manager_unlock (self);

  return region;
}

/**
 * sp_profile_manager_get_all_regions:
 * @self: a #SpProfileManager
 *
 * Gets the regions of the current session by name.
 *
 * Returns: (transfer container) (element-type utf8 SpRegion): a new hash
 *   table of name → region
 *
 * Since: 0.1
 */
GHashTable *
sp_profile_manager_get_all_regions (SpProfileManager *self)
{
  GHashTable *all;

  g_return_val_if_fail (SP_IS_PROFILE_MANAGER (self), NULL);

  all = g_hash_table_new (g_str_hash, g_str_equal);

  sp_profile_manager_lock (self);
  for (guint i = 0; i < self->session->len; i++)
    {
      SpRegion *region = g_ptr_array_index (self->session, i);
      g_hash_table_insert (all, region->name, region);
    }
  sp_profile_manager_unlock (self);

  return all;
}

/**
 * sp_profile_manager_get_regions:
 * @self: a #SpProfileManager
 *
 * Gets the current session's regions as a list model, for user interfaces.
 *
 * Returns: (transfer none): a #GListModel of #SpRegion
 *
 * Since: 0.1
 */
GListModel *
sp_profile_manager_get_regions (SpProfileManager *self)
{
  g_return_val_if_fail (SP_IS_PROFILE_MANAGER (self), NULL);

  if (g_thread_self () == self->owner)
    sp_profile_manager_sync_store (self);

  return G_LIST_MODEL (self->store);
}

/**
 * sp_profile_manager_set_metadata:
 * @self: a #SpProfileManager
 * @key: the attribute name in the file's `/metadata` group
 * @value: (nullable): a UTF-8 string, or %NULL to remove @key
 *
 * Adds a string to the metadata of the session files this manager writes
 * (for example the language bindings record `python_version`). It is kept
 * across sessions.
 *
 * Since: 0.1
 */
void
sp_profile_manager_set_metadata (SpProfileManager *self,
                                 const char       *key,
                                 const char       *value)
{
  g_return_if_fail (SP_IS_PROFILE_MANAGER (self));
  g_return_if_fail (key != NULL && key[0] != '\0' && strchr (key, '/') == NULL);

  sp_profile_manager_lock (self);
  if (value != NULL)
    {
      sp_metadata_set_string (self->extra_metadata, key, value);
    }
  else
    {
      for (guint i = 0; i < self->extra_metadata->len; i++)
        {
          SpMetadataEntry *e = g_ptr_array_index (self->extra_metadata, i);
          if (g_str_equal (e->key, key))
            {
              g_ptr_array_remove_index (self->extra_metadata, i);
              break;
            }
        }
    }
  sp_profile_manager_unlock (self);
}

static void
append_seconds (GString    *str,
                const char *label,
                double      seconds)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.9g", seconds);
  g_string_append_printf (str, "  %-12s: %s%s s\n", label, buf,
                          strpbrk (buf, ".eEn") ? "" : ".0");
}

static char *
sp_profile_manager_summary_locked (SpProfileManager *self)
{
  GString *str = g_string_new (NULL);
  gboolean timed = self->mode == SP_REGION_MODE_TRACE || self->finalized;

  for (guint i = 0; i < self->session->len; i++)
    {
      SpRegion *region = g_ptr_array_index (self->session, i);
      SpRunningStats stats;
      guint64 calls = sp_region_get_num_calls (region);

      g_string_append_printf (str, "Region: %s\n", region->name);
      g_string_append_printf (str, "  %-12s: %" G_GUINT64_FORMAT "\n", "Total Calls", calls);

      sp_region_collect (region, &stats);

      if (timed && stats.count > 0)
        {
          append_seconds (str, "Total Time", stats.total / 1e9);
          append_seconds (str, "Avg Time", stats.mean / 1e9);
          append_seconds (str, "Min Time", stats.min / 1e9);
          append_seconds (str, "Max Time", stats.max / 1e9);
          append_seconds (str, "Std Dev", sp_running_stats_get_stddev (&stats) / 1e9);
        }

      g_string_append (str, "----------------------------------------\n");
    }

  return g_string_free (str, FALSE);
}

/**
 * sp_profile_manager_get_summary:
 * @self: a #SpProfileManager
 *
 * Formats the per-region summary that finalize prints: for each region of
 * the session, its calls and the total, average, minimum, maximum and
 * (population) standard deviation of their durations, over every completed
 * call, flushed or not — the figures the Python scope-profiler prints.
 *
 * Returns: (transfer full): the summary text
 *
 * Since: 0.1
 */
char *
sp_profile_manager_get_summary (SpProfileManager *self)
{
  char *summary;

  g_return_val_if_fail (SP_IS_PROFILE_MANAGER (self), NULL);

  sp_profile_manager_lock (self);
  summary = sp_profile_manager_summary_locked (self);
  sp_profile_manager_unlock (self);

  return summary;
}

/**
 * sp_profile_manager_print_summary:
 * @self: a #SpProfileManager
 *
 * Prints sp_profile_manager_get_summary() with g_print().
 *
 * Since: 0.1
 */
void
sp_profile_manager_print_summary (SpProfileManager *self)
{
  g_autofree char *summary = NULL;

  g_return_if_fail (SP_IS_PROFILE_MANAGER (self));

  summary = sp_profile_manager_get_summary (self);
  g_print ("%s", summary);
}

typedef struct
{
  SpWriterRank *rank;
  GPtrArray    *metadata;
} Collect;

static void
collect_metadata (const SpMetadataEntry *entry,
                  gpointer               user_data)
{
  Collect *c = user_data;

  if (c->metadata == NULL)
    return;

  if (entry->string != NULL)
    sp_metadata_set_string (c->metadata, entry->key, entry->string);
  else
    sp_metadata_set_int (c->metadata, entry->key, entry->integer);
}

static void
collect_region (guint32     index,
                const char *name,
                gsize       name_len,
                gpointer    user_data)
{
  Collect *c = user_data;
  g_autofree char *copy = g_utf8_make_valid (name, name_len);

  sp_writer_rank_get_region (c->rank, index, copy);
}

static void
collect_thread (gint64      index,
                gint64      native_id,
                const char *name,
                gsize       name_len,
                gpointer    user_data)
{
  Collect *c = user_data;
  g_autofree char *copy = g_strndup (name, name_len);

  sp_writer_rank_add_thread (c->rank, index, native_id, copy);
}

static gboolean
collect_block (guint32         region_index,
               gint64          thread_index,
               SpSpillReader  *spill,
               goffset         offset,
               guint32         n,
               gpointer        user_data,
               GError        **error)
{
  Collect *c = user_data;
  SpWriterRegion *region = NULL;

  if (region_index < c->rank->regions->len)
    region = g_ptr_array_index (c->rank->regions, region_index);

  if (region == NULL)
    {
      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_FILE,
                   "Spill file has calls of an unnamed region %u", region_index);
      return FALSE;
    }

  /* Read from the spill file when written, a chunk at a time. */
  sp_writer_region_add_stored_block (region, thread_index, spill, offset, n);

  return TRUE;
}

static const SpSpillVisitor collect_visitor = {
  .metadata = collect_metadata,
  .region = collect_region,
  .thread = collect_thread,
  .block = collect_block,
};

static gboolean
sp_profile_manager_write_locked (SpProfileManager  *self,
                                 const char        *path,
                                 GError           **error)
{
  g_autoptr(SpSpillReader) spill = NULL;
  g_autoptr(SpWriterRank) rank = sp_writer_rank_new (self->ranks.rank);
  g_autoptr(GPtrArray) metadata = NULL;
  Collect collect = { rank, NULL };

  /* Flushed calls first, then what is still buffered: each thread's calls
   * stay in the order they completed. */
  if (self->spill != NULL)
    {
      spill = sp_spill_reader_open (sp_spill_get_path (self->spill), error);
      if (spill == NULL || !sp_spill_reader_visit (spill, &collect_visitor, &collect, error))
        return FALSE;
    }

  for (guint i = 0; i < self->session->len; i++)
    {
      SpRegion *region = g_ptr_array_index (self->session, i);
      SpWriterRegion *wr = sp_writer_rank_get_region (rank, region->index, region->name);

      wr->num_calls = sp_region_get_num_calls (region);

      for (SpRegionRecord *r = __atomic_load_n (&region->records, __ATOMIC_ACQUIRE); r; r = r->next)
        {
          guint n = __atomic_load_n (&r->n, __ATOMIC_ACQUIRE);

          if (n > 0 || r->flushed.count > 0)
            {
              gint64 start, end, cpu;

              sp_writer_rank_add_thread (rank, r->thread_index, r->native_id,
                                         sp_region_record_get_thread_name (r));
              sp_thread_info_get_times (r->thread_info, &start, &end, &cpu);
              sp_writer_rank_set_thread_times (rank, r->thread_index, start, end, cpu);
            }
          if (self->mode == SP_REGION_MODE_TRACE)
            sp_writer_region_add_block (wr, r->thread_index, r->starts, r->ends, n);
        }
    }

  metadata = sp_profile_manager_metadata_locked (self);

  /* The spill file becomes the session, its full blocks left where they
   * are, when it can be renamed to @path. */
  if (spill != NULL && sp_h5_can_write_in_spill (self->spill, path))
    {
      if (!sp_h5_write_session_in_spill (self->spill, spill, path, metadata, &rank, 1, error))
        return FALSE;

      sp_spill_free (g_steal_pointer (&self->spill), FALSE);
      return TRUE;
    }

  return sp_h5_write_session (path, metadata, &rank, 1, error);
}

/**
 * sp_profile_manager_finalize:
 * @self: a #SpProfileManager
 * @error: return location for a #GError
 *
 * Ends the session: writes every completed call to the session file
 * ([property@Config:file-path]) and prints the summary when
 * [property@Config:verbose] is set. See
 * sp_profile_manager_finalize_to_path().
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
sp_profile_manager_finalize (SpProfileManager  *self,
                             GError           **error)
{
  g_return_val_if_fail (SP_IS_PROFILE_MANAGER (self), FALSE);

  return sp_profile_manager_finalize_to_path (self, NULL, error);
}

/**
 * sp_profile_manager_finalize_to_path:
 * @self: a #SpProfileManager
 * @path: (type filename) (nullable): where to write the session, or %NULL
 *   for [property@Config:file-path]
 * @error: return location for a #GError
 *
 * Ends the session: writes every completed call (flushed or buffered) to
 * @path and prints the summary when [property@Config:verbose] is set.
 *
 * The file appears atomically: it is written under a temporary name in the
 * same directory and renamed into place. Calls still open are left out and
 * stay open; once the session is written, regions keep counting calls but
 * no longer keep timestamps, and finalizing again does nothing until the
 * next sp_profile_manager_setup().
 *
 * When writing fails (an unwritable directory, a full disk), @error says
 * why, and every recorded call is kept, so finalizing again, to another
 * path, writes them all. In the disabled and in-memory modes no file is
 * written; counting only, the file holds each region's `num_calls` and
 * empty timestamp datasets.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
sp_profile_manager_finalize_to_path (SpProfileManager  *self,
                                     const char        *path,
                                     GError           **error)
{
  g_autofree char *summary = NULL;
  g_autofree char *target = NULL;
  g_autofree char *part = NULL;
  SpRanks ranks = { 0 };
  gboolean verbose;
  gboolean written = FALSE;
  guint timeout;

  g_return_val_if_fail (SP_IS_PROFILE_MANAGER (self), FALSE);

  sp_profile_manager_lock (self);

  if (self->finalized)
    {
      sp_profile_manager_unlock (self);
      g_debug ("Session already finalized; nothing to write");
      return TRUE;
    }

  target = g_strdup (path ? path : sp_config_get_file_path (self->config));

  /* MPI may have been initialised since setup(): ask again. */
  sp_ranks_detect (self->config, &self->ranks);
  timeout = sp_config_get_merge_timeout (self->config);

  if (self->mode >= SP_REGION_MODE_COUNT_ONLY && sp_config_get_flush_to_disk (self->config))
    {
      /* Several ranks: each writes its part; rank 0 merges them below. */
      if (self->ranks.size > 1)
        part = sp_rank_part_path (target, self->ranks.rank);

      if (!sp_profile_manager_write_locked (self, part ? part : target, error))
        {
          sp_profile_manager_unlock (self);
          return FALSE;
        }
      written = TRUE;
    }

  verbose = sp_config_get_verbose (self->config) && self->ranks.rank == 0;
  if (verbose)
    summary = sp_profile_manager_summary_locked (self);

  g_clear_pointer (&self->spill, sp_spill_discard);
  g_clear_error (&self->flush_error);
  self->finalized = TRUE;

  if (self->mode == SP_REGION_MODE_TRACE)
    {
      sp_profile_manager_set_mode_locked (self, SP_REGION_MODE_COUNT_ONLY);
      for (guint i = 0; i < self->session->len; i++)
        sp_region_set_mode (g_ptr_array_index (self->session, i), SP_REGION_MODE_COUNT_ONLY);
    }

  ranks.rank = self->ranks.rank;
  ranks.size = self->ranks.size;
  ranks.mpi = self->ranks.mpi;
  ranks.job_id = g_strdup (self->ranks.job_id);

  sp_profile_manager_unlock (self);

  /* Waiting for the other ranks happens outside the lock, so this
   * process's threads keep recording meanwhile. */
  if (written && part != NULL)
    {
      gboolean synced = sp_ranks_barrier (&ranks);

      if (ranks.rank == 0 &&
          !sp_merge_rank_parts (target, &ranks, synced ? MIN (timeout, 10) : timeout, error))
        {
          sp_ranks_clear (&ranks);
          return FALSE;
        }
    }

  sp_ranks_clear (&ranks);

  if (summary != NULL)
    g_print ("%s", summary);

  return TRUE;
}

/**
 * sp_profile_manager_get_spill_path:
 * @self: a #SpProfileManager
 *
 * Gets the path of the file that full buffers are flushed to while the
 * session runs, if one was created. After a crash, pass it to
 * sp_profile_manager_recover().
 *
 * Returns: (transfer full) (nullable) (type filename): the spill file's path
 *
 * Since: 0.1
 */
char *
sp_profile_manager_get_spill_path (SpProfileManager *self)
{
  char *path = NULL;

  g_return_val_if_fail (SP_IS_PROFILE_MANAGER (self), NULL);

  sp_profile_manager_lock (self);
  if (self->spill != NULL)
    path = g_strdup (sp_spill_get_path (self->spill));
  sp_profile_manager_unlock (self);

  return path;
}

/**
 * sp_profile_manager_recover:
 * @spill_path: (type filename): a spill file left by a process that died
 * @output_path: (type filename): where to write the session
 * @error: return location for a #GError
 *
 * Turns the spill file of a session that never finalized (the process
 * crashed or was killed) into a session file holding every call that was
 * flushed. A record torn by the crash is left out. The spill file is not
 * removed.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
sp_profile_manager_recover (const char  *spill_path,
                            const char  *output_path,
                            GError     **error)
{
  g_autoptr(SpSpillReader) spill = NULL;
  g_autoptr(SpWriterRank) rank = sp_writer_rank_new (0);
  g_autoptr(GPtrArray) metadata = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_metadata_entry_free);
  Collect collect = { rank, metadata };

  g_return_val_if_fail (spill_path != NULL, FALSE);
  g_return_val_if_fail (output_path != NULL, FALSE);

  spill = sp_spill_reader_open (spill_path, error);
  if (spill == NULL || !sp_spill_reader_visit (spill, &collect_visitor, &collect, error))
    return FALSE;

  for (guint i = 0; i < rank->regions->len; i++)
    {
      SpWriterRegion *region = g_ptr_array_index (rank->regions, i);

      if (region != NULL)
        region->num_calls = region->n_events;
    }

  sp_metadata_set_string (metadata, "recovered_from", spill_path);

  return sp_h5_write_session (output_path, metadata, &rank, 1, error);
}

/**
 * sp_get_current_time:
 *
 * Reads the clock regions use: CLOCK_MONOTONIC in nanoseconds, the clock of
 * Python's time.perf_counter_ns() on Linux.
 *
 * Returns: the current time in nanoseconds
 *
 * Since: 0.1
 */
gint64
sp_get_current_time (void)
{
  return sp_clock_now ();
}

/**
 * sp_new_track:
 * @name: the track's name, as a thread's (e.g. an asyncio task's name)
 *
 * Makes a track: a lane of calls that is not a thread, for
 * sp_region_record(). Readers of the session file see it as one more
 * thread called @name (its native id is the calling thread's). Give each
 * piece of concurrent work that suspends (a task, an asynchronous
 * operation) a track of its own, or reuse a track once its calls ended.
 *
 * Tracks are process-wide, usable with the regions of any manager, and
 * live as long as the process (a few hundred bytes each, plus a lookup
 * page per 512 regions they record).
 *
 * Returns: the track, a number never given to another track or thread
 *
 * Since: 0.2
 */
gint64
sp_new_track (const char *name)
{
  g_return_val_if_fail (name != NULL, -1);

  return sp_thread_state_new_track (name)->index;
}

/**
 * sp_set_thread_name:
 * @name: a name, e.g. the name the language gives the thread
 *
 * Names the calling thread in every session it records into, those that
 * already hold calls of it included. Without it a thread is named by the
 * kernel's name of the thread (pthread_setname_np(), at most 15 bytes) when
 * it first records.
 *
 * Since: 0.2
 */
void
sp_set_thread_name (const char *name)
{
  g_return_if_fail (name != NULL);

  sp_thread_state_set_name (sp_thread_state_get (), name);
}

/**
 * sp_end_thread:
 *
 * Says that the calling thread is done: its end and CPU time in the
 * thread table are taken now. They are taken when the thread exits
 * otherwise, which happens after a language's join() may have returned
 * (Python's does), so a session written right after the join would show
 * the thread as still running. Calls it records later still count.
 *
 * Since: 0.2
 */
void
sp_end_thread (void)
{
  if (sp_thread_state != NULL)
    sp_thread_state_mark_end (sp_thread_state);
}
