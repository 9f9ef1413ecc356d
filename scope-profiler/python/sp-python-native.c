/* sp-python-native.c: the Python hot path, without PyGObject's invocation
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* _scope_profiler_native: what `with region:`, `@ProfileManager.profile` and
 * `profile_region("name")` run per call.
 *
 * Through GI every sp_region_enter() and sp_region_exit() goes through
 * PyGObject's invoker: argument cache, GIL released and taken again, libffi;
 * about 1 250 instructions a call, more than a pure-Python recorder spends on
 * the whole interval. This module calls the two C functions directly:
 *
 *   enter(region) / exit(region)      sp_region_enter() / sp_region_exit()
 *   region_enter_method               Region.__enter__ (returns the region)
 *   region_exit_method                Region.__exit__ (returns False)
 *   ProfiledFunction(func, region)    the wrapper of a decorated function
 *   RegionLookup(cache, fallback)     profile_region(name): a dict hit in C
 *   region_gtype                      SP_TYPE_REGION, as the library linked
 *                                     here registered it
 *
 * The region is the PyGObject wrapper, never a bare pointer: every object
 * that needs it holds a reference to the Python object, and the SpRegion is
 * read from it (PyGObject's public instance struct) at each call, after
 * checking that it is a PyGObject wrapping an SpRegion. Anything else is a
 * TypeError (a wrapper whose object is gone a RuntimeError), as through GI.
 *
 * The GIL stays held across the C calls; releasing and taking it again
 * would cost more than the call. They take no lock on their fast path; on
 * their slow paths (a thread's first call of a region, a full buffer) they
 * take the manager's lock, which its holders never keep while waiting for
 * Python: the library calls no Python code under it (the one exception
 * would be a GLib log handler written in Python for the "ScopeProfiler"
 * domain, reached by the warning of a failed flush).
 *
 * The override (gi/overrides/ScopeProfiler.py) and the scope_profiler
 * package use this module when it imports and SCOPE_PROFILER_PYTHON_NATIVE
 * is not "0"; otherwise they call the same functions through GI.
 */

#include "sp-python-private.h"

#include <pygobject.h>

#if PY_VERSION_HEX < 0x030900f0
# error "Python 3.9 or newer is needed (PyObject_Vectorcall)"
#endif

static GType region_gtype;
static PyTypeObject *pygobject_type;
/* The last Python class whose instances passed the PyGObject check, held:
 * instances of that class skip the walk of their MRO. */
static PyTypeObject *known_wrapper_type;

/* Regions */

/* The errors of PyGObject's invoker for the same objects. */
static G_GNUC_NO_INLINE PyObject *
region_type_error (PyObject *object)
{
  if (PyObject_TypeCheck (object, pygobject_type) && pygobject_get (object) == NULL)
    PyErr_Format (PyExc_RuntimeError, "object at %p of type %s is not initialized",
                  object, Py_TYPE (object)->tp_name);
  else
    PyErr_Format (PyExc_TypeError, "argument self: Expected ScopeProfiler.Region, but got %s",
                  Py_TYPE (object)->tp_name);
  return NULL;
}

static G_GNUC_NO_INLINE gboolean
is_pygobject_slow (PyObject *object)
{
  PyTypeObject *type = Py_TYPE (object);

  if (!PyType_IsSubtype (type, pygobject_type))
    return FALSE;

  Py_INCREF (type);
  Py_XSETREF (known_wrapper_type, type);

  return TRUE;
}

/* The SpRegion wrapped by @object, or NULL with an exception set.
 * Borrowed: valid while @object is. */
static inline SpRegion *
region_get (PyObject *object)
{
  GObject *gobject;

  if (G_UNLIKELY (Py_TYPE (object) != known_wrapper_type) && !is_pygobject_slow (object))
    return (SpRegion *) region_type_error (object);

  gobject = pygobject_get (object);
  if (G_UNLIKELY (gobject == NULL || !G_TYPE_CHECK_INSTANCE_TYPE (gobject, region_gtype)))
    return (SpRegion *) region_type_error (object);

  return (SpRegion *) gobject;
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
"Open a call of region on this thread: ScopeProfiler.Region.enter(region).");

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
"Close the innermost open call of region on this thread:\n"
"ScopeProfiler.Region.exit(region).");

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

static inline PyObject *
region_method_call (RegionMethodKind kind,
                    PyObject        *object)
{
  SpRegion *region = region_get (object);

  if (G_UNLIKELY (region == NULL))
    return NULL;

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
  return PyUnicode_FromFormat ("<method '%s' of 'ScopeProfiler.Region' objects>",
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
  .tp_doc = "A method of ScopeProfiler.Region written in C (__enter__, __exit__).",
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
    return PyUnicode_FromString ("<cleared bound method of a ScopeProfiler.Region>");

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
  .tp_doc = "A method of ScopeProfiler.Region bound to a region.",
  .tp_traverse = bound_region_method_traverse,
  .tp_clear = bound_region_method_clear_gc,
  .tp_getset = bound_region_method_getset,
};

/* ProfiledFunction: the wrapper of a decorated function */

typedef struct
{
  PyObject_HEAD
  PyObject *func;
  PyObject *region;        /* the PyGObject wrapper, checked when created */
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
    "The ScopeProfiler.Region every call records into.", NULL },
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

  /* lookup(name) or lookup(name, functions) */
  if (G_LIKELY ((PyVectorcall_NARGS (nargsf) == 1 || PyVectorcall_NARGS (nargsf) == 2) &&
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

/* The module */

static PyMethodDef native_functions[] = {
  { "enter", native_enter, METH_O, native_enter_doc },
  { "exit", native_exit, METH_O, native_exit_doc },
  { NULL, NULL, 0, NULL },
};

PyDoc_STRVAR (native_doc,
"The per-call path of ScopeProfiler regions in Python, without PyGObject's\n"
"invocation: enter()/exit(), Region.__enter__/__exit__ and the wrapper of\n"
"decorated functions call sp_region_enter()/sp_region_exit() directly.\n"
"Private to the ScopeProfiler override and the scope_profiler package.");

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

  if (method == NULL || PyModule_AddObject (module, name, method) < 0)
    {
      Py_XDECREF (method);
      return -1;
    }

  return 0;
}

PyMODINIT_FUNC PyInit__scope_profiler_native (void);

PyMODINIT_FUNC
PyInit__scope_profiler_native (void)
{
  PyObject *module;
  PyObject *gobject;
  PyObject *gtype;

  gobject = pygobject_init (-1, -1, -1);
  if (gobject == NULL)
    return NULL;
  Py_DECREF (gobject);

  pygobject_type = &PyGObject_Type;
  region_gtype = SP_TYPE_REGION;

  if (PyType_Ready (&ProfiledFunction_Type) < 0 ||
      PyType_Ready (&RegionMethod_Type) < 0 ||
      PyType_Ready (&BoundRegionMethod_Type) < 0 ||
      PyType_Ready (&RegionLookup_Type) < 0)
    return NULL;

  module = PyModule_Create (&native_module);
  if (module == NULL)
    return NULL;

  if (PyModule_AddType (module, &ProfiledFunction_Type) < 0 ||
      PyModule_AddType (module, &RegionLookup_Type) < 0)
    goto fail;

  if (add_region_method (module, "region_enter_method", REGION_METHOD_ENTER) < 0 ||
      add_region_method (module, "region_exit_method", REGION_METHOD_EXIT) < 0)
    goto fail;

  gtype = pyg_type_wrapper_new (region_gtype);
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
