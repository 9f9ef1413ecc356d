#!/usr/bin/env python3
# The version macros of <scope-profiler.h>: a program that sets
# SP_VERSION_MAX_ALLOWED below the version of an API it calls gets a
# warning (an error with -Werror=deprecated-declarations); by default, or
# with the version allowed, it builds cleanly; SP_VERSION_MIN_REQUIRED
# above SP_VERSION_MAX_ALLOWED is refused.
#
# usage: check-version-macros.py SRC_INCLUDE_DIR BUILD_INCLUDE_DIR CC...

import os
import subprocess
import sys
import tempfile

src_inc, build_inc, *cc = sys.argv[1:]
cflags = subprocess.run(["pkg-config", "--cflags", "gio-2.0"], check=True,
                        capture_output=True, text=True).stdout.split()

PROGRAM = """
#include <scope-profiler.h>

int
main (void)
{
  /* sp_session_write_to_file () is Since: 0.2; never called. */
  gboolean (*write) (SpSession *, const char *, GCancellable *, GError **) = NULL;
  if (write == NULL)
    return 0;
  return !sp_session_write_to_file (NULL, NULL, NULL, NULL);
}
"""


def build(*defines):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "program.c")
        with open(src, "w") as f:
            f.write(PROGRAM)
        cmd = [*cc, "-c", "-o", os.path.join(tmp, "program.o"),
               "-Werror=deprecated-declarations", "-I", src_inc, "-I", build_inc,
               *cflags, *["-D" + d for d in defines], src]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        return proc.returncode, proc.stderr


failures = []


def expect(ok, defines, needle=None):
    code, err = build(*defines)
    if (code == 0) != ok or (needle and needle not in err):
        failures.append(f"{defines}: exit {code}, expected {'success' if ok else 'failure'}"
                        f"{' mentioning ' + needle if needle else ''}\n{err}")


expect(True, [])
expect(True, ["SP_VERSION_MAX_ALLOWED=SP_VERSION_0_2"])
expect(True, ["SP_VERSION_MIN_REQUIRED=SP_VERSION_0_1"])
expect(False, ["SP_VERSION_MAX_ALLOWED=SP_VERSION_0_1"], "sp_session_write_to_file")
expect(False, ["SP_VERSION_MIN_REQUIRED=SP_VERSION_0_2",
               "SP_VERSION_MAX_ALLOWED=SP_VERSION_0_1"], "SP_VERSION_MAX_ALLOWED")

print("1..1")
if failures:
    print("not ok 1 version macros")
    for f in failures:
        print("# " + f.replace("\n", "\n# "))
    sys.exit(1)
print("ok 1 version macros")
