#!/usr/bin/python3
# Writes the sessions of tests/fixtures/make-fixtures.py into a scratch
# directory and copies the ones the viewer tests open next to them: the
# Python package's files and a multi-rank one.
#
# usage: copy_fixtures.py MAKE_FIXTURES OUTPUT...

import os
import shutil
import subprocess
import sys
import tempfile

script, outputs = sys.argv[1], sys.argv[2:]
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([sys.executable, script, tmp], check=True, stdout=subprocess.DEVNULL)
    for out in outputs:
        shutil.copyfile(os.path.join(tmp, os.path.basename(out)), out)
