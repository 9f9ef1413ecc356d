#!/usr/bin/python3
# Installs the viewer's shared-mime-info package into a scratch MIME
# database next to freedesktop.org's and checks how GIO types files:
# a session (*.h5) is application/x-scope-profiler-session, the same HDF5
# file under another name stays application/x-hdf.
#
# usage: check_mime.py MIME_XML SESSION_H5

import os
import shutil
import subprocess
import sys
import tempfile
import xml.dom.minidom

SESSION = 'application/x-scope-profiler-session'

mime_xml, session = sys.argv[1], sys.argv[2]

doc = xml.dom.minidom.parse(mime_xml)
types = [t.getAttribute('type') for t in doc.getElementsByTagName('mime-type')]
assert types == [SESSION], types

freedesktop = '/usr/share/mime/packages/freedesktop.org.xml'
update = shutil.which('update-mime-database')
gio = shutil.which('gio')
if not (os.path.exists(freedesktop) and update and gio):
    print('shared-mime-info or gio missing: only the XML was checked')
    sys.exit(77)


def content_type(path, data_dirs):
    env = dict(os.environ, XDG_DATA_DIRS=data_dirs, XDG_DATA_HOME=os.path.join(data_dirs, 'none'))
    out = subprocess.run([gio, 'info', '-a', 'standard::content-type', path],
                         env=env, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    for line in out.splitlines():
        if 'standard::content-type:' in line:
            return line.split(':', 3)[-1].strip()
    return None


with tempfile.TemporaryDirectory() as tmp:
    packages = os.path.join(tmp, 'mime', 'packages')
    os.makedirs(packages)
    shutil.copy(freedesktop, packages)
    shutil.copy(mime_xml, os.path.join(packages, 'org.gnome.ScopeProfiler.Viewer.xml'))
    subprocess.run([update, os.path.join(tmp, 'mime')], check=True)

    h5 = os.path.join(tmp, 'run.h5')
    hdf5 = os.path.join(tmp, 'run.hdf5')
    shutil.copy(session, h5)
    shutil.copy(session, hdf5)

    got = content_type(h5, tmp)
    print('run.h5:', got)
    assert got == SESSION, got
    got = content_type(hdf5, tmp)
    print('run.hdf5:', got)
    assert got == 'application/x-hdf', got
