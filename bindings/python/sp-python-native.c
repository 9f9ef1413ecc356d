/* sp-python-native.c: the scope_profiler package's binding of the library
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* _scope_profiler_native: the scope_profiler package's way into
 * libscope-profiler, without PyGObject.
 *
 *   Manager                           an SpProfileManager: setup, regions,
 *                                     summary, finalize, recover
 *   Region                            an SpRegion: enter()/exit(),
 *                                     `with region:`, counts, buffered calls
 *   ProfilerError                     a GError of the library (OSError)
 *   get_current_time()                sp_get_current_time()
 *
 * and the per-call path, shared with the PyGObject override
 * (gi/overrides/ScopeProfiler.py):
 *
 *   enter(region) / exit(region)      sp_region_enter() / sp_region_exit()
 *   region_enter_method               Region.__enter__ (returns the region)
 *   region_exit_method                Region.__exit__ (returns False)
 *   ProfiledFunction(func, region)    the wrapper of a decorated function
 *   RegionLookup(cache, fallback)     profile_region(name): a dict hit in C
 *   region_gtype                      SP_TYPE_REGION as an int, the GType the
 *                                     library linked here registered; the
 *                                     override compares it with
 *                                     hash(ScopeProfiler.Region.__gtype__)
 *
 * A "region" argument of the per-call path is a Region of this module
 * (looked at first: one pointer comparison) or a PyGObject wrapper of an
 * SpRegion (gi.repository.ScopeProfiler.Region, for the override). The
 * latter is recognised without pygobject.h: PyGObject's instances start
 * with `PyObject_HEAD; GObject *obj;` and derive from gi._gi.GObject,
 * which is looked up in sys.modules (never imported) the first time an
 * object that is not a Region comes by. Anything else is a TypeError (a
 * PyGObject wrapper whose object is gone a RuntimeError), as through GI.
 *
 * There is one Region object per SpRegion while it lives (the SpRegion
 * points at it through qdata, weakly), so a region created by C code
 * (SP_PROFILE_SCOPE) or by another part of this module is the same object
 * that Manager.get_region() returns.
 *
 * Errors of the library (GError) are raised as ProfilerError, an OSError
 * whose str() is the library's message; `domain` and `code` give the
 * GError's, and `errno` is set when the GError is a file or I/O error that
 * has one.
 *
 * The GIL stays held across enter and exit; releasing and taking it again
 * would cost more than the call. They take no lock on their fast path; on
 * their slow paths (a thread's first call of a region, a full buffer) they
 * take the manager's lock, which its holders never keep while waiting for
 * Python: the library calls no Python code under it (the one exception
 * would be a GLib log handler written in Python for the "ScopeProfiler"
 * domain, reached by the warning of a failed flush). Writing a session
 * (finalize) releases the GIL.
 */

#include "sp-python-private.h"

#include <errno.h>
#include <gio/gio.h>

#if PY_VERSION_HEX < 0x030900f0
# error "Python 3.9 or newer is needed (PyObject_Vectorcall)"
#endif

static GType region_gtype;
static GQuark wrapper_quark;
static PyObject *profiler_error;

/* PyGObject's instance struct starts like this (pygobject.h, PyGObject). */
typedef struct
{
  PyObject_HEAD
  GObject *obj;
} PyGObjectHead;

/* gi._gi.GObject, once seen in sys.modules (held). */
static PyTypeObject *pygobject_type;
/* The last PyGObject class whose instances passed the check, held:
 * instances of that class skip the walk of their MRO. */
static PyTypeObject *known_wrapper_type;
/* The last subclass of Region seen, held, for the same reason. */
static PyTypeObject *known_region_subtype;

typedef struct
{
  PyObject_HEAD
  SpRegion *region;          /* a reference */
  PyObject *dict;
  PyObject *weakreflist;
} SpPyRegion;

typedef struct
{
  PyObject_HEAD
  SpProfileManager *manager; /* a reference */
  PyObject *weakreflist;
} SpPyManager;

static PyTypeObject Region_Type;
static PyTypeObject Manager_Type;

/* Errors */

static const struct
{
  int code;
  int errnum;
} io_errnos[] = {
  { G_IO_ERROR_NOT_FOUND, ENOENT },
  { G_IO_ERROR_EXISTS, EEXIST },
  { G_IO_ERROR_IS_DIRECTORY, EISDIR },
  { G_IO_ERROR_NOT_DIRECTORY, ENOTDIR },
  { G_IO_ERROR_NOT_EMPTY, ENOTEMPTY },
  { G_IO_ERROR_FILENAME_TOO_LONG, ENAMETOOLONG },
  { G_IO_ERROR_INVALID_FILENAME, EINVAL },
  { G_IO_ERROR_NO_SPACE, ENOSPC },
  { G_IO_ERROR_PERMISSION_DENIED, EACCES },
  { G_IO_ERROR_READ_ONLY, EROFS },
  { G_IO_ERROR_TOO_MANY_OPEN_FILES, EMFILE },
  { G_IO_ERROR_BUSY, EBUSY },
  { G_IO_ERROR_TIMED_OUT, ETIMEDOUT },
}, file_errnos[] = {
  { G_FILE_ERROR_EXIST, EEXIST },
  { G_FILE_ERROR_ISDIR, EISDIR },
  { G_FILE_ERROR_ACCES, EACCES },
  { G_FILE_ERROR_NAMETOOLONG, ENAMETOOLONG },
  { G_FILE_ERROR_NOENT, ENOENT },
  { G_FILE_ERROR_NOTDIR, ENOTDIR },
  { G_FILE_ERROR_ROFS, EROFS },
  { G_FILE_ERROR_NOSPC, ENOSPC },
  { G_FILE_ERROR_MFILE, EMFILE },
  { G_FILE_ERROR_IO, EIO },
  { G_FILE_ERROR_PERM, EPERM },
};

static int
error_errno (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    {
      for (guint i = 0; i < G_N_ELEMENTS (io_errnos); i++)
        if (io_errnos[i].code == error->code)
          return io_errnos[i].errnum;
    }
  else if (error->domain == G_FILE_ERROR)
    {
      for (guint i = 0; i < G_N_ELEMENTS (file_errnos); i++)
        if (file_errnos[i].code == error->code)
          return file_errnos[i].errnum;
    }

  return 0;
}

/* Raises @error (consumed) as ProfilerError; returns NULL. */
static PyObject *
raise_error (GError *error)
{
  PyObject *exc;
  PyObject *value;
  int errnum = error_errno (error);

  if (errnum != 0)
    exc = PyObject_CallFunction (profiler_error, "is", errnum, error->message);
  else
    exc = PyObject_CallFunction (profiler_error, "s", error->message);

  if (exc != NULL)
    {
      value = PyUnicode_FromString (g_quark_to_string (error->domain));
      if (value == NULL || PyObject_SetAttrString (exc, "domain", value) < 0)
        Py_CLEAR (exc);
      Py_XDECREF (value);
    }
  if (exc != NULL)
    {
      value = PyLong_FromLong (error->code);
      if (value == NULL || PyObject_SetAttrString (exc, "code", value) < 0)
        Py_CLEAR (exc);
      Py_XDECREF (value);
    }

  g_error_free (error);

  if (exc != NULL)
    {
      PyErr_SetObject (profiler_error, exc);
      Py_DECREF (exc);
    }

  return NULL;
}

/* Regions */

/* The errors of PyGObject's invoker for the same objects. */
static G_GNUC_NO_INLINE PyObject *
region_type_error (PyObject *object)
{
  if (pygobject_type != NULL &&
      PyObject_TypeCheck (object, pygobject_type) &&
      ((PyGObjectHead *) object)->obj == NULL)
    PyErr_Format (PyExc_RuntimeError, "object at %p of type %s is not initialized",
                  object, Py_TYPE (object)->tp_name);
  else
    PyErr_Format (PyExc_TypeError, "argument self: Expected a Region, but got %s",
                  Py_TYPE (object)->tp_name);
  return NULL;
}

/* gi._gi.GObject if gi is loaded; never imports it. */
static PyTypeObject *
lookup_pygobject_type (void)
{
  PyObject *modules;
  PyObject *gi;
  PyObject *type;

  if (pygobject_type != NULL)
    return pygobject_type;

  modules = PyImport_GetModuleDict ();
  gi = modules != NULL ? PyDict_GetItemString (modules, "gi._gi") : NULL;
  if (gi == NULL)
    return NULL;

  type = PyObject_GetAttrString (gi, "GObject");
  if (type == NULL)
    {
      PyErr_Clear ();
      return NULL;
    }
  if (!PyType_Check (type) ||
      ((PyTypeObject *) type)->tp_basicsize < (Py_ssize_t) sizeof (PyGObjectHead))
    {
      Py_DECREF (type);
      return NULL;
    }

  pygobject_type = (PyTypeObject *) type;
  return pygobject_type;
}

static G_GNUC_NO_INLINE SpRegion *
region_get_slow (PyObject *object)
{
  PyTypeObject *type = Py_TYPE (object);
  PyTypeObject *base;
  GObject *gobject;

  if (type == known_region_subtype || PyType_IsSubtype (type, &Region_Type))
    {
      if (type != known_region_subtype)
        {
          Py_INCREF (type);
          Py_XSETREF (known_region_subtype, type);
        }
      if (G_UNLIKELY (((SpPyRegion *) object)->region == NULL))
        return (SpRegion *) region_type_error (object);
      return ((SpPyRegion *) object)->region;
    }

  base = lookup_pygobject_type ();
  if (base == NULL || !PyType_IsSubtype (type, base))
    return (SpRegion *) region_type_error (object);

  gobject = ((PyGObjectHead *) object)->obj;
  if (gobject == NULL || !G_TYPE_CHECK_INSTANCE_TYPE (gobject, region_gtype))
    return (SpRegion *) region_type_error (object);

  Py_INCREF (type);
  Py_XSETREF (known_wrapper_type, type);

  return (SpRegion *) gobject;
}

/* The SpRegion of @object, or NULL with an exception set.
 * Borrowed: valid while @object is. */
static inline SpRegion *
region_get (PyObject *object)
{
  PyTypeObject *type = Py_TYPE (object);
  GObject *gobject;

  if (G_LIKELY (type == &Region_Type))
    return ((SpPyRegion *) object)->region;

  if (G_LIKELY (type == known_wrapper_type))
    {
      gobject = ((PyGObjectHead *) object)->obj;
      if (G_LIKELY (gobject != NULL && G_TYPE_CHECK_INSTANCE_TYPE (gobject, region_gtype)))
        return (SpRegion *) gobject;
      return (SpRegion *) region_type_error (object);
    }

  return region_get_slow (object);
}

SpRegion *
sp_py_region_get (PyObject *object)
{
  return region_get (object);
}

/* Exiting with an exception set: the library may log, and a log handler
 * written in Python must not run with an exception pending. */
static G_GNUC_NO_INLINE void
region_exit_keeping_error (SpRegion *region)
{
#if PY_VERSION_HEX >= 0x030C0000
  PyObject *exc = PyErr_GetRaisedException ();

  sp_region_exit (region);
  PyErr_SetRaisedException (exc);
#else
  PyObject *type, *value, *traceback;

  PyErr_Fetch (&type, &value, &traceback);
  sp_region_exit (region);
  PyErr_Restore (type, value, traceback);
#endif
}

PyDoc_STRVAR (native_enter_doc,
"enter(region, /)\n--\n\n"
"Open a call of region on this thread (region.enter()).");

static PyObject *
native_enter (PyObject *module,
              PyObject *object)
{
  SpRegion *region = region_get (object);

  if (G_UNLIKELY (region == NULL))
    return NULL;

  sp_region_enter (region);
  Py_RETURN_NONE;
}

PyDoc_STRVAR (native_exit_doc,
"exit(region, /)\n--\n\n"
"Close the innermost open call of region on this thread (region.exit()).");

static PyObject *
native_exit (PyObject *module,
             PyObject *object)
{
  SpRegion *region = region_get (object);

  if (G_UNLIKELY (region == NULL))
    return NULL;

  sp_region_exit (region);
  Py_RETURN_NONE;
}

/* Region.__enter__ and Region.__exit__
 *
 * `with region:` looks both up on the type and binds them to the region
 * (BEFORE_WITH), then calls them. Bound through a function, that is two
 * bound-method objects from the allocator per statement, each a trip
 * through the garbage collector's allocation count, and two calls through
 * the bound method into the function. RegionMethod is the descriptor on
 * the class; it binds to a BoundRegionMethod, taken from a small free list
 * and called directly: 28 % fewer instructions per `with` than C functions
 * bound through PyInstanceMethod (callgrind, 912 against 1 252). Called
 * unbound (Region.__enter__(region), or by interpreters that skip binding
 * for Py_TPFLAGS_METHOD_DESCRIPTOR), it takes the region first. */

typedef enum
{
  REGION_METHOD_ENTER,
  REGION_METHOD_EXIT,
} RegionMethodKind;

typedef struct
{
  PyObject_HEAD
  RegionMethodKind kind;
  vectorcallfunc vectorcall;
} RegionMethod;

typedef struct
{
  PyObject_HEAD
  PyObject *method;        /* the RegionMethod it was bound from */
  PyObject *region;        /* the object it was bound to, checked at call */
  vectorcallfunc vectorcall;
} BoundRegionMethod;

static PyTypeObject RegionMethod_Type;
static PyTypeObject BoundRegionMethod_Type;

static const char * const region_method_names[] = { "__enter__", "__exit__" };
static const char * const region_method_signatures[] = {
  "($self, /)",
  "($self, exc_type, exc_value, traceback, /)",
};
static const char * const region_method_docs[] = {
  "Open a call of the region on this thread; returns the region.",
  "Close the innermost open call of the region on this thread; returns\n"
  "False, so an exception raised in the with block propagates.",
};

static G_GNUC_NO_INLINE PyObject *
region_method_arguments_error (RegionMethodKind  kind,
                               Py_ssize_t        nargs,
                               Py_ssize_t        expected,
                               PyObject         *kwnames)
{
  if (kwnames != NULL && PyTuple_GET_SIZE (kwnames) != 0)
    PyErr_Format (PyExc_TypeError, "%s() takes no keyword arguments",
                  region_method_names[kind]);
  else
    PyErr_Format (PyExc_TypeError, "%s() takes %zd positional argument%s but %zd %s given",
                  region_method_names[kind], expected, expected == 1 ? "" : "s",
                  nargs, nargs == 1 ? "was" : "were");
  return NULL;
}

/* set_region_hook(hook): while set, `with region:` calls
 * hook.enter(region) before entering the region and hook.exit(region) after
 * leaving it, and region.add_function(f) calls hook.add_function(region, f)
 * (the line profiler's context form); unset, `with` pays one load. */
static PyObject *region_hook;
static PyObject *hook_enter_name;
static PyObject *hook_exit_name;
static PyObject *hook_add_function_name;

static G_GNUC_NO_INLINE PyObject *
region_method_call_hooked (RegionMethodKind  kind,
                           PyObject         *object,
                           SpRegion         *region)
{
  PyObject *hook = Py_NewRef (region_hook);
  PyObject *result;

  if (kind == REGION_METHOD_ENTER)
    {
      result = PyObject_CallMethodOneArg (hook, hook_enter_name, object);
      Py_DECREF (hook);
      if (result == NULL)
        return NULL;
      Py_DECREF (result);
      sp_region_enter (region);
      return Py_NewRef (object);
    }

  sp_region_exit (region);
  result = PyObject_CallMethodOneArg (hook, hook_exit_name, object);
  Py_DECREF (hook);
  if (result == NULL)
    return NULL;
  Py_DECREF (result);
  Py_RETURN_FALSE;
}

static inline PyObject *
region_method_call (RegionMethodKind kind,
                    PyObject        *object)
{
  SpRegion *region = region_get (object);

  if (G_UNLIKELY (region == NULL))
    return NULL;

  if (G_UNLIKELY (region_hook != NULL))
    return region_method_call_hooked (kind, object, region);

  if (kind == REGION_METHOD_ENTER)
    {
      sp_region_enter (region);
      return Py_NewRef (object);
    }

  sp_region_exit (region);
  Py_RETURN_FALSE;
}

/* Region.__enter__(region), Region.__exit__(region, t, v, tb) */
static PyObject *
region_method_vectorcall (PyObject         *callable,
                          PyObject *const  *args,
                          size_t            nargsf,
                          PyObject         *kwnames)
{
  RegionMethodKind kind = ((RegionMethod *) callable)->kind;
  Py_ssize_t nargs = PyVectorcall_NARGS (nargsf);
  Py_ssize_t expected = kind == REGION_METHOD_ENTER ? 1 : 4;

  if (G_UNLIKELY (nargs != expected || kwnames != NULL))
    return region_method_arguments_error (kind, nargs, expected, kwnames);

  return region_method_call (kind, args[0]);
}

/* region.__enter__(), region.__exit__(t, v, tb): what `with` calls */
static PyObject *
bound_region_enter_vectorcall (PyObject         *callable,
                               PyObject *const  *args,
                               size_t            nargsf,
                               PyObject         *kwnames)
{
  Py_ssize_t nargs = PyVectorcall_NARGS (nargsf);

  if (G_UNLIKELY (nargs != 0 || kwnames != NULL))
    return region_method_arguments_error (REGION_METHOD_ENTER, nargs, 0, kwnames);

  return region_method_call (REGION_METHOD_ENTER, ((BoundRegionMethod *) callable)->region);
}

static PyObject *
bound_region_exit_vectorcall (PyObject         *callable,
                              PyObject *const  *args,
                              size_t            nargsf,
                              PyObject         *kwnames)
{
  Py_ssize_t nargs = PyVectorcall_NARGS (nargsf);

  if (G_UNLIKELY (nargs != 3 || kwnames != NULL))
    return region_method_arguments_error (REGION_METHOD_EXIT, nargs, 3, kwnames);

  return region_method_call (REGION_METHOD_EXIT, ((BoundRegionMethod *) callable)->region);
}

/* Bound methods are made and dropped once per `with`; a few are kept for
 * reuse (the GIL guards the list). */
#define BOUND_FREE_LIST_SIZE 16
static BoundRegionMethod *bound_free_list[BOUND_FREE_LIST_SIZE];
static int bound_free_list_len;

static PyObject *
region_method_descr_get (PyObject *descr,
                         PyObject *obj,
                         PyObject *type)
{
  RegionMethod *method = (RegionMethod *) descr;
  BoundRegionMethod *bound;

  if (obj == NULL || obj == Py_None)
    return Py_NewRef (descr);

  if (G_LIKELY (bound_free_list_len > 0))
    {
      bound = bound_free_list[--bound_free_list_len];
      PyObject_Init ((PyObject *) bound, &BoundRegionMethod_Type);
    }
  else
    {
      bound = PyObject_GC_New (BoundRegionMethod, &BoundRegionMethod_Type);
      if (bound == NULL)
        return NULL;
    }

  bound->method = Py_NewRef (descr);
  bound->region = Py_NewRef (obj);
  bound->vectorcall = method->kind == REGION_METHOD_ENTER
                      ? bound_region_enter_vectorcall
                      : bound_region_exit_vectorcall;
  PyObject_GC_Track (bound);

  return (PyObject *) bound;
}

static PyObject *
region_method_new (RegionMethodKind kind)
{
  RegionMethod *method = PyObject_New (RegionMethod, &RegionMethod_Type);

  if (method == NULL)
    return NULL;

  method->kind = kind;
  method->vectorcall = region_method_vectorcall;

  return (PyObject *) method;
}

static PyObject *
region_method_repr (PyObject *object)
{
  return PyUnicode_FromFormat ("<method '%s' of 'Region' objects>",
                               region_method_names[((RegionMethod *) object)->kind]);
}

static PyObject *
region_method_get_name (PyObject *object,
                        void     *closure)
{
  return PyUnicode_FromString (region_method_names[((RegionMethod *) object)->kind]);
}

static PyObject *
region_method_get_qualname (PyObject *object,
                            void     *closure)
{
  return PyUnicode_FromFormat ("Region.%s", region_method_names[((RegionMethod *) object)->kind]);
}

static PyObject *
region_method_get_doc (PyObject *object,
                       void     *closure)
{
  return PyUnicode_FromString (region_method_docs[((RegionMethod *) object)->kind]);
}

static PyObject *
region_method_get_text_signature (PyObject *object,
                                  void     *closure)
{
  return PyUnicode_FromString (region_method_signatures[((RegionMethod *) object)->kind]);
}

static PyGetSetDef region_method_getset[] = {
  { "__name__", region_method_get_name, NULL, NULL, NULL },
  { "__qualname__", region_method_get_qualname, NULL, NULL, NULL },
  { "__doc__", region_method_get_doc, NULL, NULL, NULL },
  { "__text_signature__", region_method_get_text_signature, NULL, NULL, NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

static PyTypeObject RegionMethod_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_scope_profiler_native.RegionMethod",
  .tp_basicsize = sizeof (RegionMethod),
  .tp_dealloc = (destructor) PyObject_Del,
  .tp_vectorcall_offset = offsetof (RegionMethod, vectorcall),
  .tp_repr = region_method_repr,
  .tp_call = PyVectorcall_Call,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR,
  .tp_doc = "A method of Region written in C (__enter__, __exit__).",
  .tp_getset = region_method_getset,
  .tp_descr_get = region_method_descr_get,
};

static int
bound_region_method_traverse (PyObject  *object,
                              visitproc  visit,
                              void      *arg)
{
  BoundRegionMethod *self = (BoundRegionMethod *) object;

  Py_VISIT (self->method);
  Py_VISIT (self->region);

  return 0;
}

static int
bound_region_method_clear (PyObject *object)
{
  BoundRegionMethod *self = (BoundRegionMethod *) object;

  Py_CLEAR (self->method);
  Py_CLEAR (self->region);

  return 0;
}

static PyObject *
bound_region_method_call_cleared (PyObject         *callable,
                                  PyObject *const  *args,
                                  size_t            nargsf,
                                  PyObject         *kwnames)
{
  PyErr_SetString (PyExc_RuntimeError, "method called after it was cleared");
  return NULL;
}

static int
bound_region_method_clear_gc (PyObject *object)
{
  /* From the garbage collector, on an unreachable object that a finalizer
   * may still call. */
  ((BoundRegionMethod *) object)->vectorcall = bound_region_method_call_cleared;
  return bound_region_method_clear (object);
}

static void
bound_region_method_dealloc (PyObject *object)
{
  BoundRegionMethod *self = (BoundRegionMethod *) object;

  PyObject_GC_UnTrack (object);
  bound_region_method_clear (object);

  if (bound_free_list_len < BOUND_FREE_LIST_SIZE)
    bound_free_list[bound_free_list_len++] = self;
  else
    PyObject_GC_Del (object);
}

static PyObject *
bound_region_method_repr (PyObject *object)
{
  BoundRegionMethod *self = (BoundRegionMethod *) object;
  RegionMethod *method = (RegionMethod *) self->method;

  if (method == NULL || self->region == NULL)
    return PyUnicode_FromString ("<cleared bound method of a Region>");

  return PyUnicode_FromFormat ("<bound method Region.%s of %R>",
                               region_method_names[method->kind], self->region);
}

static PyObject *
bound_region_method_get_self (PyObject *object,
                              void     *closure)
{
  PyObject *region = ((BoundRegionMethod *) object)->region;

  return Py_NewRef (region != NULL ? region : Py_None);
}

static PyObject *
bound_region_method_get_func (PyObject *object,
                              void     *closure)
{
  PyObject *method = ((BoundRegionMethod *) object)->method;

  return Py_NewRef (method != NULL ? method : Py_None);
}

static PyObject *
bound_region_method_getattro (PyObject *object,
                              PyObject *name)
{
  PyObject *method = ((BoundRegionMethod *) object)->method;
  PyObject *result = PyObject_GenericGetAttr (object, name);

  /* __name__, __doc__, ... of the method, as bound methods do. */
  if (result == NULL && method != NULL && PyErr_ExceptionMatches (PyExc_AttributeError))
    {
      PyErr_Clear ();
      result = PyObject_GetAttr (method, name);
    }

  return result;
}

static PyObject *
bound_region_method_get_doc (PyObject *object,
                             void     *closure)
{
  PyObject *method = ((BoundRegionMethod *) object)->method;

  if (method == NULL)
    Py_RETURN_NONE;

  return region_method_get_doc (method, NULL);
}

static PyGetSetDef bound_region_method_getset[] = {
  { "__self__", bound_region_method_get_self, NULL, NULL, NULL },
  { "__doc__", bound_region_method_get_doc, NULL, NULL, NULL },
  { "__func__", bound_region_method_get_func, NULL, NULL, NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

static PyTypeObject BoundRegionMethod_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_scope_profiler_native.BoundRegionMethod",
  .tp_basicsize = sizeof (BoundRegionMethod),
  .tp_dealloc = bound_region_method_dealloc,
  .tp_vectorcall_offset = offsetof (BoundRegionMethod, vectorcall),
  .tp_repr = bound_region_method_repr,
  .tp_call = PyVectorcall_Call,
  .tp_getattro = bound_region_method_getattro,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
  .tp_doc = "A method of Region bound to a region.",
  .tp_traverse = bound_region_method_traverse,
  .tp_clear = bound_region_method_clear_gc,
  .tp_getset = bound_region_method_getset,
};

/* ProfiledFunction: the wrapper of a decorated function */

typedef struct
{
  PyObject_HEAD
  PyObject *func;
  PyObject *region;        /* a region object, checked when created */
  PyObject *dict;          /* functools.wraps() metadata, __wrapped__ */
  PyObject *weakreflist;
  vectorcallfunc vectorcall;
} ProfiledFunction;

static PyTypeObject ProfiledFunction_Type;

static PyObject *
profiled_function_vectorcall (PyObject         *callable,
                              PyObject *const  *args,
                              size_t            nargsf,
                              PyObject         *kwnames)
{
  ProfiledFunction *self = (ProfiledFunction *) callable;
  PyObject *func = self->func;
  PyObject *object = self->region;
  SpRegion *region;
  PyObject *result;

  /* Only after tp_clear, which the garbage collector runs on unreachable
   * objects: a finalizer of one of them may still call us. */
  if (G_UNLIKELY (func == NULL || object == NULL))
    {
      PyErr_SetString (PyExc_RuntimeError, "profiled function called after it was cleared");
      return NULL;
    }

  /* setup(recursive_profile=True): the outermost call on a thread goes
   * through the package's hook, which installs the tracer around it
   * (sp-python-tracer.c). */
  if (G_UNLIKELY (sp_py_recursive_hook != NULL) && !sp_py_tracer_is_active ())
    return sp_py_tracer_call_outermost (callable, args, nargsf, kwnames);

  region = region_get (object);
  if (G_UNLIKELY (region == NULL))
    return NULL;

  /* Both stay alive until the exit, whatever the call does to us. */
  Py_INCREF (func);
  Py_INCREF (object);

  sp_region_enter (region);
  result = PyObject_Vectorcall (func, args, nargsf, kwnames);
  if (G_LIKELY (result != NULL))
    sp_region_exit (region);
  else
    region_exit_keeping_error (region);

  Py_DECREF (object);
  Py_DECREF (func);

  return result;
}

static PyObject *
profiled_function_new (PyTypeObject *type,
                       PyObject     *args,
                       PyObject     *kwargs)
{
  ProfiledFunction *self;
  PyObject *func;
  PyObject *region;

  if (kwargs != NULL && PyDict_GET_SIZE (kwargs) != 0)
    return PyErr_Format (PyExc_TypeError, "%.200s() takes no keyword arguments", type->tp_name);
  if (!PyArg_UnpackTuple (args, type->tp_name, 2, 2, &func, &region))
    return NULL;

  if (!PyCallable_Check (func))
    return PyErr_Format (PyExc_TypeError, "%.200s object is not callable", Py_TYPE (func)->tp_name);
  if (region_get (region) == NULL)
    return NULL;

  self = (ProfiledFunction *) type->tp_alloc (type, 0);
  if (self == NULL)
    return NULL;

  self->func = Py_NewRef (func);
  self->region = Py_NewRef (region);
  self->vectorcall = profiled_function_vectorcall;

  return (PyObject *) self;
}

static int
profiled_function_traverse (PyObject  *object,
                            visitproc  visit,
                            void      *arg)
{
  ProfiledFunction *self = (ProfiledFunction *) object;

  Py_VISIT (self->func);
  Py_VISIT (self->region);
  Py_VISIT (self->dict);

  return 0;
}

static int
profiled_function_clear (PyObject *object)
{
  ProfiledFunction *self = (ProfiledFunction *) object;

  Py_CLEAR (self->func);
  Py_CLEAR (self->region);
  Py_CLEAR (self->dict);

  return 0;
}

static void
profiled_function_dealloc (PyObject *object)
{
  ProfiledFunction *self = (ProfiledFunction *) object;

  PyObject_GC_UnTrack (object);
  if (self->weakreflist != NULL)
    PyObject_ClearWeakRefs (object);
  profiled_function_clear (object);
  Py_TYPE (object)->tp_free (object);
}

/* Bound like a function: ProfiledFunction is also marked
 * Py_TPFLAGS_METHOD_DESCRIPTOR, so obj.method(...) calls it with obj first
 * and no bound method is made at all. */
static PyObject *
profiled_function_descr_get (PyObject *self,
                             PyObject *obj,
                             PyObject *type)
{
  if (obj == NULL || obj == Py_None)
    return Py_NewRef (self);

  return PyMethod_New (self, obj);
}

static PyObject *
profiled_function_repr (PyObject *object)
{
  PyObject *name = PyObject_GetAttrString (object, "__qualname__");
  PyObject *repr;

  if (name != NULL && PyUnicode_Check (name))
    {
      repr = PyUnicode_FromFormat ("<profiled function %U at %p>", name, object);
    }
  else
    {
      PyErr_Clear ();
      repr = PyUnicode_FromFormat ("<profiled function at %p>", object);
    }
  Py_XDECREF (name);

  return repr;
}

static PyObject *
profiled_function_reduce (PyObject *self,
                          PyObject *unused)
{
  /* As for functions: pickled by reference, under the name functools.wraps()
   * gave the wrapper. */
  return PyObject_GetAttrString (self, "__qualname__");
}

static PyObject *
profiled_function_get_func (PyObject *object,
                            void     *closure)
{
  ProfiledFunction *self = (ProfiledFunction *) object;

  if (self->func == NULL)
    Py_RETURN_NONE;

  return Py_NewRef (self->func);
}

static PyObject *
profiled_function_get_region (PyObject *object,
                              void     *closure)
{
  ProfiledFunction *self = (ProfiledFunction *) object;

  if (self->region == NULL)
    Py_RETURN_NONE;

  return Py_NewRef (self->region);
}

static PyMethodDef profiled_function_methods[] = {
  { "__reduce__", profiled_function_reduce, METH_NOARGS, NULL },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef profiled_function_getset[] = {
  { "__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL, NULL },
  { "_sp_func", profiled_function_get_func, NULL,
    "The wrapped callable (what functools.wraps() also stores as __wrapped__).", NULL },
  { "_sp_region", profiled_function_get_region, NULL,
    "The region every call records into.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyDoc_STRVAR (profiled_function_doc,
"ProfiledFunction(func, region, /)\n--\n\n"
"A callable that records every call of func as a call of region: the region\n"
"is entered, func called with the same arguments, and the region exited\n"
"whether func returns or raises. It binds to instances like a function, and\n"
"takes functools.wraps() metadata.");

static PyTypeObject ProfiledFunction_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_scope_profiler_native.ProfiledFunction",
  .tp_basicsize = sizeof (ProfiledFunction),
  .tp_dealloc = profiled_function_dealloc,
  .tp_vectorcall_offset = offsetof (ProfiledFunction, vectorcall),
  .tp_repr = profiled_function_repr,
  .tp_call = PyVectorcall_Call,
  .tp_getattro = PyObject_GenericGetAttr,
  .tp_setattro = PyObject_GenericSetAttr,
  .tp_flags = (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC |
               Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR),
  .tp_doc = profiled_function_doc,
  .tp_traverse = profiled_function_traverse,
  .tp_clear = profiled_function_clear,
  .tp_weaklistoffset = offsetof (ProfiledFunction, weakreflist),
  .tp_methods = profiled_function_methods,
  .tp_getset = profiled_function_getset,
  .tp_descr_get = profiled_function_descr_get,
  .tp_dictoffset = offsetof (ProfiledFunction, dict),
  .tp_new = profiled_function_new,
};

/* RegionLookup: profile_region(name) with the region already fetched
 *
 * `with ProfileManager.profile_region("name"):` in a loop is a dictionary
 * hit nearly every time. RegionLookup(cache, fallback) answers
 * lookup(name) from cache (a dict the package keeps and clears in place);
 * every other call, a miss or other arguments, is fallback's, with the
 * same arguments. */

typedef struct
{
  PyObject_HEAD
  PyObject *cache;
  PyObject *fallback;
  PyObject *dict;          /* functools.update_wrapper() metadata */
  vectorcallfunc vectorcall;
} RegionLookup;

static PyTypeObject RegionLookup_Type;

static PyObject *
region_lookup_vectorcall (PyObject         *callable,
                          PyObject *const  *args,
                          size_t            nargsf,
                          PyObject         *kwnames)
{
  RegionLookup *self = (RegionLookup *) callable;
  PyObject *fallback = self->fallback;
  PyObject *result;

  if (G_UNLIKELY (fallback == NULL || self->cache == NULL))
    {
      PyErr_SetString (PyExc_RuntimeError, "profile_region() called after it was cleared");
      return NULL;
    }

  /* lookup(name) or lookup(name, None); functions to add go to fallback */
  if (G_LIKELY ((PyVectorcall_NARGS (nargsf) == 1 ||
                 (PyVectorcall_NARGS (nargsf) == 2 && args[1] == Py_None)) &&
                kwnames == NULL && PyUnicode_CheckExact (args[0])))
    {
      result = PyDict_GetItemWithError (self->cache, args[0]);
      if (result != NULL)
        return Py_NewRef (result);
      if (PyErr_Occurred ())
        return NULL;
    }

  Py_INCREF (fallback);
  result = PyObject_Vectorcall (fallback, args, nargsf, kwnames);
  Py_DECREF (fallback);

  return result;
}

static PyObject *
region_lookup_new (PyTypeObject *type,
                   PyObject     *args,
                   PyObject     *kwargs)
{
  RegionLookup *self;
  PyObject *cache;
  PyObject *fallback;

  if (kwargs != NULL && PyDict_GET_SIZE (kwargs) != 0)
    return PyErr_Format (PyExc_TypeError, "%.200s() takes no keyword arguments", type->tp_name);
  if (!PyArg_UnpackTuple (args, type->tp_name, 2, 2, &cache, &fallback))
    return NULL;
  if (!PyDict_CheckExact (cache))
    return PyErr_Format (PyExc_TypeError, "the cache must be a dict, not %.200s",
                         Py_TYPE (cache)->tp_name);
  if (!PyCallable_Check (fallback))
    return PyErr_Format (PyExc_TypeError, "%.200s object is not callable",
                         Py_TYPE (fallback)->tp_name);

  self = (RegionLookup *) type->tp_alloc (type, 0);
  if (self == NULL)
    return NULL;

  self->cache = Py_NewRef (cache);
  self->fallback = Py_NewRef (fallback);
  self->vectorcall = region_lookup_vectorcall;

  return (PyObject *) self;
}

static int
region_lookup_traverse (PyObject  *object,
                        visitproc  visit,
                        void      *arg)
{
  RegionLookup *self = (RegionLookup *) object;

  Py_VISIT (self->cache);
  Py_VISIT (self->fallback);
  Py_VISIT (self->dict);

  return 0;
}

static int
region_lookup_clear (PyObject *object)
{
  RegionLookup *self = (RegionLookup *) object;

  Py_CLEAR (self->cache);
  Py_CLEAR (self->fallback);
  Py_CLEAR (self->dict);

  return 0;
}

static void
region_lookup_dealloc (PyObject *object)
{
  PyObject_GC_UnTrack (object);
  region_lookup_clear (object);
  Py_TYPE (object)->tp_free (object);
}

static PyObject *
region_lookup_repr (PyObject *object)
{
  RegionLookup *self = (RegionLookup *) object;

  if (self->fallback == NULL)
    return PyUnicode_FromFormat ("<cleared region lookup at %p>", object);

  return PyUnicode_FromFormat ("<region lookup of %R>", self->fallback);
}

/* Never bound, like a static method; being a descriptor also makes
 * inspect and pydoc document it as a routine. */
static PyObject *
region_lookup_descr_get (PyObject *self,
                         PyObject *obj,
                         PyObject *type)
{
  return Py_NewRef (self);
}

static PyGetSetDef region_lookup_getset[] = {
  { "__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL, NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyDoc_STRVAR (region_lookup_doc,
"RegionLookup(cache, fallback, /)\n--\n\n"
"lookup(name) is cache[name] when name is a str key of the dict cache;\n"
"any other call (a miss, other arguments) returns fallback(*args, **kwargs).");

static PyTypeObject RegionLookup_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_scope_profiler_native.RegionLookup",
  .tp_basicsize = sizeof (RegionLookup),
  .tp_dealloc = region_lookup_dealloc,
  .tp_vectorcall_offset = offsetof (RegionLookup, vectorcall),
  .tp_repr = region_lookup_repr,
  .tp_call = PyVectorcall_Call,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
  .tp_doc = region_lookup_doc,
  .tp_traverse = region_lookup_traverse,
  .tp_clear = region_lookup_clear,
  .tp_getset = region_lookup_getset,
  .tp_descr_get = region_lookup_descr_get,
  .tp_dictoffset = offsetof (RegionLookup, dict),
  .tp_new = region_lookup_new,
};

/* Region: the Python object of an SpRegion */

/* The Region object of @region: the one it has, or a new one of @type. */
static PyObject *
region_wrap (SpRegion     *region,
             PyTypeObject *type)
{
  SpPyRegion *self = g_object_get_qdata (G_OBJECT (region), wrapper_quark);

  /* Not one being deallocated (a finalizer of a subclass may ask). */
  if (self != NULL && Py_REFCNT (self) > 0)
    {
      if (!PyObject_TypeCheck ((PyObject *) self, type))
        return PyErr_Format (PyExc_TypeError,
                             "region \"%s\" already has a Python object, of type %s",
                             sp_region_get_name (region), Py_TYPE (self)->tp_name);
      return Py_NewRef ((PyObject *) self);
    }

  self = (SpPyRegion *) type->tp_alloc (type, 0);
  if (self == NULL)
    return NULL;

  self->region = g_object_ref (region);
  g_object_set_qdata (G_OBJECT (region), wrapper_quark, self);

  return (PyObject *) self;
}

PyObject *
sp_py_region_wrap (SpRegion *region)
{
  if (region == NULL)
    Py_RETURN_NONE;

  return region_wrap (region, &Region_Type);
}

static gboolean
check_region_name (const char *name)
{
  if (name[0] == '\0')
    {
      PyErr_SetString (PyExc_ValueError, "region name must not be empty");
      return FALSE;
    }

  return TRUE;
}

static PyObject *
region_new (PyTypeObject *type,
            PyObject     *args,
            PyObject     *kwargs)
{
  static const char *kwlist[] = { "manager", "name", NULL };
  PyObject *manager;
  const char *name;
  SpRegion *region;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "O!s:Region", (char **) kwlist,
                                    &Manager_Type, &manager, &name))
    return NULL;
  if (!check_region_name (name))
    return NULL;

  region = sp_profile_manager_profile_region (((SpPyManager *) manager)->manager, name);
  if (region == NULL)
    return PyErr_Format (PyExc_ValueError, "invalid region name \"%s\"", name);

  return region_wrap (region, type);
}

static int
region_traverse (PyObject  *object,
                 visitproc  visit,
                 void      *arg)
{
  Py_VISIT (((SpPyRegion *) object)->dict);
  return 0;
}

static int
region_clear (PyObject *object)
{
  Py_CLEAR (((SpPyRegion *) object)->dict);
  return 0;
}

static void
region_dealloc (PyObject *object)
{
  SpPyRegion *self = (SpPyRegion *) object;

  PyObject_GC_UnTrack (object);
  if (self->weakreflist != NULL)
    PyObject_ClearWeakRefs (object);

  if (self->region != NULL)
    {
      if (g_object_get_qdata (G_OBJECT (self->region), wrapper_quark) == self)
        g_object_set_qdata (G_OBJECT (self->region), wrapper_quark, NULL);
      g_clear_object (&self->region);
    }

  region_clear (object);
  Py_TYPE (object)->tp_free (object);
}

static PyObject *
region_repr (PyObject *object)
{
  SpRegion *region = ((SpPyRegion *) object)->region;
  PyObject *name = PyUnicode_FromString (sp_region_get_name (region));
  PyObject *repr;

  if (name == NULL)
    return NULL;
  repr = PyUnicode_FromFormat ("<%s %R num_calls=%llu>", Py_TYPE (object)->tp_name, name,
                               (unsigned long long) sp_region_get_num_calls (region));
  Py_DECREF (name);

  return repr;
}

static PyObject *
region_get_name (PyObject *object,
                 void     *closure)
{
  return PyUnicode_FromString (sp_region_get_name (((SpPyRegion *) object)->region));
}

static PyObject *
region_get_num_calls (PyObject *object,
                      void     *closure)
{
  return PyLong_FromUnsignedLongLong (sp_region_get_num_calls (((SpPyRegion *) object)->region));
}

static PyObject *
region_get_n_buffered (PyObject *object,
                       void     *closure)
{
  return PyLong_FromUnsignedLong (sp_region_get_n_buffered (((SpPyRegion *) object)->region));
}

typedef enum
{
  COLUMN_DURATIONS,
  COLUMN_START_TIMES,
  COLUMN_END_TIMES,
  COLUMN_THREAD_IDS,
} Column;

static GBytes *
region_column (SpRegion *region,
               Column    column)
{
  switch (column)
    {
    case COLUMN_DURATIONS:
      return sp_region_get_durations (region);
    case COLUMN_START_TIMES:
      return sp_region_get_start_times (region);
    case COLUMN_END_TIMES:
      return sp_region_get_end_times (region);
    case COLUMN_THREAD_IDS:
    default:
      return sp_region_get_thread_ids (region);
    }
}

/* The column as bytes of native-endian int64 */
static PyObject *
region_get_column (PyObject *object,
                   void     *closure)
{
  g_autoptr(GBytes) bytes = region_column (((SpPyRegion *) object)->region,
                                           GPOINTER_TO_INT (closure));
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  return PyBytes_FromStringAndSize (data, (Py_ssize_t) size);
}

/* The column as a writable numpy int64 array (one copy; numpy imported
 * on first use, so it stays optional for everything else) */
static PyObject *
region_column_numpy (PyObject *object,
                     Column    column)
{
  g_autoptr(GBytes) bytes = NULL;
  PyObject *numpy;
  PyObject *buffer;
  PyObject *array;
  gsize size = 0;
  const char *data;

  numpy = PyImport_ImportModule ("numpy");
  if (numpy == NULL)
    {
      /* Say which call needs it: recording works without numpy. */
      if (PyErr_ExceptionMatches (PyExc_ModuleNotFoundError))
        {
          PyErr_Clear ();
          PyErr_SetString (PyExc_ModuleNotFoundError,
                           "the get_*_numpy() arrays need numpy, which is not "
                           "installed (pip install numpy): No module named 'numpy'");
        }
      return NULL;
    }

  bytes = region_column (((SpPyRegion *) object)->region, column);
  data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;
  /* A bytearray: the array owns writable memory. */
  buffer = PyByteArray_FromStringAndSize (data, (Py_ssize_t) size);
  if (buffer == NULL)
    {
      Py_DECREF (numpy);
      return NULL;
    }

  array = PyObject_CallMethod (numpy, "frombuffer", "Os", buffer, "int64");
  Py_DECREF (buffer);
  Py_DECREF (numpy);

  return array;
}

#define REGION_NUMPY_METHOD(func, column)                       \
  static PyObject *                                             \
  func (PyObject *object,                                       \
        PyObject *unused)                                       \
  {                                                             \
    return region_column_numpy (object, column);                \
  }

REGION_NUMPY_METHOD (region_get_durations_numpy, COLUMN_DURATIONS)
REGION_NUMPY_METHOD (region_get_start_times_numpy, COLUMN_START_TIMES)
REGION_NUMPY_METHOD (region_get_end_times_numpy, COLUMN_END_TIMES)
REGION_NUMPY_METHOD (region_get_thread_ids_numpy, COLUMN_THREAD_IDS)

static PyObject *
region_enter (PyObject *object,
              PyObject *unused)
{
  return native_enter (NULL, object);
}

static PyObject *
region_exit (PyObject *object,
             PyObject *unused)
{
  return native_exit (NULL, object);
}

static PyObject *
region_add_function (PyObject *object,
                     PyObject *func)
{
  PyObject *hook = region_hook;
  PyObject *result;

  if (hook == NULL)
    Py_RETURN_NONE;

  Py_INCREF (hook);
  result = PyObject_CallMethodObjArgs (hook, hook_add_function_name, object, func, NULL);
  Py_DECREF (hook);

  return result;
}

static PyObject *
native_set_region_hook (PyObject *module,
                        PyObject *hook)
{
  Py_XSETREF (region_hook, hook == Py_None ? NULL : Py_NewRef (hook));
  Py_RETURN_NONE;
}

static PyObject *
region_method_get_name_noargs (PyObject *object,
                               PyObject *unused)
{
  return region_get_name (object, NULL);
}

static PyObject *
region_method_get_num_calls_noargs (PyObject *object,
                                    PyObject *unused)
{
  return region_get_num_calls (object, NULL);
}

static PyMethodDef region_methods[] = {
  { "enter", region_enter, METH_NOARGS,
    "enter()\n--\n\nOpen a call of the region on this thread." },
  { "exit", region_exit, METH_NOARGS,
    "exit()\n--\n\nClose the innermost open call of the region on this thread." },
  { "add_function", region_add_function, METH_O,
    "add_function(func, /)\n--\n\n"
    "Line profiling (setup(use_line_profiler=True)): time func line by line\n"
    "in this region's line profiler. Without line profiling, nothing." },
  { "get_name", region_method_get_name_noargs, METH_NOARGS,
    "get_name()\n--\n\nThe name of the region." },
  { "get_num_calls", region_method_get_num_calls_noargs, METH_NOARGS,
    "get_num_calls()\n--\n\nCompleted calls in the current session, all threads." },
  { "get_durations_numpy", region_get_durations_numpy, METH_NOARGS,
    "get_durations_numpy()\n--\n\n"
    "Durations (ns) of the buffered, not yet flushed, calls as a numpy int64 array." },
  { "get_start_times_numpy", region_get_start_times_numpy, METH_NOARGS,
    "get_start_times_numpy()\n--\n\n"
    "Start times (CLOCK_MONOTONIC ns, the clock of time.perf_counter_ns()) of\n"
    "the buffered calls as a numpy int64 array." },
  { "get_end_times_numpy", region_get_end_times_numpy, METH_NOARGS,
    "get_end_times_numpy()\n--\n\n"
    "End times (CLOCK_MONOTONIC ns) of the buffered calls as a numpy int64 array." },
  { "get_thread_ids_numpy", region_get_thread_ids_numpy, METH_NOARGS,
    "get_thread_ids_numpy()\n--\n\n"
    "Thread ids (small integers, per session) of the buffered calls as a numpy\n"
    "int64 array." },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef region_getset[] = {
  { "name", region_get_name, NULL, "The name of the region.", NULL },
  { "region_name", region_get_name, NULL,
    "The name of the region (the Python scope-profiler package's spelling).", NULL },
  { "num_calls", region_get_num_calls, NULL,
    "Completed calls in the current session, all threads.", NULL },
  { "n_buffered", region_get_n_buffered, NULL,
    "Completed calls buffered in memory, not yet flushed, all threads.", NULL },
  { "durations", region_get_column, NULL,
    "Durations (ns) of the buffered calls: bytes of native-endian int64.",
    GINT_TO_POINTER (COLUMN_DURATIONS) },
  { "start_times", region_get_column, NULL,
    "Start times (CLOCK_MONOTONIC ns) of the buffered calls: bytes of int64.",
    GINT_TO_POINTER (COLUMN_START_TIMES) },
  { "end_times", region_get_column, NULL,
    "End times (CLOCK_MONOTONIC ns) of the buffered calls: bytes of int64.",
    GINT_TO_POINTER (COLUMN_END_TIMES) },
  { "thread_ids", region_get_column, NULL,
    "Thread ids of the buffered calls: bytes of int64.",
    GINT_TO_POINTER (COLUMN_THREAD_IDS) },
  { "__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL, NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyDoc_STRVAR (region_doc,
"Region(manager, name)\n--\n\n"
"A named interval of code of a Manager; `with region:` records one call.\n"
"\n"
"Region(manager, name) is manager.profile_region(name). There is one Region\n"
"object per region of the library while it lives: regions created by C code\n"
"(SP_PROFILE_SCOPE) are the same objects Manager.get_region() returns. The\n"
"same object may be entered any number of times, nested, recursed and used\n"
"from several threads at once: each thread records its own calls.\n"
"Subclasses are allowed (Region(manager, name) called on a subclass makes\n"
"the region's object of that class, unless it already has one).");

static PyTypeObject Region_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_scope_profiler_native.Region",
  .tp_basicsize = sizeof (SpPyRegion),
  .tp_dealloc = region_dealloc,
  .tp_repr = region_repr,
  .tp_getattro = PyObject_GenericGetAttr,
  .tp_setattro = PyObject_GenericSetAttr,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
  .tp_doc = region_doc,
  .tp_traverse = region_traverse,
  .tp_clear = region_clear,
  .tp_weaklistoffset = offsetof (SpPyRegion, weakreflist),
  .tp_methods = region_methods,
  .tp_getset = region_getset,
  .tp_dictoffset = offsetof (SpPyRegion, dict),
  .tp_new = region_new,
};

/* Manager: the Python object of an SpProfileManager */

static PyObject *default_manager;

SpProfileManager *
sp_py_manager_get (PyObject *object)
{
  if (!PyObject_TypeCheck (object, &Manager_Type))
    {
      PyErr_Format (PyExc_TypeError, "expected a Manager, not %s", Py_TYPE (object)->tp_name);
      return NULL;
    }

  return ((SpPyManager *) object)->manager;
}

static PyObject *
manager_wrap (PyTypeObject     *type,
              SpProfileManager *manager)
{
  SpPyManager *self = (SpPyManager *) type->tp_alloc (type, 0);

  if (self == NULL)
    {
      g_object_unref (manager);
      return NULL;
    }
  self->manager = manager;

  return (PyObject *) self;
}

static PyObject *
manager_new (PyTypeObject *type,
             PyObject     *args,
             PyObject     *kwargs)
{
  static const char *kwlist[] = { NULL };

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, ":Manager", (char **) kwlist))
    return NULL;

  return manager_wrap (type, sp_profile_manager_new ());
}

static void
manager_dealloc (PyObject *object)
{
  SpPyManager *self = (SpPyManager *) object;

  if (self->weakreflist != NULL)
    PyObject_ClearWeakRefs (object);
  g_clear_object (&self->manager);
  Py_TYPE (object)->tp_free (object);
}

static PyObject *
manager_repr (PyObject *object)
{
  SpPyManager *self = (SpPyManager *) object;

  return PyUnicode_FromFormat ("<%s %s at %p>", Py_TYPE (object)->tp_name,
                               object == default_manager ? "default" : "independent",
                               self->manager);
}

static PyObject *
manager_get_default (PyObject *cls,
                     PyObject *unused)
{
  if (default_manager == NULL)
    {
      default_manager = manager_wrap (&Manager_Type,
                                      g_object_ref (sp_profile_manager_get_default ()));
      if (default_manager == NULL)
        return NULL;
    }

  return Py_NewRef (default_manager);
}

static int
set_bool (SpConfig  *config,
          PyObject  *value,
          void     (*setter) (SpConfig *, gboolean))
{
  int truth;

  if (value == NULL || value == Py_None)
    return 0;
  truth = PyObject_IsTrue (value);
  if (truth < 0)
    return -1;
  setter (config, truth);
  return 0;
}

/* An int in [min, max] from @value, or -1 with an exception. */
static int
get_int_in (const char *name,
            PyObject   *value,
            long long   min,
            long long   max,
            long long  *out)
{
  long long v;

  if (PyBool_Check (value) || !PyLong_Check (value))
    {
      PyErr_Format (PyExc_TypeError, "%s must be an int, not %s", name, Py_TYPE (value)->tp_name);
      return -1;
    }
  v = PyLong_AsLongLong (value);
  if (v == -1 && PyErr_Occurred ())
    {
      if (!PyErr_ExceptionMatches (PyExc_OverflowError))
        return -1;
      PyErr_Clear ();
    }
  else if (v >= min && v <= max)
    {
      *out = v;
      return 0;
    }

  PyErr_Format (PyExc_ValueError, "%s must be between %lld and %lld, not %R",
                name, min, max, value);
  return -1;
}

PyDoc_STRVAR (manager_setup_doc,
"setup(*, enabled=True, time_trace=True, flush_to_disk=True, buffer_limit=100000,\n"
"      file_path='profiling_data.h5', verbose=True, rank=-1, size=-1,\n"
"      merge_timeout=120)\n--\n\n"
"Start a new session with these SpConfig settings (None: the default).\n"
"Regions are kept and rejoin the session when next entered.");

static PyObject *
manager_setup (PyObject *object,
               PyObject *args,
               PyObject *kwargs)
{
  static const char *kwlist[] = { "enabled", "time_trace", "flush_to_disk", "buffer_limit",
                            "file_path", "verbose", "rank", "size", "merge_timeout", NULL };
  SpPyManager *self = (SpPyManager *) object;
  g_autoptr(SpConfig) config = NULL;
  PyObject *enabled = NULL, *time_trace = NULL, *flush_to_disk = NULL, *buffer_limit = NULL;
  PyObject *file_path = NULL, *verbose = NULL, *rank = NULL, *size = NULL;
  PyObject *merge_timeout = NULL;
  long long v;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "|$OOOOOOOOO:setup", (char **) kwlist,
                                    &enabled, &time_trace, &flush_to_disk, &buffer_limit,
                                    &file_path, &verbose, &rank, &size, &merge_timeout))
    return NULL;

  config = sp_config_new ();

  if (set_bool (config, enabled, sp_config_set_enabled) < 0 ||
      set_bool (config, time_trace, sp_config_set_time_trace) < 0 ||
      set_bool (config, flush_to_disk, sp_config_set_flush_to_disk) < 0 ||
      set_bool (config, verbose, sp_config_set_verbose) < 0)
    return NULL;

  if (buffer_limit != NULL && buffer_limit != Py_None)
    {
      if (get_int_in ("buffer_limit", buffer_limit, 1, G_MAXINT32, &v) < 0)
        return NULL;
      sp_config_set_buffer_limit (config, (guint) v);
    }
  if (rank != NULL && rank != Py_None)
    {
      if (get_int_in ("rank", rank, -1, G_MAXINT32, &v) < 0)
        return NULL;
      sp_config_set_rank (config, (int) v);
    }
  if (size != NULL && size != Py_None)
    {
      if (get_int_in ("size", size, -1, G_MAXINT32, &v) < 0)
        return NULL;
      if (v == 0)
        return PyErr_Format (PyExc_ValueError, "size must be -1 or positive, not 0");
      sp_config_set_size (config, (int) v);
    }
  if (merge_timeout != NULL && merge_timeout != Py_None)
    {
      if (get_int_in ("merge_timeout", merge_timeout, 0, G_MAXINT32, &v) < 0)
        return NULL;
      sp_config_set_merge_timeout (config, (guint) v);
    }
  if (file_path != NULL && file_path != Py_None)
    {
      PyObject *bytes = NULL;

      if (!PyUnicode_FSConverter (file_path, &bytes))
        return NULL;
      if (PyBytes_GET_SIZE (bytes) == 0)
        {
          Py_DECREF (bytes);
          return PyErr_Format (PyExc_ValueError, "file_path must not be empty");
        }
      sp_config_set_file_path (config, PyBytes_AS_STRING (bytes));
      Py_DECREF (bytes);
    }

  sp_profile_manager_setup (self->manager, config);

  Py_RETURN_NONE;
}

static PyObject *
manager_get_config (PyObject *object,
                    PyObject *unused)
{
  SpConfig *config = sp_profile_manager_get_config (((SpPyManager *) object)->manager);
  const char *path;
  PyObject *file_path;
  PyObject *result;

  if (config == NULL)
    Py_RETURN_NONE;

  path = sp_config_get_file_path (config);
  if (path != NULL)
    file_path = PyUnicode_DecodeFSDefault (path);
  else
    file_path = Py_NewRef (Py_None);
  if (file_path == NULL)
    return NULL;

  result = Py_BuildValue ("{s:O,s:O,s:O,s:I,s:N,s:O,s:i,s:i,s:I}",
                          "enabled", sp_config_get_enabled (config) ? Py_True : Py_False,
                          "time_trace", sp_config_get_time_trace (config) ? Py_True : Py_False,
                          "flush_to_disk", sp_config_get_flush_to_disk (config) ? Py_True : Py_False,
                          "buffer_limit", sp_config_get_buffer_limit (config),
                          "file_path", file_path,
                          "verbose", sp_config_get_verbose (config) ? Py_True : Py_False,
                          "rank", sp_config_get_rank (config),
                          "size", sp_config_get_size (config),
                          "merge_timeout", sp_config_get_merge_timeout (config));

  return result;
}

static PyObject *
manager_set_metadata (PyObject *object,
                      PyObject *args)
{
  const char *key;
  const char *value;

  if (!PyArg_ParseTuple (args, "sz:set_metadata", &key, &value))
    return NULL;

  sp_profile_manager_set_metadata (((SpPyManager *) object)->manager, key, value);
  Py_RETURN_NONE;
}

/* The UTF-8 of a region name, borrowed from @arg; NULL with an exception. */
static const char *
region_name_from (PyObject *arg)
{
  const char *name;
  Py_ssize_t size;

  if (!PyUnicode_Check (arg))
    {
      PyErr_Format (PyExc_TypeError, "region name must be a str, not %s", Py_TYPE (arg)->tp_name);
      return NULL;
    }
  name = PyUnicode_AsUTF8AndSize (arg, &size);
  if (name == NULL)
    return NULL;
  if (strlen (name) != (size_t) size)
    {
      PyErr_SetString (PyExc_ValueError, "region name must not contain NUL characters");
      return NULL;
    }

  return name;
}

static PyObject *
manager_profile_region (PyObject *object,
                        PyObject *arg)
{
  const char *name;
  SpRegion *region;

  name = region_name_from (arg);
  if (name == NULL)
    return NULL;
  if (!check_region_name (name))
    return NULL;

  region = sp_profile_manager_profile_region (((SpPyManager *) object)->manager, name);
  if (region == NULL)
    return PyErr_Format (PyExc_ValueError, "invalid region name %R", arg);

  return region_wrap (region, &Region_Type);
}

static PyObject *
manager_get_region (PyObject *object,
                    PyObject *arg)
{
  const char *name;

  name = region_name_from (arg);
  if (name == NULL)
    return NULL;

  return sp_py_region_wrap (sp_profile_manager_get_region (((SpPyManager *) object)->manager,
                                                          name));
}

static int
add_region (PyObject *dict,
            SpRegion *region)
{
  PyObject *wrapper = sp_py_region_wrap (region);
  int ret;

  if (wrapper == NULL)
    return -1;
  ret = PyDict_SetItemString (dict, sp_region_get_name (region), wrapper);
  Py_DECREF (wrapper);

  return ret;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The regions of the session in the order they joined it: the list model's
 * order (it may lag behind on a thread that does not own the manager), the
 * table's content. */
static PyObject *
manager_get_all_regions (PyObject *object,
                         PyObject *unused)
{
  SpProfileManager *manager = ((SpPyManager *) object)->manager;
  g_autoptr(GHashTable) all = sp_profile_manager_get_all_regions (manager);
  GListModel *model = sp_profile_manager_get_regions (manager);
  g_autofree const char **rest = NULL;
  guint n_rest;
  PyObject *dict = PyDict_New ();

  if (dict == NULL)
    return NULL;

  for (guint i = 0, n = g_list_model_get_n_items (model); i < n; i++)
    {
      g_autoptr(SpRegion) region = g_list_model_get_item (model, i);
      const char *name = sp_region_get_name (region);

      if (g_hash_table_lookup (all, name) != region)
        continue;
      g_hash_table_remove (all, name);
      if (add_region (dict, region) < 0)
        goto fail;
    }

  rest = (const char **) g_hash_table_get_keys_as_array (all, &n_rest);
  qsort (rest, n_rest, sizeof (char *), compare_names);
  for (guint i = 0; i < n_rest; i++)
    if (add_region (dict, g_hash_table_lookup (all, rest[i])) < 0)
      goto fail;

  return dict;

fail:
  Py_DECREF (dict);
  return NULL;
}

static PyObject *
manager_get_summary (PyObject *object,
                     PyObject *unused)
{
  g_autofree char *summary = sp_profile_manager_get_summary (((SpPyManager *) object)->manager);

  return PyUnicode_FromString (summary != NULL ? summary : "");
}

static PyObject *
manager_get_start_time (PyObject *object,
                        PyObject *unused)
{
  return PyLong_FromLongLong (sp_profile_manager_get_start_time (((SpPyManager *) object)->manager));
}

static PyObject *
manager_get_spill_path (PyObject *object,
                        PyObject *unused)
{
  g_autofree char *path = sp_profile_manager_get_spill_path (((SpPyManager *) object)->manager);

  if (path == NULL)
    Py_RETURN_NONE;

  return PyUnicode_DecodeFSDefault (path);
}

/* An optional path argument: NULL for None, else a new bytes object. */
static int
path_converter (PyObject *object,
                void     *out)
{
  if (object == Py_None)
    {
      *(PyObject **) out = NULL;
      return 1;
    }

  return PyUnicode_FSConverter (object, out);
}

PyDoc_STRVAR (manager_finalize_doc,
"finalize(path=None, *, verbose=None)\n--\n\n"
"Write the session to path (None: the configured file_path); prints the\n"
"library's summary on the C stdout when the session is verbose.\n"
"verbose=False switches that off for this session first. The GIL is\n"
"released while the file is written. Raises ProfilerError when writing\n"
"fails; the calls are kept, so finalizing again can succeed.");

static PyObject *
manager_finalize (PyObject *object,
                  PyObject *args,
                  PyObject *kwargs)
{
  static const char *kwlist[] = { "path", "verbose", NULL };
  SpProfileManager *manager = ((SpPyManager *) object)->manager;
  PyObject *path = NULL;
  PyObject *verbose = Py_None;
  GError *error = NULL;
  gboolean ok;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "|O&$O:finalize", (char **) kwlist,
                                    path_converter, &path, &verbose))
    return NULL;

  if (verbose != Py_None)
    {
      SpConfig *config = sp_profile_manager_get_config (manager);
      int truth = PyObject_IsTrue (verbose);

      if (truth < 0)
        {
          Py_XDECREF (path);
          return NULL;
        }
      if (config != NULL)
        sp_config_set_verbose (config, truth);
    }

  Py_BEGIN_ALLOW_THREADS
  ok = sp_profile_manager_finalize_to_path (manager,
                                            path != NULL ? PyBytes_AS_STRING (path) : NULL,
                                            &error);
  Py_END_ALLOW_THREADS

  Py_XDECREF (path);

  if (!ok)
    return raise_error (error);

  Py_RETURN_NONE;
}

static PyObject *
manager_finalize_to_path (PyObject *object,
                          PyObject *arg)
{
  PyObject *args = PyTuple_Pack (1, arg);
  PyObject *result;

  if (args == NULL)
    return NULL;
  result = manager_finalize (object, args, NULL);
  Py_DECREF (args);

  return result;
}

PyDoc_STRVAR (manager_recover_doc,
"recover(spill_path, output_path, /)\n--\n\n"
"Turn the spill file of a session that never finalized (a crashed process)\n"
"into a session file. Raises ProfilerError on failure.");

static PyObject *
manager_recover (PyObject *cls,
                 PyObject *args)
{
  PyObject *spill = NULL;
  PyObject *output = NULL;
  GError *error = NULL;
  gboolean ok;

  if (!PyArg_ParseTuple (args, "O&O&:recover", PyUnicode_FSConverter, &spill,
                         PyUnicode_FSConverter, &output))
    {
      Py_XDECREF (spill);
      return NULL;
    }

  Py_BEGIN_ALLOW_THREADS
  ok = sp_profile_manager_recover (PyBytes_AS_STRING (spill), PyBytes_AS_STRING (output), &error);
  Py_END_ALLOW_THREADS

  Py_DECREF (spill);
  Py_DECREF (output);

  if (!ok)
    return raise_error (error);

  Py_RETURN_NONE;
}

static PyMethodDef manager_methods[] = {
  { "get_default", manager_get_default, METH_NOARGS | METH_CLASS,
    "get_default()\n--\n\n"
    "The process-wide manager, shared with C code (SP_PROFILE_SCOPE) and gjs;\n"
    "always the same object." },
  { "setup", (PyCFunction) (void (*) (void)) manager_setup, METH_VARARGS | METH_KEYWORDS,
    manager_setup_doc },
  { "get_config", manager_get_config, METH_NOARGS,
    "get_config()\n--\n\n"
    "The settings of the current session as a dict (enabled, time_trace,\n"
    "flush_to_disk, buffer_limit, file_path, verbose, rank, size, merge_timeout)." },
  { "set_metadata", manager_set_metadata, METH_VARARGS,
    "set_metadata(key, value, /)\n--\n\n"
    "Record key = value (str; None removes key) in the session file's /metadata." },
  { "profile_region", manager_profile_region, METH_O,
    "profile_region(name, /)\n--\n\nThe Region called name, created on first use." },
  { "get_region", manager_get_region, METH_O,
    "get_region(name, /)\n--\n\nThe Region called name of the current session, or None." },
  { "get_all_regions", manager_get_all_regions, METH_NOARGS,
    "get_all_regions()\n--\n\n"
    "The regions of the current session, a dict name -> Region in the order\n"
    "they joined it." },
  { "get_summary", manager_get_summary, METH_NOARGS,
    "get_summary()\n--\n\nThe per-region statistics table of the current session." },
  { "get_start_time", manager_get_start_time, METH_NOARGS,
    "get_start_time()\n--\n\nThe session's start, CLOCK_MONOTONIC ns." },
  { "get_spill_path", manager_get_spill_path, METH_NOARGS,
    "get_spill_path()\n--\n\nThe path of the session's spill file, or None." },
  { "finalize", (PyCFunction) (void (*) (void)) manager_finalize, METH_VARARGS | METH_KEYWORDS,
    manager_finalize_doc },
  { "finalize_to_path", manager_finalize_to_path, METH_O,
    "finalize_to_path(path, /)\n--\n\nfinalize(path)." },
  { "recover", manager_recover, METH_VARARGS | METH_STATIC, manager_recover_doc },
  { NULL, NULL, 0, NULL },
};

PyDoc_STRVAR (manager_doc,
"Manager()\n--\n\n"
"A profile manager of the library: Manager() is an independent one,\n"
"Manager.get_default() the process-wide one.");

static PyTypeObject Manager_Type = {
  PyVarObject_HEAD_INIT (NULL, 0)
  .tp_name = "_scope_profiler_native.Manager",
  .tp_basicsize = sizeof (SpPyManager),
  .tp_dealloc = manager_dealloc,
  .tp_repr = manager_repr,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
  .tp_doc = manager_doc,
  .tp_weaklistoffset = offsetof (SpPyManager, weakreflist),
  .tp_methods = manager_methods,
  .tp_new = manager_new,
};

/* The module */

PyDoc_STRVAR (native_get_current_time_doc,
"get_current_time()\n--\n\n"
"CLOCK_MONOTONIC nanoseconds, the clock of every recorded timestamp (that of\n"
"time.perf_counter_ns() on Linux).");

static PyObject *
native_get_current_time (PyObject *module,
                         PyObject *unused)
{
  return PyLong_FromLongLong (sp_get_current_time ());
}

PyDoc_STRVAR (native_record_doc,
"record(region, track, start, end, /)\n--\n\n"
"Record one completed call of region from start to end (get_current_time()\n"
"nanoseconds) on track (from new_track(), or -1: the calling thread's lane),\n"
"outside of any thread's nesting (sp_region_record()).");

static PyObject *
native_record (PyObject         *module,
               PyObject * const *args,
               Py_ssize_t        nargs)
{
  SpRegion *region;
  long long track, start, end;

  if (nargs != 4)
    {
      PyErr_Format (PyExc_TypeError, "record() takes 4 arguments (%zd given)", nargs);
      return NULL;
    }

  region = region_get (args[0]);
  if (region == NULL)
    return NULL;

  track = PyLong_AsLongLong (args[1]);
  start = PyLong_AsLongLong (args[2]);
  end = PyLong_AsLongLong (args[3]);
  if (PyErr_Occurred ())
    return NULL;
  if (end < start)
    {
      PyErr_SetString (PyExc_ValueError, "record(): end is before start");
      return NULL;
    }

  sp_region_record (region, track, start, end);
  Py_RETURN_NONE;
}

static PyObject *
native_new_track (PyObject *module,
                  PyObject *name)
{
  const char *utf8 = PyUnicode_AsUTF8 (name);

  if (utf8 == NULL)
    return NULL;

  return PyLong_FromLongLong (sp_new_track (utf8));
}

static PyObject *
native_set_thread_name (PyObject *module,
                        PyObject *name)
{
  const char *utf8 = PyUnicode_AsUTF8 (name);

  if (utf8 == NULL)
    return NULL;

  sp_set_thread_name (utf8);
  Py_RETURN_NONE;
}

static PyObject *
native_end_thread (PyObject *module,
                   PyObject *unused)
{
  sp_end_thread ();
  Py_RETURN_NONE;
}

static PyMethodDef native_functions[] = {
  { "end_thread", native_end_thread, METH_NOARGS,
    "end_thread()\n--\n\n"
    "The calling thread is done: its end and CPU time are taken now (sp_end_thread())." },
  { "enter", native_enter, METH_O, native_enter_doc },
  { "record", (PyCFunction) (void (*) (void)) native_record, METH_FASTCALL, native_record_doc },
  { "new_track", native_new_track, METH_O,
    "new_track(name, /)\n--\n\n"
    "A new track (an int) called name: a lane for record() (sp_new_track())." },
  { "set_thread_name", native_set_thread_name, METH_O,
    "set_thread_name(name, /)\n--\n\n"
    "Name the calling thread in the sessions (sp_set_thread_name())." },
  { "exit", native_exit, METH_O, native_exit_doc },
  { "get_current_time", native_get_current_time, METH_NOARGS, native_get_current_time_doc },
  { "set_region_hook", native_set_region_hook, METH_O,
    "set_region_hook(hook, /)\n--\n\n"
    "While hook is not None, `with region:` calls hook.enter(region) before\n"
    "entering and hook.exit(region) after leaving, and region.add_function(f)\n"
    "calls hook.add_function(region, f) (line profiling's context form)." },
  { NULL, NULL, 0, NULL },
};

PyDoc_STRVAR (native_doc,
"libscope-profiler for Python, without PyGObject: Manager and Region, the\n"
"per-call path (enter()/exit(), Region.__enter__/__exit__, the wrapper of\n"
"decorated functions), saved sessions and the recursive tracer. Private to\n"
"the scope_profiler package and the ScopeProfiler PyGObject override.\n"
"\n"
"Errors of the library are raised as ProfilerError, an OSError subclass:\n"
"str() is the library's message, .domain and .code the GError's, and\n"
".errno is set for file and I/O errors that have one.");

static struct PyModuleDef native_module = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_scope_profiler_native",
  .m_doc = native_doc,
  .m_size = -1,
  .m_methods = native_functions,
};

static int
add_region_method (PyObject         *module,
                   const char       *name,
                   RegionMethodKind  kind)
{
  PyObject *method = region_method_new (kind);

  if (method == NULL)
    return -1;

  /* Region.__enter__ / __exit__ of this module's Region, and for the
   * override's. */
  if (PyDict_SetItemString (Region_Type.tp_dict, region_method_names[kind], method) < 0 ||
      PyModule_AddObject (module, name, method) < 0)
    {
      Py_DECREF (method);
      return -1;
    }

  return 0;
}

PyMODINIT_FUNC PyInit__scope_profiler_native (void);

PyMODINIT_FUNC
PyInit__scope_profiler_native (void)
{
  PyObject *module;
  PyObject *gtype;

  region_gtype = SP_TYPE_REGION;
  hook_enter_name = PyUnicode_InternFromString ("enter");
  hook_exit_name = PyUnicode_InternFromString ("exit");
  hook_add_function_name = PyUnicode_InternFromString ("add_function");
  if (hook_enter_name == NULL || hook_exit_name == NULL || hook_add_function_name == NULL)
    return NULL;
  wrapper_quark = g_quark_from_static_string ("sp-python-region");

  if (PyType_Ready (&ProfiledFunction_Type) < 0 ||
      PyType_Ready (&RegionMethod_Type) < 0 ||
      PyType_Ready (&BoundRegionMethod_Type) < 0 ||
      PyType_Ready (&RegionLookup_Type) < 0 ||
      PyType_Ready (&Region_Type) < 0 ||
      PyType_Ready (&Manager_Type) < 0)
    return NULL;

  module = PyModule_Create (&native_module);
  if (module == NULL)
    return NULL;

  if (PyModule_AddType (module, &ProfiledFunction_Type) < 0 ||
      PyModule_AddType (module, &RegionLookup_Type) < 0 ||
      PyModule_AddType (module, &Region_Type) < 0 ||
      PyModule_AddType (module, &Manager_Type) < 0)
    goto fail;

  if (add_region_method (module, "region_enter_method", REGION_METHOD_ENTER) < 0 ||
      add_region_method (module, "region_exit_method", REGION_METHOD_EXIT) < 0)
    goto fail;
  PyType_Modified (&Region_Type);

  profiler_error = PyErr_NewExceptionWithDoc (
      "_scope_profiler_native.ProfilerError",
      "An error of the scope-profiler library (a GError). An OSError: str() is\n"
      "the library's message; domain and code are the GError's; errno is set\n"
      "for file and I/O errors that have one.",
      PyExc_OSError, NULL);
  if (profiler_error == NULL ||
      PyModule_AddObject (module, "ProfilerError", Py_NewRef (profiler_error)) < 0)
    goto fail;

  gtype = PyLong_FromSize_t (region_gtype);
  if (gtype == NULL || PyModule_AddObject (module, "region_gtype", gtype) < 0)
    {
      Py_XDECREF (gtype);
      goto fail;
    }

  if (sp_py_session_init (module) < 0 ||
      sp_py_tracer_init (module) < 0)
    goto fail;

  return module;

fail:
  Py_DECREF (module);
  return NULL;
}
