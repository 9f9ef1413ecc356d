/* sp-python-tracer.c: recursive profiling for the scope_profiler package
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Recursive profiling turns every Python function call on a thread into a
 * call of a region named after the function, as the Python scope-profiler
 * package's sys.setprofile() tracer does, without a Python callback per
 * call:
 *
 *   Tracer(region_factory, code_filter=None)
 *       The per-code-object cache. region_factory(name) is called once per
 *       new code object and returns a region object (anything
 *       sp_py_region_get() accepts); code_filter(code, module_name), when
 *       given, is called once per new code object too and says whether its
 *       calls are recorded (module_name is f_globals["__name__"], or
 *       "<unknown>"). The region name is "<module_name>.<co_qualname>".
 *       tracer.forget() drops the cache (after the filter's answer for a
 *       code object changed). Neither callable is itself recorded.
 *
 *   activation = tracer.activate()
 *       Starts recording the calls of the current thread, on one of two
 *       paths (activation.path):
 *
 *       "frame"    an eval-frame hook (PEP 523,
 *                  _PyInterpreterState_SetEvalFrameFunc), where the
 *                  interpreter evaluates every call through it: CPython
 *                  3.11.4 and later 3.11 releases. It is
 *                  interpreter-wide, installed while any thread has a
 *                  frame-path activation and put back (the previous
 *                  function, the default one) with the last; each thread
 *                  finds its own activation in a thread-local variable and
 *                  other threads' frames are evaluated straight away.
 *       "profile"  a profile hook on the thread (PyEval_SetProfile()),
 *                  chaining the profiler that was there (a C profiler such
 *                  as cProfile's, or a sys.setprofile() function through
 *                  its C trampoline): it sees every event first, as before.
 *
 *       The frame path is taken when the setting (below) allows it ('auto':
 *       also only while sys.getrecursionlimit() is at most 10 000) and the
 *       thread has no profile or trace function (sys.setprofile(),
 *       sys.settrace(), cProfile, a debugger, an activation of ours on the
 *       profile path) and no frame-path activation yet, and the
 *       interpreter's eval-frame function is the default one or ours:
 *       someone else's (a debugger, a JIT) is neither replaced nor
 *       chained. Otherwise the profile path, whose chaining gives those
 *       their events unchanged; a second activation on a thread thus always
 *       chains the first, and both record.
 *   activation.deactivate()
 *       Stops recording (profile path: puts the previous profiler back if
 *       ours is still the thread's; frame path: the hook goes with the last
 *       activation, unless someone replaced it since) and closes the calls
 *       still open.
 *
 *   current_activation()
 *       The activation recording on this thread, or None.
 *
 *   tracer_path(path=None)
 *       The setting: "auto" (the default; the frame path where the
 *       interpreter supports it, frame_path_available()), "profile" or
 *       "frame" (forced, also on 3.11.0 to 3.11.3, for tests). The
 *       environment variable SCOPE_PROFILER_TRACER sets it at import.
 *
 *   set_recursive_hook(hook)
 *       setup(recursive_profile=True): while a hook is set, a decorated
 *       function (ProfiledFunction) called on a thread where no tracer is
 *       active is called as hook(function, *args, **kwargs), which activates
 *       the tracer around it (sp_py_tracer_call_outermost()); otherwise the
 *       check costs ProfiledFunction one load.
 *
 * Both paths record the same calls (tests/python/test_recursive.py runs
 * every test on both): each Python function call, class body, module or
 * exec() code is a call; each resumption of a generator or coroutine is
 * one call (also throw() and close() of a suspended one), the call that
 * creates it none; a call ends on its return, its exception or a yield;
 * frames already running when the tracer was activated (the frame that
 * activated it and its callers) are not recorded. Differences: on the
 * frame path a profiler installed while it records (sys.setprofile() in
 * the profiled code) does not stop the recording, where it replaces the
 * profile hook; and each recorded or passed-through Python call is a C
 * call of the interpreter (no inlined calls while the hook is installed),
 * so recursion uses C stack: the hook raises RecursionError where the
 * thread's C stack is nearly used up (about 15 000 calls deep in 8 MiB on
 * 3.11.7), where the profile hook would go as deep as the recursion limit
 * allows; 'auto' therefore takes the profile hook when the limit was
 * raised above 10 000 before the activation.
 *
 * Why two paths: while any profile function is set, CPython 3.11 makes a
 * frame object per call, computes line numbers and runs unspecialized
 * bytecode. Callgrind, Debian's 3.11.2, an empty function called in a
 * loop: 1 278 instructions per call recorded by the profile hook, of which
 * about 300 are the hook with the library's enter and exit (the hook itself
 * about 80); cProfile pays the same interpreter work (1 434 per call); a
 * decorated call (ProfiledFunction) costs 395. In time the profile hook is
 * about 1.6 x a decorated call. An eval-frame hook skips the interpreter's
 * tracing work: a pass-through hook costs about 12 ns per call, and a call
 * recorded on the frame path less than a decorated call
 * (benchmarks/bench-run.py prints both). But on 3.11.0 to 3.11.3,
 * Debian's 3.11.2 included, BINARY_SUBSCR_GETITEM (obj[i] with
 * __getitem__ written in Python, specialized once warm) pushes the
 * callee's frame without calling the hook (CPython gh-104405, fixed in
 * 3.11.4): 0 of 10 000 warm __getitem__ calls were seen there, all of
 * them on 3.11.7 and 3.12.1. Plain calls (CALL_PY_EXACT_ARGS,
 * CALL_PY_WITH_DEFAULTS), bound methods, property getters, __getattr__,
 * __init__, exceptions and generator resumptions (FOR_ITER, yield from)
 * were seen on all three; test_recursive.py counts each of those warm,
 * specialized calls exactly. So 'auto' keeps the profile hook on those
 * releases (Py_Version, checked at run time, not the headers built
 * against); on 3.12, which sees every call too but counts each C-level
 * evaluation against its C recursion limit (deep(n) fails from n = 749 with
 * the hook at the default recursion limit, 998 without); and on 3.13 and
 * later, whose frame layout this file does not know (the frame path is
 * compiled for 3.11 and 3.12 only; 'frame' forces it on 3.12).
 *
 * The profile hook, per event:
 *
 *   call      a lookup of the frame's code object in a pointer-keyed hash
 *             table (the last hit is checked first), then sp_region_enter()
 *             and a push of (frame, region) on the activation's stack;
 *   return    (also on exceptions, and at each generator yield) when the
 *             frame is the stack's top: a pop and sp_region_exit();
 *   c_call, c_return, c_exception: nothing (only the chained profiler).
 *
 * Events of frames that were already running when the hook was installed
 * never match the stack and are ignored, so enter and exit always pair up
 * in the library.
 *
 * The eval-frame hook, per evaluation of a frame of the recording thread:
 * the same lookup, push and sp_region_enter(), the default evaluation, then
 * a pop and sp_region_exit() unless deactivate() closed the call meanwhile.
 * A frame of a generator, coroutine or async generator code that the
 * thread owns (not the generator) is the call creating it, evaluated up to
 * RETURN_GENERATOR: passed through. Frames already running are never
 * evaluated again.
 *
 * The region objects and code objects are held by the cache, so the SpRegion
 * pointers kept there stay valid while the tracer lives.
 */

#include "sp-python-private.h"

#include <frameobject.h>
#include <pthread.h>
#include <stdint.h>

/* The frame path needs the interpreter's frame layout: 3.11 and 3.12 (the
 * layouts are the same within a minor version; which one runs is checked
 * at run time too, Py_Version). */
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030D0000
# define SP_HAVE_FRAME_HOOK 1
# define Py_BUILD_CORE 1
# include <internal/pycore_frame.h>
# undef Py_BUILD_CORE
#else
# define SP_HAVE_FRAME_HOOK 0
#endif

#define GENERATOR_FLAGS (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR)

#define UNKNOWN_MODULE "<unknown>"

typedef struct
{
  PyObject *region;     /* the region object, or NULL: not recorded */
  SpRegion *sp_region;  /* borrowed from region */
  gboolean  generator;  /* a generator, coroutine or async generator */
} CodeEntry;

typedef struct
{
  PyObject_HEAD
  PyObject   *factory;
  PyObject   *code_filter;   /* or NULL */
  GHashTable *codes;         /* PyCodeObject * (held) -> CodeEntry * */
  /* The last lookup: recursion and loops call the same code again. */
  PyCodeObject *last_code;
  CodeEntry    *last_entry;
} Tracer;

typedef struct
{
  /* borrowed, only compared: the PyFrameObject (profile path) or
   * _PyInterpreterFrame (frame path) of the call */
  const void    *frame;
  SpRegion      *region;
} OpenCall;

typedef enum
{
  PATH_AUTO,
  PATH_PROFILE,
  PATH_FRAME,
} TracerPath;

typedef struct
{
  PyObject_HEAD
  Tracer        *tracer;
  PyThreadState *tstate;
  Py_tracefunc   prev_func;
  PyObject      *prev_obj;
  GArray        *stack;      /* OpenCall */
  guint          capacity;   /* elements allocated in stack */
  gboolean       active;
  gboolean       frame_path; /* the eval-frame hook, not the profile hook */
} Activation;

static PyTypeObject Tracer_Type;
static PyTypeObject Activation_Type;
static PyObject *name_key;   /* "__name__", interned */

/* The cache */

static void
code_entry_free (gpointer data)
{
  CodeEntry *entry = data;

  Py_XDECREF (entry->region);
  g_free (entry);
}

static void
code_key_free (gpointer data)
{
  Py_DECREF ((PyObject *) data);
}

static void
tracer_clear_cache (Tracer *self)
{
  GHashTable *codes = self->codes;

  self->last_code = NULL;
  self->last_entry = NULL;
  if (codes == NULL)
    return;
  /* Freeing entries drops references, which may run arbitrary code: the
   * table is detached first. */
  self->codes = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                       code_key_free, code_entry_free);
  g_hash_table_unref (codes);
}

/* The module name of a frame's @globals (borrowed, may be NULL), a new
 * reference. */
static PyObject *
globals_module_name (PyObject *globals)
{
  PyObject *name = NULL;

  if (globals != NULL && PyDict_Check (globals))
    {
      name = PyDict_GetItemWithError (globals, name_key);
      if (name != NULL && PyUnicode_Check (name))
        Py_INCREF (name);
      else
        name = NULL;
    }
  PyErr_Clear ();

  if (name == NULL)
    name = PyUnicode_FromString (UNKNOWN_MODULE);

  return name;
}

/* Fills @entry for a new code object; errors (of the filter, of the
 * factory) are reported as unraisable and leave the code unrecorded. */
static void
tracer_resolve (Tracer       *self,
                PyObject     *globals,
                PyCodeObject *code,
                CodeEntry    *entry)
{
  PyObject *module = globals_module_name (globals);
  PyObject *name = NULL;
  PyObject *region = NULL;
  SpRegion *sp_region;

  entry->generator = (code->co_flags & GENERATOR_FLAGS) != 0;

  if (module == NULL)
    goto error;

  if (self->code_filter != NULL)
    {
      PyObject *keep = PyObject_CallFunctionObjArgs (self->code_filter, (PyObject *) code, module, NULL);
      int truth;

      if (keep == NULL)
        goto error;
      truth = PyObject_IsTrue (keep);
      Py_DECREF (keep);
      if (truth < 0)
        goto error;
      if (!truth)
        goto out;
    }

  name = PyUnicode_FromFormat ("%U.%U", module, code->co_qualname);
  if (name == NULL)
    goto error;

  region = PyObject_CallOneArg (self->factory, name);
  if (region == NULL)
    goto error;

  sp_region = sp_py_region_get (region);
  if (sp_region == NULL)
    goto error;

  entry->region = g_steal_pointer (&region);
  entry->sp_region = sp_region;
  goto out;

error:
  PyErr_WriteUnraisable (self->factory);
out:
  Py_XDECREF (region);
  Py_XDECREF (name);
  Py_XDECREF (module);
}

/* @globals: borrowed, or NULL to take @frame's. */
static G_GNUC_NO_INLINE CodeEntry *
tracer_lookup_slow (Tracer        *self,
                    PyCodeObject  *code,
                    PyObject      *globals,
                    PyFrameObject *frame)
{
  CodeEntry *entry = g_hash_table_lookup (self->codes, code);

  if (entry == NULL)
    {
      GHashTable *codes;
      PyObject *frame_globals = NULL;

      if (globals == NULL && frame != NULL)
        globals = frame_globals = PyFrame_GetGlobals (frame);

      entry = g_new0 (CodeEntry, 1);
      /* The filter or factory may run Python code that forgets the
       * cache: the entry goes into the table that is current after. */
      tracer_resolve (self, globals, code, entry);
      Py_XDECREF (frame_globals);
      codes = self->codes;
      Py_INCREF (code);
      g_hash_table_replace (codes, code, entry);
    }

  self->last_code = code;
  self->last_entry = entry;

  return entry;
}

static inline CodeEntry *
tracer_lookup (Tracer        *self,
               PyFrameObject *frame)
{
  /* Borrowed: the frame holds its code. */
  PyCodeObject *code = PyFrame_GetCode (frame);

  Py_DECREF (code);
  if (G_LIKELY (code == self->last_code))
    return self->last_entry;

  return tracer_lookup_slow (self, code, NULL, frame);
}

/* The hook */

static G_GNUC_NO_INLINE void
activation_push_slow (Activation    *self,
                      const OpenCall *call)
{
  guint len;

  g_array_append_val (self->stack, *call);
  len = self->stack->len;
  /* Grow the allocation, then put the length back: the fast path writes
   * below capacity without calling GArray. */
  self->capacity = MAX (self->capacity * 2, len);
  g_array_set_size (self->stack, self->capacity);
  g_array_set_size (self->stack, len);
}

/* Both hooks open a call the same way: pushed on the activation's stack
 * (the fast path writes below capacity), then entered in the library. */
static inline void
activation_open_call (Activation *self,
                      const void *frame,
                      SpRegion   *region)
{
  GArray *stack = self->stack;

  if (G_LIKELY (stack->len < self->capacity))
    {
      OpenCall *call = &g_array_index (stack, OpenCall, stack->len++);

      call->frame = frame;
      call->region = region;
    }
  else
    {
      OpenCall pushed = { frame, region };

      activation_push_slow (self, &pushed);
    }
  sp_region_enter (region);
}

/* The hook's events, each a small function the hook tail-calls: the
 * common path saves no registers it does not use. */
static G_GNUC_NO_INLINE int
tracer_hook_call (Activation    *self,
                  PyFrameObject *frame)
{
  CodeEntry *entry = tracer_lookup (self->tracer, frame);
  SpRegion *region = entry->sp_region;

  if (region == NULL)
    return 0;

  activation_open_call (self, frame, region);

  return 0;
}

static G_GNUC_NO_INLINE int
tracer_hook_return (Activation    *self,
                    PyFrameObject *frame)
{
  GArray *stack = self->stack;
  guint len = stack->len;
  OpenCall *top;

  if (len == 0)
    return 0;
  top = &g_array_index (stack, OpenCall, len - 1);
  if (top->frame != frame)
    return 0;
  stack->len = len - 1;
  sp_region_exit (top->region);

  return 0;
}

/* The hook without a previous profiler to chain (the common case). */
static int
tracer_hook (PyObject      *object,
             PyFrameObject *frame,
             int            what,
             PyObject      *arg)
{
  if (what == PyTrace_CALL)
    return tracer_hook_call ((Activation *) object, frame);
  if (what == PyTrace_RETURN)
    return tracer_hook_return ((Activation *) object, frame);
  return 0;
}

/* The hook chaining the profiler that was installed before: it sees every
 * event first. */
static int
tracer_hook_chained (PyObject      *object,
                     PyFrameObject *frame,
                     int            what,
                     PyObject      *arg)
{
  Activation *self = (Activation *) object;

  if (self->prev_func != NULL &&
      self->prev_func (self->prev_obj, frame, what, arg) < 0)
    return -1;

  return tracer_hook (object, frame, what, arg);
}

static inline gboolean
is_tracer_hook (Py_tracefunc func)
{
  return func == tracer_hook || func == tracer_hook_chained;
}

/* The frame path: an eval-frame hook (PEP 523)
 *
 * One function per interpreter, installed while at least one activation
 * uses it (frame_hook_users); each thread finds its own activation in a
 * thread-local variable, and frames of threads without one are evaluated
 * straight away. */

/* The thread's frame-path activation (a reference held), or NULL. */
static __thread Activation *frame_activation __attribute__ ((tls_model ("initial-exec")));

static TracerPath tracer_path = PATH_AUTO;

#if SP_HAVE_FRAME_HOOK

static guint frame_hook_users;
static _PyFrameEvalFunction frame_hook_prev;

/* While the hook is installed, every Python call is a C call of the
 * interpreter (none is inlined), so deep recursion that runs in a few
 * megabytes of C stack without it overflows with it. Below this address
 * (the thread's stack, a margin above its end; 0: not known yet) the hook
 * raises RecursionError in the callee instead of crashing. */
static __thread uintptr_t stack_limit __attribute__ ((tls_model ("initial-exec")));

#define STACK_MARGIN (256 * 1024)
#define FRAME_PATH_MAX_RECURSION_LIMIT 10000

static uintptr_t
thread_stack_limit (void)
{
#ifdef __GLIBC__
  pthread_attr_t attr;
  void *addr = NULL;
  size_t size = 0;

  if (pthread_getattr_np (pthread_self (), &attr) != 0)
    return 1;
  if (pthread_attr_getstack (&attr, &addr, &size) != 0)
    addr = NULL;
  pthread_attr_destroy (&attr);
  if (addr == NULL || size == 0)
    return 1;

  /* Stacks grow down on the platforms we build for. */
  return (uintptr_t) addr + MIN (size / 4, STACK_MARGIN);
#else
  return 1;   /* not known: no check */
#endif
}

/* Learns the thread's limit; when @here is below it, raises RecursionError
 * in @frame (evaluated as generator.throw() does with a new generator:
 * the frame is unwound and popped as usual) and returns TRUE. */
static G_GNUC_NO_INLINE gboolean
frame_stack_exhausted (PyThreadState       *tstate,
                       _PyInterpreterFrame *frame,
                       uintptr_t            here,
                       PyObject           **result)
{
  if (stack_limit == 0)
    stack_limit = thread_stack_limit ();
  if (here >= stack_limit)
    return FALSE;

  PyErr_SetString (PyExc_RecursionError,
                   "maximum recursion depth exceeded (the C stack, with scope-profiler's "
                   "frame-evaluation hook; SCOPE_PROFILER_TRACER=profile records deeper "
                   "recursion)");
  *result = _PyEval_EvalFrameDefault (tstate, frame, 1);

  return TRUE;
}

/* The entry of @frame's code, resolved if new; NULL when @self was
 * deactivated meanwhile. The code filter and the region factory run
 * unrecorded, as under a profile hook (CPython does not call it while the
 * hook runs): the thread's activation is put aside while they run. */
static G_GNUC_NO_INLINE CodeEntry *
frame_lookup_slow (Activation          *self,
                   _PyInterpreterFrame *frame)
{
  CodeEntry *entry;

  frame_activation = NULL;
  entry = tracer_lookup_slow (self->tracer, frame->f_code, frame->f_globals, NULL);
  /* Unless deactivate() ran, or another activation took the thread. */
  if (!self->active)
    return NULL;
  if (frame_activation == NULL)
    frame_activation = self;

  return entry;
}

static PyObject *
tracer_eval_frame (PyThreadState       *tstate,
                   _PyInterpreterFrame *frame,
                   int                  throwflag)
{
  Activation *self = frame_activation;
  uintptr_t here = (uintptr_t) __builtin_frame_address (0);
  CodeEntry *entry;
  SpRegion *region;
  GArray *stack;
  guint depth;
  PyObject *result;

  if (G_UNLIKELY (here < stack_limit || stack_limit == 0) &&
      frame_stack_exhausted (tstate, frame, here, &result))
    return result;

  if (self == NULL || self->tstate != tstate)
    return _PyEval_EvalFrameDefault (tstate, frame, throwflag);

  /* Alive until the exit, whatever the frame does (deactivate() included). */
  Py_INCREF (self);

  entry = G_LIKELY (frame->f_code == self->tracer->last_code)
    ? self->tracer->last_entry
    : frame_lookup_slow (self, frame);
  /* Calling a generator, coroutine or async generator function evaluates
   * a frame of the thread once, up to RETURN_GENERATOR; its body runs in
   * the generator's own frame, each resumption one evaluation. */
  if (entry == NULL || (region = entry->sp_region) == NULL ||
      (entry->generator && frame->owner != FRAME_OWNED_BY_GENERATOR))
    {
      result = _PyEval_EvalFrameDefault (tstate, frame, throwflag);
      Py_DECREF (self);
      return result;
    }

  depth = self->stack->len;
  activation_open_call (self, frame, region);

  result = _PyEval_EvalFrameDefault (tstate, frame, throwflag);

  /* Unless deactivate() closed it already. */
  stack = self->stack;
  if (G_LIKELY (stack->len == depth + 1 &&
                g_array_index (stack, OpenCall, depth).frame == frame))
    {
      stack->len = depth;
      sp_region_exit (region);
    }
  Py_DECREF (self);

  return result;
}

/* Whether this interpreter evaluates every Python call through an
 * eval-frame hook once the instructions are specialized (3.11.0 to 3.11.3
 * do not for BINARY_SUBSCR_GETITEM, CPython gh-104405). */
static gboolean
frame_hook_sound (void)
{
  unsigned long version = Py_Version;

  if ((version >> 16) == 0x030B)
    return version >= 0x030B0400;
  /* 3.12 counts each C-level evaluation against its C recursion limit
   * (Py_C_RECURSION_LIMIT): with the hook, deep(n) fails from n = 749 at
   * the default recursion limit of 1000 (998 without it). Not the same
   * program: 3.12 stays on the profile hook unless forced. */
  return FALSE;
}

/* Whether a new activation on @tstate can take the frame path now. */
static gboolean
frame_path_usable (PyThreadState *tstate)
{
  _PyFrameEvalFunction current;

  if (tracer_path == PATH_PROFILE ||
      (tracer_path == PATH_AUTO && !frame_hook_sound ()))
    return FALSE;
  /* A program that raised the recursion limit may recurse deeper than the
   * C stack allows with the hook (about 15 000 calls in 8 MiB on 3.11). */
  if (tracer_path == PATH_AUTO && Py_GetRecursionLimit () > FRAME_PATH_MAX_RECURSION_LIMIT)
    return FALSE;
  /* A profiler or tracer on the thread (sys.setprofile(), sys.settrace(),
   * cProfile, a debugger, our own profile hook): chained, on the profile
   * path. Likewise a frame-path activation already on the thread. */
  if (tstate->c_profilefunc != NULL || tstate->c_tracefunc != NULL ||
      frame_activation != NULL)
    return FALSE;
  /* Someone else's eval-frame function (a debugger, a JIT): not ours to
   * replace. */
  current = _PyInterpreterState_GetEvalFrameFunc (PyThreadState_GetInterpreter (tstate));

  return current == _PyEval_EvalFrameDefault || current == tracer_eval_frame;
}

static void
frame_hook_acquire (PyThreadState *tstate)
{
  PyInterpreterState *interp = PyThreadState_GetInterpreter (tstate);

  if (frame_hook_users++ == 0)
    {
      frame_hook_prev = _PyInterpreterState_GetEvalFrameFunc (interp);
      if (frame_hook_prev == tracer_eval_frame)
        frame_hook_prev = _PyEval_EvalFrameDefault;
      _PyInterpreterState_SetEvalFrameFunc (interp, tracer_eval_frame);
    }
}

static void
frame_hook_release (PyThreadState *tstate)
{
  PyInterpreterState *interp = PyThreadState_GetInterpreter (tstate);

  g_return_if_fail (frame_hook_users > 0);

  /* Put back what was there, unless someone replaced us since. */
  if (--frame_hook_users == 0 &&
      _PyInterpreterState_GetEvalFrameFunc (interp) == tracer_eval_frame)
    _PyInterpreterState_SetEvalFrameFunc (interp, frame_hook_prev);
}

#else /* !SP_HAVE_FRAME_HOOK */

static gboolean
frame_hook_sound (void)
{
  return FALSE;
}

static gboolean
frame_path_usable (PyThreadState *tstate)
{
  return FALSE;
}

static void
frame_hook_acquire (PyThreadState *tstate)
{
  g_assert_not_reached ();
}

static void
frame_hook_release (PyThreadState *tstate)
{
}

#endif /* SP_HAVE_FRAME_HOOK */

/* This thread's frame-path activation, borrowed, or NULL. */
static inline Activation *
current_frame_activation (void)
{
  Activation *self = frame_activation;

  if (self != NULL && self->tstate == PyThreadState_GET ())
    return self;
  return NULL;
}

/* Tracer */

static PyObject *
tracer_new (PyTypeObject *type,
            PyObject     *args,
            PyObject     *kwargs)
{
  static char *keywords[] = { (char *) "region_factory", (char *) "code_filter", NULL };
  PyObject *factory;
  PyObject *code_filter = Py_None;
  Tracer *self;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "O|O:Tracer", keywords, &factory, &code_filter))
    return NULL;
  if (!PyCallable_Check (factory))
    return PyErr_Format (PyExc_TypeError, "region_factory must be callable, not %.200s",
                         Py_TYPE (factory)->tp_name);
  if (code_filter != Py_None && !PyCallable_Check (code_filter))
    return PyErr_Format (PyExc_TypeError, "code_filter must be callable or None, not %.200s",
                         Py_TYPE (code_filter)->tp_name);

  self = (Tracer *) type->tp_alloc (type, 0);
  if (self == NULL)
    return NULL;

  self->factory = Py_NewRef (factory);
  self->code_filter = code_filter == Py_None ? NULL : Py_NewRef (code_filter);
  self->codes = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                       code_key_free, code_entry_free);

  return (PyObject *) self;
}

static int
tracer_traverse (PyObject  *object,
                 visitproc  visit,
                 void      *arg)
{
  Tracer *self = (Tracer *) object;
  GHashTableIter iter;
  gpointer value;

  Py_VISIT (self->factory);
  Py_VISIT (self->code_filter);
  if (self->codes != NULL)
    {
      g_hash_table_iter_init (&iter, self->codes);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        Py_VISIT (((CodeEntry *) value)->region);
    }

  return 0;
}

static int
tracer_clear (PyObject *object)
{
  Tracer *self = (Tracer *) object;

  Py_CLEAR (self->factory);
  Py_CLEAR (self->code_filter);
  tracer_clear_cache (self);

  return 0;
}

static void
tracer_dealloc (PyObject *object)
{
  Tracer *self = (Tracer *) object;

  PyObject_GC_UnTrack (object);
  tracer_clear (object);
  g_clear_pointer (&self->codes, g_hash_table_unref);
  Py_TYPE (object)->tp_free (object);
}

static PyObject *
tracer_forget (PyObject *object,
               PyObject *unused)
{
  tracer_clear_cache ((Tracer *) object);
  Py_RETURN_NONE;
}

static PyObject *
tracer_activate (PyObject *object,
                 PyObject *unused)
{
  Tracer *self = (Tracer *) object;
  PyThreadState *tstate = PyThreadState_Get ();
  Activation *activation;

  if (self->factory == NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "tracer activated after it was cleared");
      return NULL;
    }

  activation = PyObject_GC_New (Activation, &Activation_Type);
  if (activation == NULL)
    return NULL;

  activation->tracer = (Tracer *) Py_NewRef (object);
  activation->tstate = tstate;
  activation->stack = g_array_sized_new (FALSE, FALSE, sizeof (OpenCall), 64);
  activation->capacity = 64;
  activation->active = TRUE;
  activation->frame_path = frame_path_usable (tstate);

  if (activation->frame_path)
    {
      /* The thread-local variable holds a reference. */
      activation->prev_func = NULL;
      activation->prev_obj = NULL;
      PyObject_GC_Track (activation);
      frame_activation = (Activation *) Py_NewRef ((PyObject *) activation);
      frame_hook_acquire (tstate);
      return (PyObject *) activation;
    }

  activation->prev_func = tstate->c_profilefunc;
  activation->prev_obj = Py_XNewRef (tstate->c_profileobj);
  PyObject_GC_Track (activation);

  /* The thread state takes its own reference to the activation. */
  if (_PyEval_SetProfile (tstate,
                          activation->prev_func != NULL ? tracer_hook_chained : tracer_hook,
                          (PyObject *) activation) < 0)
    {
      activation->active = FALSE;
      Py_DECREF (activation);
      return NULL;
    }

  return (PyObject *) activation;
}

static PyObject *
tracer_get_size (PyObject *object,
                 void     *closure)
{
  Tracer *self = (Tracer *) object;

  return PyLong_FromSize_t (self->codes != NULL ? g_hash_table_size (self->codes) : 0);
}

static PyMethodDef tracer_methods[] = {
  { "activate", tracer_activate, METH_NOARGS,
    "activate()\n--\n\n"
    "Install the profile hook on this thread (chaining the profiler in place)\n"
    "and return the Activation whose deactivate() removes it." },
  { "forget", tracer_forget, METH_NOARGS,
    "forget()\n--\n\n"
    "Drop the cached decision and region of every code object." },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef tracer_getset[] = {
  { "n_codes", tracer_get_size, NULL, "Code objects in the cache.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyDoc_STRVAR (tracer_doc,
"Tracer(region_factory, code_filter=None)\n--\n\n"
"Recursive profiling: while activated on a thread, every Python call there\n"
"(each generator resumption too) is a call of the region\n"
"region_factory(\"<module>.<qualname>\"), made once per code object.\n"
"code_filter(code, module_name), once per code object, says whether it is\n"
"recorded at all.");

static PyTypeObject Tracer_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_scope_profiler_native.Tracer",
  .tp_basicsize = sizeof (Tracer),
  .tp_dealloc = tracer_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
  .tp_doc = tracer_doc,
  .tp_traverse = tracer_traverse,
  .tp_clear = tracer_clear,
  .tp_methods = tracer_methods,
  .tp_getset = tracer_getset,
  .tp_new = tracer_new,
};

/* Activation */

/* Closes the calls still open, innermost first. */
static void
activation_close_open_calls (Activation *self)
{
  while (self->stack != NULL && self->stack->len > 0)
    {
      OpenCall *top = &g_array_index (self->stack, OpenCall, self->stack->len - 1);

      self->stack->len--;
      sp_region_exit (top->region);
    }
}

static PyObject *
activation_deactivate (PyObject *object,
                       PyObject *unused)
{
  Activation *self = (Activation *) object;
  PyThreadState *tstate = PyThreadState_Get ();
  Py_tracefunc prev_func;
  PyObject *prev_obj;
  int status = 0;

  if (!self->active)
    Py_RETURN_NONE;

  if (self->tstate != tstate)
    {
      PyErr_SetString (PyExc_RuntimeError,
                       "a recursive-profiling activation is deactivated on the thread that activated it");
      return NULL;
    }

  self->active = FALSE;

  if (self->frame_path)
    {
      if (frame_activation == self)
        frame_activation = NULL;
      frame_hook_release (tstate);
      /* The frames still open see the empty stack and leave it alone. */
      activation_close_open_calls (self);
      /* The thread-local variable's reference (the caller holds one). */
      Py_DECREF (object);
      Py_RETURN_NONE;
    }

  prev_func = self->prev_func;
  prev_obj = self->prev_obj;
  self->prev_func = NULL;
  self->prev_obj = NULL;

  /* Only when the hook is still ours: someone else's profiler installed
   * since (sys.setprofile() in the profiled code) stays. */
  if (is_tracer_hook (tstate->c_profilefunc) && tstate->c_profileobj == object)
    status = _PyEval_SetProfile (tstate, prev_func, prev_obj);

  activation_close_open_calls (self);
  Py_XDECREF (prev_obj);

  if (status < 0)
    return NULL;
  Py_RETURN_NONE;
}

static PyObject *
activation_get_active (PyObject *object,
                       void     *closure)
{
  return PyBool_FromLong (((Activation *) object)->active);
}

static PyObject *
activation_get_path (PyObject *object,
                     void     *closure)
{
  return PyUnicode_FromString (((Activation *) object)->frame_path ? "frame" : "profile");
}

static PyObject *
activation_get_tracer (PyObject *object,
                       void     *closure)
{
  Activation *self = (Activation *) object;

  if (self->tracer == NULL)
    Py_RETURN_NONE;
  return Py_NewRef ((PyObject *) self->tracer);
}

static PyObject *
activation_get_depth (PyObject *object,
                      void     *closure)
{
  Activation *self = (Activation *) object;

  return PyLong_FromLong (self->stack != NULL ? (long) self->stack->len : 0);
}

static int
activation_traverse (PyObject  *object,
                     visitproc  visit,
                     void      *arg)
{
  Activation *self = (Activation *) object;

  Py_VISIT (self->tracer);
  Py_VISIT (self->prev_obj);

  return 0;
}

static int
activation_clear (PyObject *object)
{
  Activation *self = (Activation *) object;

  Py_CLEAR (self->tracer);
  Py_CLEAR (self->prev_obj);
  self->prev_func = NULL;

  return 0;
}

static void
activation_dealloc (PyObject *object)
{
  Activation *self = (Activation *) object;

  PyObject_GC_UnTrack (object);
  /* Only reached once no thread state holds us: the hook is gone. The
   * regions of calls left open are closed if this is still their
   * thread. */
  if (self->tstate == PyThreadState_GET ())
    activation_close_open_calls (self);
  activation_clear (object);
  g_clear_pointer (&self->stack, g_array_unref);
  PyObject_GC_Del (object);
}

static PyMethodDef activation_methods[] = {
  { "deactivate", activation_deactivate, METH_NOARGS,
    "deactivate()\n--\n\n"
    "Remove the hook (if it is still this thread's profiler), put the\n"
    "previous profiler back and close the calls still open. Idempotent." },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef activation_getset[] = {
  { "active", activation_get_active, NULL, "Whether deactivate() was not called yet.", NULL },
  { "tracer", activation_get_tracer, NULL, "The Tracer.", NULL },
  { "depth", activation_get_depth, NULL, "Calls open now.", NULL },
  { "path", activation_get_path, NULL,
    "'frame' (the eval-frame hook) or 'profile' (the profile hook).", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

static PyTypeObject Activation_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_scope_profiler_native.TracerActivation",
  .tp_basicsize = sizeof (Activation),
  .tp_dealloc = activation_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "The profile hook of a Tracer on one thread (Tracer.activate()).",
  .tp_traverse = activation_traverse,
  .tp_clear = activation_clear,
  .tp_methods = activation_methods,
  .tp_getset = activation_getset,
};

/* The activation of a Tracer installed on this thread now, or None. */
static PyObject *
native_current_activation (PyObject *module,
                           PyObject *unused)
{
  PyThreadState *tstate = PyThreadState_Get ();
  Activation *frame_path = current_frame_activation ();

  if (is_tracer_hook (tstate->c_profilefunc) && tstate->c_profileobj != NULL)
    return Py_NewRef (tstate->c_profileobj);
  if (frame_path != NULL)
    return Py_NewRef ((PyObject *) frame_path);
  Py_RETURN_NONE;
}

static const char *const path_names[] = {
  [PATH_AUTO] = "auto",
  [PATH_PROFILE] = "profile",
  [PATH_FRAME] = "frame",
};

static int
parse_path (const char *name,
            TracerPath *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (path_names); i++)
    if (g_strcmp0 (name, path_names[i]) == 0)
      {
        *path = i;
        return 0;
      }
  return -1;
}

/* tracer_path(path=None): the setting (SCOPE_PROFILER_TRACER at import),
 * set to @path when given; returns the one before. */
static PyObject *
native_tracer_path (PyObject *module,
                    PyObject *const *args,
                    Py_ssize_t nargs)
{
  TracerPath before = tracer_path;
  TracerPath path;
  const char *name;

  if (nargs > 1)
    return PyErr_Format (PyExc_TypeError,
                         "tracer_path expected at most 1 argument, got %zd", nargs);
  if (nargs == 1 && args[0] != Py_None)
    {
      if (!PyUnicode_Check (args[0]) ||
          (name = PyUnicode_AsUTF8 (args[0])) == NULL ||
          parse_path (name, &path) < 0)
        {
          if (!PyErr_Occurred ())
            PyErr_Format (PyExc_ValueError,
                          "tracer path must be 'auto', 'profile' or 'frame', not %R", args[0]);
          return NULL;
        }
      tracer_path = path;
    }

  return PyUnicode_FromString (path_names[before]);
}

/* For tests: whether this interpreter's eval-frame function is ours. */
static PyObject *
native_frame_hook_installed (PyObject *module,
                             PyObject *unused)
{
#if SP_HAVE_FRAME_HOOK
  PyInterpreterState *interp = PyInterpreterState_Get ();

  return PyBool_FromLong (_PyInterpreterState_GetEvalFrameFunc (interp) == tracer_eval_frame);
#else
  Py_RETURN_FALSE;
#endif
}

static PyObject *
native_frame_path_available (PyObject *module,
                             PyObject *unused)
{
  return PyBool_FromLong (SP_HAVE_FRAME_HOOK && frame_hook_sound ());
}

/* The hook of decorated functions in recursive mode */

PyObject *sp_py_recursive_hook;

gboolean
sp_py_tracer_is_active (void)
{
  return is_tracer_hook (PyThreadState_GET ()->c_profilefunc) ||
         current_frame_activation () != NULL;
}

PyObject *
sp_py_tracer_call_outermost (PyObject         *callable,
                             PyObject *const  *args,
                             size_t            nargsf,
                             PyObject         *kwnames)
{
  PyObject *hook = sp_py_recursive_hook;
  Py_ssize_t nargs = PyVectorcall_NARGS (nargsf);
  Py_ssize_t total = nargs + (kwnames != NULL ? PyTuple_GET_SIZE (kwnames) : 0);
  PyObject *small[8];
  PyObject **stack = small;
  PyObject *result;

  if (total + 1 > (Py_ssize_t) G_N_ELEMENTS (small))
    {
      stack = PyMem_Malloc ((total + 1) * sizeof (PyObject *));
      if (stack == NULL)
        return PyErr_NoMemory ();
    }

  stack[0] = callable;
  for (Py_ssize_t i = 0; i < total; i++)
    stack[i + 1] = args[i];

  Py_INCREF (hook);
  result = PyObject_Vectorcall (hook, stack, nargs + 1, kwnames);
  Py_DECREF (hook);

  if (stack != small)
    PyMem_Free (stack);

  return result;
}

static PyObject *
native_set_recursive_hook (PyObject *module,
                           PyObject *hook)
{
  if (hook != Py_None && !PyCallable_Check (hook))
    return PyErr_Format (PyExc_TypeError, "the hook must be callable or None, not %.200s",
                         Py_TYPE (hook)->tp_name);

  Py_XSETREF (sp_py_recursive_hook, hook == Py_None ? NULL : Py_NewRef (hook));
  Py_RETURN_NONE;
}

static PyMethodDef tracer_functions[] = {
  { "set_recursive_hook", native_set_recursive_hook, METH_O,
    "set_recursive_hook(hook, /)\n--\n\n"
    "While hook is not None, a ProfiledFunction called on a thread where no\n"
    "Tracer is active is called as hook(function, *args, **kwargs) instead\n"
    "(recursive profiling of decorated functions)." },
  { "current_activation", native_current_activation, METH_NOARGS,
    "current_activation()\n--\n\n"
    "The TracerActivation installed on this thread (as its profiler or on\n"
    "the frame path), or None." },
  { "tracer_path", (PyCFunction) (void (*) (void)) native_tracer_path, METH_FASTCALL,
    "tracer_path(path=None, /)\n--\n\n"
    "The path new activations take: 'auto' (the eval-frame hook where the\n"
    "interpreter evaluates every call through it, CPython 3.11.4 and later 3.11,\n"
    "the profile hook otherwise), 'profile' or 'frame' (forced, also where\n"
    "calls may be missed). Set to path when given; returns the setting\n"
    "before. The environment variable SCOPE_PROFILER_TRACER sets it at import." },
  { "frame_path_available", native_frame_path_available, METH_NOARGS,
    "frame_path_available()\n--\n\n"
    "Whether 'auto' takes the eval-frame hook on this interpreter (unless a\n"
    "profiler, tracer or another eval-frame function is in place)." },
  { "_frame_hook_installed", native_frame_hook_installed, METH_NOARGS,
    "_frame_hook_installed()\n--\n\n"
    "Whether the interpreter's eval-frame function is the tracer's (tests)." },
  { NULL, NULL, 0, NULL },
};

int
sp_py_tracer_init (PyObject *module)
{
  const char *path = g_getenv ("SCOPE_PROFILER_TRACER");

  name_key = PyUnicode_InternFromString ("__name__");
  if (name_key == NULL)
    return -1;

  if (path != NULL && *path != '\0' && parse_path (path, &tracer_path) < 0 &&
      PyErr_WarnFormat (PyExc_RuntimeWarning, 1,
                        "SCOPE_PROFILER_TRACER=%s is not 'auto', 'profile' or 'frame': ignored",
                        path) < 0)
    return -1;

  if (PyType_Ready (&Tracer_Type) < 0 ||
      PyType_Ready (&Activation_Type) < 0)
    return -1;

  if (PyModule_AddType (module, &Tracer_Type) < 0 ||
      PyModule_AddType (module, &Activation_Type) < 0)
    return -1;

  return PyModule_AddFunctions (module, tracer_functions);
}
