# profile_manager.py: the ProfileManager of the Python scope-profiler API
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""``ProfileManager``, as in the Python scope-profiler package, on top of the
C library through the package's extension module ``_scope_profiler_native``
(no PyGObject: ``gi`` is never imported).

Called on the class (``ProfileManager.setup(...)``,
``ProfileManager.profile_region(...)``) every method acts on the
process-wide default manager -- the same one C code uses with
``SP_PROFILE_SCOPE()``, so C, Python and gjs regions of one process go into
one session file. ``ProfileManager()`` creates an independent manager with
the same methods.

Errors of the library are raised as :class:`ProfilerError`, an
:class:`OSError` carrying the library's message.
"""

import contextlib
import functools
import os
import platform
import sys
import types

try:
    import _scope_profiler_native as _native
except ImportError as _error:  # pragma: no cover - a broken installation
    raise ImportError(
        'scope_profiler needs its extension module _scope_profiler_native, installed '
        'beside the package with libscope-profiler: %s' % (_error,)) from _error

from . import _options  # noqa: E402
from . import _features  # noqa: E402
from . import _line_profiler  # noqa: E402
from . import _wrap as _wrap_module  # noqa: E402
from ._wrap import wrap as _wrap  # noqa: E402
from .profile_config import ProfilingConfig  # noqa: E402

__all__ = ['ProfileManager', 'ProfilerError', 'UnsupportedOptionError', 'get_current_time']

UnsupportedOptionError = _options.UnsupportedOptionError
ProfilerError = _native.ProfilerError

# sp_region_enter()/exit() for the wrappers of decorated functions.
_region_enter = _native.enter
_region_exit = _native.exit
_profiled_function = _native.ProfiledFunction
# Which path the per-call code takes: always the extension now (kept for
# benchmarks/bench-python.py and the tests).
_BACKEND = 'native'

_RECURSIVE_UNSUPPORTED = (
    'profile(recursive=True) is not supported: recursive profiling of '
    'every Python call is not implemented; decorate the functions to time')


class _manager_method:
    """A method that, looked up on the class, is bound to the default manager.

    ``ProfileManager.setup(...)`` and ``ProfileManager().setup(...)`` run the
    same code, on the default and on an independent manager respectively.
    The method bound to the default manager is made once, so class-level
    calls cost one extra Python call over instance calls.
    """

    def __init__(self, func):
        self.__func__ = func
        self._default_bound = None
        functools.update_wrapper(self, func)

    def __get__(self, instance, owner=None):
        if instance is None:
            bound = self._default_bound
            if bound is None:
                bound = self._default_bound = self.__func__.__get__(_default_manager())
            return bound
        return self.__func__.__get__(instance, owner)


class ProfileManager:
    """Creates, configures and finalizes profiling regions.

    Use it through the class for the process-wide default manager, or
    instantiate it for an independent manager::

        ProfileManager.setup(file_path="run.h5")

        @ProfileManager.profile("solver")
        def solve(A, b):
            ...

        with ProfileManager.profile_region("assemble"):
            ...

        ProfileManager.finalize()
    """

    # The Python package's features this implementation can switch on (names
    # of _options.FEATURES). setup() hands the switched-on ones to
    # _enable_features(); the others are refused with UnsupportedOptionError
    # when switched on. 'recursive_profile' here also allows
    # profile(recursive=True), which goes to _decorate_recursive().
    _FEATURES_AVAILABLE = frozenset(_features.AVAILABLE)

    def __init__(self):
        self._init(_native.Manager())
        # As in the Python package: nothing is recorded before setup().
        self._enter_unset()

    def _init(self, manager, regions=None):
        self._manager = manager
        # Regions fetched in this session. Regions belong to their manager
        # for as long as it lives and keep their identity across setup(), so
        # this is only a cache of the C lookup (cleared in place: the
        # default manager's is also the module's _default_regions).
        self._regions = {} if regions is None else regions
        # profile_region() on an instance: the instance's own method (on the
        # class, the attribute is the default manager's fast path).
        if getattr(type(self), 'profile_region', None) is _class_profile_region:
            # Hits answered in C from self._regions, the rest by the method.
            lookup = _native.RegionLookup(self._regions, self._profile_region)
            self.profile_region = functools.update_wrapper(lookup, self._profile_region)
        # The current API's name of profile_region().
        self.region = self.profile_region
        # Regions of decorated functions: part of every session, as in the
        # Python package.
        self._decorated = {}
        self._verbose = True
        # The session start of the library's disabled session that stands
        # for "not set up" (see _enter_unset), None once set up.
        self._unset_start = None
        # The Python package's features switched on by the last setup().
        self._features_on = {}
        # setup(track_async=...), read by the wrappers of coroutines from
        # the regions (_adopt).
        self._async = _wrap_module.AsyncSettings(self)
        # region.get_start_times_numpy()/get_end_times_numpy() of this
        # manager's regions: relative to the session start (_adopt).
        self._relative_times = _relative_time_methods(manager)
        self._set_python_metadata()

    # ------------------------------------------------------------------
    # "Not set up" (the Python package's lifecycle)
    #
    # Before the first setup() the Python package records nothing: its
    # regions are disabled until setup() (decorated functions are re-bound
    # by it), and finalize() writes a file holding only /metadata. Here that
    # state is a disabled session of the library (enabled=False): region
    # objects and decorated functions stay the same objects and start
    # recording when the manager is set up. Whoever sets the manager up ends
    # it: setup() here, or C code calling sp_profile_manager_setup() on the
    # default manager -- then the session is running and Python records into
    # it. The state is recognised by the session start time it had.

    def _enter_unset(self):
        self._manager.setup(enabled=False, verbose=False)
        self._unset_start = self._manager.get_start_time()
        self._unset_pid = os.getpid()
        self._set_python_metadata()

    def _is_unset(self):
        """True before any setup() of this manager (by Python or C)."""
        if self._unset_start is None:
            return False
        start = self._manager.get_start_time()
        if start == self._unset_start:
            return True
        if self._unset_pid != os.getpid() and not self._manager.get_config()['enabled']:
            # A fork()ed child of a process that was not set up: the library
            # restarted the (still disabled) session in the child.
            self._unset_start, self._unset_pid = start, os.getpid()
            return True
        return False

    def _set_python_metadata(self):
        # As the Python package does; also for sessions never set up.
        self._manager.set_metadata('python_version', platform.python_version())
        self._manager.set_metadata('python_implementation', platform.python_implementation())

    def __repr__(self):
        kind = 'default' if self is _default else 'independent'
        return '<%s %s %r>' % (type(self).__name__, kind, self._manager)

    # ------------------------------------------------------------------
    # Configuration

    @_manager_method
    def setup(self, *args, **options):
        """Start a new session; all regions are cleared.

        Positional arguments are taken in the order of the Python package's
        signature: ``profiling_activated, use_likwid, use_line_profiler,
        recursive_profile, time_trace, flush_to_disk, buffer_limit,
        file_path``.

        Keywords (the library's ``SpConfig`` settings):
        ``enabled`` (alias ``profiling_activated``; ``deactivate_profiling``
        is its negation), ``time_trace``, ``flush_to_disk`` (negation:
        ``deactivate_file_output``), ``buffer_limit``, ``file_path``,
        ``verbose`` (print the summary at :meth:`finalize`), and ``label``
        (stored as run metadata). The Python package's other options are
        accepted while switched off; switching one on raises
        :class:`UnsupportedOptionError`. An unknown keyword is a
        :class:`TypeError` naming the closest valid one.

        Decorated functions and fetched regions keep working across
        ``setup()``: their regions rejoin the new session when next entered.
        """
        if args:
            options = _positional_options(args, options)
        properties, extras = _options.parse(options, 'setup', self._FEATURES_AVAILABLE)
        self._enable_features(extras.get('features', {}))

        verbose = properties.pop('verbose', True)
        # The summary is printed from Python, so it goes through sys.stdout
        # (captured, redirected and ordered like any other Python output).
        self._manager.setup(verbose=False, **properties)
        self._verbose = verbose
        self._unset_start = None
        self._features_on = {name: bool(value)
                             for name, value in extras.get('features', {}).items()}
        self._regions.clear()
        self._async.on = extras.get('track_async', False)
        _features.track_threads(extras.get('track_threads', False))

        self._set_python_metadata()
        label = extras.get('label')
        if label is not None:
            self._manager.set_metadata('label', label)

    # ------------------------------------------------------------------
    # The Python package's features (recursive profiling, line profiling,
    # LIKWID): the one place where they are switched on. None is available
    # yet: each is refused with UnsupportedOptionError.

    def _enable_features(self, features):
        """Switch on ``features`` ({setup() keyword: value}, each one of
        _FEATURES_AVAILABLE and switched on) for the session being set up."""
        _features.enable(self, features)

    def _decorate_recursive(self, func, name, recursive=True):
        """``profile(recursive=True)``: record every Python call made under
        ``func`` too (needs 'recursive_profile' in _FEATURES_AVAILABLE)."""
        return _features.decorate_recursive(self, func, name, recursive)

    @_manager_method
    def get_config(self):
        """The settings of the current session (a read-only
        :class:`~scope_profiler.profile_config.ProfilingConfig`) under the
        Python package's names. Before any setup() they are the defaults
        (those of ``setup()`` without arguments), as in the package.
        ``config_creation_time`` is the session's start (ns, the clock of
        :func:`time.perf_counter_ns`), the origin of the regions'
        ``get_start_times_numpy()``/``get_end_times_numpy()``."""
        if self._is_unset():
            settings, verbose = _default_settings(), True
        else:
            settings, verbose = self._manager.get_config(), self._verbose
        return ProfilingConfig(settings, verbose=verbose,
                               config_creation_time=self._manager.get_start_time(),
                               **self._features_on)

    @_manager_method
    def set_metadata(self, key, value):
        """Record ``key = value`` (strings) in the session file's /metadata."""
        self._manager.set_metadata(key, str(value))

    @_manager_method
    def get_manager(self):
        """The underlying ``_scope_profiler_native.Manager`` (for the default
        manager, ``Manager.get_default()``)."""
        return self._manager

    # ------------------------------------------------------------------
    # Regions

    def _profile_region(self, region_name, functions=None):
        """The region called ``region_name``, created on first use.

        It is a context manager: ``with ProfileManager.profile_region("x"):``
        records one call; the returned object may be kept and entered any
        number of times. ``functions`` (Python functions) matter only with
        ``setup(use_line_profiler=True)``: they are added to the region's
        line profiler, which ``with`` enables around the block.
        """
        region = self._regions.get(region_name)
        if region is None:
            region = self._create_region(region_name)
        if functions is not None:
            _line_profiler.add_functions(self, region, functions)
        return region

    def _create_region(self, name):
        if not isinstance(name, str):
            raise TypeError('region name must be a str, not %s' % type(name).__name__)
        if not name:
            raise ValueError('region name must not be empty')
        region = self._manager.profile_region(name)
        if region is None:  # pragma: no cover - rejected by the C library
            raise ValueError('invalid region name %r' % (name,))
        self._adopt(region)
        self._regions[name] = region
        return region

    def _adopt(self, region):
        """Give ``region`` the package's get_start_times_numpy() and
        get_end_times_numpy(): times since the session start (the Python
        package's ``config_creation_time``), not absolute ones."""
        if region is not None and 'get_start_times_numpy' not in region.__dict__:
            starts, ends = self._relative_times
            region.__dict__['get_start_times_numpy'] = types.MethodType(starts, region)
            region.__dict__['get_end_times_numpy'] = types.MethodType(ends, region)
            region.__dict__['_sp_async'] = self._async
        return region

    @_manager_method
    def profile(self, region_name=None, recursive=None):
        """Decorator recording every execution of a function as a region call.

        Usable bare (``@ProfileManager.profile``, the region is named after
        the function) or with a name (``@ProfileManager.profile("solver")``).
        Works on functions, methods, ``staticmethod``/``classmethod``
        objects, generator functions and ``async def`` functions; see
        :mod:`scope_profiler._wrap` for what is measured for each.
        Exceptions propagate; the call is recorded either way.
        ``recursive=True`` (the Python package's call tracer) goes to
        :meth:`_decorate_recursive`, which refuses it for now.
        """
        if recursive and 'recursive_profile' not in self._FEATURES_AVAILABLE:
            # Refused where it is written, not when the function is decorated.
            raise UnsupportedOptionError(_RECURSIVE_UNSUPPORTED)
        if recursive is None:
            decorate = self._decorate
        else:
            decorate = functools.partial(self._decorate_recursive, recursive=bool(recursive))

        if callable(region_name) or isinstance(region_name, (staticmethod, classmethod)):
            return decorate(region_name, None)

        if region_name is not None and not isinstance(region_name, str):
            raise TypeError('profile() takes a region name (str) or a function, not %s'
                            % type(region_name).__name__)

        def decorator(func):
            return decorate(func, region_name)
        return decorator

    def _decorate(self, func, name):
        if isinstance(func, (staticmethod, classmethod)):
            return type(func)(self._decorate(func.__func__, name))
        if not callable(func):
            raise TypeError('@profile needs a callable, not %s' % type(func).__name__)
        if name is None:
            name = getattr(func, '__name__', None) or type(func).__name__
        region = self.profile_region(name)
        self._decorated[name] = region
        return _features.wrap(self, func, region, _wrap(func, region, _region_enter, _region_exit,
                                                        _profiled_function))

    @_manager_method
    def get_region(self, region_name):
        """The region ``region_name`` of the current session, or ``None``.

        Regions of decorated functions are known from the moment they are
        decorated (with zero calls), as in the Python package.
        """
        region = self._manager.get_region(region_name)
        if region is None:
            region = self._regions.get(region_name) or self._decorated.get(region_name)
        return self._adopt(region)

    @_manager_method
    def get_all_regions(self):
        """All regions of the current session, as a ``dict`` name → region."""
        regions = dict(self._manager.get_all_regions())
        for extra in (self._regions, self._decorated):
            for name, region in extra.items():
                regions.setdefault(name, region)
        for region in regions.values():
            self._adopt(region)
        return regions

    # ------------------------------------------------------------------
    # Results

    @_manager_method
    def get_summary(self):
        """The per-region statistics table of the current session (str)."""
        return self._manager.get_summary()

    @_manager_method
    def print_summary(self):
        """Print the per-region statistics of the current session."""
        print(self._manager.get_summary(), end='', flush=True)

    @_manager_method
    def finalize(self, verbose=None, file_path=None, **options):
        """Write the session file and, with ``verbose``, print the summary.

        ``verbose`` defaults to the ``verbose`` given to :meth:`setup`
        (``True``). ``file_path`` writes to that path instead of the
        configured one. Nothing is written when the session does not flush
        to disk (``flush_to_disk=False``) or is disabled. An I/O failure
        raises :class:`ProfilerError` (an ``OSError`` carrying the
        library's message); the data is kept, so a retry can succeed.
        """
        for name, value in options.items():
            if name in ('return_results', 'native_traces'):
                if value:
                    raise UnsupportedOptionError(
                        'finalize(%s=True) is not supported; read the session file '
                        'or use the regions\' get_*_numpy() accessors' % name)
            elif name == 'verbose_line_profiler':
                pass
            else:
                raise _options.unknown_keyword_error(
                    'finalize', name,
                    ('verbose', 'file_path', 'return_results', 'native_traces',
                     'verbose_line_profiler'))

        if verbose is None:
            verbose = self._verbose
        if file_path is not None:
            file_path = os.fsdecode(os.fspath(file_path))
        if self._is_unset():
            self._finalize_unset(file_path)
            return

        # The summary is printed from Python (verbose=False: not by the
        # library), also for a session that C code set up. Only rank 0
        # prints: with several ranks, the merged session's statistics.
        settings = self._manager.get_config()
        rank, size = _ranks(settings)
        summary = self._manager.get_summary() if verbose and rank == 0 else None
        merged = summary is not None and size > 1 and settings['enabled'] and settings['flush_to_disk']
        order = list(self._manager.get_all_regions()) if merged else None
        self._manager.finalize(file_path, verbose=False)
        if merged:
            summary = _merged_summary(file_path or settings['file_path'], summary, order)

        if summary:
            print(summary, end='' if summary.endswith('\n') else '\n', flush=True)
        _features.after_finalize(self, verbose)

    def _finalize_unset(self, file_path):
        """finalize() without setup(), as the Python package does it: a
        session file holding only /metadata, no summary; the manager stays
        not set up. (A short enabled session with no region is written.)"""
        self._manager.setup(verbose=False)
        try:
            self._set_python_metadata()
            self._manager.finalize(file_path, verbose=False)
        finally:
            self._enter_unset()

    @_manager_method
    def session(self, verbose=None, **options):
        """Context manager (and decorator) for one session.

        Calls :meth:`setup` with ``options`` on entry and :meth:`finalize`
        on exit, also when the body raises::

            with ProfileManager.session(file_path="run.h5", verbose=False):
                main()
        """
        if verbose is not None:
            options['verbose'] = verbose
        # Validate now, so a typo fails where it is written.
        _options.parse(options, 'session', self._FEATURES_AVAILABLE)
        return self._session(options)

    @contextlib.contextmanager
    def _session(self, options):
        self.setup(**options)
        try:
            yield self
        finally:
            self.finalize()

    @_manager_method
    def run_script(self, script_path, script_args=None, region_name=None, only_user_code=True):
        """Run the Python script ``script_path`` (with ``script_args``) as
        ``__main__``, recording each call of its functions as a region
        ``__main__.<qualname>`` (its module body ``__main__.<module>``)
        inside a region ``region_name`` (default: the script's basename).
        ``only_user_code`` leaves out code of the standard library and
        installed packages. The script's exceptions and ``SystemExit``
        propagate; see :mod:`scope_profiler._run`."""
        from . import _run
        _run.run_script(self, script_path, script_args, region_name, only_user_code)

    @_manager_method
    def get_start_time(self):
        """The session's start (CLOCK_MONOTONIC ns, as time.perf_counter_ns())."""
        return self._manager.get_start_time()


_default = None
_default_regions = {}


def _default_profile_region(region_name, functions=None):
    region = _default_regions.get(region_name)
    if region is None:
        region = _default_manager()._create_region(region_name)
    if functions is not None:
        _line_profiler.add_functions(_default_manager(), region, functions)
    return region


# On the class, profile_region is a plain function on the default manager:
# `with ProfileManager.profile_region("x"):` in a loop costs one Python call
# and a dict lookup, and no descriptor written in Python (_manager_method).
# A region already fetched is a dict hit in C, no Python frame
# (RegionLookup); the function answers everything else.
# Instances shadow it with their own lookup (see _init).
_default_profile_region.__doc__ = ProfileManager._profile_region.__doc__
_default_profile_region.__name__ = 'profile_region'
_default_profile_region.__qualname__ = 'ProfileManager.profile_region'
_class_profile_region = functools.update_wrapper(
    _native.RegionLookup(_default_regions, _default_profile_region), _default_profile_region)
ProfileManager.profile_region = staticmethod(_class_profile_region)
# The current API's name for it (ProfileManager.region("x"), sp.region("x")).
ProfileManager.region = staticmethod(_class_profile_region)


def _default_manager():
    """The ProfileManager of the process-wide ScopeProfiler default manager."""
    global _default
    if _default is None:
        default = ProfileManager.__new__(ProfileManager)
        default._init(_native.Manager.get_default(), _default_regions)
        # Nothing is recorded before setup(), unless C code in this process
        # already set the default manager up (or recorded into its implicit
        # session): then that session runs and Python records into it.
        if not _library_session_in_use(default._manager):
            default._enter_unset()
        _default = default
    return _default


# The Python package's setup() parameters, in order (none is keyword-only).
_SETUP_POSITIONAL = ('profiling_activated', 'use_likwid', 'use_line_profiler',
                     'recursive_profile', 'time_trace', 'flush_to_disk', 'buffer_limit',
                     'file_path')


def _positional_options(args, options):
    if len(args) > len(_SETUP_POSITIONAL):
        raise TypeError('setup() takes at most %d positional arguments (%d given)'
                        % (len(_SETUP_POSITIONAL), len(args)))
    options = dict(options)
    for name, value in zip(_SETUP_POSITIONAL, args):
        if name in options:
            raise TypeError("setup() got multiple values for argument '%s'" % name)
        options[name] = value
    return options


def _default_settings(_cache=[]):
    """The library's default session settings (those of setup() without
    arguments), as Manager.get_config() gives them."""
    if not _cache:
        _cache.append(_native.Manager().get_config())
    return dict(_cache[0])


def _library_session_in_use(manager):
    """Whether the default manager's session was set up or used by C code
    before the package first touched it: a configuration other than the
    defaults, or regions in the session."""
    return bool(manager.get_all_regions()) or manager.get_config() != _default_settings()


# The launchers' variables the library reads for the rank (sp-ranks.c).
_LAUNCHERS = (('OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE'),
              ('PMI_RANK', 'PMI_SIZE'),
              ('PMIX_RANK', 'PMIX_SIZE'),
              ('SLURM_PROCID', 'SLURM_NTASKS'))


def _env_int(name):
    try:
        return int(os.environ[name])
    except (KeyError, ValueError):
        return None


def _ranks(settings):
    """(rank, size) of this process as the library's finalize() sees them
    (sp_ranks_detect(): MPI when mpi4py initialised it, else the
    launcher's variables; SCOPE_PROFILER_MPI=0 and the session's
    rank/size settings win)."""
    rank = size = -1
    if os.environ.get('SCOPE_PROFILER_MPI') != '0':
        mpi = sys.modules.get('mpi4py.MPI')
        try:
            usable = mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized()
        except Exception:  # pragma: no cover - a broken mpi4py
            usable = False
        if usable:
            rank, size = mpi.COMM_WORLD.Get_rank(), mpi.COMM_WORLD.Get_size()
        else:
            for rank_var, size_var in _LAUNCHERS:
                r = _env_int(rank_var)
                if r is not None:
                    rank = r
                    s = _env_int(size_var)
                    if s is not None and s > r:
                        size = s
                    break
    if settings.get('rank', -1) >= 0:
        rank = settings['rank']
    if settings.get('size', -1) >= 1:
        size = settings['size']
    rank = max(rank, 0)
    size = max(size, 1)
    if rank >= size:
        size = rank + 1
    return rank, size


def _seconds(value):
    text = '%.9g' % value
    return text if any(c in text for c in '.eEn') else text + '.0'


def _merged_summary(path, fallback, order=()):
    """The summary of the merged session file at ``path`` (rank 0, several
    ranks), as the Python package prints it: the library's statistics of
    every region pooled over the ranks, and ``Total Calls`` the pooled count
    divided by the number of ranks, rounded. Rank 0's regions come first,
    in ``order`` (its session's), then those only other ranks have (which
    the Python package leaves out). ``fallback`` when the file cannot be
    read."""
    try:
        session = _native.Session(path)
        metadata = session.metadata()
        size = int(metadata.get('mpi_size') or 0) or max(len(session.file_ranks()), 1)
        names = session.region_names()
        index_of = {name: index for index, name in enumerate(names)}
        ordered = [name for name in order if name in index_of]
        first = set(ordered)
        ordered += [name for name in names if name not in first]
        lines = []
        for name in ordered:
            stats = session.stats(index_of[name])
            count = int(stats['count'])
            lines.append('Region: %s\n' % name)
            lines.append('  %-12s: %d\n' % ('Total Calls', round(count / size)))
            if count:
                for label, key in (('Total Time', 'total'), ('Avg Time', 'mean'),
                                   ('Min Time', 'min'), ('Max Time', 'max'),
                                   ('Std Dev', 'std')):
                    lines.append('  %-12s: %s s\n' % (label, _seconds(stats[key] / 1e9)))
            lines.append('-' * 40 + '\n')
        return ''.join(lines)
    except (OSError, ValueError, KeyError) as error:
        print('scope_profiler: could not read the merged session %s (%s); rank 0\'s '
              'summary follows' % (path, error), file=sys.stderr)
        return fallback


def _relative_time_methods(manager):
    """The get_start_times_numpy()/get_end_times_numpy() of regions of the
    native ``manager``: buffered times minus the session start."""
    region_starts = _native.Region.get_start_times_numpy
    region_ends = _native.Region.get_end_times_numpy

    def get_start_times_numpy(region):
        """Start times of the buffered calls as int64 ns since the session
        start (the Python package's ``config.config_creation_time``; the
        absolute start is ``ProfileManager.get_config().config_creation_time``)."""
        return region_starts(region) - manager.get_start_time()

    def get_end_times_numpy(region):
        """End times of the buffered calls as int64 ns since the session
        start."""
        return region_ends(region) - manager.get_start_time()

    return get_start_times_numpy, get_end_times_numpy


def get_current_time():
    """CLOCK_MONOTONIC nanoseconds: the clock of all recorded timestamps,
    the same as :func:`time.perf_counter_ns` on Linux."""
    return _native.get_current_time()


# The default manager enters its "not set up" state at import, as the
# Python package's default configuration exists from import.
_default_manager()
