#!/usr/bin/env python3
# A PyGObject GTK 4 application that profiles its own callbacks: an idle
# handler, a timeout handler and a button's "clicked" handler, each a region
# of the default manager. The window shows the live call counts.
#
#   python3 gtk_app.py               interactive; writes gtk_app.h5 on quit
#   python3 gtk_app.py --self-test   clicks its own button, quits by itself,
#                                    checks the regions; exit status 0 = pass
#
# The self-test needs a display; without one, run it under xvfb-run -a.

import os
import sys

SELF_TEST = '--self-test' in sys.argv

if SELF_TEST and not (os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')):
    print('self-test skipped: no display (run it under xvfb-run -a)')
    sys.exit(77)

if SELF_TEST:
    # Xvfb has no GL: draw with cairo, and keep the accessibility bus quiet.
    os.environ.setdefault('GSK_RENDERER', 'cairo')
    os.environ.setdefault('NO_AT_BRIDGE', '1')

import gi  # noqa: E402

gi.require_version('Gtk', '4.0')
from gi.repository import GLib, Gtk  # noqa: E402

from scope_profiler import ProfileManager  # noqa: E402

APP_ID = 'org.gnome.ScopeProfiler.Example.GtkApp'
REGIONS = ('on_idle', 'on_timeout', 'on_clicked', 'build_window')


class ExampleWindow(Gtk.ApplicationWindow):

    @ProfileManager.profile('build_window')
    def __init__(self, app):
        super().__init__(application=app, title='scope-profiler GTK example')
        self.set_default_size(420, 220)

        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12,
                      margin_top=18, margin_bottom=18, margin_start=18, margin_end=18)
        self.set_child(box)

        self.button = Gtk.Button(label='Do some work')
        self.button.connect('clicked', self.on_clicked)
        box.append(self.button)

        self.counts = Gtk.Label(xalign=0, selectable=True)
        self.counts.add_css_class('monospace')
        box.append(self.counts)

        self.idle_rounds = 0
        self.clicks = 0
        GLib.idle_add(self.on_idle)
        self.timeout_id = GLib.timeout_add(50, self.on_timeout)

    @ProfileManager.profile('on_clicked')
    def on_clicked(self, button):
        self.clicks += 1
        # Some work worth timing.
        total = sum(i * i for i in range(20_000))
        button.set_label('Clicked %d times (%d)' % (self.clicks, total % 97))

    @ProfileManager.profile('on_idle')
    def on_idle(self):
        self.idle_rounds += 1
        sum(range(2_000))
        # Keep running for a while, then let the main loop sleep.
        return self.idle_rounds < 50

    @ProfileManager.profile('on_timeout')
    def on_timeout(self):
        lines = []
        for name in REGIONS:
            region = ProfileManager.get_region(name)
            lines.append('%-13s %6d calls' % (name, region.num_calls if region else 0))
        self.counts.set_label('\n'.join(lines))
        return GLib.SOURCE_CONTINUE


class ExampleApp(Gtk.Application):

    def __init__(self):
        super().__init__(application_id=APP_ID)
        self.window = None

    def do_activate(self):
        if self.window is None:
            self.window = ExampleWindow(self)
        self.window.present()
        if SELF_TEST:
            self.clicks_left = 5
            GLib.timeout_add(30, self.self_test_click)

    def self_test_click(self):
        # A real "clicked" emission, as a pointer click produces.
        self.window.button.emit('clicked')
        self.clicks_left -= 1
        if self.clicks_left > 0:
            return GLib.SOURCE_CONTINUE
        # Let the timeout fire a few more times, then quit.
        GLib.timeout_add(300, self.quit_self_test)
        return GLib.SOURCE_REMOVE

    def quit_self_test(self):
        self.quit()
        return GLib.SOURCE_REMOVE


def main():
    argv = [arg for arg in sys.argv if arg != '--self-test']
    file_path = 'gtk_app.h5'
    ProfileManager.setup(file_path=file_path, verbose=True)

    app = ExampleApp()
    if SELF_TEST:
        # A watchdog: never hang a CI job.
        GLib.timeout_add_seconds(30, lambda: (print('self-test: timed out'), os._exit(1)))
    status = app.run(argv)

    counts = {name: ProfileManager.get_region(name).num_calls for name in REGIONS}
    ProfileManager.finalize()

    if SELF_TEST:
        expected = {'on_clicked': 5, 'build_window': 1}
        failures = [name for name, n in expected.items() if counts[name] != n]
        failures += [name for name in ('on_idle', 'on_timeout') if counts[name] < 2]
        if failures or not os.path.exists(file_path):
            print('self-test FAILED:', counts, file=sys.stderr)
            return 1
        print('self-test passed:', counts)
    return status


if __name__ == '__main__':
    sys.exit(main())
