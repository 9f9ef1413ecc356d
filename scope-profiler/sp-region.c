/* sp-region.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#ifdef SP_HAVE_SYSPROF_CAPTURE
# include <sysprof-capture.h>
#endif

#include "sp-clock-private.h"
#include "sp-profile-manager-private.h"
#include "sp-region-private.h"
#include "sp-scope.h"

/**
 * SpRegion:
 *
 * A named interval of code.
 *
 * Each sp_region_enter() / sp_region_exit() pair records one call: a start
 * and an end timestamp in CLOCK_MONOTONIC nanoseconds, and one more in
 * [property@Region:num-calls]. Regions nest, recurse and may be used from any
 * number of threads at once; each thread records into buffers of its own, so
 * the hot path takes no lock, hashes nothing and allocates nothing in the
 * common case.
 *
 * Regions are created by [method@ProfileManager.profile_region] and belong to
 * their manager: the same name always gives the same region object. After
 * [method@ProfileManager.setup] clears the session, a region that is entered
 * again simply joins the new session.
 *
 * Since: 0.1
 */

enum {
  PROP_0,
  PROP_NAME,
  PROP_NUM_CALLS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpRegion, sp_region, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];
static guint sp_region_next_id;

/* How many managers record (count or trace) at the moment; kept by
 * sp_profile_manager_set_mode_locked(). The header's inline enter and exit
 * skip the call into the library while it is 0: every region is then
 * disabled, orphaned, or cleared by a setup() that recorded nothing, and
 * entering or leaving it would do nothing anyway. */
int sp_region_recording_sessions;
static GType sp_region_type;

/* Set when the process runs under Sysprof (and the library was built with
 * it): each recorded call is then also sent as a live Sysprof mark. When
 * it is not, this is the only cost on the hot path: one predictable
 * branch on a global. */
static gboolean sp_region_sysprof_live;

/* SP_IS_REGION() for the hot path: the type is final, so comparing the
 * class's type is the whole check, without calling sp_region_get_type(). */
static inline gboolean
sp_region_is_region (gconstpointer instance)
{
  const GTypeInstance *ti = instance;

  return G_LIKELY (ti != NULL && ti->g_class != NULL && ti->g_class->g_type == sp_region_type);
}

static void
sp_region_record_free (SpRegionRecord *record)
{
  if (record->stack != record->stack_inline)
    g_free (record->stack);
  g_clear_pointer (&record->starts_array, g_array_unref);
  g_clear_pointer (&record->ends_array, g_array_unref);
  sp_thread_info_unref (record->thread_info);
  free (record);
}

static void
sp_region_finalize (GObject *object)
{
  SpRegion *self = (SpRegion *)object;
  SpRegionRecord *record = self->records;

  while (record != NULL)
    {
      SpRegionRecord *next = record->next;
      sp_region_record_free (record);
      record = next;
    }

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (sp_region_parent_class)->finalize (object);
}

static void
sp_region_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SpRegion *self = SP_REGION (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_NUM_CALLS:
      g_value_set_uint64 (value, sp_region_get_num_calls (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_region_class_init (SpRegionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sp_region_finalize;
  object_class->get_property = sp_region_get_property;

  sp_region_type = G_TYPE_FROM_CLASS (klass);

  /**
   * SpRegion:name:
   *
   * The name of the region: any non-empty UTF-8 string.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * SpRegion:num-calls:
   *
   * The number of completed calls in the current session, over all threads.
   *
   * It is not notified: it changes on the hot path.
   *
   * Since: 0.1
   */
  properties[PROP_NUM_CALLS] =
    g_param_spec_uint64 ("num-calls", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_region_init (SpRegion *self)
{
  self->mode = SP_REGION_MODE_INACTIVE;
}

SpRegion *
sp_region_new (SpProfileManager *manager,
               const char       *name)
{
  SpRegion *self;

  self = g_object_new (SP_TYPE_REGION, NULL);
  self->name = g_strdup (name);
  self->manager = manager;
  self->id = __atomic_fetch_add (&sp_region_next_id, 1, __ATOMIC_RELAXED);

  return self;
}

/* Slow paths, kept out of line so the hot path stays small. */

static SpRegionRecord *
sp_region_record_new_in (SpRegion      *self,
                         SpThreadState *state)
{
  SpRegionRecord *record;
  SpRegionRecord *head;

  /* Allocated and cleared here rather than by g_aligned_alloc0() so that
   * ThreadSanitizer sees the initialising writes. */
  if (posix_memalign ((gpointer *) &record, 64, sizeof *record) != 0)
    g_error ("%s: failed to allocate %" G_GSIZE_FORMAT " bytes", G_STRLOC, sizeof *record);
  memset (record, 0, sizeof *record);
  record->region = self;
  record->stack = record->stack_inline;
  record->stack_capacity = G_N_ELEMENTS (record->stack_inline);
  record->thread_index = state->index;
  record->native_id = state->native_id;
  record->thread_info = sp_thread_info_ref (state->info);
  sp_running_stats_init (&record->flushed);

  if (self->manager != NULL)
    {
      /* Buffers are sized under the lock, as collectors read them. */
      sp_profile_manager_lock (self->manager);
      if (self->unbounded || self->buffer_limit > 0)
        sp_region_record_grow_buffers (record, MIN (64, MAX (self->buffer_limit, 1)));
      sp_profile_manager_unlock (self->manager);
    }

  head = __atomic_load_n (&self->records, __ATOMIC_ACQUIRE);
  do
    record->next = head;
  while (!__atomic_compare_exchange_n (&self->records, &head, record, TRUE,
                                       __ATOMIC_RELEASE, __ATOMIC_ACQUIRE));

  sp_thread_state_insert (state, self->id, record);

  return record;
}

static G_GNUC_NO_INLINE SpRegionRecord *
sp_region_record_new (SpRegion *self)
{
  return sp_region_record_new_in (self, sp_thread_state_get ());
}

static G_GNUC_NO_INLINE void
sp_region_record_grow_stack (SpRegionRecord *record)
{
  guint capacity = record->stack_capacity * 2;

  if (record->stack == record->stack_inline)
    {
      record->stack = g_new (gint64, capacity);
      memcpy (record->stack, record->stack_inline, sizeof record->stack_inline);
    }
  else
    {
      record->stack = g_renew (gint64, record->stack, capacity);
    }

  record->stack_capacity = capacity;
}

/* Called with the manager's lock held (or on a record no one else sees). */
void
sp_region_record_grow_buffers (SpRegionRecord *record,
                               guint           capacity)
{
  if (capacity <= record->capacity)
    return;

  if (record->starts_array == NULL)
    {
      record->starts_array = g_array_sized_new (FALSE, FALSE, sizeof (gint64), capacity);
      record->ends_array = g_array_sized_new (FALSE, FALSE, sizeof (gint64), capacity);
    }

  g_array_set_size (record->starts_array, capacity);
  g_array_set_size (record->ends_array, capacity);
  record->starts = (gint64 *)(gpointer) record->starts_array->data;
  record->ends = (gint64 *)(gpointer) record->ends_array->data;
  record->capacity = capacity;
}

static G_GNUC_NO_INLINE void
sp_region_rejoin (SpRegion *self)
{
  SpProfileManager *manager = self->manager;

  if (manager != NULL)
    sp_profile_manager_join (manager, self);
}

static G_GNUC_NO_INLINE void
sp_region_exit_slow (SpRegion       *self,
                     SpRegionRecord *record)
{
  if (record != NULL && record->depth > 0)
    {
      /* An open call from an earlier session: it closes, but counts
       * nowhere. */
      record->depth--;
      record->floor = MIN (record->floor, record->depth);
      return;
    }

  if (sp_region_get_mode (self) >= SP_REGION_MODE_COUNT_ONLY)
    g_critical ("sp_region_exit: region \"%s\" has no open call on this thread; "
                "the exit is ignored", self->name);
}

static G_GNUC_NO_INLINE void
sp_region_make_room (SpRegion       *self,
                     SpRegionRecord *record)
{
  SpProfileManager *manager = self->manager;

  if G_LIKELY (manager != NULL)
    sp_profile_manager_make_room (manager, record);
  else
    sp_region_record_grow_buffers (record, MAX (64, record->capacity * 2));
}

/* Sysprof hands its control socket to the processes it profiles. */
void
sp_region_update_sysprof (void)
{
#ifdef SP_HAVE_SYSPROF_CAPTURE
  __atomic_store_n (&sp_region_sysprof_live,
                    g_getenv ("SYSPROF_CONTROL_FD") != NULL &&
                    g_strcmp0 (g_getenv ("SCOPE_PROFILER_SYSPROF"), "0") != 0,
                    __ATOMIC_RELAXED);
#endif
}

static G_GNUC_NO_INLINE void
sp_region_send_mark (SpRegion *self,
                     gint64    start,
                     gint64    end)
{
#ifdef SP_HAVE_SYSPROF_CAPTURE
  sysprof_collector_mark (start, end - start, "scope-profiler", self->name, NULL);
#endif
}

/* The hot path. */

static inline SpRegionRecord *
sp_region_enter_internal (SpRegion *self)
{
  SpRegionMode mode = sp_region_get_mode (self);
  SpRegionRecord *record;

  if G_UNLIKELY (mode < SP_REGION_MODE_COUNT_ONLY)
    {
      if (mode != SP_REGION_MODE_INACTIVE)
        return NULL;

      sp_region_rejoin (self);
      mode = sp_region_get_mode (self);
      if (mode < SP_REGION_MODE_COUNT_ONLY)
        return NULL;
    }

  record = sp_thread_state_lookup (self->id);
  if G_UNLIKELY (record == NULL)
    record = sp_region_record_new (self);

  if G_UNLIKELY (record->depth == record->stack_capacity)
    sp_region_record_grow_stack (record);

  /* The clock is read last, so our own work stays outside the interval. */
  record->stack[record->depth++] = mode == SP_REGION_MODE_TRACE ? sp_clock_now () : 0;

  return record;
}

static inline void
sp_region_exit_internal (SpRegion       *self,
                         SpRegionRecord *record)
{
  SpRegionMode mode = sp_region_get_mode (self);
  gint64 now;
  guint depth;

  if G_UNLIKELY (mode < SP_REGION_MODE_COUNT_ONLY)
    {
      if (mode == SP_REGION_MODE_INACTIVE)
        sp_region_exit_slow (self, record ? record : sp_thread_state_lookup (self->id));
      return;
    }

  /* The clock is read first, so our own work stays outside the interval. */
  now = mode == SP_REGION_MODE_TRACE ? sp_clock_now () : 0;

  if (record == NULL)
    record = sp_thread_state_lookup (self->id);

  if G_UNLIKELY (record == NULL || record->depth <= record->floor)
    {
      sp_region_exit_slow (self, record);
      return;
    }

  depth = --record->depth;

  if (mode == SP_REGION_MODE_TRACE)
    {
      guint n = record->n;

      if G_UNLIKELY (n >= record->capacity)
        {
          sp_region_make_room (self, record);
          n = record->n;
        }

      record->starts[n] = record->stack[depth];
      record->ends[n] = now;
      __atomic_store_n (&record->n, n + 1, __ATOMIC_RELEASE);

      if G_UNLIKELY (sp_region_sysprof_live)
        sp_region_send_mark (self, record->starts[n], now);
    }

  __atomic_store_n (&record->num_calls, record->num_calls + 1, __ATOMIC_RELAXED);
}

/**
 * sp_region_enter:
 * @self: a #SpRegion
 *
 * Opens a call of @self on the calling thread. Calls nest and may recurse:
 * every sp_region_enter() needs its own sp_region_exit() on the same thread.
 *
 * Since: 0.1
 */
void
sp_region_enter (SpRegion *self)
{
  g_return_if_fail (sp_region_is_region (self));

  sp_region_enter_internal (self);
}

/**
 * sp_region_exit:
 * @self: a #SpRegion
 *
 * Closes the innermost open call of @self on the calling thread and records
 * it. An exit without an open call on this thread is a programmer error: it
 * is reported with g_critical() and ignored.
 *
 * Since: 0.1
 */
void
sp_region_exit (SpRegion *self)
{
  g_return_if_fail (sp_region_is_region (self));

  sp_region_exit_internal (self, NULL);
}

/**
 * sp_region_record:
 * @self: a #SpRegion
 * @track: a track from sp_profile_manager_new_track(), or -1 for the
 *   calling thread
 * @start_ns: when the call started, CLOCK_MONOTONIC nanoseconds (the clock
 *   of sp_get_current_time())
 * @end_ns: when it ended, not before @start_ns
 *
 * Records one completed call of @self from @start_ns to @end_ns on @track,
 * outside of any thread's nesting: for work that suspends and resumes
 * (a coroutine, an asyncio task, an asynchronous operation), whose calls
 * overlap other calls of the same thread without nesting in them. Take
 * the start with sp_get_current_time() where the work begins and call
 * this where it ends, from any thread.
 *
 * A track is a lane of its own: readers see it as one more thread, with
 * the track's name. Calls on one track should nest or follow each other;
 * give calls that overlap otherwise tracks of their own. With @track -1
 * the call goes onto the calling thread's lane, beside its nested calls.
 *
 * The call counts like one of sp_region_enter() / sp_region_exit() (also
 * when the session only counts calls). Recording takes a lock: it is meant
 * for calls that cost microseconds anyway, not for the hot path.
 *
 * Since: 0.2
 */
void
sp_region_record (SpRegion *self,
                  gint64    track,
                  gint64    start_ns,
                  gint64    end_ns)
{
  SpThreadState *state;
  SpRegionRecord *record;
  SpRegionMode mode;
  guint n;

  g_return_if_fail (sp_region_is_region (self));
  g_return_if_fail (start_ns <= end_ns);

  mode = sp_region_get_mode (self);
  if (mode < SP_REGION_MODE_COUNT_ONLY)
    {
      if (mode != SP_REGION_MODE_INACTIVE)
        return;

      sp_region_rejoin (self);
      mode = sp_region_get_mode (self);
      if (mode < SP_REGION_MODE_COUNT_ONLY)
        return;
    }

  /* A track may be recorded into from any thread: its records are written
   * under the tracks' lock, which is taken before the manager's. */
  sp_thread_tracks_lock ();

  if (track < 0)
    state = sp_thread_state_get ();
  else if ((state = sp_thread_state_find_track (track)) == NULL)
    {
      sp_thread_tracks_unlock ();
      g_critical ("sp_region_record: %" G_GINT64_FORMAT " is not a track", track);
      return;
    }

  record = sp_thread_state_lookup_in (state, self->id);
  if (record == NULL)
    record = sp_region_record_new_in (self, state);

  if (mode == SP_REGION_MODE_TRACE)
    {
      n = record->n;
      if (n >= record->capacity)
        {
          sp_region_make_room (self, record);
          n = record->n;
        }

      record->starts[n] = start_ns;
      record->ends[n] = end_ns;
      __atomic_store_n (&record->n, n + 1, __ATOMIC_RELEASE);

      if G_UNLIKELY (sp_region_sysprof_live)
        sp_region_send_mark (self, start_ns, end_ns);
    }

  __atomic_store_n (&record->num_calls, record->num_calls + 1, __ATOMIC_RELAXED);

  sp_thread_tracks_unlock ();
}

/**
 * sp_scope_guard_enter: (skip)
 * @site: the call site
 *
 * The implementation of SP_PROFILE_SCOPE(); call that instead.
 *
 * Returns: a guard for sp_scope_guard_leave()
 *
 * Since: 0.1
 */
SpScopeGuard
sp_scope_guard_enter (SpScopeSite *site)
{
  SpScopeGuard guard = { NULL, NULL };
  SpRegion *region;

  region = __atomic_load_n (&site->region, __ATOMIC_ACQUIRE);

  if G_UNLIKELY (region == NULL)
    {
      /* Regions of the default manager live as long as the process, so
       * the site may keep the pointer across setup(). */
      region = sp_profile_manager_profile_region (sp_profile_manager_get_default (), site->name);
      if (region == NULL)
        return guard;
      __atomic_store_n (&site->region, region, __ATOMIC_RELEASE);
    }

  guard.region = region;
  guard.record = sp_region_enter_internal (region);

  return guard;
}

/**
 * sp_scope_guard_leave: (skip)
 * @guard: a guard from sp_scope_guard_enter()
 *
 * The implementation of SP_PROFILE_SCOPE(); call that instead.
 *
 * Since: 0.1
 */
void
sp_scope_guard_leave (SpScopeGuard *guard)
{
  if (guard->record != NULL)
    sp_region_exit_internal (guard->region, guard->record);
}

/* Session transitions, called with the manager's lock held. */

void
sp_region_activate (SpRegion     *self,
                    SpRegionMode  mode,
                    guint         index,
                    guint         buffer_limit,
                    gboolean      unbounded)
{
  self->index = index;
  self->buffer_limit = buffer_limit;
  self->unbounded = unbounded;
  self->spilled_name = FALSE;

  /* A smaller limit than last session's takes effect at once; the larger
   * allocation is kept and reused rather than touched afresh. */
  for (SpRegionRecord *r = self->records; r != NULL; r = r->next)
    if (!unbounded && r->starts_array != NULL)
      r->capacity = MIN (r->starts_array->len, MAX (buffer_limit, 1));

  __atomic_store_n (&self->mode, mode, __ATOMIC_RELEASE);
}

void
sp_region_deactivate (SpRegion     *self,
                      SpRegionMode  mode)
{
  __atomic_store_n (&self->mode, mode, __ATOMIC_RELEASE);

  for (SpRegionRecord *r = __atomic_load_n (&self->records, __ATOMIC_ACQUIRE);
       r != NULL;
       r = r->next)
    {
      __atomic_store_n (&r->n, 0, __ATOMIC_RELEASE);
      __atomic_store_n (&r->num_calls, 0, __ATOMIC_RELAXED);
      r->floor = r->depth;
      sp_running_stats_init (&r->flushed);
    }

  self->spilled_name = FALSE;

  if (mode == SP_REGION_MODE_ORPHANED)
    self->manager = NULL;
}

void
sp_region_set_mode (SpRegion     *self,
                    SpRegionMode  mode)
{
  __atomic_store_n (&self->mode, mode, __ATOMIC_RELEASE);
}

/* Statistics over every completed call of the session: flushed and
 * buffered. Called with the manager's lock held. */
void
sp_region_collect (SpRegion *self,
                   SpRunningStats  *stats)
{
  sp_running_stats_init (stats);

  for (SpRegionRecord *r = __atomic_load_n (&self->records, __ATOMIC_ACQUIRE);
       r != NULL;
       r = r->next)
    {
      guint n = __atomic_load_n (&r->n, __ATOMIC_ACQUIRE);

      sp_running_stats_merge (stats, &r->flushed);
      sp_running_stats_add_block (stats, r->starts, r->ends, n);
    }
}

/**
 * sp_region_get_name:
 * @self: a #SpRegion
 *
 * Returns: the name of the region
 *
 * Since: 0.1
 */
const char *
sp_region_get_name (SpRegion *self)
{
  g_return_val_if_fail (SP_IS_REGION (self), NULL);

  return self->name;
}

/**
 * sp_region_get_num_calls:
 * @self: a #SpRegion
 *
 * Gets the number of completed calls of @self in the current session, from
 * all threads, flushed or not.
 *
 * Returns: the number of completed calls
 *
 * Since: 0.1
 */
guint64
sp_region_get_num_calls (SpRegion *self)
{
  guint64 total = 0;

  g_return_val_if_fail (SP_IS_REGION (self), 0);

  if (sp_region_get_mode (self) <= SP_REGION_MODE_INACTIVE)
    return 0;

  for (SpRegionRecord *r = __atomic_load_n (&self->records, __ATOMIC_ACQUIRE);
       r != NULL;
       r = r->next)
    total += __atomic_load_n (&r->num_calls, __ATOMIC_RELAXED);

  return total;
}

typedef enum {
  COLUMN_STARTS,
  COLUMN_ENDS,
  COLUMN_DURATIONS,
  COLUMN_THREADS,
} Column;

static GBytes *
sp_region_get_column (SpRegion *self,
                      Column    column)
{
  SpProfileManager *manager = self->manager;
  GArray *out;
  gsize total = 0;

  if (manager != NULL)
    sp_profile_manager_lock (manager);

  for (SpRegionRecord *r = self->records; r != NULL; r = r->next)
    total += __atomic_load_n (&r->n, __ATOMIC_ACQUIRE);

  out = g_array_sized_new (FALSE, FALSE, sizeof (gint64), total);

  for (SpRegionRecord *r = self->records; r != NULL && out->len < total; r = r->next)
    {
      guint n = MIN (__atomic_load_n (&r->n, __ATOMIC_ACQUIRE), total - out->len);

      switch (column)
        {
        case COLUMN_STARTS:
          g_array_append_vals (out, r->starts, n);
          break;

        case COLUMN_ENDS:
          g_array_append_vals (out, r->ends, n);
          break;

        case COLUMN_DURATIONS:
          for (guint i = 0; i < n; i++)
            {
              gint64 d = r->ends[i] - r->starts[i];
              g_array_append_val (out, d);
            }
          break;

        case COLUMN_THREADS:
          for (guint i = 0; i < n; i++)
            g_array_append_val (out, r->thread_index);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  if (manager != NULL)
    sp_profile_manager_unlock (manager);

  total = out->len;

  return g_bytes_new_take (g_array_free (out, FALSE), total * sizeof (gint64));
}

/**
 * sp_region_get_n_buffered:
 * @self: a #SpRegion
 *
 * Gets the number of completed calls held in memory, that is not yet
 * flushed to the spill file.
 *
 * Returns: the number of buffered calls
 *
 * Since: 0.1
 */
guint
sp_region_get_n_buffered (SpRegion *self)
{
  guint total = 0;

  g_return_val_if_fail (SP_IS_REGION (self), 0);

  for (SpRegionRecord *r = __atomic_load_n (&self->records, __ATOMIC_ACQUIRE);
       r != NULL;
       r = r->next)
    total += __atomic_load_n (&r->n, __ATOMIC_ACQUIRE);

  return total;
}

/**
 * sp_region_get_durations:
 * @self: a #SpRegion
 *
 * Gets the durations of the buffered (not yet flushed) calls, in nanoseconds,
 * as native-endian #gint64 values. Calls of one thread are in the order they
 * completed; threads follow each other.
 *
 * Returns: (transfer full): the durations
 *
 * Since: 0.1
 */
GBytes *
sp_region_get_durations (SpRegion *self)
{
  g_return_val_if_fail (SP_IS_REGION (self), NULL);

  return sp_region_get_column (self, COLUMN_DURATIONS);
}

/**
 * sp_region_get_start_times:
 * @self: a #SpRegion
 *
 * Gets the start times (CLOCK_MONOTONIC nanoseconds, native-endian #gint64)
 * of the buffered calls, in the order of sp_region_get_durations().
 *
 * Returns: (transfer full): the start times
 *
 * Since: 0.1
 */
GBytes *
sp_region_get_start_times (SpRegion *self)
{
  g_return_val_if_fail (SP_IS_REGION (self), NULL);

  return sp_region_get_column (self, COLUMN_STARTS);
}

/**
 * sp_region_get_end_times:
 * @self: a #SpRegion
 *
 * Gets the end times (CLOCK_MONOTONIC nanoseconds, native-endian #gint64)
 * of the buffered calls, in the order of sp_region_get_durations().
 *
 * Returns: (transfer full): the end times
 *
 * Since: 0.1
 */
GBytes *
sp_region_get_end_times (SpRegion *self)
{
  g_return_val_if_fail (SP_IS_REGION (self), NULL);

  return sp_region_get_column (self, COLUMN_ENDS);
}

/**
 * sp_region_get_thread_ids:
 * @self: a #SpRegion
 *
 * Gets the thread ids (native-endian #gint64) of the buffered calls, in the
 * order of sp_region_get_durations(). Thread ids are small integers given to
 * threads in the order they first record, starting at 0; the session file
 * maps them to the threads' native ids and names.
 *
 * Returns: (transfer full): the thread ids
 *
 * Since: 0.1
 */
GBytes *
sp_region_get_thread_ids (SpRegion *self)
{
  g_return_val_if_fail (SP_IS_REGION (self), NULL);

  return sp_region_get_column (self, COLUMN_THREADS);
}
