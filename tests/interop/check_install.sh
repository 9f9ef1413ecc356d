#!/usr/bin/env bash
# Installs the build into a scratch prefix and builds a program against the
# installed headers and scope-profiler-1.pc, then runs it with the installed
# library and typelib.
set -euo pipefail
build_root="$1"
source_root="$2"
dest="$(mktemp -d)"
trap 'rm -rf "$dest"' EXIT

meson install -C "$build_root" --no-rebuild --quiet --destdir "$dest" >/dev/null
prefix="$(meson introspect "$build_root" --buildoptions | /usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')"
version="$(meson introspect "$build_root" --projectinfo | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')"
libdir="$(meson introspect "$build_root" --buildoptions | /usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"][0])')"
root="$dest$prefix"

for f in "$root/$libdir/pkgconfig/scope-profiler-1.pc" \
         "$root/include/scope-profiler-1/scope-profiler.h" \
         "$root/include/scope-profiler-1/sp-version.h" \
         "$root/include/scope-profiler-1/sp-enums.h" \
         "$root/share/gir-1.0/ScopeProfiler-1.0.gir" \
         "$root/$libdir/girepository-1.0/ScopeProfiler-1.0.typelib"; do
  test -f "$f" || { echo "missing: $f"; exit 1; }
done

# The staged .pc file, pointed at the staging prefix.
mkdir -p "$dest/pc"
sed "s|^prefix=.*|prefix=$root|" "$root/$libdir/pkgconfig/scope-profiler-1.pc" > "$dest/pc/scope-profiler-1.pc"
export PKG_CONFIG_PATH="$dest/pc"
cc -o "$dest/simulation" "$source_root/examples/c/simulation.c" \
   $(pkg-config --cflags --libs scope-profiler-1) -lm
LD_LIBRARY_PATH="$root/$libdir" "$dest/simulation" "$dest/out.h5" 50 >/dev/null
test -s "$dest/out.h5"

GI_TYPELIB_PATH="$root/$libdir/girepository-1.0" LD_LIBRARY_PATH="$root/$libdir" /usr/bin/python3 -c '
import gi
gi.require_version("ScopeProfiler", "1.0")
from gi.repository import ScopeProfiler
assert ScopeProfiler.ProfileManager.get_default() is not None
'
# The command-line tool is a program of the installed shared library.
if [ -x "$root/bin/scope-profiler" ]; then
  needed="$(objdump -p "$root/bin/scope-profiler")"
  grep -q 'NEEDED.*libscope-profiler-1\.so\.0' <<<"$needed"
  LD_LIBRARY_PATH="$root/$libdir" "$root/bin/scope-profiler" merge --help >/dev/null
fi

# The Python package and the PyGObject override, from the installed tree.
pydir="$(ls -d "$root"/lib/python3*/dist-packages)"
test -f "$pydir/gi/overrides/ScopeProfiler.py"
test ! -e "$pydir/gi/__init__.py"
PYTHONPATH="$pydir" GI_TYPELIB_PATH="$root/$libdir/girepository-1.0" LD_LIBRARY_PATH="$root/$libdir" \
  /usr/bin/python3 -c '
import scope_profiler
from scope_profiler import ProfileManager
assert scope_profiler.__file__.startswith("'"$pydir"'"), scope_profiler.__file__
assert scope_profiler.__version__ == "'"$version"'", scope_profiler.__version__
ProfileManager.setup(flush_to_disk=False, verbose=False)
with ProfileManager.profile_region("installed"):
    pass
assert ProfileManager.get_region("installed").num_calls == 1
'
# The Python fast path, when it was built, is installed and taken.
if ls "$build_root"/bindings/python/_scope_profiler_native*.so >/dev/null 2>&1; then
  ls "$pydir"/_scope_profiler_native*.so >/dev/null
  PYTHONPATH="$pydir" GI_TYPELIB_PATH="$root/$libdir/girepository-1.0" LD_LIBRARY_PATH="$root/$libdir" \
    /usr/bin/python3 -c '
import _scope_profiler_native
from scope_profiler import profile_manager
assert _scope_profiler_native.__file__.startswith("'"$pydir"'"), _scope_profiler_native.__file__
assert profile_manager._BACKEND == "native", profile_manager._BACKEND
'
fi
test -f "$root/share/scope-profiler-1/js/scopeProfiler.js"

# "scope-profiler run" of the installed tool: it runs the interpreter the
# package was installed for with the package's install directory on
# PYTHONPATH, which is the installed package's directory (here under
# DESTDIR, so the test passes that directory itself).
if [ -x "$root/bin/scope-profiler" ]; then
  installed_pydir="${pydir#"$dest"}"
  grep -qaF "$installed_pydir" "$root/bin/scope-profiler"
  work="$(mktemp -d)"
  printf 'def f():\n    return 1\n\nprint(f() + f())\n' >"$work/app.py"
  (cd "$work" && PYTHONPATH="$pydir" LD_LIBRARY_PATH="$root/$libdir" \
     "$root/bin/scope-profiler" run -q -o run.h5 app.py a b) | grep -qx 2
  PYTHONPATH="$pydir" LD_LIBRARY_PATH="$root/$libdir" /usr/bin/python3 -c '
from scope_profiler.h5reader import ProfilingH5Reader
r = ProfilingH5Reader("'"$work"'/run.h5")
assert r.get_region("__main__.f")[0].num_calls == 2
assert r.get_region("app.py")[0].num_calls == 1
'
  rm -rf "$work"
fi

echo "installed library, headers, pkg-config file, typelib, Python package, scope-profiler run and gjs module work"
