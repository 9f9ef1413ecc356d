/* test-sysprof-live.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysprof-capture.h>
#include <unistd.h>

#include "sp-test-util.h"

/* libsysprof-capture's ring buffer, as Sysprof itself uses it to receive
 * what a profiled process sends. Internal to the static library, so
 * declared here. */
typedef struct _MappedRingBuffer MappedRingBuffer;
typedef bool (*MappedRingBufferCallback) (const void *data,
                                          size_t     *length,
                                          void       *user_data);
MappedRingBuffer *mapped_ring_buffer_new_reader (size_t                   buffer_size);
int               mapped_ring_buffer_get_fd     (MappedRingBuffer        *self);
bool              mapped_ring_buffer_drain      (MappedRingBuffer        *self,
                                                 MappedRingBufferCallback callback,
                                                 void                    *user_data);

#define N_CALLS 25

typedef struct
{
  guint   marks;
  guint   other_marks;
  gint64  min_duration;
} Drained;

static bool
drain_frame (const void *data,
             size_t     *length,
             void       *user_data)
{
  const SysprofCaptureFrame *frame = data;
  Drained *d = user_data;

  if (*length < sizeof *frame || frame->len < sizeof *frame || frame->len > *length)
    return false;

  if (frame->type == SYSPROF_CAPTURE_FRAME_MARK)
    {
      const SysprofCaptureMark *mark = data;

      if (g_str_equal (mark->group, "scope-profiler") && g_str_equal (mark->name, "live region"))
        {
          d->marks++;
          d->min_duration = MIN (d->min_duration, mark->duration);
        }
      else
        d->other_marks++;
    }

  *length = frame->len;
  return true;
}

/* Plays Sysprof's part: answers the collector's request for a ring buffer
 * with the descriptor of one we read. */
static gboolean
serve_ring (int               sock,
            MappedRingBuffer *ring)
{
  char request[10];
  char byte = 0;
  int fd = mapped_ring_buffer_get_fd (ring);
  struct iovec iov = { &byte, 1 };
  union {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;

  if (read (sock, request, sizeof request) != sizeof request ||
      memcmp (request, "CreatRing", 10) != 0)
    return FALSE;

  memset (&control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof fd);

  return sendmsg (sock, &msg, 0) == 1;
}

/* The reader stays for the life of the test program: releasing it with
 * mapped_ring_buffer_unref() leaves its 40-byte header behind in this
 * libsysprof-capture, which the leak checkers would report as ours. */
static MappedRingBuffer *ring;

static void
test_sysprof_live_marks (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "live.h5", NULL);
  Drained drained = { 0, 0, G_MAXINT64 };
  int pair[2];
  int status;
  pid_t pid;

  ring = mapped_ring_buffer_new_reader (0);
  g_assert_nonnull (ring);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), ==, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);

  if (pid == 0)
    {
      SpConfig *config = sp_test_config (path, 16);
      SpProfileManager *manager;
      SpRegion *region;
      char fd[16];
      gboolean ok;

      /* dup() gives a descriptor without FD_CLOEXEC. */
      g_snprintf (fd, sizeof fd, "%d", dup (pair[1]));
      g_setenv ("SYSPROF_CONTROL_FD", fd, TRUE);

      manager = sp_profile_manager_new ();
      sp_profile_manager_setup (manager, config);
      region = sp_profile_manager_profile_region (manager, "live region");
      sp_test_calls (region, N_CALLS);
      ok = sp_profile_manager_finalize (manager, NULL);
      g_object_unref (manager);
      g_object_unref (config);
      /* _exit() skips the autofree cleanups; leak checkers follow us here. */
      g_clear_pointer (&path, g_free);
      g_clear_pointer (&dir, g_free);
      _exit (ok ? 0 : 1);
    }

  close (pair[1]);
  g_assert_true (serve_ring (pair[0], ring));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  mapped_ring_buffer_drain (ring, drain_frame, &drained);
  g_assert_cmpuint (drained.marks, ==, N_CALLS);
  g_assert_cmpuint (drained.other_marks, ==, 0);
  g_assert_cmpint (drained.min_duration, >=, 0);

  /* The session file is written as usual. */
  {
    g_autoptr(GArray) starts = sp_test_read_i64 (path, "/rank0/regions/live region/start_times");
    g_assert_cmpuint (starts->len, ==, N_CALLS);
  }

  close (pair[0]);
}

static void
test_sysprof_not_running (void)
{
  /* Without Sysprof, nothing is sent and nothing changes. */
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  SpRegion *region;

  g_unsetenv ("SYSPROF_CONTROL_FD");
  sp_profile_manager_setup (manager, NULL);
  region = sp_profile_manager_profile_region (manager, "quiet");
  sp_test_calls (region, N_CALLS);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, N_CALLS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/SysprofLive/marks", test_sysprof_live_marks);
  g_test_add_func ("/ScopeProfiler/SysprofLive/not-running", test_sysprof_not_running);

  return g_test_run ();
}
